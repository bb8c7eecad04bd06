/*
 * main.c - runs every suite of the reference loop's tests.
 *
 * Each test runs in its own process (Check's fork mode), so a crash or a
 * hang fails that test alone.  Rerun one case with
 *     CK_RUN_SUITE=<suite> CK_RUN_CASE=<case> build/reference/tests/run-tests
 * which is printed under every failure.
 */
#include <stdio.h>
#include <stdlib.h>

#include "suites.h"

int main(int argc, char **argv)
{
    Suite *(*const suites[])(void) = {
        ids_suite, handles_suite, timers_suite, dispatch_suite,
        free_suite, threads_suite, register_suite, internals_suite,
    };
    SRunner *sr = srunner_create(NULL);
    TestResult **failures;
    int nfailed;

    (void)argc;
    for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
        srunner_add_suite(sr, suites[i]());
    srunner_run_all(sr, CK_NORMAL);
    nfailed = srunner_ntests_failed(sr);
    failures = srunner_failures(sr);
    for (int i = 0; i < nfailed; i++)
        fprintf(stderr, "rerun: CK_RUN_CASE='%s' %s\n",
                tr_tcname(failures[i]), argv[0]);
    free(failures);
    srunner_free(sr);
    return nfailed ? EXIT_FAILURE : EXIT_SUCCESS;
}
