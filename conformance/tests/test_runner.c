/*
 * test_runner.c - the runner's own behaviour: its command line, bad input
 * (a missing or broken IMPL, malformed scenarios), implementations that
 * crash, hang or exit, and the reports.  Each test runs build/evconf-run as
 * a child process and looks at its output and exit status.
 */
#include <check.h>
#include <limits.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

/* --help exits 0 and documents every option the brief names. */
START_TEST(help)
{
    char *out;
    const char *args[] = { "--help", NULL };

    ck_assert_int_eq(runner(&out, args), 0);
    for (const char *opt = "--impl\0--filter\0--seed\0--report-dir\0--strict\0--list\0";
         *opt; opt += strlen(opt) + 1)
        ck_assert_msg(strstr(out, opt), "--help does not mention %s", opt);
    free(out);
}
END_TEST

START_TEST(bad_option)
{
    char *out;
    const char *args[] = { "--frobnicate", NULL };

    ck_assert_int_eq(runner(&out, args), 2);
    free(out);
}
END_TEST

/* --stress: the reference passes; a variant that never wakes for another
 * thread's change fails (always: its only wake-up is a 1 s guard timer),
 * with the closing line intact; bad numbers are refused.  (The racier
 * variants, no-lock and racy-wakeup: test_stress.c.) */
START_TEST(stress_mode)
{
    char *out, variant[512];
    const char *ok[] = { "--stress", "--stress-ms", "400", "--threads", "2", NULL };
    const char *bad[] = { "--stress", "--threads", "99", NULL };
    const char *broken[] = { "--stress", "--stress-ms", "400", "--impl", variant, NULL };

    ck_assert_msg(runner(&out, ok) == 0 && strstr(out, "1 passed, 0 failed"),
                  "the reference under --stress: %s", out);
    free(out);
    ck_assert_int_eq(runner(&out, bad), 2);
    ck_assert_msg(count_lines(out) == 1, "one line for a bad --threads: %s", out);
    free(out);
    snprintf(variant, sizeof(variant), "%s/variants/libevref-no-wakeup.so", build_dir());
    ck_assert_msg(runner(&out, broken) == 1 && strstr(out, "FAIL [R43]") &&
                  strstr(out, "0 passed, 1 failed"),
                  "a reference that never wakes, under --stress: %s", out);
    free(out);
}
END_TEST

/* A missing IMPL, a file that is not a shared object, and one without the
 * required symbols: one clear line each, exit status 2. */
START_TEST(impl_missing)
{
    char *out;
    const char *args[] = { "--impl", "/nonexistent/libfoo.so", "-s",
                           scenario_file("a.scn", simple("a")), NULL };

    ck_assert_int_eq(runner(&out, args), 2);
    ck_assert_msg(count_lines(out) == 1 && strstr(out, "No such file"),
                  "expected one line about the missing file, got: %s", out);
    free(out);
}
END_TEST

START_TEST(impl_not_a_shared_object)
{
    char *out;
    const char *args[] = { "--impl", "/etc/passwd", "-s",
                           scenario_file("a.scn", simple("a")), NULL };

    ck_assert_int_eq(runner(&out, args), 2);
    ck_assert_msg(count_lines(out) == 1 && strstr(out, "cannot load"),
                  "expected one line, got: %s", out);
    free(out);
}
END_TEST

START_TEST(impl_without_symbols)
{
    char *out;
    const char *args[] = { "--impl", impl("nosym"), "-s",
                           scenario_file("a.scn", simple("a")), NULL };

    ck_assert_int_eq(runner(&out, args), 2);
    ck_assert_msg(count_lines(out) == 1 && strstr(out, "does not export evconf_register"),
                  "expected one line naming the symbol, got: %s", out);
    free(out);
}
END_TEST

/* Malformed scenarios are rejected with file:line and what was expected;
 * the good ones still run and are reported; the exit status is 2. */
START_TEST(malformed_scenarios)
{
    static const struct bad_scenario bad[] = {
        { "add-timeout T 0\nfrobnicate T\n", 8, "expected a step" },
        { "add-handle H P READABLE\n", 7, "not defined above" },
        { "pipe P\nadd-handle H P READING\n", 8, "expected an event mask" },
        { "add-timeout T 0\non cb T: add-timeout U 0\n", 8, "must say which call" },
        { "add-timeout T 0\nexpect calls T about 3\n", 8, "expected a comparison" },
        { "add-timeout T zero\n", 7, "expected a timeout in ms" },
        { "add-timeout T 0\nrun 1\nexpect calls T since update(T)+1 = 0\n", 9,
          "with no offset" },
        { "connect C test:///default\nexpect released C now\n", 8,
          "expected 'expect released CONNECTION'" },
        { "add-timeout T 0\nexpect released T\n", 8, "a connection name" },
        { "connect C test:///default\nexpect closed C NONE at 100\n", 8, "[at CMP MS]" },
        { "connect C test:///default\nexpect closed C EOF at about 100\n", 8,
          "expected a comparison" },
    };
    char *out;
    const char *args[] = { "-s", NULL, "--report-dir", NULL, NULL };

    write_bad_scenarios(bad, sizeof(bad) / sizeof(bad[0]));
    scenario_file("good.scn", simple("good"));
    scenario_file("nowhy.scn", "id: nowhy\ntitle: t\nrules: R1\nlevel: MUST\n\nrun 1\n");
    args[1] = tmpdir;
    args[3] = tmpdir;
    ck_assert_int_eq(runner(&out, args), 2);
    check_bad_scenarios(out, bad, sizeof(bad) / sizeof(bad[0]));
    ck_assert_msg(strstr(out, "nowhy.scn:1: missing 'why:'"), "%s", out);
    ck_assert_msg(strstr(out, "ok    good"), "the good scenario did not run: %s", out);
    free(out);
}
END_TEST

START_TEST(impl_crashes)
{
    /* Under AddressSanitizer, let the signal kill the child as it would. */
    setenv("ASAN_OPTIONS", "handle_segv=0", 1);
    misbehaving("crash", 10, "crash: the implementation died of Segmentation fault");
}
END_TEST

START_TEST(impl_exits)
{
    misbehaving("exits", 10, "exited with status 7");
}
END_TEST

START_TEST(impl_hangs)
{
    misbehaving("hang", 1, "hang: no result within 1 s");
}
END_TEST

START_TEST(impl_register_fails)
{
    char *out;
    const char *args[] = { "--impl", impl("register-fails"), "-s",
                           scenario_file("a.scn", simple("a")), NULL };

    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "evconf_register() returned non-zero"), "%s", out);
    free(out);
}
END_TEST

/* SHOULD failures are warnings (exit 0) unless --strict (exit 1). */
START_TEST(strict_makes_should_fatal)
{
    char *out;
    char text[512];
    const char *args[] = { "-s", NULL, NULL, NULL };

    snprintf(text, sizeof(text), HEADER "add-timeout T 0\nrun 2\n"
             "expect calls T = 99 [SHOULD]\n", "should");
    args[1] = scenario_file("should.scn", text);
    ck_assert_int_eq(runner(&out, args), 0);
    ck_assert_msg(strstr(out, "0 passed, 0 failed, 1 warnings, 0 skipped"), "%s", out);
    free(out);
    args[2] = "--strict";
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "0 passed, 1 failed"), "%s", out);
    free(out);
}
END_TEST

/* A failure says what was expected, what happened, the trace, the seed and
 * the command that reruns exactly that scenario. */
START_TEST(failure_report)
{
    char *out, text[512];
    const char *args[] = { "-s", NULL, "--seed", "77", NULL };

    snprintf(text, sizeof(text), HEADER "add-timeout T 0\nrun 2\nexpect calls T = 5\n",
             "fails");
    args[1] = scenario_file("fails.scn", text);
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "[MUST R21] line 9: expect calls T = 5; but it was 2"), "%s", out);
    ck_assert_msg(strstr(out, "cb T timer="), "no trace in: %s", out);
    ck_assert_msg(strstr(out, "seed: 77"), "%s", out);
    ck_assert_msg(strstr(out, "/evconf-run --impl reference -s /"), "%s", out);
    ck_assert_msg(strstr(out, "fails.scn --seed 77\n"), "%s", out);
    free(out);
}
END_TEST

/* The rerun line works as printed, from another directory: pasted into a
 * shell, it runs the same scenario with the same options to the same
 * failure, and writes its reports and coverage data where the first run
 * was told to (--report-dir, --coverage-dir). */
START_TEST(rerun_line_works_as_printed)
{
    char *out, text[512], cmd[8192], got[4096], cov[600], want[1300];
    const char *args[] = { "-s", NULL, "--seed", "5", "--strict", "--timeout", "7",
                           "--report-dir", NULL, "--coverage-dir", cov, NULL };
    const char *line, *end;
    size_t n;
    FILE *p;

    snprintf(text, sizeof(text), HEADER "add-timeout T 0\nrun 2\nexpect calls T = 5\n",
             "again");
    args[1] = scenario_file("it's here.scn", text);
    args[8] = make_tmpdir();
    snprintf(cov, sizeof(cov), "%s/cov", tmpdir);
    ck_assert_int_eq(runner(&out, args), 1);
    line = strstr(out, "rerun: ");
    ck_assert_msg(line, "%s", out);
    line += 7;
    end = strchr(line, '\n');
    ck_assert_msg(strstr(line, "--strict --timeout 7") && end, "%s", out);
    snprintf(want, sizeof(want), " --report-dir %s --coverage-dir %s\n", tmpdir, cov);
    ck_assert_msg(strstr(line, want), "no '%s' in: %s", want, out);
    snprintf(cmd, sizeof(cmd), "rm -r '%s/results.json' '%s' && cd / && %.*s 2>&1", tmpdir,
             cov, (int)(end - line), line);
    free(out);
    p = popen(cmd, "r");
    ck_assert(p);
    n = fread(got, 1, sizeof(got) - 1, p);
    got[n] = '\0';
    ck_assert_msg(WEXITSTATUS(pclose(p)) == 1, "%s: %s", cmd, got);
    ck_assert_msg(strstr(got, "[MUST R21] line 9: expect calls T = 5; but it was 2") &&
                  strstr(got, "0 passed, 1 failed"), "%s: %s", cmd, got);
    snprintf(want, sizeof(want), "%s/results.json", tmpdir);
    ck_assert_msg(access(want, F_OK) == 0, "the rerun wrote no %s: %s", want, got);
    ck_assert_msg(access(cov, F_OK) == 0, "the rerun made no %s: %s", cov, got);
}
END_TEST

/* R17 is checked outside callbacks too, with no expect line asking: a
 * watch's fd when remove returns, every fd when the scenario ends.  The
 * watch here is never called (its pipe stays empty), so only those checks
 * can see a loop that sets FD_CLOEXEC at add (the fd is created without
 * it) or closes the fd after remove; the reference passes. */
START_TEST(fd_flags_checked_outside_callbacks)
{
    static const struct { const char *loop, *says[2]; } cases[] = {
        { "r17-cloexec-on-add", { "H after remove-handle: fd ", "P at the end "
          "of the scenario: fd " } },
        { "r17-close-on-remove", { "P at the end of the scenario: fd ",
          "is closed: the loop closed an fd it does not own" } },
    };
    char *out, text[256], loop[512];
    const char *args[] = { "-s", NULL, "--impl", "reference", NULL };

    snprintf(text, sizeof(text), HEADER "pipe P\nadd-handle H P READABLE\n"
             "run 2\nremove-handle H\nrun 2\n", "fd-flags");
    args[1] = scenario_file("fd-flags.scn", text);
    ck_assert_int_eq(runner(&out, args), 0);
    free(out);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(loop, sizeof(loop), "%s/broken/libbroken-%s.so", build_dir(),
                 cases[i].loop);
        args[3] = loop;
        ck_assert_int_eq(runner(&out, args), 1);
        for (int k = 0; k < 2; k++)
            ck_assert_msg(strstr(out, cases[i].says[k]), "%s: no '%s' in: %s",
                          cases[i].loop, cases[i].says[k], out);
        ck_assert_msg(strstr(out, "[MUST R17]"), "%s", out);
        free(out);
    }
}
END_TEST

/* A loop that would wait forever is reported as idle, at once. */
START_TEST(idle_reported)
{
    char *out, text[512];
    const char *args[] = { "-s", NULL, NULL };

    snprintf(text, sizeof(text), "id: idle\ntitle: t\nrules: R21\nlevel: MUST\n"
             "why: w.\nguard: none\n\nrun 1\n");
    args[1] = scenario_file("idle.scn", text);
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "went idle") && strstr(out, "nothing can ever happen"),
                  "%s", out);
    free(out);
}
END_TEST

/* TAP, JUnit XML and JSON are written to the report directory. */
START_TEST(reports_written)
{
    char *out, path[600], buf[4096];
    const char *args[] = { "-s", NULL, "--report-dir", NULL, NULL };
    static const struct { const char *file, *has; } files[] = {
        { "results.tap", "TAP version 13\n1..1\n" },
        { "results.tap", "\nok 1 - r t\n" },
        { "junit.xml", "<testsuite name=\"evconf\" tests=\"1\" failures=\"0\"" },
        { "results.json", "\"summary\": {\"passed\": 1, \"failed\": 0" },
    };

    args[1] = scenario_file("r.scn", simple("r"));
    snprintf(path, sizeof(path), "%s/reports/nested", tmpdir);
    args[3] = strdup(path);
    ck_assert_int_eq(runner(&out, args), 0);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        FILE *f;
        size_t n;
        snprintf(path, sizeof(path), "%s/reports/nested/%s", tmpdir, files[i].file);
        f = fopen(path, "r");
        ck_assert_msg(f, "%s was not written", path);
        n = fread(buf, 1, sizeof(buf) - 1, f);
        buf[n] = '\0';
        fclose(f);
        ck_assert_msg(strstr(buf, files[i].has), "%s lacks '%s':\n%s", files[i].file,
                      files[i].has, buf);
    }
    free((char *)args[3]);
    free(out);
}
END_TEST

/* Names may contain '-': an anchor's offset is only its trailing +N/-N,
 * and a mark named like "m-1" is the mark, not m minus 1. */
START_TEST(anchor_names_with_dashes)
{
    char *out, text[600];
    const char *args[] = { "-s", NULL, NULL };

    snprintf(text, sizeof(text), HEADER "add-timeout T 100\nmark t-0\nrun 1\n"
             "mark m-1\nexpect call T #1 at t-0+100\nexpect call T #1 at m-1\n"
             "expect call T #1 at m-1-0\nexpect call T #1 iteration < m-1+1\n", "dash");
    args[1] = scenario_file("dash.scn", text);
    ck_assert_msg(runner(&out, args) == 0 && strstr(out, "1 passed, 0 failed"), "%s", out);
    free(out);
}
END_TEST

/* "since" counts from an anchor, within the same instant too: three fires of
 * a 0 ms timer before the update to -1 and none after it; the first call
 * after a mark is numbered #1.  The same lines fail when the count is off. */
START_TEST(since_counts_from_the_anchor)
{
    static const char *const body =
        "add-timeout T 0\nrun 3\nupdate-timeout T -1\nrun 2\n"
        "expect calls T since update(T) %s\nupdate-timeout T 100\nmark M\n"
        "run 2\nexpect call T #1 since M at %s\n";
    char *out, text[800], fmt[400];
    const char *args[] = { "-s", NULL, NULL };

    snprintf(fmt, sizeof(fmt), "%s%s", HEADER, body);
    snprintf(text, sizeof(text), fmt, "s1", "= 0", "M+100");
    args[1] = scenario_file("s1.scn", text);
    ck_assert_msg(runner(&out, args) == 0 && strstr(out, "1 passed, 0 failed"), "%s", out);
    free(out);
    snprintf(text, sizeof(text), fmt, "s2", "= 3", "M+50");
    args[1] = scenario_file("s2.scn", text);
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "expect calls T since update(T) = 3; but it was 0"), "%s", out);
    ck_assert_msg(strstr(out, "expect call T #1 since M at M+50; but it was at 2100.000 ms"),
                  "%s", out);
    free(out);
}
END_TEST

/* --generate: programs made in their turn and run; on the reference they
 * pass, and are not written (what generation writes is bounded by what
 * fails); a failing one is written into the report dir and shrunk to a
 * .min.scn that the report names. */
START_TEST(generate_and_shrink)
{
    char *out, path[600];
    const char *good[] = { "--generate", "5", "-f", "gen-*", "--report-dir", NULL, NULL };
    const char *bad[] = { "--generate", "1", "-f", "gen-*", "--impl", impl("exits"),
                          "--report-dir", NULL, NULL };

    scenario_file("unused.scn", simple("unused"));
    good[5] = tmpdir;
    ck_assert_msg(runner(&out, good) == 0 && strstr(out, "5 passed, 0 failed"), "%s", out);
    free(out);
    snprintf(path, sizeof(path), "%s/generated/gen-1-5.scn", tmpdir);
    ck_assert_msg(access(path, F_OK) != 0, "a passing program was written: %s", path);
    bad[7] = tmpdir;
    ck_assert_int_eq(runner(&out, bad), 1);
    snprintf(path, sizeof(path), "%s/generated/gen-1-1.scn", tmpdir);
    ck_assert_msg(access(path, R_OK) == 0, "no %s", path);
    snprintf(path, sizeof(path), "%s/generated/gen-1-1.min.scn", tmpdir);
    ck_assert_msg(strstr(out, "shrunk to 1 step lines") && strstr(out, path), "%s", out);
    ck_assert_msg(access(path, R_OK) == 0, "no %s", path);
    free(out);
}
END_TEST

/* --list and --filter. */
START_TEST(list_and_filter)
{
    char *out;
    const char *args[] = { "-s", NULL, "--list", "--filter", "alpha*", NULL };

    scenario_file("alpha.scn", simple("alpha-1"));
    scenario_file("beta.scn", simple("beta-1"));
    args[1] = tmpdir;
    ck_assert_int_eq(runner(&out, args), 0);
    ck_assert_msg(strstr(out, "alpha-1") && !strstr(out, "beta-1"), "%s", out);
    free(out);
}
END_TEST

/* The same scenario and seed give the same trace in two runs. */
START_TEST(same_seed_same_report)
{
    char *a, *b, text[600];
    const char *args[] = { "-s", NULL, "--seed", "5", "--quiet", NULL };

    snprintf(text, sizeof(text), HEADER "add-timeout A 30\nadd-timeout B 20\n"
             "add-timeout C 0\nadd-timeout D 50\nrun-until 200\nexpect calls A = 0\n",
             "det");
    args[1] = scenario_file("det.scn", text);
    runner(&a, args);
    runner(&b, args);
    ck_assert_msg(strstr(a, "cb C timer="), "%s", a);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
}
END_TEST

/* Real-time mode under libfaketime (10x): a periodic timer scenario passes
 * against the reference and against libvirt's default loop, with time
 * expectations held to a tolerance; a loop that does not wake up for
 * another thread's change fails there too. */
/* Real time on a shared machine is late by any amount, never early: the
 * expectations bound times from below only, and the time checks' slack
 * (--tolerance) is R26's 20 ms.  libfaketime's speed-up is x2, so that a
 * scheduling delay counts little in faked time. */
static const char realtime_timer[] = HEADER
    "add-timeout T 200\nrun-until 1050\n"
    "expect calls T >= 1\nexpect call T #1 at >= 200\n";
static const char realtime_wake[] = HEADER
    "add-timeout T -1\nat 100 thread: update-timeout T 10\nrun-until 400\n"
    "expect call T #1 at >= 110\n";

static int realtime_run(char **out, const char *impl_name, const char *file)
{
    const char *prefix[] = { "faketime", "-f", "+0 x2", NULL };
    const char *args[] = { "--realtime", "--tolerance", "20", "--impl", impl_name,
                           "-s", file, "--wake-timeout", "1000", NULL };

    /* faketime preloads libfaketime; under AddressSanitizer that puts the
     * sanitizer's runtime second, which it accepts only when told to. */
    setenv("ASAN_OPTIONS", "verify_asan_link_order=0", 1);
    return run_prefixed(out, prefix, args);
}

START_TEST(realtime_under_faketime)
{
    static const char *const impls[] = { "reference", "libvirt-default" };
    char *out, text[600], variant[512];
    const char *file;

    if (access("/usr/bin/faketime", X_OK) != 0) {
        test_skip("no /usr/bin/faketime (Debian package faketime)");
        return;
    }
    snprintf(text, sizeof(text), realtime_timer, "rt-timer");
    file = scenario_file("rt-timer.scn", text);
    for (size_t i = 0; i < 2; i++) {
        ck_assert_msg(realtime_run(&out, impls[i], file) == 0,
                      "%s in real time: %s", impls[i], out);
        ck_assert_msg(strstr(out, "real time") && strstr(out, "1 passed, 0 failed"),
                      "%s: %s", impls[i], out);
        free(out);
    }
    snprintf(text, sizeof(text), realtime_wake, "rt-wake");
    file = scenario_file("rt-wake.scn", text);
    ck_assert_msg(realtime_run(&out, "reference", file) == 0, "%s", out);
    free(out);
    snprintf(variant, sizeof(variant), "%s/variants/libevref-no-wakeup.so", build_dir());
    ck_assert_msg(realtime_run(&out, variant, file) == 1 && strstr(out, "did not wake"),
                  "the no-wakeup variant should fail in real time too: %s", out);
    free(out);
}
END_TEST

/* make conformance passes IMPL, SCENARIOS and REPORT_DIR to the shell as
 * single words: nothing in them runs, and paths with spaces work. */
START_TEST(make_quotes_values)
{
    char cmd[2048], marker[800], dir[600];
    int rc;

    scenario_file("x", "");
    snprintf(marker, sizeof(marker), "%s/injected", tmpdir);
    snprintf(cmd, sizeof(cmd), "make -s --no-print-directory conformance BUILD=%s "
             "IMPL='x; touch %s #' >/dev/null 2>&1", build_dir(), marker);
    rc = system(cmd);
    ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) != 0, "a missing IMPL passed");
    ck_assert_msg(access(marker, F_OK) != 0, "IMPL ran a command");
    snprintf(dir, sizeof(dir), "%s/with space", tmpdir);
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    snprintf(marker, sizeof(marker), "%s/with space/a scenario.scn", tmpdir);
    FILE *f = fopen(marker, "w");
    ck_assert_ptr_nonnull(f);
    fputs(simple("spaced"), f);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "make -s --no-print-directory conformance BUILD=%s "
             "SCENARIOS='%s' REPORT_DIR='%s/report dir' GENERATE=0 >/dev/null 2>&1",
             build_dir(), marker, dir);
    rc = system(cmd);
    ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "status %d", rc);
    snprintf(marker, sizeof(marker), "%s/report dir/results.json", dir);
    ck_assert_msg(access(marker, R_OK) == 0, "no %s", marker);
}
END_TEST

/* make coverage-impl: an IMPL built with --coverage gets an lcov report
 * of its own sources, with a tracefile per scenario. */
START_TEST(impl_coverage_report)
{
    char cmd[PATH_MAX + 2048], path[800];
    int rc;

    scenario_file("x", "");
    snprintf(cmd, sizeof(cmd), "cc --coverage -O0 -shared -fPIC -Iconformance "
             "-o '%s/libcov.so' conformance/adapters/libvirt-default.c -lvirt && "
             "make -s --no-print-directory coverage-impl BUILD=%s IMPL='%s/libcov.so' "
             "IMPL_COVERAGE='%s/cov' FLAGS=\"--filter 'timer-zero-*'\" >/dev/null 2>&1",
             tmpdir, build_dir(), tmpdir, tmpdir);
    rc = system(cmd);
    ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "make coverage-impl failed");
    snprintf(path, sizeof(path), "%s/cov/html/index.html", tmpdir);
    ck_assert_msg(access(path, R_OK) == 0, "no %s", path);
    snprintf(path, sizeof(path), "%s/cov/data/timer-zero-every-iteration.info", tmpdir);
    ck_assert_msg(access(path, R_OK) == 0, "no per-scenario tracefile %s", path);
    snprintf(cmd, sizeof(cmd), "grep -q 'SF:.*libvirt-default.c' '%s/cov/data/total.info'",
             tmpdir);
    ck_assert_msg(system(cmd) == 0, "the report does not cover the IMPL's source");
}
END_TEST

/* Nothing from outside reaches the terminal raw (item 8 of issue 20):
 * what the loop prints (an OSC title, a clear screen, a carriage return
 * and a fake "[  1/1] ok", a C1 CSI, a bidi override, a byte that is not
 * UTF-8), its name and a scenario's title are shown in visible
 * notations instead. */
START_TEST(terminal_sees_no_controls)
{
    char *out;
    const char *args[] = { "--impl", impl("terminal"), "-s", NULL, "--report-dir", NULL,
                           NULL };
    static const char *const raw[] = { "\033", "\r", "\a", "\xc2\x9b", "\xe2\x80\xae",
                                       "\xff" };
    static const char *const shown[] = { "\\x1b]0;owned\\a\\x1b[2J", "\\r[  1/1] \\x1b[32mok",
                                         "\\u009b2J", "\\u202ereversed", "bad \\xff byte",
                                         "name \\x1b]0;t\\a \\u009b31m \\u202eevil\\xff",
                                         "FAILED term: t \\x1b[2J title" };

    args[3] = scenario_file("a.scn", "id: term\ntitle: t \033[2J title\nrules: R21\n"
                            "level: MUST\nwhy: w.\n\nadd-timeout T 0\nrun 3\n"
                            "expect calls T = 3\n");
    args[5] = make_tmpdir();
    ck_assert_int_eq(runner(&out, args), 1);
    for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
        ck_assert_msg(!strstr(out, raw[i]), "raw byte %02x on the terminal: %s",
                      (unsigned char)raw[i][0], out);
    for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
        ck_assert_msg(strstr(out, shown[i]), "'%s' not shown: %s", shown[i], out);
    free(out);
}
END_TEST

void add_runner_tests(Suite *s)
{
    const TTest *tests[] = {
        help, bad_option, impl_missing, impl_not_a_shared_object,
        impl_without_symbols, malformed_scenarios, impl_crashes, impl_exits,
        impl_hangs, impl_register_fails, strict_makes_should_fatal,
        failure_report, idle_reported, reports_written, list_and_filter,
        same_seed_same_report, realtime_under_faketime, rerun_line_works_as_printed,
        anchor_names_with_dashes,
        since_counts_from_the_anchor, generate_and_shrink,
        stress_mode, make_quotes_values,
        impl_coverage_report, fd_flags_checked_outside_callbacks,
        terminal_sees_no_controls,
    };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
}
