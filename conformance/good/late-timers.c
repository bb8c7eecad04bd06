/*
 * late-timers.c - keeps every rule, and fires every timer at the latest
 * moment R20 allows.
 *
 * Real loops fire a little after the deadline: they round their wait up to
 * a whole millisecond (GLib, asyncio's selectors, IO::Async), read the
 * clock once per iteration, and the kernel adds its timer slack.
 * docs/contract.md bounds this (R20's late bound, LATE_MS below).  While
 * this loop plans its wait and picks the due timers its clock reads
 * LATE_MS behind; when it sets a deadline (an add or update, or re-arming a
 * timer it is about to call) the clock reads true.  Each timer therefore
 * fires LATE_MS after it is due, and a period re-armed from a late fire
 * drifts by LATE_MS each time.  A suite whose windows end exactly at the
 * deadline, or that counts fires in a window ending on one, fails this
 * loop wrongly.
 */
#include "wrap.h"

#define LATE_MS 2   /* SCENARIO_LATE_MS, conformance/runner/scenario.h */

/* Every wait for a deadline ends LATE_MS after it, as a wait rounded up
 * and slowed by the kernel's timer slack does; 0 and "forever" stay. */
static int late_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    (void)ctx;
    if (timeout_ms > 0)
        timeout_ms += LATE_MS;
    return poll(fds, nfds, timeout_ms);
}

static int register_loop(void)
{
    return wrap_register_sys(NULL, late_poll);
}

const struct wrap_hooks wrap_hooks = {
    .name = "good: timers fire 2 ms late (keeps every rule)",
    .register_loop = register_loop,
};
