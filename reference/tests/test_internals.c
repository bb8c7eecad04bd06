/*
 * test_internals.c - what the rules do not name but the loop must get
 * right: failures of the system below it, nested iterations, the timeout
 * arithmetic, and the heap under churn.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "internal.h"
#include "suites.h"
#include "support.h"

static int failing_poll_errno;

static int64_t zero_clock(void *ctx)
{
    (void)ctx;
    return 0;
}

static int failing_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int ms)
{
    (void)ctx; (void)fds; (void)nfds; (void)ms;
    errno = failing_poll_errno;
    return -1;
}

static const struct evref_sys failing_sys = { zero_clock, failing_poll, NULL };

/* A poll(2) failure is reported as -1; nothing is dispatched from the
 * undefined revents, and the iteration still frees what was removed. */
START_TEST(poll_error_is_reported)
{
    int t = evref_add_timeout(0, rec_timer_cb, NULL, NULL);

    evref_set_sys(&failing_sys);
    failing_poll_errno = EINVAL;
    ck_assert_int_eq(evref_remove_timeout(evref_add_timeout(5, rec_timer_cb,
                                                            TAG(1), rec_ff)), 0);
    ck_assert_int_eq(evref_run_once(), -1);
    ck_assert_int_eq(rec_count(REC_TIMER, t), 0);
    ck_assert_int_eq(rec_count_free(TAG(1)), 1);
    ck_assert_int_eq(evref_run_once(), -1);   /* the loop stays usable */
}
END_TEST

/* A signal interrupting poll(2), or the kernel short of memory for its
 * wait, is not an error (R2): the iteration counts it as a timeout, fires
 * what is due, and returns 0, so that the application's loop goes on. */
START_TEST(poll_transient_errors_keep_the_loop_running)
{
    static const int errs[] = { EINTR, EAGAIN, ENOMEM };
    int t = evref_add_timeout(0, rec_timer_cb, NULL, NULL);

    evref_set_sys(&failing_sys);
    for (int i = 0; i < 3; i++) {
        failing_poll_errno = errs[i];
        ck_assert_int_eq(evref_remove_timeout(evref_add_timeout(5, rec_timer_cb,
                                                                TAG(i), rec_ff)), 0);
        ck_assert_msg(evref_run_once() == 0, "poll failing with %s ended the "
                      "iteration with -1; expected 0", strerrorname_np(errs[i]));
        ck_assert_int_eq(rec_count(REC_TIMER, t), i + 1);
        ck_assert_int_eq(rec_count_free(TAG(i)), 1);
    }
}
END_TEST

static int nested_rc = 1;

static void nesting_cb(int timer, void *opaque)
{
    (void)timer; (void)opaque;
    nested_rc = evref_run_once();
}

/* An iteration cannot be started from inside one. */
START_TEST(nested_iteration_is_refused)
{
    evref_add_timeout(0, nesting_cb, NULL, NULL);
    vt_run_once();
    ck_assert_int_eq(nested_rc, -1);
}
END_TEST

/* Without file descriptors the wake-up pipe cannot be made: registration
 * and iteration fail cleanly instead of running a loop that cannot be
 * woken. */
START_TEST(no_fds_left)
{
    struct rlimit rl;
    int fds[2], last;

    make_pipe(fds);
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    rl.rlim_cur = 256;
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    last = fds[1];
    while (last < 256 && (last = dup(fds[0])) >= 0)
        ;
    ck_assert_int_eq(evref_register(), -1);
    ck_assert_int_eq(evref_run_once(), -1);
    for (int fd = fds[1] + 1; fd < 256; fd++)   /* leak checkers need fds */
        close(fd);
}
END_TEST

/* The pollfd set's memory is taken when a watch is added (R2): without it
 * the add fails cleanly, and no later iteration can fail for want of it. */
START_TEST(pollfd_set_reserved_at_add)
{
    int fds[2], h, h2;

    make_pipe(fds);
    write_byte(fds[1]);
    h = evref_add_handle(fds[0], VIR_EVENT_HANDLE_READABLE, rec_handle_cb, NULL, NULL);
    ck_assert_int_gt(h, 0);
    for (int n = 0; n < 4; n++) {
        alloc_fail_after(n);
        h2 = evref_add_handle(fds[0], VIR_EVENT_HANDLE_READABLE, rec_handle_cb,
                              TAG(n), rec_ff);
        alloc_fail_after(-1);
        if (h2 > 0)
            ck_assert_int_eq(evref_remove_handle(h2), 0);
    }
    alloc_fail_after(0);                /* nothing may allocate from here */
    ck_assert_int_eq(evref_run_once(), 0);
    alloc_fail_after(-1);
    ck_assert_int_eq(rec_count(REC_HANDLE, h), 1);
}
END_TEST

/* Ids are never wrapped round (R5): once INT_MAX is handed out, add
 * fails. */
START_TEST(ids_exhausted)
{
    int fds[2];

    make_pipe(fds);
    evref__loop.handles.last_id = INT_MAX - 1;
    evref__loop.timers.last_id = INT_MAX - 1;
    ck_assert_int_eq(evref_add_handle(fds[0], 0, rec_handle_cb, NULL, NULL), INT_MAX);
    ck_assert_int_eq(evref_add_timeout(-1, rec_timer_cb, NULL, NULL), INT_MAX);
    ck_assert_int_eq(evref_add_handle(fds[0], 0, rec_handle_cb, TAG(1), rec_ff), -1);
    ck_assert_int_eq(evref_add_timeout(-1, rec_timer_cb, TAG(2), rec_ff), -1);
    vt_run(1);
    ck_assert_int_eq(nrecs, 0);
}
END_TEST

/* The wait is rounded up to the next millisecond, so the loop does not
 * wake just before a deadline and spin; it is capped at INT_MAX ms. */
START_TEST(poll_timeout_rounding)
{
    int t = evref_add_timeout(INT_MAX, rec_timer_cb, NULL, NULL);

    evref__lock();
    ck_assert_int_eq(evref__timers_poll_timeout_locked(-INT64_C(1000000000000)),
                     INT_MAX);
    ck_assert_int_eq(evref__timers_poll_timeout_locked(1), INT_MAX);
    evref__unlock();
    evref_update_timeout(t, 5);
    evref__lock();
    ck_assert_int_eq(evref__timers_poll_timeout_locked(1), 5);
    ck_assert_int_eq(evref__timers_poll_timeout_locked(4999999), 1);
    ck_assert_int_eq(evref__timers_poll_timeout_locked(5000000), 0);
    evref__unlock();
}
END_TEST

static void one_shot_cb(int timer, void *opaque)
{
    rec_timer_cb(timer, opaque);
    evref_update_timeout(timer, -1);
}

/* The heap keeps (deadline, seq) order through pushes, updates and
 * removals anywhere in it. */
START_TEST(heap_order_under_churn)
{
    enum { N = 997 };
    int ids[N];
    unsigned x = 12345;

    for (int i = 0; i < N; i++) {
        x = x * 1103515245 + 12345;
        ids[i] = evref_add_timeout((int)(x >> 16) % 5000 + 1, one_shot_cb, NULL, NULL);
    }
    for (int i = 0; i < N; i += 3) {
        x = x * 1103515245 + 12345;
        evref_update_timeout(ids[i], (int)(x >> 16) % 5000 + 1);
    }
    for (int i = 1; i < N; i += 7)
        evref_remove_timeout(ids[i]);
    for (int i = 2; i < N; i += 11)
        evref_update_timeout(ids[i], -1);
    evref__lock();
    for (size_t i = 1; i < evref__loop.heap.len; i++) {
        struct evref__timer *child = evref__loop.heap.items[i].tm;
        struct evref__timer *parent = evref__loop.heap.items[(i - 1) / 2].tm;
        ck_assert_uint_eq(child->heap_pos, i);
        ck_assert_msg(evref__loop.heap.items[i].deadline_ns == child->deadline_ns &&
                      evref__loop.heap.items[i].seq == child->seq,
                      "slot %zu carries another key than its timer's", i);
        ck_assert_msg(parent->deadline_ns < child->deadline_ns ||
                      (parent->deadline_ns == child->deadline_ns &&
                       parent->seq < child->seq), "heap order broken at %zu", i);
    }
    evref__unlock();
    vt_run_until_ms(5001);
    for (int i = 1; i < nrecs; i++)
        ck_assert_int_le(recs[i - 1].at_ms, recs[i].at_ms);
}
END_TEST

/* The id table under churn: ids spread over the hash, removals shift
 * chains back.  After every step each live id is found, and each removed
 * or unknown id is not (R7, R8 depend on it). */
START_TEST(table_lookup_under_churn)
{
    enum { N = 3000 };
    static int ids[N];
    static bool live[N];
    uint64_t x = 7;

    for (int i = 0; i < N; i++) {
        ids[i] = evref_add_timeout(-1, rec_timer_cb, NULL, NULL);
        live[i] = true;
    }
    for (int step = 0; step < 4 * N; step++) {
        int i;
        x = x * 6364136223846793005u + 1442695040888963407u;
        i = (int)((x >> 33) % N);
        if (live[i]) {
            ck_assert_int_eq(evref_remove_timeout(ids[i]), 0);
            live[i] = false;
        } else {
            ids[i] = evref_add_timeout(-1, rec_timer_cb, NULL, NULL);
            live[i] = true;
        }
        if (step % 97 == 0)
            vt_run_once();          /* the sweep unlinks what was removed */
    }
    vt_run_once();
    for (int i = 0; i < N; i++)
        ck_assert_msg((evref__table_find_live(&evref__loop.timers, ids[i]) != NULL) == live[i],
                      "id %d: found %d, live %d", ids[i], !live[i], live[i]);
    ck_assert_ptr_null(evref__table_find(&evref__loop.timers, 0));
    ck_assert_ptr_null(evref__table_find(&evref__loop.timers, INT_MAX));
}
END_TEST

static int churn_frees;

static void count_ff(void *opaque)
{
    (void)opaque;
    churn_frees++;
}

static void quiet_timer_cb(int timer, void *opaque)
{
    (void)timer; (void)opaque;
}

/* A burst of registrations leaves no memory behind once it is gone: the
 * tables, the heap, the scratch arrays and the pollfd set shrink back. */
START_TEST(memory_returned_after_churn)
{
    /* poll(2) takes no more fds than RLIMIT_NOFILE allows: fewer watches */
    enum { N = 20000, NH = 800 };
    static int t[N], h[NH];
    int fds[2];

    make_pipe(fds);
    for (int i = 0; i < N; i++)
        t[i] = evref_add_timeout(3600000, quiet_timer_cb, NULL, count_ff);
    for (int i = 0; i < NH; i++)
        h[i] = evref_add_handle(fds[0], VIR_EVENT_HANDLE_READABLE, rec_handle_cb,
                                NULL, count_ff);
    vt_run_once();
    ck_assert_uint_ge(evref__loop.set.cap, NH + 1);
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(evref_remove_timeout(t[i]), 0);
    for (int i = 0; i < NH; i++)
        ck_assert_int_eq(evref_remove_handle(h[i]), 0);
    vt_run(2);
    ck_assert_int_eq(churn_frees, N + NH);
    ck_assert_msg(evref__loop.timers.cap <= 16 && evref__loop.handles.cap <= 16,
                  "tables of %zu and %zu slots stay for no registration",
                  evref__loop.timers.cap, evref__loop.handles.cap);
    ck_assert_msg(evref__loop.heap.cap <= 64 && evref__loop.due_cap <= 64,
                  "heap of %zu and scratch of %zu slots stay for no timer",
                  evref__loop.heap.cap, evref__loop.due_cap);
    ck_assert_msg(evref__loop.set.cap <= 64, "a pollfd set of %zu slots stays "
                  "for no watch", evref__loop.set.cap);
    ck_assert_uint_eq(evref__loop.npfds, 1);
}
END_TEST

/* Removing a watch moves the last pollfd slot into its place: the moved
 * watch keeps being served, and nothing else is. */
START_TEST(removal_moves_last_slot)
{
    int a[2], b[2], c[2], ha, hb, hc;

    make_pipe(a);
    make_pipe(b);
    make_pipe(c);
    ha = evref_add_handle(a[0], VIR_EVENT_HANDLE_READABLE, rec_handle_cb, NULL, NULL);
    hb = evref_add_handle(b[0], VIR_EVENT_HANDLE_READABLE, rec_handle_cb, NULL, NULL);
    hc = evref_add_handle(c[0], VIR_EVENT_HANDLE_READABLE, rec_handle_cb, NULL, NULL);
    vt_run_once();
    ck_assert_int_eq(evref_remove_handle(ha), 0);
    write_byte(c[1]);
    vt_run_once();
    ck_assert_int_eq(rec_count(REC_HANDLE, hc), 1);
    ck_assert_int_eq(rec_count(REC_HANDLE, hb), 0);
    ck_assert_uint_eq(evref__loop.npfds, 3);
    evref_update_handle(hc, 0);
    write_byte(b[1]);
    vt_run_once();
    ck_assert_int_eq(rec_count(REC_HANDLE, hb), 1);
    ck_assert_int_eq(rec_count(REC_HANDLE, hc), 1);
    ck_assert_uint_eq(evref__loop.npfds, 2);
}
END_TEST

Suite *internals_suite(void)
{
    Suite *s = suite_create("internals");

    add_test(s, poll_error_is_reported);
    add_test(s, poll_transient_errors_keep_the_loop_running);
    add_test(s, nested_iteration_is_refused);
    add_test(s, no_fds_left);
    add_test(s, pollfd_set_reserved_at_add);
    add_test(s, ids_exhausted);
    add_test(s, poll_timeout_rounding);
    add_test(s, heap_order_under_churn);
    add_test(s, table_lookup_under_churn);
    add_test(s, memory_returned_after_churn);
    add_test(s, removal_moves_last_slot);
    return s;
}
