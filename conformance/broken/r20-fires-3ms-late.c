/*
 * r20-fires-3ms-late.c - breaks R20: every wait for a deadline ends 3 ms
 * after it, as in a loop that rounds its clock down to the millisecond,
 * rounds its wait up, and adds a millisecond of "slack" of its own.  R20's
 * late bound allows 2 ms where nothing else delays the loop; a
 * keepalive or retry timer that is always 3 ms late drifts by that much
 * per period.
 */
#include "wrap.h"

#define LATE_MS 3

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
    .name = "broken: r20-fires-3ms-late (breaks R20)",
    .register_loop = register_loop,
};
