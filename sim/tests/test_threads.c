/*
 * test_threads.c - a change from another thread while the loop waits must
 * wake it through the loop's own mechanism; sim stops the clock meanwhile
 * and reports a loop that stays asleep.
 */
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "suites.h"
#include "support.h"

static int armed_timer;
static int64_t fired_at_ns = -1;

static void fire_cb(int timer, void *opaque)
{
    if (fired_at_ns < 0)
        fired_at_ns = sim_now_ns();
    traced_timer_cb(timer, opaque);
}

static void arm_from_thread(void *arg)
{
    (void)arg;
    sim_op_enter("update_timeout");
    virEventUpdateTimeout(armed_timer, 10);
    sim_op_leave();
}

/* The loop blocks with a 60 s guard timer and a disabled timer; at 100 ms
 * another thread sets the disabled one to 10 ms.  A loop that wakes fires
 * it at 110 ms of virtual time. */
static void wake_scenario(const struct loop *l)
{
    start_loop(l, 1);
    sim_set_watchdog_ms(2000);   /* what a busy machine may take */
    virEventAddTimeout(60000, traced_timer_cb, TAG(1), NULL);
    armed_timer = virEventAddTimeout(-1, fire_cb, TAG(2), NULL);
    sim_at_thread(100, arm_from_thread, NULL, "update_timeout(t, 10)", 110);
    run_iterations(l, 5);
}

START_TEST(cross_thread_wakeup_reference)
{
    struct loop l = load_loop("adapters/libevconf-reference.so");

    wake_scenario(&l);
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    ck_assert_int_eq(fired_at_ns, 110 * SIM_NS_PER_MS);
    sim_stop();
}
END_TEST

START_TEST(cross_thread_wakeup_reference_seam)
{
    wake_scenario(&reference_seam);
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    ck_assert_int_eq(fired_at_ns, 110 * SIM_NS_PER_MS);
    sim_stop();
}
END_TEST

START_TEST(cross_thread_wakeup_libvirt_default)
{
    wake_scenario(&libvirt_default);
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    ck_assert_int_eq(fired_at_ns, 110 * SIM_NS_PER_MS);
    sim_stop();
}
END_TEST

/* The same reference built without its wake-up pipe writes: reported as
 * no-wakeup, and the timer has not fired at 110 ms. */
START_TEST(cross_thread_no_wakeup_variant_fails)
{
    struct loop l = load_loop("variants/libevref-no-wakeup.so");

    wake_scenario(&l);
    ck_assert_msg(sim_verdict() == SIM_NO_WAKEUP, "expected no-wakeup, got %s: %s",
                  sim_verdict_name(sim_verdict()), sim_verdict_detail());
    ck_assert_ptr_nonnull(strstr(sim_verdict_detail(), "did not wake"));
    ck_assert_int_ne(fired_at_ns, 110 * SIM_NS_PER_MS);
    sim_stop();
}
END_TEST

/* An action that never returns (here: it blocks forever) is reported as
 * stuck, not hung. */
static void block_forever(void *arg)
{
    (void)arg;
    for (;;)
        pause();
}

START_TEST(stuck_action_reported)
{
    start_loop(&reference_seam, 1);
    sim_set_watchdog_ms(200);
    virEventAddTimeout(60000, traced_timer_cb, TAG(1), NULL);
    sim_at_thread(5, block_forever, NULL, "block forever", SIM_NO_WAKE);
    run_iterations(&reference_seam, 2);
    ck_assert_int_eq(sim_verdict(), SIM_STUCK);
    sim_stop();
}
END_TEST

/* A change that needs nothing of a waiting loop (here: a timeout longer
 * than the wait in progress) does not require a wake-up; the wait goes on
 * in virtual time. */
static void lengthen_from_thread(void *arg)
{
    (void)arg;
    virEventUpdateTimeout(armed_timer, 5000);
}

START_TEST(no_wakeup_needed_for_longer_timeout)
{
    struct loop l = load_loop("variants/libevref-no-wakeup.so");

    start_loop(&l, 1);
    sim_set_watchdog_ms(2000);   /* what a busy machine may take */
    virEventAddTimeout(1000, traced_timer_cb, TAG(1), NULL);
    armed_timer = virEventAddTimeout(-1, fire_cb, TAG(2), NULL);
    sim_at_thread(100, lengthen_from_thread, NULL, "update_timeout(t, 5000)", 5100);
    run_iterations(&l, 1);
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    ck_assert_int_eq(sim_now_ns(), 1000 * SIM_NS_PER_MS);
    sim_stop();
}
END_TEST

/* In real time, a step that falls due while the loop looks at its fds
 * with zero-timeout waits under its own lock (as the integrations' core
 * does) does not run inside those waits, where its call would wait for
 * the lock the parked loop holds, but when the iteration ends: no
 * deadlock is reported.  A step that still cannot return then is stuck. */
static pthread_mutex_t loop_lock = PTHREAD_MUTEX_INITIALIZER;
static int lock_taken;

static void take_loop_lock(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&loop_lock);
    lock_taken++;
    pthread_mutex_unlock(&loop_lock);
}

static void take_lock(void *arg)
{
    pthread_mutex_lock(arg);
    pthread_mutex_unlock(arg);
}

static void peek_under_lock_until(int64_t ms)
{
    int p[2];
    struct pollfd pfd;

    ck_assert_int_eq(pipe(p), 0);
    pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
    sim_start_realtime(1);
    sim_set_watchdog_ms(2000);   /* what a busy machine may take */
    sim_at_thread(5, take_loop_lock, NULL, "take the loop's lock", SIM_NO_WAKE);
    pthread_mutex_lock(&loop_lock);
    while (sim_now_ns() < ms * SIM_NS_PER_MS && sim_verdict() == SIM_OK)
        ck_assert_int_eq(sim_poll(&pfd, 1, 0), 0);
    pthread_mutex_unlock(&loop_lock);
    ck_assert_int_eq(lock_taken, 0);    /* not inside the zero-timeout waits */
    sim_iteration_done();
    close(p[0]);
    close(p[1]);
}

START_TEST(realtime_step_during_locked_peek)
{
    lock_taken = 0;
    peek_under_lock_until(20);
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    ck_assert_int_eq(lock_taken, 1);
    sim_stop();
}
END_TEST

START_TEST(realtime_overdue_step_stuck_reported)
{
    static pthread_mutex_t never_free = PTHREAD_MUTEX_INITIALIZER;

    /* Held for good, as block_forever blocks for good: the step left
     * behind keeps its worker, which a leak checker then still sees. */
    pthread_mutex_lock(&never_free);
    sim_start_realtime(1);
    sim_set_watchdog_ms(200);
    sim_at_thread(5, take_lock, &never_free, "take a held lock", SIM_NO_WAKE);
    while (sim_now_ns() < 20 * SIM_NS_PER_MS)
        sim_poll(NULL, 0, 0);
    ck_assert_int_eq(sim_verdict(), SIM_OK);
    sim_iteration_done();
    ck_assert_int_eq(sim_verdict(), SIM_STUCK);
    sim_stop();
}
END_TEST

/* In real time, a step the machine ran late, and the loop's reaction
 * to it, are the machine's time, not the wait's: a wait woken by a step
 * due at 20 ms that took 40 ms to write is worth 20 ms of virtual time. */
static void write_slowly(void *arg)
{
    struct timespec ts = { 0, 40 * 1000000L };

    nanosleep(&ts, NULL);
    ck_assert_int_eq(write(*(int *)arg, "x", 1), 1);
}

START_TEST(realtime_late_step_is_machine_time)
{
    int p[2];
    struct pollfd pfd;
    struct timespec ts = { 0, 30 * 1000000L };

    ck_assert_int_eq(pipe(p), 0);
    pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
    sim_start_realtime(1);
    sim_set_watchdog_ms(2000);
    sim_at_thread(20, write_slowly, &p[1], "write after 40 ms", 20);
    ck_assert_int_eq(sim_poll(&pfd, 1, 1000), 1);
    ck_assert_msg(sim_late_ns() >= 39 * SIM_NS_PER_MS, "late %lld ns",
                  (long long)sim_late_ns());
    nanosleep(&ts, NULL);
    ck_assert_msg(sim_late_since_wait_ns() >= 29 * SIM_NS_PER_MS,
                  "late since the wait %lld ns", (long long)sim_late_since_wait_ns());
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    sim_stop();
    close(p[0]);
    close(p[1]);
}
END_TEST

/* Deferred events run that much later, and a thread step's wake-up
 * deadline moves with it: a loop whose wait ends by itself before the
 * moved deadline is not required to be woken. */
static int64_t ran_at_ns;

static void note_time(void *arg)
{
    (void)arg;
    ran_at_ns = sim_now_ns();
}

START_TEST(realtime_deferred_events_run_later)
{
    sim_start_realtime(1);
    sim_set_watchdog_ms(2000);
    ran_at_ns = -1;
    sim_at_thread(10, note_time, NULL, "note the time", 10 + 500);
    sim_defer_events(600 * SIM_NS_PER_MS);
    ck_assert_int_eq(sim_poll(NULL, 0, 620), 0);
    ck_assert_msg(ran_at_ns >= 610 * SIM_NS_PER_MS, "ran at %lld ns",
                  (long long)ran_at_ns);
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    sim_stop();
}
END_TEST

/* A jitter hold runs once, on a thread that enabled jitter, at the
 * (skip + 1)-th jitter point (clock readings and zero-timeout polls) after
 * it was armed, and not on other threads; cancelling says whether one was
 * pending. */
static int held_at;
static int points;

static void note_hold(void *arg)
{
    held_at = points;
    ck_assert_ptr_eq(arg, &held_at);
}

static void *jitter_points(void *arg)
{
    struct timespec ts;

    (void)arg;
    sim_jitter_enable(3);
    for (points = 1; points <= 6; points++)
        clock_gettime(CLOCK_MONOTONIC, &ts);
    return NULL;
}

START_TEST(jitter_hold_once_at_its_point)
{
    pthread_t t;
    struct timespec ts;

    ck_assert(!sim_jitter_hold(note_hold, &held_at, 2));
    clock_gettime(CLOCK_MONOTONIC, &ts);       /* this thread: no jitter, no hold */
    ck_assert_int_eq(held_at, 0);
    pthread_create(&t, NULL, jitter_points, NULL);
    pthread_join(t, NULL);
    ck_assert_int_eq(held_at, 3);
    ck_assert(!sim_jitter_hold(NULL, NULL, 0)); /* taken: nothing pending */
    ck_assert(!sim_jitter_hold(note_hold, &held_at, 0));
    ck_assert(sim_jitter_hold(NULL, NULL, 0));  /* cancelled before its point */
    held_at = 0;
    pthread_create(&t, NULL, jitter_points, NULL);
    pthread_join(t, NULL);
    ck_assert_int_eq(held_at, 0);
}
END_TEST

Suite *threads_suite(void)
{
    Suite *s = suite_create("threads");

    add_test(s, cross_thread_wakeup_reference);
    add_test(s, cross_thread_wakeup_reference_seam);
    add_test(s, cross_thread_wakeup_libvirt_default);
    add_test(s, cross_thread_no_wakeup_variant_fails);
    add_test(s, stuck_action_reported);
    add_test(s, no_wakeup_needed_for_longer_timeout);
    add_test(s, realtime_step_during_locked_peek);
    add_test(s, realtime_overdue_step_stuck_reported);
    add_test(s, realtime_late_step_is_machine_time);
    add_test(s, realtime_deferred_events_run_later);
    add_test(s, jitter_hold_once_at_its_point);
    return s;
}
