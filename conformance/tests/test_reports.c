/*
 * test_reports.c - the reports of a run that fails in every way (a
 * failure, an error, bytes that are not UTF-8, quotes and '#' in names)
 * are read by the tools CI uses; a report directory that cannot be
 * written stops the run before it starts; --budget bounds a run.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

/* Run a shell command; its exit status, its output in *out. */
static int shell(char **out, const char *fmt, const char *arg)
{
    char cmd[2048];
    FILE *p;
    size_t len = 0, cap = 4096;
    int status;

    snprintf(cmd, sizeof(cmd), fmt, arg, arg);
    p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    *out = malloc(cap);
    for (size_t got; (got = fread(*out + len, 1, cap - len - 1, p)) > 0; )
        if ((len += got) + 1 >= cap)
            *out = realloc(*out, cap *= 2);
    (*out)[len] = '\0';
    status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Every report of a failing run is valid UTF-8, junit.xml is well-formed
 * XML, results.json is JSON, and prove reads results.tap without a parse
 * error. */
START_TEST(reports_of_a_failing_run_parse)
{
    char dir[600], path[700], *out, *tool;
    const char *args[] = { "--impl", impl("forges"), "-s", NULL, "--report-dir", dir,
                           NULL };
    static const char *const files[] = { "results.tap", "junit.xml", "results.json" };

    scenario_file("one.scn", simple("one"));
    scenario_file("two.scn", simple("two"));
    args[3] = tmpdir;
    snprintf(dir, sizeof(dir), "%s/report", tmpdir);
    ck_assert_int_eq(runner(&out, args), 1);
    free(out);
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        ck_assert_msg(shell(&tool, "iconv -f UTF-8 -t UTF-8 '%s' 2>&1 >/dev/null", path) == 0,
                      "%s is not UTF-8: %s", files[i], tool);
        free(tool);
    }
    snprintf(path, sizeof(path), "%s/junit.xml", dir);
    if (access("/usr/bin/xmllint", X_OK) == 0) {
        ck_assert_msg(shell(&tool, "xmllint --noout '%s' 2>&1", path) == 0, "%s", tool);
        free(tool);
    }
    /* results.json: JSON, and of docs/results.schema.json's shape. */
    snprintf(path, sizeof(path), "%s/results.json", dir);
    ck_assert_msg(shell(&tool, "/usr/bin/python3 -c 'import json,sys; "
                        "json.load(open(sys.argv[1]))' '%s' 2>&1", path) == 0, "%s", tool);
    free(tool);
    if (shell(&tool, "/usr/bin/python3 -c 'import jsonschema' 2>&1%s", "") == 0) {
        free(tool);
        ck_assert_msg(shell(&tool, "/usr/bin/python3 -c 'import json,sys,jsonschema; "
                            "jsonschema.validate(json.load(open(sys.argv[1])), "
                            "json.load(open(\"docs/results.schema.json\")))' '%s' 2>&1",
                            path) == 0, "%s", tool);
    }
    free(tool);
    snprintf(path, sizeof(path), "%s/results.tap", dir);
    shell(&tool, "prove -v --exec cat '%s' 2>&1", path);
    ck_assert_msg(!strstr(tool, "Parse errors") && strstr(tool, "Failed 2/2"),
                  "prove could not read results.tap: %s", tool);
    free(tool);
}
END_TEST

/* A report directory that cannot be created stops the run before any
 * scenario runs, with exit status 2. */
START_TEST(report_dir_unwritable)
{
    char dir[600], *out;
    const char *args[] = { "-s", NULL, "--report-dir", dir, NULL };

    args[1] = scenario_file("a.scn", simple("a"));
    snprintf(dir, sizeof(dir), "%s/a.scn/report", tmpdir);    /* under a file */
    ck_assert_int_eq(runner(&out, args), 2);
    ck_assert_msg(strstr(out, "cannot create report directory"), "%s", out);
    ck_assert_msg(!strstr(out, "[  1/1]"), "a scenario ran: %s", out);
    free(out);
}
END_TEST

/* --budget: once the run's real time is used up, the scenario running is
 * cut short and, with those left, reported as not run (the budget is not
 * its watchdog: no verdict of a hang); exit status 1. */
START_TEST(budget_bounds_the_run)
{
    char *out;
    const char *args[] = { "--impl", impl("hang"), "--timeout", "30", "--budget", "1",
                           "-s", NULL, NULL };

    scenario_file("one.scn", simple("one"));
    scenario_file("two.scn", simple("two"));
    scenario_file("three.scn", simple("three"));
    args[7] = tmpdir;
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "the --budget of 1 s was used up: 3 scenarios not run"),
                  "%s", out);
    ck_assert_msg(strstr(out, "0 passed, 0 failed, 0 warnings, 3 skipped"), "%s", out);
    free(out);
}
END_TEST

/* --expect: a run that matches the file exits 0 and marks the known
 * failures as TODO in TAP; a regression, an unexpected pass and a stale
 * entry each fail the run; a malformed file is refused (exit 2). */
START_TEST(expectation_files)
{
    char *out, text[512], dir[600], path[700], buf[8192];
    const char *args[] = { "-s", NULL, "--expect", NULL, "--report-dir", dir, NULL };
    FILE *f;
    size_t n;

    snprintf(text, sizeof(text), HEADER "add-timeout T 0\nrun 2\nexpect calls T = 5\n",
             "fails");
    scenario_file("fails.scn", text);
    scenario_file("passes.scn", simple("passes"));
    args[1] = tmpdir;
    snprintf(dir, sizeof(dir), "%s/report", tmpdir);

    args[3] = scenario_file("ok.expect", "# known\nfails fail R21: counts wrong\n");
    ck_assert_int_eq(runner(&out, args), 0);
    ck_assert_msg(strstr(out, "2 as expected, 1 of them known deviations; 0 unexpected"),
                  "%s", out);
    free(out);
    snprintf(path, sizeof(path), "%s/results.tap", dir);
    f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    ck_assert_msg(strstr(buf, "not ok 1 - fails t # TODO known: R21: counts wrong"), "%s", buf);

    args[3] = scenario_file("regress.expect", "# nothing known\n");
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "UNEXPECTED fails: fail, expected pass"), "%s", out);
    free(out);

    args[3] = scenario_file("stale.expect", "fails fail R21: x\npasses fail R21: y\n"
                            "gone warn R30: z\n");
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "UNEXPECTED passes: pass, expected fail (R21: y)"), "%s", out);
    ck_assert_msg(strstr(out, "stale.expect:3: no scenario 'gone' ran"), "%s", out);
    free(out);

    args[3] = scenario_file("bad.expect", "fails broken R21: x\n");
    ck_assert_int_eq(runner(&out, args), 2);
    ck_assert_msg(strstr(out, "bad.expect:1: expected 'SCENARIO-ID fail|warn|error REASON'"),
                  "%s", out);
    free(out);
    args[3] = scenario_file("noreason.expect", "fails fail\n");
    ck_assert_int_eq(runner(&out, args), 2);
    ck_assert_msg(strstr(out, "noreason.expect:1: 'fails' needs a reason"), "%s", out);
    free(out);
}
END_TEST

/* scripts/matrix and scripts/docs read the reports they make: a change
 * of results.json that breaks them is caught here. */
START_TEST(matrix_and_docs_generate)
{
    char cmd[2048], *out;

    scenario_file("x", "");
    snprintf(cmd, sizeof(cmd), "scripts/matrix %s '%s/m.md' reference >/dev/null 2>&1 && "
             "grep -c '^| R' '%s/m.md' && scripts/docs %s '%s/s.md' '%s/s.html' "
             ">/dev/null 2>&1 && grep -c '^## R' '%s/s.md'", build_dir(), tmpdir, tmpdir,
             build_dir(), tmpdir, tmpdir, tmpdir);
    ck_assert_msg(shell(&out, "%s", cmd) == 0, "%s", out);
    /* The matrix has a row per rule some scenario names (R3, a MAY, has
     * none); the docs a section per rule of the contract. */
    ck_assert_msg(!strcmp(out, "44\n45\n"), "rows: %s", out);
    free(out);
}
END_TEST

void add_report_tests(Suite *s)
{
    const TTest *tests[] = {
        reports_of_a_failing_run_parse, report_dir_unwritable, budget_bounds_the_run,
        expectation_files, matrix_and_docs_generate,
    };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
}
