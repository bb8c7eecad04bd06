/* main.c - the runner's test suite: one Check suite, a test case per
 * test, each with a fresh temporary directory. */
#include <stdlib.h>

#include "support.h"

/* Each test case is tagged shard0 or shard1 in turn, so that scripts/check
 * can run the two halves side by side (CK_INCLUDE_TAGS); without the
 * variable every test runs. */
void add_tests(Suite *s, const TTest *const tests[], size_t n)
{
    add_tests_timed(s, tests, n, 60);
}

/* Each test a case of its own, tagged into one of two shards, with a
 * watchdog of timeout_s. */
void add_tests_timed(Suite *s, const TTest *const tests[], size_t n, int timeout_s)
{
    static unsigned added;

    for (size_t i = 0; i < n; i++) {
        TCase *tc = tcase_create(tests[i]->name);
        tcase_set_tags(tc, added++ % 2 ? "shard1" : "shard0");
        tcase_add_checked_fixture(tc, NULL, remove_tmpdir);
        tcase_add_test(tc, tests[i]);
        tcase_set_timeout(tc, timeout_s);
        suite_add_tcase(s, tc);
    }
}

int main(void)
{
    Suite *s = suite_create("runner");
    SRunner *sr;
    int failed;

    add_runner_tests(s);
    add_supervision_tests(s);
    add_report_tests(s);
    add_expect_tests(s);
    add_scenario_tests(s);
    add_binding_tests(s);
    add_client_tests(s);
    add_daemon_guard_tests(s);
    add_stress_tests(s);
    add_modes_tests(s);
    add_attribution_tests(s);
    add_limits_tests(s);
    add_words_tests(s);
    add_glue_tests(s);
    add_wakeups_tests(s);
    add_mode_stop_tests(s);
    add_lanes_tests(s);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
