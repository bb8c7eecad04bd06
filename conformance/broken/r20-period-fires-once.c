/*
 * r20-period-fires-once.c - breaks R20: a timer with a period N > 0 fires
 * once, N ms after it was set, and is then disarmed, as a binding that maps
 * libvirt's timers onto one-shot timers (setTimeout, call_later) does when
 * it forgets to re-arm them.  Only a new update fires it again: keepalive
 * sends one ping and falls silent, and the connection is dropped.
 */
#include <stdint.h>

#include "wrap.h"

/* w->priv counts the caller's updates, to tell whether the callback
 * re-armed the timer itself. */
static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);

    if (w)
        w->priv = (void *)((intptr_t)w->priv + 1);
    wrap_update_timeout(timer, ms);
}

static void timer_dispatch(struct wrec *w)
{
    void *before = w->priv;

    wrap_call_timer(w);
    if (!w->removed && w->timeout > 0 && w->priv == before)
        evref_update_timeout(w->inner, -1);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r20-period-fires-once (breaks R20)",
    .update_timeout = update_timeout,
    .timer_dispatch = timer_dispatch,
};
