/*
 * r22-only-minus-one.c - breaks R22: only -1 disables a timer; any other
 * negative timeout is clamped to 0, so the timer fires on every iteration.
 */
#include <stddef.h>

#include "wrap.h"

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    int id = wrap_add_timeout(ms < -1 ? 0 : ms, cb, opaque, ff);
    struct wrec *w = id >= 0 ? wrap_find(id, true) : NULL;

    if (w)
        w->timeout = ms;
    return id;
}

static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);

    wrap_update_timeout(timer, ms < -1 ? 0 : ms);
    if (w && !w->removed)
        w->timeout = ms;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r22-only-minus-one (breaks R22)",
    .add_timeout = add_timeout,
    .update_timeout = update_timeout,
};
