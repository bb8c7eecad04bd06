/*
 * periodic-tick.c - keeps every rule, and never sleeps longer than 7 ms.
 *
 * Many host loops wake on a tick of their own (an animation frame, a
 * scheduler quantum, a housekeeping timer) whether or not a timer is due.
 * This one caps every wait at TICK_MS: a wait with no timeout, or a longer
 * one, ends after 7 ms with nothing ready, and the next iteration plans
 * again.  Timers still fire at their deadlines; only the number of
 * iterations between two fires changes.  The contract never counts
 * iterations between timer fires (R20 is in time), so a suite that runs a
 * number of iterations and then expects a timer of 30 ms or more to have
 * fired fails this loop wrongly.
 */
#include "wrap.h"

#define TICK_MS 7

/* The wait, never longer than a tick. */
static int tick_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    (void)ctx;
    if (timeout_ms < 0 || timeout_ms > TICK_MS)
        timeout_ms = TICK_MS;
    return poll(fds, nfds, timeout_ms);
}

static int register_loop(void)
{
    return wrap_register_sys(NULL, tick_poll);
}

const struct wrap_hooks wrap_hooks = {
    .name = "good: a 7 ms periodic tick (keeps every rule)",
    .register_loop = register_loop,
};
