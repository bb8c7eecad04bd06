/*
 * report.c - results as TAP, JUnit XML and JSON in the report directory.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console.h"
#include "outfile.h"
#include "results.h"

const char *report_outcome_name(enum outcome o)
{
    static const char *const names[] = { "pass", "warn", "fail", "error", "skip" };
    return names[o];
}

/* How text goes into each report: every report is valid UTF-8 whatever
 * bytes a trace or an implementation's name holds. */
enum dialect {
    JSON,           /* inside "..." */
    XML,            /* element text or attribute value */
    HTML,           /* the same, in a page a browser lays out */
    YAML,           /* inside '...' (TAP's YAML blocks): one line */
    TAP_LINE,       /* a test line's description or a comment: one line */
};

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0 if the
 * bytes there are not one: overlong forms, surrogates and code points
 * above U+10FFFF included. */
static int utf8_len(const unsigned char *s)
{
    unsigned cp;
    int n;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2, cp = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3, cp = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4, cp = s[0] & 0x07;
    else
        return 0;
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    if (cp == 0xfffe || cp == 0xffff)           /* not characters in XML */
        return 0;
    return n;
}

/* The code point of the valid UTF-8 sequence of n bytes at s. */
static unsigned utf8_cp(const unsigned char *s, int n)
{
    unsigned cp = s[0] & (0x7f >> n);

    for (int i = 1; i < n; i++)
        cp = cp << 6 | (s[i] & 0x3f);
    return cp;
}

/* A code point that acts on a terminal or on how the text around it reads
 * (console.h: C1 controls such as U+009B, a CSI; bidi overrides such as
 * U+202E): JSON carries it as an escape and XML as a character reference,
 * which their readers decode as they were; a page and TAP, read by a
 * person, show its notation instead. */
static void put_hidden(FILE *f, unsigned cp, enum dialect d)
{
    if (d == JSON && cp > 0xffff)
        fprintf(f, "\\u%04x\\u%04x", 0xd800 + ((cp - 0x10000) >> 10),
                0xdc00 + ((cp - 0x10000) & 0x3ff));
    else if (d == JSON)
        fprintf(f, "\\u%04x", cp);
    else if (d == XML)
        fprintf(f, "&#x%x;", cp);
    else
        fprintf(f, cp > 0xffff ? "\\U%08x" : "\\u%04x", cp);
}

static void put_text(FILE *f, const char *text, enum dialect d)
{
    static const char replacement[] = "\xef\xbf\xbd";    /* U+FFFD */
    const unsigned char *s = (const unsigned char *)(text ? text : "");

    while (*s) {
        unsigned char c = *s;
        int n = utf8_len(s);

        if (n == 0) {                   /* a byte that is not UTF-8 */
            fputs(d == JSON ? "\\ufffd" : replacement, f);
            s++;
            continue;
        }
        s += n;
        if (n > 1 && con_is_hidden(utf8_cp(s - n, n))) {
            put_hidden(f, utf8_cp(s - n, n), d);
            continue;
        }
        if (n > 1) {
            fwrite(s - n, 1, (size_t)n, f);
            continue;
        }
        switch (d) {
        case JSON:
            if (c == '"' || c == '\\')
                fprintf(f, "\\%c", c);
            else if (c == '\n')
                fputs("\\n", f);
            else if (c < 0x20 || c == 0x7f)
                fprintf(f, "\\u%04x", c);
            else
                fputc(c, f);
            break;
        case XML:
        case HTML:
            if (c == '&')
                fputs("&amp;", f);
            else if (c == '<')
                fputs("&lt;", f);
            else if (c == '>')
                fputs("&gt;", f);
            else if (c == '"')
                fputs("&quot;", f);
            else if (c == '\'')
                fputs("&#39;", f);
            else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
                fputs(replacement, f);
            else
                fputc(c, f);
            break;
        case YAML:
        case TAP_LINE:
            if (c == '\'' && d == YAML)
                fputs("''", f);
            else if (c == '#' && d == TAP_LINE)
                fputs("\\#", f);          /* else TAP reads a directive */
            else if (c == '\n' || c == '\t' || c == '\r')
                fputc(' ', f);
            else if (c < 0x20 || c == 0x7f)
                fputs(replacement, f);
            else
                fputc(c, f);
            break;
        }
    }
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    put_text(f, s, JSON);
    fputc('"', f);
}

static void xml_str(FILE *f, const char *s)
{
    put_text(f, s, XML);
}

/* At most n bytes of s, as XML. */
static void xml_strn(FILE *f, const char *s, size_t n)
{
    char *part = strndup(s, n);

    put_text(f, part ? part : "", XML);
    free(part);
}

static void html_str(FILE *f, const char *s)
{
    put_text(f, s, HTML);
}

static const char *title(const struct result *r)
{
    return r->sc ? r->sc->title : "(did not parse)";
}

/* TAP 13 with a YAML block under each test that did not simply pass:
 * single-quoted scalars, one line each, so that any TAP consumer (prove)
 * reads it. */
static void write_tap(FILE *f, const struct run_info *ri, const struct result *res, int n)
{
    fprintf(f, "TAP version 13\n1..%d\n# impl: ", n);
    put_text(f, ri->impl_name, TAP_LINE);
    fprintf(f, "\n# seed: %llu\n", (unsigned long long)ri->seed);
    for (int i = 0; i < n; i++) {
        const struct result *r = &res[i];
        bool bad = r->outcome == OUT_FAIL || r->outcome == OUT_ERROR;
        fprintf(f, "%s %d - ", bad ? "not ok" : "ok", i + 1);
        put_text(f, r->id, TAP_LINE);
        fputc(' ', f);
        put_text(f, title(r), TAP_LINE);
        if (r->outcome == OUT_SKIP) {
            fputs(" # SKIP ", f);
            put_text(f, r->error ? r->error : "", TAP_LINE);
        } else if (r->known) {
            fputs(" # TODO known: ", f);
            put_text(f, r->known, TAP_LINE);
        }
        fputc('\n', f);
        if ((r->outcome == OUT_PASS && r->nfailures == 0) || r->outcome == OUT_SKIP)
            continue;
        fprintf(f, "  ---\n  outcome: %s\n", report_outcome_name(r->outcome));
        if (r->error) {
            fputs("  error: '", f);
            put_text(f, r->error, YAML);
            fputs("'\n", f);
        }
        if (r->nfailures)
            fputs("  failures:\n", f);
        for (int k = 0; k < r->nfailures; k++) {
            fprintf(f, "    - '%s ", scenario_level_name(r->failures[k].level));
            put_text(f, r->failures[k].rules, YAML);
            fputs(": ", f);
            put_text(f, r->failures[k].message, YAML);
            fputs("'\n", f);
        }
        fprintf(f, "  ...\n");
    }
}

static void write_junit(FILE *f, const struct run_info *ri, const struct result *res, int n)
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
    xml_str(f, ri->impl_name);
    fprintf(f, "\"/>\n<property name=\"seed\" value=\"%llu\"/>\n</properties>\n",
            (unsigned long long)ri->seed);
    for (int i = 0; i < n; i++) {
        const struct result *r = &res[i];
        /* The class is the scenario's family (timer, handle, dispatch...):
         * CI tools group by it; the rules are a property. */
        const char *family = r->sc ? r->id : "unparsed";
        fputs("<testcase classname=\"evconf.", f);
        xml_strn(f, family, strcspn(family, "-"));
        fputs("\" name=\"", f);
        xml_str(f, r->id);
        fprintf(f, "\" time=\"%.3f\">\n", r->ms / 1e3);
        if (r->sc) {
            fputs("<properties><property name=\"rules\" value=\"", f);
            xml_str(f, r->sc->rules);
            fprintf(f, "\"/><property name=\"level\" value=\"%s\"/><property "
                    "name=\"outcome\" value=\"%s\"/></properties>\n",
                    scenario_level_name(r->sc->level), report_outcome_name(r->outcome));
        }
        if (r->outcome == OUT_SKIP)
            fputs("<skipped/>\n", f);
        if (r->outcome == OUT_FAIL || r->outcome == OUT_ERROR) {
            fprintf(f, "<%s message=\"", r->outcome == OUT_FAIL ? "failure" : "error");
            xml_str(f, r->error ? r->error : r->nfailures ? r->failures[0].message : "");
            fputs("\">", f);
            for (int k = 0; k < r->nfailures; k++) {
                fprintf(f, "%s ", scenario_level_name(r->failures[k].level));
                xml_str(f, r->failures[k].rules);
                fputs(": ", f);
                xml_str(f, r->failures[k].message);
                fputc('\n', f);
            }
            fprintf(f, "</%s>\n", r->outcome == OUT_FAIL ? "failure" : "error");
        }
        /* A warning is no failure, and JUnit has no word for it: it goes to
         * system-err, which CI shows as such, besides the property. */
        if (r->outcome == OUT_WARN) {
            fputs("<system-err>", f);
            for (int k = 0; k < r->nfailures; k++) {
                fprintf(f, "WARNING %s ", scenario_level_name(r->failures[k].level));
                xml_str(f, r->failures[k].rules);
                fputs(": ", f);
                xml_str(f, r->failures[k].message);
                fputc('\n', f);
            }
            fputs("</system-err>\n", f);
        }
        if (r->outcome != OUT_PASS && r->outcome != OUT_SKIP) {
            fputs("<system-out>", f);
            xml_str(f, r->trace);
            fputs("</system-out>\n", f);
        }
        fputs("</testcase>\n", f);
    }
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
        snprintf(fp->expected, sizeof(fp->expected), "%.*s", (int)(but - fp->body), fp->body);
        snprintf(fp->got, sizeof(fp->got), "%s", but + 6);
    } else if ((exp = strstr(fp->body, "; expected "))) {
        snprintf(fp->got, sizeof(fp->got), "%.*s", (int)(exp - fp->body), fp->body);
        snprintf(fp->expected, sizeof(fp->expected), "%s", exp + 11);
    } else {
        snprintf(fp->got, sizeof(fp->got), "%s", fp->body);
    }
}

static void json_rules(FILE *f, const char *rules)
{
    char buf[256], *save = NULL;
    bool first = true;

    snprintf(buf, sizeof(buf), "%s", rules ? rules : "");
    fputc('[', f);
    for (char *r = strtok_r(buf, ",", &save); r; r = strtok_r(NULL, ",", &save)) {
        if (!strcmp(r, "-"))
            continue;
        fputs(first ? "" : ", ", f);
        json_str(f, r);
        first = false;
    }
    fputc(']', f);
}

static void json_failure(FILE *f, const struct failure *fl)
{
    struct failure_parts fp;

    split_failure(fl->message, &fp);
    fprintf(f, "{\"level\": \"%s\", \"rules\": ", scenario_level_name(fl->level));
    json_rules(f, fl->rules);
    fputs(", \"message\": ", f);
    json_str(f, fl->message);
    if (fp.line)
        fprintf(f, ", \"line\": %d", fp.line);
    fputs(", \"expected\": ", f);
    if (fp.expected[0])
        json_str(f, fp.expected);
    else
        fputs("null", f);
    fputs(", \"got\": ", f);
    json_str(f, fp.got);
    fputc('}', f);
}

static void write_json(FILE *f, const struct run_info *ri, const struct result *res, int n)
{
    int count[5] = {0};

    for (int i = 0; i < n; i++)
        count[res[i].outcome]++;
    fprintf(f, "{\n  \"schema\": %d,\n  \"impl\": ", REPORT_SCHEMA_VERSION);
    json_str(f, ri->impl_name);
    fputs(",\n  \"impl_path\": ", f);
    json_str(f, ri->impl);
    fprintf(f, ",\n  \"seed\": %llu,\n  \"strict\": %s,\n  \"complete\": %s,\n",
            (unsigned long long)ri->seed, ri->strict ? "true" : "false",
            ri->done ? "true" : "false");
    fprintf(f, "  \"summary\": {\"passed\": %d, \"failed\": %d, \"warnings\": %d, "
            "\"skipped\": %d},\n  \"scenarios\": [\n", count[OUT_PASS],
            count[OUT_FAIL] + count[OUT_ERROR], count[OUT_WARN], count[OUT_SKIP]);
    for (int i = 0; i < n; i++) {
        const struct result *r = &res[i];
        fputs("    {\"id\": ", f);
        json_str(f, r->id);
        fputs(", \"file\": ", f);
        json_str(f, r->path);
        fputs(", \"title\": ", f);
        json_str(f, title(r));
        fputs(", \"rules\": ", f);
        json_rules(f, r->sc ? r->sc->rules : "");
        fputs(", \"level\": ", f);
        json_str(f, r->sc ? scenario_level_name(r->sc->level) : "");
        fputs(", \"outcome\": ", f);
        json_str(f, report_outcome_name(r->outcome));
        fprintf(f, ", \"ms\": %.3f", r->ms);
        if (r->error) {
            fputs(", \"error\": ", f);
            json_str(f, r->error);
        }
        if (r->known) {
            fputs(", \"known\": ", f);
            json_str(f, r->known);
        }
        if (r->rerun) {
            fputs(", \"rerun\": ", f);
            json_str(f, r->rerun);
        }
        fputs(", \"failures\": [", f);
        for (int k = 0; k < r->nfailures; k++) {
            fputs(k ? ", " : "", f);
            json_failure(f, &r->failures[k]);
        }
        fputc(']', f);
        if ((r->outcome != OUT_PASS || ri->traces) && r->trace) {
            fputs(", \"trace\": ", f);
            json_str(f, r->trace);
        }
        fprintf(f, "}%s\n", i + 1 < n ? "," : "");
    }
    fputs("  ]\n}\n", f);
}

/* A page a person reads: the summary, then each scenario that did not
 * simply pass, with what was expected and what happened, its trace and
 * the command that reruns it.  Self-contained: no scripts, no links out. */
static void write_html(FILE *f, const struct run_info *ri, const struct result *res, int n)
{
    int count[5] = {0};

    for (int i = 0; i < n; i++)
        count[res[i].outcome]++;
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>evconf: ", f);
    html_str(f, ri->impl_name);
    fputs("</title><style>body{font-family:sans-serif;margin:2em}"
          "table{border-collapse:collapse}td,th{border:1px solid #aaa;padding:3px 6px;"
          "text-align:left}.fail,.error{background:#fdd}.warn{background:#ffd}"
          ".pass{background:#dfd}.skip{background:#eee}pre{background:#f6f6f6;"
          "padding:6px;overflow:auto;max-height:30em}</style></head><body>\n<h1>", f);
    html_str(f, ri->impl_name);
    fprintf(f, "</h1>\n<p>seed %llu%s%s. %d passed, %d failed, %d warnings, "
            "%d skipped.</p>\n<table><tr><th>scenario</th><th>rules</th><th>level</th>"
            "<th>outcome</th></tr>\n", (unsigned long long)ri->seed,
            ri->strict ? ", --strict" : "", ri->done ? "" : ", incomplete run",
            count[OUT_PASS], count[OUT_FAIL] + count[OUT_ERROR], count[OUT_WARN],
            count[OUT_SKIP]);
    for (int i = 0; i < n; i++) {
        const struct result *r = &res[i];
        const char *o = report_outcome_name(r->outcome);
        fprintf(f, "<tr class=\"%s\"><td>", o);
        if (r->outcome != OUT_PASS && r->outcome != OUT_SKIP) {
            fputs("<a href=\"#", f);
            html_str(f, r->id);
            fputs("\">", f);
        }
        html_str(f, r->id);
        fputs(r->outcome != OUT_PASS && r->outcome != OUT_SKIP ? "</a>" : "", f);
        fputs("</td><td>", f);
        html_str(f, r->sc ? r->sc->rules : "");
        fprintf(f, "</td><td>%s</td><td>%s%s", r->sc ? scenario_level_name(r->sc->level) : "",
                o, r->known ? " (known)" : "");
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    for (int i = 0; i < n; i++) {
        const struct result *r = &res[i];
        if (r->outcome == OUT_PASS || r->outcome == OUT_SKIP)
            continue;
        fputs("<h2 id=\"", f);
        html_str(f, r->id);
        fputs("\">", f);
        html_str(f, r->id);
        fprintf(f, ": %s</h2>\n<p>", report_outcome_name(r->outcome));
        html_str(f, title(r));
        fputs("</p>\n", f);
        if (r->sc) {
            fputs("<p><b>why:</b> ", f);
            html_str(f, r->sc->why);
            fputs("</p>\n", f);
        }
        if (r->known) {
            fputs("<p><b>known deviation:</b> ", f);
            html_str(f, r->known);
            fputs("</p>\n", f);
        }
        if (r->error) {
            fputs("<p><b>", f);
            html_str(f, r->error);
            fputs("</b></p>\n", f);
        }
        if (r->nfailures)
            fputs("<table><tr><th>level</th><th>rules</th><th>line</th><th>expected</th>"
                  "<th>got</th></tr>\n", f);
        for (int k = 0; k < r->nfailures; k++) {
            struct failure_parts fp;
            split_failure(r->failures[k].message, &fp);
            fprintf(f, "<tr><td>%s</td><td>", scenario_level_name(r->failures[k].level));
            html_str(f, r->failures[k].rules);
            fputs("</td><td>", f);
            if (fp.line)
                fprintf(f, "%d", fp.line);
            fputs("</td><td>", f);
            html_str(f, fp.expected);
            fputs("</td><td>", f);
            html_str(f, fp.got);
            fputs("</td></tr>\n", f);
        }
        if (r->nfailures)
            fputs("</table>\n", f);
        if (r->rerun) {
            fputs("<p><b>rerun:</b> <code>", f);
            html_str(f, r->rerun);
            fputs("</code></p>\n", f);
        }
        if (r->trace) {
            fputs("<details><summary>trace</summary><pre>", f);
            html_str(f, r->trace);
            fputs("</pre></details>\n", f);
        }
    }
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

int report_write(const struct run_info *ri, const struct result *res, int n)
{
    static const struct {
        const char *file;
        void (*write)(FILE *, const struct run_info *, const struct result *, int);
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
