/*
 * test_modes.c - the modes evconf-run runs by itself (modes.c): a
 * sanitizer's runtime (--sanitizer) and libfaketime (--realtime=SPEEDUP)
 * preloaded by the runner starting itself again, the reference's
 * sanitizer builds found by --impl reference, one clear line for what
 * cannot run, and --help naming where the documents are.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A KIND that is not one, and ThreadSanitizer for the scenarios: one
 * line each, exit status 2. */
START_TEST(sanitizer_refuses)
{
    char *out;
    const char *bogus[] = { "--sanitizer=memory", NULL };
    const char *thread[] = { "--sanitizer=thread", "-s", NULL, NULL };

    ck_assert_int_eq(runner(&out, bogus), 2);
    ck_assert_msg(count_lines(out) == 1 && strstr(out, "address or thread"), "%s", out);
    free(out);
    thread[2] = scenario_file("s.scn", simple("s"));
    ck_assert_int_eq(runner(&out, thread), 2);
    ck_assert_msg(count_lines(out) == 1 && strstr(out, "--stress"), "%s", out);
    free(out);
}
END_TEST

/* --sanitizer=address: a loop built with ASan loads only when ASan's
 * runtime comes first in the process, which the runner sees to; its
 * memory error is then found, and the rerun line keeps the option.  Plain
 * --impl reference is the reference's ASan build. */
START_TEST(sanitizer_address_preloads)
{
    char *out, variant[512], twin[512];
    const char *plain[] = { "--impl", variant, "-s", NULL, "--report-dir", NULL, NULL };
    const char *asan[] = { "--sanitizer=address", "--impl", variant, "-s", NULL,
                           "--report-dir", NULL, NULL };
    const char *ref[] = { "--sanitizer=address", "-s", NULL, "--report-dir", NULL, NULL };

    snprintf(variant, sizeof(variant), "%s/asan/variants/libevref-asan-shrink-below-slots.so",
             build_dir());
    snprintf(twin, sizeof(twin), "%s/asan/adapters/libevconf-reference.so", build_dir());
    if (access(variant, R_OK) != 0 || access(twin, R_OK) != 0 ||
        system("\"${EVCONF_BUILD:-build}/evconf-run\" --can-fail-allocations") != 0) {
        test_skip("no ASan builds here, or a runner that cannot fail allocations");
        return;
    }
    plain[3] = asan[4] = "conformance/scenarios/ids-adds-fail-at-every-allocation.scn";
    plain[5] = asan[6] = ref[4] = make_tmpdir();
    ck_assert_msg(runner(&out, plain) == 2 && strstr(out, "failed while loading"), "%s", out);
    free(out);
    ck_assert_msg(runner(&out, asan) == 1 && strstr(out, "0 passed, 1 failed") &&
                  strstr(out, "AddressSanitizer") && strstr(out, " --sanitizer=address --report-dir "),
                  "%s", out);
    free(out);
    ref[2] = scenario_file("s.scn", simple("s"));
    ck_assert_msg(runner(&out, ref) == 0 && strstr(out, "1 passed, 0 failed"), "%s", out);
    free(out);
}
END_TEST

/* --realtime=SPEEDUP: the runner runs under libfaketime, its clocks 20
 * times as fast: a scenario of 20 s of its time takes about 1 s, far less
 * than half of 20 s however busy the machine (the runner's start, under a
 * sanitizer, took 1.5 s at load 12: no tighter bound holds); the rerun
 * line keeps the option; without libfaketime, one line.  The runner's
 * watchdog stays real time (10 s): on the fast clock, it would end the
 * scenario at 0.5 s. */
START_TEST(realtime_speedup)
{
    static const char timer[] = HEADER
        "add-timeout T 200\nrun-until 20000\nexpect calls T >= 1\n"
        "expect call T #1 at >= 200\nexpect calls T = 9999\n";
    char *out, text[600];
    const char *args[] = { "--realtime=20", "--tolerance", "20", "-s", NULL,
                           "--report-dir", NULL, NULL };
    double t0;

    if (access("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", R_OK) != 0) {
        test_skip("no libfaketime (Debian package libfaketime)");
        return;
    }
    snprintf(text, sizeof(text), timer, "rt-fast");
    args[4] = scenario_file("rt-fast.scn", text);
    args[6] = tmpdir;
    t0 = now_ms();
    ck_assert_msg(runner(&out, args) == 1, "%s", out);
    ck_assert_msg(now_ms() - t0 < 10000, "20 s at x20 took %.0f ms", now_ms() - t0);
    ck_assert_msg(strstr(out, "real time") && strstr(out, "expect calls T = 9999; but it was") &&
                  strstr(out, " --realtime=20 --tolerance 20 --report-dir "), "%s", out);
    free(out);
    setenv("EVCONF_LIBFAKETIME", "/nonexistent/libfaketime.so.1", 1);
    ck_assert_int_eq(runner(&out, args), 2);
    unsetenv("EVCONF_LIBFAKETIME");
    ck_assert_msg(count_lines(out) == 1 && strstr(out, "libfaketime"), "%s", out);
    free(out);
}
END_TEST

/* --help says where the contract, the semantics and the catalogue are,
 * and they are there. */
START_TEST(help_names_documents)
{
    char *out;
    const char *args[] = { "--help", NULL };

    ck_assert_int_eq(runner(&out, args), 0);
    for (const char *doc = "contract.md\0semantics.md\0CATALOGUE.md\0"; *doc;
         doc += strlen(doc) + 1) {
        const char *at = strstr(out, doc), *start = at;
        char path[1024];

        ck_assert_msg(at, "--help does not name %s: %s", doc, out);
        while (start > out && start[-1] != ' ')
            start--;
        snprintf(path, sizeof(path), "%.*s", (int)(at - start + strlen(doc)), start);
        ck_assert_msg(access(path, R_OK) == 0, "%s is not at %s", doc, path);
    }
    ck_assert_msg(strstr(out, "--sanitizer KIND") && strstr(out, "--realtime[=SPEEDUP]") &&
                  strstr(out, "evconf-coverage"), "%s", out);
    free(out);
}
END_TEST

void add_modes_tests(Suite *s)
{
    const TTest *tests[] = { sanitizer_refuses, sanitizer_address_preloads, realtime_speedup,
                             help_names_documents };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
}
