/*
 * test_free.c - R34-R41: free callbacks.
 */
#include <pthread.h>
#include <time.h>

#include "suites.h"
#include "support.h"

/* Index of the first record matching, or -1. */
static int find_rec(enum rec_kind kind, int id, void *opaque)
{
    for (int i = 0; i < nrecs; i++)
        if (recs[i].kind == kind && (kind == REC_FREE ? recs[i].opaque == opaque
                                                      : recs[i].id == id))
            return i;
    return -1;
}

static int free_iter(void *opaque)
{
    int i = find_rec(REC_FREE, 0, opaque);

    return i < 0 ? -1 : recs[i].iter;
}

static int fds_a[2], fds_b[2];

/* R34, R9: every kind of registration (an enabled watch that fires, a watch
 * never enabled, one toggled 0 <-> WRITABLE, an N ms timer, a timer only ever
 * at -1, one only ever at 0, one toggled -1 <-> 0) gets no free callback
 * while live and exactly one after its remove, however long the loop runs,
 * because libvirt's ffs drop references: a missing one leaks, a second one
 * is a use after free. */
START_TEST(ff_once_and_only_after_remove)
{
    enum { N = 7 };
    int ids[N];
    bool is_timer[N] = { false, false, false, true, true, true, true };

    make_pipe(fds_a);
    write_byte(fds_a[1]);
    ids[0] = evref_add_handle(fds_a[0], VIR_EVENT_HANDLE_READABLE, rec_handle_cb,
                              TAG(0), rec_ff);
    ids[1] = evref_add_handle(fds_a[0], 0, rec_handle_cb, TAG(1), rec_ff);
    ids[2] = evref_add_handle(fds_a[1], VIR_EVENT_HANDLE_WRITABLE, rec_handle_cb,
                              TAG(2), rec_ff);
    ids[3] = evref_add_timeout(30, rec_timer_cb, TAG(3), rec_ff);
    ids[4] = evref_add_timeout(-1, rec_timer_cb, TAG(4), rec_ff);
    ids[5] = evref_add_timeout(0, rec_timer_cb, TAG(5), rec_ff);
    ids[6] = evref_add_timeout(-1, rec_timer_cb, TAG(6), rec_ff);
    for (int i = 0; i < N; i++)
        ck_assert_int_gt(ids[i], 0);

    for (int round = 0; round < 4; round++) {
        evref_update_handle(ids[2], round % 2 ? VIR_EVENT_HANDLE_WRITABLE : 0);
        evref_update_timeout(ids[6], round % 2 ? -1 : 0);
        vt_run(3);
        vt_advance_ms(40);             /* the 0 ms timer keeps the clock still */
    }
    ck_assert_msg(rec_count(REC_HANDLE, ids[0]) > 0 && rec_count(REC_TIMER, ids[3]) > 0
                  && rec_count(REC_TIMER, ids[5]) > 0 && rec_count(REC_TIMER, ids[6]) > 0,
                  "the registrations did not run: %d %d %d %d calls",
                  rec_count(REC_HANDLE, ids[0]), rec_count(REC_TIMER, ids[3]),
                  rec_count(REC_TIMER, ids[5]), rec_count(REC_TIMER, ids[6]));

    /* Remove one at a time: the removed ones have exactly one ff, the
     * others none. */
    for (int r = 0; r < N; r++) {
        int rc = is_timer[r] ? evref_remove_timeout(ids[r]) : evref_remove_handle(ids[r]);
        ck_assert_int_eq(rc, 0);
        vt_run(3);
        for (int i = 0; i < N; i++)
            ck_assert_msg(rec_count_free(TAG(i)) == (i <= r),
                          "after removing %d of %d registrations: registration %d "
                          "(%s %d) has %d free calls, expected %d",
                          r + 1, N, i, is_timer[i] ? "timer" : "handle", ids[i],
                          rec_count_free(TAG(i)), i <= r);
    }
    vt_run(5);
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(rec_count_free(TAG(i)), 1);
}
END_TEST

/* R34, R4: an add that fails (fd -1, no callback, no memory) never leads to
 * a free callback, because libvirt cleans up itself after a failed add and
 * an ff would be a double free. */
START_TEST(no_ff_for_failed_add)
{
    int ok;

    make_pipe(fds_a);
    ck_assert_int_eq(evref_add_handle(-1, VIR_EVENT_HANDLE_READABLE, rec_handle_cb,
                                      TAG(1), rec_ff), -1);
    ck_assert_int_eq(evref_add_handle(fds_a[0], VIR_EVENT_HANDLE_READABLE, NULL,
                                      TAG(2), rec_ff), -1);
    ck_assert_int_eq(evref_add_timeout(10, NULL, TAG(3), rec_ff), -1);
    for (int n = 0; n < 3; n++) {
        alloc_fail_after(n);
        ck_assert_int_eq(evref_add_timeout(-1, rec_timer_cb, TAG(4), rec_ff), -1);
    }
    alloc_fail_after(0);
    ck_assert_int_eq(evref_add_handle(fds_a[0], 0, rec_handle_cb, TAG(5), rec_ff), -1);
    alloc_fail_after(-1);
    /* A successful registration removed beside them: the sweeps run. */
    ok = evref_add_timeout(0, rec_timer_cb, TAG(6), rec_ff);
    vt_run(2);
    ck_assert_int_eq(evref_remove_timeout(ok), 0);
    vt_run(3);
    ck_assert_int_eq(rec_count_free(TAG(6)), 1);
    for (int i = 1; i <= 5; i++)
        ck_assert_msg(rec_count_free(TAG(i)) == 0,
                      "failed add %d: %d free calls, expected none", i,
                      rec_count_free(TAG(i)));
}
END_TEST

static int self_remove_rc;

static void op_self_removing_timer(int timer, void *opaque)
{
    rec_timer_cb(timer, opaque);
    self_remove_rc |= op_remove_timeout(timer);
}

static void op_self_removing_handle(int watch, int fd, int events, void *opaque)
{
    rec_handle_cb(watch, fd, events, opaque);
    self_remove_rc |= op_remove_handle(watch);
}

/* R35: no free callback runs inside remove, add or update, whether remove
 * comes from outside the loop or from a callback, for every kind and state
 * of registration, because libvirt calls remove with the lock its ff takes:
 * an ff from inside remove deadlocks. */
START_TEST(ff_never_inside_operations)
{
    int h_on, h_off, h_self, t_n, t_off, t_self, t_zero;

    make_pipe(fds_a);
    make_pipe(fds_b);
    write_byte(fds_a[1]);
    write_byte(fds_b[1]);
    self_remove_rc = 0;
    h_on = op_add_handle(fds_a[0], VIR_EVENT_HANDLE_READABLE, rec_handle_cb,
                         TAG(1), rec_ff);
    h_off = op_add_handle(fds_a[0], 0, rec_handle_cb, TAG(2), rec_ff);
    h_self = op_add_handle(fds_b[0], VIR_EVENT_HANDLE_READABLE,
                           op_self_removing_handle, TAG(3), rec_ff);
    t_n = op_add_timeout(10, rec_timer_cb, TAG(4), rec_ff);
    t_off = op_add_timeout(-1, rec_timer_cb, TAG(5), rec_ff);
    t_self = op_add_timeout(0, op_self_removing_timer, TAG(6), rec_ff);
    t_zero = op_add_timeout(0, rec_timer_cb, TAG(7), rec_ff);
    vt_run(2);
    op_update_handle(h_on, VIR_EVENT_HANDLE_READABLE | VIR_EVENT_HANDLE_WRITABLE);
    op_update_handle(h_off, 0);
    op_update_timeout(t_n, 0);
    op_update_timeout(t_off, -1);
    op_update_timeout(t_zero, -1);
    ck_assert_int_eq(op_remove_handle(h_on), 0);
    ck_assert_int_eq(op_remove_handle(h_off), 0);
    ck_assert_int_eq(op_remove_timeout(t_n), 0);
    ck_assert_int_eq(op_remove_timeout(t_off), 0);
    ck_assert_int_eq(op_remove_timeout(t_zero), 0);
    /* Updates of removed ids, made while their ff is pending. */
    op_update_handle(h_on, 0);
    op_update_timeout(t_n, 5);
    vt_run(3);
    ck_assert_int_eq(self_remove_rc, 0);
    ck_assert_msg(rec_count_in_op() == 0,
                  "%d calls made inside add/update/remove", rec_count_in_op());
    for (int i = 1; i <= 7; i++)
        ck_assert_msg(rec_count_free(TAG(i)) == 1,
                      "registration %d: %d free calls, expected 1", i,
                      rec_count_free(TAG(i)));
    ck_assert_int_gt(h_self, 0);
    ck_assert_int_gt(t_self, 0);
}
END_TEST

static void *probe_main(void *arg)
{
    (void)arg;
    evref_update_timeout(-1, 0);      /* a no-op that takes the loop's lock */
    return NULL;
}

/* True if another thread can call into the loop now (within 1 s): the
 * loop's lock is not held.  Lets a test see a held lock without
 * deadlocking on it.  After one failure it answers false at once, so that
 * a broken loop fails the test well within Check's timeout. */
static bool probe_failed;

static bool loop_lock_free(void)
{
    pthread_t th;
    struct timespec ts;

    if (probe_failed)
        return false;
    ck_assert_int_eq(pthread_create(&th, NULL, probe_main, NULL), 0);
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 1;
    probe_failed = pthread_timedjoin_np(th, NULL, &ts) != 0;
    return !probe_failed;
}

/* What a free callback of the R36 test does, and what it saw. */
struct ff_ops {
    int own_id;                       /* the ff's own registration */
    bool own_is_timer;
    int add_id;                       /* timer added from the ff */
    int update_id;                    /* timer enabled from the ff */
    int remove_timer_id, remove_handle_id;
    int rc_remove_timer, rc_remove_handle, rc_remove_own;
    int calls;
    bool lock_free;
};

static void ff_calling_ops(void *opaque)
{
    struct ff_ops *o = opaque;

    o->calls++;
    o->lock_free = loop_lock_free();
    if (!o->lock_free)
        return;                       /* calling in now would deadlock */
    o->add_id = evref_add_timeout(0, rec_timer_cb, TAG(20), rec_ff);
    evref_update_timeout(o->update_id, 0);
    o->rc_remove_timer = evref_remove_timeout(o->remove_timer_id);
    o->rc_remove_handle = evref_remove_handle(o->remove_handle_id);
    o->rc_remove_own = o->own_is_timer ? evref_remove_timeout(o->own_id)
                                       : evref_remove_handle(o->own_id);
}

/* R36: a free callback runs on a clean stack, so it may call the loop: the
 * loop's lock is not held (another thread can call in meanwhile), and from
 * a timer's ff and a watch's ff, add (the new timer fires), update (the
 * enabled timer fires), remove of other ids (0, their ffs follow) all work,
 * and remove of its own id returns -1, because ffs drop the last reference
 * and disposal calls back into libvirt and the impl. */
START_TEST(ff_may_call_the_loop)
{
    static struct ff_ops ot, oh;
    make_pipe(fds_a);
    probe_failed = false;
    ot = (struct ff_ops){ .own_is_timer = true, .rc_remove_own = 99 };
    oh = (struct ff_ops){ .own_is_timer = false, .rc_remove_own = 99 };
    ot.own_id = evref_add_timeout(-1, rec_timer_cb, &ot, ff_calling_ops);
    oh.own_id = evref_add_handle(fds_a[0], 0, rec_handle_cb, &oh, ff_calling_ops);
    ot.update_id = evref_add_timeout(-1, rec_timer_cb, TAG(1), rec_ff);
    oh.update_id = evref_add_timeout(-1, rec_timer_cb, TAG(2), rec_ff);
    ot.remove_timer_id = evref_add_timeout(-1, rec_timer_cb, TAG(3), rec_ff);
    oh.remove_timer_id = evref_add_timeout(100, rec_timer_cb, TAG(4), rec_ff);
    ot.remove_handle_id = evref_add_handle(fds_a[0], 0, rec_handle_cb, TAG(5), rec_ff);
    oh.remove_handle_id = evref_add_handle(fds_a[1], VIR_EVENT_HANDLE_WRITABLE,
                                           rec_handle_cb, TAG(6), rec_ff);
    vt_run(1);
    ck_assert_int_eq(evref_remove_timeout(ot.own_id), 0);
    ck_assert_int_eq(evref_remove_handle(oh.own_id), 0);
    vt_run(1);
    ck_assert_msg(ot.calls == 1 && oh.calls == 1,
                  "free callbacks ran %d and %d times, expected once each",
                  ot.calls, oh.calls);
    for (int k = 0; k < 2; k++) {
        struct ff_ops *o = k ? &oh : &ot;
        ck_assert_msg(o->lock_free, "the %s's ff ran with the loop's lock held: "
                      "a call from another thread blocked", k ? "watch" : "timer");
        ck_assert_msg(o->add_id > 0, "add_timeout from an ff returned %d", o->add_id);
        ck_assert_msg(o->rc_remove_timer == 0 && o->rc_remove_handle == 0,
                      "remove from an ff returned %d (timer) and %d (handle), expected 0",
                      o->rc_remove_timer, o->rc_remove_handle);
        ck_assert_msg(o->rc_remove_own == -1,
                      "an ff removing its own %s id got %d, expected -1",
                      o->own_is_timer ? "timer" : "handle", o->rc_remove_own);
    }
    vt_run(2);
    /* The timers added and enabled (at 0) by the ffs fire. */
    ck_assert_int_ge(rec_count(REC_TIMER, ot.add_id), 2);
    ck_assert_int_ge(rec_count(REC_TIMER, oh.add_id), 2);
    ck_assert_int_ge(rec_count(REC_TIMER, ot.update_id), 2);
    ck_assert_int_ge(rec_count(REC_TIMER, oh.update_id), 2);
    for (int i = 3; i <= 6; i++)
        ck_assert_msg(rec_count_free(TAG(i)) == 1,
                      "registration removed by an ff: %d free calls, expected 1",
                      rec_count_free(TAG(i)));
}
END_TEST

static bool in_cb;
static int ff_in_cb, self_rc;

static void guarded_timer_cb(int timer, void *opaque)
{
    in_cb = true;
    rec_timer_cb(timer, opaque);
    self_rc |= evref_remove_timeout(timer);
    rec_timer_cb(timer, opaque);      /* still running after the remove */
    in_cb = false;
}

static void guarded_handle_cb(int watch, int fd, int events, void *opaque)
{
    in_cb = true;
    rec_handle_cb(watch, fd, events, opaque);
    self_rc |= evref_remove_handle(watch);
    rec_handle_cb(watch, fd, events, opaque);
    in_cb = false;
}

static void guarded_ff(void *opaque)
{
    ff_in_cb += in_cb;
    rec_ff(opaque);
}

/* R37: when a callback removes its own registration, the free callback
 * starts only after that callback has returned (its record comes after the
 * callback's last record and it never runs while the callback is on the
 * stack), because ff frees what the callback still uses. */
START_TEST(ff_after_callback_returned)
{
    int t, h, it, ih, ft, fh;

    make_pipe(fds_a);
    write_byte(fds_a[1]);
    in_cb = false;
    ff_in_cb = self_rc = 0;
    t = evref_add_timeout(0, guarded_timer_cb, TAG(1), guarded_ff);
    h = evref_add_handle(fds_a[0], VIR_EVENT_HANDLE_READABLE, guarded_handle_cb,
                         TAG(2), guarded_ff);
    vt_run(3);
    ck_assert_int_eq(self_rc, 0);
    ck_assert_msg(ff_in_cb == 0, "%d free calls ran inside the callback", ff_in_cb);
    ck_assert_int_eq(rec_count(REC_TIMER, t), 2);
    ck_assert_int_eq(rec_count(REC_HANDLE, h), 2);
    it = rec_last(REC_TIMER, t) - recs;
    ih = rec_last(REC_HANDLE, h) - recs;
    ft = find_rec(REC_FREE, 0, TAG(1));
    fh = find_rec(REC_FREE, 0, TAG(2));
    ck_assert_msg(ft > it && fh > ih,
                  "free records at %d and %d, callbacks' last records at %d and %d",
                  ft, fh, it, ih);
    ck_assert_int_eq(rec_count_free(TAG(1)), 1);
    ck_assert_int_eq(rec_count_free(TAG(2)), 1);
}
END_TEST

static int chain_victim;

static void ff_removing_victim(void *opaque)
{
    rec_ff(opaque);
    ck_assert_int_eq(evref_remove_timeout(chain_victim), 0);
}

static int removed_in_cb_iter;

static void removing_cb(int timer, void *opaque)
{
    rec_timer_cb(timer, opaque);
    removed_in_cb_iter = vt_iterations;
    ck_assert_int_eq(evref_remove_timeout(timer), 0);
}

/* R38: free latency is at most 2 iterations: after a remove between
 * iterations, after a remove inside a callback, and for a registration
 * removed by another ff (within the iteration after that ff), also when
 * nothing else is ready, because teardown of libvirt's connections ends
 * only when their ffs have run. */
START_TEST(ff_latency_bounded)
{
    int t, h, before, chain;

    make_pipe(fds_a);
    /* Removed between iterations, nothing ready afterwards. */
    t = evref_add_timeout(50, rec_timer_cb, TAG(1), rec_ff);
    h = evref_add_handle(fds_a[0], VIR_EVENT_HANDLE_READABLE, rec_handle_cb,
                         TAG(2), rec_ff);
    vt_run(1);
    before = vt_iterations;
    ck_assert_int_eq(evref_remove_timeout(t), 0);
    ck_assert_int_eq(evref_remove_handle(h), 0);
    vt_run(2);
    ck_assert_msg(free_iter(TAG(1)) >= before && free_iter(TAG(1)) <= before + 1 &&
                  free_iter(TAG(2)) >= before && free_iter(TAG(2)) <= before + 1,
                  "removed before iteration %d; frees in iterations %d and %d",
                  before, free_iter(TAG(1)), free_iter(TAG(2)));

    /* Removed by its own callback. */
    t = evref_add_timeout(10, removing_cb, TAG(3), rec_ff);
    vt_run(3);
    ck_assert_msg(free_iter(TAG(3)) >= removed_in_cb_iter &&
                  free_iter(TAG(3)) <= removed_in_cb_iter + 1,
                  "removed in iteration %d; freed in iteration %d",
                  removed_in_cb_iter, free_iter(TAG(3)));

    /* An ff that removes another registration. */
    chain_victim = evref_add_timeout(-1, rec_timer_cb, TAG(5), rec_ff);
    chain = evref_add_timeout(-1, rec_timer_cb, TAG(4), ff_removing_victim);
    vt_run(1);
    ck_assert_int_eq(evref_remove_timeout(chain), 0);
    vt_run(3);
    ck_assert_int_eq(rec_count_free(TAG(4)), 1);
    ck_assert_msg(free_iter(TAG(5)) >= free_iter(TAG(4)) &&
                  free_iter(TAG(5)) <= free_iter(TAG(4)) + 1,
                  "an ff in iteration %d removed a timer; its ff in iteration %d",
                  free_iter(TAG(4)), free_iter(TAG(5)));
}
END_TEST

static int null_self_calls;

static void null_self_removing_cb(int timer, void *opaque)
{
    (void)opaque;
    null_self_calls++;
    ck_assert_int_eq(evref_remove_timeout(timer), 0);
}

/* R39: ff == NULL is accepted for both kinds, enabled or not, removed from
 * outside or by the callback itself: nothing is called after the remove and
 * nothing crashes, because libvirt's daemon, netlink and udev code register
 * without a free callback. */
START_TEST(ff_null_accepted)
{
    int h_on, h_off, t_on, t_off, t_self, n;

    make_pipe(fds_a);
    write_byte(fds_a[1]);
    null_self_calls = 0;
    h_on = evref_add_handle(fds_a[0], VIR_EVENT_HANDLE_READABLE, rec_handle_cb,
                            TAG(1), NULL);
    h_off = evref_add_handle(fds_a[0], 0, rec_handle_cb, TAG(2), NULL);
    t_on = evref_add_timeout(0, rec_timer_cb, TAG(3), NULL);
    t_off = evref_add_timeout(-1, rec_timer_cb, TAG(4), NULL);
    t_self = evref_add_timeout(0, null_self_removing_cb, TAG(5), NULL);
    vt_run(2);
    ck_assert_int_eq(null_self_calls, 1);
    ck_assert_int_eq(evref_remove_handle(h_on), 0);
    ck_assert_int_eq(evref_remove_handle(h_off), 0);
    ck_assert_int_eq(evref_remove_timeout(t_on), 0);
    ck_assert_int_eq(evref_remove_timeout(t_off), 0);
    ck_assert_int_eq(evref_remove_timeout(t_self), -1);
    n = nrecs;
    vt_run(3);
    ck_assert_msg(nrecs == n && null_self_calls == 1,
                  "%d calls after remove", nrecs - n + null_self_calls - 1);
}
END_TEST

/* R40: the free callback runs even when opaque is NULL, once per
 * registration of each kind, because an application's ff may release more
 * than opaque. */
START_TEST(ff_called_with_null_opaque)
{
    int h, t;

    make_pipe(fds_a);
    h = evref_add_handle(fds_a[0], VIR_EVENT_HANDLE_READABLE, rec_handle_cb, NULL, rec_ff);
    t = evref_add_timeout(-1, rec_timer_cb, NULL, rec_ff);
    vt_run(1);
    ck_assert_int_eq(evref_remove_handle(h), 0);
    ck_assert_int_eq(evref_remove_timeout(t), 0);
    vt_run(2);
    ck_assert_msg(rec_count_free(NULL) == 2,
                  "ff(NULL) called %d times for 2 removed registrations",
                  rec_count_free(NULL));
}
END_TEST

/* R41 (MAY): frees of different registrations may run in any order; the
 * test only asks that a batch removed together is freed exactly once each,
 * in the same sweep.  The order the reference uses is its own choice and
 * not asserted here: it frees timers first, then handles, each kind in
 * registration (id) order, whatever the order of the removes. */
START_TEST(ff_batch_any_order)
{
    int h[3], t[3], iter;

    make_pipe(fds_a);
    for (int i = 0; i < 3; i++) {
        t[i] = evref_add_timeout(i ? 100 : -1, rec_timer_cb, TAG(10 + i), rec_ff);
        h[i] = evref_add_handle(fds_a[i % 2], i ? 0 : VIR_EVENT_HANDLE_READABLE,
                                rec_handle_cb, TAG(20 + i), rec_ff);
    }
    vt_run(1);
    ck_assert_int_eq(evref_remove_timeout(t[1]), 0);
    ck_assert_int_eq(evref_remove_handle(h[2]), 0);
    ck_assert_int_eq(evref_remove_timeout(t[0]), 0);
    ck_assert_int_eq(evref_remove_handle(h[0]), 0);
    ck_assert_int_eq(evref_remove_timeout(t[2]), 0);
    ck_assert_int_eq(evref_remove_handle(h[1]), 0);
    iter = vt_iterations;
    vt_run(2);
    for (int i = 0; i < 3; i++) {
        ck_assert_msg(rec_count_free(TAG(10 + i)) == 1 && free_iter(TAG(10 + i)) == iter,
                      "timer %d: %d frees, in iteration %d (batch removed before %d)",
                      t[i], rec_count_free(TAG(10 + i)), free_iter(TAG(10 + i)), iter);
        ck_assert_msg(rec_count_free(TAG(20 + i)) == 1 && free_iter(TAG(20 + i)) == iter,
                      "handle %d: %d frees, in iteration %d (batch removed before %d)",
                      h[i], rec_count_free(TAG(20 + i)), free_iter(TAG(20 + i)), iter);
    }
}
END_TEST

Suite *free_suite(void)
{
    Suite *s = suite_create("free");

    add_test(s, ff_once_and_only_after_remove);
    add_test(s, no_ff_for_failed_add);
    add_test(s, ff_never_inside_operations);
    add_test(s, ff_may_call_the_loop);
    add_test(s, ff_after_callback_returned);
    add_test(s, ff_latency_bounded);
    add_test(s, ff_null_accepted);
    add_test(s, ff_called_with_null_opaque);
    add_test(s, ff_batch_any_order);
    return s;
}
