/*
 * r20-fires-immediately.c - breaks R20: a new timer of N ms fires in the
 * first iteration after its add, as if it had last expired at time 0, and
 * only then settles into its period.
 */
#include <stddef.h>

#include "wrap.h"

#define FIRST ((void *)1)

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    int id = wrap_add_timeout(ms > 0 ? 0 : ms, cb, opaque, ff);
    struct wrec *w = id >= 0 ? wrap_find(id, true) : NULL;

    if (w && ms > 0) {
        w->timeout = ms;
        w->priv = FIRST;
    }
    return id;
}

static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);

    if (w)
        w->priv = NULL;
    wrap_update_timeout(timer, ms);
}

static void timer_dispatch(struct wrec *w)
{
    if (w->priv == FIRST) {
        w->priv = NULL;
        /* From now on, the real period. */
        evref_update_timeout(w->inner, w->timeout);
    }
    wrap_call_timer(w);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r20-fires-immediately (breaks R20)",
    .add_timeout = add_timeout,
    .update_timeout = update_timeout,
    .timer_dispatch = timer_dispatch,
};
