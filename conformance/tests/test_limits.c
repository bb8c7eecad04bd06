/*
 * test_limits.c - the limits the runner promises (issue 20, items 9-13):
 * every number on the command line is range-checked; --budget bounds the
 * whole run, generation and shrinking included; loading large inputs is
 * linear (each case here is far past what a quadratic loader does within
 * the case's 60 s); a loop that prints 1 GiB is drained, not called hung;
 * a scenario refused on a step's error path leaks nothing (the ASan build
 * of `make sanitize` runs these too, where LeakSanitizer fails the run).
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "support.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A number too big for an int, a trailing word, a sign where none
 * belongs: each option refuses it in one line that names the option and
 * its range, and exits 2 (atoi made --budget 4294967297 a 1 s budget). */
START_TEST(numbers_range_checked)
{
    static const struct { const char *opt, *value, *says; } bad[] = {
        { "--budget", "4294967297", "--budget takes a number from 1 to " },
        { "--timeout", "4294967297", "--timeout takes a number from 1 to " },
        { "--generate", "4294967297", "--generate takes a number from 1 to 100000" },
        { "--timeout", "10s", "--timeout takes a number from 1 to " },
        { "--wake-timeout", "4294967297", "--wake-timeout takes a number from 1 to " },
        { "--tolerance", "4294967296", "--tolerance takes a number from 0 to " },
        { "--threads", "4294967300", "--threads takes a number from 1 to 16" },
        { "--stress-ms", "4294967297", "--stress-ms takes a number from 1 to 600000" },
        { "--seed", "-1", "--seed takes a number from 0 to 18446744073709551615" },
        { "-t", "0", "--timeout takes a number from 1 to " },
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *args[] = { bad[i].opt, bad[i].value, "--list", NULL };
        char *out;
        int rc = runner(&out, args);
        ck_assert_msg(rc == 2 && count_lines(out) == 1 && strstr(out, bad[i].says),
                      "%s %s: exit %d, expected 2 and one line '%s...': %.500s",
                      bad[i].opt, bad[i].value, rc, bad[i].says, out);
        free(out);
    }
}
END_TEST

/* --help comes from the same table: each option with its range. */
START_TEST(help_has_ranges)
{
    char *out;
    const char *args[] = { "--help", NULL };

    ck_assert_int_eq(runner(&out, args), 0);
    ck_assert_msg(strstr(out, "--budget SEC") && strstr(out, "(SEC: 1 to 604800)") &&
                  strstr(out, "(N: 1 to 100000)") && strstr(out, "Exit status:"),
                  "%.3000s", out);
    free(out);
}
END_TEST

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;

    if (!d)
        return 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n - 2;
}

/* --budget 2 with 100000 programs to generate: the budget counts from the
 * start, generation stops when it ends (so does what it writes), and the
 * programs left are reported as not run, in reports that are written. */
START_TEST(budget_bounds_generation)
{
    char *out, gen[600], json[600];
    const char *args[] = { "--budget", "2", "--generate", "100000", "-r", NULL, "-q",
                           NULL };
    double t0 = now_s(), took;
    struct stat st;
    int rc;

    args[5] = make_tmpdir();
    rc = runner(&out, args);
    took = now_s() - t0;
    snprintf(gen, sizeof(gen), "%s/generated", tmpdir);
    snprintf(json, sizeof(json), "%s/results.json", tmpdir);
    ck_assert_msg(rc == 1 && strstr(out, "the --budget of 2 s was used up"),
                  "exit %d: %.2000s", rc, out);
    ck_assert_msg(took < 2 + 10 + 15, "--budget 2 took %.1f s", took);
    ck_assert_msg(count_files(gen) < 100000, "all 100000 programs were written");
    ck_assert_msg(stat(json, &st) == 0 && st.st_size > 100000, "no full results.json");
    free(out);
}
END_TEST

/* Shrinking stops when the budget ends, and says so. */
START_TEST(budget_bounds_shrinking)
{
    char *out, *json, path[600], broken[600];
    const char *args[] = { "--impl", broken, "--generate", "40", "-f", "gen-*",
                           "--budget", "3", "--timeout", "5", "-r", NULL, "-q", NULL };
    double t0 = now_s(), took;
    FILE *f;
    int rc;

    snprintf(broken, sizeof(broken), "%s/broken/libbroken-r16-wrong-opaque.so", build_dir());
    args[11] = make_tmpdir();
    rc = runner(&out, args);
    took = now_s() - t0;
    ck_assert_msg(rc == 1, "exit %d: %.2000s", rc, out);
    ck_assert_msg(took < 3 + 5 + 15, "--budget 3 took %.1f s", took);
    snprintf(path, sizeof(path), "%s/results.json", tmpdir);
    ck_assert_ptr_nonnull(f = fopen(path, "r"));
    json = read_all(fileno(f));
    fclose(f);
    ck_assert_msg(strstr(json, "not shrunk: the --budget was used up") ||
                  strstr(json, "partly shrunk (the --budget was used up)") ||
                  strstr(json, "not run: the --budget"),
                  "nothing says the budget cut the shrinking: %.3000s", json);
    free(json);
    free(out);
}
END_TEST

/* --stress is bounded by the budget too: its workers stop when it ends. */
START_TEST(budget_bounds_stress)
{
    char *out;
    const char *args[] = { "--stress", "--stress-ms", "600000", "--threads", "2",
                           "--budget", "2", NULL };
    double t0 = now_s(), took;
    int rc;

    rc = runner(&out, args);
    took = now_s() - t0;
    ck_assert_msg(rc == 0 && strstr(out, "1 passed, 0 failed"), "exit %d: %.2000s", rc, out);
    ck_assert_msg(took < 2 + 10 + 15, "--budget 2 with --stress took %.1f s", took);
    free(out);
}
END_TEST

/* A file of n lines, each from fmt with its line number. */
static const char *lines_file(const char *name, const char *head, const char *fmt,
                              int n, const char *tail)
{
    static char path[600];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", make_tmpdir(), name);
    ck_assert_ptr_nonnull(f = fopen(path, "w"));
    fputs(head, f);
    for (int i = 0; i < n; i++)
        fprintf(f, fmt, i);
    fputs(tail, f);
    fclose(f);
    return path;
}

/* 200k expectation lines, the last one a duplicate: found, on its line
 * (a check of each line against all before it takes minutes). */
START_TEST(expect_file_linear)
{
    char *out, expect[600];
    const char *args[] = { "--expect", expect, "--list", "-s", NULL, NULL };

    snprintf(expect, sizeof(expect), "%s", lines_file("big.expect", "",
             "x-%d fail R1: a reason\n", 200000, "x-0 fail R1: again\n"));
    args[4] = scenario_file("one.scn", simple("one"));
    ck_assert_int_eq(runner(&out, args), 2);
    ck_assert_msg(strstr(out, "big.expect:200001: 'x-0' is listed twice"), "%.1000s", out);
    free(out);
}
END_TEST

/* A header continued over a million lines is read whole. */
START_TEST(header_lines_linear)
{
    char *out, head[200];
    const char *args[] = { "--list", "-s", NULL, NULL };

    snprintf(head, sizeof(head), "id: long-why\ntitle: t\nrules: R21\nlevel: MUST\n"
             "why: w\n");
    args[2] = lines_file("long.scn", head, "  word%d\n", 1000000,
                         "add-timeout T 0\nrun 1\n");
    ck_assert_int_eq(runner(&out, args), 0);
    ck_assert_msg(strstr(out, "long-why"), "%.2000s", out);
    free(out);
}
END_TEST

/* 100k scenarios in a directory, the last one reusing the first one's
 * id: all listed, the duplicate named. */
START_TEST(scenario_dir_linear)
{
    char *out, name[32], text[512];
    const char *args[] = { "--list", "-s", NULL, NULL };

    for (int i = 0; i < 100000; i++) {
        snprintf(name, sizeof(name), "s%06d.scn", i);
        snprintf(text, sizeof(text), "s-%d", i);
        scenario_file(name, simple(text));
    }
    scenario_file("zz.scn", simple("s-0"));
    args[2] = tmpdir;
    ck_assert_int_eq(runner(&out, args), 2);
    ck_assert_msg(strstr(out, "zz.scn:1: id 's-0' is already used by ") &&
                  strstr(out, "s-99999 ") && count_lines(out) == 100001,
                  "%.2000s", out);
    free(out);
}
END_TEST

/* A loop that prints 1 GiB in its first iteration passes its scenario:
 * the runner drains as fast as the pipe (a pipe moves 1 GiB in about a
 * second; a drain a byte at a time took 9 to 21 s, past this 4 s
 * watchdog), and keeps the end of the output (the last line's "the-end",
 * last in the trace) with a note of what it dropped. */
START_TEST(gigabyte_of_output)
{
    char *out, *json, path[600];
    const char *args[] = { "--impl", impl("prints-1g"), "-s", NULL, "--traces",
                           "-r", NULL, "-q", "--timeout", "4", NULL };
    FILE *f;
    int rc;

    args[3] = scenario_file("one.scn", simple("one"));
    args[6] = tmpdir;
    rc = runner(&out, args);
    ck_assert_msg(rc == 0 && strstr(out, "1 passed, 0 failed"), "exit %d: %.1000s", rc,
                  out + (strlen(out) > 1000 ? strlen(out) - 1000 : 0));
    snprintf(path, sizeof(path), "%s/results.json", tmpdir);
    ck_assert_ptr_nonnull(f = fopen(path, "r"));
    json = read_all(fileno(f));
    fclose(f);
    /* The trace ends with the output's last line, in order: a ring read
     * from the wrong place would put it elsewhere. */
    ck_assert_msg(strstr(json, "the-end\\n\"") && strstr(json, " bytes of stderr not kept"),
                  "the end of the output is not kept, or not last: %.3000s", json);
    free(json);
    free(out);
}
END_TEST

/* The step error paths that leaked (libFuzzer): too many words, a failed
 * connect, a failed define-domain.  Each is refused on its line; under `make sanitize` a leak
 * would end the runner with LeakSanitizer's status instead of 2. */
START_TEST(refused_steps_free)
{
    static const struct bad_scenario bad[] = {
        { "add-timeout T 0\nrun 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n", 8,
          "too many words on one line (at most 16)" },
        { "connect C daemon:nodaemon\n", 7, "expected a daemon name" },
        { "pipe C\nconnect C test:///default\n", 8, "'C'" },
        { "define-domain nosuch dom1\n", 7, "expected a connection name" },
    };
    char *out;
    const char *args[] = { "--list", "-s", NULL, NULL };

    write_bad_scenarios(bad, sizeof(bad) / sizeof(bad[0]));
    args[2] = tmpdir;
    ck_assert_int_eq(runner(&out, args), 2);
    check_bad_scenarios(out, bad, sizeof(bad) / sizeof(bad[0]));
    free(out);
}
END_TEST

void add_limits_tests(Suite *s)
{
    const TTest *tests[] = {
        numbers_range_checked, help_has_ranges, budget_bounds_generation,
        budget_bounds_shrinking, budget_bounds_stress, refused_steps_free,
    };
    /* Files of a million lines, 100k files, a gigabyte through a pipe: the
     * disk and the CPU are shared with whatever else runs (three make
     * checks at once took scenario_dir_linear past 60 s; alone at load 16
     * it takes 19 s).  The watchdog stops a hang; speed is the bench's. */
    const TTest *big[] = {
        expect_file_linear, header_lines_linear, scenario_dir_linear, gigabyte_of_output,
    };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
    add_tests_timed(s, big, sizeof(big) / sizeof(big[0]), 240);
}
