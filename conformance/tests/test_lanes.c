/*
 * test_lanes.c - -j N: scenarios run side by side print and report
 * exactly what the serial run does, apart from times; --shard splits a
 * suite and --merge joins the shards' reports into the whole run's.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

void add_lanes_tests(Suite *s)
{
    const TTest *tests[] = { lanes_report_as_serial };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
}
