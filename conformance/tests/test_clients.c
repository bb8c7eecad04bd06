/*
 * test_clients.c - the client layer: libvirt's test driver in virtual time,
 * and a private libvirtd in real time that leaves nothing behind (no
 * process, no directory), whether the scenario ends, crashes, or cannot
 * find libvirtd at all.
 */
#include <check.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

/* The runner's daemons go below this test's own temp dir ($TMPDIR), so
 * that other runs on the machine are not counted. */
static void own_tmpdir(void)
{
    chmod(make_tmpdir(), 0777);            /* the daemon runs as nobody under root */
    setenv("TMPDIR", tmpdir, 1);
}

/* No private libvirtd process and no directory of one is left. */
static void nothing_left(const char *after)
{
    char pgrep[160], pattern[96];
    glob_t g;
    int rc;

    snprintf(pgrep, sizeof(pgrep), "pgrep -f '^libvirtd --config %s/evconf-libvirtd-' "
             ">/dev/null", tmpdir);
    for (int waited = 0; waited < 2000; waited += 50) {
        if (system(pgrep) != 0)
            break;
        usleep(50000);
    }
    rc = system(pgrep);
    ck_assert_msg(rc != 0, "a libvirtd outlived the run (%s)", after);
    snprintf(pattern, sizeof(pattern), "%s/evconf-libvirtd-*", tmpdir);
    rc = glob(pattern, 0, NULL, &g);
    ck_assert_msg(rc != 0, "%s is left (%s)", rc == 0 ? g.gl_pathv[0] : "", after);
    if (rc == 0)
        globfree(&g);
}

static bool have_libvirtd(void)
{
    if (access("/usr/sbin/libvirtd", X_OK) == 0)
        return true;
    printf("skipped: no /usr/sbin/libvirtd\n");
    return false;
}

/* The daemon scenarios pass on the reference and leave nothing. */
START_TEST(daemon_scenarios_leave_nothing)
{
    char *out;
    const char *args[] = { "-s", "conformance/scenarios", "--filter", "client-*", NULL };

    if (!have_libvirtd())
        return;
    own_tmpdir();
    ck_assert_msg(runner(&out, args) == 0, "%s", out);
    ck_assert_msg(strstr(out, "6 passed, 0 failed"), "%s", out);
    free(out);
    nothing_left("after a clean run");
}
END_TEST

/* A loop that crashes while the daemon runs: the daemon is killed with
 * the scenario's process group, and its directory removed. */
START_TEST(daemon_after_a_crash)
{
    char *out;
    const char *args[] = { "--impl", impl("crash"), "-s",
                           "conformance/scenarios/client-daemon-eof.scn", NULL };

    if (!have_libvirtd())
        return;
    own_tmpdir();
    setenv("ASAN_OPTIONS", "handle_segv=0", 1);
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "crash"), "%s", out);
    free(out);
    nothing_left("after a crash");
}
END_TEST

/* The client expectations can fail: a close at the wrong time, and a
 * socket still open while the connection is.  The reference closes on EOF
 * about a second into this script, and keeps C's socket until C is closed. */
START_TEST(client_expectations_can_fail)
{
    char *out;
    const char *args[] = { "-s", NULL, NULL };

    if (!have_libvirtd())
        return;
    own_tmpdir();
    args[1] = scenario_file("late.scn",
        "id: late\ntitle: t\nrules: R11\nlevel: MUST\nclock: real\nwhy: w\n\n"
        "daemon D\nconnect C daemon:D\nclose-callback C\nrun-until 300\n"
        "expect released C\nstop-daemon D\nrun-until 1500\n"
        "expect closed C EOF at 0..200\n");
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "line 12: expect released C; but its socket (fd "), "%s", out);
    ck_assert_msg(strstr(out, ") is still open, and the connection too"), "%s", out);
    ck_assert_msg(strstr(out, "line 15: expect closed C EOF at 0..200; but it was closed at "),
                  "%s", out);
    free(out);
    nothing_left("after a failed run");
}
END_TEST

/* `expect released` on a connection with no socket (the in-process test
 * driver) is the scenario's mistake, not the loop's failure. */
START_TEST(released_needs_a_daemon)
{
    char *out;
    const char *args[] = { "-s", NULL, NULL };

    args[1] = scenario_file("nosock.scn",
        "id: nosock\ntitle: t\nrules: R34\nlevel: MUST\nwhy: w\n\n"
        "connect C test:///default\nexpect released C\n");
    ck_assert_int_eq(runner(&out, args), 2);
    ck_assert_msg(strstr(out, "line 8: 'expect released' needs a daemon's connection: "
                              "C opened no socket"), "%s", out);
    free(out);
}
END_TEST

/* Without libvirtd the daemon scenarios are skipped, saying why. */
START_TEST(daemon_missing_is_skipped)
{
    char *out;
    const char *args[] = { "-s", "conformance/scenarios", "--filter", "client-daemon-*",
                           NULL };

    setenv("EVCONF_LIBVIRTD", "/nonexistent/libvirtd", 1);
    ck_assert_int_eq(runner(&out, args), 0);
    unsetenv("EVCONF_LIBVIRTD");
    ck_assert_msg(strstr(out, "0 passed, 0 failed, 0 warnings, 4 skipped"), "%s", out);
    free(out);
}
END_TEST

void add_client_tests(Suite *s)
{
    const TTest *tests[] = { daemon_scenarios_leave_nothing, daemon_after_a_crash,
                             client_expectations_can_fail, released_needs_a_daemon,
                             daemon_missing_is_skipped };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
}
