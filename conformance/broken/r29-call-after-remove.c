/*
 * r29-call-after-remove.c - breaks R29: remove returns 0 at once, but the
 * registration is only taken out of the loop at the end of the next
 * iteration that starts after the call, so the loop may still dispatch it
 * after remove has returned (once more for a callback removing itself, or
 * a sibling that was ready in the same iteration).  Updates to it are
 * ignored meanwhile, and a second remove returns -1.
 */
#include <pthread.h>
#include <stddef.h>

#include "wrap.h"

#define MAX_PENDING 1024

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct { struct wrec *w; long after; } pending[MAX_PENDING];
static int npending;
static long started;            /* iterations started */

static int defer_remove(int id, bool timer)
{
    struct wrec *w = wrap_find(id, timer);
    int rc = -1;

    if (!w)
        return timer ? wrap_remove_timeout(id) : wrap_remove_handle(id);
    pthread_mutex_lock(&lock);
    if (!w->removed && npending < MAX_PENDING) {
        w->removed = true;
        pending[npending].w = w;
        pending[npending].after = started + 1;
        npending++;
        rc = 0;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int remove_handle(int watch)
{
    return defer_remove(watch, false);
}

static int remove_timeout(int timer)
{
    return defer_remove(timer, true);
}

static void update_handle(int watch, int events)
{
    struct wrec *w = wrap_find(watch, false);

    if (!w || !w->removed)
        wrap_update_handle(watch, events);
}

static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);

    if (!w || !w->removed)
        wrap_update_timeout(timer, ms);
}

static int run_once(void)
{
    int rc, kept = 0;

    pthread_mutex_lock(&lock);
    started++;
    pthread_mutex_unlock(&lock);
    rc = wrap_run_once();
    pthread_mutex_lock(&lock);
    for (int i = 0; i < npending; i++) {
        struct wrec *w = pending[i].w;
        if (pending[i].after > started) {
            pending[kept++] = pending[i];
            continue;
        }
        if (w->timer)
            evref_remove_timeout(w->inner);
        else
            evref_remove_handle(w->inner);
    }
    npending = kept;
    pthread_mutex_unlock(&lock);
    return rc;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r29-call-after-remove (breaks R29)",
    .remove_handle = remove_handle,
    .remove_timeout = remove_timeout,
    .update_handle = update_handle,
    .update_timeout = update_timeout,
    .run_once = run_once,
};
