/*
 * fds.c - section A: one ready fd per iteration among N watched.
 */
#include "bench.h"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND 1
#endif
#endif

void bench_fds_time(const struct bench_loop *loop, const struct bench_params *p, long n)
{
    struct bench_ready r;
    double ipe, ns;

    bench_ready_open(&r, loop, n);
    ns = bench_ready_time(&r, p->sample_ns, &ipe);
    bench_emit("time", n, ns);
    bench_emit("iters_per_event", n, ipe);
}

/* Run under valgrind --tool=callgrind --instr-atstart=no
 * --collect-atstart=no: instrumentation starts after setup (adding 10000
 * watches under full instrumentation would take long and is not what is
 * measured), the warm-up runs instrumented but uncounted, and only the
 * measured steps are collected.  The parent divides the Ir total of the
 * out file by the step count reported here. */
void bench_fds_instructions(const struct bench_loop *loop,
                            const struct bench_params *p, long n)
{
#ifdef HAVE_CALLGRIND
    struct bench_ready r;
    long iters = bench_callgrind_iters(p, n);

    if (!RUNNING_ON_VALGRIND)
        bench_die("a-instr runs only under valgrind --tool=callgrind");
    bench_ready_open(&r, loop, n);
    CALLGRIND_START_INSTRUMENTATION;
    for (int i = 0; i < p->callgrind_warmup; i++)
        bench_ready_step(&r);
    CALLGRIND_TOGGLE_COLLECT;
    for (long i = 0; i < iters; i++)
        bench_ready_step(&r);
    CALLGRIND_TOGGLE_COLLECT;
    CALLGRIND_STOP_INSTRUMENTATION;
    bench_emit("callgrind_iters", n, (double)iters);
#else
    (void)loop;
    (void)p;
    (void)n;
    bench_die("built without <valgrind/callgrind.h>");
#endif
}
