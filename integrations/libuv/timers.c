/*
 * timers.c - libvirt's timers: add, update, remove, dispatch.
 *
 * Deadlines are kept here, in nanoseconds of CLOCK_MONOTONIC, not in
 * uv_timer handles: libuv's timers run from uv_run()'s timer phase, which
 * re-runs a 0 ms timer restarted from its own callback for as long as it
 * is restarted (one iteration never ends, R21), and its clock is the
 * loop's cached, millisecond one.  The prepare callback arms a single
 * uv_timer for the earliest deadline, or keeps the loop from blocking
 * while a timer is due; the check callback fires what is due.
 *
 * Timer walks are linear in the number of timers, as libvirt's own poll
 * loop was: libvirt keeps a handful per connection.
 */
#include <stdlib.h>

#include "internal.h"

/* (Re)start the period from now (R20, R23): on add, and on every update
 * to N >= 0, also to the same N.  A blocked loop is woken if the timer is
 * now due before the wait would end (R43). */
static bool arm_locked(struct lv_timer *t, int timeout_ms)
{
    int64_t now = lv_now_ns();

    t->timeout_ms = timeout_ms;
    if (timeout_ms < 0)         /* any negative value disables (R22) */
        return false;
    t->deadline_ns = now + (int64_t)timeout_ms * 1000000;
    t->reg.armed = lv_loop.epoch;
    return lv_wake_locked(t->deadline_ns);
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
    lv_lock();
    if (!lv_loop.closed)
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
        t->timeout_ms = -1;
        lv_list_mark_removed(&lv_loop.timers, &t->reg);
        wake = t->reg.ff && lv_wake_locked(INT64_MIN);
    }
    lv_unlock_and_wake(wake);
    return t ? 0 : -1;
}

/* The earliest deadline of an enabled timer (INT64_MAX if none), and in
 * *due whether one is due already: a 0 ms timer always is (R21). */
int64_t lv_timers_next_locked(int64_t now_ns, bool *due)
{
    int64_t next = INT64_MAX;

    *due = false;
    for (size_t i = 0; i < lv_loop.timers.len; i++) {
        struct lv_timer *t = (struct lv_timer *)lv_loop.timers.items[i];
        if (t->reg.removed || t->timeout_ms < 0)
            continue;
        if (t->timeout_ms == 0 || t->deadline_ns <= now_ns)
            *due = true;
        else if (t->deadline_ns < next)
            next = t->deadline_ns;
    }
    return next;
}

/* Whether t fires in the dispatch `disp`, judged when its turn comes: not
 * if a callback before it removed or disabled it (R29, R31), nor if it
 * was added or re-armed during this dispatch (R30). */
static bool due_locked(const struct lv_timer *t, uint64_t disp, int64_t now)
{
    if (t->reg.removed || t->timeout_ms < 0 || t->reg.armed >= disp)
        return false;
    return t->timeout_ms == 0 || t->deadline_ns <= now;
}

/* Fire every due timer once.  The next period runs from the moment this
 * timer is dispatched, not from its missed deadline nor from the start of
 * the iteration, so a late loop or a slow sibling causes no burst (R25).
 * The clock is read once, then again after each callback: the loop's
 * own work between two callbacks takes microseconds, a system call per
 * timer would cost more.  The lock is dropped around each callback (R44). */
void lv_timers_dispatch(uint64_t disp)
{
    int64_t now = lv_now_ns();

    lv_lock();
    for (size_t i = 0; i < lv_loop.timers.len; i++) {
        struct lv_timer *t = (struct lv_timer *)lv_loop.timers.items[i];
        virEventTimeoutCallback cb = t->cb;
        void *opaque = t->reg.opaque;
        int id = t->reg.id;

        if (!due_locked(t, disp, now))
            continue;
        t->deadline_ns = now + (int64_t)t->timeout_ms * 1000000;
        lv_unlock();
        cb(id, opaque);
        now = lv_now_ns();      /* after the time the callback took */
        lv_lock();
    }
    lv_unlock();
}
