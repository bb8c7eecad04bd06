/*
 * spurious-wakeups.c - keeps every rule, and wakes up for nothing.
 *
 * Some iterations return at once having dispatched nothing, as a loop does
 * when its self-pipe is written on every change (the loop thread's own
 * included) or when a signal cuts poll(2) short: the iteration after every
 * change the loop thread makes, and every third iteration.  The contract
 * says nothing about how many iterations a loop takes: a suite that counts
 * fires or frees per iteration fails this loop wrongly.
 */
#include "wrap.h"

static bool changed;

static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    changed = true;
    return wrap_add_handle(fd, events, cb, opaque, ff);
}

static void update_handle(int watch, int events)
{
    changed = true;
    wrap_update_handle(watch, events);
}

static int remove_handle(int watch)
{
    changed = true;
    return wrap_remove_handle(watch);
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    changed = true;
    return wrap_add_timeout(ms, cb, opaque, ff);
}

static void update_timeout(int timer, int ms)
{
    changed = true;
    wrap_update_timeout(timer, ms);
}

static int remove_timeout(int timer)
{
    changed = true;
    return wrap_remove_timeout(timer);
}

static int run_once(void)
{
    bool spurious = wrap_iteration() % 3 == 0;

    if (!wrap_other_thread() && changed)
        spurious = true;
    changed = false;
    if (spurious)
        return 0;
    return wrap_run_once();
}

const struct wrap_hooks wrap_hooks = {
    .name = "good: spurious wake-ups (keeps every rule)",
    .add_handle = add_handle,
    .update_handle = update_handle,
    .remove_handle = remove_handle,
    .add_timeout = add_timeout,
    .update_timeout = update_timeout,
    .remove_timeout = remove_timeout,
    .run_once = run_once,
};
