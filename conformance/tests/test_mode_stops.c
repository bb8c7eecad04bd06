/*
 * test_mode_stops.c - the runner's special modes work and never hang: under
 * the sanitizers' runtime (make conformance-asan) the reference passes
 * every scenario, a crash fails its scenario and the run goes on, a
 * missing IMPL is refused at once; and SIGTERM ends the runner, and
 * everything it started, in the default mode, under the sanitizers, in
 * real time (under faketime) and in --stress; make conformance-realtime
 * passes the reference.
 *
 * Real time here is the machine's, which a loaded machine delays by any
 * amount: the only bound is on how long the runner takes to go once
 * told to stop (STOP_BOUND_MS, hundreds of times what it takes), and a
 * run that hangs shows as a scenario's "hang" verdict or as the test's
 * own timeout, never as a measured duration.
 */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

/* How long the runner may take to go once told to stop: it takes
 * milliseconds; the rest is room for a loaded machine. */
#define STOP_BOUND_MS 10000

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A runtime library's path, as the compiler knows it, or NULL. */
static const char *compiler_lib(const char *name, char *buf, size_t len)
{
    char cmd[256];
    FILE *p;
    bool ok;

    snprintf(cmd, sizeof(cmd), "${CC:-cc} -print-file-name=%s", name);
    p = popen(cmd, "r");
    ok = p && fgets(buf, (int)len, p) && buf[0] == '/';
    if (p)
        pclose(p);
    if (!ok)
        return NULL;
    buf[strcspn(buf, "\n")] = '\0';
    return access(buf, R_OK) == 0 ? buf : NULL;
}

/* The words of the Makefile's SAN_ENV: ASan's runtime preloaded (alone),
 * leaks and UBSan's reports fatal.  False (skipped) when there is no
 * libasan, or when the runner is built with a sanitizer itself (it then
 * answers no to --can-fail-allocations). */
static char san_preload[600];
static const char *san_prefix[] = {
    "env", "ASAN_OPTIONS=detect_leaks=1",
    "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1", san_preload, NULL,
};

static bool sanitizer_mode(void)
{
    char lib[512], *out;
    const char *args[] = { "--can-fail-allocations", NULL };
    int rc = runner(&out, args);

    free(out);
    if (rc != 0) {
        test_skip("the sanitizer mode under a runner built with a sanitizer");
        return false;
    }
    if (!compiler_lib("libasan.so", lib, sizeof(lib))) {
        test_skip("no libasan");
        return false;
    }
    snprintf(san_preload, sizeof(san_preload), "LD_PRELOAD=%s", lib);
    return true;
}

static const char *built(const char *rel)
{
    static char path[512];

    snprintf(path, sizeof(path), "%s/%s", build_dir(), rel);
    ck_assert_msg(access(path, R_OK) == 0, "%s is not built (make check-build)", path);
    return path;
}

/* make conformance-asan IMPL=reference: every scenario passes, the
 * client-* ones too (they start a private libvirtd: without one they
 * are left out, and the test says so). */
START_TEST(asan_mode_passes_reference)
{
    char cmd[1600], log[600], *out;
    bool daemon = access("/usr/sbin/libvirtd", X_OK) == 0;
    FILE *f;
    int rc;

    if (!sanitizer_mode())
        return;
    if (!daemon)
        test_skip("client-* under the sanitizers: no /usr/sbin/libvirtd");
    snprintf(log, sizeof(log), "%s/asan.log", make_tmpdir());
    snprintf(cmd, sizeof(cmd), "make -s --no-print-directory conformance-asan BUILD=%s "
             "IMPL=reference REPORT_DIR='%s/report' FLAGS=\"--quiet%s\" > '%s' 2>&1",
             build_dir(), tmpdir, daemon ? "" : " --exclude 'client-*'", log);
    rc = system(cmd);
    ck_assert_ptr_nonnull(f = fopen(log, "r"));
    out = read_all(fileno(f));
    fclose(f);
    ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "status %d: %s", rc, out);
    ck_assert_msg(strstr(out, " passed, 0 failed, 0 warnings, 0 skipped"), "%s", out);
    free(out);
}
END_TEST

/* A scenario that crashes under the sanitizers (a heap overflow ASan
 * reports, an abort) fails with what the sanitizer said, and the run goes
 * on to the next scenario and ends: no hang, in the scenario or after
 * it. */
START_TEST(asan_mode_crash_does_not_hang)
{
    static const char *const cases[][2] = {
        { "asan/variants/libevref-asan-shrink-below-slots.so",
          "ids-adds-fail-at-every-allocation" },
        { "broken/libbroken-r45-abort-on-bad-id.so", "ids-remove-bad-ids" },
    };
    char first[600], second[600], *out;
    const char *args[] = { "--impl", NULL, "-s", first, "-s", second, "--timeout", "60",
                           "--quiet", NULL };

    if (!sanitizer_mode())
        return;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        args[1] = built(cases[i][0]);
        snprintf(first, sizeof(first), "conformance/scenarios/%s.scn", cases[i][1]);
        snprintf(second, sizeof(second), "conformance/scenarios/handle-level-triggered.scn");
        ck_assert_msg(run_prefixed(&out, san_prefix, args) == 1, "%s", out);
        ck_assert_msg(strstr(out, "1 passed, 1 failed"), "%s", out);
        ck_assert_msg(!strstr(out, "hang:"), "%s", out);
        ck_assert_msg(strstr(out, i == 0 ? "AddressSanitizer: heap-buffer-overflow" :
                             "Aborted"), "%s", out);
        ck_assert_msg(strstr(out, " --sanitizer=address"), "%s", out);
        free(out);
    }
}
END_TEST

/* A missing IMPL under the sanitizers: one line, exit status 2, at once. */
START_TEST(asan_mode_missing_impl)
{
    char *out;
    const char *args[] = { "--impl", "/nonexistent/libmissing.so", NULL };
    double t0;

    if (!sanitizer_mode())
        return;
    t0 = now_ms();
    ck_assert_msg(run_prefixed(&out, san_prefix, args) == 2, "%s", out);
    ck_assert_msg(now_ms() - t0 < STOP_BOUND_MS, "it took %.0f ms", now_ms() - t0);
    ck_assert_msg(strstr(out, "/nonexistent/libmissing.so: No such file or directory"),
                  "%s", out);
    free(out);
}
END_TEST

/* The runner, once done, ends at a SIGTERM wherever it is: two sanitizer
 * runtimes preloaded together leave glibc's locale lock corrupted, and
 * the runner then deadlocks in p11-kit's exit handler (under libvirt);
 * it may not, where the libraries differ, and then exits 2 by itself. */
START_TEST(stuck_exit_ends_at_sigterm)
{
    char asan[512], ubsan[512], preload[1100];
    const char *prefix[] = { "env", preload, NULL };
    const char *args[] = { "--impl", "/nonexistent/libmissing.so", NULL };
    int fd, status;
    pid_t pid;
    double t0;

    if (!sanitizer_mode())
        return;
    if (!compiler_lib("libubsan.so", ubsan, sizeof(ubsan))) {
        test_skip("no libubsan");
        return;
    }
    compiler_lib("libasan.so", asan, sizeof(asan));
    snprintf(preload, sizeof(preload), "LD_PRELOAD=%s %s", asan, ubsan);
    pid = runner_start_prefixed(&fd, prefix, args);
    if (!process_gone(pid, 2000))
        kill(pid, SIGTERM);
    t0 = now_ms();
    if (!process_gone(pid, STOP_BOUND_MS)) {
        kill(pid, SIGKILL);
        ck_abort_msg("still running %d ms after SIGTERM", STOP_BOUND_MS);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg((WIFEXITED(status) && WEXITSTATUS(status) == 2) ||
                  (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM),
                  "status 0x%x after %.0f ms", status, now_ms() - t0);
    close(fd);
}
END_TEST

/* The first child of parent, waited for up to ms; 0 if none came. */
static pid_t child_of(pid_t parent, int ms)
{
    for (int waited = 0; waited <= ms; waited += 10) {
        DIR *d = opendir("/proc");
        struct dirent *e;
        pid_t found = 0;

        while (d && !found && (e = readdir(d))) {
            char path[300], buf[512], *paren;
            FILE *f;
            int ppid;
            if (e->d_name[0] < '1' || e->d_name[0] > '9')
                continue;
            snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
            if (!(f = fopen(path, "r")))
                continue;
            /* The name may hold ')': the fields start after the last. */
            if (fgets(buf, sizeof(buf), f) && (paren = strrchr(buf, ')')) &&
                sscanf(paren + 1, " %*c %d", &ppid) == 1 && ppid == parent)
                found = (pid_t)atoi(e->d_name);
            fclose(f);
        }
        if (d)
            closedir(d);
        if (found)
            return found;
        usleep(10000);
    }
    return 0;
}

/* The pid the hang implementation wrote to tmpdir/pids, waited for. */
static pid_t hung_scenario(int ms)
{
    char path[600];
    int pid = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/pids", tmpdir);
    for (int waited = 0; waited < ms && pid == 0; waited += 10) {
        if ((f = fopen(path, "r"))) {
            if (fscanf(f, "%d", &pid) != 1)
                pid = 0;
            fclose(f);
        }
        if (pid == 0)
            usleep(10000);
    }
    return pid;
}

/* Start the runner behind prefix with args (a prefix that forks runs it
 * as its child); once `busy` (the pid doing the mode's work) is running,
 * SIGTERM to the first process (the runner, or the faketime that runs
 * it); then the runner and its work are gone
 * within STOP_BOUND_MS, the runner with 128 + SIGTERM when it is ours to
 * see. */
static void stop_mode(const char *mode, const char *const prefix[], bool forks,
                      const char *const args[], bool hang_impl)
{
    char pidfile[600], *out;
    pid_t top, run, busy;
    int fd, status;
    double t0, took;

    snprintf(pidfile, sizeof(pidfile), "%s/pids", make_tmpdir());
    unlink(pidfile);
    setenv("EVCONF_TEST_PIDFILE", pidfile, 1);
    top = runner_start_prefixed(&fd, prefix, args);
    run = forks ? child_of(top, 20000) : top;
    ck_assert_msg(run > 0, "%s: the runner never started", mode);
    busy = hang_impl ? hung_scenario(20000) : child_of(run, 20000);
    ck_assert_msg(busy > 0, "%s: the runner's work never started", mode);
    if (!hang_impl) {
        /* Past the IMPL's probe, a child of its own that takes
         * milliseconds, into the stress run's child. */
        usleep(1000 * 1000);
        busy = child_of(run, 20000);
        ck_assert_msg(busy > 0, "%s: the runner's work never started", mode);
    }
    t0 = now_ms();
    kill(top, SIGTERM);
    if (!process_gone(run, STOP_BOUND_MS) || !process_gone(busy, STOP_BOUND_MS)) {
        kill(run, SIGKILL);
        kill(-busy, SIGKILL);
        ck_abort_msg("%s: still running %d ms after SIGTERM", mode, STOP_BOUND_MS);
    }
    took = now_ms() - t0;
    out = read_all(fd);
    close(fd);
    ck_assert_int_eq(waitpid(top, &status, 0), top);
    if (top == run)
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGTERM,
                      "%s: status 0x%x: %s", mode, status, out);
    printf("%s: gone %.0f ms after SIGTERM\n", mode, took);
    free(out);
}

START_TEST(sigterm_ends_every_mode)
{
    const char *hang[] = { "--impl", NULL, "-s", NULL, "--timeout", "60", NULL };
    const char *rt[] = { "--realtime", "--impl", NULL, "-s", NULL, "--timeout", "60",
                         NULL };
    const char *stress[] = { "--stress", "--stress-ms", "60000", "--impl", "reference",
                             NULL };
    const char *faketime[] = { "faketime", "-f", "+0 x10", NULL };

    hang[1] = rt[2] = impl("hang");
    hang[3] = rt[4] = scenario_file("one.scn", simple("one"));
    stop_mode("default", NULL, false, hang, true);
    stop_mode("stress", NULL, false, stress, false);
    /* faketime preloads libfaketime; under AddressSanitizer that puts the
     * sanitizer's runtime second, which it accepts only when told to. */
    setenv("ASAN_OPTIONS", "verify_asan_link_order=0", 1);
    if (access("/usr/bin/faketime", X_OK) == 0)
        stop_mode("real time, SIGTERM to faketime", faketime, true, rt, true);
    else
        test_skip("no /usr/bin/faketime (Debian package faketime)");
    if (sanitizer_mode())
        stop_mode("sanitizer", san_prefix, false, hang, true);
}
END_TEST

/* make conformance-realtime IMPL=reference (faketime x10) passes: the
 * two scenarios it failed (free-chain-without-waiting slept an hour for
 * real; timer-negative-disables lost its phases and fires to a loaded
 * machine) and a sample of those most bound to timers' times; the whole
 * suite takes 30 s and more.  Beside two busy cores as well: the
 * machine's delay is given back (sim_late_ns()).  Not in the sample:
 * scenarios with steps at fixed times ("at N", other threads), which a
 * loaded machine can still reorder against the loop's timers. */
START_TEST(realtime_passes_reference)
{
    static const char *const sample[] = {
        "free-chain-without-waiting", "timer-negative-disables", "timers-many-periods",
        "timer-shortened-below-another", "timer-first-fire-after-period",
        "timer-period-to-other-period", "timer-no-catch-up-slow-callback",
        "timer-zero-to-period", "free-chain-from-free-callbacks",
        "dispatch-zero-timer-starves-nothing",
    };
    char cmd[1600], dir[600], log[600], *out;
    FILE *f;
    int rc;

    if (access("/usr/bin/faketime", X_OK) != 0) {
        test_skip("no /usr/bin/faketime (Debian package faketime)");
        return;
    }
    snprintf(dir, sizeof(dir), "%s/sample", make_tmpdir());
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    for (size_t i = 0; i < sizeof(sample) / sizeof(sample[0]); i++) {
        snprintf(cmd, sizeof(cmd), "cp conformance/scenarios/%s.scn '%s/'", sample[i], dir);
        ck_assert_int_eq(system(cmd), 0);
    }
    snprintf(log, sizeof(log), "%s/realtime.log", tmpdir);
    setenv("ASAN_OPTIONS", "verify_asan_link_order=0", 1);
    snprintf(cmd, sizeof(cmd), "make -s --no-print-directory conformance-realtime BUILD=%s "
             "IMPL=reference SCENARIOS='%s' REPORT_DIR='%s/report' > '%s' 2>&1",
             build_dir(), dir, tmpdir, log);
    rc = system(cmd);
    ck_assert_ptr_nonnull(f = fopen(log, "r"));
    out = read_all(fileno(f));
    fclose(f);
    if (!WIFEXITED(rc) || WEXITSTATUS(rc) != 0 || !strstr(out, "10 passed, 0 failed, 0 warn")) {
        printf("%s", out);      /* too long for a message of Check's */
        ck_abort_msg("status %d, not 10 passed (output above)", rc);
    }
    ck_assert(strstr(out, "real time"));
    free(out);
}
END_TEST

/* Whole runs of the suite, on a loaded machine: more than add_tests'
 * 60 s each. */
void add_mode_stop_tests(Suite *s)
{
    const TTest *tests[] = {
        asan_mode_passes_reference, asan_mode_crash_does_not_hang, asan_mode_missing_impl,
        stuck_exit_ends_at_sigterm, sigterm_ends_every_mode, realtime_passes_reference,
    };

    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        TCase *tc = tcase_create(tests[i]->name);
        tcase_add_checked_fixture(tc, NULL, remove_tmpdir);
        tcase_add_test(tc, tests[i]);
        tcase_set_timeout(tc, 240);
        suite_add_tcase(s, tc);
    }
}
