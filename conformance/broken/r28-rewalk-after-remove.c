/*
 * r28-rewalk-after-remove.c - breaks R28: when a callback removes a
 * registration, the loop no longer trusts its place in the ready list and
 * walks it again from the start, without remembering whom it already
 * called.  Everything before the removal that is still ready or due is
 * called a second time in the same iteration: a watch sees the same
 * condition twice, a 0 ms timer fires twice.  It keeps its handles in a
 * table indexed by fd and walks it from the highest fd down, and its
 * timers in a list that adds at its head, newest first (R32 allows any
 * order).
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "wrap.h"

/* One callback the reference found ready or due in this iteration. */
struct ready {
    struct wrec *w;
    int fd, events;
    long updates;               /* w->updates when it was found ready */
};

static struct ready *list;      /* touched by the loop thread only */
static int nlist, caplist;
static atomic_long removals;    /* removes made on the loop thread */

/* Found ready: keep it for the walk at the end of the iteration, or call
 * it now if there is no room. */
static void found(struct wrec *w, int fd, int events)
{
    if (nlist == caplist) {
        int cap = caplist ? caplist * 2 : 64;
        struct ready *bigger = realloc(list, (size_t)cap * sizeof(*bigger));

        if (!bigger) {
            if (w->timer)
                wrap_call_timer(w);
            else
                wrap_call_handle(w, fd, events);
            return;
        }
        list = bigger;
        caplist = cap;
    }
    list[nlist++] = (struct ready){ w, fd, events, w->updates };
}

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    found(w, fd, events);
}

static void timer_dispatch(struct wrec *w)
{
    found(w, -1, 0);
}

/* Timers first, newest first; then handles, highest fd first. */
static int walk_order(const void *a, const void *b)
{
    const struct ready *x = a, *y = b;

    if (x->w->timer != y->w->timer)
        return x->w->timer ? -1 : 1;
    if (x->w->timer)
        return x->w->id > y->w->id ? -1 : x->w->id < y->w->id;
    return x->fd > y->fd ? -1 : x->fd < y->fd;
}

/* Call one entry if it is still wanted: not removed, disabled or changed
 * since it was found ready, which this loop does check. */
static void call(const struct ready *r)
{
    struct wrec *w = r->w;

    if (w->removed || w->updates != r->updates)
        return;
    if (w->timer) {
        if (w->timeout >= 0)
            wrap_call_timer(w);
    } else if (w->events != 0) {
        int mask = r->events & (w->events | VIR_EVENT_HANDLE_ERROR |
                                VIR_EVENT_HANDLE_HANGUP);
        if (mask)
            wrap_call_handle(w, r->fd, mask);
    }
}

static int run_once(void)
{
    int rc;

    nlist = 0;
    rc = wrap_run_once();
    qsort(list, (size_t)nlist, sizeof(*list), walk_order);
    for (int i = 0; i < nlist; i++) {
        long before = atomic_load(&removals);

        call(&list[i]);
        if (atomic_load(&removals) != before)
            i = -1;             /* the bug: start over, calling all again */
    }
    return rc;
}

static void count_removal(int rc)
{
    if (rc == 0 && wrap_dispatching())
        atomic_fetch_add(&removals, 1);
}

static int remove_handle(int watch)
{
    int rc = wrap_remove_handle(watch);

    count_removal(rc);
    return rc;
}

static int remove_timeout(int timer)
{
    int rc = wrap_remove_timeout(timer);

    count_removal(rc);
    return rc;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r28-rewalk-after-remove (breaks R28)",
    .remove_handle = remove_handle,
    .remove_timeout = remove_timeout,
    .run_once = run_once,
    .handle_dispatch = handle_dispatch,
    .timer_dispatch = timer_dispatch,
};
