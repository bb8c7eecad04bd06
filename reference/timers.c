/*
 * timers.c - timeouts: add, update, remove, and their dispatch.
 *
 * An enabled timer sits in the heap with an absolute deadline on the
 * monotonic clock; a disabled one (timeout < 0) is in the table only.
 * Arming always measures from "now": at add, at every update, even with an
 * unchanged value (R20, R23), and after each firing, from the moment that
 * timer is dispatched, so a late timer fires once and does not catch up,
 * whether the loop itself was late or a sibling's callback held it (R25).
 * Timeout 0 means a deadline of now: due in every iteration (R21).  Timers
 * fire when due, never early: R26 allows 20 ms of slack, but libvirt's
 * current loop takes none, and neither does this one.
 */
#include <limits.h>
#include <stdlib.h>

#include "internal.h"

#define NS_PER_MS INT64_C(1000000)

/* Set the timeout and (re)arm from now_ns, at add and at every update, even
 * to an unchanged value (R20, R23); 0 is a deadline of now, due in every
 * iteration (R21); any negative value disarms, not only -1 (R22).  Arming
 * never calls back, not even for 0: that waits for the next iteration
 * (R27). */
static void arm_locked(struct evref__timer *tm, int timeout_ms, int64_t now_ns)
{
    struct evref__loop *l = &evref__loop;

    tm->timeout_ms = timeout_ms;
    if (timeout_ms < 0) {
        evref__heap_remove(&l->heap, tm);
        return;
    }
    tm->deadline_ns = now_ns + timeout_ms * NS_PER_MS;
    tm->seq = l->next_seq++;
    if (tm->heap_pos == EVREF__NOT_IN_HEAP)
        evref__heap_push(&l->heap, tm);
    else
        evref__heap_fix(&l->heap, tm);
}

/* Give both dispatch scratch arrays cap slots.  If only the first can be
 * resized, due_cap stays what both arrays hold for sure, the smaller of
 * the two sizes.  Returns 0 or -1. */
static int resize_due_locked(size_t cap)
{
    struct evref__loop *l = &evref__loop;
    struct evref__timer **due = realloc(l->due, cap * sizeof(*due));
    uint64_t *due_seq;

    if (!due)
        return -1;
    l->due = due;
    due_seq = realloc(l->due_seq, cap * sizeof(*due_seq));
    if (!due_seq) {
        l->due_cap = cap < l->due_cap ? cap : l->due_cap;
        return -1;
    }
    l->due_seq = due_seq;
    l->due_cap = cap;
    return 0;
}

/* Room for one more timer in the heap and in the dispatch scratch arrays,
 * taken now so that nothing later can fail for want of memory. */
static int reserve_locked(void)
{
    struct evref__loop *l = &evref__loop;
    size_t n = l->timers.count + 1;

    if (evref__heap_reserve(&l->heap, n) < 0)
        return -1;
    if (l->due_cap < n)
        return resize_due_locked(l->heap.cap);
    return 0;
}

int evref_add_timeout(int timeout_ms, virEventTimeoutCallback cb,
                      void *opaque, virFreeCallback ff)
{
    struct evref__timer *tm;
    bool wake = false;
    int id = -1;

    if (!cb)
        return -1;
    tm = calloc(1, sizeof(*tm));
    if (!tm)
        return -1;
    tm->heap_pos = EVREF__NOT_IN_HEAP;
    tm->cb = cb;
    tm->reg.opaque = opaque;
    tm->reg.ff = ff;

    evref__lock();
    if (reserve_locked() == 0)
        id = evref__table_add(&evref__loop.timers, &tm->reg);
    if (id > 0) {
        arm_locked(tm, timeout_ms, evref__now_locked());
        wake = evref__wake_locked();
    }
    evref__unlock_and_wake(wake);
    if (id < 0)
        free(tm);
    return id;
}

/* Unknown and removed ids are ignored (R8).  Every update re-arms, so
 * re-setting the same value pushes the expiry back (R23). */
void evref_update_timeout(int timer, int timeout_ms)
{
    struct evref__timer *tm;
    bool wake = false;

    evref__lock();
    tm = (struct evref__timer *)evref__table_find_live(&evref__loop.timers,
                                                       timer);
    if (tm) {
        arm_locked(tm, timeout_ms, evref__now_locked());
        wake = evref__wake_locked();
    }
    evref__unlock_and_wake(wake);
}

int evref_remove_timeout(int timer)
{
    struct evref__timer *tm;
    bool wake = false;

    evref__lock();
    tm = (struct evref__timer *)evref__table_find_live(&evref__loop.timers,
                                                       timer);
    if (tm) {
        evref__table_mark_removed(&evref__loop.timers, &tm->reg);
        evref__heap_remove(&evref__loop.heap, tm);
        wake = evref__wake_locked();
    }
    evref__unlock_and_wake(wake);
    return tm ? 0 : -1;
}

/* How long poll(2) may wait: -1 with no enabled timer, else the time to the
 * earliest deadline, rounded up so the loop never wakes just before it and
 * spins, nor fires a timer early (R26 allows 20 ms; this loop takes none). */
int evref__timers_poll_timeout_locked(int64_t now_ns)
{
    struct evref__timer *top = evref__heap_top(&evref__loop.heap);
    int64_t ms;

    if (!top)
        return -1;
    if (top->deadline_ns <= now_ns)
        return 0;
    ms = (top->deadline_ns - now_ns + NS_PER_MS - 1) / NS_PER_MS;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* Fire the timers due at the start of this phase, in (deadline, seq) order.
 * They are all taken out of the heap first, so a timer added, enabled or
 * re-armed by a callback waits for the next iteration (R30).  Before each
 * call the timer is checked again: if an earlier callback removed it (R29),
 * disabled it (R31) or re-armed it (its seq changed), it is not called.
 * Each timer is re-armed before its callback runs, so that an update from
 * inside the callback has the last word (R24). */
void evref__timers_dispatch(void)
{
    struct evref__loop *l = &evref__loop;
    struct evref__timer *top;
    int64_t now_ns;
    size_t ndue = 0;

    evref__lock();
    now_ns = evref__now_locked();
    while ((top = evref__heap_top(&l->heap)) && top->deadline_ns <= now_ns) {
        evref__heap_remove(&l->heap, top);
        l->due[ndue] = top;
        l->due_seq[ndue] = top->seq;
        ndue++;
    }
    if (ndue == 0)
        evref__unlock();

    /* The lock taken above is still held for the first timer: no callback
     * has run since the clock was read, so that reading is its moment. */
    for (size_t i = 0; i < ndue; i++) {
        struct evref__timer *tm;
        virEventTimeoutCallback cb = NULL;
        void *opaque = NULL;
        int64_t moment;
        int id = 0;

        if (i > 0)
            evref__lock();
        moment = i == 0 ? now_ns : evref__now_locked();
        tm = l->due[i];
        if (!tm->reg.deleted && tm->timeout_ms >= 0 && tm->seq == l->due_seq[i]) {
            /* From the moment of this call, read again for each timer: a
             * sibling's slow callback before it must not leave it re-armed
             * in the past, to fire again at once (R25). */
            arm_locked(tm, tm->timeout_ms, moment);
            cb = tm->cb;
            id = tm->reg.id;
            opaque = tm->reg.opaque;
        }
        evref__unlock();
        if (cb)
            evref__run_timeout_callback(cb, id, opaque);
    }
}

/* Give back the heap's and the scratch arrays' memory when they are four
 * times bigger than the timers need, keeping room for every timer still
 * registered (what add reserved must stay reserved).  Best effort: where
 * the smaller arrays cannot be had, the big ones stay.  Called by the
 * sweep, after removed timers have left the table. */
void evref__timers_shrink_locked(void)
{
    struct evref__loop *l = &evref__loop;
    size_t need = l->timers.count, cap = 2 * need;

    if (cap < 16)
        cap = 16;
    if (l->due_cap <= 64 || l->due_cap <= 4 * need)
        return;
    if (evref__heap_shrink(&l->heap, cap) == 0)
        (void)resize_due_locked(cap);
}

void evref__timers_clear_locked(void)
{
    struct evref__loop *l = &evref__loop;

    evref__heap_clear(&l->heap);
    evref__table_clear(&l->timers);
    free(l->due);
    free(l->due_seq);
    l->due = NULL;
    l->due_seq = NULL;
    l->due_cap = 0;
    l->next_seq = 0;
}
