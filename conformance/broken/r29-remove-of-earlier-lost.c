/*
 * r29-remove-of-earlier-lost.c - breaks R29: when a callback removes a
 * registration that was already dispatched earlier in the same iteration,
 * remove returns 0 but the removal is dropped: the registration keeps
 * being dispatched in later iterations, and its free callback never runs.
 */
#include <stdbool.h>

#include "wrap.h"

static int remove_reg(int id, bool timer)
{
    struct wrec *w = wrap_find(id, timer);

    if (w && !w->removed && wrap_dispatching() && w != wrap_running() &&
        w->dispatched_in == wrap_iteration()) {
        w->removed = true;
        return 0;
    }
    return timer ? wrap_remove_timeout(id) : wrap_remove_handle(id);
}

static int remove_handle(int watch)
{
    return remove_reg(watch, false);
}

static int remove_timeout(int timer)
{
    return remove_reg(timer, true);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r29-remove-of-earlier-lost (breaks R29)",
    .remove_handle = remove_handle,
    .remove_timeout = remove_timeout,
};
