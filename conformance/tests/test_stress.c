/*
 * test_stress.c - the stress run's verdicts do not depend on luck: a loop
 * that loses a wake-up between deciding to wait and waiting fails every
 * run (the probes hold the loop at each point of that way in turn), and
 * a loop without a lock fails every run on ThreadSanitizer's runtime,
 * while the reference's TSan twin passes clean.
 */
#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"
#include "stall.h"

/* A lost wake-up is found on every run, not on a lucky one: five short
 * runs, five failures under R43, each at the point the loop loses it. */
START_TEST(racy_wakeup_fails_every_run)
{
    char *out, variant[512];
    const char *args[] = { "--stress", "--stress-ms", "400", "--impl", variant, NULL };

    snprintf(variant, sizeof(variant), "%s/variants/libevref-racy-wakeup.so", build_dir());
    for (int run = 0; run < 5; run++) {
        ck_assert_msg(runner(&out, args) == 1 && strstr(out, "FAIL [R43]") &&
                      strstr(out, "held at its point"), "run %d: %s", run, out);
        free(out);
    }
}
END_TEST

/* Under TSan (--sanitizer=thread, which preloads its runtime): the IMPL
 * twin (build/tsan/NAME, or the word reference for the reference's) with
 * the stress run; returns its exit status, or -1 when the twin is not
 * there (skipped). */
static int stress_tsan(char **out, const char *name)
{
    char twin[512];
    const char *args[] = { "--sanitizer=thread", "--stress", "--stress-ms", "400", "--impl",
                           twin, "--report-dir", make_tmpdir(), NULL };

    snprintf(twin, sizeof(twin), "%s/tsan/%s", build_dir(),
             strcmp(name, "reference") ? name : "libevconf-reference.so");
    if (access(twin, R_OK) != 0) {
        test_skip("no ThreadSanitizer twin (not built beside a sanitizer)");
        return -1;
    }
    if (!strcmp(name, "reference"))
        snprintf(twin, sizeof(twin), "reference");
    return runner(out, args);
}

/* A loop without a lock: its data races are reported by TSan, as a
 * failure under R42 that shows the first report, on every run. */
START_TEST(tsan_finds_a_loop_without_lock)
{
    char *out;

    for (int run = 0; run < 3; run++) {
        int rc = stress_tsan(&out, "libevref-no-lock.so");
        if (rc < 0)
            return;
        ck_assert_msg(rc == 1 && strstr(out, "FAIL [R42] ThreadSanitizer: data race") &&
                      strstr(out, "WARNING: ThreadSanitizer: data race (pid="),
                      "run %d: %s", run, out);
        free(out);
    }
}
END_TEST

/* The reference's twin (what --impl reference names under
 * --sanitizer=thread) passes the same run clean: no report at all. */
START_TEST(tsan_reference_is_clean)
{
    char *out;
    int rc = stress_tsan(&out, "reference");

    if (rc < 0)
        return;
    ck_assert_msg(rc == 0 && strstr(out, "1 passed, 0 failed") &&
                  !strstr(out, "ThreadSanitizer"), "%s", out);
    free(out);
}
END_TEST

/* The file tmpdir/NAME, read whole (NULL if it is not there). */
static char *report_file(const char *name)
{
    char path[1024];
    FILE *f;
    char *text = NULL;
    size_t len = 0;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    if (!(f = fopen(path, "r")))
        return NULL;
    if (getdelim(&text, &len, '\0', f) < 0) {
        free(text);
        text = NULL;
    }
    fclose(f);
    return text;
}

/* --stress honours --report-dir: the reports of a scenario run, one test
 * "stress"; a failure in them names the thread that saw it and carries
 * the threads' ids and the last events, each with its thread; the page
 * ends with a rerun line that runs the same again.  A passing run writes
 * them too. */
START_TEST(stress_writes_reports)
{
    char *out, *text, variant[512], cmd[2048];
    const char *args[] = { "--stress", "--stress-ms", "300", "--impl", variant,
                           "--report-dir", make_tmpdir(), NULL };
    const char *ok[] = { "--stress", "--stress-ms", "300", "--report-dir", tmpdir, NULL };
    const char *line;

    snprintf(variant, sizeof(variant), "%s/variants/libevref-no-wakeup.so", build_dir());
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "FAIL [R43]") &&
                  strstr(out, "; seen on the registering thread (tid ") &&
                  strstr(out, "threads: registering=") && strstr(out, ", the loop thread (tid ") &&
                  strstr(out, "reports: "), "%s", out);
    ck_assert_msg((text = report_file("results.tap")) && strstr(text, "not ok 1 - stress ") &&
                  strstr(text, "MUST R43: "), "%s", text);
    free(text);
    ck_assert_msg((text = report_file("junit.xml")) && strstr(text, "name=\"stress\"") &&
                  strstr(text, "<failure") && strstr(text, "threads: registering="), "%s", text);
    free(text);
    ck_assert_msg((text = report_file("results.json")) && strstr(text, "\"id\": \"stress\"") &&
                  strstr(text, "\"rules\": [\"R43\"]") && strstr(text, "\"rerun\": ") &&
                  strstr(text, "threads: registering="), "%s", text);
    free(text);
    ck_assert_msg((text = report_file("results.html")) && strstr(text, "seen on"), "no html");
    free(text);
    line = strstr(out, "rerun: ");
    ck_assert_msg(line, "%s", out);
    snprintf(cmd, sizeof(cmd), " --report-dir %s\n", tmpdir);
    ck_assert_msg(strstr(line, cmd), "no '%s' in: %s", cmd, out);
    snprintf(cmd, sizeof(cmd), "rm '%s/results.tap' && cd / && %.*s >/dev/null 2>&1",
             tmpdir, (int)strcspn(line + 7, "\n"), line + 7);
    ck_assert_msg(WEXITSTATUS(system(cmd)) == 1, "%s", cmd);
    ck_assert_msg((text = report_file("results.tap")) && strstr(text, "not ok 1 - stress "),
                  "the rerun wrote no results.tap");
    free(text);
    free(out);
    ck_assert_msg(runner(&out, ok) == 0 && strstr(out, "1 passed, 0 failed"), "%s", out);
    free(out);
    ck_assert_msg((text = report_file("results.tap")) && strstr(text, "ok 1 - stress ") &&
                  !strstr(text, "not ok"), "%s", text);
    free(text);
}
END_TEST

/* A loop that crashes under --stress: the failure names the signal and
 * the thread it was on, and gives every thread's id. */
START_TEST(stress_crash_names_thread)
{
    char *out;
    const char *args[] = { "--stress", "--stress-ms", "300", "--impl", impl("crash-in-add"),
                           NULL };

    ck_assert_int_eq(runner(&out, args), 1);
    /* Under a runner built with ASan, its handler reports the crash and
     * exits: the process "crashed on" the thread. */
    ck_assert_msg((strstr(out, "FAIL [crash] the process died of Segmentation fault on worker ") ||
                   strstr(out, "FAIL [crash] the process crashed on worker ")) &&
                  strstr(out, "threads: registering="), "%s", out);
    free(out);
}
END_TEST

static _Atomic bool spin_stop;

static void *spin(void *arg)
{
    (void)arg;
    while (!atomic_load(&spin_stop))
        ;
    return NULL;
}

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* This thread's run_delay (ms): how long it waited for a CPU so far. */
static int64_t own_delay_ms(void)
{
    long long run = 0, delay = -1000000;
    FILE *f = fopen("/proc/thread-self/schedstat", "r");

    if (f) {
        if (fscanf(f, "%lld %lld", &run, &delay) != 2)
            delay = -1000000;
        fclose(f);
    }
    return delay / 1000000;
}

/* The stall clock leaves out what a busy machine takes: this thread and
 * two spinning ones share one CPU for 300 ms, so this one waits for it a
 * good part of that, and the stall clock moves that much less than the
 * monotonic one (the kernel's own figure, to within a few ms). */
START_TEST(stall_clock_leaves_out_cpu_waits)
{
    cpu_set_t one;
    pthread_t spinners[2];
    int64_t t0, s0, d0, stalled, waited;

    if (own_delay_ms() < 0) {
        printf("stall_clock_leaves_out_cpu_waits: skipped: no schedstat\n");
        return;
    }
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu(), &one);
    ck_assert_int_eq(sched_setaffinity(0, sizeof(one), &one), 0);
    stall_thread_register();
    stall_start();
    t0 = mono_ms();
    s0 = stall_clock_fresh_ns() / 1000000;
    d0 = own_delay_ms();
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&spinners[i], NULL, spin, NULL), 0);
    while (mono_ms() < t0 + 300)
        ;
    stalled = (mono_ms() - t0) - (stall_clock_fresh_ns() / 1000000 - s0);
    waited = own_delay_ms() - d0;
    atomic_store(&spin_stop, true);
    for (int i = 0; i < 2; i++)
        pthread_join(spinners[i], NULL);
    stall_stop();
    ck_assert_msg(waited >= 30 && stalled >= waited - 5 && stalled <= waited + 5,
                  "stall clock %lld ms, the kernel's run_delay %lld ms, of 300",
                  (long long)stalled, (long long)waited);
}
END_TEST

void add_stress_tests(Suite *s)
{
    const TTest *tests[] = { racy_wakeup_fails_every_run, tsan_finds_a_loop_without_lock,
                             tsan_reference_is_clean, stress_writes_reports,
                             stress_crash_names_thread, stall_clock_leaves_out_cpu_waits };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
}
