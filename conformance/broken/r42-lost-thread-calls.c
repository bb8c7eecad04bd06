/*
 * r42-lost-thread-calls.c - breaks R42: calls from a thread other than the
 * one running the loop are put on a queue that nothing ever reads (a
 * binding that hands them to the loop thread and then forgets them).  An
 * add returns a made-up id and registers nothing; an update does nothing; a
 * remove answers 0 for a live id and leaves the registration running.
 * libvirt calls from application threads and workers: their timers never
 * fire, their sockets are never watched, and what they remove keeps
 * calling back.
 */
#include "wrap.h"

static int next_fake = 100000;

static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    if (wrap_other_thread())
        return next_fake++;
    return wrap_add_handle(fd, events, cb, opaque, ff);
}

static void update_handle(int watch, int events)
{
    if (!wrap_other_thread())
        wrap_update_handle(watch, events);
}

static int remove_handle(int watch)
{
    struct wrec *w = wrap_find(watch, false);

    if (wrap_other_thread())
        return w && !w->removed ? 0 : -1;
    return wrap_remove_handle(watch);
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    if (wrap_other_thread())
        return next_fake++;
    return wrap_add_timeout(ms, cb, opaque, ff);
}

static void update_timeout(int timer, int ms)
{
    if (!wrap_other_thread())
        wrap_update_timeout(timer, ms);
}

static int remove_timeout(int timer)
{
    struct wrec *w = wrap_find(timer, true);

    if (wrap_other_thread())
        return w && !w->removed ? 0 : -1;
    return wrap_remove_timeout(timer);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: lost-thread-calls (breaks R42)",
    .add_handle = add_handle,
    .update_handle = update_handle,
    .remove_handle = remove_handle,
    .add_timeout = add_timeout,
    .update_timeout = update_timeout,
    .remove_timeout = remove_timeout,
};
