/*
 * results.c - every figure of every round, and the failures.
 *
 * A series is one (implementation, figure, n) with one value per round
 * that produced it; reports use its median, so one disturbed round moves
 * nothing.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static const struct bench_figure figures[] = {
    { "time", 'A', "ns", BENCH_A_TIME },
    { "iters_per_event", 'A', "iterations", BENCH_A_TIME },
    { "instructions", 'A', "Ir", BENCH_A_INSTR },
    { "iter", 'B', "ns", BENCH_B_ITER },
    { "update", 'B', "ns", BENCH_B_UPDATE },
    { "remove", 'B', "ns", BENCH_B_REMOVE },
    { "iter_after_churn", 'B', "ns", BENCH_B_CHURN },
    { "churn_add", 'B', "ns", BENCH_B_CHURN },
    { "churn_remove", 'B', "ns", BENCH_B_CHURN },
    { "rss_base", 'B', "bytes", BENCH_B_CHURN },
    { "rss_peak", 'B', "bytes", BENCH_B_CHURN },
    { "rss_after", 'B', "bytes", BENCH_B_CHURN },
    { "inuse_base", 'B', "bytes", BENCH_B_CHURN },
    { "inuse_peak", 'B', "bytes", BENCH_B_CHURN },
    { "inuse_after", 'B', "bytes", BENCH_B_CHURN },
    { "inuse_retained", 'B', "bytes", BENCH_B_CHURN },
    { "uordblks_retained", 'B', "bytes", BENCH_B_CHURN },
    { "frees", 'B', "calls", BENCH_B_CHURN },
    { "wake_median", 'C', "ns", BENCH_C_WAKE },
    { "wake_p90", 'C', "ns", BENCH_C_WAKE },
};

/* Did the child that measures this figure fail for impl at n? */
bool bench_results_failed(const struct bench_results *r, int impl,
                          const struct bench_figure *fig, long n)
{
    for (size_t i = 0; i < r->nfail; i++)
        if (r->fail[i].impl == impl && r->fail[i].kind == fig->kind && r->fail[i].n == n)
            return true;
    return false;
}

const struct bench_figure *bench_figure_find(const char *name)
{
    for (size_t i = 0; i < sizeof(figures) / sizeof(*figures); i++)
        if (!strcmp(figures[i].name, name))
            return &figures[i];
    return NULL;
}

static struct bench_series *find(const struct bench_results *r, int impl,
                                 const char *fig, long n)
{
    for (size_t i = 0; i < r->len; i++)
        if (r->series[i].impl == impl && r->series[i].n == n &&
            !strcmp(r->series[i].fig->name, fig))
            return &r->series[i];
    return NULL;
}

void bench_results_add(struct bench_results *r, int impl,
                       const struct bench_figure *fig, long n, double v)
{
    struct bench_series *s = find(r, impl, fig->name, n);

    if (!s) {
        if (r->len == r->cap) {
            r->cap = r->cap ? r->cap * 2 : 64;
            r->series = realloc(r->series, r->cap * sizeof(*r->series));
            if (!r->series)
                abort();
        }
        s = &r->series[r->len++];
        *s = (struct bench_series){ .impl = impl, .fig = fig, .n = n };
    }
    if (s->nv < BENCH_MAX_ROUNDS)
        s->v[s->nv++] = v;
}

void bench_results_fail(struct bench_results *r, int impl, enum bench_kind kind,
                        long n, int round, const char *reason)
{
    struct bench_failure *f;

    if (r->nfail == r->failcap) {
        r->failcap = r->failcap ? r->failcap * 2 : 16;
        r->fail = realloc(r->fail, r->failcap * sizeof(*r->fail));
        if (!r->fail)
            abort();
    }
    f = &r->fail[r->nfail++];
    *f = (struct bench_failure){ .impl = impl, .kind = kind, .n = n, .round = round };
    snprintf(f->reason, sizeof(f->reason), "%s", reason);
}

const struct bench_series *bench_results_find(const struct bench_results *r,
                                              int impl, const char *fig, long n)
{
    return find(r, impl, fig, n);
}

/* NAN when no round produced the figure. */
double bench_results_median(const struct bench_results *r, int impl,
                            const char *fig, long n)
{
    const struct bench_series *s = find(r, impl, fig, n);
    double v[BENCH_MAX_ROUNDS];

    if (!s || !s->nv)
        return NAN;
    memcpy(v, s->v, (size_t)s->nv * sizeof(*v));
    return bench_median(v, (size_t)s->nv);
}

/* impl / floor of the medians; NAN where the floor's figure is missing or
 * not positive (a ratio to nothing means nothing). */
double bench_results_ratio(const struct bench_results *r, int impl,
                           const char *fig, long n)
{
    double v = bench_results_median(r, impl, fig, n);
    double f = bench_results_median(r, 0, fig, n);

    if (isnan(v) || isnan(f) || f <= 0)
        return NAN;
    return v / f;
}

void bench_results_free(struct bench_results *r)
{
    free(r->series);
    free(r->fail);
    *r = (struct bench_results){0};
}
