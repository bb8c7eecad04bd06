/*
 * report.c - the tables: one row per loop, one column per figure, the
 * median of the rounds with its ratio to the floor in parentheses.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

#define CELL 21

struct column {
    char head[48];
    const char *fig;
    long n;
};

/* A magnitude in the unit a reader expects for it; signed, since a
 * differential figure can come out just below zero. */
static void fmt_value(const char *unit, double v, char *buf, size_t len)
{
    const char *sign = v < 0 ? "-" : "";
    double a = fabs(v);

    if (isnan(v))
        snprintf(buf, len, "n/a");
    else if (!strcmp(unit, "ns"))
        snprintf(buf, len, a < 1e3 ? "%s%.0f ns" : a < 1e6 ? "%s%.2f us" :
                 a < 1e9 ? "%s%.2f ms" : "%s%.2f s", sign,
                 a < 1e3 ? a : a < 1e6 ? a / 1e3 : a < 1e9 ? a / 1e6 : a / 1e9);
    else if (!strcmp(unit, "Ir"))
        snprintf(buf, len, a < 1e4 ? "%s%.0f" : a < 1e6 ? "%s%.1fk" : "%s%.2fM", sign,
                 a < 1e4 ? a : a < 1e6 ? a / 1e3 : a / 1e6);
    else if (!strcmp(unit, "bytes"))
        snprintf(buf, len, a < 1024 ? "%s%.0f B" : a < 1048576 ? "%s%.1f KiB" : "%s%.1f MiB",
                 sign, a < 1024 ? a : a < 1048576 ? a / 1024 : a / 1048576);
    else if (!strcmp(unit, "iterations"))
        snprintf(buf, len, "%.2f", v);
    else
        snprintf(buf, len, "%.0f", v);
}

/* 1000 -> "1k": the scales of B read better that way. */
static void fmt_n(long n, char *buf, size_t len)
{
    if (n >= 1000 && n % 1000 == 0)
        snprintf(buf, len, "%ldk", n / 1000);
    else
        snprintf(buf, len, "%ld", n);
}

static int label_width(const struct bench_run *run)
{
    int w = 10;

    for (int i = 0; i < run->nimpls; i++)
        if (run->impls[i].ok && (int)strlen(run->impls[i].label) > w)
            w = (int)strlen(run->impls[i].label);
    return w;
}

static void cell(const struct bench_run *run, int impl, const struct column *c,
                 char *buf, size_t len)
{
    const struct bench_figure *fig = bench_figure_find(c->fig);
    double v = bench_results_median(&run->results, impl, c->fig, c->n);
    double ratio = bench_results_ratio(&run->results, impl, c->fig, c->n);
    char val[48];

    fmt_value(fig->unit, v, val, sizeof(val));
    if (isnan(v) && bench_results_failed(&run->results, impl, fig, c->n))
        snprintf(buf, len, "FAILED");
    else if (impl == 0 || isnan(ratio) || isnan(v))
        snprintf(buf, len, "%s", val);
    else
        snprintf(buf, len, "%s (%.2fx)", val, ratio);
}

static void table(const struct bench_run *run, FILE *out, const char *title,
                  const struct column *cols, int ncols)
{
    int w = label_width(run);
    char buf[64];

    fprintf(out, "\n  %s\n  %-*s", title, w, "");
    for (int c = 0; c < ncols; c++)
        fprintf(out, "  %-*s", CELL, cols[c].head);
    fputc('\n', out);
    for (int i = 0; i < run->nimpls; i++) {
        if (!run->impls[i].ok)
            continue;
        fprintf(out, "  %-*s", w, run->impls[i].label);
        for (int c = 0; c < ncols; c++) {
            cell(run, i, &cols[c], buf, sizeof(buf));
            fprintf(out, "  %-*s", CELL, buf);
        }
        fputc('\n', out);
    }
}

static void section_a(const struct bench_run *run, FILE *out)
{
    static const char *const figs[] = { "time", "iters_per_event", "instructions" };
    static const char *const titles[] = {
        "time per iteration (wall clock)",
        "loop iterations per fd event (run_once calls / callbacks; 1.00 is right)",
        "user-space instructions per iteration (callgrind Ir)",
    };
    struct column cols[BENCH_MAX_SIZES];
    int n = run->opts.nsizes;

    fprintf(out, "\n== A. one ready fd per iteration among N watched eventfds (READABLE)\n");
    for (int f = 0; f < 3; f++) {
        if (f == 2 && !run->callgrind) {
            fprintf(out, "\n  %s: n/a (%s)\n", titles[f], run->callgrind_why);
            continue;
        }
        for (int i = 0; i < n; i++) {
            snprintf(cols[i].head, sizeof(cols[i].head), "N=%ld", run->opts.sizes[i]);
            cols[i].fig = figs[f];
            cols[i].n = run->opts.sizes[i];
        }
        table(run, out, titles[f], cols, n);
    }
}

static void scale_columns(long t, const char *fig, struct column *cols, int *n)
{
    long scales[3] = { t / 100, t / 10, t };

    *n = 0;
    for (int i = 0; i < 3; i++) {
        char nb[24];
        if (scales[i] < 1)
            continue;
        fmt_n(scales[i], nb, sizeof(nb));
        snprintf(cols[*n].head, sizeof(cols[*n].head), "at %s timers", nb);
        cols[*n].fig = fig;
        cols[(*n)++].n = scales[i];
    }
}

static void section_b(const struct bench_run *run, FILE *out)
{
    long t = run->opts.timers;
    struct column cols[8];
    char nb[24];
    int n;

    fmt_n(t, nb, sizeof(nb));
    fprintf(out, "\n== B. timers: one ready eventfd per iteration, idle timers armed at 1 h\n");
    cols[0] = (struct column){ "0 timers", "iter", 0 };
    cols[1] = (struct column){ "", "iter", t };
    snprintf(cols[1].head, sizeof(cols[1].head), "%s idle timers", nb);
    cols[2] = (struct column){ "", "iter_after_churn", t };
    snprintf(cols[2].head, sizeof(cols[2].head), "after %s churn", nb);
    table(run, out, "iteration cost", cols, 3);

    scale_columns(t, "update", cols, &n);
    table(run, out, "one virEventUpdateTimeout (+ the loop's deferred work; CPU time)", cols, n);
    scale_columns(t, "remove", cols, &n);
    table(run, out, "one virEventRemoveTimeout (+ the loop's reclaim work; CPU time)", cols, n);

    cols[0] = (struct column){ "in-use before", "inuse_base", t };
    cols[1] = (struct column){ "in-use at peak", "inuse_peak", t };
    cols[2] = (struct column){ "in-use after", "inuse_after", t };
    cols[3] = (struct column){ "retained", "inuse_retained", t };
    table(run, out, "malloc in use around the churn (uordblks + hblkhd; retained = after - before)",
          cols, 4);
    cols[0] = (struct column){ "RSS before", "rss_base", t };
    cols[1] = (struct column){ "RSS at peak", "rss_peak", t };
    cols[2] = (struct column){ "RSS after", "rss_after", t };
    cols[3] = (struct column){ "free callbacks run", "frees", t };
    table(run, out, "resident set around the churn", cols, 4);
    cols[0] = (struct column){ "per add", "churn_add", t };
    cols[1] = (struct column){ "per remove", "churn_remove", t };
    table(run, out, "churn cost (CPU time; remove includes draining the loop)", cols, 2);
}

static void section_c(const struct bench_run *run, FILE *out)
{
    struct column cols[2] = {
        { "median", "wake_median", 0 },
        { "90th percentile", "wake_p90", 0 },
    };

    fprintf(out, "\n== C. cross-thread wake-up of a blocked loop (virEventUpdateTimeout(t, 0)"
                 " -> callback)\n");
    table(run, out, "latency", cols, 2);
}

static void impls(const struct bench_run *run, FILE *out)
{
    fprintf(out, "evconf-bench: %d round%s, medians; (x) = ratio to the floor\n",
            run->opts.rounds, run->opts.rounds == 1 ? "" : "s");
    for (int i = 0; i < run->nimpls; i++) {
        const struct bench_impl *m = &run->impls[i];
        if (m->ok)
            fprintf(out, "  %-16s %s%s%s%s\n", m->label, m->name, i ? " [" : "",
                    i ? m->path : "", i ? "]" : "");
        else
            fprintf(out, "  %-16s NOT RUN: %s\n", m->label, m->error);
    }
}

void bench_report(const struct bench_run *run, FILE *out)
{
    struct bench_goal goals[BENCH_MAX_GOALS];
    int ngoals;

    impls(run, out);
    if (run->opts.section[0])
        section_a(run, out);
    if (run->opts.section[1])
        section_b(run, out);
    if (run->opts.section[2])
        section_c(run, out);
    ngoals = bench_goals(run, goals);
    if (ngoals) {
        fprintf(out, "\n== goals for reference\n");
        bench_goals_print(goals, ngoals, out);
    }
    if (run->results.nfail) {
        fprintf(out, "\n== failed measurements\n");
        for (size_t f = 0; f < run->results.nfail; f++) {
            const struct bench_failure *x = &run->results.fail[f];
            fprintf(out, "  %s %s n=%ld round %d: %s\n", run->impls[x->impl].label,
                    bench_kind_name(x->kind), x->n, x->round, x->reason);
        }
    }
}
