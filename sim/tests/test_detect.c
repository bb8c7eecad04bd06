/*
 * test_detect.c - the idle and spin detectors fire on loops that idle or
 * spin, and stay quiet on healthy ones.
 */
#include <string.h>
#include <time.h>

#include "suites.h"
#include "support.h"

/* A loop that waits forever with nothing registered: reported at once,
 * deterministically, as idle. */
START_TEST(idle_reference_nothing_registered)
{
    start_loop(&reference_seam, 1);
    run_iterations(&reference_seam, 5);
    ck_assert_int_eq(sim_verdict(), SIM_IDLE);
    ck_assert_ptr_nonnull(strstr(sim_verdict_detail(), "nothing can ever happen"));
    sim_stop();
}
END_TEST

START_TEST(idle_libvirt_default_only_disabled)
{
    start_loop(&libvirt_default, 1);
    virEventAddTimeout(-1, traced_timer_cb, TAG(1), NULL);
    run_iterations(&libvirt_default, 5);
    ck_assert_int_eq(sim_verdict(), SIM_IDLE);
    sim_stop();
}
END_TEST

/* A loop with a timer far away is not idle: it waits, time moves. */
START_TEST(idle_quiet_with_timer)
{
    start_loop(&reference_seam, 1);
    virEventAddTimeout(3600000, traced_timer_cb, TAG(1), NULL);
    run_iterations(&reference_seam, 5);
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    ck_assert_int_eq(timer_calls, 5);
    sim_stop();
}
END_TEST

/* A scripted event is something that can happen: waiting for it is not
 * idle, even with no timeout. */
static struct sim_fd pipe_fd;
static void wake_pipe(void *arg)
{
    (void)arg;
    sim_fd_make_readable(&pipe_fd, 1);
}

static void drain_cb(int watch, int fd, int events, void *opaque)
{
    traced_handle_cb(watch, fd, events, opaque);
    sim_fd_drain(&pipe_fd);
}

START_TEST(idle_quiet_with_scheduled_event)
{
    start_loop(&reference_seam, 1);
    ck_assert_int_eq(sim_fd_pipe(&pipe_fd), 0);
    virEventAddHandle(pipe_fd.fd, VIR_EVENT_HANDLE_READABLE, drain_cb, TAG(1), NULL);
    sim_at(5000, wake_pipe, NULL, "make the pipe readable");
    run_iterations(&reference_seam, 1);
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    ck_assert_int_eq(handle_calls, 1);
    ck_assert_int_eq(sim_now_ns(), 5000 * SIM_NS_PER_MS);
    sim_stop();
}
END_TEST

static void do_nothing(void *arg)
{
    (void)arg;
}

/* sim_timed_out_waits() counts the waits that ran to their own timeout
 * undisturbed, the runner's idle wake-ups: not a zero-timeout poll, not a
 * wait in which a scheduled event ran (it may have changed what the loop
 * waits for), not a wait its fd ended. */
START_TEST(timed_out_waits_counted)
{
    struct pollfd p;

    sim_start(1);
    ck_assert_int_eq(sim_fd_pipe(&pipe_fd), 0);
    p = (struct pollfd){ .fd = pipe_fd.fd, .events = POLLIN };
    ck_assert_int_eq(sim_poll(&p, 1, 100), 0);
    ck_assert_int_eq(sim_timed_out_waits(), 1);
    ck_assert_int_eq(sim_poll(&p, 1, 0), 0);
    ck_assert_int_eq(sim_timed_out_waits(), 1);
    sim_at(150, do_nothing, NULL, "nothing");
    ck_assert_int_eq(sim_poll(&p, 1, 100), 0);
    ck_assert_int_eq(sim_timed_out_waits(), 1);
    sim_at(250, wake_pipe, NULL, "make the pipe readable");
    ck_assert_int_eq(sim_poll(&p, 1, 100), 1);
    ck_assert_int_eq(sim_timed_out_waits(), 1);
    ck_assert_int_eq(sim_now_ns(), 250 * SIM_NS_PER_MS);
    sim_stop();
    sim_fd_close(&pipe_fd);
}
END_TEST

/* A loop that polls a ready fd with a zero timeout and never dispatches
 * it: the busy spin is reported with its iteration count. */
static int spinning_run_once(void)
{
    struct pollfd p = { .fd = pipe_fd.fd, .events = POLLIN };

    return sim_poll(&p, 1, 0) < 0 ? -1 : 0;
}

static int nothing_to_register(void)
{
    return 0;
}

static const struct loop spinning = {
    "spinning loop", nothing_to_register, spinning_run_once,
};

START_TEST(spin_detected)
{
    start_loop(&spinning, 1);
    sim_set_spin_limit(500);
    ck_assert_int_eq(sim_fd_pipe(&pipe_fd), 0);
    sim_fd_make_readable(&pipe_fd, 1);
    ck_assert_int_eq(run_iterations(&spinning, 10000), 500);
    ck_assert_int_eq(sim_verdict(), SIM_SPIN);
    ck_assert_ptr_nonnull(strstr(sim_verdict_detail(), "500 iterations"));
    sim_stop();
}
END_TEST

/* Ruby 3.1's IO.select with a timeout of 0: wait with 0, and retry while
 * the monotonic clock has not passed the deadline (start + 0).  The
 * clock moves by a nanosecond once zero waits repeat in one iteration,
 * so the retry ends after a few, and that iteration is still idle time. */
static int retry_count;

static int retrying_run_once(void)
{
    struct pollfd p = { .fd = pipe_fd.fd, .events = POLLIN };
    struct timespec ts;
    int64_t end, now;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    end = ts.tv_sec * 1000000000LL + ts.tv_nsec;
    do {
        if (sim_poll(&p, 1, 0) != 0 || ++retry_count > 1000)
            return -1;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        now = ts.tv_sec * 1000000000LL + ts.tv_nsec;
    } while (!(now > end));
    return 0;
}

static const struct loop retrying = {
    "zero-wait retrying loop", nothing_to_register, retrying_run_once,
};

START_TEST(zero_wait_retry_ends)
{
    start_loop(&retrying, 1);
    ck_assert_int_eq(sim_fd_pipe(&pipe_fd), 0);
    retry_count = 0;
    ck_assert_int_eq(retrying.run_once(), 0);
    ck_assert_int_le(retry_count, 20);
    ck_assert_int_lt(sim_now_ns(), 1000);
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    sim_stop();
}
END_TEST

/* One iteration that never stops polling with a zero timeout: one line
 * says so once the waits pass the limit, instead of a hang. */
static int zero_spin_run_once(void)
{
    struct pollfd p = { .fd = pipe_fd.fd, .events = POLLIN };

    while (sim_verdict() == SIM_OK)
        if (sim_poll(&p, 1, 0) != 0)
            return -1;
    return 0;
}

START_TEST(zero_wait_spin_in_one_iteration)
{
    start_loop(&spinning, 1);
    ck_assert_int_eq(sim_fd_pipe(&pipe_fd), 0);
    ck_assert_int_eq(zero_spin_run_once(), 0);
    ck_assert_int_eq(sim_verdict(), SIM_SPIN);
    ck_assert_ptr_nonnull(strstr(sim_verdict_detail(), "100000 zero-timeout waits"));
    ck_assert_ptr_null(strchr(sim_verdict_detail(), '\n'));
    sim_stop();
}
END_TEST

/* A 0 ms timer runs every iteration without time moving: that is work,
 * not a spin. */
START_TEST(spin_quiet_with_zero_timer)
{
    start_loop(&reference_seam, 1);
    sim_set_spin_limit(100);
    virEventAddTimeout(0, traced_timer_cb, TAG(1), NULL);
    run_iterations(&reference_seam, 1000);
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    ck_assert_int_eq(timer_calls, 1000);
    sim_stop();
}
END_TEST

/* A level-triggered watch on unread data is called every iteration: work. */
START_TEST(spin_quiet_with_ready_fd)
{
    start_loop(&libvirt_default, 1);
    sim_set_spin_limit(100);
    ck_assert_int_eq(sim_fd_pipe(&pipe_fd), 0);
    sim_fd_make_readable(&pipe_fd, 1);
    virEventAddHandle(pipe_fd.fd, VIR_EVENT_HANDLE_READABLE, traced_handle_cb,
                      TAG(1), NULL);
    run_iterations(&libvirt_default, 1000);
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    ck_assert_int_ge(handle_calls, 990);
    sim_stop();
}
END_TEST

Suite *detect_suite(void)
{
    Suite *s = suite_create("detect");

    add_test(s, idle_reference_nothing_registered);
    add_test(s, zero_wait_retry_ends);
    add_test(s, zero_wait_spin_in_one_iteration);
    add_test(s, idle_libvirt_default_only_disabled);
    add_test(s, idle_quiet_with_timer);
    add_test(s, idle_quiet_with_scheduled_event);
    add_test(s, timed_out_waits_counted);
    add_test(s, spin_detected);
    add_test(s, spin_quiet_with_zero_timer);
    add_test(s, spin_quiet_with_ready_fd);
    return s;
}
