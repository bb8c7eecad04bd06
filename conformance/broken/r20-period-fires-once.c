/*
 * r20-period-fires-once.c - breaks R20: a timer with a period N > 0 fires
 * once, N ms after it was set, and is then disarmed, as a binding that maps
 * libvirt's timers onto one-shot timers (setTimeout, call_later) does when
 * it forgets to re-arm them.  Only a new update fires it again: keepalive
 * sends one ping and falls silent, and the connection is dropped.
 */
#include "wrap.h"

/* A timer whose callback did not re-arm it (the user's update count is
 * unchanged) is disarmed after its call. */
static void timer_dispatch(struct wrec *w)
{
    long before = w->updates;

    wrap_call_timer(w);
    if (!w->removed && w->timeout > 0 && w->updates == before)
        evref_update_timeout(w->inner, -1);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r20-period-fires-once (breaks R20)",
    .timer_dispatch = timer_dispatch,
};
