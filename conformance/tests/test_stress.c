/*
 * test_stress.c - the stress run's verdicts do not depend on luck: a loop
 * that loses a wake-up between deciding to wait and waiting fails every
 * run (the probes hold the loop at each point of that way in turn), and
 * a loop without a lock fails every run on ThreadSanitizer's runtime,
 * while the reference's TSan twin passes clean.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

/* A lost wake-up is found on every run, not on a lucky one: five short
 * runs, five failures under R43, each at the point the loop loses it. */
START_TEST(racy_wakeup_fails_every_run)
{
    char *out, variant[512];
    const char *args[] = { "--stress", "--stress-ms", "400", "--impl", variant, NULL };

    snprintf(variant, sizeof(variant), "%s/variants/libevref-racy-wakeup.so", build_dir());
    for (int run = 0; run < 5; run++) {
        ck_assert_msg(runner(&out, args) == 1 && strstr(out, "FAIL [R43]") &&
                      strstr(out, "held at its point"), "run %d: %s", run, out);
        free(out);
    }
}
END_TEST

/* libtsan's path, as the compiler knows it, or NULL when it has none. */
static const char *libtsan(char *buf, size_t len)
{
    FILE *p = popen("${CC:-cc} -print-file-name=libtsan.so", "r");
    bool ok = p && fgets(buf, (int)len, p) && buf[0] == '/';

    if (p)
        pclose(p);
    if (!ok)
        return NULL;
    buf[strcspn(buf, "\n")] = '\0';
    return access(buf, R_OK) == 0 ? buf : NULL;
}

/* Under TSan: the IMPL twin (build/tsan/NAME) with the stress run; returns
 * its exit status, or -1 when TSan or the twin is not there (skipped). */
static int stress_tsan(char **out, const char *name)
{
    char lib[512], preload[600], twin[512];
    const char *prefix[] = { "env", preload,
                             "TSAN_OPTIONS=halt_on_error=0 exitcode=66", NULL };
    const char *args[] = { "--stress", "--stress-ms", "400", "--impl", twin, NULL };

    snprintf(twin, sizeof(twin), "%s/tsan/%s", build_dir(), name);
    if (!libtsan(lib, sizeof(lib)) || access(twin, R_OK) != 0) {
        test_skip("no libtsan, or no ThreadSanitizer twin (not built beside a sanitizer)");
        return -1;
    }
    snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", lib);
    return run_prefixed(out, prefix, args);
}

/* A loop without a lock: its data races are reported by TSan, as a
 * failure under R42 that shows the first report, on every run. */
START_TEST(tsan_finds_a_loop_without_lock)
{
    char *out;

    for (int run = 0; run < 3; run++) {
        int rc = stress_tsan(&out, "libevref-no-lock.so");
        if (rc < 0)
            return;
        ck_assert_msg(rc == 1 && strstr(out, "FAIL [R42] ThreadSanitizer: data race") &&
                      strstr(out, "WARNING: ThreadSanitizer: data race (pid="),
                      "run %d: %s", run, out);
        free(out);
    }
}
END_TEST

/* The reference's twin passes the same run clean: no report at all. */
START_TEST(tsan_reference_is_clean)
{
    char *out;
    int rc = stress_tsan(&out, "libevconf-reference.so");

    if (rc < 0)
        return;
    ck_assert_msg(rc == 0 && strstr(out, "1 passed, 0 failed") &&
                  !strstr(out, "ThreadSanitizer"), "%s", out);
    free(out);
}
END_TEST

void add_stress_tests(Suite *s)
{
    const TTest *tests[] = { racy_wakeup_fails_every_run, tsan_finds_a_loop_without_lock,
                             tsan_reference_is_clean };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
}
