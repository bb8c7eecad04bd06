/*
 * test_ids.c - R4-R9: identifiers, return values, disabled registrations.
 */
#include <unistd.h>

#include "suites.h"
#include "support.h"

/* R4: ids start at 1 for each kind; 0 is never handed out. */
START_TEST(first_ids_are_one)
{
    int fds[2];

    make_pipe(fds);
    ck_assert_int_eq(evref_add_handle(fds[0], 0, rec_handle_cb, NULL, NULL), 1);
    ck_assert_int_eq(evref_add_timeout(-1, rec_timer_cb, NULL, NULL), 1);
}
END_TEST

/* R4: a failed add returns -1 and leaves nothing that could ever call its
 * callback or its free callback. */
START_TEST(failed_add_leaves_nothing)
{
    int fds[2];

    make_pipe(fds);
    write_byte(fds[1]);
    ck_assert_int_eq(evref_add_handle(-1, VIR_EVENT_HANDLE_READABLE,
                                      rec_handle_cb, TAG(1), rec_ff), -1);
    ck_assert_int_eq(evref_add_handle(fds[0], VIR_EVENT_HANDLE_READABLE,
                                      NULL, TAG(2), rec_ff), -1);
    ck_assert_int_eq(evref_add_timeout(0, NULL, TAG(3), rec_ff), -1);
    alloc_fail_after(0);
    ck_assert_int_eq(evref_add_handle(fds[0], VIR_EVENT_HANDLE_READABLE,
                                      rec_handle_cb, TAG(4), rec_ff), -1);
    alloc_fail_after(0);
    ck_assert_int_eq(evref_add_timeout(0, rec_timer_cb, TAG(5), rec_ff), -1);
    /* The registration table itself cannot grow. */
    alloc_fail_after(1);
    ck_assert_int_eq(evref_add_handle(fds[0], VIR_EVENT_HANDLE_READABLE,
                                      rec_handle_cb, TAG(6), rec_ff), -1);
    for (int i = 1; i <= 3; i++) {
        alloc_fail_after(i);
        ck_assert_int_eq(evref_add_timeout(0, rec_timer_cb, TAG(7), rec_ff), -1);
    }
    vt_run(3);
    ck_assert_msg(nrecs == 0, "a failed add produced %d calls", nrecs);
}
END_TEST

/* R5: over many interleaved adds and removes, no id repeats within a kind;
 * a stale id does not reach the registration added after it. */
START_TEST(ids_never_reused)
{
    static char seen_h[20001], seen_t[20001];
    int fds[2], stale, fresh;

    make_pipe(fds);
    for (int i = 0; i < 10000; i++) {
        int h = evref_add_handle(fds[0], 0, rec_handle_cb, NULL, NULL);
        int t = evref_add_timeout(-1, rec_timer_cb, NULL, NULL);
        ck_assert_msg(h > 0 && h <= 20000 && !seen_h[h], "handle id %d reused", h);
        ck_assert_msg(t > 0 && t <= 20000 && !seen_t[t], "timer id %d reused", t);
        seen_h[h] = seen_t[t] = 1;
        if (i % 3 != 2) {
            ck_assert_int_eq(evref_remove_handle(h), 0);
            ck_assert_int_eq(evref_remove_timeout(t), 0);
        }
        if (i % 100 == 0)
            vt_run(1);     /* sweeps: removed records leave the tables */
    }
    stale = evref_add_timeout(0, rec_timer_cb, NULL, NULL);
    ck_assert_int_eq(evref_remove_timeout(stale), 0);
    vt_run(1);
    fresh = evref_add_timeout(0, rec_timer_cb, NULL, NULL);
    ck_assert_int_eq(evref_remove_timeout(stale), -1);
    vt_run(1);
    ck_assert_int_eq(rec_count(REC_TIMER, fresh), 1);
}
END_TEST

/* R6: handle and timer ids are separate: a handle call with a timer's id
 * does not touch the timer. */
START_TEST(handle_and_timer_ids_are_separate)
{
    int t = evref_add_timeout(50, rec_timer_cb, TAG(1), rec_ff);

    ck_assert_int_eq(evref_remove_handle(t), -1);
    evref_update_handle(t, VIR_EVENT_HANDLE_READABLE);
    vt_run_until_ms(60);
    ck_assert_int_eq(rec_count(REC_TIMER, t), 1);
    ck_assert_int_eq(evref_remove_timeout(t), 0);
    vt_run(1);
    ck_assert_int_eq(rec_count_free(TAG(1)), 1);
}
END_TEST

/* R7: remove returns 0 once for a live id, disabled ones included, then -1;
 * -1 for ids that never existed. */
START_TEST(remove_return_values)
{
    int fds[2], h, hd, t, td;

    make_pipe(fds);
    h = evref_add_handle(fds[0], VIR_EVENT_HANDLE_READABLE, rec_handle_cb, NULL, NULL);
    hd = evref_add_handle(fds[0], 0, rec_handle_cb, NULL, NULL);
    t = evref_add_timeout(100, rec_timer_cb, NULL, NULL);
    td = evref_add_timeout(-1, rec_timer_cb, NULL, NULL);
    ck_assert_int_eq(evref_remove_handle(h), 0);
    ck_assert_int_eq(evref_remove_handle(hd), 0);
    ck_assert_int_eq(evref_remove_timeout(t), 0);
    ck_assert_int_eq(evref_remove_timeout(td), 0);
    ck_assert_int_eq(evref_remove_handle(h), -1);
    ck_assert_int_eq(evref_remove_timeout(t), -1);
    vt_run(1);
    ck_assert_int_eq(evref_remove_handle(h), -1);    /* swept as well */
    ck_assert_int_eq(evref_remove_timeout(t), -1);
    for (int bad = -1; bad <= 0; bad++) {
        ck_assert_int_eq(evref_remove_handle(bad), -1);
        ck_assert_int_eq(evref_remove_timeout(bad), -1);
    }
    ck_assert_int_eq(evref_remove_handle(999999), -1);
    ck_assert_int_eq(evref_remove_timeout(999999), -1);
}
END_TEST

/* R8: updating a removed, unknown or negative id does nothing, ever. */
START_TEST(update_of_dead_id_is_noop)
{
    int fds[2], h, t;

    make_pipe(fds);
    write_byte(fds[1]);
    h = evref_add_handle(fds[0], VIR_EVENT_HANDLE_READABLE, rec_handle_cb, NULL, NULL);
    t = evref_add_timeout(10, rec_timer_cb, NULL, NULL);
    ck_assert_int_eq(evref_remove_handle(h), 0);
    ck_assert_int_eq(evref_remove_timeout(t), 0);
    evref_update_handle(h, VIR_EVENT_HANDLE_READABLE);
    evref_update_timeout(t, 10);
    evref_update_handle(-1, VIR_EVENT_HANDLE_READABLE);
    evref_update_timeout(-1, 0);
    evref_update_handle(999999, VIR_EVENT_HANDLE_READABLE);
    evref_update_timeout(999999, 0);
    vt_run(1);
    evref_update_handle(h, VIR_EVENT_HANDLE_READABLE);   /* after the sweep */
    evref_update_timeout(t, 0);
    vt_run_until_ms(100);
    ck_assert_msg(nrecs == 0, "%d calls after remove", nrecs);
}
END_TEST

/* R9: a registration added disabled is real: enabling it works. */
START_TEST(disabled_registration_is_real)
{
    int fds[2], h, t;

    make_pipe(fds);
    write_byte(fds[1]);
    h = evref_add_handle(fds[0], 0, rec_handle_cb, TAG(1), rec_ff);
    t = evref_add_timeout(-1, rec_timer_cb, TAG(2), rec_ff);
    ck_assert_int_gt(h, 0);
    ck_assert_int_gt(t, 0);
    vt_run_until_ms(100);
    ck_assert_int_eq(nrecs, 0);
    evref_update_timeout(t, 50);
    evref_update_handle(h, VIR_EVENT_HANDLE_READABLE);
    vt_run_once();
    ck_assert_int_eq(rec_count(REC_HANDLE, h), 1);
    read_byte(fds[0]);
    ck_assert_int_eq(rec_count(REC_TIMER, t), 0);
    vt_run_until_ms(150);
    ck_assert_int_eq(rec_count(REC_TIMER, t), 1);
    ck_assert_int_eq(rec_last(REC_TIMER, t)->at_ms, 150);
    ck_assert_int_eq(evref_remove_handle(h), 0);
    ck_assert_int_eq(evref_remove_timeout(t), 0);
    vt_run(1);
    ck_assert_int_eq(rec_count_free(TAG(1)), 1);
    ck_assert_int_eq(rec_count_free(TAG(2)), 1);
}
END_TEST

Suite *ids_suite(void)
{
    Suite *s = suite_create("ids");

    add_test(s, first_ids_are_one);
    add_test(s, failed_add_leaves_nothing);
    add_test(s, ids_never_reused);
    add_test(s, handle_and_timer_ids_are_separate);
    add_test(s, remove_return_values);
    add_test(s, update_of_dead_id_is_noop);
    add_test(s, disabled_registration_is_real);
    return s;
}
