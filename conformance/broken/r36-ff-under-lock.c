/*
 * r36-ff-under-lock.c - breaks R36: the loop keeps its own, non-recursive
 * lock held while it runs free callbacks, and every operation takes that
 * lock; a free callback that adds, updates or removes anything deadlocks
 * (the runner reports a hang).
 */
#include <pthread.h>

#include "wrap.h"

static pthread_mutex_t big = PTHREAD_MUTEX_INITIALIZER;

static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    int id;

    pthread_mutex_lock(&big);
    id = wrap_add_handle(fd, events, cb, opaque, ff);
    pthread_mutex_unlock(&big);
    return id;
}

static void update_handle(int watch, int events)
{
    pthread_mutex_lock(&big);
    wrap_update_handle(watch, events);
    pthread_mutex_unlock(&big);
}

static int remove_handle(int watch)
{
    int rc;

    pthread_mutex_lock(&big);
    rc = wrap_remove_handle(watch);
    pthread_mutex_unlock(&big);
    return rc;
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    int id;

    pthread_mutex_lock(&big);
    id = wrap_add_timeout(ms, cb, opaque, ff);
    pthread_mutex_unlock(&big);
    return id;
}

static void update_timeout(int timer, int ms)
{
    pthread_mutex_lock(&big);
    wrap_update_timeout(timer, ms);
    pthread_mutex_unlock(&big);
}

static int remove_timeout(int timer)
{
    int rc;

    pthread_mutex_lock(&big);
    rc = wrap_remove_timeout(timer);
    pthread_mutex_unlock(&big);
    return rc;
}

static void free_dispatch(struct wrec *w)
{
    pthread_mutex_lock(&big);
    wrap_call_free(w);
    pthread_mutex_unlock(&big);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r36-ff-under-lock (breaks R36)",
    .add_handle = add_handle,
    .update_handle = update_handle,
    .remove_handle = remove_handle,
    .add_timeout = add_timeout,
    .update_timeout = update_timeout,
    .remove_timeout = remove_timeout,
    .free_dispatch = free_dispatch,
};
