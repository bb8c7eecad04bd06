/*
 * r43-queued-no-wake.c - breaks R43: an update or remove from a thread other
 * than the loop's is queued for the loop thread, which applies the queue at
 * the start of its next iteration, but nothing wakes it: a loop blocked in
 * poll(2) sees the change only when something else happens (the next
 * keepalive, a minute later).  Remove answers at once from the records.
 */
#include <pthread.h>

#include "wrap.h"

#define MAX_QUEUED 256

static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static struct { int kind, id, arg; } queue[MAX_QUEUED];
static int nqueued;

enum { UPD_H, REM_H, UPD_T, REM_T };

static bool queued(int kind, int id, int arg)
{
    bool q = false;

    pthread_mutex_lock(&qlock);
    if (wrap_other_thread() && nqueued < MAX_QUEUED) {
        queue[nqueued].kind = kind;
        queue[nqueued].id = id;
        queue[nqueued].arg = arg;
        nqueued++;
        q = true;
    }
    pthread_mutex_unlock(&qlock);
    return q;
}

static void update_handle(int watch, int events)
{
    if (!queued(UPD_H, watch, events))
        wrap_update_handle(watch, events);
}

static int remove_handle(int watch)
{
    struct wrec *w = wrap_find(watch, false);

    if (!w || w->removed)
        return -1;
    if (!queued(REM_H, watch, 0))
        return wrap_remove_handle(watch);
    return 0;
}

static void update_timeout(int timer, int ms)
{
    if (!queued(UPD_T, timer, ms))
        wrap_update_timeout(timer, ms);
}

static int remove_timeout(int timer)
{
    struct wrec *w = wrap_find(timer, true);

    if (!w || w->removed)
        return -1;
    if (!queued(REM_T, timer, 0))
        return wrap_remove_timeout(timer);
    return 0;
}

static int run_once(void)
{
    pthread_mutex_lock(&qlock);
    for (int i = 0; i < nqueued; i++) {
        switch (queue[i].kind) {
        case UPD_H: wrap_update_handle(queue[i].id, queue[i].arg); break;
        case REM_H: wrap_remove_handle(queue[i].id); break;
        case UPD_T: wrap_update_timeout(queue[i].id, queue[i].arg); break;
        default: wrap_remove_timeout(queue[i].id); break;
        }
    }
    nqueued = 0;
    pthread_mutex_unlock(&qlock);
    return wrap_run_once();
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: queued-no-wake (breaks R43)",
    .update_handle = update_handle,
    .remove_handle = remove_handle,
    .update_timeout = update_timeout,
    .remove_timeout = remove_timeout,
    .run_once = run_once,
};
