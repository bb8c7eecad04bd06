/*
 * r33-zero-timer-starves-others.c - breaks R33: 0 ms timers are served
 * first and alone; while one is enabled, the loop drops the calls of every
 * other timer and watch it finds due or ready.
 */
#include "wrap.h"

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    if (!wrap_zero_timer_enabled())
        wrap_call_handle(w, fd, events);
}

static void timer_dispatch(struct wrec *w)
{
    if (w->timeout == 0 || !wrap_zero_timer_enabled())
        wrap_call_timer(w);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r33-zero-timer-starves-others (breaks R33)",
    .handle_dispatch = handle_dispatch,
    .timer_dispatch = timer_dispatch,
};
