/*
 * test_faketime.c - real-time mode: with no simulation running, sim's
 * interposers pass through to whatever comes next, and that may be
 * libfaketime (LD_PRELOAD).  Loops then run in accelerated or shifted real
 * time, unmodified.
 *
 * Each test runs this binary again as a child (run_self) under libfaketime,
 * in one of the scenario modes below; the child prints plain lines and
 * exits 0 or 1, and the test checks what it printed.
 *
 * What libfaketime 0.9.10 (Debian's) does, found by experiment:
 *   - FAKETIME="+0 x10" speeds up CLOCK_MONOTONIC as well as the wall
 *     clock, and divides the timeouts of poll, select, epoll_wait and the
 *     sleeps by the same factor (poll(1000) returns after 100 ms of real
 *     time, with 1 s gone on the faked clocks; ppoll, pselect and
 *     epoll_pwait are intercepted as well).  No further option is needed
 *     for a poll(2) or GLib loop to run 10x faster.  The division is an
 *     integer one: a timeout under 10 ms becomes 0, so a loop may poll a
 *     few times with a zero timeout just before a deadline; the children
 *     bound their runs by real time, not by a count of iterations.
 *   - With a relative FAKETIME the faked CLOCK_MONOTONIC reads like the
 *     faked wall clock (about 1.8e9 s, not the time since boot); loops only
 *     use its differences, and so do these tests.
 *   - DONT_FAKE_MONOTONIC=1 (or FAKETIME_DONT_FAKE_MONOTONIC=1) leaves
 *     CLOCK_MONOTONIC real; FAKETIME_NO_CACHE=1 makes every reading re-read
 *     FAKETIME_TIMESTAMP_FILE, so a write of "+1d" to it moves the wall
 *     clock a day forward at once.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "evref-seam.h"
#include "internal.h"
#include "suites.h"
#include "support.h"

#define NS_PER_MS INT64_C(1000000)

/* ---- the children ---- */

/* Real monotonic time: the raw system call, past sim and libfaketime
 * alike (the bound on a child's run must not depend on either). */
static int64_t true_real_ns(void)
{
    struct timespec ts;

    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* CLOCK_MONOTONIC as the loop reads it: through sim's interposer (no
 * simulation: passed through) to libfaketime. */
static int64_t loop_mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct child_loop {
    int (*register_fn)(void);
    int (*run_once)(void);
};

static const struct child_loop child_reference = {
    evref_register, evref_run_once,      /* its real seam: no sim_attach */
};
static const struct child_loop child_libvirt = {
    virEventRegisterDefaultImpl, virEventRunDefaultImpl,
};

/* Run iterations until *done, or 10 s of real time. */
static int run_until(const struct child_loop *l, const int *done)
{
    int64_t limit = true_real_ns() + 10000 * NS_PER_MS;
    long iterations = 0;

    while (!*done) {
        if (true_real_ns() > limit) {
            fprintf(stderr, "child: not done after 10 s of real time "
                    "(%ld iterations)\n", iterations);
            return -1;
        }
        if (l->run_once() < 0) {
            fprintf(stderr, "child: run_once failed\n");
            return -1;
        }
        iterations++;
    }
    printf("iterations %ld\n", iterations);
    return 0;
}

#define FIRINGS 5

static int fired, periodic_done;

static void periodic_cb(int timer, void *opaque)
{
    (void)timer;
    (void)opaque;
    if (fired < FIRINGS)
        printf("fire %d %lld\n", fired + 1, (long long)loop_mono_ns());
    if (++fired == FIRINGS)
        periodic_done = 1;
}

/* A 1000 ms periodic timer, run until it fired 5 times; prints "start <ns>"
 * when it is added and "fire <k> <ns>" at each firing, CLOCK_MONOTONIC as
 * the loop sees it (faked). */
static int periodic_scenario(const struct child_loop *l)
{
    if (l->register_fn() < 0) {
        fprintf(stderr, "child: register failed\n");
        return 1;
    }
    printf("start %lld\n", (long long)loop_mono_ns());
    if (virEventAddTimeout(1000, periodic_cb, NULL, NULL) < 0) {
        fprintf(stderr, "child: virEventAddTimeout failed\n");
        return 1;
    }
    return run_until(l, &periodic_done) < 0 ? 1 : 0;
}

/* The wall clock jumps a day forward 100 ms in (a one-shot timer rewrites
 * libfaketime's timestamp file), while a 300 ms timer is pending.  Prints
 * the monotonic time from adding the timer to its firing, as the loop sees
 * it ("timer_ms") and really ("timer_real_ms"), and how far the wall clock
 * (gettimeofday) moved across the run ("wall_jump_s"). */
static int jump_done;
static int64_t jump_mono0, jump_real0;

static void jump_cb(int timer, void *opaque)
{
    const char *path = opaque;
    FILE *f = fopen(path, "w");

    virEventUpdateTimeout(timer, -1);           /* one-shot */
    if (!f || fputs("+1d\n", f) == EOF || fclose(f) != 0) {
        fprintf(stderr, "child: cannot rewrite %s: %s\n", path, strerror(errno));
        exit(1);
    }
    printf("jump_at_ms %.1f\n", (true_real_ns() - jump_real0) / 1e6);
}

static void timer300_cb(int timer, void *opaque)
{
    (void)opaque;
    virEventRemoveTimeout(timer);
    printf("timer_ms %.1f\n", (loop_mono_ns() - jump_mono0) / 1e6);
    printf("timer_real_ms %.1f\n", (true_real_ns() - jump_real0) / 1e6);
    jump_done = 1;
}

static int jump_scenario(const struct child_loop *l)
{
    const char *path = getenv("FAKETIME_TIMESTAMP_FILE");
    struct timeval wall0, wall1;
    int timer;

    if (!path) {
        fprintf(stderr, "child: FAKETIME_TIMESTAMP_FILE is not set\n");
        return 1;
    }
    if (l->register_fn() < 0) {
        fprintf(stderr, "child: register failed\n");
        return 1;
    }
    gettimeofday(&wall0, NULL);
    jump_mono0 = loop_mono_ns();
    jump_real0 = true_real_ns();
    timer = virEventAddTimeout(300, timer300_cb, NULL, NULL);
    if (timer < 0 ||
        virEventAddTimeout(100, jump_cb, (void *)path, NULL) < 0) {
        fprintf(stderr, "child: virEventAddTimeout failed\n");
        return 1;
    }
    if (run_until(l, &jump_done) < 0)
        return 1;
    gettimeofday(&wall1, NULL);
    printf("wall_jump_s %.3f\n", (double)(wall1.tv_sec - wall0.tv_sec) +
           (wall1.tv_usec - wall0.tv_usec) / 1e6);
    return 0;
}

int faketime_scenario(const char *mode)
{
    int rc;

    if (!strcmp(mode, "faketime-reference"))
        rc = periodic_scenario(&child_reference);
    else if (!strcmp(mode, "faketime-libvirt"))
        rc = periodic_scenario(&child_libvirt);
    else if (!strcmp(mode, "faketime-jump"))
        rc = jump_scenario(&child_reference);
    else if (!strcmp(mode, "faketime-jump-libvirt"))
        rc = jump_scenario(&child_libvirt);
    else {
        fprintf(stderr, "unknown faketime mode '%s'\n", mode);
        return 2;
    }
    fflush(stdout);
    return rc;
}

/* ---- the tests ---- */

static const char *faketime_library(void)
{
    static const char *const paths[] = {
        "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/faketime/libfaketime.so.1",
        "/usr/lib64/faketime/libfaketime.so.1",
    };

    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        if (access(paths[i], R_OK) == 0)
            return paths[i];
    return NULL;
}

/* Without libfaketime there is nothing to test: say so on a line that
 * scripts/sum-checks counts as a skip (Check has none), and return. */
#define NEED_FAKETIME(lib, mode)                                        \
    do {                                                                \
        if (!(lib)) {                                                   \
            printf("evconf-skip: %s: libfaketime.so.1 not found "       \
                   "(Debian package libfaketime)\n", mode);             \
            fflush(stdout);                                             \
            return;                                                     \
        }                                                               \
    } while (0)

/* "LD_PRELOAD=<libfaketime>" for a child.  In a build with AddressSanitizer
 * as a shared runtime (make sanitize) ASan refuses to start unless its
 * runtime comes first in the initial library list, ahead of anything
 * preloaded ("ASan runtime does not come first..."): then the runtime the
 * test binary uses is preloaded first, as ASan's message asks.  The order of
 * the interposers is unchanged: the executable's own, then ASan's, then
 * libfaketime's, then libc's. */
static void preload_env(char *buf, size_t size, const char *lib)
{
    void *asan_init = dlsym(RTLD_DEFAULT, "__asan_init");
    Dl_info info;

    if (asan_init && dladdr(asan_init, &info) && info.dli_fname &&
        strstr(info.dli_fname, "libasan.so"))
        snprintf(buf, size, "LD_PRELOAD=%s %s", info.dli_fname, lib);
    else
        snprintf(buf, size, "LD_PRELOAD=%s", lib);
}

static double real_ms(void)
{
    struct timespec ts;

    sim__libc()->clock_gettime(CLOCK_MONOTONIC, &ts);   /* no simulation */
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Run the child with env; its output (malloc'd) after checking it exited
 * 0.  *elapsed_ms: real time from fork to exit. */
static char *run_child(const char *const env[], double *elapsed_ms)
{
    double t0 = real_ms();
    int status;
    char *out = run_self(env, &status);

    *elapsed_ms = real_ms() - t0;
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %s: "
                  "status %#x; its output:\n%s", env[0], status, out);
    return out;
}

/* The value after "<key> " on a line of out; false if there is none. */
static bool find_value(const char *out, const char *key, double *value)
{
    size_t n = strlen(key);

    for (const char *line = out; line && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (!strncmp(line, key, n) && line[n] == ' ')
            return sscanf(line + n + 1, "%lf", value) == 1;
    return false;
}

/* How early a 1000 ms timer may fire, in faked ms (libfaketime divides
 * waits with integer division).  Late is not bounded closely: a loaded
 * machine delays any real-time wait, so the bounds below only tell the
 * outcomes apart, they do not time the machine. */
#define TOLERANCE_MS 150.0
#define SPEEDUP "10"

/* Under FAKETIME="+0 x10" a 1000 ms periodic timer fires 5 times, each at
 * least 1000 ms (- TOLERANCE_MS) after the previous one (the first after
 * the add) on the faked CLOCK_MONOTONIC the loop reads, and well before 10
 * faked seconds; the 5 faked seconds take less than 5 s of real time
 * (about 0.5 s): evidence that the speed-up reached both the loop's clock
 * and its wait, through sim's pass-through.  A clock sped up without the
 * wait would fire the timer every 10 faked seconds; a wait sped up
 * without the clock, early; neither sped up, in no less than 5 s. */
static void periodic_accelerated(const char *mode)
{
    const char *lib = faketime_library();
    char preload[2 * PATH_MAX + 16], scenario[64], key[32];
    double elapsed, start, prev, at;
    char *out;

    NEED_FAKETIME(lib, mode);
    preload_env(preload, sizeof(preload), lib);
    snprintf(scenario, sizeof(scenario), "EVSIM_SCENARIO=%s", mode);
    {
        const char *env[] = { scenario, preload, "FAKETIME=+0 x" SPEEDUP, NULL };

        out = run_child(env, &elapsed);
    }
    ck_assert_msg(find_value(out, "start", &start), "%s: no start line in:\n%s",
                  mode, out);
    prev = start;
    for (int k = 1; k <= FIRINGS; k++) {
        double spacing;

        snprintf(key, sizeof(key), "fire %d", k);
        ck_assert_msg(find_value(out, key, &at), "%s: no firing %d in:\n%s",
                      mode, k, out);
        spacing = (at - prev) / 1e6;
        ck_assert_msg(spacing >= 1000 - TOLERANCE_MS && spacing < 5000,
                      "%s: firing %d came %.1f faked ms after the %s, expected "
                      "1000 (at least %.0f, well under 10000); output:\n%s", mode, k,
                      spacing, k == 1 ? "add" : "previous firing",
                      1000 - TOLERANCE_MS, out);
        prev = at;
    }
    printf("%s: %d s of a 1 s timer at x" SPEEDUP " in %.0f ms of real time\n",
           mode, FIRINGS, elapsed);
    ck_assert_msg(elapsed < 5000, "%s: the child took %.0f ms of real time: the "
                  "speed-up did not apply (unaccelerated: >= 5000 ms)", mode,
                  elapsed);
    free(out);
}

START_TEST(accelerated_reference)
{
    periodic_accelerated("faketime-reference");
}
END_TEST

START_TEST(accelerated_libvirt_default)
{
    periodic_accelerated("faketime-libvirt");
}
END_TEST

/* The wall clock jumps a day forward while a 300 ms timer is pending
 * (DONT_FAKE_MONOTONIC=1: only the wall clock is faked; the jump is a
 * rewrite of FAKETIME_TIMESTAMP_FILE from "+0" to "+1d" 100 ms in).  A loop
 * timed on CLOCK_MONOTONIC, as the contract requires, fires the timer no
 * earlier than 300 ms (- 100 ms) of monotonic time, as it sees it and as
 * it really passed, and long before a day; and the wall clock did jump by
 * about a day (>= 86000 s), so the jump happened and the loop ignored it.
 * A loop timed on the wall clock fires at the jump, 100 ms in.  A run in
 * which the machine delayed the jump past the timer proves nothing and is
 * run again (three times at most). */
static void wall_clock_jump(const char *mode)
{
    const char *lib = faketime_library();
    char preload[2 * PATH_MAX + 16], file_env[PATH_MAX + 32], scenario[64];
    char path[] = "/tmp/evsim-faketime-XXXXXX";
    double elapsed, timer_ms, timer_real_ms, jump_at_ms, jump_s;
    char *out;
    int fd;

    NEED_FAKETIME(lib, mode);
    preload_env(preload, sizeof(preload), lib);
    snprintf(scenario, sizeof(scenario), "EVSIM_SCENARIO=%s", mode);
    for (int attempt = 1; ; attempt++) {
        strcpy(path, "/tmp/evsim-faketime-XXXXXX");
        fd = mkstemp(path);
        ck_assert_msg(fd >= 0, "mkstemp: %s", strerror(errno));
        ck_assert_int_eq(write(fd, "+0\n", 3), 3);
        close(fd);
        snprintf(file_env, sizeof(file_env), "FAKETIME_TIMESTAMP_FILE=%s", path);
        {
            const char *env[] = { scenario, preload, file_env, "DONT_FAKE_MONOTONIC=1",
                                  "FAKETIME_NO_CACHE=1", NULL };

            out = run_child(env, &elapsed);
        }
        unlink(path);
        ck_assert_msg(find_value(out, "timer_ms", &timer_ms) &&
                      find_value(out, "timer_real_ms", &timer_real_ms) &&
                      find_value(out, "jump_at_ms", &jump_at_ms) &&
                      find_value(out, "wall_jump_s", &jump_s),
                      "%s: incomplete output:\n%s", mode, out);
        if (jump_at_ms < timer_real_ms || attempt == 3)
            break;
        free(out);
    }
    ck_assert_msg(timer_ms >= 200 && timer_ms < 5000, "%s: the 300 ms timer "
                  "fired after %.1f ms of the loop's monotonic time; output:\n%s",
                  mode, timer_ms, out);
    ck_assert_msg(timer_real_ms >= 200 && timer_real_ms < 5000, "%s: the 300 ms "
                  "timer fired after %.1f ms of real time; output:\n%s", mode,
                  timer_real_ms, out);
    ck_assert_msg(jump_at_ms < timer_real_ms, "%s: the jump (at %.1f ms) came "
                  "after the timer fired; output:\n%s", mode, jump_at_ms, out);
    ck_assert_msg(jump_s >= 86000 && jump_s < 86400 + 60, "%s: the wall clock "
                  "moved %.3f s, expected a jump of a day; output:\n%s", mode,
                  jump_s, out);
    printf("%s: 300 ms timer at %.1f ms (real %.1f ms) across a wall-clock "
           "jump of %.0f s\n", mode, timer_ms, timer_real_ms, jump_s);
    free(out);
}

START_TEST(wall_clock_jump_reference)
{
    wall_clock_jump("faketime-jump");
}
END_TEST

START_TEST(wall_clock_jump_libvirt_default)
{
    wall_clock_jump("faketime-jump-libvirt");
}
END_TEST

Suite *faketime_suite(void)
{
    Suite *s = suite_create("faketime");

    add_test(s, accelerated_reference);
    add_test(s, accelerated_libvirt_default);
    add_test(s, wall_clock_jump_reference);
    add_test(s, wall_clock_jump_libvirt_default);
    return s;
}
