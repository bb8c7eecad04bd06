/*
 * test_expect.c - --expect's known-deviation files (deviations.c, judged
 * by verdict.c): a line lists one failure of a scenario, by rule and a
 * pattern of its message; a failure no line lists is a regression even
 * in a listed scenario, a line that matches nothing is stale, and a
 * malformed line is refused with its number (exit 2).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

/* tmpdir/fails.scn fails R21 twice (calls T = 5 and = 7, both "but it
 * was 2", on lines 9 and 10), passes.scn passes; args set to run both
 * with --expect args[3] and reports in dir. */
static void two_scenarios(const char **args, char *dir, size_t len)
{
    char text[512];

    snprintf(text, sizeof(text), HEADER "add-timeout T 0\nrun 2\nexpect calls T = 5\n"
             "expect calls T = 7\n", "fails");
    scenario_file("fails.scn", text);
    scenario_file("passes.scn", simple("passes"));
    args[1] = tmpdir;
    snprintf(dir, len, "%s/report", tmpdir);
}

/* Run with the expectation file of that text; the exit status, the
 * output in *out. */
static int with_expect(char **out, const char **args, const char *name, const char *text)
{
    args[3] = scenario_file(name, text);
    return runner(out, args);
}

/* Each failure matched by a line of its scenario (a pattern, a glob, a
 * line with no pattern for any failure of its rule): as expected, and
 * the known reasons go to the TAP report as TODO.  A line whose rule
 * ends in "?" may match nothing. */
START_TEST(expect_lines_match_failures)
{
    char *out, dir[600], path[700], buf[8192];
    const char *args[] = { "-s", NULL, "--expect", NULL, "--report-dir", dir, NULL };
    FILE *f;
    size_t n;

    two_scenarios(args, dir, sizeof(dir));
    ck_assert_int_eq(with_expect(&out, args, "ok.expect",
                     "# known\nfails fail R21 /line 9: expect calls T = 5; but it was 2/: five\n"
                     "fails\tfail\tR21 /calls T \\= 7;*was/ : seven\n"
                     "fails fail R30? /shows or not/: maybe\n"), 0);
    ck_assert_msg(strstr(out, "2 as expected, 1 of them known deviations; 0 unexpected"),
                  "%s", out);
    free(out);
    snprintf(path, sizeof(path), "%s/results.tap", dir);
    ck_assert_ptr_nonnull(f = fopen(path, "r"));
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    ck_assert_msg(strstr(buf, "not ok 1 - fails t # TODO known: R21: five; R21: seven; "
                         "R30: maybe"), "%s", buf);

    ck_assert_int_eq(with_expect(&out, args, "any.expect", "fails fail R21: counts wrong\n"), 0);
    ck_assert_msg(strstr(out, "0 unexpected"), "%s", out);
    free(out);
}
END_TEST

/* A failure no line lists, in a scenario that is listed: the same rule
 * with another message, or another rule, is a regression that fails the
 * run, named with its level, rule and message; a line that matched
 * nothing is stale; a pass or a scenario gone, as for any listed one. */
START_TEST(expect_new_failure_in_listed_scenario)
{
    char *out, dir[600];
    const char *args[] = { "-s", NULL, "--expect", NULL, "--report-dir", dir, NULL };

    two_scenarios(args, dir, sizeof(dir));
    ck_assert_int_eq(with_expect(&out, args, "same-rule.expect",
                                 "fails fail R21 /calls T = 5/: five\n"), 1);
    ck_assert_msg(strstr(out, "UNEXPECTED fails: a failure no line of "), "%s", out);
    ck_assert_msg(strstr(out, "same-rule.expect lists: MUST R21 line 10: expect calls T = 7; "
                         "but it was 2"), "%s", out);
    ck_assert_msg(!strstr(out, "lists: MUST R21 line 9"), "%s", out);
    ck_assert_msg(strstr(out, "1 as expected, 0 of them known deviations; 1 unexpected"),
                  "%s", out);
    free(out);

    ck_assert_int_eq(with_expect(&out, args, "other-rule.expect",
                                 "fails fail R30: another rule\n"), 1);
    ck_assert_msg(strstr(out, "lists: MUST R21 line 9: expect calls T = 5; but it was 2"),
                  "%s", out);
    ck_assert_msg(strstr(out, "other-rule.expect:1: fail R30 matched no failure of 'fails' "
                         "(stale entry)"), "%s", out);
    free(out);

    /* A literal star, an escaped slash: found nowhere, and so stale. */
    ck_assert_int_eq(with_expect(&out, args, "stale.expect",
                                 "fails fail R21: all\nfails fail R21 /T \\* 5/: star\n"
                                 "fails fail R21 /5\\/2/: slash\npasses fail R21: y\n"
                                 "gone warn R30: z\n"), 1);
    ck_assert_msg(strstr(out, "stale.expect:2: fail R21 /T \\* 5/ matched no failure"), "%s",
                  out);
    ck_assert_msg(strstr(out, "stale.expect:3: fail R21 /5\\/2/ matched no failure"), "%s", out);
    ck_assert_msg(strstr(out, "UNEXPECTED passes: pass, expected fail (R21: y)"), "%s", out);
    ck_assert_msg(strstr(out, "stale.expect:5: no scenario 'gone' ran"), "%s", out);
    ck_assert_msg(strstr(out, "; 4 unexpected"), "%s", out);
    free(out);

    ck_assert_int_eq(with_expect(&out, args, "regress.expect", "# nothing known\n"), 1);
    ck_assert_msg(strstr(out, "UNEXPECTED fails: fail, expected pass"), "%s", out);
    free(out);

    /* A scenario whose every line is marked "?" may also pass. */
    ck_assert_int_eq(with_expect(&out, args, "maybe.expect", "fails fail R21: all\n"
                                 "passes fail R21? /never/: in some runs only\n"), 0);
    ck_assert_msg(!strstr(out, "UNEXPECTED"), "%s", out);
    free(out);
}
END_TEST

/* A crash is an error of no rule: "-" lists it, its pattern found in the
 * error's text; the failure before it needs a line of its own. */
START_TEST(expect_error_of_no_rule)
{
    char *out, scn[600];
    const char *args[] = { "--impl", impl("crash"), "-s", scn, "--expect", NULL, NULL };

    /* A sanitized runner's child would turn the signal into exit 1. */
    setenv("ASAN_OPTIONS", "handle_segv=0", 1);
    snprintf(scn, sizeof(scn), "%s", scenario_file("passes.scn", simple("passes")));
    args[5] = scenario_file("crash.expect", "passes error R4 /add-timeout T 0 returned -1/: "
                            "no add\npasses error - /crash: the implementation/: it crashes\n");
    ck_assert_msg(runner(&out, args) == 0, "%s", out);
    ck_assert_msg(strstr(out, "1 as expected, 1 of them known deviations; 0 unexpected"),
                  "%s", out);
    free(out);
    args[5] = scenario_file("crash-r.expect", "passes error R4: no add\n");
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "lists: - crash: the implementation"), "%s", out);
    free(out);
}
END_TEST

/* A malformed line is refused with its file and line (exit 2), before
 * any scenario runs. */
START_TEST(expect_malformed_lines)
{
    static const struct { const char *text, *says; } bad[] = {
        { "# c\n\nfails broken R21: x\n",
          "bad.expect:3: expected 'SCENARIO-ID fail|warn|error RULE [/PATTERN/]: REASON'" },
        { "fails fail\n", "bad.expect:1: 'fails': expected a rule" },
        { "fails fail counts wrong\n", "bad.expect:1: 'fails': expected a rule" },
        { "fails fail R21??: x\n", "bad.expect:1: 'fails': expected a rule" },
        { "fails fail R21 /unclosed: x\n", "bad.expect:1: 'fails': the pattern has no closing" },
        { "fails fail R21 /a\\/: x\n", "bad.expect:1: 'fails': the pattern has no closing" },
        { "fails fail R21 //: x\n", "bad.expect:1: 'fails': the pattern is empty" },
        { "fails fail R21 /x/ why\n", "bad.expect:1: 'fails': expected ':' and a reason" },
        { "fails fail R21 /x/:\n", "bad.expect:1: 'fails': needs a reason" },
        { "fails fail R21: x\nfails warn R21 /y/: z\n",
          "bad.expect:2: 'fails' is listed as fail on line 1" },
        { "fails fail R21 /y/: x\nfails fail R21 /y/: z\n",
          "bad.expect:2: 'fails' is listed twice with R21 /y/ (line 1)" },
    };
    char *out, dir[600];
    const char *args[] = { "-s", NULL, "--expect", NULL, "--report-dir", dir, NULL };

    two_scenarios(args, dir, sizeof(dir));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_int_eq(with_expect(&out, args, "bad.expect", bad[i].text), 2);
        ck_assert_msg(strstr(out, bad[i].says), "%zu: %s", i, out);
        ck_assert_msg(!strstr(out, "passed"), "%zu: a scenario ran: %s", i, out);
        free(out);
    }
}
END_TEST

void add_expect_tests(Suite *s)
{
    const TTest *tests[] = {
        expect_lines_match_failures, expect_new_failure_in_listed_scenario,
        expect_error_of_no_rule, expect_malformed_lines,
    };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
}
