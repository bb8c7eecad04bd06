/*
 * reordered.c - keeps every rule, in an order and with ids unlike the
 * reference's.
 *
 * - Ids are sparse and large (1000 + 7n): R4 and R5 ask for ids >= 1,
 *   unique and never reused, nothing more.
 * - Callbacks run in the reverse of the order the reference would use, all
 *   at the end of the iteration (R32 leaves the order open).  Each is
 *   checked again just before it runs, as the contract requires of any
 *   order: nothing removed (R29) or disabled (R31) by an earlier callback
 *   runs, nor a handle disabled and enabled again (R30), a handle gets
 *   only the bits it still asks for (R12), a timer
 *   re-timed by an earlier callback waits for its new period (R23), and a
 *   timer's period restarts when its callback is called (R25).
 * - A free callback whose registration still has a callback to come waits
 *   until after it (R37); the others run where the reference runs them.
 * - The room its queues need is taken when a registration is added, so an
 *   iteration never runs short of memory (R2).
 * A suite that depends on dispatch order, on small or dense ids, or on
 * when in an iteration a callback runs, fails this loop wrongly.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "wrap.h"

#define ID(inner) ((inner) > 0 ? 1000 + 7 * (inner) : (inner))

/* One callback the reference asked for in this iteration. */
struct pending {
    struct wrec *w;
    int fd, events;
    long updates;                /* updates_of(w) when it was asked for */
};

static struct pending *queue;
static int nqueue, capqueue;
static struct wrec **frees;      /* frees held back until the queue is run */
static int nfrees, capfrees;
static bool collecting;          /* inside evref_run_once() */
/* Guards the queue, the frees and their sizes: adds on other threads grow
 * them while the loop thread fills and runs them. */
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static int adding;               /* adds under way, on any thread */

/* Kept in priv: how many updates a timer has had, how many times a
 * handle has been set to events 0.  A timer updated since it was queued
 * waits for its new period (R23); a handle disabled since, even if enabled
 * again, waits for the next poll (R30, R31). */
static long updates_of(const struct wrec *w)
{
    return (long)(intptr_t)w->priv;
}

/* Room for n entries, taken when a registration is added, so that an
 * iteration never needs memory (R2): the queue and the held-back frees
 * never hold more entries than there are registrations. */
static bool reserve(void **p, int *cap, int n, size_t size)
{
    void *bigger;
    int want = *cap ? *cap : 64;

    while (want < n)
        want *= 2;
    if (want == *cap)
        return true;
    bigger = realloc(*p, (size_t)want * size);
    if (!bigger)
        return false;
    *p = bigger;
    *cap = want;
    return true;
}

/* Room for every registration, this add's and those of adds under way on
 * other threads included.  Returns false without memory; the caller then
 * calls done_adding() and fails the add. */
static bool start_adding(void)
{
    bool ok;
    int n;

    pthread_mutex_lock(&qlock);
    n = wrap_count() + ++adding;
    ok = reserve((void **)&queue, &capqueue, n, sizeof(*queue)) &&
         reserve((void **)&frees, &capfrees, n, sizeof(*frees));
    pthread_mutex_unlock(&qlock);
    return ok;
}

static void done_adding(void)
{
    pthread_mutex_lock(&qlock);
    adding--;
    pthread_mutex_unlock(&qlock);
}

static void defer_call(struct wrec *w, int fd, int events)
{
    pthread_mutex_lock(&qlock);
    if (nqueue == capqueue)      /* cannot happen: reserved at add */
        abort();
    queue[nqueue++] = (struct pending){ w, fd, events, updates_of(w) };
    pthread_mutex_unlock(&qlock);
}

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    defer_call(w, fd, events);
}

static void timer_dispatch(struct wrec *w)
{
    defer_call(w, -1, 0);
}

/* Hold w's free back if w has a call queued; called with qlock held. */
static bool hold_back_locked(struct wrec *w)
{
    for (int i = 0; i < nqueue; i++) {
        if (queue[i].w != w)
            continue;
        if (nfrees == capfrees)  /* cannot happen: reserved at add */
            abort();
        frees[nfrees++] = w;
        return true;
    }
    return false;
}

static void free_dispatch(struct wrec *w)
{
    bool held;

    pthread_mutex_lock(&qlock);
    held = collecting && hold_back_locked(w);
    pthread_mutex_unlock(&qlock);
    if (!held)
        wrap_call_free(w);
}

/* Call one queued callback if the registration still wants it now. */
static void run_pending(const struct pending *p)
{
    struct wrec *w = p->w;

    if (w->removed)
        return;
    if (w->timer) {
        if (w->timeout < 0 || updates_of(w) != p->updates)
            return;
        if (w->timeout > 0)          /* the period runs from this call */
            evref_update_timeout(w->inner, w->timeout);
        wrap_call_timer(w);
    } else {
        int mask = p->events & (w->events | VIR_EVENT_HANDLE_ERROR |
                                VIR_EVENT_HANDLE_HANGUP);
        if (w->events == 0 || mask == 0 || updates_of(w) != p->updates)
            return;
        wrap_call_handle(w, p->fd, mask);
    }
}

static int run_once(void)
{
    int rc, n;

    collecting = true;
    rc = wrap_run_once();
    collecting = false;
    pthread_mutex_lock(&qlock);
    n = nqueue;
    pthread_mutex_unlock(&qlock);
    /* Each entry is copied out under the lock: an add in a callback, or on
     * another thread, may move the arrays. */
    for (int i = n - 1; i >= 0; i--) {
        struct pending p;

        pthread_mutex_lock(&qlock);
        p = queue[i];
        pthread_mutex_unlock(&qlock);
        run_pending(&p);
    }
    pthread_mutex_lock(&qlock);
    nqueue = 0;
    n = nfrees;
    pthread_mutex_unlock(&qlock);
    for (int i = 0; i < n; i++) {
        struct wrec *w;

        pthread_mutex_lock(&qlock);
        w = frees[i];
        pthread_mutex_unlock(&qlock);
        wrap_call_free(w);
    }
    pthread_mutex_lock(&qlock);
    nfrees = 0;
    pthread_mutex_unlock(&qlock);
    return rc;
}

/* ---- ids: the user sees ID(inner); an id we never gave is unknown ---- */

static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    int inner = start_adding() ? wrap_add_handle(fd, events, cb, opaque, ff) : -1;
    struct wrec *w = inner > 0 ? wrap_find(inner, false) : NULL;

    done_adding();

    if (w)
        w->id = ID(inner);
    return ID(inner);
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    int inner = start_adding() ? wrap_add_timeout(ms, cb, opaque, ff) : -1;
    struct wrec *w = inner > 0 ? wrap_find(inner, true) : NULL;

    done_adding();
    if (w)
        w->id = ID(inner);
    return ID(inner);
}

static void update_handle(int watch, int events)
{
    struct wrec *w = wrap_find(watch, false);

    if (w && !w->removed) {
        if (events == 0)
            w->priv = (void *)(intptr_t)(updates_of(w) + 1);
        wrap_update_handle(watch, events);
    }
}

static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);

    if (w && !w->removed) {
        w->priv = (void *)(intptr_t)(updates_of(w) + 1);
        wrap_update_timeout(timer, ms);
    }
}

static int remove_handle(int watch)
{
    return wrap_find(watch, false) ? wrap_remove_handle(watch) : -1;
}

static int remove_timeout(int timer)
{
    return wrap_find(timer, true) ? wrap_remove_timeout(timer) : -1;
}

const struct wrap_hooks wrap_hooks = {
    .name = "good: reversed dispatch at the end of the iteration, sparse ids "
            "(keeps every rule)",
    .add_handle = add_handle,
    .update_handle = update_handle,
    .remove_handle = remove_handle,
    .add_timeout = add_timeout,
    .update_timeout = update_timeout,
    .remove_timeout = remove_timeout,
    .run_once = run_once,
    .handle_dispatch = handle_dispatch,
    .timer_dispatch = timer_dispatch,
    .free_dispatch = free_dispatch,
};
