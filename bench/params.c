/*
 * params.c - the measurement kinds and how long each measures.
 *
 * Parent and child both read these: the parent to name a child's job, the
 * child to size its work.
 */
#include <string.h>

#include "bench.h"

static const struct { const char *name; char section; } kinds[BENCH_NKINDS] = {
    [BENCH_PROBE]    = { "probe", '-' },
    [BENCH_A_TIME]   = { "a-time", 'A' },
    [BENCH_A_INSTR]  = { "a-instr", 'A' },
    [BENCH_B_ITER]   = { "b-iter", 'B' },
    [BENCH_B_UPDATE] = { "b-update", 'B' },
    [BENCH_B_REMOVE] = { "b-remove", 'B' },
    [BENCH_B_CHURN]  = { "b-churn", 'B' },
    [BENCH_C_WAKE]   = { "c-wake", 'C' },
};

const char *bench_kind_name(enum bench_kind kind)
{
    return kinds[kind].name;
}

char bench_kind_section(enum bench_kind kind)
{
    return kinds[kind].section;
}

int bench_kind_parse(const char *name)
{
    for (int k = 0; k < BENCH_NKINDS; k++)
        if (!strcmp(name, kinds[k].name))
            return k;
    return -1;
}

/* A timing sample of 0.2 s is long enough to average out the scheduler and
 * short enough for 5 rounds of everything in a few minutes; --quick is for
 * smoke runs that only prove every path works. */
void bench_params_init(struct bench_params *p, bool quick)
{
    p->sample_ns = quick ? 10000000 : 200000000;
    p->diff_ns = quick ? 10000000 : 300000000;
    p->callgrind_warmup = quick ? 10 : 50;
    p->callgrind_iters = quick ? 20 : 200;
    p->wake_warmup = quick ? 10 : 50;
    p->wake_samples = quick ? 100 : 2000;
    p->wake_pause_ns = 100000;
}

/* Instructions are counted exactly, so fewer steps do at large N, where
 * a glib loop's step is a million instructions under a 50x slowdown. */
long bench_callgrind_iters(const struct bench_params *p, long n)
{
    long iters = p->callgrind_iters;

    if (n > 1000)
        iters = iters * 1000 / n;
    return iters < 20 ? 20 : iters;
}
