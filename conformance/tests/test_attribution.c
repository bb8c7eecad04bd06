/*
 * test_attribution.c - what depends on what the loop did is the loop's
 * failure, under the rule it broke (exit status 1); status 2 is for a
 * scenario wrong before anything runs.  A crash stays a crash, and names
 * the rule where the dying thread says it was.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

/* build/broken/libbroken-<name>.so */
static const char *broken(const char *name)
{
    static char path[512];

    snprintf(path, sizeof(path), "%s/broken/libbroken-%s.so", build_dir(), name);
    return path;
}

/* Run body (after HEADER) against impl; returns the exit status, with the
 * output in *out. */
static int run_body(char **out, const char *impl_path, const char *body)
{
    char text[1024];
    const char *args[] = { "--impl", impl_path, "-s", NULL, "--timeout", "20", NULL };

    snprintf(text, sizeof(text), HEADER "%s", "attr", body);
    args[3] = scenario_file("attr.scn", text);
    return runner(out, args);
}

static void no_scenario_error(const char *out)
{
    ck_assert_msg(!strstr(out, "scenario:"), "blamed on the scenario: %s", out);
}

/* A free callback called twice runs its 'on ff' reaction twice: the add
 * in it comes again, which is the loop's R34, not a name added twice. */
START_TEST(ff_twice_reaction_adds)
{
    char *out;
    int rc = run_body(&out, broken("r34-ff-twice"),
                      "add-timeout A 5000\nrun 1\nremove-timeout A\n"
                      "on ff A: add-timeout B 5000\nrun 3\n");

    ck_assert_msg(rc == 1, "exit %d: %s", rc, out);
    ck_assert_msg(strstr(out, "[MUST R34] line 10: 'on ff A: add-timeout B 5000' "
                              "ran again: a free callback was called with A's "
                              "opaque 2 times"), "%s", out);
    no_scenario_error(out);
    free(out);
}
END_TEST

/* The reference runs the same scenario once through. */
START_TEST(ff_reaction_adds_once_on_reference)
{
    char *out;
    int rc = run_body(&out, "reference", "add-timeout A 5000\nrun 1\n"
                      "remove-timeout A\non ff A: add-timeout B 5000\nrun 3\n"
                      "expect frees A = 1\n");

    ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
    free(out);
}
END_TEST

/* A NULL dereference inside add_handle: a crash, under R45. */
START_TEST(crash_inside_add_is_r45)
{
    char *out;
    int rc;

    setenv("ASAN_OPTIONS", "handle_segv=0", 1);
    rc = run_body(&out, impl("crash-in-add"), "pipe P\nadd-handle H P READABLE\nrun 1\n");
    ck_assert_msg(rc == 1, "exit %d: %s", rc, out);
    ck_assert_msg(strstr(out, "crash: the implementation died of Segmentation fault "
                              "inside add_handle() (line 8: add-handle H P READABLE)"),
                  "%s", out);
    ck_assert_msg(strstr(out, "[MUST R45] the implementation died of Segmentation "
                              "fault inside add_handle()"), "%s", out);
    free(out);
}
END_TEST

/* A loop that calls a callback inside update, whose reaction updates:
 * it recurses until the stack runs out, a crash under R27, not R45. */
START_TEST(recursion_from_sync_callback_is_r27)
{
    char *out;
    const char *args[] = { "--impl", broken("r27-sync-callback-in-update"), "-f",
                           "dispatch-enabled-during-dispatch-waits", "--seed", "1",
                           "--report-dir", NULL, NULL };
    int rc;

    setenv("ASAN_OPTIONS", "handle_segv=0", 1);
    args[7] = make_tmpdir();
    rc = runner(&out, args);
    ck_assert_msg(rc == 1, "exit %d: %s", rc, out);
    ck_assert_msg(strstr(out, "[MUST R27] the implementation died of Segmentation "
                              "fault inside update_timeout()") &&
                  strstr(out, "which the loop called inside update_timeout()"),
                  "%s", out);
    ck_assert_msg(!strstr(out, "[MUST R45]"), "%s", out);
    free(out);
}
END_TEST

/* A loop that reads the opaque before it calls: a NULL one crashes it in
 * dispatch, before the runner's callback: R16 for a callback, R40 for a
 * free callback. */
START_TEST(crash_on_null_opaque_names_r16_or_r40)
{
    char *out;
    int rc;

    setenv("ASAN_OPTIONS", "handle_segv=0", 1);
    rc = run_body(&out, impl("null-opaque-deref"), "add-timeout T 0 opaque=null\nrun 1\n");
    ck_assert_msg(rc == 1 && strstr(out, "[MUST R16] the implementation died of "
                                         "Segmentation fault during iteration 0")
                  && strstr(out, "with T added with a NULL opaque"), "%s", out);
    free(out);
    rc = run_body(&out, impl("null-opaque-deref"),
                  "add-timeout U -1 opaque=null\nremove-timeout U\nrun 1\n");
    ck_assert_msg(rc == 1 && strstr(out, "[MUST R40] the implementation died of "
                                         "Segmentation fault during iteration 0")
                  && strstr(out, "the free callback of U"), "%s", out);
    free(out);
    rc = run_body(&out, impl("null-opaque-deref"), "add-timeout T 0\nrun 2\n");
    ck_assert_msg(rc == 0, "with no NULL opaque it keeps the contract: %s", out);
    free(out);
}
END_TEST

/* A crash or exit with nothing known in progress names no rule. */
START_TEST(crash_without_rule)
{
    char *out;
    int rc;

    setenv("ASAN_OPTIONS", "handle_segv=0", 1);
    rc = run_body(&out, impl("exits"), "add-timeout T 0\nrun 1\n");
    ck_assert_msg(rc == 1 && strstr(out, "exited with status 7 in the middle of "
                                         "the scenario during iteration 0"),
                  "%s", out);
    ck_assert_msg(!strstr(out, "] the implementation exited"), "%s", out);
    free(out);
}
END_TEST

/* A loop that closes the fd it watched: the scenario's next write to the
 * pipe dies of SIGPIPE, a crash under R17; the reference runs it clean. */
START_TEST(broken_pipe_is_r17)
{
    static const char body[] = "pipe P\nadd-handle H P READABLE\nadd-timeout T 10\n"
                               "run 1\nremove-handle H\nrun 1\nreadable P\nrun 1\n";
    char *out;
    int rc = run_body(&out, broken("r17-close-on-remove"), body);

    ck_assert_msg(rc == 1, "exit %d: %s", rc, out);
    ck_assert_msg(strstr(out, "crash: the implementation died of Broken pipe writing "
                              "to P (line 13: readable P)"), "%s", out);
    ck_assert_msg(strstr(out, "[MUST R17] the implementation died of Broken pipe"),
                  "%s", out);
    free(out);
    rc = run_body(&out, "reference", body);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
    free(out);
}
END_TEST

/* An fd a callback drains, overfilled because the loop never called it:
 * R14.  The same fd with nothing to read it stays the scenario's error. */
START_TEST(fd_full_blamed_by_cause)
{
    char *out;
    int rc = run_body(&out, broken("r14-high-fds-unpolled"),
                      "pipe P\nmove-fd P 1500\nadd-handle H P READABLE\n"
                      "add-timeout T 10\non cb H: drain P\nreadable P 65536\n"
                      "run 2\nreadable P 65536\nrun 2\n");

    ck_assert_msg(rc == 1, "exit %d: %s", rc, out);
    ck_assert_msg(strstr(out, "[MUST R14] line 14: 'readable P 65536': P's buffer "
                              "is full"), "%s", out);
    no_scenario_error(out);
    free(out);
    rc = run_body(&out, "reference", "pipe P\nmove-fd P 1500\nadd-handle H P READABLE\n"
                  "add-timeout T 10\non cb H: drain P\nreadable P 65536\n"
                  "run 2\nreadable P 65536\nrun 2\n");
    ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
    free(out);
    rc = run_body(&out, "reference", "pipe P\nadd-handle H P READABLE\n"
                  "update-handle H 0\non cb H: drain P\nreadable P 65536\n"
                  "readable P 65536\nrun 1\n");
    ck_assert_msg(rc == 2 && strstr(out, "scenario: line 12: 'readable P 65536': "
                                        "the fd's buffer is full"), "%s", out);
    free(out);
}
END_TEST

/* A loop that fires a short timer in every iteration without waiting
 * never brings virtual time to a run-until's end: that is its failure,
 * said once virtual time has stood still for 1000 iterations, long
 * before any timeout (a loaded machine once made it a hang).  The
 * reference waits for the same timer. */
START_TEST(run_until_on_a_loop_that_never_waits)
{
    const char *body = "add-timeout A 10\nrun-until 100\nexpect calls A >= 5\n";
    char *out;
    int rc = run_body(&out, broken("r20-fires-early-within-20ms"), body);

    ck_assert_msg(rc == 1, "exit %d: %s", rc, out);
    ck_assert_msg(strstr(out, "[MUST R21] 1000 iterations in a row left "
                              "virtual time at 0.000 ms, short of 100 ms"), "%s", out);
    no_scenario_error(out);
    free(out);
    rc = run_body(&out, "reference", body);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
    free(out);
}
END_TEST

void add_attribution_tests(Suite *s)
{
    const TTest *tests[] = {
        ff_twice_reaction_adds, ff_reaction_adds_once_on_reference,
        crash_inside_add_is_r45, recursion_from_sync_callback_is_r27,
        crash_on_null_opaque_names_r16_or_r40,
        crash_without_rule, broken_pipe_is_r17, fd_full_blamed_by_cause,
        run_until_on_a_loop_that_never_waits,
    };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
}
