/*
 * r44-cb-under-lock.c - breaks R44: one lock guards the loop's state and is
 * held while callbacks and free callbacks run.  It is recursive, so a
 * callback's own calls into the loop pass; but another thread's call waits
 * for the callback to end, and a callback that waits for that thread (as
 * libvirt's do, by taking an object lock the other thread holds across its
 * call) deadlocks.
 */
#include <pthread.h>

#include "wrap.h"

static pthread_mutex_t lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

#define LOCKED(expr) do { pthread_mutex_lock(&lock); expr; \
                          pthread_mutex_unlock(&lock); } while (0)

static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    int id;
    LOCKED(id = wrap_add_handle(fd, events, cb, opaque, ff));
    return id;
}

static void update_handle(int watch, int events)
{
    LOCKED(wrap_update_handle(watch, events));
}

static int remove_handle(int watch)
{
    int rc;
    LOCKED(rc = wrap_remove_handle(watch));
    return rc;
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    int id;
    LOCKED(id = wrap_add_timeout(ms, cb, opaque, ff));
    return id;
}

static void update_timeout(int timer, int ms)
{
    LOCKED(wrap_update_timeout(timer, ms));
}

static int remove_timeout(int timer)
{
    int rc;
    LOCKED(rc = wrap_remove_timeout(timer));
    return rc;
}

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    LOCKED(wrap_call_handle(w, fd, events));
}

static void timer_dispatch(struct wrec *w)
{
    LOCKED(wrap_call_timer(w));
}

static void free_dispatch(struct wrec *w)
{
    LOCKED(wrap_call_free(w));
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: cb-under-lock (breaks R44)",
    .add_handle = add_handle,
    .update_handle = update_handle,
    .remove_handle = remove_handle,
    .add_timeout = add_timeout,
    .update_timeout = update_timeout,
    .remove_timeout = remove_timeout,
    .handle_dispatch = handle_dispatch,
    .timer_dispatch = timer_dispatch,
    .free_dispatch = free_dispatch,
};
