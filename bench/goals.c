/*
 * goals.c - what the reference loop aims for, checked against the medians.
 *
 * A missed goal is reported, never fatal: the benchmark measures, the
 * reader decides.  A goal whose figure was not measured (another --only,
 * other --sizes, no valgrind) is "n/a".
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

static int find_reference(const struct bench_run *run)
{
    for (int i = 1; i < run->nimpls; i++)
        if (!strcmp(run->impls[i].label, "reference") && run->impls[i].ok)
            return i;
    return -1;
}

/* value <= limit (or == limit for an exact goal). */
static void goal(struct bench_goal *g, const char *text, double value, double limit,
                 const char *unit, bool exact)
{
    snprintf(g->text, sizeof(g->text), "%s", text);
    g->value = value;
    g->limit = limit;
    g->unit = unit;
    if (isnan(value))
        g->status = BENCH_GOAL_NA;
    else if (exact ? value == limit : value <= limit)
        g->status = BENCH_GOAL_PASS;
    else
        g->status = BENCH_GOAL_MISS;
}

static void goals_a(const struct bench_run *run, int ref, struct bench_goal *g, int *n)
{
    const struct bench_results *r = &run->results;

    goal(&g[(*n)++], "A: time per iteration at N=1000 <= 1.05x floor",
         bench_results_ratio(r, ref, "time", 1000), 1.05, "x", false);
    goal(&g[(*n)++], "A: instructions per iteration at N=1000 <= 2x floor",
         bench_results_ratio(r, ref, "instructions", 1000), 2.0, "x", false);
    goal(&g[(*n)++], "A: loop iterations per fd event at N=1000 == 1",
         bench_results_median(r, ref, "iters_per_event", 1000), 1.0, "", true);
}

static void goals_b(const struct bench_run *run, int ref, struct bench_goal *g, int *n)
{
    const struct bench_results *r = &run->results;
    long t = run->opts.timers;
    double idle = bench_results_median(r, ref, "iter", t);
    double none = bench_results_median(r, ref, "iter", 0);
    double base = bench_results_median(r, ref, "inuse_retained", t);
    char text[160];

    snprintf(text, sizeof(text), "B: iteration with %ld idle timers <= 2 us", t);
    goal(&g[(*n)++], text, idle, 2000, "ns", false);
    snprintf(text, sizeof(text), "B: iteration with %ld idle timers <= 1.5x the 0-timer one", t);
    goal(&g[(*n)++], text, none > 0 ? idle / none : NAN, 1.5, "x", false);
    snprintf(text, sizeof(text), "B: update at %ld timers <= 1 us", t);
    goal(&g[(*n)++], text, bench_results_median(r, ref, "update", t), 1000, "ns", false);
    snprintf(text, sizeof(text), "B: remove at %ld timers <= 1 us", t);
    goal(&g[(*n)++], text, bench_results_median(r, ref, "remove", t), 1000, "ns", false);
    snprintf(text, sizeof(text), "B: malloc in use after %ld-timer churn within 64 KiB of baseline", t);
    goal(&g[(*n)++], text, fabs(base), 65536, "bytes", false);
}

/* Fills g, returns how many; none without a reference among the loops. */
int bench_goals(const struct bench_run *run, struct bench_goal *g)
{
    int ref = find_reference(run), n = 0;

    if (ref < 0)
        return 0;
    if (run->opts.section[0])
        goals_a(run, ref, g, &n);
    if (run->opts.section[1])
        goals_b(run, ref, g, &n);
    if (run->opts.section[2])
        goal(&g[n++], "C: wake-up latency <= 1.2x floor",
             bench_results_ratio(&run->results, ref, "wake_median", 0), 1.2, "x", false);
    return n;
}

static void fmt(double v, const char *unit, char *buf, size_t len)
{
    if (isnan(v))
        snprintf(buf, len, "not measured");
    else if (!strcmp(unit, "x"))
        snprintf(buf, len, "%.2fx", v);
    else if (!strcmp(unit, "ns"))
        snprintf(buf, len, "%.0f ns", v);
    else if (!strcmp(unit, "bytes"))
        snprintf(buf, len, "%.1f KiB", v / 1024);
    else
        snprintf(buf, len, "%.2f", v);
}

void bench_goals_print(const struct bench_goal *g, int n, FILE *out)
{
    static const char *const status[] = { "n/a ", "PASS", "MISS" };
    char val[48];

    for (int i = 0; i < n; i++) {
        fmt(g[i].value, g[i].unit, val, sizeof(val));
        fprintf(out, "  %s  %-70s %s\n", status[g[i].status], g[i].text, val);
    }
}
