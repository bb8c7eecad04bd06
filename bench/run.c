/*
 * run.c - the plan: resolve and probe the implementations, then run every
 * measurement, round after round, floor first and the implementations in
 * the order given, so that a drift of the machine spreads over all of them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define PROBE_TIMEOUT_S 30
#define CALLGRIND_SLOWDOWN 5
#define MAX_JOBS 64

struct job {
    enum bench_kind kind;
    long n;
};

/* Built-in names are found in the build directory, as the conformance
 * runner finds them; the reference's shim moves to adapters/, so either
 * place will do. */
static void resolve(const struct bench_run *run, const char *label, char *out, size_t len)
{
    static const struct { const char *name, *file, *fallback; } builtin[] = {
        { "reference", "adapters/libevconf-reference.so", "libevref.so" },
        { "libvirt-default", "adapters/libevconf-libvirt-default.so", NULL },
        { "libvirt-glib", "adapters/libevconf-libvirt-glib.so", NULL },
        { "libuv", "integrations/libevconf-libuv.so", NULL },
        { "libevent", "integrations/libevconf-libevent.so", NULL },
        { "sd-event", "integrations/libevconf-sd-event.so", NULL },
    };

    for (size_t i = 0; i < sizeof(builtin) / sizeof(*builtin); i++) {
        if (strcmp(label, builtin[i].name))
            continue;
        if (snprintf(out, len, "%s/%s", run->build_dir, builtin[i].file) >= (int)len)
            break;
        if (builtin[i].fallback && access(out, F_OK) != 0 &&
            snprintf(out, len, "%s/%s", run->build_dir, builtin[i].fallback) >= (int)len)
            break;
        return;
    }
    /* dlopen() would search the library path for a bare file name */
    snprintf(out, len, "%s%s", strchr(label, '/') ? "" : "./", label);
}

static int build_argv(const struct bench_run *run, const struct bench_impl *impl,
                      const struct job *job, const char *cgout, char **argv,
                      char *cgarg, size_t cglen, char *nbuf, size_t nlen)
{
    int a = 0;

    if (job->kind == BENCH_A_INSTR) {
        if (snprintf(cgarg, cglen, "--callgrind-out-file=%s", cgout) >= (int)cglen)
            return -1;
        argv[a++] = (char *)run->valgrind;
        argv[a++] = "--tool=callgrind";
        argv[a++] = "-q";
        argv[a++] = "--instr-atstart=no";
        argv[a++] = "--collect-atstart=no";
        argv[a++] = cgarg;
    }
    snprintf(nbuf, nlen, "%ld", job->n);
    argv[a++] = (char *)run->self;
    argv[a++] = "--child";
    argv[a++] = (char *)bench_kind_name(job->kind);
    argv[a++] = "--child-impl";
    argv[a++] = (char *)impl->path;
    argv[a++] = "--n";
    argv[a++] = nbuf;
    if (run->opts.quick)
        argv[a++] = "--quick";
    argv[a] = NULL;
    return a;
}

/* The callgrind child reported its step count; the out file holds the
 * instructions of exactly those steps. */
static int add_instructions(struct bench_run *run, int i, const struct job *job,
                            const struct bench_child *c, const char *cgout, char *why,
                            size_t whylen)
{
    double ir, iters = 0;

    for (int f = 0; f < c->nfigs; f++)
        if (!strcmp(c->figs[f].fig, "callgrind_iters"))
            iters = c->figs[f].v;
    if (bench_callgrind_total(cgout, &ir) < 0 || iters <= 0) {
        snprintf(why, whylen, "callgrind wrote no totals");
        return -1;
    }
    unlink(cgout);
    bench_results_add(&run->results, i, bench_figure_find("instructions"), job->n,
                      ir / iters);
    return 0;
}

/* One child: run it, file its figures, or file why there are none. */
static void run_job(struct bench_run *run, int i, const struct job *job, int round)
{
    struct bench_impl *impl = &run->impls[i];
    char *argv[24], cgarg[4400], nbuf[32], cgout[4200];
    struct bench_child c;
    int timeout = run->opts.timeout_s * (job->kind == BENCH_A_INSTR ? CALLGRIND_SLOWDOWN : 1);

    snprintf(cgout, sizeof(cgout), "%s/callgrind.out.%d", run->tmpdir, run->children);
    run->children++;
    if (build_argv(run, impl, job, cgout, argv, cgarg, sizeof(cgarg), nbuf, sizeof(nbuf)) < 0) {
        memset(&c, 0, sizeof(c));
        snprintf(c.reason, sizeof(c.reason), "temporary path too long");
    } else if (bench_spawn(argv, timeout, &c) == 0) {
        char why[300] = "";
        if (job->kind != BENCH_A_INSTR ||
            add_instructions(run, i, job, &c, cgout, why, sizeof(why)) == 0) {
            for (int f = 0; f < c.nfigs; f++) {
                const struct bench_figure *fig = bench_figure_find(c.figs[f].fig);
                if (fig)
                    bench_results_add(&run->results, i, fig, c.figs[f].n, c.figs[f].v);
            }
            return;
        }
        snprintf(c.reason, sizeof(c.reason), "%s", why);
    }
    unlink(cgout);
    fprintf(stderr, "bench: %s: %s n=%ld, round %d: %s\n", impl->label,
            bench_kind_name(job->kind), job->n, round, c.reason);
    bench_results_fail(&run->results, i, job->kind, job->n, round, c.reason);
}

/* A missing or broken implementation is named on one line and left out;
 * the others go on. */
static void probe(struct bench_run *run, struct bench_impl *impl)
{
    char *argv[] = { run->self, "--child", "probe", "--child-impl", impl->path, NULL };
    struct bench_child c;

    run->children++;
    if (bench_spawn(argv, PROBE_TIMEOUT_S, &c) == 0) {
        impl->ok = true;
        snprintf(impl->name, sizeof(impl->name), "%s", c.name[0] ? c.name : impl->label);
        return;
    }
    snprintf(impl->error, sizeof(impl->error), "%s", c.reason);
    fprintf(stderr, "bench: %s: %s\n", impl->label, c.reason);
}

static int add_job(struct job *jobs, int n, enum bench_kind kind, long size)
{
    for (int i = 0; i < n; i++)
        if (jobs[i].kind == kind && jobs[i].n == size)
            return n;
    if (n < MAX_JOBS)
        jobs[n++] = (struct job){ kind, size };
    return n;
}

static int plan(const struct bench_run *run, struct job *jobs)
{
    const struct bench_opts *o = &run->opts;
    long t = o->timers, scales[3] = { t / 100, t / 10, t };
    int n = 0;

    if (o->section[0])
        for (int i = 0; i < o->nsizes; i++) {
            n = add_job(jobs, n, BENCH_A_TIME, o->sizes[i]);
            if (run->callgrind)
                n = add_job(jobs, n, BENCH_A_INSTR, o->sizes[i]);
        }
    if (o->section[1]) {
        n = add_job(jobs, n, BENCH_B_ITER, 0);
        n = add_job(jobs, n, BENCH_B_ITER, t);
        for (int k = BENCH_B_UPDATE; k <= BENCH_B_REMOVE; k++)
            for (int i = 0; i < 3; i++)
                if (scales[i] > 0)
                    n = add_job(jobs, n, (enum bench_kind)k, scales[i]);
        n = add_job(jobs, n, BENCH_B_CHURN, t);
    }
    if (o->section[2])
        n = add_job(jobs, n, BENCH_C_WAKE, 0);
    return n;
}

/* Returns the number of failures: implementations left out plus children
 * that crashed, hung or gave up. */
int bench_run_all(struct bench_run *run)
{
    struct job jobs[MAX_JOBS];
    int njobs, bad = 0;
    int64_t start = bench_now_ns();

    run->impls[0] = (struct bench_impl){ .label = BENCH_FLOOR, .ok = true };
    snprintf(run->impls[0].path, sizeof(run->impls[0].path), "%s", BENCH_FLOOR);
    snprintf(run->impls[0].name, sizeof(run->impls[0].name), "bare poll(2) loop");
    run->nimpls = 1;
    for (int i = 0; i < run->opts.nimpls; i++) {
        struct bench_impl *impl = &run->impls[run->nimpls++];
        *impl = (struct bench_impl){ .label = run->opts.impls[i] };
        resolve(run, impl->label, impl->path, sizeof(impl->path));
        probe(run, impl);
        bad += !impl->ok;
    }
    njobs = plan(run, jobs);
    for (int round = 1; round <= run->opts.rounds; round++) {
        fprintf(stderr, "bench: round %d/%d (%d measurements x %d loops)\n", round,
                run->opts.rounds, njobs, run->nimpls);
        for (int j = 0; j < njobs; j++)
            for (int i = 0; i < run->nimpls; i++)
                if (run->impls[i].ok)
                    run_job(run, i, &jobs[j], round);
    }
    run->seconds = (double)(bench_now_ns() - start) / 1e9;
    return bad + (int)run->results.nfail;
}
