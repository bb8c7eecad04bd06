/*
 * test_timers.c - R20-R26: periods, timeout 0, disabling, restarts and
 * transitions, all in virtual time.
 *
 * The reference loop fires a timer exactly when it is due, never early: R26
 * would allow 20 ms of slack, the reference takes none, so these tests
 * expect exact virtual times.
 */
#include <stdio.h>

#include "suites.h"
#include "support.h"

/* The virtual time of a record, -1 for none (for messages). */
static long long at_of(const struct rec *r)
{
    return r ? (long long)r->at_ms : -1LL;
}

/* The n-th (0-based) timer record for id, or NULL. */
static const struct rec *nth_timer_rec(int id, int n)
{
    for (int i = 0; i < nrecs; i++)
        if (recs[i].kind == REC_TIMER && recs[i].id == id && n-- == 0)
            return &recs[i];
    return NULL;
}

/* R20, R26: add(200) first fires at exactly 200 ms, then every 200 ms, and
 * a timer added later measures its first period from its own add, because
 * libvirt's keepalive and retry timers count their intervals from the
 * moment they are set; nothing fires before it is due (the reference takes
 * none of R26's slack). */
START_TEST(period_measured_from_add)
{
    int t = evref_add_timeout(200, rec_timer_cb, TAG(1), NULL), u;

    vt_run_until_ms(199);
    ck_assert_msg(rec_count(REC_TIMER, t) == 0,
                  "200 ms timer fired %d times before 200 ms (first at %lld ms)",
                  rec_count(REC_TIMER, t), at_of(nth_timer_rec(t, 0)));
    vt_run_until_ms(1000);
    ck_assert_int_eq(rec_count(REC_TIMER, t), 5);
    for (int k = 0; k < 5; k++)
        ck_assert_msg(nth_timer_rec(t, k)->at_ms == 200 * (k + 1),
                      "fire %d of a 200 ms timer at %lld ms, expected %d ms",
                      k + 1, (long long)nth_timer_rec(t, k)->at_ms, 200 * (k + 1));

    vt_advance_ms(30);                 /* now 1030 */
    u = evref_add_timeout(200, rec_timer_cb, TAG(2), NULL);
    vt_run_until_ms(1229);
    ck_assert_msg(rec_count(REC_TIMER, u) == 0,
                  "timer added at 1030 ms fired at %lld ms, before 1230 ms",
                  at_of(nth_timer_rec(u, 0)));
    vt_run_until_ms(1430);
    ck_assert_int_eq(rec_count(REC_TIMER, u), 2);
    ck_assert_int_eq(nth_timer_rec(u, 0)->at_ms, 1230);
    ck_assert_int_eq(nth_timer_rec(u, 1)->at_ms, 1430);
}
END_TEST

static int busy_fds[2];

/* R20: a new or re-set timer never fires immediately, even while other work
 * keeps the loop iterating without waiting (virtual time then stands
 * still), because a timer that fires at once turns every "retry in N ms"
 * into a busy loop. */
START_TEST(never_fires_immediately)
{
    int h, t1, t200;

    make_pipe(busy_fds);
    write_byte(busy_fds[1]);          /* never read: ready in every iteration */
    h = evref_add_handle(busy_fds[0], VIR_EVENT_HANDLE_READABLE, rec_handle_cb,
                         NULL, NULL);
    t1 = evref_add_timeout(1, rec_timer_cb, TAG(1), NULL);
    t200 = evref_add_timeout(200, rec_timer_cb, TAG(2), NULL);
    vt_run(20);
    ck_assert_int_eq(rec_count(REC_HANDLE, h), 20);
    ck_assert_msg(vt_now_ms() == 0, "clock moved to %lld ms", (long long)vt_now_ms());
    ck_assert_msg(rec_count(REC_TIMER, t1) == 0 && rec_count(REC_TIMER, t200) == 0,
                  "timers fired at once: 1 ms timer %d times, 200 ms timer %d times",
                  rec_count(REC_TIMER, t1), rec_count(REC_TIMER, t200));
    /* Re-setting an enabled timer does not fire it either. */
    evref_update_timeout(t200, 200);
    evref_update_timeout(t1, 5);
    vt_run(20);
    ck_assert_msg(rec_count(REC_TIMER, t1) == 0 && rec_count(REC_TIMER, t200) == 0,
                  "timers fired at once after update: %d and %d calls",
                  rec_count(REC_TIMER, t1), rec_count(REC_TIMER, t200));
}
END_TEST

/* R21: timeout 0 fires in every iteration: 10 iterations give 10 calls, one
 * per iteration, with no other source registered and without the loop ever
 * waiting, because libvirt's stream and event-state timers sit at 0 and are
 * not re-armed by their callbacks. */
START_TEST(zero_fires_every_iteration)
{
    int fds[2], t = evref_add_timeout(0, rec_timer_cb, TAG(1), NULL);

    vt_run(10);
    ck_assert_msg(rec_count(REC_TIMER, t) == 10,
                  "0 ms timer alone: %d calls in 10 iterations, expected 10",
                  rec_count(REC_TIMER, t));
    for (int k = 0; k < 10; k++)
        ck_assert_msg(nth_timer_rec(t, k)->iter == k,
                      "call %d of the 0 ms timer was in iteration %d", k,
                      nth_timer_rec(t, k)->iter);
    ck_assert_msg(vt_idle_waits == 0,
                  "with a 0 ms timer the loop waited forever %d times", vt_idle_waits);

    /* The same beside a long timer and an idle watch: still no wait. */
    make_pipe(fds);
    evref_add_timeout(1000, rec_timer_cb, TAG(2), NULL);
    evref_add_handle(fds[0], VIR_EVENT_HANDLE_READABLE, rec_handle_cb, NULL, NULL);
    vt_run(10);
    ck_assert_int_eq(rec_count(REC_TIMER, t), 20);
    ck_assert_msg(vt_now_ms() == 0,
                  "the loop waited %lld ms although a 0 ms timer was enabled",
                  (long long)vt_now_ms());
}
END_TEST

/* R22: any negative timeout (-1 and -7) disables without removing: no call
 * in 1 s, then update to 50 makes both fire 50 ms later, and they can still
 * be disabled again and removed, because a loop that knows only -1 fires
 * other negatives or reads them as a huge period. */
START_TEST(negative_timeouts_disable)
{
    int a = evref_add_timeout(-1, rec_timer_cb, TAG(1), rec_ff);
    int b = evref_add_timeout(-7, rec_timer_cb, TAG(2), rec_ff);

    ck_assert_int_gt(a, 0);
    ck_assert_int_gt(b, 0);
    vt_run(10);
    ck_assert_msg(nrecs == 0, "disabled timers: %d calls in 10 iterations (first: timer %d)",
                  nrecs, nrecs ? recs[0].id : 0);
    vt_run_until_ms(1000);
    ck_assert_msg(nrecs == 0, "disabled timers: %d calls in 1 s (first: timer %d at %lld ms)",
                  nrecs, nrecs ? recs[0].id : 0, nrecs ? (long long)recs[0].at_ms : 0LL);
    evref_update_timeout(a, 50);
    evref_update_timeout(b, 50);
    vt_run_until_ms(1050);
    ck_assert_int_eq(rec_count(REC_TIMER, a), 1);
    ck_assert_int_eq(rec_count(REC_TIMER, b), 1);
    ck_assert_int_eq(rec_last(REC_TIMER, a)->at_ms, 1050);
    ck_assert_int_eq(rec_last(REC_TIMER, b)->at_ms, 1050);
    /* Disabling an enabled timer with either value. */
    evref_update_timeout(a, -7);
    evref_update_timeout(b, -1);
    vt_run_until_ms(2000);
    ck_assert_msg(rec_count(REC_TIMER, a) == 1 && rec_count(REC_TIMER, b) == 1,
                  "after disabling again: %d and %d calls, expected 1 and 1",
                  rec_count(REC_TIMER, a), rec_count(REC_TIMER, b));
    ck_assert_int_eq(evref_remove_timeout(a), 0);
    ck_assert_int_eq(evref_remove_timeout(b), 0);
    vt_run(1);
    ck_assert_int_eq(rec_count_free(TAG(1)), 1);
    ck_assert_int_eq(rec_count_free(TAG(2)), 1);
}
END_TEST

/* R23: update(300) at 200 ms on a 300 ms timer moves its first expiry to
 * 500 ms, although the value did not change, because keepalive re-sets the
 * same interval on every message to push its next ping back. */
START_TEST(update_same_value_restarts_period)
{
    int t = evref_add_timeout(300, rec_timer_cb, NULL, NULL);

    vt_run_until_ms(200);
    evref_update_timeout(t, 300);
    vt_run_until_ms(499);
    ck_assert_msg(rec_count(REC_TIMER, t) == 0,
                  "re-set at 200 ms, fired at %lld ms (expected 500 ms)",
                  at_of(nth_timer_rec(t, 0)));
    vt_run_until_ms(800);
    ck_assert_int_eq(rec_count(REC_TIMER, t), 2);
    ck_assert_int_eq(nth_timer_rec(t, 0)->at_ms, 500);
    ck_assert_int_eq(nth_timer_rec(t, 1)->at_ms, 800);
}
END_TEST

/* R23: update(0) at 100 ms on a 2000 ms timer fires it in the very next
 * iteration, because libvirt fires a timer "now" by setting 0 and the
 * running 2000 ms wait must not survive the update. */
START_TEST(update_to_zero_fires_next_iteration)
{
    int t = evref_add_timeout(2000, rec_timer_cb, NULL, NULL), iter;

    vt_run_until_ms(100);
    evref_update_timeout(t, 0);
    iter = vt_iterations;
    vt_run_once();
    ck_assert_msg(rec_count(REC_TIMER, t) == 1,
                  "update(0) at 100 ms: %d calls in the next iteration",
                  rec_count(REC_TIMER, t));
    ck_assert_int_eq(rec_last(REC_TIMER, t)->iter, iter);
    ck_assert_int_eq(rec_last(REC_TIMER, t)->at_ms, 100);
    evref_update_timeout(t, -1);
    vt_run_until_ms(3000);
    ck_assert_int_eq(rec_count(REC_TIMER, t), 1);
}
END_TEST

/* R23: a timer disabled after its last fire at 1000 ms and re-enabled with
 * 1000 at 5000 ms fires at 6000 ms: the period counts from the update, not
 * from the last fire, so it neither fires at once nor waits for a stale
 * deadline. */
START_TEST(reenable_measures_from_update)
{
    int t = evref_add_timeout(1000, rec_timer_cb, NULL, NULL);

    vt_run_until_ms(1000);
    ck_assert_int_eq(rec_count(REC_TIMER, t), 1);
    evref_update_timeout(t, -1);
    vt_run_until_ms(5000);
    evref_update_timeout(t, 1000);
    vt_run_until_ms(5999);
    ck_assert_msg(rec_count(REC_TIMER, t) == 1,
                  "re-enabled at 5000 ms, fired at %lld ms (expected 6000 ms)",
                  at_of(rec_last(REC_TIMER, t)));
    vt_run_until_ms(6000);
    ck_assert_int_eq(rec_count(REC_TIMER, t), 2);
    ck_assert_int_eq(rec_last(REC_TIMER, t)->at_ms, 6000);
}
END_TEST

/* One step of a transition script run from outside the loop: set the
 * timeout, then run until a virtual time (run_ms >= 0) or a number of
 * iterations, and expect a total number of calls so far and the time of
 * the last one (-1: don't check). */
struct step {
    int set;
    int64_t run_ms;
    int run_iters;
    int total;
    int64_t last_at;
};

static void run_script(int t, const struct step *steps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct step *s = &steps[i];
        int64_t at = vt_now_ms();

        evref_update_timeout(t, s->set);
        if (s->run_ms >= 0)
            vt_run_until_ms(s->run_ms);
        else
            vt_run(s->run_iters);
        ck_assert_msg(rec_count(REC_TIMER, t) == s->total,
                      "step %zu (set %d at %lld ms): %d calls in total, expected %d",
                      i, s->set, (long long)at, rec_count(REC_TIMER, t), s->total);
        if (s->last_at >= 0)
            ck_assert_msg(rec_last(REC_TIMER, t)->at_ms == s->last_at,
                          "step %zu (set %d at %lld ms): last call at %lld ms, expected %lld",
                          i, s->set, (long long)at,
                          at_of(rec_last(REC_TIMER, t)),
                          (long long)s->last_at);
    }
}

/* R24: every transition among -1, 0 and N, from outside the loop, takes
 * effect by the next iteration and leaves the timer fully usable: the
 * contract's sequence 50 -> -1 -> 30 -> 0 -> -1 -> 20, then a second timer
 * through the pairs it does not cover (-1 -> -1, -1 -> 0, 0 -> 0, 0 -> N,
 * N -> N', N -> 0 ...), because libvirt drives its event-state, stream and
 * keepalive timers through all of them. */
START_TEST(transitions_from_outside)
{
    static const struct step seq_a[] = {
        { 50,  120, 0,  2, 100 },      /* (added at 50 before the script) */
        { -1,  400, 0,  2, 100 },
        { 30,  470, 0,  4, 460 },
        { 0,   -1,  5,  9, 470 },
        { -1,  600, 0,  9, 470 },
        { 20,  650, 0, 11, 640 },
    };
    static const struct step seq_b[] = {
        { -1,  800, 0,  0, -1 },       /* -1 -> -1 */
        { 0,   -1,  3,  3, 800 },      /* -1 -> 0 */
        { 0,   -1,  3,  6, 800 },      /* 0 -> 0 */
        { 40,  900, 0,  8, 880 },      /* 0 -> N */
        { 25,  960, 0, 10, 950 },      /* N -> N' */
        { -1, 1100, 0, 10, 950 },      /* N -> -1 */
        { 60, 1230, 0, 12, 1220 },     /* -1 -> N */
        { 0,   -1,  4, 16, 1230 },     /* N -> 0 */
        { -1, 1400, 0, 16, 1230 },     /* 0 -> -1 */
        { 30, 1460, 0, 18, 1460 },     /* still usable */
    };
    int a = evref_add_timeout(50, rec_timer_cb, TAG(1), NULL), b;

    run_script(a, seq_a, sizeof(seq_a) / sizeof(seq_a[0]));
    ck_assert_int_eq(evref_remove_timeout(a), 0);
    b = evref_add_timeout(-1, rec_timer_cb, TAG(2), NULL);
    vt_run_until_ms(700);
    run_script(b, seq_b, sizeof(seq_b) / sizeof(seq_b[0]));
}
END_TEST

/* Transitions made by callbacks.  The target timer's callback applies
 * self_script[k] after its k-th call; a helper timer's callback re-enables
 * the target from -1 (which the target cannot do itself: it is not called
 * while disabled). */
static const int self_script[] = { 30, 0, 0, 20, 20, -1, -1, 40, -1 };
static const int helper_script[] = { 0, 10, -1 };
static int self_calls, helper_calls, target_id;

static void self_updating_cb(int timer, void *opaque)
{
    rec_timer_cb(timer, opaque);
    if (self_calls < (int)(sizeof(self_script) / sizeof(self_script[0])))
        evref_update_timeout(timer, self_script[self_calls]);
    self_calls++;
}

static void helper_cb(int timer, void *opaque)
{
    rec_timer_cb(timer, opaque);
    if (helper_calls < 2)
        evref_update_timeout(target_id, helper_script[helper_calls]);
    else
        evref_update_timeout(timer, -1);
    helper_calls++;
}

/* R24: the same transitions made from the timer's own callback (50 -> 30 ->
 * 0 -> 0 -> 20 -> 20 -> -1, 0 -> -1, 10 -> 40 -> -1) and from another
 * timer's callback (-1 -> 0, -1 -> 10) take effect by the next iteration
 * and have the last word over the loop's own re-arming, because libvirt's
 * event-state timer disables itself and its stream timer toggles 0 <-> -1
 * from their callbacks. */
START_TEST(transitions_from_callbacks)
{
    static const int64_t want_at[] = { 50, 80, 80, 80, 100, 120, 300, 610, 650 };
    const int nwant = sizeof(want_at) / sizeof(want_at[0]);
    int helper;

    self_calls = helper_calls = 0;
    target_id = evref_add_timeout(50, self_updating_cb, TAG(1), NULL);
    helper = evref_add_timeout(300, helper_cb, TAG(2), NULL);
    /* By 130 ms the target has gone 50 -> 30 -> 0 -> 0 -> 20 -> 20 -> -1. */
    vt_run_until_ms(130);
    ck_assert_msg(rec_count(REC_TIMER, target_id) == 6,
                  "by 130 ms the target was called %d times, expected 6 (last at %lld ms)",
                  rec_count(REC_TIMER, target_id), at_of(rec_last(REC_TIMER, target_id)));
    vt_run_until_ms(2000);
    ck_assert_msg(rec_count(REC_TIMER, target_id) == nwant,
                  "target timer called %d times, expected %d (last at %lld ms)",
                  rec_count(REC_TIMER, target_id), nwant,
                  at_of(rec_last(REC_TIMER, target_id)));
    for (int k = 0; k < nwant; k++)
        ck_assert_msg(nth_timer_rec(target_id, k)->at_ms == want_at[k],
                      "call %d of the target at %lld ms, expected %lld ms", k + 1,
                      at_of(nth_timer_rec(target_id, k)),
                      (long long)want_at[k]);
    /* 0 set in a callback: the very next iteration, every iteration. */
    for (int k = 2; k <= 3; k++)
        ck_assert_msg(nth_timer_rec(target_id, k)->iter ==
                      nth_timer_rec(target_id, k - 1)->iter + 1,
                      "call %d in iteration %d, the 0 was set in iteration %d",
                      k + 1, nth_timer_rec(target_id, k)->iter,
                      nth_timer_rec(target_id, k - 1)->iter);
    ck_assert_msg(nth_timer_rec(target_id, 6)->iter ==
                  nth_timer_rec(helper, 0)->iter + 1,
                  "enabled with 0 by the helper in iteration %d, fired in %d",
                  nth_timer_rec(helper, 0)->iter, nth_timer_rec(target_id, 6)->iter);
    ck_assert_int_eq(rec_count(REC_TIMER, helper), 3);
}
END_TEST

static int stall_calls;

static void stalling_cb(int timer, void *opaque)
{
    rec_timer_cb(timer, opaque);
    if (stall_calls++ == 0)
        vt_advance_ms(300);            /* the first call "takes" 300 ms */
}

/* R25: a 50 ms timer whose first call (at 50 ms) stalls the loop for 300 ms
 * fires once right after the stall and then every 50 ms, never several
 * times in a row to catch up, because a stalled loop must not replay stale
 * keepalive or retry work.  (Whether the period counts from the dispatch
 * or from the callback's end is open; the reference fires at 350 ms, then
 * 400 ms.) */
START_TEST(no_catch_up_after_stall)
{
    int t, n;
    const struct rec *after;

    stall_calls = 0;
    t = evref_add_timeout(50, stalling_cb, NULL, NULL);
    vt_run_until_ms(600);
    n = rec_count(REC_TIMER, t);
    ck_assert_msg(n >= 1 && nth_timer_rec(t, 0)->at_ms == 50,
                  "first call of a 50 ms timer at %lld ms (%d calls)",
                  at_of(nth_timer_rec(t, 0)), n);
    after = nth_timer_rec(t, 1);
    ck_assert_msg(after && after->at_ms >= 350 && after->at_ms <= 400,
                  "first call after the stall (which ended at 350 ms) at %lld ms",
                  after ? (long long)after->at_ms : -1LL);
    for (int k = 2; k < n; k++) {
        int64_t gap = nth_timer_rec(t, k)->at_ms - nth_timer_rec(t, k - 1)->at_ms;
        ck_assert_msg(gap == 50,
                      "calls %d and %d of a 50 ms timer %lld ms apart (at %lld ms): "
                      "a catch-up burst", k, k + 1, (long long)gap,
                      (long long)nth_timer_rec(t, k)->at_ms);
    }
    ck_assert_msg(n == 6 || n == 7, "%d calls by 600 ms, expected 6 or 7", n);
}
END_TEST

/* R32 (MAY; the reference's choice): timers due at the same instant fire in
 * the order they were armed, which need not be the order of their ids.  The
 * contract leaves the order open; the reference orders its heap by
 * (deadline, arming sequence), so the order is deterministic and this test
 * pins it down. */
START_TEST(same_deadline_fires_in_arming_order)
{
    static const int arm_order[] = { 3, 1, 7, 5, 0, 6, 2, 4 };
    int ids[8];

    for (int i = 0; i < 8; i++)
        ids[i] = evref_add_timeout(-1, rec_timer_cb, TAG(i), NULL);
    vt_run_until_ms(10);
    for (int i = 0; i < 8; i++)
        evref_update_timeout(ids[arm_order[i]], 100);
    vt_run_until_ms(210);
    ck_assert_int_eq(nrecs, 16);
    for (int i = 0; i < 16; i++) {
        int want = ids[arm_order[i % 8]];
        ck_assert_msg(recs[i].id == want && recs[i].at_ms == 110 + 100 * (i / 8),
                      "call %d: timer %d at %lld ms, expected timer %d at %d ms",
                      i, recs[i].id, (long long)recs[i].at_ms, want,
                      110 + 100 * (i / 8));
    }
}
END_TEST

/* Heap check: each timer keeps its own expected next deadline; a call at
 * any other virtual time, or after a remove, is counted as an error. */
#define NHEAP 1000
struct heap_timer {
    int id, period;                    /* period < 0: disabled */
    int64_t next;
    int calls;
    bool removed;
};
static struct heap_timer hts[NHEAP];
static int heap_errors;
static char heap_error[200];

static void heap_cb(int timer, void *opaque)
{
    struct heap_timer *h = opaque;
    int64_t now = vt_now_ms();

    if (timer != h->id || h->removed || h->period < 0 || now != h->next) {
        if (heap_errors++ == 0)
            snprintf(heap_error, sizeof(heap_error),
                     "timer %d (period %d, %s) called at %lld ms, expected at %lld ms",
                     h->id, h->period, h->removed ? "removed" : "live",
                     (long long)now, (long long)h->next);
    }
    h->calls++;
    h->next = now + h->period;
}

static void heap_set(struct heap_timer *h, int period)
{
    evref_update_timeout(h->id, period);
    h->period = period;
    h->next = period < 0 ? INT64_MAX : vt_now_ms() + period;
}

/* Timers and the heap: 1000 timers with deterministic, scattered periods
 * (20-1000 ms) each fire at exactly their own deadlines, so in deadline
 * order (R20, R23); at 1000 ms, timers in the middle of the heap are
 * removed, re-armed with new periods and disabled, at 1500 ms the disabled
 * ones come back: every call still lands on its own deadline, none is
 * missed, none comes after a remove or while disabled (R22, R29).  Why: a
 * heap that loses its order fires timers late or not at all. */
START_TEST(many_timers_fire_in_deadline_order)
{
    heap_errors = 0;
    for (int i = 0; i < NHEAP; i++) {
        struct heap_timer *h = &hts[i];
        *h = (struct heap_timer){ .period = 20 + (i * 7919) % 981 };
        h->id = evref_add_timeout(h->period, heap_cb, h, NULL);
        ck_assert_int_gt(h->id, 0);
        h->next = h->period;
    }
    vt_run_until_ms(1000);
    for (int i = 0; i < NHEAP; i++) {
        struct heap_timer *h = &hts[i];
        if (i % 7 == 3) {
            ck_assert_int_eq(evref_remove_timeout(h->id), 0);
            h->removed = true;
        } else if (i % 5 == 1) {
            heap_set(h, 15 + (i * 31) % 500);
        } else if (i % 11 == 2) {
            heap_set(h, -1);
        }
    }
    vt_run_until_ms(1500);
    for (int i = 0; i < NHEAP; i++)
        if (!hts[i].removed && hts[i].period < 0)
            heap_set(&hts[i], 10 + (i * 13) % 300);
    vt_run_until_ms(3000);
    ck_assert_msg(heap_errors == 0, "%d misplaced calls; first: %s",
                  heap_errors, heap_error);
    for (int i = 0; i < NHEAP; i++) {
        struct heap_timer *h = &hts[i];
        ck_assert_msg(h->removed || h->next > 3000,
                      "timer %d (period %d) missed its deadline at %lld ms",
                      h->id, h->period, (long long)h->next);
    }
}
END_TEST

Suite *timers_suite(void)
{
    Suite *s = suite_create("timers");

    add_test(s, period_measured_from_add);
    add_test(s, never_fires_immediately);
    add_test(s, zero_fires_every_iteration);
    add_test(s, negative_timeouts_disable);
    add_test(s, update_same_value_restarts_period);
    add_test(s, update_to_zero_fires_next_iteration);
    add_test(s, reenable_measures_from_update);
    add_test(s, transitions_from_outside);
    add_test(s, transitions_from_callbacks);
    add_test(s, no_catch_up_after_stall);
    add_test(s, same_deadline_fires_in_arming_order);
    add_test(s, many_timers_fire_in_deadline_order);
    return s;
}
