/*
 * modes.h - the runtimes a run needs beneath it: a sanitizer's
 * (--sanitizer) and libfaketime (--realtime=SPEEDUP).  Prefix mode_.
 */
#ifndef EVCONF_MODES_H
#define EVCONF_MODES_H

#include "options.h"

/* Before anything else runs: when o asks for a runtime that is not yet
 * in the process, start the runner again (argv) with it preloaded; this
 * returns only when that fails.  Returns -1 to go on, or the status to
 * exit with after one line on stderr (a runtime or a sanitizer build of
 * the reference that is not there, --sanitizer=thread without --stress). */
int mode_enter(const struct options *o, char **argv);

#endif
