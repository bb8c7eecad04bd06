/* wakeups.h - the loop's idle wake-ups, a figure and no check (prefix
 * wakeups_): iterations that woke by the loop's clock alone with nothing
 * to do.  docs/wakeups.md says what counts and why nothing fails on it. */
#ifndef EVCONF_WAKEUPS_H
#define EVCONF_WAKEUPS_H

/* Both with the run's lock held, around evconf_run_once() as liveness.h's
 * are: before it, and after it once scn.loop.iter counts the iteration. */
void wakeups_begin(void);
void wakeups_end(void);
/* The runner's guard timer id was added now with a period of ms (ms < 0:
 * it was removed), or fired: it is due as the script's timers are. */
void wakeups_guard(int id, int ms);
void wakeups_guard_fired(int id);
/* The figure to the runner (protocol.h's W record), at the scenario's
 * end; nothing in real time, where the waits are not sim's to judge. */
void wakeups_report(void);

#endif
