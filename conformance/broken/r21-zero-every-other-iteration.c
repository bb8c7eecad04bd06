/*
 * r21-zero-every-other-iteration.c - breaks R21: a 0 ms timer fires in
 * every second iteration only, as in a loop that runs its "idle" work on
 * alternate passes.  No time passes in between, so it is never late by
 * the clock and it is never starved; but libvirt counts on a 0 ms timer
 * running in each iteration, to flush queued events before the next
 * wait.
 */
#include "wrap.h"

static void timer_dispatch(struct wrec *w)
{
    if (w->timeout == 0 && wrap_iteration() % 2 == 0)
        return;
    wrap_call_timer(w);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r21-zero-every-other-iteration (breaks R21)",
    .timer_dispatch = timer_dispatch,
};
