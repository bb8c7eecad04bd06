/*
 * test_wakeups.c - the idle wake-up figure (docs/wakeups.md): none on the
 * reference, one a millisecond on a loop that wakes every millisecond
 * (which passes all the same: a figure, never a failure), and n/a in real
 * time; on the terminal and in results.json.
 */
#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

/* The shipped scenario: the guard's 1000 ms timer and a watch quiet until
 * 2000 ms, over 2500 ms. */
#define IDLE_SCENARIO "conformance/scenarios/loop-sleeps-while-idle.scn"

/* dir/results.json, whole. */
static char *results_json(const char *dir)
{
    char path[PATH_MAX];
    int fd;
    char *text;

    snprintf(path, sizeof(path), "%s/results.json", dir);
    fd = open(path, O_RDONLY);
    ck_assert_msg(fd >= 0, "no %s", path);
    text = read_all(fd);
    close(fd);
    return text;
}

/* Run the idle scenario against loop (--strict), expecting it to pass;
 * returns the output, and the report in *json.  Two lanes (-j 2): the
 * figure comes back from a lane as from the runner itself. */
static char *run_idle(const char *loop, char **json)
{
    char dir[PATH_MAX], *out;
    const char *args[] = { "--impl", loop, "-s", IDLE_SCENARIO, "--strict",
                           "-j", "2", "--report-dir", dir, NULL };

    snprintf(dir, sizeof(dir), "%s/report", make_tmpdir());
    ck_assert_msg(runner(&out, args) == 0, "%s", out);
    ck_assert_msg(strstr(out, "1 passed, 0 failed, 0 warnings"), "%s", out);
    *json = results_json(dir);
    return out;
}

/* The reference sleeps from one thing due to the next: three iterations,
 * woken at 1000, 2000 and 3000 ms (run-until 2500 ends in the third
 * wait), none of them idle. */
START_TEST(reference_never_wakes_idle)
{
    char *json, *out = run_idle("reference", &json);

    ck_assert_msg(strstr(out, "\nidle wake-ups: 0 in 1 scenario\n"), "%s", out);
    ck_assert_msg(strstr(json, "\"idle_wakeups\": 0, \"iterations\": 3,"), "%s", json);
    ck_assert_msg(strstr(json, "\"summary\": {\"passed\": 1, \"failed\": 0, "
                         "\"warnings\": 0, \"skipped\": 0, \"idle_wakeups\": 0}"),
                  "%s", json);
    free(out);
    free(json);
}
END_TEST

/* A loop whose every wait ends after 1 ms keeps every rule and passes;
 * each of its 2500 iterations is an idle wake-up but those within 20 ms
 * before the guard timer's two deadlines (R26: it may fire that early,
 * and a wake-up then has a reason). */
START_TEST(busy_loop_wakes_every_ms)
{
    char loop[PATH_MAX], *json, *out;

    snprintf(loop, sizeof(loop), "%s/good/libgood-wakes-every-ms.so", build_dir());
    out = run_idle(loop, &json);
    ck_assert_msg(strstr(out, "\nidle wake-ups: 2458 in 1 scenario, most in "
                         "loop-sleeps-while-idle (2458 of 2500 iterations)\n"), "%s", out);
    ck_assert_msg(strstr(json, "\"idle_wakeups\": 2458, \"iterations\": 2500,"), "%s", json);
    free(out);
    free(json);
}
END_TEST

/* In real time the waits are the kernel's, not sim's to judge: n/a, and
 * no figure in results.json. */
START_TEST(realtime_not_counted)
{
    char dir[PATH_MAX], *out, *json;
    const char *args[] = { "--realtime", "--tolerance", "50", "-s", NULL,
                           "--report-dir", dir, NULL };

    args[4] = scenario_file("a.scn", simple("a"));
    snprintf(dir, sizeof(dir), "%s/report", tmpdir);
    ck_assert_msg(runner(&out, args) == 0, "%s", out);
    ck_assert_msg(strstr(out, "\nidle wake-ups: n/a (counted in virtual time only)\n"),
                  "%s", out);
    json = results_json(dir);
    ck_assert_msg(!strstr(json, "idle_wakeups"), "%s", json);
    free(out);
    free(json);
}
END_TEST

void add_wakeups_tests(Suite *s)
{
    const TTest *tests[] = {
        reference_never_wakes_idle, busy_loop_wakes_every_ms, realtime_not_counted,
    };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
}
