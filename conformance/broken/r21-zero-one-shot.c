/*
 * r21-zero-one-shot.c - breaks R21: a 0 ms timer fires once and is then
 * disarmed, as if 0 meant "as soon as possible, once"; the caller still
 * believes it is at 0, and only a new update fires it again.
 */
#include "wrap.h"

/* A timer whose callback did not re-arm it (the user's update count is
 * unchanged) is disarmed after its call. */
static void timer_dispatch(struct wrec *w)
{
    long before = w->updates;

    wrap_call_timer(w);
    if (!w->removed && w->timeout == 0 && w->updates == before)
        evref_update_timeout(w->inner, -1);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r21-zero-one-shot (breaks R21)",
    .timer_dispatch = timer_dispatch,
};
