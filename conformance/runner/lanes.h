/*
 * lanes.h - scenarios run side by side (-j N), their results taken in
 * suite order, so that what is printed and reported is the serial run's.
 * Prefix lanes_.
 */
#ifndef EVCONF_LANES_H
#define EVCONF_LANES_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"
#include "results.h"

/* Real-time scenarios ('clock: real') mostly wait, on a private libvirtd
 * and the wall clock: up to this many run at once beside the -j lanes,
 * which take the virtual-time ones. */
#define LANES_REALTIME_MAX 8

/* What the caller (turns.c) does at each step, with ctx. */
struct lanes_hooks {
    /* In the runner, when r's turn comes, before its lane starts (a
     * generated program is made then). */
    void (*prepare)(void *ctx, struct result *r);
    /* Result i, in suite order, once every one before it is taken;
     * true stops the run after it (--fail-fast). */
    bool (*take)(void *ctx, int i);
    /* Result i was never started: a stop signal or the --budget. */
    void (*unrun)(void *ctx, int i);
    void *ctx;
};

/* Run res[0..n) in o->jobs lanes (real-time ones beside them), each
 * scenario in a lane process of its own that runs it as the serial run
 * does (run.c) and sends its result back.  Stops starting scenarios at a
 * stop signal or the --budget's end.  Returns the stop signal, or 0;
 * *taken is how many results were taken (fewer than n after a stop by
 * take()). */
int lanes_run(const struct options *o, const char *impl_path,
              struct result *res, int n, const struct lanes_hooks *h,
              int *taken);

/* r's result as a lane sends it (outcome, error, failures, trace, time):
 * a new buffer of *len bytes; and read back into r: 0, or -1 if buf is
 * not a whole one. */
char *lanes_encode(const struct result *r, size_t *len);
int lanes_decode(const char *buf, size_t len, struct result *r);

#endif
