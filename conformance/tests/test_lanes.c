/*
 * test_lanes.c - -j N: scenarios run side by side print and report
 * exactly what the serial run does, apart from times; --shard splits a
 * suite and --merge joins the shards' reports into the whole run's.
 */
#include <check.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

/* text with each run of digits after one of the timing fields' names
 * ("ms": 1.234, time="0.001") replaced by X. */
static char *masked(char *text)
{
    static const char *const fields[] = { "\"ms\": ", "time=\"" };
    char *out = malloc(strlen(text) + 1), *o = out;

    for (const char *p = text; *p; ) {
        bool hit = false;
        for (size_t k = 0; k < 2 && !hit; k++)
            if (!strncmp(p, fields[k], strlen(fields[k]))) {
                memcpy(o, p, strlen(fields[k]));
                o += strlen(fields[k]);
                p += strlen(fields[k]);
                p += strspn(p, "0123456789.");
                *o++ = 'X';
                hit = true;
            }
        if (!hit)
            *o++ = *p++;
    }
    *o = '\0';
    free(text);
    return out;
}

/* The four reports in dir, masked, one after the other. */
static char *reports(const char *dir)
{
    static const char *const files[] = { "results.tap", "junit.xml", "results.json",
                                         "results.html" };
    char path[800], *all = strdup(""), *one;
    int fd;

    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        ck_assert_msg((fd = open(path, O_RDONLY)) >= 0, "no %s", path);
        one = masked(read_all(fd));
        close(fd);
        all = realloc(all, strlen(all) + strlen(path) + strlen(one) + 2);
        strcat(strcat(strcat(all, path), "\n"), one);
        free(one);
    }
    return all;
}

/* A suite that passes, fails, warns, errs and is skipped in places:
 * simple ones, a MUST and a SHOULD failure, a file that does not parse. */
static void mixed_suite(void)
{
    char text[400];

    for (int i = 0; i < 5; i++) {
        char id[16], file[24];
        snprintf(id, sizeof(id), "a%d", i);
        snprintf(file, sizeof(file), "a%d.scn", i);
        scenario_file(file, simple(id));
    }
    snprintf(text, sizeof(text), HEADER "add-timeout T 0\nrun 3\nexpect calls T = 5\n",
             "must-fails");
    scenario_file("f1.scn", text);
    snprintf(text, sizeof(text), "id: should-fails\ntitle: t\nrules: R21\n"
             "level: SHOULD\nwhy: w.\n\nadd-timeout T 0\nrun 3\nexpect calls T = 4\n");
    scenario_file("f2.scn", text);
    scenario_file("f3.scn", "id: broken\ntitle: t\n");
}

/* The run with args and -j jobs into tmpdir/report: its output (status
 * first) and its masked reports. */
static char *run_with(const char *const args[], const char *jobs)
{
    char dir[600], *out, *rep, *all;
    const char *argv[32];
    int n = 0, status;

    snprintf(dir, sizeof(dir), "%s/report", tmpdir);
    for (; args[n]; n++)
        argv[n] = args[n];
    argv[n++] = "--report-dir";
    argv[n++] = dir;
    argv[n++] = "-j";
    argv[n++] = jobs;
    argv[n] = NULL;
    status = runner(&out, argv);
    rep = reports(dir);
    ck_assert_int_ge(asprintf(&all, "status %d\n%s\n%s", status, out, rep), 0);
    free(out);
    free(rep);
    return all;
}

/* -j 1 and -j 4 print the same lines and write the same reports, apart
 * from the times: plain, with --fail-fast, and with generated programs. */
START_TEST(lanes_report_as_serial)
{
    const char *plain[] = { "-s", NULL, NULL };
    const char *fast[] = { "-s", NULL, "--fail-fast", NULL };
    const char *gen[] = { "-s", NULL, "--generate", "6", "--strict", NULL };
    const char **runs[] = { plain, fast, gen };

    mixed_suite();
    for (size_t k = 0; k < 3; k++) {
        char *serial, *side;
        runs[k][1] = make_tmpdir();
        serial = run_with(runs[k], "1");
        side = run_with(runs[k], "4");
        ck_assert_msg(strstr(serial, "must-fails"), "%s", serial);
        ck_assert_str_eq(serial, side);
        free(serial);
        free(side);
    }
}
END_TEST

/* Whether out has id's progress line ("[  1/4] ok    a1"): the id alone
 * may also be part of the random temporary directory's name. */
static bool ran(const char *out, const char *id)
{
    char line[32];

    snprintf(line, sizeof(line), " %s\n", id);
    return strstr(out, line) != NULL;
}

/* Three --shard runs of a suite, joined by --merge, print and report
 * what one run of the whole suite does, apart from times; each shard
 * ran only its third. */
START_TEST(shards_merge_into_the_run)
{
    const char *whole[] = { "-s", NULL, "--generate", "4", NULL };
    char dirs[3][600], *full, *merged, *out;
    const char *shard[] = { "-s", NULL, "--generate", "4", "--shard", NULL,
                            "--report-dir", NULL, NULL };
    const char *merge[] = { "-s", NULL, "--generate", "4", "--merge", dirs[0],
                            dirs[1], dirs[2], NULL };
    static const char *const which[] = { "1/3", "2/3", "3/3" };

    mixed_suite();
    whole[1] = shard[1] = merge[1] = make_tmpdir();
    full = run_with(whole, "2");
    for (int i = 0; i < 3; i++) {
        snprintf(dirs[i], sizeof(dirs[i]), "%s/shard%d", tmpdir, i + 1);
        shard[5] = which[i];
        shard[7] = dirs[i];
        runner(&out, shard);
        ck_assert_msg(strstr(out, "4 scenarios"), "%s", out);
        ck_assert_msg(!ran(out, i == 0 ? "a1" : "a0"), "shard %d ran "
                      "another's scenario: %s", i + 1, out);
        free(out);
    }
    merged = run_with(merge, "2");
    ck_assert_str_eq(full, merged);
    free(full);
    free(merged);
}
END_TEST

/* --shard I/N and -j N are read whole and in range, or refused in one
 * line; --merge needs its dirs, each a shard's. */
START_TEST(shard_and_jobs_checked)
{
    static const char *const bad[][3] = {
        { "--shard", "0/3", "I/N" }, { "--shard", "4/3", "I/N" },
        { "--shard", "1/3x", "I/N" }, { "--shard", "-1/3", "I/N" },
        { "-j", "0", "from 1 to 256" }, { "-j", "257", "from 1 to 256" },
        { "--merge", NULL, "report dirs" },
    };
    char *out;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *args[] = { bad[i][0], bad[i][1], NULL };
        ck_assert_int_eq(runner(&out, args), 2);
        ck_assert_msg(strstr(out, bad[i][2]) && count_lines(out) == 1, "%s %s: %s",
                      bad[i][0], bad[i][1], out);
        free(out);
    }
    {
        const char *args[] = { "--merge", make_tmpdir(), "--report-dir", tmpdir, NULL };
        ck_assert_int_eq(runner(&out, args), 2);
        ck_assert_msg(strstr(out, "results.json"), "%s", out);
        free(out);
    }
}
END_TEST

/* The "fd=N" words of the traces of the scenarios whose id starts with
 * prefix, in dir's results.json (one line a scenario). */
static char *fd_words(const char *dir, const char *prefix)
{
    char path[700], key[64], *text, *out = calloc(1, 1);
    size_t len = 0;
    int fd;

    snprintf(path, sizeof(path), "%s/results.json", dir);
    snprintf(key, sizeof(key), "{\"id\": \"%s", prefix);
    ck_assert_int_ge(fd = open(path, O_RDONLY), 0);
    text = read_all(fd);
    close(fd);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strstr(line, key))
            continue;
        for (const char *p = line; (p = strstr(p, "fd=")); p += 3) {
            size_t n = strspn(p + 3, "0123456789") + 3;
            out = realloc(out, len + n + 2);
            memcpy(out + len, p, n);
            out[len + n] = ' ';
            out[len += n + 1] = '\0';
        }
    }
    free(text);
    return out;
}

/* A daemon scenario first, then scenarios that name their fds: with -j 4
 * the daemon's scratch dir is made while the others run, out of suite
 * order, and yet every fd number in their traces is the serial run's. */
START_TEST(lanes_fd_numbers_as_serial)
{
    char dir[600], text[400], *serial, *side, *out;
    const char *args[] = { "-s", NULL, "--traces", "--quiet", "--report-dir", dir, "-j",
                           NULL, NULL };

    if (access("/usr/sbin/libvirtd", X_OK) != 0) {
        test_skip("no /usr/sbin/libvirtd (Debian package libvirt-daemon)");
        return;
    }
    chmod(make_tmpdir(), 01777);            /* as /tmp: the daemon's uid passes */
    setenv("TMPDIR", tmpdir, 1);
    scenario_file("0-daemon.scn", "id: 0-daemon\ntitle: t\nrules: R11\nlevel: MUST\n"
                  "clock: real\nwhy: w\n\ndaemon D\nconnect C daemon:D\n"
                  "close-callback C\nrun-until 200\nstop-daemon D\nrun-until 1200\n"
                  "expect closed C EOF\n");
    for (int i = 0; i < 6; i++) {
        char id[16], file[24];
        snprintf(id, sizeof(id), "fds%d", i);
        snprintf(file, sizeof(file), "fds%d.scn", i);
        snprintf(text, sizeof(text), HEADER "pipe P\npipe Q\nadd-handle H Q READABLE\n"
                 "readable Q\nrun 1\nexpect calls H = 1\n", id);
        scenario_file(file, text);
    }
    args[1] = tmpdir;
    snprintf(dir, sizeof(dir), "%s/report", tmpdir);
    args[7] = "1";
    ck_assert_msg(runner(&out, args) == 0, "%s", out);
    free(out);
    serial = fd_words(dir, "fds");
    args[7] = "4";
    ck_assert_msg(runner(&out, args) == 0, "%s", out);
    free(out);
    side = fd_words(dir, "fds");
    ck_assert_msg(strstr(serial, "fd="), "no fd in the traces");
    ck_assert_str_eq(serial, side);
    free(serial);
    free(side);
}
END_TEST

/* Under a descriptor limit below the lanes' pipes' place (300), -j still
 * runs every scenario: the pipes stay where they were opened. */
START_TEST(lanes_under_a_low_fd_limit)
{
    struct rlimit rl = { 64, 64 };
    char *out;
    const char *args[] = { "-s", NULL, "-j", "3", NULL };

    mixed_suite();
    args[1] = make_tmpdir();
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    ck_assert_int_eq(runner(&out, args), 2);     /* the file that does not parse */
    ck_assert_msg(strstr(out, "5 passed, 2 failed, 1 warnings"), "%s", out);
    free(out);
}
END_TEST

void add_lanes_tests(Suite *s)
{
    const TTest *tests[] = { lanes_report_as_serial, shards_merge_into_the_run,
                             shard_and_jobs_checked, lanes_fd_numbers_as_serial,
                             lanes_under_a_low_fd_limit };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
}
