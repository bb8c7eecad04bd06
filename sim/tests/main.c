/*
 * main.c - sim's tests.  With EVSIM_SCENARIO=<mode> in the environment the
 * binary runs that scenario instead and prints its result, so that tests
 * can compare what separate processes do.
 */
#include <stdio.h>
#include <stdlib.h>

#include "suites.h"
#include "support.h"

int main(int argc, char **argv)
{
    Suite *(*const suites[])(void) = {
        clock_suite, determinism_suite, detect_suite, threads_suite,
        fds_suite, interpose_suite, faketime_suite, timerfd_suite,
    };
    const char *mode = getenv("EVSIM_SCENARIO");
    SRunner *sr;
    TestResult **failures;
    int nfailed;

    (void)argc;
    if (mode)
        return scenario_main(mode);
    sr = srunner_create(NULL);
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
