/*
 * timers.c - libvirt's timers: add, update, remove, dispatch.
 *
 * Deadlines are kept here, in nanoseconds of CLOCK_MONOTONIC, in a heap
 * of the enabled timers (heap.c), not in uv_timer handles: libuv's timers
 * run from uv_run()'s timer phase, which (libuv 1.44, uv__run_timers)
 * takes the earliest timer again after each callback for as long as it
 * is not later than the loop's cached time, so a 0 ms timer restarted from
 * its own callback fires forever and the iteration never ends (R21); and
 * libuv's clock is the loop's cached, millisecond one.  The prepare
 * callback arms a single uv_timer for the earliest deadline, or keeps the
 * loop from blocking while a timer is due; the check callback fires what
 * is due.
 */
#include <stdlib.h>

#include "internal.h"

/* (Re)start the period from now (R20, R23): on add, and on every update
 * to N >= 0, also to the same N; any negative value takes the timer out
 * of the heap (R22).  A blocked loop is woken if the timer is now due
 * before the wait would end (R43). */
static bool arm_locked(struct lv_timer *t, int timeout_ms)
{
    t->timeout_ms = timeout_ms;
    if (timeout_ms < 0) {
        lv_heap_remove(&lv_loop.heap, t);
        return false;
    }
    t->deadline_ns = lv_now_ns() + (int64_t)timeout_ms * 1000000;
    t->reg.armed = lv_loop.epoch;
    lv_heap_set(&lv_loop.heap, t);
    return lv_wake_locked(t->deadline_ns);
}

/* Room for one more timer in the heap and in dispatch's scratch, taken
 * here so that arming and dispatch never need memory (R2). */
static int reserve_locked(size_t n)
{
    struct lv_loop *l = &lv_loop;
    struct lv_timer **due;

    if (lv_heap_reserve(&l->heap, n) < 0)
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
void lv_timers_shrink_locked(void)
{
    struct lv_loop *l = &lv_loop;
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
int libuv_libvirt_add_timeout(int timeout_ms, virEventTimeoutCallback cb,
                              void *opaque, virFreeCallback ff)
{
    struct lv_timer *t;
    bool wake = false;
    int id = -1;

    if (!cb || !(t = calloc(1, sizeof(*t))))
        return -1;
    t->cb = cb;
    t->reg.opaque = opaque;
    t->reg.ff = ff;
    t->heap_pos = LV_NOT_IN_HEAP;
    lv_lock();
    if (!lv_loop.closed && reserve_locked(lv_loop.timers.len + 1) == 0)
        id = lv_list_add(&lv_loop.timers, &t->reg);
    if (id > 0)
        wake = arm_locked(t, timeout_ms);
    lv_unlock_and_wake(wake);
    if (id < 0)
        free(t);
    return id;
}

/* Unknown and removed ids are ignored (R8); every transition among -1, 0
 * and N takes effect by the next iteration, from any thread or from the
 * timer's own callback (R24). */
void libuv_libvirt_update_timeout(int timer, int timeout_ms)
{
    struct lv_timer *t;
    bool wake = false;

    lv_lock();
    t = (struct lv_timer *)lv_list_find_live(&lv_loop.timers, timer);
    if (t)
        wake = arm_locked(t, timeout_ms);
    lv_unlock_and_wake(wake);
}

/* As for handles: marked, freed by the next sweep (R35, R38). */
int libuv_libvirt_remove_timeout(int timer)
{
    struct lv_timer *t;
    bool wake = false;

    lv_lock();
    t = (struct lv_timer *)lv_list_find_live(&lv_loop.timers, timer);
    if (t) {
        arm_locked(t, -1);
        lv_list_mark_removed(&lv_loop.timers, &t->reg);
        wake = t->reg.ff && lv_wake_locked(INT64_MIN);
    }
    lv_unlock_and_wake(wake);
    return t ? 0 : -1;
}

/* The earliest deadline (INT64_MAX if no timer is enabled), and in *due
 * whether it has come: a 0 ms timer's always has (R21). */
int64_t lv_timers_next_locked(int64_t now_ns, bool *due)
{
    struct lv_timer *t = lv_heap_top(&lv_loop.heap);

    *due = t && t->deadline_ns <= now_ns;
    return t ? t->deadline_ns : INT64_MAX;
}

/* Take every timer due at now out of the heap, into the scratch. */
static size_t collect_locked(int64_t now)
{
    struct lv_loop *l = &lv_loop;
    struct lv_timer *t;
    size_t n = 0;

    while ((t = lv_heap_top(&l->heap)) && t->deadline_ns <= now) {
        lv_heap_remove(&l->heap, t);
        l->due[n++] = t;
    }
    return n;
}

/* Whether a collected timer fires, judged when its turn comes.  Not if a
 * callback before it removed or disabled it (R29, R31): it stays out of
 * the heap; nor if it was armed again since the dispatch began (R30): it
 * is back in the heap, at its new deadline. */
static bool fires_locked(struct lv_timer *t, uint64_t disp)
{
    if (t->heap_pos != LV_NOT_IN_HEAP || t->reg.removed || t->timeout_ms < 0)
        return false;
    if (t->reg.armed >= disp) {
        lv_heap_set(&lv_loop.heap, t);
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
void lv_timers_dispatch(uint64_t disp)
{
    int64_t now = lv_now_ns();
    size_t n;

    lv_lock();
    n = collect_locked(now);
    for (size_t i = 0; i < n; i++) {
        struct lv_timer *t = lv_loop.due[i];
        virEventTimeoutCallback cb = t->cb;
        void *opaque = t->reg.opaque;
        int id = t->reg.id;

        if (!fires_locked(t, disp))
            continue;
        t->deadline_ns = now + (int64_t)t->timeout_ms * 1000000;
        lv_heap_set(&lv_loop.heap, t);
        lv_unlock();
        cb(id, opaque);
        now = lv_now_ns();
        lv_lock();
    }
    lv_unlock();
}
