/*
 * test_timerfd.c - virtual timerfds (sim/timerfd.c): a timerfd made during
 * a simulation expires in virtual time, wakes a wait that watches it
 * directly or through an epoll set at exactly its expiry, counts its
 * expirations as read(2) of a timerfd does, and leaves a wait that does
 * not watch it running to that wait's own end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "suites.h"
#include "support.h"
#include "timerfd.h"

#define MS SIM_NS_PER_MS

static struct itimerspec spec_ms(int64_t value_ms, int64_t interval_ms)
{
    return (struct itimerspec){
        .it_value = { value_ms / 1000, value_ms % 1000 * 1000000 },
        .it_interval = { interval_ms / 1000, interval_ms % 1000 * 1000000 },
    };
}

/* A virtual timerfd on clk, non-blocking and close-on-exec. */
static int new_timerfd(clockid_t clk)
{
    int fd = timerfd_create(clk, TFD_NONBLOCK | TFD_CLOEXEC);

    ck_assert_msg(fd >= 0, "timerfd_create: %s", strerror(errno));
    ck_assert(sim__timerfd_is(fd));
    return fd;
}

static void set_ms(int fd, int flags, int64_t value_ms, int64_t interval_ms)
{
    struct itimerspec v = spec_ms(value_ms, interval_ms);

    ck_assert_int_eq(timerfd_settime(fd, flags, &v, NULL), 0);
}

/* read(2) of the timerfd: its expiration count, or -1 for EAGAIN. */
static int64_t expirations(int fd)
{
    uint64_t n;
    ssize_t got = read(fd, &n, sizeof(n));

    if (got < 0) {
        ck_assert_int_eq(errno, EAGAIN);
        return -1;
    }
    ck_assert_int_eq(got, 8);
    return (int64_t)n;
}

static int64_t left_ns(int fd)
{
    struct itimerspec cur;

    ck_assert_int_eq(timerfd_gettime(fd, &cur), 0);
    return (int64_t)cur.it_value.tv_sec * 1000000000 + cur.it_value.tv_nsec;
}

/* A relative one-shot: a wait with no timeout ends at its expiry, read
 * returns 1 once, then EAGAIN; the flags asked for are the fd's. */
START_TEST(relative_one_shot)
{
    struct pollfd p;
    int fd;

    sim_start(1);
    fd = new_timerfd(CLOCK_MONOTONIC);
    ck_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
    ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    ck_assert_int_eq(expirations(fd), -1);
    set_ms(fd, 0, 100, 0);
    ck_assert_int_eq(left_ns(fd), 100 * MS);
    p = (struct pollfd){ .fd = fd, .events = POLLIN };
    ck_assert_int_eq(poll(&p, 1, -1), 1);
    ck_assert_int_eq(sim_now_ns(), 100 * MS);
    ck_assert_int_eq(expirations(fd), 1);
    ck_assert_int_eq(expirations(fd), -1);
    ck_assert_int_eq(left_ns(fd), 0);
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    close(fd);
    sim_stop();
}
END_TEST

/* An interval timer counts every period passed while nobody read it, and
 * moves on to its next expiry after now. */
START_TEST(interval_counts_periods)
{
    int fd;

    sim_start(1);
    fd = new_timerfd(CLOCK_BOOTTIME);
    set_ms(fd, 0, 50, 20);
    sim_sleep_ms(100);              /* expiries at 50, 70, 90 */
    ck_assert_int_eq(expirations(fd), 3);
    ck_assert_int_eq(left_ns(fd), 10 * MS);
    sim_sleep_ms(10);
    ck_assert_int_eq(expirations(fd), 1);
    close(fd);
    sim_stop();
}
END_TEST

/* An absolute expiry on CLOCK_MONOTONIC, watched through an epoll set:
 * epoll_wait with no timeout returns the timerfd's event at that time. */
START_TEST(absolute_through_epoll)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 7 }, out[2];
    struct timespec now;
    int fd, ep;

    sim_start(1);
    fd = new_timerfd(CLOCK_MONOTONIC);
    ep = epoll_create1(EPOLL_CLOEXEC);
    ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
    clock_gettime(CLOCK_MONOTONIC, &now);
    set_ms(fd, TFD_TIMER_ABSTIME, (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 + 30, 0);
    ck_assert_int_eq(epoll_wait(ep, out, 2, -1), 1);
    ck_assert_int_eq(out[0].data.u64, 7);
    ck_assert_int_eq(sim_now_ns(), 30 * MS);
    ck_assert_int_eq(expirations(fd), 1);
    close(ep);
    close(fd);
    sim_stop();
}
END_TEST

/* A wait ends at the earlier of its timeout and the expiry of a timerfd
 * it watches; a timerfd it does not watch does not end it. */
START_TEST(wait_ends_at_the_earliest)
{
    struct pollfd p;
    int watched, other, efd;

    sim_start(1);
    watched = new_timerfd(CLOCK_MONOTONIC);
    other = new_timerfd(CLOCK_MONOTONIC);
    efd = eventfd(0, EFD_NONBLOCK);
    set_ms(watched, 0, 50, 0);
    p = (struct pollfd){ .fd = watched, .events = POLLIN };
    ck_assert_int_eq(poll(&p, 1, 10), 0);
    ck_assert_int_eq(sim_now_ns(), 10 * MS);
    ck_assert_int_eq(poll(&p, 1, 100), 1);
    ck_assert_int_eq(sim_now_ns(), 50 * MS);
    set_ms(other, 0, 5, 0);
    p = (struct pollfd){ .fd = efd, .events = POLLIN };
    ck_assert_int_eq(poll(&p, 1, 20), 0);
    ck_assert_int_eq(sim_now_ns(), 70 * MS);
    ck_assert_int_eq(expirations(other), 1);
    close(efd);
    close(other);
    close(watched);
    sim_stop();
}
END_TEST

/* A new setting drops what was not read; 0 disarms; old_value reports
 * the setting it replaces. */
START_TEST(settime_resets_and_disarms)
{
    struct itimerspec v = spec_ms(0, 0), old;
    int fd;

    sim_start(1);
    fd = new_timerfd(CLOCK_MONOTONIC);
    set_ms(fd, 0, 10, 0);
    sim_sleep_ms(20);
    set_ms(fd, 0, 40, 15);
    ck_assert_int_eq(expirations(fd), -1);
    ck_assert_int_eq(timerfd_settime(fd, 0, &v, &old), 0);
    ck_assert_int_eq(old.it_value.tv_nsec, 40 * MS);
    ck_assert_int_eq(old.it_interval.tv_nsec, 15 * MS);
    ck_assert_int_eq(left_ns(fd), 0);
    sim_sleep_ms(100);
    ck_assert_int_eq(expirations(fd), -1);
    set_ms(fd, TFD_TIMER_ABSTIME, 1, 0);    /* long past: at once */
    ck_assert_int_eq(expirations(fd), 1);
    close(fd);
    sim_stop();
}
END_TEST

/* CLOCK_REALTIME: an absolute expiry follows a step of the wall clock, a
 * relative one does not (Linux counts it on the monotonic clock). */
START_TEST(realtime_steps)
{
    int abs_fd, rel_fd;
    struct timespec wall;

    sim_start(1);
    abs_fd = new_timerfd(CLOCK_REALTIME);
    rel_fd = new_timerfd(CLOCK_REALTIME);
    clock_gettime(CLOCK_REALTIME, &wall);
    set_ms(abs_fd, TFD_TIMER_ABSTIME, (int64_t)wall.tv_sec * 1000 + 1000, 0);
    set_ms(rel_fd, 0, 1000, 0);
    sim_step_wall_clock(500);
    sim_sleep_ms(500);
    ck_assert_int_eq(expirations(abs_fd), 1);
    ck_assert_int_eq(expirations(rel_fd), -1);
    sim_sleep_ms(500);
    ck_assert_int_eq(expirations(rel_fd), 1);
    close(abs_fd);
    close(rel_fd);
    sim_stop();
}
END_TEST

/* close() forgets the timerfd: the number's next file is left alone. */
START_TEST(close_forgets)
{
    int fd, again;

    sim_start(1);
    fd = new_timerfd(CLOCK_MONOTONIC);
    set_ms(fd, 0, 10, 0);
    close(fd);
    ck_assert(!sim__timerfd_is(fd));
    again = eventfd(0, EFD_NONBLOCK);
    ck_assert_int_eq(again, fd);
    sim_sleep_ms(20);
    ck_assert_int_eq(expirations(again), -1);
    ck_assert_int_eq(sim__timerfd_next_ns(), INT64_MAX);
    close(again);
    sim_stop();
}
END_TEST

/* A child made with vfork(2) shares the table: the fds it closes before
 * its exec are its own, and the parent's timerfd stays virtual. */
START_TEST(vfork_child_close_forgets_nothing)
{
    int fd, status;
    pid_t pid;

    sim_start(1);
    fd = new_timerfd(CLOCK_MONOTONIC);
    set_ms(fd, 0, 10, 0);
    pid = vfork();
    if (pid == 0) {
        close(fd);
        _exit(0);
    }
    ck_assert_int_gt(pid, 0);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(sim__timerfd_is(fd));
    sim_sleep_ms(20);
    ck_assert_int_eq(expirations(fd), 1);
    close(fd);
    sim_stop();
}
END_TEST

/* What timerfd_create(2) and timerfd_settime(2) refuse, and timerfds
 * made outside a simulation, which are the kernel's. */
START_TEST(errors_and_real_timerfds)
{
    struct itimerspec bad = spec_ms(10, 0);
    struct pollfd p;
    int fd;

    sim_start(1);
    errno = 0;
    ck_assert_int_eq(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), -1);
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(timerfd_create(CLOCK_MONOTONIC, 0x4), -1);
    ck_assert_int_eq(errno, EINVAL);
    fd = new_timerfd(CLOCK_MONOTONIC);
    bad.it_value.tv_nsec = 1000000000;
    ck_assert_int_eq(timerfd_settime(fd, 0, &bad, NULL), -1);
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(timerfd_settime(fd, 0x8, &bad, NULL), -1);
    ck_assert_int_eq(errno, EINVAL);
    close(fd);
    sim_stop();
    fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    ck_assert_int_ge(fd, 0);
    ck_assert(!sim__timerfd_is(fd));
    set_ms(fd, 0, 1, 0);
    p = (struct pollfd){ .fd = fd, .events = POLLIN };
    ck_assert_int_eq(poll(&p, 1, 1000), 1);
    ck_assert_int_eq(expirations(fd), 1);
    close(fd);
}
END_TEST

/* The same program gives the same expiries, whatever real time does. */
START_TEST(deterministic_expiries)
{
    int64_t at[2][4];

    for (int run = 0; run < 2; run++) {
        struct pollfd p;
        int fd;

        sim_start(3);
        fd = new_timerfd(CLOCK_MONOTONIC);
        set_ms(fd, 0, 7, 3);
        p = (struct pollfd){ .fd = fd, .events = POLLIN };
        for (int k = 0; k < 4; k++) {
            ck_assert_int_eq(poll(&p, 1, -1), 1);
            at[run][k] = sim_now_ns();
            ck_assert_int_eq(expirations(fd), 1);
        }
        close(fd);
        sim_stop();
    }
    for (int k = 0; k < 4; k++) {
        ck_assert_int_eq(at[0][k], at[1][k]);
        ck_assert_int_eq(at[0][k], (7 + 3 * k) * MS);
    }
}
END_TEST

/* In a simulation in real time a timerfd is sim's too, on the real
 * clocks: a wait with no timeout on it ends at its expiry, in real time,
 * instead of being judged idle. */
START_TEST(real_time_expiry)
{
    struct pollfd p;
    int64_t t0;
    int fd;

    sim_start_realtime(1);
    fd = new_timerfd(CLOCK_MONOTONIC);
    set_ms(fd, 0, 20, 0);
    t0 = sim_now_ns();
    p = (struct pollfd){ .fd = fd, .events = POLLIN };
    ck_assert_int_eq(poll(&p, 1, -1), 1);
    ck_assert_int_ge(sim_now_ns() - t0, 20 * MS);
    ck_assert_int_eq(expirations(fd), 1);
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    close(fd);
    sim_stop();
}
END_TEST

/* A wait that a timerfd's expiry ends is worth no more than up to that
 * expiry: what the machine adds after it (here a step that holds the loop
 * thread 40 ms) is the machine's time (sim_late_ns()), as for a wait
 * that overruns its timeout. */
static void hold_40ms(void *arg)
{
    struct timespec ts = { 0, 40 * 1000000L };

    (void)arg;
    nanosleep(&ts, NULL);
}

START_TEST(real_time_expiry_late_is_machine_time)
{
    struct pollfd p;
    int64_t t;
    int fd;

    sim_start_realtime(1);
    sim_set_watchdog_ms(2000);
    fd = new_timerfd(CLOCK_MONOTONIC);
    set_ms(fd, 0, 20, 0);
    sim_at_thread(10, hold_40ms, NULL, "hold the loop 40 ms", SIM_NO_WAKE);
    p = (struct pollfd){ .fd = fd, .events = POLLIN };
    ck_assert_int_eq(poll(&p, 1, -1), 1);
    t = sim_now_ns();           /* 50 ms or more, or the machine held the wait */
    ck_assert_msg(sim_late_ns() >= t - 21 * MS, "late %lld ns at %lld ns",
                  (long long)sim_late_ns(), (long long)t);
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    close(fd);
    sim_stop();
}
END_TEST

static void nothing(void *arg)
{
    (void)arg;
}

/* A wait with no timeout on an epoll set that holds, through a second
 * set, a timerfd armed at 100 ms ends there by itself: another thread's
 * change due after that needs no wake-up, one due before it does.  The
 * watchdog is what a busy machine may take to run the change's thread
 * where none is missed; where one is, the run waits it out. */
static enum sim_verdict change_during_timerfd_wait(int64_t wake_by_ms, int watchdog_ms)
{
    struct epoll_event ev = { .events = EPOLLIN }, out[2];
    int fd, inner, outer;
    enum sim_verdict v;

    sim_start(1);
    sim_set_watchdog_ms(watchdog_ms);
    fd = new_timerfd(CLOCK_MONOTONIC);
    inner = epoll_create1(EPOLL_CLOEXEC);
    outer = epoll_create1(EPOLL_CLOEXEC);
    ck_assert_int_eq(epoll_ctl(inner, EPOLL_CTL_ADD, fd, &ev), 0);
    ck_assert_int_eq(epoll_ctl(outer, EPOLL_CTL_ADD, inner, &ev), 0);
    set_ms(fd, 0, 100, 0);
    sim_at_thread(50, nothing, NULL, "a change", wake_by_ms);
    if (epoll_wait(outer, out, 2, -1) == 1)
        ck_assert_int_eq(sim_now_ns(), 100 * MS);
    v = sim_verdict();
    close(outer);
    close(inner);
    close(fd);
    sim_stop();
    return v;
}

START_TEST(watched_expiry_ends_the_wait)
{
    ck_assert_int_eq(change_during_timerfd_wait(150, 2000), SIM_OK);
    ck_assert_int_eq(change_during_timerfd_wait(80, 500), SIM_NO_WAKEUP);
}
END_TEST

Suite *timerfd_suite(void)
{
    Suite *s = suite_create("timerfd");

    add_test(s, relative_one_shot);
    add_test(s, interval_counts_periods);
    add_test(s, absolute_through_epoll);
    add_test(s, wait_ends_at_the_earliest);
    add_test(s, settime_resets_and_disarms);
    add_test(s, realtime_steps);
    add_test(s, close_forgets);
    add_test(s, vfork_child_close_forgets_nothing);
    add_test(s, errors_and_real_timerfds);
    add_test(s, deterministic_expiries);
    add_test(s, watched_expiry_ends_the_wait);
    add_test(s, real_time_expiry);
    add_test(s, real_time_expiry_late_is_machine_time);
    return s;
}
