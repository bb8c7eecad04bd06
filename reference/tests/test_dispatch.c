/*
 * test_dispatch.c - R27-R33: what callbacks may do during dispatch, and what
 * the loop must make of it.
 */
#include <stdio.h>
#include <unistd.h>

#include "suites.h"
#include "support.h"

#define RD VIR_EVENT_HANDLE_READABLE

/* The index n of an opaque made with TAG(n). */
static int tag_index(void *opaque)
{
    return (int)((intptr_t)opaque - (intptr_t)TAG(0));
}

/* Calls of kind for id recorded in iteration iter. */
static int calls_in_iter(enum rec_kind kind, int id, int iter)
{
    int n = 0;

    for (int i = 0; i < nrecs; i++)
        n += recs[i].kind == kind && recs[i].id == id && recs[i].iter == iter;
    return n;
}

/* A pipe with a byte in it that nobody reads: readable for good. */
static void make_ready_pipe(int p[2])
{
    make_pipe(p);
    write_byte(p[1]);
}

static void close_pair(int p[2])
{
    ck_assert_int_eq(close(p[0]), 0);
    ck_assert_int_eq(close(p[1]), 0);
}

/* ------------------------------------------------------------------ R27 */

static int r27_fd, r27_self_calls, r27_added_t, r27_added_h, r27_parked_h;

/* Changes registrations, its own included, through the marked wrappers: a
 * callback made synchronously by any of them is recorded as in_op. */
static void r27_timer_cb(int timer, void *opaque)
{
    rec_timer_cb(timer, opaque);
    if (r27_self_calls++)
        return;
    op_update_timeout(timer, 0);
    r27_added_t = op_add_timeout(0, rec_timer_cb, TAG(20), rec_ff);
    r27_added_h = op_add_handle(r27_fd, RD, rec_handle_cb, TAG(21), rec_ff);
    op_update_handle(r27_parked_h, RD);
}

/* R27: no callback runs synchronously inside add, update or remove: not for
 * add of a 0 timer, update of a timer to 0, add of a watch on a ready fd,
 * enabling a watch on a ready fd, nor for the same calls made from inside a
 * callback; the registrations do fire in the next iteration.  Why: libvirt
 * holds the object lock around these calls that the callback takes: a
 * synchronous call deadlocks. */
START_TEST(no_callback_inside_operations)
{
    int p[2], t0, tu, h, hu;

    make_ready_pipe(p);
    r27_fd = p[0];
    r27_self_calls = 0;
    t0 = op_add_timeout(0, rec_timer_cb, TAG(1), rec_ff);
    ck_assert_msg(nrecs == 0, "add(0): %d calls made inside add", nrecs);
    tu = op_add_timeout(-1, rec_timer_cb, TAG(2), rec_ff);
    op_update_timeout(tu, 0);
    ck_assert_msg(nrecs == 0, "update(t, 0): %d calls made inside update", nrecs);
    h = op_add_handle(p[0], RD, rec_handle_cb, TAG(3), rec_ff);
    ck_assert_msg(nrecs == 0, "add on a ready fd: %d calls made inside add", nrecs);
    hu = op_add_handle(p[0], 0, rec_handle_cb, TAG(4), rec_ff);
    op_update_handle(hu, RD);
    ck_assert_msg(nrecs == 0, "update(h, READABLE) on a ready fd: %d calls "
                  "made inside update", nrecs);
    r27_parked_h = op_add_handle(p[0], 0, rec_handle_cb, TAG(5), rec_ff);
    op_add_timeout(0, r27_timer_cb, TAG(6), rec_ff);

    vt_run(2);
    ck_assert_msg(rec_count_in_op() == 0,
                  "%d callbacks ran inside an add/update/remove", rec_count_in_op());
    ck_assert_int_eq(rec_count(REC_TIMER, t0), 2);
    ck_assert_int_eq(rec_count(REC_TIMER, tu), 2);
    ck_assert_int_eq(rec_count(REC_HANDLE, h), 2);
    ck_assert_int_eq(rec_count(REC_HANDLE, hu), 2);
    ck_assert_int_eq(calls_in_iter(REC_TIMER, r27_added_t, 1), 1);
    ck_assert_int_eq(calls_in_iter(REC_HANDLE, r27_added_h, 1), 1);
    ck_assert_int_eq(calls_in_iter(REC_HANDLE, r27_parked_h, 1), 1);

    ck_assert_int_eq(op_remove_timeout(t0), 0);
    ck_assert_int_eq(op_remove_timeout(tu), 0);
    ck_assert_int_eq(op_remove_handle(h), 0);
    ck_assert_int_eq(op_remove_handle(hu), 0);
    vt_run(1);
    ck_assert_msg(rec_count_in_op() == 0,
                  "%d callbacks ran inside an add/update/remove", rec_count_in_op());
    ck_assert_int_eq(rec_count_free(TAG(1)), 1);
    ck_assert_int_eq(rec_count_free(TAG(3)), 1);
    close_pair(p);
}
END_TEST

/* ------------------------------------------------------------------ R28 */

static int r28_calls, r28_rc_first, r28_rc_again;

/* Call 1: disable itself.  Call 2 (after the test re-enabled it): set the
 * same events again.  Call 3: remove itself, twice. */
static void r28_handle_cb(int watch, int fd, int events, void *opaque)
{
    rec_handle_cb(watch, fd, events, opaque);
    switch (++r28_calls) {
    case 1:
        evref_update_handle(watch, 0);
        break;
    case 2:
        evref_update_handle(watch, RD);
        break;
    case 3:
        r28_rc_first = evref_remove_handle(watch);
        r28_rc_again = evref_remove_handle(watch);
        break;
    }
}

/* R28: a watch's callback may update and remove its own watch: disabled by
 * itself it falls silent, re-set to the same events it keeps firing, removed
 * by itself remove returns 0 then -1, no call follows and ff runs once.  Why:
 * libvirt's client handler updates its own watch and removes it on close. */
START_TEST(handle_callback_changes_itself)
{
    int p[2], w;

    r28_calls = 0;
    r28_rc_first = r28_rc_again = 99;
    make_ready_pipe(p);
    w = evref_add_handle(p[0], RD, r28_handle_cb, TAG(1), rec_ff);
    vt_run(3);
    ck_assert_msg(rec_count(REC_HANDLE, w) == 1,
                  "disabled by itself: expected 1 call, got %d",
                  rec_count(REC_HANDLE, w));
    evref_update_handle(w, RD);
    vt_run(2);
    ck_assert_msg(rec_count(REC_HANDLE, w) == 3,
                  "re-enabled: expected 3 calls, got %d", rec_count(REC_HANDLE, w));
    ck_assert_int_eq(r28_rc_first, 0);
    ck_assert_int_eq(r28_rc_again, -1);
    vt_run(3);
    ck_assert_msg(rec_count(REC_HANDLE, w) == 3,
                  "removed by itself: expected to stay at 3 calls, got %d",
                  rec_count(REC_HANDLE, w));
    ck_assert_int_eq(rec_count_free(TAG(1)), 1);
    close_pair(p);
}
END_TEST

/* Call 1: re-arm itself at 50 ms.  Call 2: disable itself.  Call 3 (after
 * the test set it to 0): set itself to 0 and remove itself, twice. */
static void r28_timer_cb(int timer, void *opaque)
{
    rec_timer_cb(timer, opaque);
    switch (++r28_calls) {
    case 1:
        evref_update_timeout(timer, 50);
        break;
    case 2:
        evref_update_timeout(timer, -1);
        break;
    case 3:
        evref_update_timeout(timer, 0);
        r28_rc_first = evref_remove_timeout(timer);
        r28_rc_again = evref_remove_timeout(timer);
        break;
    }
}

/* R28: a timer's callback may update and remove its own timer: 0 → 50 from
 * inside fires 50 ms later, → -1 from inside stops it, removal from inside
 * returns 0 then -1, nothing fires after it and ff runs once.  Why: the
 * event-state flush disables its own timer; keepalive re-arms its own. */
START_TEST(timer_callback_changes_itself)
{
    int t;

    r28_calls = 0;
    r28_rc_first = r28_rc_again = 99;
    t = evref_add_timeout(0, r28_timer_cb, TAG(1), rec_ff);
    vt_run_until_ms(500);
    ck_assert_msg(rec_count(REC_TIMER, t) == 2,
                  "expected 2 fires (0 ms, then 50 ms) before disabling itself, "
                  "got %d", rec_count(REC_TIMER, t));
    ck_assert_msg(rec_last(REC_TIMER, t)->at_ms == 50,
                  "second fire: expected at 50 ms, got %lld ms",
                  (long long)rec_last(REC_TIMER, t)->at_ms);
    evref_update_timeout(t, 0);
    vt_run_until_ms(1000);
    ck_assert_int_eq(r28_rc_first, 0);
    ck_assert_int_eq(r28_rc_again, -1);
    ck_assert_msg(rec_count(REC_TIMER, t) == 3,
                  "removed by itself: expected to stay at 3 fires, got %d",
                  rec_count(REC_TIMER, t));
    ck_assert_int_eq(rec_count_free(TAG(1)), 1);
}
END_TEST

/*
 * Churn: every callback makes one random change to a random registration,
 * itself included, while a model keeps what the contract allows.  All
 * handles watch one fd that stays readable and all enabled timers are at 0,
 * so every enabled registration is due in every iteration.
 */
#define CHURN_MAX 4096
#define CHURN_LIVE_MAX 24
#define CHURN_ITERATIONS 200

struct churn_reg {
    bool is_timer;
    int id;
    bool live, enabled;
    int added_iter;         /* iteration in which it was added or enabled */
    int disabled_iter;      /* iteration in which it was last disabled */
    int removed_iter;       /* iteration in which remove returned 0 */
    int calls, frees, calls_before;
    bool due_before;        /* live and enabled when the iteration started */
};

static struct churn_reg churn[CHURN_MAX];
static int nchurn, churn_fd, churn_bad;
static uint32_t churn_rng;
static char churn_why[200];

static uint32_t churn_random(void)
{
    churn_rng ^= churn_rng << 13;
    churn_rng ^= churn_rng >> 17;
    churn_rng ^= churn_rng << 5;
    return churn_rng;
}

static void churn_fail(const char *why, const struct churn_reg *r)
{
    if (!churn_bad++)
        snprintf(churn_why, sizeof(churn_why),
                 "%s: %s %d in iteration %d (live %d, enabled %d, enabled in "
                 "iteration %d)", why, r->is_timer ? "timer" : "watch", r->id,
                 vt_iterations, r->live, r->enabled, r->added_iter);
}

static void churn_handle_cb(int watch, int fd, int events, void *opaque);
static void churn_timer_cb(int timer, void *opaque);

static void churn_ff(void *opaque)
{
    struct churn_reg *r = opaque;

    rec_ff(opaque);
    if (r->live)
        churn_fail("ff for a live registration", r);
    if (++r->frees > 1)
        churn_fail("second ff", r);
}

/* Add a registration, from a callback (in_dispatch) or from the test. */
static void churn_add(bool is_timer, bool enabled, bool in_dispatch)
{
    struct churn_reg *r;
    int iter = in_dispatch ? vt_iterations : vt_iterations - 1;

    if (nchurn == CHURN_MAX)
        return;
    r = &churn[nchurn];
    *r = (struct churn_reg){ .is_timer = is_timer, .live = true,
                             .enabled = enabled, .added_iter = iter,
                             .disabled_iter = iter };
    if (is_timer)
        r->id = evref_add_timeout(enabled ? 0 : -1, churn_timer_cb, r, churn_ff);
    else
        r->id = evref_add_handle(churn_fd, enabled ? RD : 0, churn_handle_cb,
                                 r, churn_ff);
    if (r->id <= 0)
        churn_fail("add failed", r);
    nchurn++;
}

/* A random registration that satisfies want(), or NULL. */
static struct churn_reg *churn_pick(bool (*want)(const struct churn_reg *))
{
    int n = 0, k;

    for (int i = 0; i < nchurn; i++)
        n += want(&churn[i]);
    if (!n)
        return NULL;
    k = (int)(churn_random() % (uint32_t)n);
    for (int i = 0; i < nchurn; i++)
        if (want(&churn[i]) && k-- == 0)
            return &churn[i];
    return NULL;
}

static bool is_live(const struct churn_reg *r) { return r->live; }
static bool is_dead(const struct churn_reg *r) { return !r->live; }
static bool is_enabled(const struct churn_reg *r) { return r->live && r->enabled; }
/* Disabled in an earlier iteration.  A registration disabled and enabled
 * again within one iteration's dispatch is left out of the churn: the model
 * would have to decide whether it may still run in that iteration, and
 * disabled_during_dispatch_not_called covers disabling on its own. */
static bool is_parked(const struct churn_reg *r)
{
    return r->live && !r->enabled && r->disabled_iter < vt_iterations;
}

static int churn_live(void)
{
    int n = 0;

    for (int i = 0; i < nchurn; i++)
        n += churn[i].live;
    return n;
}

static void churn_step(void)
{
    struct churn_reg *r;
    int rc;

    /* Weighted so that the population neither dies out nor explodes. */
    static const int ops[10] = { 0, 0, 0, 1, 1, 2, 2, 3, 3, 4 };

    switch (ops[churn_random() % 10]) {
    case 0:                                     /* add */
        if (churn_live() < CHURN_LIVE_MAX)
            churn_add(churn_random() & 1, churn_random() % 4 != 0, true);
        break;
    case 1:                                     /* remove */
        if ((r = churn_pick(is_live))) {
            rc = r->is_timer ? evref_remove_timeout(r->id)
                             : evref_remove_handle(r->id);
            if (rc != 0)
                churn_fail("remove of a live registration did not return 0", r);
            r->live = false;
            r->removed_iter = vt_iterations;
        }
        break;
    case 2:                                     /* disable */
        if ((r = churn_pick(is_enabled))) {
            if (r->is_timer)
                evref_update_timeout(r->id, -1);
            else
                evref_update_handle(r->id, 0);
            r->enabled = false;
            r->disabled_iter = vt_iterations;
        }
        break;
    case 3:                                     /* enable */
        if ((r = churn_pick(is_parked))) {
            if (r->is_timer)
                evref_update_timeout(r->id, 0);
            else
                evref_update_handle(r->id, RD);
            r->enabled = true;
            r->added_iter = vt_iterations;
        }
        break;
    case 4:                                     /* poke a removed one */
        if ((r = churn_pick(is_dead))) {
            if (r->is_timer) {
                evref_update_timeout(r->id, 0);
                rc = evref_remove_timeout(r->id);
            } else {
                evref_update_handle(r->id, RD);
                rc = evref_remove_handle(r->id);
            }
            if (rc != -1)
                churn_fail("remove of a removed registration did not return -1", r);
        }
        break;
    }
}

static void churn_called(struct churn_reg *r, int id)
{
    if (id != r->id)
        churn_fail("called with another registration's id", r);
    else if (!r->live)
        churn_fail("called after remove returned", r);
    else if (!r->enabled)
        churn_fail("called while disabled", r);
    else if (r->added_iter >= vt_iterations)
        churn_fail("called in the iteration that added or enabled it", r);
    r->calls++;
    churn_step();
}

static void churn_handle_cb(int watch, int fd, int events, void *opaque)
{
    rec_handle_cb(watch, fd, events, opaque);
    if (fd != churn_fd || events != RD)
        churn_fail("wrong fd or mask", opaque);
    churn_called(opaque, watch);
}

static void churn_timer_cb(int timer, void *opaque)
{
    rec_timer_cb(timer, opaque);
    churn_called(opaque, timer);
}

/* R28 (with R29, R30, R31): for 200 iterations, each callback adds, removes,
 * disables or enables a random registration (itself included) or pokes a
 * removed one.  Expected: no crash or corruption; nothing runs after its
 * remove returned, while disabled, or in the iteration that added or enabled
 * it; whatever stayed due through an iteration ran exactly once in it; every
 * removed registration gets exactly one ff, by the next iteration, and no
 * live one gets any.  Why: libvirt's callbacks change registrations all the
 * time, and a table iterated while it changes crashes, skips or doubles. */
START_TEST(callbacks_change_anything)
{
    int p[2], total_calls = 0, max_live = 0;

    make_ready_pipe(p);
    churn_fd = p[0];
    churn_rng = 0x9e3779b9u;
    churn_bad = 0;
    nchurn = 0;
    for (int i = 0; i < 12; i++)
        churn_add(i % 2, true, false);
    for (int it = 0; it < CHURN_ITERATIONS && !churn_bad; it++) {
        for (int i = 0; i < nchurn; i++) {
            churn[i].calls_before = churn[i].calls;
            churn[i].due_before = churn[i].live && churn[i].enabled;
        }
        vt_run_once();
        ck_assert_msg(rec_count_in_op() == 0, "a callback ran inside an operation");
        rec_reset();
        for (int i = 0; i < nchurn && !churn_bad; i++) {
            struct churn_reg *r = &churn[i];
            int delta = r->calls - r->calls_before;

            if (r->due_before && r->live && r->enabled && delta != 1)
                churn_fail("due through the iteration, not called exactly once", r);
            else if (!r->due_before && delta != 0)
                churn_fail("not due at the start of the iteration, yet called", r);
            else if (delta > 1)
                churn_fail("called more than once in one iteration", r);
            /* Removed in an earlier iteration: its ff has run (R38). */
            if (!r->live && r->removed_iter < it && r->frees != 1)
                churn_fail("no ff by the iteration after remove", r);
        }
        if (churn_live() > max_live)
            max_live = churn_live();
        ck_assert_msg(!churn_bad, "%s", churn_why);
    }
    ck_assert_msg(!churn_bad, "%s", churn_why);
    for (int i = 0; i < nchurn; i++) {
        total_calls += churn[i].calls;
        if (churn[i].live) {
            int rc = churn[i].is_timer ? evref_remove_timeout(churn[i].id)
                                       : evref_remove_handle(churn[i].id);
            ck_assert_int_eq(rc, 0);
            churn[i].live = false;
        }
    }
    vt_run(2);
    ck_assert_msg(!churn_bad, "%s", churn_why);
    for (int i = 0; i < nchurn; i++)
        ck_assert_msg(churn[i].frees == 1, "%s %d: expected 1 ff, got %d",
                      churn[i].is_timer ? "timer" : "watch", churn[i].id,
                      churn[i].frees);
    /* The run did exercise something. */
    ck_assert_msg(nchurn > 250 && total_calls > 1200 && max_live >= 20,
                  "too little churn: %d registrations, %d calls, %d live at most",
                  nchurn, total_calls, max_live);
    close_pair(p);
}
END_TEST

/* ------------------------------------------------------------------ R29 */

/* Two registrations of one kind; whichever is called first removes the
 * other, as dispatch order is left open (R32). */
static int pair_ids[2], pair_rc, pair_remover;

static void pair_remove_other(int me, bool timers)
{
    int other = 1 - me;

    if (pair_remover >= 0)
        return;
    pair_remover = me;
    pair_rc = timers ? evref_remove_timeout(pair_ids[other])
                     : evref_remove_handle(pair_ids[other]);
}

static void pair_handle_cb(int watch, int fd, int events, void *opaque)
{
    rec_handle_cb(watch, fd, events, opaque);
    pair_remove_other(tag_index(opaque), false);
}

static void pair_timer_cb(int timer, void *opaque)
{
    rec_timer_cb(timer, opaque);
    pair_remove_other(tag_index(opaque), true);
}

static void pair_reset(void)
{
    pair_ids[0] = pair_ids[1] = 0;
    pair_rc = 99;
    pair_remover = -1;
}

/* Exactly one of the pair ran in the first iteration that called any, the
 * other never runs, the survivor keeps running, and the removed one got its
 * ff once. */
static void pair_check(enum rec_kind kind, int first_iter, int survivor_calls)
{
    int me, other;

    ck_assert_msg(pair_remover >= 0, "neither registration was called");
    me = pair_remover;
    other = 1 - me;
    ck_assert_int_eq(pair_rc, 0);
    ck_assert_msg(calls_in_iter(kind, pair_ids[0], first_iter) +
                  calls_in_iter(kind, pair_ids[1], first_iter) == 1,
                  "expected exactly one of the two to run in iteration %d, "
                  "got %d and %d", first_iter,
                  calls_in_iter(kind, pair_ids[0], first_iter),
                  calls_in_iter(kind, pair_ids[1], first_iter));
    ck_assert_msg(rec_count(kind, pair_ids[other]) == 0,
                  "id %d ran %d times after remove(%d) returned 0",
                  pair_ids[other], rec_count(kind, pair_ids[other]),
                  pair_ids[other]);
    ck_assert_msg(rec_count(kind, pair_ids[me]) == survivor_calls,
                  "the survivor %d: expected %d calls, got %d", pair_ids[me],
                  survivor_calls, rec_count(kind, pair_ids[me]));
    ck_assert_int_eq(rec_count_free(TAG(other)), 1);
    ck_assert_int_eq(rec_count_free(TAG(me)), 0);
}

/* R29 (a): two readable watches, the first to be called removes the other:
 * exactly one runs in that iteration, the removed one never.  Why: after
 * remove libvirt treats the registration as gone and frees what the callback
 * uses. */
START_TEST(removed_ready_watch_not_called)
{
    int p[2], q[2];

    pair_reset();
    make_ready_pipe(p);
    make_ready_pipe(q);
    pair_ids[0] = evref_add_handle(p[0], RD, pair_handle_cb, TAG(0), rec_ff);
    pair_ids[1] = evref_add_handle(q[0], RD, pair_handle_cb, TAG(1), rec_ff);
    vt_run(3);
    pair_check(REC_HANDLE, 0, 3);
    close_pair(p);
    close_pair(q);
}
END_TEST

/* R29 (b): two 50 ms timers due in the same iteration, the first to fire
 * removes the other: exactly one fires, the removed one never.  Why: as for
 * watches; libvirt's eventtest checks exactly this. */
START_TEST(removed_due_timer_not_called)
{
    pair_reset();
    pair_ids[0] = evref_add_timeout(50, pair_timer_cb, TAG(0), rec_ff);
    pair_ids[1] = evref_add_timeout(50, pair_timer_cb, TAG(1), rec_ff);
    vt_run_until_ms(50);
    ck_assert_msg(pair_remover >= 0, "nothing fired by 50 ms");
    vt_run_until_ms(200);
    pair_check(REC_TIMER, recs[0].iter, 4);
}
END_TEST

/* R29 (c): two 0 timers, the first to fire removes the other: exactly one
 * fires, the removed one never.  Why: as for watches. */
START_TEST(removed_zero_timer_not_called)
{
    pair_reset();
    pair_ids[0] = evref_add_timeout(0, pair_timer_cb, TAG(0), rec_ff);
    pair_ids[1] = evref_add_timeout(0, pair_timer_cb, TAG(1), rec_ff);
    vt_run(3);
    pair_check(REC_TIMER, 0, 3);
}
END_TEST

/* R29 (d): a 0 timer removed before the first iteration never fires, and its
 * ff runs once.  Why: a 0 timer is due at once, but remove has returned. */
START_TEST(zero_timer_removed_before_first_iteration)
{
    int t = evref_add_timeout(0, rec_timer_cb, TAG(1), rec_ff);

    ck_assert_int_eq(evref_remove_timeout(t), 0);
    vt_run(3);
    ck_assert_msg(rec_count(REC_TIMER, t) == 0,
                  "removed 0 timer: expected no fire, got %d",
                  rec_count(REC_TIMER, t));
    ck_assert_int_eq(rec_count_free(TAG(1)), 1);
}
END_TEST

static int self_rc;

static void self_removing_handle_cb(int watch, int fd, int events, void *opaque)
{
    rec_handle_cb(watch, fd, events, opaque);
    self_rc = evref_remove_handle(watch);
}

static void self_removing_timer_cb(int timer, void *opaque)
{
    rec_timer_cb(timer, opaque);
    self_rc = evref_remove_timeout(timer);
}

/* R29 (e): a watch whose callback removes it while its fd stays readable,
 * and a 0 timer that removes itself, each run exactly once; ff once.  Why:
 * libvirt's client handler removes its own watch on close and frees its
 * state in ff; one more call would use freed memory. */
START_TEST(self_removed_not_called_again)
{
    int p[2], w, t;

    make_ready_pipe(p);
    self_rc = 99;
    w = evref_add_handle(p[0], RD, self_removing_handle_cb, TAG(1), rec_ff);
    vt_run(4);
    ck_assert_int_eq(self_rc, 0);
    ck_assert_msg(rec_count(REC_HANDLE, w) == 1,
                  "watch removed by its own callback, fd still readable: "
                  "expected 1 call, got %d", rec_count(REC_HANDLE, w));
    ck_assert_int_eq(rec_count_free(TAG(1)), 1);

    self_rc = 99;
    t = evref_add_timeout(0, self_removing_timer_cb, TAG(2), rec_ff);
    vt_run(4);
    ck_assert_int_eq(self_rc, 0);
    ck_assert_msg(rec_count(REC_TIMER, t) == 1,
                  "0 timer removed by its own callback: expected 1 fire, got %d",
                  rec_count(REC_TIMER, t));
    ck_assert_int_eq(rec_count_free(TAG(2)), 1);
    close_pair(p);
}
END_TEST

/* ------------------------------------------------------------------ R30 */

/* Registrations a callback brings in: n added timer, w added watch, e timer
 * enabled (-1 → 0), d watch enabled (0 → READABLE). */
struct r30_set { int n, w, e, d; };
static struct r30_set r30_sets[2];
static int r30_fd, r30_fired[2];

static void r30_bring_in(int k)
{
    struct r30_set *s = &r30_sets[k];

    if (r30_fired[k]++)
        return;
    s->n = evref_add_timeout(0, rec_timer_cb, TAG(10 * k + 1), NULL);
    s->w = evref_add_handle(r30_fd, RD, rec_handle_cb, TAG(10 * k + 2), NULL);
    evref_update_timeout(s->e, 0);
    evref_update_handle(s->d, RD);
}

static void r30_timer_cb(int timer, void *opaque)
{
    rec_timer_cb(timer, opaque);
    r30_bring_in(0);
}

static void r30_handle_cb(int watch, int fd, int events, void *opaque)
{
    rec_handle_cb(watch, fd, events, opaque);
    r30_bring_in(1);
}

/* R30: a timer callback and a watch callback each add a 0 timer and a watch
 * on a readable fd, and enable a disabled timer (→ 0) and a disabled watch
 * on that fd: none of the eight runs in that iteration; each runs once in
 * the next.  Why: else a callback that keeps adding ready work never lets
 * the iteration end. */
START_TEST(added_or_enabled_during_dispatch_runs_next_iteration)
{
    int p[2], t, h;

    make_ready_pipe(p);
    r30_fd = p[0];
    r30_fired[0] = r30_fired[1] = 0;
    for (int k = 0; k < 2; k++) {
        r30_sets[k].e = evref_add_timeout(-1, rec_timer_cb, TAG(10 * k + 3), NULL);
        r30_sets[k].d = evref_add_handle(p[0], 0, rec_handle_cb, TAG(10 * k + 4),
                                         NULL);
    }
    t = evref_add_timeout(0, r30_timer_cb, TAG(0), NULL);
    h = evref_add_handle(p[0], RD, r30_handle_cb, TAG(5), NULL);
    vt_run_once();
    ck_assert_int_eq(rec_count(REC_TIMER, t), 1);
    ck_assert_int_eq(rec_count(REC_HANDLE, h), 1);
    for (int k = 0; k < 2; k++) {
        const struct r30_set *s = &r30_sets[k];

        ck_assert_msg(rec_count(REC_TIMER, s->n) == 0 &&
                      rec_count(REC_HANDLE, s->w) == 0 &&
                      rec_count(REC_TIMER, s->e) == 0 &&
                      rec_count(REC_HANDLE, s->d) == 0,
                      "brought in by the %s callback: expected no call in the "
                      "same iteration, got added timer %d, added watch %d, "
                      "enabled timer %d, enabled watch %d",
                      k ? "watch" : "timer", rec_count(REC_TIMER, s->n),
                      rec_count(REC_HANDLE, s->w), rec_count(REC_TIMER, s->e),
                      rec_count(REC_HANDLE, s->d));
    }
    vt_run_once();
    for (int k = 0; k < 2; k++) {
        const struct r30_set *s = &r30_sets[k];

        ck_assert_msg(calls_in_iter(REC_TIMER, s->n, 1) == 1 &&
                      calls_in_iter(REC_HANDLE, s->w, 1) == 1 &&
                      calls_in_iter(REC_TIMER, s->e, 1) == 1 &&
                      calls_in_iter(REC_HANDLE, s->d, 1) == 1,
                      "brought in by the %s callback: expected one call each "
                      "in the next iteration, got added timer %d, added watch "
                      "%d, enabled timer %d, enabled watch %d",
                      k ? "watch" : "timer",
                      calls_in_iter(REC_TIMER, s->n, 1),
                      calls_in_iter(REC_HANDLE, s->w, 1),
                      calls_in_iter(REC_TIMER, s->e, 1),
                      calls_in_iter(REC_HANDLE, s->d, 1));
    }
    close_pair(p);
}
END_TEST

/* ------------------------------------------------------------------ R31 */

/* Two watches and two timers; the first of each kind to be called disables
 * the other of its kind. */
static int dis_w[2], dis_t[2], dis_first_w, dis_first_t;

static void dis_handle_cb(int watch, int fd, int events, void *opaque)
{
    rec_handle_cb(watch, fd, events, opaque);
    if (dis_first_w < 0) {
        dis_first_w = tag_index(opaque);
        evref_update_handle(dis_w[1 - dis_first_w], 0);
    }
}

static void dis_timer_cb(int timer, void *opaque)
{
    rec_timer_cb(timer, opaque);
    if (dis_first_t < 0) {
        dis_first_t = tag_index(opaque) - 2;
        evref_update_timeout(dis_t[1 - dis_first_t], -1);
    }
}

/* R31: two readable watches and two 0 timers; the first of each kind to run
 * sets the other to events 0 / timeout -1: the disabled one is not called in
 * that iteration nor while disabled, and is called again in the iteration
 * after it is re-enabled.  Why: libvirt disables rather than removes while
 * not interested (event-state flush, stream timer, closing client). */
START_TEST(disabled_during_dispatch_not_called)
{
    int p[2], q[2], ow, ot;

    make_ready_pipe(p);
    make_ready_pipe(q);
    dis_first_w = dis_first_t = -1;
    dis_w[0] = evref_add_handle(p[0], RD, dis_handle_cb, TAG(0), NULL);
    dis_w[1] = evref_add_handle(q[0], RD, dis_handle_cb, TAG(1), NULL);
    dis_t[0] = evref_add_timeout(0, dis_timer_cb, TAG(2), NULL);
    dis_t[1] = evref_add_timeout(0, dis_timer_cb, TAG(3), NULL);
    vt_run(3);
    ck_assert_msg(dis_first_w >= 0 && dis_first_t >= 0, "nothing was called");
    ow = dis_w[1 - dis_first_w];
    ot = dis_t[1 - dis_first_t];
    ck_assert_msg(rec_count(REC_HANDLE, ow) == 0,
                  "watch %d, disabled by the first watch callback: expected no "
                  "call, got %d", ow, rec_count(REC_HANDLE, ow));
    ck_assert_msg(rec_count(REC_TIMER, ot) == 0,
                  "timer %d, disabled by the first timer callback: expected no "
                  "fire, got %d", ot, rec_count(REC_TIMER, ot));
    ck_assert_int_eq(rec_count(REC_HANDLE, dis_w[dis_first_w]), 3);
    ck_assert_int_eq(rec_count(REC_TIMER, dis_t[dis_first_t]), 3);

    evref_update_handle(ow, RD);
    evref_update_timeout(ot, 0);
    vt_run_once();
    ck_assert_msg(calls_in_iter(REC_HANDLE, ow, 3) == 1,
                  "watch %d re-enabled: expected 1 call, got %d", ow,
                  calls_in_iter(REC_HANDLE, ow, 3));
    ck_assert_msg(calls_in_iter(REC_TIMER, ot, 3) == 1,
                  "timer %d re-enabled: expected 1 fire, got %d", ot,
                  calls_in_iter(REC_TIMER, ot, 3));
    close_pair(p);
    close_pair(q);
}
END_TEST

/* ------------------------------------------------------------------ R33 */

/* A 0 timer whose callback takes 10 ms (virtual). */
static void slow_zero_cb(int timer, void *opaque)
{
    rec_timer_cb(timer, opaque);
    vt_advance_ms(10);
}

/* R33: with a 0 timer that is due in every iteration (and takes 10 ms), a
 * removed timer and a removed watch get their ff within 2 iterations, and a
 * 50 ms timer keeps firing about every 50 ms.  Why: libvirt's stream timer
 * sits at 0 through a whole upload while other connections close and are
 * released only by their ff. */
START_TEST(no_starvation_by_zero_timer)
{
    int p[2], z, x, h, per, iter, n = 0;
    int64_t prev = 0;

    make_pipe(p);
    z = evref_add_timeout(0, slow_zero_cb, TAG(0), NULL);
    per = evref_add_timeout(50, rec_timer_cb, TAG(1), NULL);
    x = evref_add_timeout(1000, rec_timer_cb, TAG(2), rec_ff);
    h = evref_add_handle(p[0], RD, rec_handle_cb, TAG(3), rec_ff);
    vt_run(2);
    ck_assert_int_eq(evref_remove_timeout(x), 0);
    ck_assert_int_eq(evref_remove_handle(h), 0);
    iter = vt_iterations;
    vt_run(2);
    ck_assert_msg(rec_count_free(TAG(2)) == 1 && rec_count_free(TAG(3)) == 1,
                  "behind a permanent 0 timer: expected both ffs within 2 "
                  "iterations, got timer ff %d, watch ff %d",
                  rec_count_free(TAG(2)), rec_count_free(TAG(3)));
    for (int i = 0; i < nrecs; i++)
        if (recs[i].kind == REC_FREE)
            ck_assert_int_le(recs[i].iter, iter + 1);

    vt_run(36);     /* 40 iterations of 10 ms in all */
    for (int i = 0; i < nrecs; i++) {
        if (recs[i].kind != REC_TIMER || recs[i].id != per)
            continue;
        ck_assert_msg(recs[i].at_ms - prev >= 40 && recs[i].at_ms - prev <= 60,
                      "50 ms timer, fire %d: expected 40-60 ms after the "
                      "previous (%lld ms), got %lld ms", n, (long long)prev,
                      (long long)recs[i].at_ms);
        prev = recs[i].at_ms;
        n++;
    }
    ck_assert_msg(n >= 6, "50 ms timer next to a permanent 0 timer: expected "
                  "at least 6 fires in %lld ms, got %d",
                  (long long)vt_now_ms(), n);
    ck_assert_msg(rec_count(REC_TIMER, z) == 40,
                  "0 timer: expected 40 fires, got %d", rec_count(REC_TIMER, z));
    close_pair(p);
}
END_TEST

/* R30, R31: a ready watch (or due timer) that an earlier callback disables
 * and enables again within one iteration counts as enabled during dispatch:
 * the poll result it had predates the enabling, so it waits for the next
 * iteration.  Handles and timers behave alike. */
static int flip_h[2], flip_t[2];

static void flip_handle_cb(int watch, int fd, int events, void *opaque)
{
    int other = watch == flip_h[0] ? flip_h[1] : flip_h[0];

    rec_handle_cb(watch, fd, events, opaque);
    if (rec_count(REC_HANDLE, other) == 0 && rec_count(REC_HANDLE, watch) == 1) {
        evref_update_handle(other, 0);
        evref_update_handle(other, VIR_EVENT_HANDLE_READABLE);
    }
}

static void flip_timer_cb(int timer, void *opaque)
{
    int other = timer == flip_t[0] ? flip_t[1] : flip_t[0];

    rec_timer_cb(timer, opaque);
    if (rec_count(REC_TIMER, other) == 0 && rec_count(REC_TIMER, timer) == 1) {
        evref_update_timeout(other, -1);
        evref_update_timeout(other, 0);
    }
}

START_TEST(reenabled_during_dispatch_waits_for_next_iteration)
{
    int a[2], b[2];

    make_ready_pipe(a);
    make_ready_pipe(b);
    flip_h[0] = evref_add_handle(a[0], VIR_EVENT_HANDLE_READABLE, flip_handle_cb, NULL, NULL);
    flip_h[1] = evref_add_handle(b[0], VIR_EVENT_HANDLE_READABLE, flip_handle_cb, NULL, NULL);
    flip_t[0] = evref_add_timeout(0, flip_timer_cb, NULL, NULL);
    flip_t[1] = evref_add_timeout(0, flip_timer_cb, NULL, NULL);
    vt_run_once();
    ck_assert_msg(rec_count(REC_HANDLE, flip_h[0]) + rec_count(REC_HANDLE, flip_h[1]) == 1,
                  "re-enabled watch called in the iteration that re-enabled it "
                  "(%d + %d calls)", rec_count(REC_HANDLE, flip_h[0]),
                  rec_count(REC_HANDLE, flip_h[1]));
    ck_assert_msg(rec_count(REC_TIMER, flip_t[0]) + rec_count(REC_TIMER, flip_t[1]) == 1,
                  "re-enabled timer called in the iteration that re-enabled it");
    vt_run_once();
    for (int i = 0; i < 2; i++) {
        ck_assert_int_ge(rec_count(REC_HANDLE, flip_h[i]), 1);
        ck_assert_int_ge(rec_count(REC_TIMER, flip_t[i]), 1);
    }
    close_pair(a);
    close_pair(b);
}
END_TEST

Suite *dispatch_suite(void)
{
    Suite *s = suite_create("dispatch");

    add_test(s, no_callback_inside_operations);
    add_test(s, handle_callback_changes_itself);
    add_test(s, timer_callback_changes_itself);
    add_test(s, callbacks_change_anything);
    add_test(s, removed_ready_watch_not_called);
    add_test(s, removed_due_timer_not_called);
    add_test(s, removed_zero_timer_not_called);
    add_test(s, zero_timer_removed_before_first_iteration);
    add_test(s, self_removed_not_called_again);
    add_test(s, added_or_enabled_during_dispatch_runs_next_iteration);
    add_test(s, disabled_during_dispatch_not_called);
    add_test(s, reenabled_during_dispatch_waits_for_next_iteration);
    add_test(s, no_starvation_by_zero_timer);
    return s;
}
