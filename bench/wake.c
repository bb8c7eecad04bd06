/*
 * wake.c - section C: how long a change made by another thread takes to
 * reach a loop that is blocked with nothing due.
 *
 * The loop thread holds one disabled timer and blocks in run_once().  A
 * waker thread sleeps (so that the loop is really asleep in its wait),
 * reads the clock and enables the timer at 0 ms; the timer callback reads
 * the clock and disables the timer again.  The floor is the same exchange
 * without a loop: one byte through a pipe that a bare poll(2) blocks on.
 */
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bench.h"

struct wake {
    const struct bench_loop *loop;      /* NULL for the floor */
    const struct bench_params *p;
    int timer;
    int pipe_rd, pipe_wr;
    atomic_bool armed;                  /* a sample is under way */
    _Atomic int64_t t0;
    atomic_bool stop;
    sem_t done;                         /* the sample was taken */
    double *lat;
    int count, total;
};

/* Loop thread: a sample ends here.  Only an armed sample counts, so that a
 * loop that fired the timer twice cannot shift the waker's samples. */
static void record(struct wake *w)
{
    int64_t t1 = bench_now_ns();

    if (!atomic_exchange(&w->armed, false))
        return;
    if (w->count < w->total)
        w->lat[w->count++] = (double)(t1 - atomic_load(&w->t0));
    if (w->count == w->total)
        atomic_store(&w->stop, true);
    sem_post(&w->done);
}

static void on_wake_timer(int timer, void *opaque)
{
    struct wake *w = opaque;

    w->loop->update_timeout(timer, -1);
    record(w);
}

/* Waker thread.  A 1 ns timer slack keeps the pause close to what it asks
 * for; t0 is taken right before the one call that should wake the loop. */
static void *waker(void *opaque)
{
    struct wake *w = opaque;
    static const char byte = 'w';

    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    for (int i = 0; i < w->total; i++) {
        bench_sleep_ns(w->p->wake_pause_ns);
        atomic_store(&w->armed, true);
        atomic_store(&w->t0, bench_now_ns());
        if (w->loop)
            w->loop->update_timeout(w->timer, 0);
        else if (write(w->pipe_wr, &byte, 1) != 1)
            bench_die("write to pipe: %m");
        sem_wait(&w->done);
    }
    return NULL;
}

static void floor_wait(struct wake *w)
{
    struct pollfd pfd = { .fd = w->pipe_rd, .events = POLLIN };
    char byte;

    if (poll(&pfd, 1, -1) < 0)
        return;
    if (read(w->pipe_rd, &byte, 1) == 1)
        record(w);
}

/* Runs the loop thread's side until every sample is in, then reports the
 * median and the 90th percentile of the kept ones. */
static void run(struct wake *w)
{
    pthread_t th;
    int warm = w->p->wake_warmup;

    w->total = warm + w->p->wake_samples;
    w->lat = bench_xcalloc((size_t)w->total, sizeof(*w->lat));
    sem_init(&w->done, 0, 0);
    if (pthread_create(&th, NULL, waker, w) != 0)
        bench_die("pthread_create failed");
    while (!atomic_load(&w->stop)) {
        if (!w->loop)
            floor_wait(w);
        else if (w->loop->run_once() < 0)
            bench_die("evconf_run_once() failed");
    }
    pthread_join(th, NULL);
    bench_emit("wake_median", 0, bench_median(w->lat + warm, (size_t)(w->total - warm)));
    bench_emit("wake_p90", 0, bench_percentile(w->lat + warm,
                                                 (size_t)(w->total - warm), 0.9));
}

void bench_wake_loop(const struct bench_loop *loop, const struct bench_params *p)
{
    static struct wake w;

    w = (struct wake){ .loop = loop, .p = p };
    w.timer = loop->add_timeout(-1, on_wake_timer, &w, NULL);
    if (w.timer < 0)
        bench_die("virEventAddTimeout failed");
    run(&w);
}

void bench_wake_floor(const struct bench_params *p)
{
    static struct wake w;
    int fds[2];

    if (pipe(fds) < 0)
        bench_die("pipe: %m");
    w = (struct wake){ .p = p, .pipe_rd = fds[0], .pipe_wr = fds[1] };
    run(&w);
}
