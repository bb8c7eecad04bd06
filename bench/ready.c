/*
 * ready.c - the unit of work of sections A and B: one fd made ready, the
 * loop iterated until its callback ran.
 *
 * Writing to an eventfd before the iteration keeps the loop from ever
 * blocking, and the callback reads it back, so that each step delivers
 * exactly one event.  Counting run_once() calls against callbacks gives
 * the "loop iterations per fd event" of A exactly.
 */
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bench.h"

/* A loop that needs more iterations than this for one ready fd is broken
 * for this purpose: say so rather than spin. */
#define MAX_RUNS_PER_EVENT 1000

static void on_readable(int watch, int fd, int events, void *opaque)
{
    struct bench_ready *r = opaque;
    uint64_t v;
    ssize_t got = read(fd, &v, sizeof(v));

    /* a spurious callback finds nothing to read, and still counts */
    (void)got;
    (void)watch;
    (void)events;
    r->callbacks++;
}

void bench_ready_open(struct bench_ready *r, const struct bench_loop *loop, long n)
{
    *r = (struct bench_ready){ .loop = loop, .n = n };
    r->fds = bench_xcalloc((size_t)n, sizeof(*r->fds));
    for (long i = 0; i < n; i++) {
        r->fds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (r->fds[i] < 0)
            bench_die("eventfd %ld of %ld: %m", i + 1, n);
        if (loop->add_handle(r->fds[i], VIR_EVENT_HANDLE_READABLE, on_readable,
                             r, NULL) < 0)
            bench_die("virEventAddHandle failed for fd %ld of %ld", i + 1, n);
    }
}

void bench_ready_step(struct bench_ready *r)
{
    static const uint64_t one = 1;
    long before = r->callbacks;
    int fd = r->fds[r->next];

    if (++r->next == r->n)
        r->next = 0;
    if (write(fd, &one, sizeof(one)) != sizeof(one))
        bench_die("write to eventfd: %m");
    for (int i = 0; r->callbacks == before; i++) {
        if (i == MAX_RUNS_PER_EVENT)
            bench_die("a ready fd was not delivered in %d iterations", i);
        if (r->loop->run_once() < 0)
            bench_die("evconf_run_once() failed");
        r->runs++;
    }
}

/* Nanoseconds per step, from batches that double until one takes a tenth
 * of the budget: this is also the warm-up of what follows. */
double bench_ready_estimate(struct bench_ready *r, int64_t budget_ns)
{
    for (long batch = 8;; batch *= 2) {
        int64_t t0 = bench_now_ns(), spent;

        for (long i = 0; i < batch; i++)
            bench_ready_step(r);
        spent = bench_now_ns() - t0;
        if (spent >= budget_ns / 10 || batch >= (1L << 24))
            return (double)spent / (double)batch;
    }
}

/* The count is fixed before the timed run, so that the timed loop reads
 * the clock twice and nothing else of the harness's own. */
double bench_ready_time(struct bench_ready *r, int64_t budget_ns,
                        double *iters_per_event)
{
    double est = bench_ready_estimate(r, budget_ns);
    long iters = (long)((double)budget_ns / (est > 1 ? est : 1));
    long runs0, cb0;
    int64_t t0, t1;

    if (iters < 16)
        iters = 16;
    if (iters > 50000000)
        iters = 50000000;
    runs0 = r->runs;
    cb0 = r->callbacks;
    t0 = bench_now_ns();
    for (long i = 0; i < iters; i++)
        bench_ready_step(r);
    t1 = bench_now_ns();
    if (iters_per_event)
        *iters_per_event = (double)(r->runs - runs0) / (double)(r->callbacks - cb0);
    return (double)(t1 - t0) / (double)iters;
}
