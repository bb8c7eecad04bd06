/*
 * test_interpose.c - every interposed function: the clocks read virtual
 * time during a simulation, the waits wait in virtual time on the loop
 * thread, and everything passes straight through to libc after the
 * simulation and, for the waits, on other threads.
 *
 * The functions are called by name here, so they bind to the executable's
 * own definitions (sim/interpose.o), exactly as libvirt's or GLib's calls
 * do.  Real time is read through sim__libc(), which is never virtual.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "suites.h"
#include "support.h"

#define NS_PER_S INT64_C(1000000000)

static int64_t ts_ns(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * NS_PER_S + ts->tv_nsec;
}

/* Real time on clock c, whatever the simulation does. */
static int64_t real_ns(clockid_t c)
{
    struct timespec ts;

    sim__libc()->clock_gettime(c, &ts);
    return ts_ns(&ts);
}

static double real_ms(void)
{
    return real_ns(CLOCK_MONOTONIC) / 1e6;
}

/* What the interposed clock_gettime() says, in ns. */
static int64_t interposed_ns(clockid_t c)
{
    struct timespec ts = { -1, -1 };

    ck_assert_msg(clock_gettime(c, &ts) == 0, "clock_gettime(%d): %s", (int)c,
                  strerror(errno));
    ck_assert_msg(ts.tv_nsec >= 0 && ts.tv_nsec < NS_PER_S,
                  "clock %d: tv_nsec %ld out of range", (int)c, ts.tv_nsec);
    return ts_ns(&ts);
}

/* ---- the clocks ---- */

struct clock_case {
    clockid_t id;
    const char *name;
};

static const struct clock_case monotonic_clocks[] = {
    { CLOCK_MONOTONIC, "CLOCK_MONOTONIC" },
    { CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW" },
    { CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE" },
    { CLOCK_BOOTTIME, "CLOCK_BOOTTIME" },
};

static const struct clock_case realtime_clocks[] = {
    { CLOCK_REALTIME, "CLOCK_REALTIME" },
    { CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE" },
    { CLOCK_TAI, "CLOCK_TAI" },
};

static void assert_clocks_at(const struct clock_case *clocks, size_t n,
                             int64_t base, const char *when)
{
    for (size_t i = 0; i < n; i++) {
        int64_t expected = base + sim_now_ns(), got = interposed_ns(clocks[i].id);

        ck_assert_msg(got == expected, "%s %s: expected %lld ns, got %lld ns",
                      clocks[i].name, when, (long long)expected, (long long)got);
    }
}

/* During a simulation every monotonic clock (also _RAW, _COARSE and
 * BOOTTIME, which loops and GLib use too) reads SIM_MONOTONIC_START_NS plus
 * virtual time, to the nanosecond: 1000 s at the start, 1001.5 s after
 * sim_sleep_ms(1500). */
START_TEST(clock_monotonic_family_virtual)
{
    size_t n = sizeof(monotonic_clocks) / sizeof(monotonic_clocks[0]);

    sim_start(1);
    assert_clocks_at(monotonic_clocks, n, SIM_MONOTONIC_START_NS, "at the start");
    ck_assert_int_eq(interposed_ns(CLOCK_MONOTONIC), 1000 * NS_PER_S);
    sim_sleep_ms(1500);
    assert_clocks_at(monotonic_clocks, n, SIM_MONOTONIC_START_NS, "after 1.5 s");
    ck_assert_int_eq(interposed_ns(CLOCK_MONOTONIC), 1001 * NS_PER_S + 500000000);
    sim_stop();
}
END_TEST

/* The wall clocks (REALTIME, _COARSE, TAI) read SIM_REALTIME_START_NS
 * (2026-01-01) plus virtual time, and move exactly 1.5 s with it. */
START_TEST(clock_realtime_family_virtual)
{
    size_t n = sizeof(realtime_clocks) / sizeof(realtime_clocks[0]);

    sim_start(1);
    assert_clocks_at(realtime_clocks, n, SIM_REALTIME_START_NS, "at the start");
    sim_sleep_ms(1500);
    assert_clocks_at(realtime_clocks, n, SIM_REALTIME_START_NS, "after 1.5 s");
    ck_assert_int_eq(interposed_ns(CLOCK_REALTIME),
                     SIM_REALTIME_START_NS + 1500 * SIM_NS_PER_MS);
    sim_stop();
}
END_TEST

/* CPU-time clocks measure work, not waiting: they stay real during a
 * simulation (each reading lies between two real readings around it) and
 * do not jump with virtual time. */
START_TEST(clock_cputime_real)
{
    static const struct clock_case cpu[] = {
        { CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID" },
        { CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID" },
    };

    sim_start(1);
    for (size_t i = 0; i < 2; i++) {
        int64_t before = real_ns(cpu[i].id);
        int64_t got = interposed_ns(cpu[i].id);
        int64_t after = real_ns(cpu[i].id), later;

        ck_assert_msg(before <= got && got <= after, "%s during a simulation: "
                      "%lld ns, not between the real %lld and %lld",
                      cpu[i].name, (long long)got, (long long)before,
                      (long long)after);
        sim_sleep_ms(1500);
        later = interposed_ns(cpu[i].id);
        ck_assert_msg(later - got < NS_PER_S, "%s moved %lld ns with 1.5 s of "
                      "virtual time", cpu[i].name, (long long)(later - got));
    }
    sim_stop();
}
END_TEST

/* gettimeofday() is the virtual wall clock in microseconds: 2026-01-01
 * 00:00:00.000000 at the start, .500000 one and a half seconds later. */
START_TEST(gettimeofday_virtual)
{
    struct timeval tv = { -1, -1 };

    sim_start(1);
    ck_assert_int_eq(gettimeofday(&tv, NULL), 0);
    ck_assert_int_eq(tv.tv_sec, SIM_REALTIME_START_NS / NS_PER_S);
    ck_assert_int_eq(tv.tv_usec, 0);
    sim_sleep_ms(1500);
    ck_assert_int_eq(gettimeofday(&tv, NULL), 0);
    ck_assert_int_eq(tv.tv_sec, SIM_REALTIME_START_NS / NS_PER_S + 1);
    ck_assert_int_eq(tv.tv_usec, 500000);
    sim_stop();
}
END_TEST

/* time() is the virtual wall clock in whole seconds, truncated (1.5 s in
 * is still +1), returned and stored through its argument. */
START_TEST(time_virtual)
{
    time_t start = (time_t)(SIM_REALTIME_START_NS / NS_PER_S), out = 0;

    sim_start(1);
    ck_assert_int_eq(time(NULL), start);
    sim_sleep_ms(1500);
    ck_assert_int_eq(time(&out), start + 1);
    ck_assert_int_eq(out, start + 1);
    sim_sleep_ms(500);
    ck_assert_int_eq(time(NULL), start + 2);
    sim_stop();
}
END_TEST

/* The clocks are virtual on every thread of a simulation, not only the
 * loop thread: a change made from another thread (virEventUpdateTimeout in
 * a sim_at_thread action) computes its deadline from the clock of the
 * thread that makes it, and that deadline must be in the loop's time
 * (test_threads.c depends on this). */
struct clock_reading {
    int64_t mono, real;
    struct timeval tv;
    time_t t;
};

static void *read_clocks(void *arg)
{
    struct clock_reading *r = arg;
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    r->mono = ts_ns(&ts);
    clock_gettime(CLOCK_REALTIME, &ts);
    r->real = ts_ns(&ts);
    gettimeofday(&r->tv, NULL);
    r->t = time(NULL);
    return NULL;
}

START_TEST(clocks_virtual_on_other_threads)
{
    struct clock_reading r;
    pthread_t tid;
    int64_t wall = SIM_REALTIME_START_NS + 2500 * SIM_NS_PER_MS;

    sim_start(1);
    sim_sleep_ms(2500);
    ck_assert_int_eq(pthread_create(&tid, NULL, read_clocks, &r), 0);
    ck_assert_int_eq(pthread_join(tid, NULL), 0);
    sim_stop();
    ck_assert_msg(r.mono == SIM_MONOTONIC_START_NS + 2500 * SIM_NS_PER_MS,
                  "CLOCK_MONOTONIC on another thread: expected %lld, got %lld",
                  (long long)(SIM_MONOTONIC_START_NS + 2500 * SIM_NS_PER_MS),
                  (long long)r.mono);
    ck_assert_msg(r.real == wall, "CLOCK_REALTIME on another thread: expected "
                  "%lld, got %lld", (long long)wall, (long long)r.real);
    ck_assert_int_eq(r.tv.tv_sec, wall / NS_PER_S);
    ck_assert_int_eq(r.tv.tv_usec, 500000);
    ck_assert_int_eq(r.t, wall / NS_PER_S);
}
END_TEST

/* After sim_stop every clock is the real one again: each reading lies
 * between two real readings taken around it (the virtual values, 1000 s of
 * monotonic time and 2026 of wall time, would not). */
START_TEST(clocks_real_after_stop)
{
    static const struct clock_case all[] = {
        { CLOCK_MONOTONIC, "CLOCK_MONOTONIC" },
        { CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW" },
        { CLOCK_BOOTTIME, "CLOCK_BOOTTIME" },
        { CLOCK_REALTIME, "CLOCK_REALTIME" },
    };
    struct timeval tv0, tv, tv1;
    time_t t0, t, t1;

    sim_start(1);
    sim_sleep_ms(1500);
    sim_stop();
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        int64_t before = real_ns(all[i].id);
        int64_t got = interposed_ns(all[i].id);
        int64_t after = real_ns(all[i].id);

        ck_assert_msg(before <= got && got <= after, "%s after sim_stop: %lld "
                      "ns, not between the real %lld and %lld", all[i].name,
                      (long long)got, (long long)before, (long long)after);
    }
    sim__libc()->gettimeofday(&tv0, NULL);
    gettimeofday(&tv, NULL);
    sim__libc()->gettimeofday(&tv1, NULL);
    ck_assert_msg(timercmp(&tv0, &tv, <=) && timercmp(&tv, &tv1, <=),
                  "gettimeofday after sim_stop: %lld.%06ld, not between the "
                  "real %lld.%06ld and %lld.%06ld", (long long)tv.tv_sec,
                  (long)tv.tv_usec, (long long)tv0.tv_sec, (long)tv0.tv_usec,
                  (long long)tv1.tv_sec, (long)tv1.tv_usec);
    t0 = sim__libc()->time(NULL);
    t = time(NULL);
    t1 = sim__libc()->time(NULL);
    ck_assert_msg(t0 <= t && t <= t1, "time after sim_stop: %lld, not between "
                  "the real %lld and %lld", (long long)t, (long long)t0,
                  (long long)t1);
}
END_TEST

/* ---- the waits ---- */

enum wait_fn { W_POLL, W_PPOLL, W_SELECT, W_PSELECT, W_EPOLL_WAIT, W_EPOLL_PWAIT };

static const char *const wait_names[] = {
    "poll", "ppoll", "select", "pselect", "epoll_wait", "epoll_pwait",
};

#define EPOLL_TAG UINT64_C(0x5151feed)

/* Wait with fn for fd to become readable, timeout_ms as fn takes it (a
 * timespec or timeval for ppoll, select and pselect; NULL for -1).  Returns
 * fn's result, or -2 if the epoll fd could not be set up; *readable says
 * whether fn reported fd readable (for select: the fd is in the set it
 * returned; for epoll: the event returned is fd's, with EPOLLIN).  Calls no
 * ck_assert: it also runs on threads of its own. */
static int wait_readable(enum wait_fn fn, int fd, int timeout_ms, bool *readable)
{
    struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000 };
    struct timeval tv = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000 };
    const struct timespec *tsp = timeout_ms < 0 ? NULL : &ts;
    struct timeval *tvp = timeout_ms < 0 ? NULL : &tv;
    struct pollfd p = { .fd = fd, .events = POLLIN };
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EPOLL_TAG }, out[4];
    fd_set r;
    int rc = -2, epfd;

    *readable = false;
    switch (fn) {
    case W_POLL:
    case W_PPOLL:
        rc = fn == W_POLL ? poll(&p, 1, timeout_ms) : ppoll(&p, 1, tsp, NULL);
        *readable = rc == 1 && (p.revents & POLLIN);
        break;
    case W_SELECT:
    case W_PSELECT:
        FD_ZERO(&r);
        FD_SET(fd, &r);
        rc = fn == W_SELECT ? select(fd + 1, &r, NULL, NULL, tvp)
                            : pselect(fd + 1, &r, NULL, NULL, tsp, NULL);
        *readable = FD_ISSET(fd, &r);   /* cleared by a timeout */
        break;
    case W_EPOLL_WAIT:
    case W_EPOLL_PWAIT:
        epfd = epoll_create1(EPOLL_CLOEXEC);
        if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
            return -2;
        rc = fn == W_EPOLL_WAIT ? epoll_wait(epfd, out, 4, timeout_ms)
                                : epoll_pwait(epfd, out, 4, timeout_ms, NULL);
        *readable = rc == 1 && out[0].data.u64 == EPOLL_TAG &&
                    (out[0].events & EPOLLIN);
        close(epfd);
        break;
    }
    return rc;
}

static struct sim_fd wait_fd;

static void make_wait_fd_readable(void *arg)
{
    (void)arg;
    sim_fd_make_readable(&wait_fd, 1);
}

/* Nothing ready, a 250 ms timeout (ppoll and pselect: a timespec of
 * 0.25 s; select: a timeval): the wait returns 0 and reports nothing, the
 * virtual clock moved exactly 250 ms, and the real time it took is tiny
 * (the bound, half the timeout, only separates virtual from real waiting). */
static void timeout_is_virtual(enum wait_fn fn)
{
    double t0, elapsed;
    int64_t now;
    bool readable;
    int rc;

    ck_assert_int_eq(sim_fd_pipe(&wait_fd), 0);
    t0 = real_ms();
    sim_start(1);
    rc = wait_readable(fn, wait_fd.fd, 250, &readable);
    now = sim_now_ns();
    sim_stop();
    elapsed = real_ms() - t0;
    ck_assert_msg(rc == 0 && !readable, "%s: expected 0, nothing ready; got %d "
                  "(%s), readable=%d", wait_names[fn], rc, strerror(errno),
                  readable);
    ck_assert_msg(now == 250 * SIM_NS_PER_MS, "%s: virtual time after a 250 ms "
                  "timeout: expected %lld ns, got %lld ns", wait_names[fn],
                  (long long)(250 * SIM_NS_PER_MS), (long long)now);
    ck_assert_msg(elapsed < 125, "%s: a 250 ms virtual wait took %.1f ms of "
                  "real time", wait_names[fn], elapsed);
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    sim_fd_close(&wait_fd);
}

/* An fd already readable: the wait returns it at once (1, the fd reported
 * readable) without moving the clock, with a timeout and without one (no
 * idle verdict either: something was ready). */
static void ready_at_once(enum wait_fn fn)
{
    bool readable;
    int rc;

    ck_assert_int_eq(sim_fd_pipe(&wait_fd), 0);
    ck_assert_int_eq(sim_fd_make_readable(&wait_fd, 1), 0);
    sim_start(1);
    rc = wait_readable(fn, wait_fd.fd, 250, &readable);
    ck_assert_msg(rc == 1 && readable, "%s: expected the ready fd, got %d, "
                  "readable=%d", wait_names[fn], rc, readable);
    ck_assert_msg(sim_now_ns() == 0, "%s: a ready fd moved the clock to %lld ns",
                  wait_names[fn], (long long)sim_now_ns());
    rc = wait_readable(fn, wait_fd.fd, -1, &readable);
    ck_assert_msg(rc == 1 && readable, "%s (no timeout): expected the ready fd, "
                  "got %d, readable=%d", wait_names[fn], rc, readable);
    ck_assert_int_eq(sim_now_ns(), 0);
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    sim_stop();
    sim_fd_close(&wait_fd);
}

/* A scheduled event that makes the fd readable ends the wait at its time:
 * an event at 100 ms ends a 1000 ms wait at exactly 100 ms with the fd
 * ready; an event at 800 ms ends a wait without timeout at exactly 800 ms. */
static void event_ends_wait(enum wait_fn fn)
{
    bool readable;
    int rc;

    ck_assert_int_eq(sim_fd_pipe(&wait_fd), 0);
    sim_start(1);
    sim_at(100, make_wait_fd_readable, NULL, "make readable");
    rc = wait_readable(fn, wait_fd.fd, 1000, &readable);
    ck_assert_msg(rc == 1 && readable, "%s: expected the fd made ready at "
                  "100 ms, got %d, readable=%d", wait_names[fn], rc, readable);
    ck_assert_msg(sim_now_ns() == 100 * SIM_NS_PER_MS, "%s: the wait ended at "
                  "%lld ns, expected the event's 100 ms", wait_names[fn],
                  (long long)sim_now_ns());
    ck_assert_int_eq(sim_fd_drain(&wait_fd), 0);
    sim_at(800, make_wait_fd_readable, NULL, "make readable");
    rc = wait_readable(fn, wait_fd.fd, -1, &readable);
    ck_assert_msg(rc == 1 && readable, "%s (no timeout): expected the fd made "
                  "ready at 800 ms, got %d, readable=%d", wait_names[fn], rc,
                  readable);
    ck_assert_msg(sim_now_ns() == 800 * SIM_NS_PER_MS, "%s (no timeout): the "
                  "wait ended at %lld ns, expected 800 ms", wait_names[fn],
                  (long long)sim_now_ns());
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    sim_stop();
    sim_fd_close(&wait_fd);
}

/* A wait without timeout with nothing ready and nothing scheduled can never
 * end: it fails at once with EINTR (no kernel returns 0 from such a wait)
 * with the verdict idle, and the clock stays.
 * Once the simulation has failed, a later wait with a timeout returns at
 * once too, so a failed run cannot hang or wander off in time. */
static void forever_is_idle(enum wait_fn fn)
{
    bool readable;
    int rc;

    ck_assert_int_eq(sim_fd_pipe(&wait_fd), 0);
    sim_start(1);
    errno = 0;
    rc = wait_readable(fn, wait_fd.fd, -1, &readable);
    ck_assert_msg(rc == -1 && errno == EINTR, "%s: expected -1 (EINTR), got %d (%s)",
                  wait_names[fn], rc, strerrorname_np(errno));
    ck_assert_msg(sim_verdict() == SIM_IDLE, "%s: expected idle, got %s",
                  wait_names[fn], sim_verdict_name(sim_verdict()));
    ck_assert_int_eq(sim_now_ns(), 0);
    rc = wait_readable(fn, wait_fd.fd, 250, &readable);
    ck_assert_int_eq(rc, 0);
    ck_assert_msg(sim_now_ns() == 0, "%s after a failure moved the clock to "
                  "%lld ns", wait_names[fn], (long long)sim_now_ns());
    sim_stop();
    sim_fd_close(&wait_fd);
}

/* After sim_stop the wait is libc's: a 30 ms timeout with nothing ready
 * really takes at least 25 ms (a little slack for coarse timers), returns
 * 0, and leaves sim's clock alone. */
static void real_after_stop(enum wait_fn fn)
{
    double t0, elapsed;
    bool readable;
    int rc;

    ck_assert_int_eq(sim_fd_pipe(&wait_fd), 0);
    sim_start(1);
    sim_sleep_ms(5000);
    sim_stop();
    t0 = real_ms();
    rc = wait_readable(fn, wait_fd.fd, 30, &readable);
    elapsed = real_ms() - t0;
    ck_assert_msg(rc == 0 && !readable, "%s: expected 0, got %d, readable=%d",
                  wait_names[fn], rc, readable);
    ck_assert_msg(elapsed >= 25, "%s after sim_stop: a 30 ms timeout took "
                  "%.1f ms of real time", wait_names[fn], elapsed);
    ck_assert_int_eq(sim_now_ns(), 5000 * SIM_NS_PER_MS);
    sim_fd_close(&wait_fd);
}

/* On a thread other than the loop thread, during a simulation, the wait is
 * libc's too: 30 ms of real time, and virtual time does not move. */
struct thread_wait {
    enum wait_fn fn;
    int rc;
    bool readable;
    double elapsed_ms;
};

static void *wait_on_thread(void *arg)
{
    struct thread_wait *w = arg;
    double t0 = real_ms();

    w->rc = wait_readable(w->fn, wait_fd.fd, 30, &w->readable);
    w->elapsed_ms = real_ms() - t0;
    return NULL;
}

static void real_on_other_thread(enum wait_fn fn)
{
    struct thread_wait w = { fn, -3, false, 0 };
    pthread_t tid;

    ck_assert_int_eq(sim_fd_pipe(&wait_fd), 0);
    sim_start(1);
    ck_assert_int_eq(pthread_create(&tid, NULL, wait_on_thread, &w), 0);
    ck_assert_int_eq(pthread_join(tid, NULL), 0);
    ck_assert_msg(w.rc == 0 && !w.readable, "%s on another thread: expected 0, "
                  "got %d, readable=%d", wait_names[fn], w.rc, w.readable);
    ck_assert_msg(w.elapsed_ms >= 25, "%s on another thread: a 30 ms timeout "
                  "took %.1f ms of real time", wait_names[fn], w.elapsed_ms);
    ck_assert_msg(sim_now_ns() == 0, "%s on another thread moved virtual time "
                  "to %lld ns", wait_names[fn], (long long)sim_now_ns());
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    sim_stop();
    sim_fd_close(&wait_fd);
}

/* An injected failure comes as an errno the call can return: ENOMEM from
 * the poll and select families, EINTR from epoll (which never reports a
 * shortage), EINTR for EAGAIN (no Linux wait reports it), EINTR as is. */
static void fails_as_call_can(enum wait_fn fn)
{
    static const int injected[] = { EINTR, ENOMEM, EAGAIN };
    bool epoll = fn == W_EPOLL_WAIT || fn == W_EPOLL_PWAIT;
    bool readable;

    ck_assert_int_eq(sim_fd_pipe(&wait_fd), 0);
    sim_start(1);
    for (size_t i = 0; i < sizeof(injected) / sizeof(injected[0]); i++) {
        int want = injected[i] == ENOMEM && !epoll ? ENOMEM : EINTR;
        int rc;

        sim_fail_wait(injected[i]);
        errno = 0;
        rc = wait_readable(fn, wait_fd.fd, 100, &readable);
        ck_assert_msg(rc == -1 && errno == want, "%s, %s injected: expected -1 "
                      "(%s), got %d (%s)", wait_names[fn], strerrorname_np(injected[i]),
                      strerrorname_np(want), rc, strerrorname_np(errno));
    }
    sim_stop();
    sim_fd_close(&wait_fd);
}

/* The six scenarios above, one test each, for each wait function. */
#define WAIT_TESTS(name, fn)                                            \
    START_TEST(name##_timeout_is_virtual) { timeout_is_virtual(fn); }   \
    END_TEST                                                            \
    START_TEST(name##_ready_at_once) { ready_at_once(fn); }             \
    END_TEST                                                            \
    START_TEST(name##_event_ends_wait) { event_ends_wait(fn); }         \
    END_TEST                                                            \
    START_TEST(name##_forever_is_idle) { forever_is_idle(fn); }         \
    END_TEST                                                            \
    START_TEST(name##_real_after_stop) { real_after_stop(fn); }         \
    END_TEST                                                            \
    START_TEST(name##_real_on_other_thread) { real_on_other_thread(fn); } \
    END_TEST                                                            \
    START_TEST(name##_fails_as_call_can) { fails_as_call_can(fn); }     \
    END_TEST

#define ADD_WAIT_TESTS(s, name)                                         \
    do {                                                                \
        add_test(s, name##_timeout_is_virtual);                         \
        add_test(s, name##_ready_at_once);                              \
        add_test(s, name##_event_ends_wait);                            \
        add_test(s, name##_forever_is_idle);                            \
        add_test(s, name##_real_after_stop);                            \
        add_test(s, name##_real_on_other_thread);                       \
        add_test(s, name##_fails_as_call_can);                          \
    } while (0)

WAIT_TESTS(poll, W_POLL)
WAIT_TESTS(ppoll, W_PPOLL)
WAIT_TESTS(select, W_SELECT)
WAIT_TESTS(pselect, W_PSELECT)
WAIT_TESTS(epoll_wait, W_EPOLL_WAIT)
WAIT_TESTS(epoll_pwait, W_EPOLL_PWAIT)

/* ---- what select, pselect and epoll report ---- */

/* select in virtual time fills the sets as select(2) does: of two readers
 * (one ready) and two writers (one full) in the read and write sets, and an
 * idle reader in the except set, exactly the ready reader and the writable
 * writer are left, and the count is 2; at once, without moving the clock. */
static void sets_filled(enum wait_fn fn)
{
    struct sim_fd ready, idle, writable, full;
    struct timeval tv = { 0, 250000 };
    struct timespec ts = { 0, 250000000 };
    fd_set r, w, e;
    int nfds, rc;

    ck_assert_int_eq(sim_fd_pipe(&ready), 0);
    ck_assert_int_eq(sim_fd_pipe(&idle), 0);
    ck_assert_int_eq(sim_fd_pipe_writer(&writable), 0);
    ck_assert_int_eq(sim_fd_pipe_writer(&full), 0);
    ck_assert_int_eq(sim_fd_make_readable(&ready, 1), 0);
    ck_assert_int_eq(sim_fd_fill(&full), 0);
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    FD_SET(ready.fd, &r);
    FD_SET(idle.fd, &r);
    FD_SET(writable.fd, &w);
    FD_SET(full.fd, &w);
    FD_SET(idle.fd, &e);
    nfds = 0;
    for (int fd = 0; fd < FD_SETSIZE && fd < 1024; fd++)
        if (FD_ISSET(fd, &r) || FD_ISSET(fd, &w))
            nfds = fd + 1;
    sim_start(1);
    rc = fn == W_SELECT ? select(nfds, &r, &w, &e, &tv)
                        : pselect(nfds, &r, &w, &e, &ts, NULL);
    ck_assert_msg(rc == 2, "%s: expected 2 ready, got %d (%s)", wait_names[fn],
                  rc, strerror(errno));
    ck_assert_msg(FD_ISSET(ready.fd, &r), "%s: the ready reader is not in the "
                  "read set", wait_names[fn]);
    ck_assert_msg(!FD_ISSET(idle.fd, &r), "%s: the idle reader is in the read "
                  "set", wait_names[fn]);
    ck_assert_msg(FD_ISSET(writable.fd, &w), "%s: the writable writer is not in "
                  "the write set", wait_names[fn]);
    ck_assert_msg(!FD_ISSET(full.fd, &w), "%s: the full writer is in the write "
                  "set", wait_names[fn]);
    ck_assert_msg(!FD_ISSET(idle.fd, &e), "%s: the idle reader is in the except "
                  "set", wait_names[fn]);
    for (int fd = 0; fd < nfds; fd++)
        ck_assert_msg((FD_ISSET(fd, &r) ? fd == ready.fd : true) &&
                      (FD_ISSET(fd, &w) ? fd == writable.fd : true) &&
                      !FD_ISSET(fd, &e), "%s: fd %d set but never asked for",
                      wait_names[fn], fd);
    ck_assert_int_eq(sim_now_ns(), 0);
    sim_stop();
    sim_fd_close(&ready);
    sim_fd_close(&idle);
    sim_fd_close(&writable);
    sim_fd_close(&full);
}

START_TEST(select_sets_filled)
{
    sets_filled(W_SELECT);
}
END_TEST

START_TEST(pselect_sets_filled)
{
    sets_filled(W_PSELECT);
}
END_TEST

/* select(2) on a closed fd fails with EBADF, also when another fd in the
 * set is ready; in virtual time too, at once, without moving the clock. */
static void closed_fd_ebadf(enum wait_fn fn)
{
    struct sim_fd closed, ready;
    struct timeval tv = { 0, 250000 };
    struct timespec ts = { 0, 250000000 };
    fd_set r;
    int rc, nfds;

    ck_assert_int_eq(sim_fd_pipe(&closed), 0);
    ck_assert_int_eq(sim_fd_pipe(&ready), 0);
    ck_assert_int_eq(sim_fd_make_readable(&ready, 1), 0);
    ck_assert_int_eq(sim_fd_close_behind(&closed), 0);
    nfds = (closed.fd > ready.fd ? closed.fd : ready.fd) + 1;
    sim_start(1);
    for (int with_ready = 0; with_ready <= 1; with_ready++) {
        FD_ZERO(&r);
        FD_SET(closed.fd, &r);
        if (with_ready)
            FD_SET(ready.fd, &r);
        errno = 0;
        rc = fn == W_SELECT ? select(nfds, &r, NULL, NULL, &tv)
                            : pselect(nfds, &r, NULL, NULL, &ts, NULL);
        ck_assert_msg(rc == -1 && errno == EBADF, "%s on a closed fd%s: "
                      "expected -1 EBADF, got %d (%s)", wait_names[fn],
                      with_ready ? " and a ready one" : "", rc, strerror(errno));
    }
    ck_assert_int_eq(sim_now_ns(), 0);
    sim_stop();
    closed.fd = -1;            /* already closed; the number may be reused */
    sim_fd_close(&closed);
    sim_fd_close(&ready);
}

START_TEST(select_closed_fd_ebadf)
{
    closed_fd_ebadf(W_SELECT);
}
END_TEST

START_TEST(pselect_closed_fd_ebadf)
{
    closed_fd_ebadf(W_PSELECT);
}
END_TEST

/* poll(2) reports a closed fd as POLLNVAL rather than failing; so does the
 * virtual poll, at once. */
START_TEST(poll_closed_fd_pollnval)
{
    struct sim_fd f;
    struct pollfd p;
    int rc;

    ck_assert_int_eq(sim_fd_pipe(&f), 0);
    ck_assert_int_eq(sim_fd_close_behind(&f), 0);
    p = (struct pollfd){ .fd = f.fd, .events = POLLIN };
    sim_start(1);
    rc = poll(&p, 1, 250);
    ck_assert_int_eq(rc, 1);
    ck_assert_int_eq(p.revents, POLLNVAL);
    ck_assert_int_eq(sim_now_ns(), 0);
    sim_stop();
    f.fd = -1;
    sim_fd_close(&f);
}
END_TEST

/* epoll in virtual time returns each ready fd's event with its own data,
 * and only those: two ready pipes and an idle one give 2 events, the two
 * tags, both EPOLLIN. */
static void epoll_events(enum wait_fn fn)
{
    struct sim_fd f[3];
    struct epoll_event out[8];
    int epfd, rc;
    bool seen[3] = { false, false, false };

    epfd = epoll_create1(EPOLL_CLOEXEC);
    ck_assert_int_ge(epfd, 0);
    for (int i = 0; i < 3; i++) {
        struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 100 + i };

        ck_assert_int_eq(sim_fd_pipe(&f[i]), 0);
        ck_assert_int_eq(epoll_ctl(epfd, EPOLL_CTL_ADD, f[i].fd, &ev), 0);
    }
    ck_assert_int_eq(sim_fd_make_readable(&f[0], 1), 0);
    ck_assert_int_eq(sim_fd_make_readable(&f[2], 1), 0);
    sim_start(1);
    rc = fn == W_EPOLL_WAIT ? epoll_wait(epfd, out, 8, 250)
                            : epoll_pwait(epfd, out, 8, 250, NULL);
    ck_assert_msg(rc == 2, "%s: expected 2 events, got %d", wait_names[fn], rc);
    for (int i = 0; i < rc; i++) {
        uint64_t tag = out[i].data.u64;

        ck_assert_msg(tag == 100 || tag == 102, "%s: event for tag %llu, which "
                      "is not ready", wait_names[fn], (unsigned long long)tag);
        ck_assert_msg(out[i].events == EPOLLIN, "%s: events %#x, expected "
                      "EPOLLIN", wait_names[fn], out[i].events);
        seen[tag - 100] = true;
    }
    ck_assert_msg(seen[0] && seen[2], "%s: an event reported twice",
                  wait_names[fn]);
    ck_assert_int_eq(sim_now_ns(), 0);
    sim_stop();
    close(epfd);
    for (int i = 0; i < 3; i++)
        sim_fd_close(&f[i]);
}

START_TEST(epoll_wait_events)
{
    epoll_events(W_EPOLL_WAIT);
}
END_TEST

START_TEST(epoll_pwait_events)
{
    epoll_events(W_EPOLL_PWAIT);
}
END_TEST

/* ---- timeouts that are not whole milliseconds ---- */

/* A timespec or timeval timeout below a millisecond waits 1 ms of virtual
 * time, not 0 (which would make a loop that asked for 1 µs spin), and
 * 0.2505 s waits 251 ms: rounded up, so a loop never wakes before its
 * deadline.  A zero timeout returns at once without moving the clock. */
START_TEST(sub_ms_timeouts_round_up)
{
    struct timespec one_ns = { 0, 1 }, ts_2505 = { 0, 250500000 }, zero = { 0, 0 };
    struct timeval one_us = { 0, 1 }, tv_zero = { 0, 0 };
    struct pollfd p;
    fd_set r;

    ck_assert_int_eq(sim_fd_pipe(&wait_fd), 0);
    p = (struct pollfd){ .fd = wait_fd.fd, .events = POLLIN };
    sim_start(1);
    ck_assert_int_eq(ppoll(&p, 1, &one_ns, NULL), 0);
    ck_assert_int_eq(sim_now_ns(), 1 * SIM_NS_PER_MS);
    ck_assert_int_eq(ppoll(&p, 1, &ts_2505, NULL), 0);
    ck_assert_int_eq(sim_now_ns(), 252 * SIM_NS_PER_MS);
    FD_ZERO(&r);
    FD_SET(wait_fd.fd, &r);
    ck_assert_int_eq(select(wait_fd.fd + 1, &r, NULL, NULL, &one_us), 0);
    ck_assert_int_eq(sim_now_ns(), 253 * SIM_NS_PER_MS);
    FD_SET(wait_fd.fd, &r);
    ck_assert_int_eq(pselect(wait_fd.fd + 1, &r, NULL, NULL, &one_ns, NULL), 0);
    ck_assert_int_eq(sim_now_ns(), 254 * SIM_NS_PER_MS);
    ck_assert_int_eq(ppoll(&p, 1, &zero, NULL), 0);
    ck_assert_int_eq(poll(&p, 1, 0), 0);
    FD_SET(wait_fd.fd, &r);
    ck_assert_int_eq(select(wait_fd.fd + 1, &r, NULL, NULL, &tv_zero), 0);
    ck_assert_int_eq(sim_now_ns(), 254 * SIM_NS_PER_MS);
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    sim_stop();
    sim_fd_close(&wait_fd);
}
END_TEST

/* ---- sim_poll itself ---- */

/* sim_poll on the loop thread with no timeout, nothing ready and nothing
 * scheduled: fails at once with EINTR, and the verdict is idle with a
 * detail that says why. */
START_TEST(sim_poll_forever_is_idle)
{
    struct pollfd p;
    double t0, elapsed;
    int rc;

    ck_assert_int_eq(sim_fd_pipe(&wait_fd), 0);
    p = (struct pollfd){ .fd = wait_fd.fd, .events = POLLIN };
    t0 = real_ms();
    sim_start(1);
    ck_assert(sim_is_loop_thread());
    rc = sim_poll(&p, 1, -1);
    ck_assert_int_eq(rc, -1);
    ck_assert_int_eq(errno, EINTR);
    ck_assert_int_eq(sim_verdict(), SIM_IDLE);
    ck_assert_ptr_nonnull(strstr(sim_verdict_detail(), "nothing can ever happen"));
    ck_assert_int_eq(sim_now_ns(), 0);
    sim_stop();
    elapsed = real_ms() - t0;
    ck_assert_msg(elapsed < 1000, "an idle wait took %.0f ms of real time",
                  elapsed);
    sim_fd_close(&wait_fd);
}
END_TEST

/* A step of the wall clock moves CLOCK_REALTIME, gettimeofday and time,
 * back or forward, and leaves the monotonic clock and virtual time alone. */
START_TEST(wall_clock_steps_alone)
{
    struct timespec mono0, wall0, mono1, wall1;
    struct timeval tv;

    sim_start(1);
    clock_gettime(CLOCK_MONOTONIC, &mono0);
    clock_gettime(CLOCK_REALTIME, &wall0);
    sim_step_wall_clock(-3600000);
    clock_gettime(CLOCK_MONOTONIC, &mono1);
    clock_gettime(CLOCK_REALTIME, &wall1);
    gettimeofday(&tv, NULL);
    ck_assert_int_eq(mono1.tv_sec, mono0.tv_sec);
    ck_assert_int_eq(mono1.tv_nsec, mono0.tv_nsec);
    ck_assert_int_eq(wall1.tv_sec, wall0.tv_sec - 3600);
    ck_assert_int_eq(tv.tv_sec, wall0.tv_sec - 3600);
    ck_assert_int_eq(time(NULL), wall0.tv_sec - 3600);
    sim_step_wall_clock(7200000);
    ck_assert_int_eq(time(NULL), wall0.tv_sec + 3600);
    ck_assert_int_eq(sim_now_ns(), 0);
    sim_stop();
}
END_TEST

/* With perturbation, some 500 ms waits end before their timeout with
 * EINTR, never at their start, and nothing is ready; the same seed cuts
 * the same waits at the same moments. */
static uint64_t perturbed_run(uint64_t seed, int *interrupted)
{
    struct pollfd p;
    uint64_t sum = 0;

    ck_assert_int_eq(sim_fd_pipe(&wait_fd), 0);
    p = (struct pollfd){ .fd = wait_fd.fd, .events = POLLIN };
    sim_start(seed);
    sim_perturb_waits(true);
    *interrupted = 0;
    for (int i = 0; i < 40; i++) {
        int64_t start = sim_now_ns();
        int rc = sim_poll(&p, 1, 500);

        if (rc == -1) {
            ck_assert_int_eq(errno, EINTR);
            ck_assert(sim_now_ns() > start && sim_now_ns() < start + 500 * SIM_NS_PER_MS);
            (*interrupted)++;
        } else {
            ck_assert_int_eq(rc, 0);
            ck_assert_int_eq(sim_now_ns(), start + 500 * SIM_NS_PER_MS);
        }
        sum = sum * 31 + (uint64_t)sim_now_ns();
    }
    ck_assert_int_eq(sim_verdict(), SIM_OK);
    sim_stop();
    sim_fd_close(&wait_fd);
    return sum;
}

START_TEST(perturbed_waits_end_early_with_eintr)
{
    int n1, n2;
    uint64_t a = perturbed_run(7, &n1), b = perturbed_run(7, &n2);

    ck_assert_msg(n1 >= 3 && n1 <= 20, "%d of 40 waits interrupted, expected about 10", n1);
    ck_assert_int_eq(n1, n2);
    ck_assert(a == b);
}
END_TEST

Suite *interpose_suite(void)
{
    Suite *s = suite_create("interpose");

    add_test(s, clock_monotonic_family_virtual);
    add_test(s, clock_realtime_family_virtual);
    add_test(s, clock_cputime_real);
    add_test(s, gettimeofday_virtual);
    add_test(s, time_virtual);
    add_test(s, clocks_virtual_on_other_threads);
    add_test(s, clocks_real_after_stop);
    ADD_WAIT_TESTS(s, poll);
    ADD_WAIT_TESTS(s, ppoll);
    ADD_WAIT_TESTS(s, select);
    ADD_WAIT_TESTS(s, pselect);
    ADD_WAIT_TESTS(s, epoll_wait);
    ADD_WAIT_TESTS(s, epoll_pwait);
    add_test(s, select_sets_filled);
    add_test(s, pselect_sets_filled);
    add_test(s, select_closed_fd_ebadf);
    add_test(s, pselect_closed_fd_ebadf);
    add_test(s, poll_closed_fd_pollnval);
    add_test(s, epoll_wait_events);
    add_test(s, epoll_pwait_events);
    add_test(s, sub_ms_timeouts_round_up);
    add_test(s, sim_poll_forever_is_idle);
    add_test(s, wall_clock_steps_alone);
    add_test(s, perturbed_waits_end_early_with_eintr);
    return s;
}
