/*
 * test_supervision.c - the runner survives whatever the implementation
 * does to the process it runs in: closing the runner's descriptors,
 * blocking while it loads, flooding stderr, writing what looks like
 * results, leaving helpers behind; and a runner that is itself stopped
 * leaves nothing running.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

/* The pids written to tmpdir/pids by the test implementations, up to max;
 * returns how many.  Waits up to ms for the first. */
static int read_pids(pid_t *pids, int max, int ms)
{
    char path[600];
    int n = 0;

    snprintf(path, sizeof(path), "%s/pids", tmpdir);
    for (int waited = 0; waited < ms && access(path, R_OK) != 0; waited += 10)
        usleep(10000);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    while (n < max && fscanf(f, "%d", &pids[n]) == 1)
        n++;
    fclose(f);
    return n;
}

static void set_pidfile(void)
{
    char path[600];

    scenario_file("pids", "");      /* creates tmpdir */
    snprintf(path, sizeof(path), "%s/pids", tmpdir);
    unlink(path);
    setenv("EVCONF_TEST_PIDFILE", path, 1);
}

/* An implementation that closes the runner's descriptors in the child and
 * then blocks is a hang, judged within the timeout. */
START_TEST(impl_closes_fds)
{
    misbehaving("closes-fds", 1, "hang: no result within 1 s");
}
END_TEST

/* A shared object whose constructor blocks is refused within the timeout,
 * with one line saying so. */
START_TEST(impl_blocks_while_loading)
{
    char *out;
    const char *args[] = { "--impl", impl("ctor-blocks"), "--timeout", "1", "-s",
                           scenario_file("a.scn", simple("a")), NULL };

    ck_assert_int_eq(runner(&out, args), 2);
    ck_assert_msg(strstr(out, "did not finish loading within 1 s"), "%s", out);
    ck_assert_int_eq(count_lines(out), 1);
    free(out);
}
END_TEST

/* Endless stderr output is cut, not kept: the runner's memory stays
 * bounded and the verdict is a hang, with the cut said in the trace. */
START_TEST(impl_floods_stderr)
{
    char *out;
    const char *args[] = { "--impl", impl("stderr-flood"), "--timeout", "2", "-s",
                           scenario_file("a.scn", simple("a")), NULL };

    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "hang: no result within 2 s"), "%s", out);
    ck_assert_msg(strstr(out, "bytes of stderr not kept"), "%s", out);
    free(out);
}
END_TEST

/* What an implementation writes to stderr is trace, never a result: a
 * forged "done" or failure counts for nothing, and a NUL byte loses
 * nothing that came before or after it. */
START_TEST(impl_forges_results)
{
    char *out;
    const char *args[] = { "--impl", impl("forges"), "-s",
                           scenario_file("a.scn", simple("a")), NULL };

    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "[MUST R3] evconf_register() returned non-zero"), "%s", out);
    ck_assert_msg(!strstr(out, "[MUST R1]"), "a forged failure was counted: %s", out);
    ck_assert_msg(strstr(out, "stderr: F MUST R1 forged"), "its stderr belongs in the "
                  "trace: %s", out);
    ck_assert_msg(strstr(out, "after a NUL byte"), "stderr after a NUL byte was lost: %s",
                  out);
    ck_assert_msg(strstr(out, "0 passed, 1 failed"), "%s", out);
    free(out);
}
END_TEST

/* Saying "done" on stderr and dying is a crash. */
START_TEST(impl_forges_done_then_crashes)
{
    setenv("ASAN_OPTIONS", "handle_segv=0", 1);
    misbehaving("forges-then-crashes", 10, "crash: the implementation died of "
                "Segmentation fault");
}
END_TEST

/* A helper in a session of its own that holds the scenario's stderr open
 * neither makes the runner wait for it (the tcase's timeout is shorter
 * than two watchdogs) nor outlives the run. */
START_TEST(impl_leaves_helpers)
{
    char *out;
    pid_t pids[8];
    int n;
    const char *args[] = { "--impl", impl("escapes"), "--timeout", "25", "-s",
                           NULL, NULL };

    set_pidfile();
    scenario_file("one.scn", simple("one"));
    scenario_file("two.scn", simple("two"));
    args[5] = tmpdir;
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "0 passed, 2 failed"), "%s", out);
    n = read_pids(pids, 8, 0);
    ck_assert_int_eq(n, 2);
    for (int i = 0; i < n; i++)
        ck_assert_msg(process_gone(pids[i], 2000), "helper %d is still running",
                      (int)pids[i]);
    free(out);
}
END_TEST

/* SIGTERM or SIGINT to the runner: it stops the scenarios running (one
 * with -j 1, both with -j 2: the signal goes on to each lane), leaves no
 * process behind, keeps the reports of what ran, and exits 128 + the
 * signal. */
static void stopped_by(int sig, const char *jobs)
{
    char report[600], path[700], *out;
    pid_t pids[8], runner_pid;
    int fd, status, n, want = atoi(jobs);
    const char *args[] = { "--impl", impl("hang"), "--timeout", "30", "-s", NULL,
                           "--report-dir", report, "-j", jobs, NULL };

    set_pidfile();
    scenario_file("one.scn", simple("one"));
    scenario_file("two.scn", simple("two"));
    args[5] = tmpdir;
    snprintf(report, sizeof(report), "%s/report", tmpdir);
    runner_pid = runner_start(&fd, args);
    n = read_pids(pids, 8, 20000);
    for (int waited = 0; n < want && waited < 20000; waited += 10) {
        usleep(10000);
        n = read_pids(pids, 8, 0);
    }
    ck_assert_msg(n == want, "%d scenarios started, not %d", n, want);
    kill(runner_pid, sig);
    out = read_all(fd);
    close(fd);
    ck_assert_int_eq(waitpid(runner_pid, &status, 0), runner_pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 128 + sig,
                  "status 0x%x: %s", status, out);
    for (int i = 0; i < n; i++)
        ck_assert_msg(process_gone(pids[i], 2000), "a scenario's process "
                      "outlived the runner");
    snprintf(path, sizeof(path), "%s/results.json", report);
    ck_assert_msg(access(path, R_OK) == 0, "no results.json: %s", out);
    free(out);
}

START_TEST(runner_terminated)
{
    stopped_by(SIGTERM, "1");
}
END_TEST

START_TEST(runner_interrupted)
{
    stopped_by(SIGINT, "1");
}
END_TEST

START_TEST(runner_terminated_in_lanes)
{
    stopped_by(SIGTERM, "2");
}
END_TEST

START_TEST(runner_interrupted_in_lanes)
{
    stopped_by(SIGINT, "2");
}
END_TEST

/* The "fd=N" words of a report's traces, in order. */
static char *fd_words(const char *report)
{
    char path[700], *text, *out = calloc(1, 1);
    size_t len = 0;
    int fd;

    snprintf(path, sizeof(path), "%s/results.json", report);
    ck_assert_int_ge(fd = open(path, O_RDONLY), 0);
    text = read_all(fd);
    close(fd);
    for (const char *p = text; (p = strstr(p, "fd=")); p += 3) {
        size_t n = strspn(p + 3, "0123456789") + 4;
        out = realloc(out, len + n + 1);
        memcpy(out + len, p, n - 1);
        out[len + n - 1] = ' ';
        out[len += n] = '\0';
    }
    free(text);
    return out;
}

/* Descriptors the runner's parent left open never reach a loop: a trace
 * names the same fd numbers whatever its parent held (the generated docs
 * are checked against them). */
START_TEST(inherited_fds_closed)
{
    char r1[600], r2[600], text[300], *out, *a, *b;
    const char *args[] = { "-s", NULL, "--traces", "--quiet", "--report-dir", NULL, NULL };
    int held[3];

    snprintf(text, sizeof(text), HEADER "pipe P\nadd-handle H P READABLE\n"
             "readable P\nrun 1\nexpect calls H = 1\n", "fds");
    args[1] = scenario_file("fds.scn", text);
    snprintf(r1, sizeof(r1), "%s/r1", tmpdir);
    snprintf(r2, sizeof(r2), "%s/r2", tmpdir);
    args[5] = r1;
    ck_assert_int_eq(runner(&out, args), 0);
    free(out);
    for (int i = 0; i < 3; i++)
        ck_assert_int_ge(held[i] = open("/dev/null", O_RDONLY), 0);
    args[5] = r2;
    ck_assert_int_eq(runner(&out, args), 0);
    free(out);
    for (int i = 0; i < 3; i++)
        close(held[i]);
    a = fd_words(r1);
    b = fd_words(r2);
    ck_assert_msg(*a, "no fd in the trace");
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
}
END_TEST

void add_supervision_tests(Suite *s)
{
    const TTest *tests[] = {
        impl_closes_fds, impl_blocks_while_loading, impl_floods_stderr,
        impl_forges_results, impl_forges_done_then_crashes, impl_leaves_helpers,
        runner_terminated, runner_interrupted, runner_terminated_in_lanes,
        runner_interrupted_in_lanes, inherited_fds_closed,
    };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
}
