/*
 * timers.c - section B: timers at scale.
 *
 * Every iteration measured here is a "step" (ready.c) with one watched
 * eventfd, so that the loop never blocks however many idle timers it
 * holds; the timers are armed at one hour and never fire.
 *
 * Update and remove are measured differentially, because a loop may defer
 * part of the work (libvirt's GLib loop frees a removed timer from an idle
 * source; the reference unlinks it in its next sweep): the operation plus
 * the next step, against a plain step, pair after pair, and every 1024
 * operations a drain charged to them against a drain charged to the plain
 * steps.  A drain arms a 1 ms timer and iterates until it fired, so that
 * work a loop leaves for an idle moment (lower-priority idle sources in
 * GLib, which a ready fd in every iteration would starve) runs too.  All
 * of it is timed in CPU time of the thread, so the drain's wait costs
 * nothing; the difference of the sums over the operation count is the
 * cost of one.
 */
#include <stdlib.h>

#include "bench.h"

#define IDLE_MS 3600000
#define MAX_DRAIN_RUNS 100000

struct tset {
    const struct bench_loop *loop;
    struct bench_ready ready;
    int *ids;
    long n;
    long *order;                /* a fixed pseudo-random order of ids[] */
    long pos;
    int safety;                 /* disabled except while draining */
    bool safety_fired;
    long fired, freed;
};

static void on_idle_timer(int timer, void *opaque)
{
    (void)timer;
    ((struct tset *)opaque)->fired++;
}

static void on_free(void *opaque)
{
    ((struct tset *)opaque)->freed++;
}

static void on_safety(int timer, void *opaque)
{
    (void)timer;
    ((struct tset *)opaque)->safety_fired = true;
}

/* One watched eventfd, the drain's timer (registered first, so that a loop
 * that searches its timers linearly finds it at once), room for n ids. */
static void tset_open(struct tset *s, const struct bench_loop *loop, long n)
{
    *s = (struct tset){ .loop = loop, .n = n };
    bench_ready_open(&s->ready, loop, 1);
    s->safety = loop->add_timeout(-1, on_safety, s, NULL);
    if (s->safety < 0)
        bench_die("virEventAddTimeout failed");
    s->ids = bench_xcalloc((size_t)(n ? n : 1), sizeof(*s->ids));
}

static int add_idle(struct tset *s, virFreeCallback ff)
{
    int id = s->loop->add_timeout(IDLE_MS, on_idle_timer, s, ff);

    if (id < 0)
        bench_die("virEventAddTimeout failed after %ld timers", s->n);
    return id;
}

static void add_all(struct tset *s, virFreeCallback ff)
{
    for (long i = 0; i < s->n; i++)
        s->ids[i] = add_idle(s, ff);
}

/* A Fisher-Yates shuffle from a fixed seed: the same order in every round
 * and for every loop, spread over the whole id range. */
static void make_order(struct tset *s)
{
    uint64_t x = 88172645463325252ULL;

    s->order = bench_xcalloc((size_t)(s->n ? s->n : 1), sizeof(*s->order));
    for (long i = 0; i < s->n; i++)
        s->order[i] = i;
    for (long i = s->n - 1; i > 0; i--) {
        long j, t;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        j = (long)(x % (uint64_t)(i + 1));
        t = s->order[i];
        s->order[i] = s->order[j];
        s->order[j] = t;
    }
}

/* Let the loop run whatever it left for later: arm a 1 ms timer and
 * iterate until it fired. */
static void drain(struct tset *s)
{
    s->safety_fired = false;
    s->loop->update_timeout(s->safety, 1);
    for (long i = 0; !s->safety_fired; i++) {
        if (i == MAX_DRAIN_RUNS)
            bench_die("a 1 ms timer did not fire in %d iterations", MAX_DRAIN_RUNS);
        if (s->loop->run_once() < 0)
            bench_die("evconf_run_once() failed");
    }
    s->loop->update_timeout(s->safety, -1);
}

void bench_timers_iter(const struct bench_loop *loop, const struct bench_params *p, long n)
{
    struct tset s;
    double ns;

    tset_open(&s, loop, n);
    add_all(&s, NULL);
    ns = bench_ready_time(&s.ready, p->sample_ns, NULL);
    if (s.fired)
        bench_die("%ld timers armed at 1 hour fired", s.fired);
    bench_emit("iter", n, ns);
}

enum op { OP_UPDATE, OP_REMOVE };

/* Drain every this many operations: often enough that deferred work does
 * not pile up without bound, seldom enough that the drain's sleep, which
 * leaves the caches cold and costs CPU time of its own, averages out.  The
 * first pairs after a drain are run untimed, so that what is measured is a
 * loop in steady state. */
#define OPS_PER_DRAIN 1024
#define WARM_PAIRS 16

/* One operation on the next timer of the fixed order: an update re-arms it
 * at one hour, a remove takes it out (the caller adds one back). */
static long apply(struct tset *s, enum op op)
{
    long idx = s->order[s->pos];

    s->pos = (s->pos + 1) % s->n;
    if (op == OP_UPDATE)
        s->loop->update_timeout(s->ids[idx], IDLE_MS);
    else if (s->loop->remove_timeout(s->ids[idx]) != 0)
        bench_die("virEventRemoveTimeout of a live timer failed");
    return idx;
}

/* One pair: a step after the operation, and a plain step, each timed on
 * its own, in alternating order so that neither always runs first.  A
 * removed timer is added back between the two, untimed, followed by an
 * untimed step that absorbs whatever the add leaves to the loop. */
static void pair(struct tset *s, enum op op, bool op_first, int64_t *with, int64_t *without)
{
    int64_t t0, t1, t2, t3;
    long idx = -1;

    if (!op_first) {
        t2 = bench_cpu_ns();
        bench_ready_step(&s->ready);
        t3 = bench_cpu_ns();
        *without += t3 - t2;
    }
    t0 = bench_cpu_ns();
    idx = apply(s, op);
    bench_ready_step(&s->ready);
    t1 = bench_cpu_ns();
    *with += t1 - t0;
    if (op == OP_REMOVE) {
        s->ids[idx] = add_idle(s, NULL);
        bench_ready_step(&s->ready);
    }
    if (op_first) {
        t2 = bench_cpu_ns();
        bench_ready_step(&s->ready);
        t3 = bench_cpu_ns();
        *without += t3 - t2;
    }
}

/* A drain after a run of operations, charged to them, against a drain
 * after nothing, charged to the plain steps. */
static void drains(struct tset *s, int64_t *with, int64_t *without)
{
    int64_t t0 = bench_cpu_ns(), t1, t2;

    drain(s);
    t1 = bench_cpu_ns();
    drain(s);
    t2 = bench_cpu_ns();
    *with += t1 - t0;
    *without += t2 - t1;
}

/* Operations until the budget of wall time is spent (at least 16); the
 * cost of one is the difference of the two sums over their count. */
static void differential(const struct bench_loop *loop, const struct bench_params *p,
                         long n, enum op op, const char *figure)
{
    struct tset s;
    int64_t with = 0, without = 0, start;
    long ops = 0;

    tset_open(&s, loop, n);
    add_all(&s, NULL);
    make_order(&s);
    bench_ready_estimate(&s.ready, p->diff_ns / 5);
    drain(&s);
    for (int i = 0; i < WARM_PAIRS; i++) {
        int64_t ignore = 0;
        pair(&s, op, i % 2 == 0, &ignore, &ignore);
    }
    start = bench_now_ns();
    while (ops < 16 || bench_now_ns() - start < p->diff_ns) {
        pair(&s, op, ops % 2 == 0, &with, &without);
        if (++ops % OPS_PER_DRAIN == 0) {
            int64_t ignore = 0;
            drains(&s, &with, &without);
            for (int i = 0; i < WARM_PAIRS; i++)
                pair(&s, op, i % 2 == 0, &ignore, &ignore);
        }
    }
    if (ops % OPS_PER_DRAIN)
        drains(&s, &with, &without);
    bench_emit(figure, n, (double)(with - without) / (double)ops);
}

void bench_timers_update(const struct bench_loop *loop, const struct bench_params *p, long n)
{
    differential(loop, p, n, OP_UPDATE, "update");
}

void bench_timers_remove(const struct bench_loop *loop, const struct bench_params *p, long n)
{
    differential(loop, p, n, OP_REMOVE, "remove");
}

static void emit_mem(const char *what, long n, const struct bench_mem *m)
{
    char fig[32];

    snprintf(fig, sizeof(fig), "rss_%s", what);
    bench_emit(fig, n, m->rss);
    snprintf(fig, sizeof(fig), "inuse_%s", what);
    bench_emit(fig, n, m->inuse);
}

/* n adds and n removes, memory before, at the peak and after the loop had
 * the chance to run every free callback; then the iteration cost of what
 * is left.  The id array exists before the baseline and after the end, so
 * it is in all three readings. */
void bench_timers_churn(const struct bench_loop *loop, const struct bench_params *p, long n)
{
    struct tset s;
    struct bench_mem base, peak, after;
    int64_t t0, t1;

    tset_open(&s, loop, n);
    bench_ready_estimate(&s.ready, p->sample_ns / 5);
    drain(&s);
    drain(&s);
    bench_mem_read(&base);

    t0 = bench_cpu_ns();
    add_all(&s, on_free);
    t1 = bench_cpu_ns();
    bench_emit("churn_add", n, (double)(t1 - t0) / (double)n);
    for (int i = 0; i < 3; i++)
        bench_ready_step(&s.ready);
    bench_mem_read(&peak);

    t0 = bench_cpu_ns();
    for (long i = 0; i < n; i++)
        if (s.loop->remove_timeout(s.ids[i]) != 0)
            bench_die("virEventRemoveTimeout of a live timer failed");
    for (int i = 0; i < 3; i++)
        drain(&s);
    t1 = bench_cpu_ns();
    bench_emit("churn_remove", n, (double)(t1 - t0) / (double)n);
    bench_mem_read(&after);

    emit_mem("base", n, &base);
    emit_mem("peak", n, &peak);
    emit_mem("after", n, &after);
    bench_emit("inuse_retained", n, after.inuse - base.inuse);
    bench_emit("uordblks_retained", n, after.uordblks - base.uordblks);
    bench_emit("frees", n, (double)s.freed);
    bench_emit("iter_after_churn", n, bench_ready_time(&s.ready, p->sample_ns, NULL));
}
