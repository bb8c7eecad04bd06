/*
 * report.c - results as TAP, JUnit XML and JSON in the report directory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "results.h"

const char *outcome_name(enum outcome o)
{
    static const char *const names[] = { "pass", "warn", "fail", "error", "skip" };
    return names[o];
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void xml_str(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '&')
            fputs("&amp;", f);
        else if (c == '<')
            fputs("&lt;", f);
        else if (c == '>')
            fputs("&gt;", f);
        else if (c == '"')
            fputs("&quot;", f);
        else if (c < 0x20 && c != '\n' && c != '\t')
            fputc(' ', f);
        else
            fputc(c, f);
    }
}

static const char *title(const struct result *r)
{
    return r->sc ? r->sc->title : "(did not parse)";
}

static void write_tap(FILE *f, const struct run_info *ri, const struct result *res, int n)
{
    fprintf(f, "TAP version 13\n1..%d\n# impl: %s\n# seed: %llu\n", n,
            ri->impl_name, (unsigned long long)ri->seed);
    for (int i = 0; i < n; i++) {
        const struct result *r = &res[i];
        bool bad = r->outcome == OUT_FAIL || r->outcome == OUT_ERROR;
        fprintf(f, "%s %d - %s %s%s%s\n", bad ? "not ok" : "ok", i + 1, r->id,
                title(r), r->outcome == OUT_SKIP ? " # SKIP " : "",
                r->outcome == OUT_SKIP && r->error ? r->error : "");
        if ((r->outcome == OUT_PASS && r->nfailures == 0) || r->outcome == OUT_SKIP)
            continue;
        fprintf(f, "  ---\n  outcome: %s\n", outcome_name(r->outcome));
        if (r->error)
            fprintf(f, "  error: '%s'\n", r->error);
        for (int k = 0; k < r->nfailures; k++)
            fprintf(f, "  - '%s %s: %s'\n", level_name(r->failures[k].level),
                    r->failures[k].rules, r->failures[k].message);
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
        fputs("<testcase classname=\"evconf.", f);
        xml_str(f, r->sc ? r->sc->rules : "parse");
        fputs("\" name=\"", f);
        xml_str(f, r->id);
        fprintf(f, "\" time=\"%.3f\">\n", r->ms / 1e3);
        if (r->outcome == OUT_SKIP)
            fputs("<skipped/>\n", f);
        if (r->outcome == OUT_FAIL || r->outcome == OUT_ERROR) {
            fprintf(f, "<%s message=\"", r->outcome == OUT_FAIL ? "failure" : "error");
            xml_str(f, r->error ? r->error : r->nfailures ? r->failures[0].message : "");
            fputs("\">", f);
            for (int k = 0; k < r->nfailures; k++) {
                fprintf(f, "%s %s: ", level_name(r->failures[k].level), r->failures[k].rules);
                xml_str(f, r->failures[k].message);
                fputc('\n', f);
            }
            fprintf(f, "</%s>\n", r->outcome == OUT_FAIL ? "failure" : "error");
        }
        if (r->outcome != OUT_PASS && r->outcome != OUT_SKIP) {
            fputs("<system-out>", f);
            if (r->outcome == OUT_WARN)
                for (int k = 0; k < r->nfailures; k++) {
                    fprintf(f, "warning %s: ", r->failures[k].rules);
                    xml_str(f, r->failures[k].message);
                    fputc('\n', f);
                }
            xml_str(f, r->trace);
            fputs("</system-out>\n", f);
        }
        fputs("</testcase>\n", f);
    }
    fputs("</testsuite>\n</testsuites>\n", f);
}

static void write_json(FILE *f, const struct run_info *ri, const struct result *res, int n)
{
    int count[5] = {0};

    for (int i = 0; i < n; i++)
        count[res[i].outcome]++;
    fputs("{\n  \"impl\": ", f);
    json_str(f, ri->impl_name);
    fputs(",\n  \"impl_path\": ", f);
    json_str(f, ri->impl);
    fprintf(f, ",\n  \"seed\": %llu,\n  \"strict\": %s,\n", (unsigned long long)ri->seed,
            ri->strict ? "true" : "false");
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
        json_str(f, r->sc ? r->sc->rules : "");
        fputs(", \"level\": ", f);
        json_str(f, r->sc ? level_name(r->sc->level) : "");
        fputs(", \"outcome\": ", f);
        json_str(f, outcome_name(r->outcome));
        fprintf(f, ", \"ms\": %.3f", r->ms);
        if (r->error) {
            fputs(", \"error\": ", f);
            json_str(f, r->error);
        }
        fputs(", \"failures\": [", f);
        for (int k = 0; k < r->nfailures; k++) {
            fprintf(f, "%s{\"level\": \"%s\", \"rules\": ", k ? ", " : "",
                    level_name(r->failures[k].level));
            json_str(f, r->failures[k].rules);
            fputs(", \"message\": ", f);
            json_str(f, r->failures[k].message);
            fputc('}', f);
        }
        fputc(']', f);
        if (r->outcome != OUT_PASS && r->trace) {
            fputs(", \"trace\": ", f);
            json_str(f, r->trace);
        }
        fprintf(f, "}%s\n", i + 1 < n ? "," : "");
    }
    fputs("  ]\n}\n", f);
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

int write_reports(const struct run_info *ri, const struct result *res, int n)
{
    static const struct {
        const char *file;
        void (*write)(FILE *, const struct run_info *, const struct result *, int);
    } kinds[] = {
        { "results.tap", write_tap }, { "junit.xml", write_junit },
        { "results.json", write_json },
    };
    char path[4096];

    if (report_mkdirs(ri->report_dir) < 0) {
        fprintf(stderr, "evconf-run: cannot create report directory %s: %s\n",
                ri->report_dir, strerror(errno));
        return -1;
    }
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        FILE *f;
        snprintf(path, sizeof(path), "%s/%s", ri->report_dir, kinds[k].file);
        f = fopen(path, "w");
        if (!f) {
            fprintf(stderr, "evconf-run: cannot write %s: %s\n", path, strerror(errno));
            return -1;
        }
        kinds[k].write(f, ri, res, n);
        fclose(f);
    }
    return 0;
}
