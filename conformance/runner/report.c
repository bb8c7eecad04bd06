/*
 * report.c - results as TAP, JUnit XML, JSON and an HTML page in the
 * report directory (results.h).  Prefix report_.  How text from outside
 * is quoted in each is encode.c's; writing a file safely outfile.c's;
 * what the terminal shows show.c's.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "byrule.h"
#include "console.h"
#include "encode.h"
#include "outfile.h"
#include "results.h"
#include "timeline.h"

const char *report_outcome_name(enum outcome o)
{
    static const char *const names[] = { "pass", "warn", "fail", "error",
                                         "skip" };
    return names[o];
}

static const char *title(const struct result *r)
{
    return r->sc ? r->sc->title : "(did not parse)";
}

/* The trace in a TAP YAML block, as a literal block scalar (|): each line
 * as it is, indented under the key, so that no line of it ("...",
 * "stderr: x", a quote, a '#') can end the block or read as a key of its
 * own, which prove's YAMLish reader would take a "- 'stderr: x'" list
 * item for.  Empty lines are left out: the reader ends a block at one. */
static void tap_trace(FILE *f, const char *trace)
{
    const char *p = trace;

    if (!p || !*p)
        return;
    fputs("  trace: |\n", f);
    while (*p) {
        size_t len = strcspn(p, "\n");
        char *line = strndup(p, len);
        if (line && line[strspn(line, " \t\r")]) {
            fputs("    ", f);
            enc_text(f, line + strspn(line, " \t\r"), ENC_YAML_BLOCK);
            fputc('\n', f);
        }
        free(line);
        p += len + (p[len] == '\n');
    }
}

/* The idle wake-ups (docs/wakeups.md) as a TAP comment: a figure, not a
 * test; the scenario with the most, and the sum. */
static void tap_wakeups(FILE *f, const struct result *res, int n)
{
    const struct result *most = NULL;
    long all = 0;

    for (int i = 0; i < n; i++)
        if (res[i].counted) {
            all += res[i].idle_wakeups;
            if (!most || res[i].idle_wakeups > most->idle_wakeups)
                most = &res[i];
        }
    if (!most)
        return;
    fprintf(f, "# idle wake-ups: %ld", all);
    if (most->idle_wakeups > 0) {
        fputs(", most in ", f);
        enc_text(f, most->id, ENC_TAP_LINE);
        fprintf(f, " (%d of %d iterations)", most->idle_wakeups, most->iterations);
    }
    fputc('\n', f);
}

/* TAP 13 with a YAML block under each test that did not simply pass:
 * single-quoted scalars, one line each, so that any TAP consumer (prove)
 * reads it. */
static void write_tap(FILE *f, const struct run_info *ri,
                      const struct result *res, int n)
{
    fprintf(f, "TAP version 13\n1..%d\n# impl: ", n);
    enc_text(f, ri->impl_name, ENC_TAP_LINE);
    fprintf(f, "\n# seed: %llu\n", (unsigned long long)ri->seed);
    for (int i = 0; i < n; i++) {
        const struct result *r = &res[i];
        bool bad = r->outcome == OUT_FAIL || r->outcome == OUT_ERROR;
        fprintf(f, "%s %d - ", bad ? "not ok" : "ok", i + 1);
        enc_text(f, r->id, ENC_TAP_LINE);
        fputc(' ', f);
        enc_text(f, title(r), ENC_TAP_LINE);
        if (r->outcome == OUT_SKIP) {
            fputs(" # SKIP ", f);
            enc_text(f, r->error ? r->error : "", ENC_TAP_LINE);
        } else if (r->known) {
            fputs(" # TODO known: ", f);
            enc_text(f, r->known, ENC_TAP_LINE);
        }
        fputc('\n', f);
        if ((r->outcome == OUT_PASS && r->nfailures == 0) ||
            r->outcome == OUT_SKIP)
            continue;
        fprintf(f, "  ---\n  outcome: %s\n", report_outcome_name(r->outcome));
        if (r->error) {
            fputs("  error: '", f);
            enc_text(f, r->error, ENC_YAML);
            fputs("'\n", f);
        }
        if (r->nfailures)
            fputs("  failures:\n", f);
        for (int k = 0; k < r->nfailures; k++) {
            fprintf(f, "    - '%s ", scenario_level_name(r->failures[k].level));
            enc_text(f, r->failures[k].rules, ENC_YAML);
            fputs(": ", f);
            enc_text(f, r->failures[k].message, ENC_YAML);
            fputs("'\n", f);
        }
        tap_trace(f, r->trace);
        fprintf(f, "  ...\n");
    }
    tap_wakeups(f, res, n);
}

/* r's failures, a line each, each after prefix. */
static void junit_failures(FILE *f, const struct result *r, const char *prefix)
{
    for (int k = 0; k < r->nfailures; k++) {
        fprintf(f, "%s%s ", prefix, scenario_level_name(r->failures[k].level));
        enc_xml(f, r->failures[k].rules);
        fputs(": ", f);
        enc_xml(f, r->failures[k].message);
        fputc('\n', f);
    }
}

/* One scenario's testcase: its properties, its failure or error, its
 * warnings and its trace. */
static void junit_case(FILE *f, const struct result *r)
{
    /* The class is the scenario's family (timer, handle, dispatch...):
     * CI tools group by it; the rules are a property. */
    const char *family = r->sc ? r->id : "unparsed";

    fputs("<testcase classname=\"evconf.", f);
    enc_xmln(f, family, strcspn(family, "-"));
    fputs("\" name=\"", f);
    enc_xml(f, r->id);
    fprintf(f, "\" time=\"%.3f\">\n", r->ms / 1e3);
    if (r->sc) {
        fputs("<properties><property name=\"rules\" value=\"", f);
        enc_xml(f, r->sc->rules);
        fprintf(f,
                "\"/><property name=\"level\" value=\"%s\"/><property "
                "name=\"outcome\" value=\"%s\"/></properties>\n",
                scenario_level_name(r->sc->level),
                report_outcome_name(r->outcome));
    }
    if (r->outcome == OUT_SKIP)
        fputs("<skipped/>\n", f);
    if (r->outcome == OUT_FAIL || r->outcome == OUT_ERROR) {
        fprintf(f, "<%s message=\"",
                r->outcome == OUT_FAIL ? "failure" : "error");
        enc_xml(f, r->error       ? r->error
                   : r->nfailures ? r->failures[0].message
                                  : "");
        fputs("\">", f);
        junit_failures(f, r, "");
        fprintf(f, "</%s>\n", r->outcome == OUT_FAIL ? "failure" : "error");
    }
    /* A warning is no failure, and JUnit has no word for it: it goes to
     * system-err, which CI shows as such, besides the property. */
    if (r->outcome == OUT_WARN) {
        fputs("<system-err>", f);
        junit_failures(f, r, "WARNING ");
        fputs("</system-err>\n", f);
    }
    if (r->outcome != OUT_PASS && r->outcome != OUT_SKIP) {
        fputs("<system-out>", f);
        enc_xml(f, r->trace);
        fputs("</system-out>\n", f);
    }
    fputs("</testcase>\n", f);
}

/* JUnit XML as CI servers read it: one testsuite, the IMPL and seed as
 * properties, a testcase a scenario. */
static void write_junit(FILE *f, const struct run_info *ri,
                        const struct result *res, int n)
{
    int failures = 0, errors = 0, skipped = 0;
    double total = 0;

    for (int i = 0; i < n; i++) {
        failures += res[i].outcome == OUT_FAIL;
        errors += res[i].outcome == OUT_ERROR;
        skipped += res[i].outcome == OUT_SKIP;
        total += res[i].ms;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
            "<testsuite name=\"evconf\" tests=\"%d\" failures=\"%d\" errors=\"%d\" "
            "skipped=\"%d\" time=\"%.3f\">\n<properties>\n"
            "<property name=\"impl\" value=\"", n, failures, errors, skipped, total / 1e3);
    enc_xml(f, ri->impl_name);
    fprintf(f,
            "\"/>\n<property name=\"seed\" value=\"%llu\"/>\n</properties>\n",
            (unsigned long long)ri->seed);
    for (int i = 0; i < n; i++)
        junit_case(f, &res[i]);
    fputs("</testsuite>\n</testsuites>\n", f);
}

/* A failure message, taken apart for readers that want fields: "line N:"
 * at its start is the scenario line; "X; but Y" says what was expected
 * (X) and what happened (Y), "Y; expected X" the same the other way. */
struct failure_parts {
    int line;                       /* 0: none */
    const char *body;               /* after "line N: " */
    char expected[600], got[600];
};

static void split_failure(const char *msg, struct failure_parts *fp)
{
    const char *but, *exp;
    int n = 0;

    memset(fp, 0, sizeof(*fp));
    fp->body = msg;
    if (sscanf(msg, "line %d: %n", &fp->line, &n) == 1 && n > 0)
        fp->body = msg + n;
    else
        fp->line = 0;
    if ((but = strstr(fp->body, "; but "))) {
        snprintf(fp->expected, sizeof(fp->expected), "%.*s",
                 (int)(but - fp->body), fp->body);
        snprintf(fp->got, sizeof(fp->got), "%s", but + 6);
    } else if ((exp = strstr(fp->body, "; expected "))) {
        snprintf(fp->got, sizeof(fp->got), "%.*s", (int)(exp - fp->body),
                 fp->body);
        snprintf(fp->expected, sizeof(fp->expected), "%s", exp + 11);
    } else {
        snprintf(fp->got, sizeof(fp->got), "%s", fp->body);
    }
}

/* "R29,R28" as ["R29", "R28"]; "-" (no rule) as []. */
static void json_rules(FILE *f, const char *rules)
{
    char buf[256], *save = NULL;
    bool first = true;

    snprintf(buf, sizeof(buf), "%s", rules ? rules : "");
    fputc('[', f);
    for (char *r = strtok_r(buf, ",", &save); r;
         r = strtok_r(NULL, ",", &save)) {
        if (!strcmp(r, "-"))
            continue;
        fputs(first ? "" : ", ", f);
        enc_json(f, r);
        first = false;
    }
    fputc(']', f);
}

/* A failure with its fields taken apart (split_failure): expected is
 * null when the message does not say it. */
static void json_failure(FILE *f, const struct failure *fl)
{
    struct failure_parts fp;

    split_failure(fl->message, &fp);
    fprintf(f,
            "{\"level\": \"%s\", \"rules\": ", scenario_level_name(fl->level));
    json_rules(f, fl->rules);
    fputs(", \"message\": ", f);
    enc_json(f, fl->message);
    if (fp.line)
        fprintf(f, ", \"line\": %d", fp.line);
    fputs(", \"expected\": ", f);
    if (fp.expected[0])
        enc_json(f, fp.expected);
    else
        fputs("null", f);
    fputs(", \"got\": ", f);
    enc_json(f, fp.got);
    fputc('}', f);
}

/* One scenario's object, without its closing brace; its trace if it did
 * not pass, or with --traces. */
static void json_scenario(FILE *f, const struct run_info *ri,
                          const struct result *r)
{
    fputs("    {\"id\": ", f);
    enc_json(f, r->id);
    fputs(", \"file\": ", f);
    enc_json(f, r->path);
    fputs(", \"title\": ", f);
    enc_json(f, title(r));
    fputs(", \"rules\": ", f);
    json_rules(f, r->sc ? r->sc->rules : "");
    fputs(", \"level\": ", f);
    enc_json(f, r->sc ? scenario_level_name(r->sc->level) : "");
    fputs(", \"outcome\": ", f);
    enc_json(f, report_outcome_name(r->outcome));
    fprintf(f, ", \"ms\": %.3f", r->ms);
    if (r->counted)
        fprintf(f, ", \"idle_wakeups\": %d, \"iterations\": %d", r->idle_wakeups,
                r->iterations);
    if (r->error) {
        fputs(", \"error\": ", f);
        enc_json(f, r->error);
    }
    if (r->known) {
        fputs(", \"known\": ", f);
        enc_json(f, r->known);
    }
    if (r->rerun) {
        fputs(", \"rerun\": ", f);
        enc_json(f, r->rerun);
    }
    fputs(", \"failures\": [", f);
    for (int k = 0; k < r->nfailures; k++) {
        fputs(k ? ", " : "", f);
        json_failure(f, &r->failures[k]);
    }
    fputc(']', f);
    if ((r->outcome != OUT_PASS || ri->traces) && r->trace) {
        fputs(", \"trace\": ", f);
        enc_json(f, r->trace);
    }
}

/* results.json (docs/results.schema.json): the run, its counts and each
 * scenario, for tools. */
static void write_json(FILE *f, const struct run_info *ri,
                       const struct result *res, int n)
{
    int count[5] = {0}, counted = 0;
    long idle = 0;

    for (int i = 0; i < n; i++) {
        count[res[i].outcome]++;
        counted += res[i].counted;
        idle += res[i].counted ? res[i].idle_wakeups : 0;
    }
    fprintf(f, "{\n  \"schema\": %d,\n  \"impl\": ", REPORT_SCHEMA_VERSION);
    enc_json(f, ri->impl_name);
    fputs(",\n  \"impl_path\": ", f);
    enc_json(f, ri->impl);
    fprintf(f, ",\n  \"seed\": %llu,\n  \"strict\": %s,\n  \"complete\": %s,\n",
            (unsigned long long)ri->seed, ri->strict ? "true" : "false",
            ri->done ? "true" : "false");
    fprintf(f,
            "  \"summary\": {\"passed\": %d, \"failed\": %d, \"warnings\": %d, "
            "\"skipped\": %d", count[OUT_PASS], count[OUT_FAIL] + count[OUT_ERROR],
            count[OUT_WARN], count[OUT_SKIP]);
    if (counted)
        fprintf(f, ", \"idle_wakeups\": %ld", idle);
    fputs("},\n  ", f);
    byrule_json(f, ri, res, n);
    fputs(",\n  \"scenarios\": [\n", f);
    for (int i = 0; i < n; i++) {
        json_scenario(f, ri, &res[i]);
        fprintf(f, "}%s\n", i + 1 < n ? "," : "");
    }
    fputs("  ]\n}\n", f);
}

/* The page's head, and its summary: the counts. */
static void html_head(FILE *f, const struct run_info *ri,
                      const struct result *res, int n)
{
    int count[5] = {0};

    for (int i = 0; i < n; i++)
        count[res[i].outcome]++;
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>evconf: ", f);
    enc_html(f, ri->impl_name);
    fputs("</title><style>body{font-family:sans-serif;margin:2em}"
          "table{border-collapse:collapse}td,th{border:1px solid #aaa;padding:3px 6px;"
          "text-align:left}.fail,.error{background:#fdd}.warn{background:#ffd}"
          ".pass{background:#dfd}.skip{background:#eee}pre{background:#f6f6f6;"
          "padding:6px;overflow:auto;max-height:30em}</style></head><body>\n<h1>", f);
    enc_html(f, ri->impl_name);
    fprintf(f, "</h1>\n<p>seed %llu%s%s. %d passed, %d failed, %d warnings, "
            "%d skipped (<a href=\"#by-rule\">by rule</a>).</p>\n<table><tr><th>scenario"
            "</th><th>rules</th><th>failure lines: level and rule</th><th>outcome</th>"
            "<th title=\"iterations that woke with nothing due, of all (a figure, not a "
            "check)\">idle wake-ups</th></tr>\n", (unsigned long long)ri->seed,
            ri->strict ? ", --strict" : "", ri->done ? "" : ", incomplete run",
            count[OUT_PASS], count[OUT_FAIL] + count[OUT_ERROR], count[OUT_WARN],
            count[OUT_SKIP]);
}

/* The level and rules of each failure line of r, once each ("SHOULD R4;
 * MUST R23,R20"): what its outcome comes from, which the scenario's own
 * level is not (a MUST scenario warns for a SHOULD line). */
static void html_line_levels(FILE *f, const struct result *r)
{
    int shown = 0;

    for (int k = 0; k < r->nfailures; k++) {
        const struct failure *fl = &r->failures[k];
        bool seen = fl->level == LEVEL_INFO;
        for (int j = 0; j < k && !seen; j++)
            seen = r->failures[j].level == fl->level &&
                   !strcmp(r->failures[j].rules, fl->rules);
        if (seen)
            continue;
        fprintf(f, "%s%s ", shown++ ? "; " : "", scenario_level_name(fl->level));
        byrule_html_links(f, fl->rules);
    }
}

/* One row a scenario: a failure's links to its section below. */
static void html_row(FILE *f, const struct result *r)
{
    const char *o = report_outcome_name(r->outcome);

    fprintf(f, "<tr class=\"%s\"><td>", o);
    if (r->outcome != OUT_PASS && r->outcome != OUT_SKIP) {
        fputs("<a href=\"#", f);
        enc_html(f, r->id);
        fputs("\">", f);
    }
    enc_html(f, r->id);
    fputs(r->outcome != OUT_PASS && r->outcome != OUT_SKIP ? "</a>" : "", f);
    fputs("</td><td>", f);
    byrule_html_links(f, r->sc ? r->sc->rules : "");
    fputs("</td><td>", f);
    html_line_levels(f, r);
    fprintf(f, "</td><td>%s%s", o, r->known ? " (known)" : "");
    if (r->counted)
        fprintf(f, "</td><td>%d of %d", r->idle_wakeups, r->iterations);
    else
        fputs("</td><td>n/a", f);
    fputs("</td></tr>\n", f);
}

/* A failure's what was expected and what happened, one row each. */
static void html_failures(FILE *f, const struct result *r)
{
    if (r->nfailures)
        fputs("<table><tr><th>level</th><th>rules</th><th>line</th><th>expected</th>"
              "<th>got</th></tr>\n", f);
    for (int k = 0; k < r->nfailures; k++) {
        struct failure_parts fp;
        split_failure(r->failures[k].message, &fp);
        fprintf(f, "<tr><td>%s</td><td>",
                scenario_level_name(r->failures[k].level));
        byrule_html_links(f, r->failures[k].rules);
        fputs("</td><td>", f);
        if (fp.line)
            fprintf(f, "%d", fp.line);
        fputs("</td><td>", f);
        enc_html(f, fp.expected);
        fputs("</td><td>", f);
        enc_html(f, fp.got);
        fputs("</td></tr>\n", f);
    }
    if (r->nfailures)
        fputs("</table>\n", f);
}

/* The section of a scenario that did not simply pass, the k-th (from 0). */
static void html_section(FILE *f, const struct result *r, int k)
{
    fputs("<h2 id=\"", f);
    enc_html(f, r->id);
    fputs("\">", f);
    enc_html(f, r->id);
    fprintf(f, ": %s</h2>\n<p>", report_outcome_name(r->outcome));
    enc_html(f, title(r));
    fputs("</p>\n", f);
    if (r->sc) {
        fputs("<p><b>why:</b> ", f);
        enc_html(f, r->sc->why);
        fputs("</p>\n", f);
    }
    if (r->known) {
        fputs("<p><b>known deviation:</b> ", f);
        enc_html(f, r->known);
        fputs("</p>\n", f);
    }
    if (r->error) {
        fputs("<p><b>", f);
        enc_html(f, r->error);
        fputs("</b></p>\n", f);
    }
    html_failures(f, r);
    timeline_svg(f, r, k);
    if (r->rerun) {
        fputs("<p><b>rerun:</b> <code>", f);
        enc_html(f, r->rerun);
        fputs("</code></p>\n", f);
    }
    if (r->trace) {
        fputs("<details><summary>trace</summary><pre>", f);
        enc_html(f, r->trace);
        fputs("</pre></details>\n", f);
    }
}

/* A page a person reads: the summary, then each scenario that did not
 * simply pass, with what was expected and what happened, its trace and
 * the command that reruns it, a picture of its trace (timeline.c), and a
 * summary by rule whose rows the rule numbers link to (byrule.c).
 * Self-contained: no scripts, no links out. */
static void write_html(FILE *f, const struct run_info *ri,
                       const struct result *res, int n)
{
    html_head(f, ri, res, n);
    for (int i = 0; i < n; i++)
        html_row(f, &res[i]);
    fputs("</table>\n", f);
    byrule_html(f, ri, res, n);
    for (int i = 0, k = 0; i < n; i++)
        if (res[i].outcome != OUT_PASS && res[i].outcome != OUT_SKIP)
            html_section(f, &res[i], k++);
    fputs("</body></html>\n", f);
}

int report_mkdirs(const char *dir)
{
    char buf[4096];

    snprintf(buf, sizeof(buf), "%s", dir);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0777) < 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(buf, 0777) < 0 && errno != EEXIST ? -1 : 0;
}

/* The report directory is the user's, to publish: created 0777 under
 * the umask.  One that every user may write in without the sticky bit is
 * refused: anyone could then swap the kit's own generated/ between its
 * check and its use, or replace a report under its readers. */
int report_dir_ready(const char *dir)
{
    struct stat st;

    if (report_mkdirs(dir) < 0 || stat(dir, &st) < 0) {
        fprintf(stderr, "evconf-run: cannot create report directory %s: %s\n",
                con_esc(dir), strerror(errno));
        return -1;
    }
    if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) {
        fprintf(stderr, "evconf-run: report directory %s is writable by every user "
                "and not sticky: another user could replace what is written there "
                "(chmod o-w or +t)\n", con_esc(dir));
        return -1;
    }
    return 0;
}

/* The four reports, each replaced whole (results.h). */
int report_write(const struct run_info *ri, const struct result *res, int n)
{
    static const struct {
        const char *file;
        void (*write)(FILE *, const struct run_info *, const struct result *,
                      int);
    } kinds[] = {
        { "results.tap", write_tap }, { "junit.xml", write_junit },
        { "results.json", write_json }, { "results.html", write_html },
    };
    char path[PATH_MAX];

    if (report_dir_ready(ri->report_dir) < 0)
        return -1;
    /* Each file is written beside its place under a name of its own and
     * renamed into it (outfile.h): a reader never sees half a report, a
     * symlink planted in the directory is never written through, and two
     * runs into one directory never share a temporary file. */
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        struct outfile of;
        snprintf(path, sizeof(path), "%s/%s", ri->report_dir, kinds[k].file);
        if (outfile_open(&of, path, 0666))
            kinds[k].write(of.f, ri, res, n);
        if (!of.f || outfile_commit(&of) < 0) {
            fprintf(stderr, "evconf-run: cannot write %s: %s\n", con_esc(path),
                    strerror(errno));
            return -1;
        }
    }
    return 0;
}
