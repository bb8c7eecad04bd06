/*
 * r24-zero-list-kept.c - breaks R24 (0 -> N, 0 -> -1): a timer that was
 * ever set to 0 is put on a list run on every iteration, and is never taken
 * off it again: later updates only change the recorded timeout, and the
 * timer keeps firing on every iteration until it is removed.
 */
#include <stddef.h>

#include "wrap.h"

#define ON_ZERO_LIST ((void *)1)

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    int id = wrap_add_timeout(ms, cb, opaque, ff);
    struct wrec *w = id >= 0 ? wrap_find(id, true) : NULL;

    if (w && ms == 0)
        w->priv = ON_ZERO_LIST;
    return id;
}

static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);

    if (w && !w->removed && w->priv == ON_ZERO_LIST) {
        w->timeout = ms;
        return;
    }
    if (w && !w->removed && ms == 0)
        w->priv = ON_ZERO_LIST;
    wrap_update_timeout(timer, ms);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r24-zero-list-kept (breaks R24)",
    .add_timeout = add_timeout,
    .update_timeout = update_timeout,
};
