/*
 * timers.c - libvirt's timers: add, update, remove, dispatch.
 *
 * Deadlines are kept here, in nanoseconds of CLOCK_MONOTONIC read when
 * each call is made (evc_now_ns), in a heap of the enabled timers
 * (heap.c), not as timers of the host loop: each host loop's own timers
 * get R21, R23 or R25 wrong in its own way (the host layer's loop.c says
 * how).  The host's prepare step arms a single timer of its own for the
 * earliest deadline, or keeps the loop from blocking while a timer is due
 * (evc_plan_wait); the pass fires what is due.
 */
#include <stdlib.h>

#include "evcore.h"

/* (Re)start the period from now (R20, R23): on add, and on every update
 * to N >= 0, also to the same N; any negative value takes the timer out
 * of the heap (R22).  A blocked loop is woken if the timer is now due
 * before the wait would end (R43). */
static bool arm_locked(struct evc_timer *t, int timeout_ms)
{
    t->timeout_ms = timeout_ms;
    if (timeout_ms < 0) {
        evc_heap_remove(&evc_core.heap, t);
        return false;
    }
    t->deadline_ns = evc_now_ns() + (int64_t)timeout_ms * 1000000;
    t->reg.armed = evc_core.epoch;
    evc_heap_set(&evc_core.heap, t);
    return evc_wake_locked(t->deadline_ns);
}

/* Room for one more timer in the heap and in dispatch's scratch, taken
 * here so that arming and dispatch never need memory (R2). */
static int reserve_locked(size_t n)
{
    struct evc_core *l = &evc_core;
    struct evc_timer **due;

    if (evc_heap_reserve(&l->heap, n) < 0)
        return -1;
    if (n <= l->due_cap)
        return 0;
    n = n < 2 * l->due_cap ? 2 * l->due_cap : n;
    if (!(due = realloc(l->due, n * sizeof(*due))))
        return -1;
    l->due = due;
    l->due_cap = n;
    return 0;
}

/* After a sweep: give back what the heap and the scratch hold beyond
 * twice the timers left (a failure only keeps the larger arrays). */
void evc_timers_shrink_locked(void)
{
    struct evc_core *l = &evc_core;
    size_t cap = 2 * l->timers.len > 64 ? 2 * l->timers.len : 64;
    void *p;

    if (l->due_cap > cap && l->due_cap > 4 * l->timers.len &&
        (p = realloc(l->due, cap * sizeof(*l->due)))) {
        l->due = p;
        l->due_cap = cap;
    }
    if (l->heap.cap > cap && l->heap.cap > 4 * l->timers.len &&
        (p = realloc(l->heap.items, cap * sizeof(*l->heap.items)))) {
        l->heap.items = p;
        l->heap.cap = cap;
    }
}

/* Never calls back from here, even for 0 (R27). */
int evc_add_timeout(int timeout_ms, virEventTimeoutCallback cb,
                    void *opaque, virFreeCallback ff)
{
    struct evc_timer *t;
    bool wake = false;
    int id = -1;

    if (!cb || !(t = calloc(1, sizeof(*t))))
        return -1;
    t->cb = cb;
    t->reg.opaque = opaque;
    t->reg.ff = ff;
    t->heap_pos = EVC_NOT_IN_HEAP;
    evc_lock();
    if (!evc_core.closed && reserve_locked(evc_core.timers.len + 1) == 0)
        id = evc_list_add(&evc_core.timers, &t->reg);
    if (id > 0)
        wake = arm_locked(t, timeout_ms);
    evc_unlock_and_wake(wake);
    if (id < 0)
        free(t);
    return id;
}

/* Unknown and removed ids are ignored (R8); every transition among -1, 0
 * and N takes effect by the next iteration, from any thread or from the
 * timer's own callback (R24). */
void evc_update_timeout(int timer, int timeout_ms)
{
    struct evc_timer *t;
    bool wake = false;

    evc_lock();
    t = (struct evc_timer *)evc_list_find_live(&evc_core.timers, timer);
    if (t)
        wake = arm_locked(t, timeout_ms);
    evc_unlock_and_wake(wake);
}

/* As for handles: marked, freed by the next sweep (R35, R38). */
int evc_remove_timeout(int timer)
{
    struct evc_timer *t;
    bool wake = false;

    evc_lock();
    t = (struct evc_timer *)evc_list_find_live(&evc_core.timers, timer);
    if (t) {
        arm_locked(t, -1);
        evc_list_mark_removed(&evc_core.timers, &t->reg);
        wake = t->reg.ff && evc_wake_locked(INT64_MIN);
    }
    evc_unlock_and_wake(wake);
    return t ? 0 : -1;
}

/* The earliest deadline (INT64_MAX if no timer is enabled), and in *due
 * whether it has come: a 0 ms timer's always has (R21). */
int64_t evc_timers_next_locked(int64_t now_ns, bool *due)
{
    struct evc_timer *t = evc_heap_top(&evc_core.heap);

    *due = t && t->deadline_ns <= now_ns;
    return t ? t->deadline_ns : INT64_MAX;
}

/* Take every timer due at now out of the heap, into the scratch. */
static size_t collect_locked(int64_t now)
{
    struct evc_core *l = &evc_core;
    struct evc_timer *t;
    size_t n = 0;

    while ((t = evc_heap_top(&l->heap)) && t->deadline_ns <= now) {
        evc_heap_remove(&l->heap, t);
        l->due[n++] = t;
    }
    return n;
}

/* Whether a collected timer fires, judged when its turn comes.  Not if a
 * callback before it removed or disabled it (R29, R31): it stays out of
 * the heap; nor if it was armed again since the dispatch began (R30): it
 * is back in the heap, at its new deadline. */
static bool fires_locked(struct evc_timer *t, uint64_t disp)
{
    if (t->heap_pos != EVC_NOT_IN_HEAP || t->reg.removed || t->timeout_ms < 0)
        return false;
    if (t->reg.armed >= disp) {
        evc_heap_set(&evc_core.heap, t);
        return false;
    }
    return true;
}

/* Fire every due timer once: each goes back into the heap before its
 * callback runs, so the callback may update or remove it.  The next
 * period runs from the moment this timer is dispatched, not from its
 * missed deadline nor from the start of the iteration, so a late loop or
 * a slow sibling causes no burst (R25).  The clock is read once, then
 * again after each callback: the loop's own work between two callbacks
 * takes microseconds.  The lock is dropped around each callback (R44). */
void evc_timers_dispatch(uint64_t disp)
{
    int64_t now = evc_now_ns();
    size_t n;

    evc_lock();
    n = collect_locked(now);
    for (size_t i = 0; i < n; i++) {
        struct evc_timer *t = evc_core.due[i];
        virEventTimeoutCallback cb = t->cb;
        void *opaque = t->reg.opaque;
        int id = t->reg.id;

        if (!fires_locked(t, disp))
            continue;
        t->deadline_ns = now + (int64_t)t->timeout_ms * 1000000;
        evc_heap_set(&evc_core.heap, t);
        evc_unlock();
        cb(id, opaque);
        now = evc_now_ns();
        evc_lock();
    }
    evc_unlock();
}
