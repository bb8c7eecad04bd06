/*
 * test_scenarios.c - mistakes in a scenario are the scenario's: numbers
 * out of range, too many 'at' steps, a name added twice, more bytes than
 * an fd holds, a FIFO or a path as long as PATH_MAX allows are reported
 * against the file (exit status 2), never charged to the loop and never
 * able to block or crash the runner.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

/* Each body is refused at parse time, on its line, saying what it wanted. */
START_TEST(numbers_out_of_range)
{
    static const struct bad_scenario bad[] = {
        { "add-timeout T 4294967296\n", 7, "a timeout in ms (a number from "
          "-2147483648 to 2147483647), found '4294967296'" },
        { "remove-timeout #4294967298\n", 7, "an id after '#'" },
        { "add-timeout T 0\nrun 1000000000\n", 8, "an iteration count (a number "
          "from 0 to 1000000)" },
        { "add-timeout T 0\nrun-until 9223372036854775807\n", 8, "a virtual time in ms" },
        { "add-timeout T 0\nat 9223372036854775000: update-timeout T 1\n", 8,
          "a virtual time in ms" },
        { "add-timeout T 0\non cb T #1: sleep -5\n", 8, "a virtual time in ms" },
        { "pipe P\nreadable P 70000\n", 8, "a byte count (a number from 1 to 65536)" },
        { "pipe P\nreadable P -1\n", 8, "a byte count" },
        { "add-timeout T 0\nrun 1\nexpect call T #1 at 99999999999999\n", 9,
          "a number or an anchor" },
        { "add-timeout T 0\nadd-timeout T 5\n", 8, "'T' is added twice (first on line 7)" },
    };
    char *out;
    const char *args[] = { "-s", NULL, "--report-dir", NULL, NULL };

    write_bad_scenarios(bad, sizeof(bad) / sizeof(bad[0]));
    args[1] = tmpdir;
    args[3] = tmpdir;
    ck_assert_int_eq(runner(&out, args), 2);
    check_bad_scenarios(out, bad, sizeof(bad) / sizeof(bad[0]));
    free(out);
}
END_TEST

/* More 'at' steps than sim can schedule is the scenario's mistake. */
START_TEST(too_many_at_steps)
{
    size_t cap = 64 * 1024, len;
    char *text = malloc(cap), *out, want[600];
    const char *args[] = { "-s", NULL, NULL };

    len = (size_t)snprintf(text, cap, HEADER "add-timeout T 0\n", "many");
    for (int i = 0; i < 1001; i++)
        len += (size_t)snprintf(text + len, cap - len, "at %d: update-timeout T 0\n", i);
    snprintf(text + len, cap - len, "run 1\n");
    args[1] = scenario_file("many.scn", text);
    ck_assert_int_eq(runner(&out, args), 2);
    snprintf(want, sizeof(want), "many.scn:1008: more than 1000 'at' steps");
    ck_assert_msg(strstr(out, want), "%s", out);
    free(out);
    free(text);
}
END_TEST

/* Writing more than an fd can hold is an error of the scenario, found
 * when it runs: the run ends at once with status 2, not as a hang of the
 * loop. */
START_TEST(fd_overfilled)
{
    char *out, text[512];
    const char *args[] = { "-s", NULL, "--timeout", "20", NULL };

    snprintf(text, sizeof(text), HEADER "pipe P\nreadable P 65536\nreadable P 65536\n"
             "add-timeout T 0\nrun 1\n", "full");
    args[1] = scenario_file("full.scn", text);
    ck_assert_int_eq(runner(&out, args), 2);
    ck_assert_msg(strstr(out, "scenario: line 9: 'readable P 65536': the fd's buffer "
                          "is full"), "%s", out);
    ck_assert_msg(!strstr(out, "hang"), "%s", out);
    free(out);
}
END_TEST

/* A FIFO named like a scenario is refused without being opened for a
 * blocking read. */
START_TEST(fifo_refused)
{
    char *out, path[600];
    const char *args[] = { "-s", NULL, NULL };

    scenario_file("good.scn", simple("good"));
    snprintf(path, sizeof(path), "%s/fifo.scn", tmpdir);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    args[1] = tmpdir;
    ck_assert_int_eq(runner(&out, args), 2);
    ck_assert_msg(strstr(out, "fifo.scn: not a regular file"), "%s", out);
    ck_assert_msg(strstr(out, "ok    good"), "the good scenario did not run: %s", out);
    free(out);
}
END_TEST

/* An error in a scenario whose path is nearly PATH_MAX long is reported,
 * cut short, without overrunning the message buffer. */
START_TEST(long_path_error)
{
    char dir[4200], seg[201], *out, text[256];
    const char *args[] = { "-s", dir, NULL };
    size_t len;
    FILE *f;

    scenario_file("x", "");
    memset(seg, 'd', 200);
    seg[200] = '\0';
    len = (size_t)snprintf(dir, sizeof(dir), "%s", tmpdir);
    while (len + 202 < 3900) {
        len += (size_t)snprintf(dir + len, sizeof(dir) - len, "/%s", seg);
        ck_assert_int_eq(mkdir(dir, 0700), 0);
    }
    snprintf(dir + len, sizeof(dir) - len, "/bad.scn");
    f = fopen(dir, "w");
    ck_assert_ptr_nonnull(f);
    snprintf(text, sizeof(text), HEADER "frobnicate\n", "bad");
    fputs(text, f);
    fclose(f);
    ck_assert_int_eq(runner(&out, args), 2);
    ck_assert_msg(strstr(out, "evconf-run: ") && strstr(out, "ddd"), "%s", out);
    free(out);
}
END_TEST

/* A hundred thousand names parse, and each keeps its meaning. */
START_TEST(many_names)
{
    size_t cap = 4 << 20, len;
    char *text = malloc(cap), *out;
    const char *args[] = { "-s", NULL, NULL };

    len = (size_t)snprintf(text, cap, HEADER "add-timeout T 0\n", "names");
    for (int i = 0; i < 100000; i++)
        len += (size_t)snprintf(text + len, cap - len, "mark M%d\n", i);
    snprintf(text + len, cap - len, "run 2\nexpect calls T since M99999 = 2\n"
             "expect calls T since M0 = 2\n");
    args[1] = scenario_file("names.scn", text);
    ck_assert_int_eq(runner(&out, args), 0);
    ck_assert_msg(strstr(out, "1 passed, 0 failed"), "%s", out);
    free(out);
    free(text);
}
END_TEST

void add_scenario_tests(Suite *s)
{
    const TTest *tests[] = {
        numbers_out_of_range, too_many_at_steps, fd_overfilled, fifo_refused,
        long_path_error, many_names,
    };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
}
