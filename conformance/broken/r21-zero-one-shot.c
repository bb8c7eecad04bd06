/*
 * r21-zero-one-shot.c - breaks R21: a 0 ms timer fires once and is then
 * disarmed, as if 0 meant "as soon as possible, once"; the caller still
 * believes it is at 0, and only a new update fires it again.
 */
#include <stdint.h>

#include <stddef.h>

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
    if (!w->removed && w->timeout == 0 && w->priv == before)
        evref_update_timeout(w->inner, -1);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r21-zero-one-shot (breaks R21)",
    .update_timeout = update_timeout,
    .timer_dispatch = timer_dispatch,
};
