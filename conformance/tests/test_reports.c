/*
 * test_reports.c - the reports of a run that fails in every way (a
 * failure, an error, bytes that are not UTF-8, quotes and '#' in names)
 * are read by the tools CI uses; a report directory that cannot be
 * written stops the run before it starts; --budget bounds a run.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

/* Run a shell command; its exit status, its output in *out. */
static int shell(char **out, const char *fmt, const char *arg)
{
    char cmd[2048];
    FILE *p;
    size_t len = 0, cap = 4096;
    int status;

    snprintf(cmd, sizeof(cmd), fmt, arg, arg);
    p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    *out = malloc(cap);
    for (size_t got; (got = fread(*out + len, 1, cap - len - 1, p)) > 0; )
        if ((len += got) + 1 >= cap)
            *out = realloc(*out, cap *= 2);
    (*out)[len] = '\0';
    status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Every report of a failing run is valid UTF-8, junit.xml is well-formed
 * XML, results.json is JSON, and prove reads results.tap without a parse
 * error. */
START_TEST(reports_of_a_failing_run_parse)
{
    char dir[600], path[700], *out, *tool;
    const char *args[] = { "--impl", impl("forges"), "-s", NULL, "--report-dir", dir,
                           NULL };
    static const char *const files[] = { "results.tap", "junit.xml", "results.json" };

    scenario_file("one.scn", simple("one"));
    scenario_file("two.scn", simple("two"));
    args[3] = tmpdir;
    snprintf(dir, sizeof(dir), "%s/report", tmpdir);
    ck_assert_int_eq(runner(&out, args), 1);
    free(out);
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        ck_assert_msg(shell(&tool, "iconv -f UTF-8 -t UTF-8 '%s' 2>&1 >/dev/null", path) == 0,
                      "%s is not UTF-8: %s", files[i], tool);
        free(tool);
    }
    snprintf(path, sizeof(path), "%s/junit.xml", dir);
    if (access("/usr/bin/xmllint", X_OK) == 0) {
        ck_assert_msg(shell(&tool, "xmllint --noout '%s' 2>&1", path) == 0, "%s", tool);
        free(tool);
    }
    /* results.json: JSON, and of docs/results.schema.json's shape. */
    snprintf(path, sizeof(path), "%s/results.json", dir);
    ck_assert_msg(shell(&tool, "/usr/bin/python3 -c 'import json,sys; "
                        "json.load(open(sys.argv[1]))' '%s' 2>&1", path) == 0, "%s", tool);
    free(tool);
    if (shell(&tool, "/usr/bin/python3 -c 'import jsonschema' 2>&1%s", "") == 0) {
        free(tool);
        ck_assert_msg(shell(&tool, "/usr/bin/python3 -c 'import json,sys,jsonschema; "
                            "jsonschema.validate(json.load(open(sys.argv[1])), "
                            "json.load(open(\"docs/results.schema.json\")))' '%s' 2>&1",
                            path) == 0, "%s", tool);
    }
    free(tool);
    snprintf(path, sizeof(path), "%s/results.tap", dir);
    shell(&tool, "prove -v --exec cat '%s' 2>&1", path);
    ck_assert_msg(!strstr(tool, "Parse errors") && strstr(tool, "Failed 2/2"),
                  "prove could not read results.tap: %s", tool);
    free(tool);
    /* Each YAML block carries the trace, a line an item, quotes and all
     * (issue 23, item 5). */
    if (shell(&tool, "/usr/bin/python3 -c 'import yaml' 2>&1%s", "") == 0) {
        free(tool);
        ck_assert_msg(shell(&tool, "/usr/bin/python3 -c 'import re,sys,yaml; t=open(sys.argv[1])"
                            ".read(); b=[yaml.safe_load(m) for m in re.findall(r\"\\n  ---\\n"
                            "(.*?)\\n  [.][.][.]\\n\", t, re.S)]; assert len(b) == 2, b; "
                            "assert all(\"\\nstderr: bad bytes\" in x[\"trace\"] and \"# \\x27quoted\\x27\" "
                            "in x[\"trace\"] for x in b), b' '%s' 2>&1", path) == 0,
                      "results.tap's YAML has no trace: %s", tool);
    }
    free(tool);
}
END_TEST

/* A report directory that cannot be created stops the run before any
 * scenario runs, with exit status 2. */
START_TEST(report_dir_unwritable)
{
    char dir[600], *out;
    const char *args[] = { "-s", NULL, "--report-dir", dir, NULL };

    args[1] = scenario_file("a.scn", simple("a"));
    snprintf(dir, sizeof(dir), "%s/a.scn/report", tmpdir);    /* under a file */
    ck_assert_int_eq(runner(&out, args), 2);
    ck_assert_msg(strstr(out, "cannot create report directory"), "%s", out);
    ck_assert_msg(!strstr(out, "[  1/1]"), "a scenario ran: %s", out);
    free(out);
}
END_TEST

/* --budget: once the run's real time is used up, the scenario running is
 * cut short and, with those left, reported as not run (the budget is not
 * its watchdog: no verdict of a hang); exit status 1. */
START_TEST(budget_bounds_the_run)
{
    char *out;
    const char *args[] = { "--impl", impl("hang"), "--timeout", "30", "--budget", "1",
                           "-s", NULL, NULL };

    scenario_file("one.scn", simple("one"));
    scenario_file("two.scn", simple("two"));
    scenario_file("three.scn", simple("three"));
    args[7] = tmpdir;
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "the --budget of 1 s was used up: 3 scenarios not run"),
                  "%s", out);
    ck_assert_msg(strstr(out, "0 passed, 0 failed, 0 warnings, 3 skipped"), "%s", out);
    free(out);
}
END_TEST

/* scripts/matrix and scripts/docs read the reports they make: a change
 * of results.json that breaks them is caught here. */
START_TEST(matrix_and_docs_generate)
{
    char cmd[2048], *out;

    scenario_file("x", "");
    snprintf(cmd, sizeof(cmd), "scripts/matrix %s '%s/m.md' reference >/dev/null 2>&1 && "
             "grep -c '^| R' '%s/m.md' && scripts/docs %s '%s/s.md' '%s/s.html' "
             ">/dev/null 2>&1 && grep -c '^## R' '%s/s.md'", build_dir(), tmpdir, tmpdir,
             build_dir(), tmpdir, tmpdir, tmpdir);
    ck_assert_msg(shell(&out, "%s", cmd) == 0, "%s", out);
    /* The matrix has a row per rule some scenario names (R3, a MAY, has
     * none); the docs a section per rule of the contract. */
    ck_assert_msg(!strcmp(out, "44\n45\n"), "rows: %s", out);
    free(out);
}
END_TEST

/* The contents of path, or "" if it cannot be read; in buf. */
static const char *slurp(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, len - 1, f) : 0;

    buf[n] = '\0';
    if (f)
        fclose(f);
    return buf;
}

/* A symlink planted in the report directory, where the runner writes a
 * temporary file (the .part names it used) or as a final name (a report,
 * a generated program), is never written through: the file it points to
 * keeps its contents, and the reports and programs are files of their
 * own.  A symlink planted as generated/ itself stops the run (issue 20,
 * item 5). */
START_TEST(report_dir_symlinks_not_followed)
{
    char dir[600], victim[700], path[800], buf[1024], *out;
    /* A loop that fails the program, so that it is written (and shrunk). */
    const char *args[] = { "--generate", "1", "-f", "gen-*", "--impl", impl("exits"),
                           "--report-dir", dir, NULL };
    static const char *const names[] = {
        "results.tap.part", "junit.xml.part", "results.json.part", "results.html.part",
        "results.html", "generated/gen-1-1.scn.part", "generated/gen-1-1.scn",
        "generated/gen-1-1.min.scn",
    };
    struct stat st;

    snprintf(dir, sizeof(dir), "%s/report", make_tmpdir());
    snprintf(victim, sizeof(victim), "%s/victim", tmpdir);
    snprintf(path, sizeof(path), "%s/generated", dir);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    ck_assert_int_eq(mkdir(path, 0777), 0);
    scenario_file("victim", "precious\n");
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        ck_assert_int_eq(symlink(victim, path), 0);
    }
    ck_assert_int_eq(runner(&out, args), 1);
    free(out);
    ck_assert_str_eq(slurp(victim, buf, sizeof(buf)), "precious\n");
    for (const char *f = "results.html\0junit.xml\0generated/gen-1-1.scn\0"
                         "generated/gen-1-1.min.scn\0"; *f;
         f += strlen(f) + 1) {
        snprintf(path, sizeof(path), "%s/%s", dir, f);
        ck_assert_int_eq(lstat(path, &st), 0);
        ck_assert_msg(S_ISREG(st.st_mode), "%s is not a file of its own", f);
    }
    snprintf(path, sizeof(path), "%s/generated", dir);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_msg((st.st_mode & 0777) == 0700, "generated/ is %o", st.st_mode & 0777);

    /* generated/ itself a symlink to a directory: refused, nothing in it. */
    snprintf(path, sizeof(path), "%s/elsewhere", tmpdir);
    ck_assert_int_eq(mkdir(path, 0777), 0);
    snprintf(dir, sizeof(dir), "%s/report2", tmpdir);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    snprintf(buf, sizeof(buf), "%s/generated", dir);
    ck_assert_int_eq(symlink(path, buf), 0);
    ck_assert_int_eq(runner(&out, args), 2);
    ck_assert_msg(strstr(out, "cannot create"), "%s", out);
    free(out);
    snprintf(buf, sizeof(buf), "%s/gen-1-1.scn", path);
    ck_assert_msg(access(buf, F_OK) != 0, "a program was written through the symlink");
}
END_TEST

/* Two runs into one report directory at once both succeed, and leave
 * whole reports and no temporary files (the last one wins): they never
 * share a temporary name (issue 20, item 7). */
START_TEST(concurrent_runs_share_a_report_dir)
{
    char dir[600], path[700], buf[65536], *out;
    const char *args[] = { "-s", NULL, "--report-dir", dir, "--quiet", NULL };

    for (int i = 0; i < 20; i++) {
        char name[32];
        snprintf(name, sizeof(name), "s%d.scn", i);
        snprintf(path, sizeof(path), "s%d", i);
        scenario_file(name, simple(path));
    }
    args[1] = tmpdir;
    snprintf(dir, sizeof(dir), "%s/report", tmpdir);
    /* Another run's temporary file where this run would put its own (a
     * directory, which no run can open for writing): a run that names its
     * temporary files alike cannot write its report. */
    snprintf(path, sizeof(path), "%s/results.tap.part", dir);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    ck_assert_int_eq(mkdir(path, 0777), 0);
    ck_assert_msg(runner(&out, args) == 0, "%s", out);
    free(out);
    ck_assert_int_eq(rmdir(path), 0);
    for (int round = 0; round < 8; round++) {
        int fd[2], status;
        pid_t pid[2];
        for (int k = 0; k < 2; k++)
            pid[k] = runner_start(&fd[k], args);
        for (int k = 0; k < 2; k++) {
            out = read_all(fd[k]);
            close(fd[k]);
            ck_assert_int_eq(waitpid(pid[k], &status, 0), pid[k]);
            ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                          "round %d, run %d: status %d: %s", round, k, status, out);
            free(out);
        }
        snprintf(path, sizeof(path), "%s/junit.xml", dir);
        ck_assert_msg(strstr(slurp(path, buf, sizeof(buf)), "</testsuites>\n"),
                      "junit.xml incomplete: %s", buf);
        snprintf(path, sizeof(path), "%s/results.html", dir);
        ck_assert_msg(strstr(slurp(path, buf, sizeof(buf)), "</html>\n"),
                      "results.html incomplete: %s", buf);
        snprintf(path, sizeof(path), "%s/results.json", dir);
        ck_assert_msg(shell(&out, "/usr/bin/python3 -c 'import json,sys; "
                            "assert len(json.load(open(sys.argv[1]))[\"scenarios\"]) == 20' "
                            "'%s' 2>&1", path) == 0, "%s", out);
        free(out);
        ck_assert_msg(shell(&out, "ls -A '%s' | grep -c part", dir) != 0,
                      "temporary files left: %s", out);
        free(out);
    }
}
END_TEST

/* A scenario id outside [A-Za-z0-9._-] (or longer than 64, or starting
 * with '.', '_' or '-') is refused where it is read, with one line naming
 * the file and line; the run goes on and exits 2.  An id that closes
 * JUnit's classname and opens a passing testcase of its own forges
 * nothing: junit.xml holds one testcase per file.  A title's bidi
 * override and C1 CSI reach no report raw (issue 20, item 6). */
START_TEST(ids_validated_and_reports_escaped)
{
    char dir[600], path[700], text[1024], *out, *all;
    const char *args[] = { "-s", NULL, "--report-dir", dir, NULL };
    static const char *const bad[] = {
        "x\"/><testcase classname=\"forged\" name=\"forged_pass\"></testcase><testcase name=\"y",
        "esc\033[2J", "-dash", "tab\there",
        "a123456789b123456789c123456789d123456789e123456789f123456789g1234",
    };
    static const char *const reports[] = { "junit.xml", "results.json", "results.tap",
                                           "results.html" };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char name[32];
        snprintf(name, sizeof(name), "bad%zu.scn", i);
        snprintf(text, sizeof(text), "# a comment\n" HEADER "add-timeout T 0\nrun 3\n", bad[i]);
        scenario_file(name, text);
    }
    scenario_file("ok.scn", "id: a1234567.9b123456789c123456789d123456789e123456789f1_3456789g-23\n"
                  "title: t \xe2\x80\xae reversed \xc2\x9b" "2J\nrules: R21\nlevel: MUST\n"
                  "why: w.\n\nadd-timeout T 0\nrun 2\nexpect calls T = 3\n");
    args[1] = tmpdir;
    snprintf(dir, sizeof(dir), "%s/report", tmpdir);
    ck_assert_int_eq(runner(&out, args), 2);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), "bad%zu.scn:2: an id is 1 to 64 letters, digits, "
                 "'.', '_' or '-', starting with a letter or a digit", i);
        ck_assert_msg(strstr(out, text), "no '%s' in: %s", text, out);
    }
    ck_assert_msg(strstr(out, "fail  a1234567.9b"), "the good id did not run: %s", out);
    ck_assert_msg(!strchr(out, '\033') && strstr(out, "esc\\x1b[2J"),
                  "a bad id reached the terminal raw: %s", out);
    free(out);
    snprintf(path, sizeof(path), "%s/junit.xml", dir);
    if (access("/usr/bin/xmllint", X_OK) == 0) {
        ck_assert_msg(shell(&out, "xmllint --noout '%s' 2>&1", path) == 0, "%s", out);
        free(out);
    }
    ck_assert_int_eq(shell(&out, "grep -o '<testcase ' '%s' | wc -l", path), 0);
    ck_assert_msg(atoi(out) == 6, "%s testcases for 6 files", out);
    free(out);
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, reports[i]);
        ck_assert_int_eq(shell(&all, "cat '%s'", path), 0);
        ck_assert_msg(!strstr(all, "\xe2\x80\xae") && !strstr(all, "\xc2\x9b"),
                      "%s carries a bidi override or a C1 CSI raw", reports[i]);
        ck_assert_msg(i == 0 || strstr(all, "\\u202e"),      /* JUnit has no title */
                      "%s lost the bidi override: %s", reports[i], all);
        ck_assert_msg(i > 0 || !strstr(all, "name=\"forged_pass\""), "a forged testcase");
        free(all);
    }
}
END_TEST

/* A report directory every user may write in, without the sticky bit, is
 * refused before any scenario runs (another user could swap generated/
 * or a report there); with the sticky bit, as /tmp has, it is used. */
START_TEST(world_writable_report_dir_refused)
{
    char dir[600], *out;
    const char *args[] = { "-s", NULL, "--report-dir", dir, NULL };

    args[1] = scenario_file("a.scn", simple("a"));
    snprintf(dir, sizeof(dir), "%s/report", tmpdir);
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    ck_assert_int_eq(chmod(dir, 0777), 0);
    ck_assert_int_eq(runner(&out, args), 2);
    ck_assert_msg(strstr(out, "is writable by every user and not sticky"), "%s", out);
    ck_assert_msg(!strstr(out, "[  1/1]"), "a scenario ran: %s", out);
    free(out);
    ck_assert_int_eq(chmod(dir, 01777), 0);
    ck_assert_int_eq(runner(&out, args), 0);
    free(out);
}
END_TEST

/* The page shows, for each scenario, the level and rule of each of its
 * failure lines (a MUST scenario whose SHOULD line failed warns under
 * that line's rule), links each rule number to its row in the summary by
 * rule, which quotes the rule from docs/contract.md and counts the
 * scenarios that failed, warned and passed it; results.json and the
 * terminal have the same counts (issue 23, items 1 to 3). */
START_TEST(html_levels_links_and_summary_by_rule)
{
    char dir[600], path[700], *out;
    const char *args[] = { "-s", NULL, "--report-dir", dir, NULL };

    scenario_file("warns.scn", "id: warns\ntitle: t\nrules: R21\nlevel: MUST\nwhy: w.\n\n"
                  "add-timeout T 0\nrun 2\nexpect calls T = 5 [SHOULD]\n");
    scenario_file("fails.scn", "id: fails\ntitle: t\nrules: R20\nlevel: SHOULD\nwhy: w.\n\n"
                  "add-timeout T 0\nrun 2\nexpect calls T = 5 [MUST]\n");
    scenario_file("passes.scn", simple("passes"));
    args[1] = tmpdir;
    snprintf(dir, sizeof(dir), "%s/report", tmpdir);
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "\nby rule, failed/warned/passed: R20 1/0/0; R21 0/1/1\n"),
                  "%s", out);
    free(out);
    snprintf(path, sizeof(path), "%s/results.html", dir);
    ck_assert_msg(shell(&out, "/usr/bin/python3 -c 'import re,sys; h=open(sys.argv[1]).read()\n"
                        "row=lambda i: re.search(r\"<tr class=\\S+><td><a href=.#\"+i+\".*?</tr>\", h).group(0)\n"
                        "assert \"<td>SHOULD <a href=\\\"#rule-R21\\\">R21</a></td><td>warn</td>\" in row(\"warns\"), row(\"warns\")\n"
                        "assert \"<td>MUST <a href=\\\"#rule-R20\\\">R20</a></td><td>fail</td>\" in row(\"fails\"), row(\"fails\")\n"
                        "ids=set(re.findall(r\"id=.([^\\x22]+).\", h))\n"
                        "bad=[a for a in re.findall(r\"href=.#([^\\x22]+).\", h) if a not in ids]\n"
                        "assert not bad, bad\n"
                        "r21=re.search(r\"<tr id=.rule-R21.*?</tr>\", h).group(0)\n"
                        "assert \"Timeout 0 fires on every iteration\" in r21 and r21.endswith(\"<td>0</td><td>1</td><td>1</td></tr>\"), r21\n"
                        "r20=re.search(r\"<tr id=.rule-R20.*?</tr>\", h).group(0)\n"
                        "assert r20.endswith(\"<td>1</td><td>0</td><td>0</td></tr>\"), r20\n"
                        "' '%s' 2>&1", path) == 0, "%s", out);
    free(out);
    snprintf(path, sizeof(path), "%s/results.json", dir);
    ck_assert_msg(shell(&out, "/usr/bin/python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))"
                        "[\"by_rule\"]; assert b == {\"R20\": {\"failed\": 1, \"warned\": 0, "
                        "\"passed\": 0}, \"R21\": {\"failed\": 0, \"warned\": 1, \"passed\": 1}}, b"
                        "' '%s' 2>&1", path) == 0, "%s", out);
    free(out);
}
END_TEST

/* A failing scenario's trace is drawn as an SVG timeline: well-formed
 * XML whatever its lines hold, a lane for the loop and one per
 * registration, and the window the failing line expected T's callback in
 * shaded before the callback that came late (issue 23, item 7). */
START_TEST(html_timeline_of_a_failure)
{
    char dir[600], path[700], *out;
    const char *args[] = { "-s", NULL, "--report-dir", dir, NULL };

    args[1] = scenario_file("late.scn", "id: late\ntitle: t\nrules: R20\nlevel: MUST\n"
                            "why: w.\n\nadd-timeout T 100\nmark A\nrun-until 300\n"
                            "expect call T #1 at ~A+50\nexpect call T #1 at <= A+60\n");
    snprintf(dir, sizeof(dir), "%s/report", tmpdir);
    ck_assert_int_eq(runner(&out, args), 1);
    free(out);
    snprintf(path, sizeof(path), "%s/results.html", dir);
    ck_assert_msg(shell(&out, "/usr/bin/python3 -c 'import re,sys\n"
                        "import xml.etree.ElementTree as E\n"
                        "h=open(sys.argv[1]).read()\n"
                        "s=re.findall(r\"<svg class=.timeline.*?</svg>\", h, re.S)\n"
                        "assert len(s) == 1, len(s)\n"
                        "ns=\"{http://www.w3.org/2000/svg}\"\n"
                        "svg=E.fromstring(s[0])\n"
                        "lanes=[t.text for t in svg.iter(ns+\"text\")]\n"
                        "assert \"loop\" in lanes and \"T\" in lanes, lanes\n"
                        "tips=[t.text for t in svg.iter(ns+\"title\")]\n"
                        "assert any(\"at <= A+60\" in t for t in tips), tips\n"
                        "win=[r for r in svg.iter(ns+\"rect\") if r.find(ns+\"title\") is not None"
                        " and r.find(ns+\"title\").text == \"expected here\"]\n"
                        "cb=[c for c in svg.iter(ns+\"circle\")]\n"
                        "assert len(win) == 2 and len(cb) >= 1, (win, cb)\n"
                        "ends=[float(r.get(\"x\")) + float(r.get(\"width\")) for r in win]\n"
                        "assert max(ends) < float(cb[0].get(\"cx\")), (ends, cb[0].get(\"cx\"))\n"
                        "' '%s' 2>&1", path) == 0, "%s", out);
    free(out);
}
END_TEST

/* A page draws the timelines of its first 200 failing scenarios only,
 * and says so of the others: a run with thousands of failures still
 * makes a page a browser opens. */
START_TEST(html_timelines_bounded)
{
    char dir[600], path[700], name[32], *out;
    const char *args[] = { "-s", NULL, "--report-dir", dir, "-q", NULL };

    for (int i = 0; i < 201; i++) {
        char text[256];
        snprintf(name, sizeof(name), "f%d.scn", i);
        snprintf(text, sizeof(text), HEADER "add-timeout T 0\nrun 2\nexpect calls T = 5\n",
                 name);
        scenario_file(name, text);
    }
    args[1] = tmpdir;
    snprintf(dir, sizeof(dir), "%s/report", tmpdir);
    ck_assert_int_eq(runner(&out, args), 1);
    free(out);
    snprintf(path, sizeof(path), "%s/results.html", dir);
    ck_assert_int_eq(shell(&out, "grep -o '<svg class=.timeline' '%s' | wc -l", path), 0);
    ck_assert_msg(atoi(out) == 200, "%s timelines", out);
    free(out);
    ck_assert_int_eq(shell(&out, "grep -c 'no timeline: the page draws the first 200' '%s'",
                           path), 0);
    ck_assert_msg(atoi(out) == 1, "%s notes", out);
    free(out);
}
END_TEST

/* scripts/matrix lists under a rule only the failure lines filed under
 * it, each marked by its own level: a scenario of R23 whose SHOULD R4
 * line failed warns in R4's row and fails in R23's, and its R23 failure
 * is not in R4's row (issue 23, item 4). */
START_TEST(matrix_cells_hold_their_rule_only)
{
    char cmd[2048], *out;

    make_tmpdir();
    snprintf(cmd, sizeof(cmd), "%s/runs/fake", tmpdir);
    ck_assert_int_eq(shell(&out, "mkdir -p '%s'", cmd), 0);
    free(out);
    snprintf(cmd, sizeof(cmd), "%s/runs/fake/results.json", tmpdir);
    scenario_file("runs/fake/results.json",
                  "{\"impl\": \"fake\", \"strict\": false, \"summary\": {\"passed\": 0, "
                  "\"failed\": 2, \"warnings\": 0}, \"scenarios\": ["
                  "{\"id\": \"s1\", \"rules\": [\"R4\"], \"outcome\": \"fail\", \"failures\": ["
                  "{\"level\": \"SHOULD\", \"rules\": [\"R6\"], \"message\": \"m-six\"}, "
                  "{\"level\": \"MUST\", \"rules\": [\"R4\"], \"message\": \"m-four\"}]}, "
                  "{\"id\": \"s2\", \"rules\": [\"R23\"], \"outcome\": \"fail\", \"failures\": ["
                  "{\"level\": \"SHOULD\", \"rules\": [\"R4\"], \"message\": \"id-zero\"}, "
                  "{\"level\": \"MUST\", \"rules\": [\"R23\"], \"message\": \"late\"}]}]}\n");
    snprintf(cmd, sizeof(cmd), "touch '%s/runs/fake/results.json' && MATRIX_RESULTS='%s/runs' "
             "scripts/matrix %s '%s/m.md' fake >/dev/null 2>&1 && grep '^| R' '%s/m.md'",
             tmpdir, tmpdir, build_dir(), tmpdir, tmpdir);
    ck_assert_msg(shell(&out, "%s", cmd) == 0, "%s", out);
    ck_assert_msg(strstr(out, "| R4 | ✗ [s1](../conformance/scenarios/s1.scn): m-four<br>"
                         "! [s2](../conformance/scenarios/s2.scn): id-zero |\n"), "%s", out);
    ck_assert_msg(strstr(out, "| R6 | ! [s1](../conformance/scenarios/s1.scn): m-six |\n"),
                  "%s", out);
    ck_assert_msg(strstr(out, "| R23 | ✗ [s2](../conformance/scenarios/s2.scn): late |\n"),
                  "%s", out);
    free(out);
}
END_TEST

/* --generate's programs run whatever --filter says of the scenario
 * files, unless a glob of it starts with gen- (issue 23, item 6). */
START_TEST(filter_leaves_generated_programs_alone)
{
    char dir[600], *out;
    const char *args[] = { "--generate", "2", "-f", NULL, "-s", NULL, "--report-dir", dir,
                           NULL };

    scenario_file("timer-a.scn", simple("timer-a"));
    args[5] = scenario_file("other.scn", simple("other"));
    snprintf(dir, sizeof(dir), "%s/report", tmpdir);
    args[3] = "timer-*";
    runner(&out, args);
    ck_assert_msg(strstr(out, "[  2/2]") && !strstr(out, "[  3/"),
                  "not the 2 programs alone: %s", out);
    free(out);
    args[3] = "other,gen-1-2";
    runner(&out, args);
    ck_assert_msg(strstr(out, "[  2/2]") && strstr(out, "gen-1-2") && !strstr(out, "gen-1-1"),
                  "not other and program 2: %s", out);
    free(out);
}
END_TEST

/* An iteration that fails after a wait-fails step is R2's failure (a
 * wait cut short ends the wait, not the loop), not the rules the
 * scenario's header lists, as a generated program's lists six (issue 23,
 * item 6): on the variant of the reference that gives up on ENOMEM. */
START_TEST(failed_wait_filed_under_r2)
{
    char so[600], *out;
    const char *args[] = { "--impl", so, "-s", NULL, NULL };

    snprintf(so, sizeof(so), "%s/variants/libevref-transient-is-fatal.so", build_dir());
    if (access(so, R_OK) != 0) {
        test_skip("the variant transient-is-fatal is not built (make check-build)");
        return;
    }
    args[3] = scenario_file("w.scn", "id: w\ntitle: t\nrules: R14,R20,R21\nlevel: MUST\n"
                            "why: w.\n\nadd-timeout T 10\nwait-fails ENOMEM\nrun 2\n");
    ck_assert_int_eq(runner(&out, args), 1);
    ck_assert_msg(strstr(out, "[MUST R2] iteration 0: evconf_run_once() returned -1 after its "
                         "wait failed (wait-fails), expected 0"), "%s", out);
    ck_assert_msg(!strstr(out, "[MUST R14,R20,R21]"), "%s", out);
    free(out);
}
END_TEST

void add_report_tests(Suite *s)
{
    const TTest *tests[] = {
        reports_of_a_failing_run_parse, report_dir_unwritable, budget_bounds_the_run,
        matrix_and_docs_generate, report_dir_symlinks_not_followed,
        concurrent_runs_share_a_report_dir, ids_validated_and_reports_escaped,
        world_writable_report_dir_refused, html_levels_links_and_summary_by_rule,
        html_timeline_of_a_failure, html_timelines_bounded, matrix_cells_hold_their_rule_only,
        filter_leaves_generated_programs_alone, failed_wait_filed_under_r2,
    };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
}
