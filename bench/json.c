/*
 * json.c - the results as JSON, for tools and for comparing runs:
 *
 *   {"schema":1, "machine":{...}, "rounds":K, "impls":[...],
 *    "results":[{"impl","section","figure","n","value","unit","floor_ratio",
 *                "rounds_values"}],
 *    "goals":[{"impl","goal","value","limit","unit","status"}],
 *    "failures":[{"impl","measurement","n","round","reason"}]}
 *
 * "value" is the median over rounds; a missing number is null.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"

static void jstr(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void jnum(FILE *f, double v)
{
    if (isnan(v) || isinf(v))
        fputs("null", f);
    else
        fprintf(f, "%.6g", v);
}

static void cpu_model(char *buf, size_t len)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];

    snprintf(buf, len, "unknown");
    if (!f)
        return;
    while (fgets(line, sizeof(line), f)) {
        char *colon = strchr(line, ':');
        if (!strncmp(line, "model name", 10) && colon) {
            snprintf(buf, len, "%s", colon + 2);
            buf[strcspn(buf, "\n")] = '\0';
            break;
        }
    }
    fclose(f);
}

static void machine(FILE *f)
{
    struct utsname u;
    unsigned long ver = 0;
    char cpu[256], lv[32];

    cpu_model(cpu, sizeof(cpu));
    uname(&u);
    if (virGetVersion(&ver, NULL, NULL) < 0)
        ver = 0;
    snprintf(lv, sizeof(lv), "%lu.%lu.%lu", ver / 1000000, ver / 1000 % 1000, ver % 1000);
    fputs("{\"cpu\":", f);
    jstr(f, cpu);
    fprintf(f, ",\"cores\":%ld,\"kernel\":", sysconf(_SC_NPROCESSORS_ONLN));
    jstr(f, u.release);
    fputs(",\"arch\":", f);
    jstr(f, u.machine);
    fputs(",\"libvirt\":", f);
    jstr(f, lv);
    fputc('}', f);
}

static void impls(const struct bench_run *run, FILE *f)
{
    for (int i = 0; i < run->nimpls; i++) {
        const struct bench_impl *m = &run->impls[i];
        fputs(i ? ",\n  {\"impl\":" : "\n  {\"impl\":", f);
        jstr(f, m->label);
        fputs(",\"path\":", f);
        jstr(f, m->path);
        fputs(",\"name\":", f);
        jstr(f, m->name);
        fputs(",\"error\":", f);
        if (m->ok)
            fputs("null", f);
        else
            jstr(f, m->error);
        fputc('}', f);
    }
}

static void results(const struct bench_run *run, FILE *f)
{
    const struct bench_results *r = &run->results;

    for (size_t i = 0; i < r->len; i++) {
        const struct bench_series *s = &r->series[i];
        char sec[2] = { s->fig->section, '\0' };
        fputs(i ? ",\n  {\"impl\":" : "\n  {\"impl\":", f);
        jstr(f, run->impls[s->impl].label);
        fputs(",\"section\":", f);
        jstr(f, sec);
        fputs(",\"figure\":", f);
        jstr(f, s->fig->name);
        fprintf(f, ",\"n\":%ld,\"value\":", s->n);
        jnum(f, bench_results_median(r, s->impl, s->fig->name, s->n));
        fputs(",\"unit\":", f);
        jstr(f, s->fig->unit);
        fputs(",\"floor_ratio\":", f);
        jnum(f, s->impl ? bench_results_ratio(r, s->impl, s->fig->name, s->n) : 1.0);
        fputs(",\"rounds_values\":[", f);
        for (int k = 0; k < s->nv; k++) {
            if (k)
                fputc(',', f);
            jnum(f, s->v[k]);
        }
        fputs("]}", f);
    }
}

static void goals(const struct bench_run *run, FILE *f)
{
    static const char *const status[] = { "n/a", "PASS", "MISS" };
    struct bench_goal g[BENCH_MAX_GOALS];
    int n = bench_goals(run, g);

    for (int i = 0; i < n; i++) {
        fputs(i ? ",\n  {\"impl\":\"reference\",\"goal\":" : "\n  {\"impl\":\"reference\",\"goal\":", f);
        jstr(f, g[i].text);
        fputs(",\"value\":", f);
        jnum(f, g[i].value);
        fputs(",\"limit\":", f);
        jnum(f, g[i].limit);
        fputs(",\"unit\":", f);
        jstr(f, g[i].unit);
        fputs(",\"status\":", f);
        jstr(f, status[g[i].status]);
        fputc('}', f);
    }
}

static void failures(const struct bench_run *run, FILE *f)
{
    for (size_t i = 0; i < run->results.nfail; i++) {
        const struct bench_failure *x = &run->results.fail[i];
        fputs(i ? ",\n  {\"impl\":" : "\n  {\"impl\":", f);
        jstr(f, run->impls[x->impl].label);
        fputs(",\"measurement\":", f);
        jstr(f, bench_kind_name(x->kind));
        fprintf(f, ",\"n\":%ld,\"round\":%d,\"reason\":", x->n, x->round);
        jstr(f, x->reason);
        fputc('}', f);
    }
}

int bench_json_write(const struct bench_run *run, const char *file)
{
    FILE *f = fopen(file, "w");

    if (!f)
        return -1;
    fputs("{\"schema\":1,\n\"machine\":", f);
    machine(f);
    fprintf(f, ",\n\"rounds\":%d,\n\"quick\":%s,\n\"seconds\":%.1f,\n\"impls\":[",
            run->opts.rounds, run->opts.quick ? "true" : "false", run->seconds);
    impls(run, f);
    fputs("],\n\"results\":[", f);
    results(run, f);
    fputs("],\n\"goals\":[", f);
    goals(run, f);
    fputs("],\n\"failures\":[", f);
    failures(run, f);
    fputs("]}\n", f);
    return fclose(f) == 0 ? 0 : -1;
}
