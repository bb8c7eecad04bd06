/*
 * test_clients.c - the client layer: libvirt's test driver in virtual time,
 * and a private libvirtd in real time that leaves nothing behind (no
 * process, no directory), whether the scenario ends, crashes, or cannot
 * find libvirtd at all.
 */
#include <check.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

/* The runner's daemons go below this test's own temp dir ($TMPDIR), so
 * that other runs on the machine are not counted. */
static void own_tmpdir(void)
{
    chmod(make_tmpdir(), 01777);           /* as /tmp: the daemon's uid passes through */
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
    test_skip("no /usr/sbin/libvirtd (Debian package libvirt-daemon)");
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
 * driver) is the scenario's mistake, found in its text, not the loop's
 * failure. */
START_TEST(released_needs_a_daemon)
{
    char *out;
    const char *args[] = { "-s", NULL, NULL };

    args[1] = scenario_file("nosock.scn",
        "id: nosock\ntitle: t\nrules: R34\nlevel: MUST\nwhy: w\n\n"
        "connect C test:///default\nexpect released C\n");
    ck_assert_int_eq(runner(&out, args), 2);
    ck_assert_msg(strstr(out, "nosock.scn:8: 'expect released C': 'expect released' needs "
                              "a connection to a daemon"), "%s", out);
    free(out);
}
END_TEST

/* Client steps in an order that is wrong whatever the loop does are the
 * scenario's errors, each found in the text with its line. */
START_TEST(client_order_is_checked)
{
    static const struct bad_scenario bad[] = {
        { "connect C test:///default\nclose-connection C\ndomain-events C\n", 9,
          "'domain-events C': the connection is closed above" },
        { "connect C test:///default\nconnect C test:///default\n", 8,
          "'connect C test:///default': already connected" },
        { "clock: real\ndaemon D\nstop-daemon D\nstop-daemon D\n", 10,
          "'stop-daemon D': the daemon is stopped above" },
        { "clock: real\nadd-timeout T 50\ndaemon D\n", 9,
          "'daemon D': a daemon and the connections to it are set up before any "
          "other step" },
        { "clock: real\ndaemon D\nrun 1\nconnect C daemon:D\n", 10,
          "'connect C daemon:D': a daemon and the connections to it are set up" },
        { "clock: real\ndaemon D\ndaemon E\ndaemon F\ndaemon G\ndaemon H\n", 12,
          "'daemon H': more than 4 daemons" },
    };

    refused_bad_scenarios(bad, sizeof(bad) / sizeof(bad[0]));
}
END_TEST

/* A step that finds its connection gone because of when the loop called
 * back (here: the callback that closes C, then the one that uses it) is
 * the loop's doing: a failure under the scenario's rules, not an error of
 * the scenario (whose text is right). */
START_TEST(gone_at_run_time_is_a_failure)
{
    char *out;
    const char *args[] = { "-s", NULL, NULL };

    args[1] = scenario_file("gone.scn",
        "id: gone\ntitle: t\nrules: R21\nlevel: MUST\nwhy: w\n\n"
        "connect C test:///default\nadd-timeout T 0\n"
        "on cb T #1: close-connection C\non cb T #2: define-domain C evconf-gone\n"
        "run 3\n");
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "FAIL [R21] line 10: 'on cb T #2: define-domain C evconf-gone': "
                              "'C' is not connected when the step came"), "%s", out);
    free(out);
}
END_TEST

/* A libvirtd slow to serve: its socket file is there 300 ms before it
 * listens (a fake that binds, waits, then hands over to the real one).
 * The connect must wait until the daemon accepts, and the scenario's
 * clock start when the set-up is done: T's first call is 50 ms after the
 * set-up, not 350 ms after the loop was registered. */
static const char slow_daemon[] =
    "#!/usr/bin/python3\n"
    "import os, socket, sys, time\n"
    "d = os.path.dirname(sys.argv[sys.argv.index('--config') + 1])\n"
    "s = socket.socket(socket.AF_UNIX)\n"
    "s.bind(d + '/sock/libvirt-sock')\n"
    "time.sleep(0.3)\n"
    "s.close()\n"
    "os.unlink(d + '/sock/libvirt-sock')\n"
    "os.execv('/usr/sbin/libvirtd', ['libvirtd'] + sys.argv[1:])\n";

START_TEST(slow_daemon_is_waited_for)
{
    char *out, fake[300];
    const char *args[] = { "-s", NULL, NULL };
    FILE *f;

    if (!have_libvirtd())
        return;
    if (access("/usr/bin/python3", X_OK) != 0) {
        test_skip("no /usr/bin/python3");
        return;
    }
    own_tmpdir();
    snprintf(fake, sizeof(fake), "%s/slow-libvirtd", tmpdir);
    ck_assert((f = fopen(fake, "w")) != NULL);
    fputs(slow_daemon, f);
    fclose(f);
    chmod(fake, 0755);
    setenv("EVCONF_LIBVIRTD", fake, 1);
    args[1] = scenario_file("slow.scn",
        "id: slow\ntitle: t\nrules: R20\nlevel: MUST\nclock: real\nwhy: w\n\n"
        "daemon D\nconnect C daemon:D\nclose-callback C\nadd-timeout T 50\n"
        "run-until 200\nexpect call T #1 at 50\nexpect closed C NONE\n");
    ck_assert_msg(runner(&out, args) == 0, "%s", out);
    unsetenv("EVCONF_LIBVIRTD");
    ck_assert_msg(strstr(out, "1 passed, 0 failed"), "%s", out);
    free(out);
}
END_TEST

/* A process with more than 1024 fds open: the socket its connect opens
 * is found whatever its number (an fd scan used to stop at 1024 and say
 * "C opened no socket"). */
START_TEST(released_with_many_fds)
{
    char *out;
    const char *args[] = { "-s", "conformance/scenarios", "--filter",
                           "client-daemon-socket-released", NULL };
    struct rlimit rl;

    if (!have_libvirtd())
        return;
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < 1200) {
        test_skip("RLIMIT_NOFILE's hard limit is below 1200");
        return;
    }
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 4096 ? 4096 : rl.rlim_max;
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    for (int i = 0; i < 1100; i++)       /* inherited by the runner */
        ck_assert_int_ge(open("/dev/null", O_RDONLY), 0);
    own_tmpdir();
    ck_assert_msg(runner(&out, args) == 0, "%s", out);
    ck_assert_msg(strstr(out, "1 passed, 0 failed"), "%s", out);
    free(out);
}
END_TEST

/* run-until MS closed C runs to MS while C is open (T, every 50 ms, is
 * called about 10 times in 500 ms), and ends its phase when C's close
 * callback has run: after the daemon stops, T is called about as often as
 * the EOF close took, far short of the same phase without `closed C`,
 * which fails the line.  That phase runs to 6000 ms: however long the
 * daemon took to stop on a busy machine (over a second, seen), T has
 * more than 30 calls left. */
static const char until_closed[] =
    "id: until-closed\ntitle: t\nrules: R11\nlevel: MUST\nclock: real\nwhy: w\n\n"
    "daemon D\nconnect C daemon:D\nclose-callback C\nadd-timeout T 50\n"
    "run-until 300\nmark M\nrun-until 800 closed C\nexpect calls T since M >= 7\n"
    "expect closed C NONE\nstop-daemon D\nmark N\nrun-until 3000 closed C\n"
    "expect calls T since N <= 30\nexpect closed C EOF\n";

START_TEST(run_until_closed_ends_at_the_close)
{
    char *out, *text = strdup(until_closed), *cut;
    const char *args[] = { "-s", NULL, NULL };

    if (!have_libvirtd())
        return;
    own_tmpdir();
    args[1] = scenario_file("until-closed.scn", text);
    ck_assert_msg(runner(&out, args) == 0, "%s", out);
    free(out);
    cut = strstr(text, "run-until 3000 closed C");
    memcpy(cut, "run-until 6000", strlen("run-until 6000"));
    memset(cut + strlen("run-until 6000"), ' ', strlen(" closed C"));
    args[1] = scenario_file("until-6000.scn", text);
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "line 20: expect calls T since N <= 30; but "), "%s", out);
    free(out);
    free(text);
    nothing_left("after run-until closed");
}
END_TEST

/* `closed` after run-until names a connection. */
START_TEST(run_until_closed_needs_a_connection)
{
    static const struct bad_scenario bad[] = {
        { "add-timeout T 50\nrun-until 100 closed T\n", 8,
          "expected a connection name, found 'T'" },
        { "connect C test:///default\nrun-until 100 closed\n", 8,
          "expected 'run-until MS [alloc-fails=K] [closed C]'" },
        { "connect C test:///default\nrun 3 closed C\n", 8,
          "expected 'run ITERATIONS [alloc-fails=K]'" },
    };

    refused_bad_scenarios(bad, sizeof(bad) / sizeof(bad[0]));
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
                             daemon_missing_is_skipped, client_order_is_checked,
                             gone_at_run_time_is_a_failure, slow_daemon_is_waited_for,
                             released_with_many_fds, run_until_closed_ends_at_the_close,
                             run_until_closed_needs_a_connection };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
}
