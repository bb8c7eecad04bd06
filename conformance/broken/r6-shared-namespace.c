/*
 * r6-shared-namespace.c - breaks R6: handles and timers are looked up in one
 * table, so a handle call with an id no handle has falls on the timer with
 * that id: remove_handle(t) removes the timer, update_handle(t, events)
 * re-arms it with 'events' as its timeout.
 */
#include "wrap.h"

static void update_handle(int watch, int events)
{
    if (!wrap_find(watch, false) && wrap_find(watch, true))
        wrap_update_timeout(watch, events);
    else
        wrap_update_handle(watch, events);
}

static int remove_handle(int watch)
{
    if (!wrap_find(watch, false) && wrap_find(watch, true))
        return wrap_remove_timeout(watch);
    return wrap_remove_handle(watch);
}

static void update_timeout(int timer, int ms)
{
    if (!wrap_find(timer, true) && wrap_find(timer, false))
        wrap_update_handle(timer, ms);
    else
        wrap_update_timeout(timer, ms);
}

static int remove_timeout(int timer)
{
    if (!wrap_find(timer, true) && wrap_find(timer, false))
        return wrap_remove_handle(timer);
    return wrap_remove_timeout(timer);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: shared-namespace (breaks R6)",
    .update_handle = update_handle,
    .remove_handle = remove_handle,
    .update_timeout = update_timeout,
    .remove_timeout = remove_timeout,
};
