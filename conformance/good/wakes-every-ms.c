/*
 * wakes-every-ms.c - keeps every rule, and never sleeps longer than 1 ms.
 *
 * The idle loop of libvirt-python's examples/event-test.py computes its
 * wait in seconds and hands it to poll(), which takes milliseconds: while
 * a timer is pending it wakes every millisecond, thousands of times a
 * second with nothing to do.  That costs CPU and power, and breaks no
 * rule (R20 lets a loop wake more often than its timers need): this loop
 * does the same, and must pass every scenario.  What shows it is the
 * runner's idle wake-up figure (docs/wakeups.md), not a failure.
 */
#include "wrap.h"

#define TICK_MS 1

/* The wait, never longer than a millisecond. */
static int busy_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    (void)ctx;
    if (timeout_ms < 0 || timeout_ms > TICK_MS)
        timeout_ms = TICK_MS;
    return poll(fds, nfds, timeout_ms);
}

static int register_loop(void)
{
    return wrap_register_sys(NULL, busy_poll);
}

const struct wrap_hooks wrap_hooks = {
    .name = "good: wakes every 1 ms (keeps every rule)",
    .register_loop = register_loop,
};
