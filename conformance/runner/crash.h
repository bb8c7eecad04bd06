/* crash.h - telling the runner where the loop crashed (crash.c). */
#ifndef EVCONF_CRASH_H
#define EVCONF_CRASH_H

/* In the scenario's process, once the implementation is loaded: a fatal
 * signal or an exit from here on writes a C record (protocol.h) saying
 * what the dying thread was doing, and the rule that names, if any. */
void crash_watch(void);
/* The scenario is over: an exit from here on is the process's own. */
void crash_unwatch(void);

#endif
