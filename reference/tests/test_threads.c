/*
 * test_threads.c - R42-R45: threads, wake-up, locks, failures as return codes.
 *
 * These tests run the loop in real time with real threads: each starts with
 * evref_set_sys(NULL) (CLOCK_MONOTONIC and poll(2)), keeps a guard timer so
 * that no wait is unbounded, and bounds every wait of its own (iterations,
 * timed joins, a watchdog).  The recorder of support.c is not thread-safe,
 * so everything shared between threads here is a C11 atomic or sits under a
 * mutex.  Bounds are generous (seconds) and assertions count iterations and
 * calls, not elapsed time, so a loaded machine slows the tests down without
 * failing them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "suites.h"
#include "support.h"

/* How long a thread may take to do what a correct loop lets it do at once.
 * Only a broken loop ever waits that long. */
#define STUCK_MS 2500

/* ---- helpers ---- */

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Wait, 1 ms at a time, until *v >= value; false after limit_ms. */
static bool wait_for(atomic_int *v, int value, int limit_ms)
{
    int64_t end = mono_ms() + limit_ms;

    while (atomic_load(v) < value) {
        if (mono_ms() > end)
            return false;
        sleep_ms(1);
    }
    return true;
}

/* Join a thread, giving up (and returning false) after ms. */
static bool join_within(pthread_t th, int ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return pthread_timedjoin_np(th, NULL, &ts) == 0;
}

static void start_thread(pthread_t *th, void *(*fn)(void *), void *arg)
{
    ck_assert_int_eq(pthread_create(th, NULL, fn, arg), 0);
}

static void run_once_ok(void)
{
    int rc = evref_run_once();

    ck_assert_msg(rc == 0, "evref_run_once() returned %d", rc);
}

static atomic_int guard_calls;

static void guard_cb(int timer, void *opaque)
{
    (void)timer;
    (void)opaque;
    atomic_fetch_add(&guard_calls, 1);
}

static void noop_timer_cb(int timer, void *opaque)
{
    (void)timer;
    (void)opaque;
}

/* Real time (evref_set_sys(NULL)), and a guard timer every guard_ms. */
static void real_time(int guard_ms)
{
    evref_set_sys(NULL);
    atomic_store(&guard_calls, 0);
    ck_assert_int_gt(evref_add_timeout(guard_ms, guard_cb, NULL, NULL), 0);
}

/* ---- R42 ---- */

#define R42_THREADS 3
#define R42_OPS 2000
#define R42_LIVE 16

struct r42_reg {
    atomic_int calls;
    atomic_int late_calls;           /* calls in an iteration after remove returned */
    atomic_int ffs;
    atomic_int ff_early;             /* ffs before remove was even called */
    atomic_int remove_called;
    atomic_int removed_iter;         /* iteration seen after remove returned, or -1 */
};

struct r42_worker {
    unsigned seed;
    int fds[2];
    struct r42_reg regs[R42_OPS + 2];
    int nregs;
    int add_failures, remove_failures, lost;
};

static struct r42_worker r42[R42_THREADS];
static atomic_int r42_iter;          /* iteration running or about to run */
static atomic_int r42_ffs, r42_removes, r42_done;

/* A call that starts in an iteration which began after the remove returned
 * breaks R29.  A call in the iteration during which another thread's remove
 * returned is allowed: the loop may have picked the registration before the
 * remove and be about to call it (R29's limit, R37). */
static void r42_check_late(struct r42_reg *reg)
{
    int removed = atomic_load(&reg->removed_iter);

    atomic_fetch_add(&reg->calls, 1);
    if (removed >= 0 && atomic_load(&r42_iter) > removed)
        atomic_fetch_add(&reg->late_calls, 1);
}

static void r42_timer_cb(int timer, void *opaque)
{
    (void)timer;
    r42_check_late(opaque);
}

static void r42_handle_cb(int watch, int fd, int events, void *opaque)
{
    (void)watch;
    (void)fd;
    (void)events;
    r42_check_late(opaque);
}

static void r42_ff(void *opaque)
{
    struct r42_reg *reg = opaque;

    if (!atomic_load(&reg->remove_called))
        atomic_fetch_add(&reg->ff_early, 1);
    atomic_fetch_add(&reg->ffs, 1);
    atomic_fetch_add(&r42_ffs, 1);
}

static unsigned r42_rand(struct r42_worker *w)
{
    w->seed = w->seed * 1103515245u + 12345u;
    return (w->seed >> 16) & 0x7fff;
}

struct r42_live {
    int id;
    bool timer;
    struct r42_reg *reg;
};

static void r42_remove(struct r42_worker *w, struct r42_live *l)
{
    int rc;

    atomic_store(&l->reg->remove_called, 1);
    rc = l->timer ? evref_remove_timeout(l->id) : evref_remove_handle(l->id);
    atomic_store(&l->reg->removed_iter, atomic_load(&r42_iter));
    atomic_fetch_add(&r42_removes, 1);
    w->remove_failures += rc != 0;
}

static bool r42_add(struct r42_worker *w, struct r42_live *l, bool timer, int arg)
{
    struct r42_reg *reg = &w->regs[w->nregs++];

    atomic_store(&reg->removed_iter, -1);
    l->reg = reg;
    l->timer = timer;
    l->id = timer ? evref_add_timeout(arg, r42_timer_cb, reg, r42_ff)
                  : evref_add_handle(w->fds[0], arg, r42_handle_cb, reg, r42_ff);
    if (l->id <= 0) {
        w->add_failures++;
        w->nregs--;
        return false;
    }
    return true;
}

static void *r42_worker_main(void *arg)
{
    static const int timeouts[] = { -1, 0, 1, 2, -5 };
    static const int events[] = { 0, VIR_EVENT_HANDLE_READABLE };
    struct r42_worker *w = arg;
    struct r42_live live[R42_LIVE], probe[2];
    int nlive = 0;

    for (int op = 0; op < R42_OPS; op++) {
        unsigned r = r42_rand(w) % 100;
        if (nlive == 0 || (nlive < R42_LIVE && r < 40)) {
            bool timer = r42_rand(w) % 2;
            int a = timer ? timeouts[r42_rand(w) % 5] : events[r42_rand(w) % 2];
            nlive += r42_add(w, &live[nlive], timer, a);
        } else if (r < 70) {
            struct r42_live *l = &live[r42_rand(w) % nlive];
            if (l->timer)
                evref_update_timeout(l->id, timeouts[r42_rand(w) % 5]);
            else
                evref_update_handle(l->id, events[r42_rand(w) % 2]);
        } else {
            int i = r42_rand(w) % nlive;
            r42_remove(w, &live[i]);
            live[i] = live[--nlive];
        }
    }
    while (nlive > 0)
        r42_remove(w, &live[--nlive]);

    /* Not lost: a timer and a watch added from this thread get called. */
    if (r42_add(w, &probe[0], true, 0) && r42_add(w, &probe[1], false,
                                                  VIR_EVENT_HANDLE_READABLE)) {
        w->lost += !wait_for(&probe[0].reg->calls, 1, STUCK_MS);
        w->lost += !wait_for(&probe[1].reg->calls, 1, STUCK_MS);
        r42_remove(w, &probe[0]);
        r42_remove(w, &probe[1]);
    }
    atomic_fetch_add(&r42_done, 1);
    return NULL;
}

/* R42, R29, R34: three threads each make 2000 random adds, updates and
 * removes of their own timers and watches while the loop thread
 * dispatches: every add succeeds and is not lost (a final timer and watch
 * from each thread get called), every registration gets exactly one ff and
 * none before its remove, and no callback starts in an iteration that began
 * after its remove returned, because libvirt calls the impl from
 * application and worker threads while the loop runs. */
START_TEST(concurrent_operations_from_threads)
{
    pthread_t th[R42_THREADS];
    int it, after_done = 0;

    real_time(2);
    atomic_store(&r42_iter, 0);
    atomic_store(&r42_ffs, 0);
    atomic_store(&r42_removes, 0);
    atomic_store(&r42_done, 0);
    for (int i = 0; i < R42_THREADS; i++) {
        memset(&r42[i], 0, sizeof(r42[i]));
        r42[i].seed = 7 + 1000 * i;
        make_pipe(r42[i].fds);
        write_byte(r42[i].fds[1]);   /* never read: readable watches fire */
        start_thread(&th[i], r42_worker_main, &r42[i]);
    }
    for (it = 0; it < 5000000; it++) {
        atomic_store(&r42_iter, it);
        run_once_ok();
        if (atomic_load(&r42_done) == R42_THREADS &&
            (atomic_load(&r42_ffs) == atomic_load(&r42_removes) || ++after_done > 100))
            break;
    }
    for (int i = 0; i < R42_THREADS; i++)
        pthread_join(th[i], NULL);
    /* A few more iterations: a second ff or a late call would show here. */
    for (int k = 1; k <= 3; k++) {
        atomic_store(&r42_iter, it + k);
        run_once_ok();
    }

    for (int i = 0; i < R42_THREADS; i++) {
        struct r42_worker *w = &r42[i];
        ck_assert_msg(w->add_failures == 0 && w->remove_failures == 0,
                      "thread %d: %d adds and %d removes failed", i,
                      w->add_failures, w->remove_failures);
        ck_assert_msg(w->lost == 0, "thread %d: %d of its registrations never called",
                      i, w->lost);
        for (int k = 0; k < w->nregs; k++) {
            struct r42_reg *reg = &w->regs[k];
            ck_assert_msg(atomic_load(&reg->ffs) == 1 && atomic_load(&reg->ff_early) == 0,
                          "thread %d, registration %d: %d ffs (%d before remove), "
                          "expected exactly 1 after remove", i, k,
                          atomic_load(&reg->ffs), atomic_load(&reg->ff_early));
            ck_assert_msg(atomic_load(&reg->late_calls) == 0,
                          "thread %d, registration %d: %d calls in iterations that "
                          "began after its remove returned", i, k,
                          atomic_load(&reg->late_calls));
        }
    }
    ck_assert_int_eq(atomic_load(&r42_ffs), atomic_load(&r42_removes));
}
END_TEST

/* ---- R43 ---- */

/* Real clock and real poll(2), observed: the other thread acts only once
 * the loop has entered its wait, and the test sees how long that wait was
 * meant to be. */
static atomic_int polls, poll_timeout;

static int64_t observed_now_ns(void *ctx)
{
    struct timespec ts;

    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int observed_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    (void)ctx;
    atomic_store(&poll_timeout, timeout_ms);
    atomic_fetch_add(&polls, 1);
    return poll(fds, nfds, timeout_ms);
}

/* The watchdog: a watch on a pipe, made readable by a helper thread if an
 * iteration has not returned within STUCK_MS, so a loop that is never woken
 * still ends its wait, and the test fails with a message, not a timeout. */
static int wd_fds[2];
static atomic_int wd_done, wd_fired;

static void wd_cb(int watch, int fd, int events, void *opaque)
{
    char c;

    (void)watch;
    (void)events;
    (void)opaque;
    if (read(fd, &c, 1) != 1)
        atomic_store(&wd_fired, -1000);
}

static void *wd_main(void *arg)
{
    (void)arg;
    if (!wait_for(&wd_done, 1, STUCK_MS)) {
        atomic_store(&wd_fired, 1);
        if (write(wd_fds[1], "w", 1) != 1)
            atomic_store(&wd_fired, -1000);
    }
    return NULL;
}

/* One evref_run_once() on this thread; true if it ended only because the
 * watchdog fired. */
static bool run_once_watched(void)
{
    pthread_t th;

    atomic_store(&wd_done, 0);
    atomic_store(&wd_fired, 0);
    start_thread(&th, wd_main, NULL);
    run_once_ok();
    atomic_store(&wd_done, 1);
    pthread_join(th, NULL);
    ck_assert_msg(atomic_load(&wd_fired) >= 0, "the watchdog pipe failed");
    return atomic_load(&wd_fired) > 0;
}

static void wake_setup(void)
{
    static const struct evref_sys observed = { observed_now_ns, observed_poll, NULL };

    real_time(60000);                 /* the only timer: the loop blocks */
    evref_set_sys(&observed);
    atomic_store(&polls, 0);
    make_pipe(wd_fds);
    ck_assert_int_gt(evref_add_handle(wd_fds[0], VIR_EVENT_HANDLE_READABLE,
                                      wd_cb, NULL, NULL), 0);
}

struct wake_case {
    const char *what;
    void (*act)(void);                /* done by the other thread */
    atomic_int *effect;               /* > 0 once the callback or ff ran */
};

static atomic_int acted;
static atomic_int polls_before;

static void *actor_main(void *arg)
{
    const struct wake_case *c = arg;

    /* Act only once the loop waits: then nothing but a wake-up ends it. */
    if (!wait_for(&polls, atomic_load(&polls_before) + 1, STUCK_MS))
        return NULL;
    sleep_ms(20);
    c->act();
    atomic_store(&acted, 1);
    return NULL;
}

/* The loop blocks (60 s guard); another thread makes a change.  That
 * iteration must end because of the change (not the watchdog, not the
 * guard), and the callback or ff must happen by the end of the next
 * iteration (a remove: in that same iteration). */
static void check_wake(const struct wake_case *c, bool same_iteration)
{
    pthread_t th;
    bool watchdog;
    int timeout;

    atomic_store(&acted, 0);
    atomic_store(c->effect, 0);
    atomic_store(&polls_before, atomic_load(&polls));
    start_thread(&th, actor_main, (void *)c);
    watchdog = run_once_watched();
    ck_assert_msg(join_within(th, STUCK_MS), "%s: the other thread is stuck", c->what);
    timeout = atomic_load(&poll_timeout);
    ck_assert_msg(atomic_load(&acted), "%s: the loop never entered its wait", c->what);
    ck_assert_msg(timeout > 30000,
                  "%s: the loop was not blocked (poll timeout %d ms)", c->what, timeout);
    ck_assert_msg(!watchdog,
                  "%s from another thread did not interrupt the loop's %d ms wait "
                  "(it ended only when the watchdog fired after %d ms)",
                  c->what, timeout, STUCK_MS);
    ck_assert_msg(atomic_load(&guard_calls) == 0, "the 60 s guard fired");
    if (same_iteration)
        ck_assert_msg(atomic_load(c->effect) == 1,
                      "%s: %d calls in the iteration it woke, expected 1",
                      c->what, atomic_load(c->effect));
    if (atomic_load(c->effect) == 0) {
        watchdog = run_once_watched();
        ck_assert_msg(!watchdog && atomic_load(c->effect) == 1,
                      "%s: %d calls in the iteration after the wake-up, expected 1%s",
                      c->what, atomic_load(c->effect),
                      watchdog ? " (it ended only by the watchdog)" : "");
    }
}

static int wake_timer;
static atomic_int wake_effect;

static void counting_timer_cb(int timer, void *opaque)
{
    (void)timer;
    (void)opaque;
    atomic_fetch_add(&wake_effect, 1);
}

static void set_wake_timer_0ms(void)
{
    evref_update_timeout(wake_timer, 0);
}

static void set_wake_timer_10ms(void)
{
    evref_update_timeout(wake_timer, 10);
}

/* R43: while the loop blocks on a 60 s guard, another thread enables a
 * timer with 0 (libvirt's event-state timer when a worker queues an event):
 * the woken iteration fires it; another thread enables a timer with 10 ms
 * (-1 -> 10) or shortens one (45 s -> 10 ms): the wait ends at once and the
 * timer fires 10 ms later, in the next iteration.  Why: a worker's queued
 * event must not wait for the next keepalive.  (The iteration the change
 * wakes cannot fire a timer due 10 ms later; the reference, like libvirt's
 * poll loop, returns and fires it in the next.) */
START_TEST(wake_on_timer_change_from_thread)
{
    struct wake_case c = { "update_timeout(-1 -> 0)", set_wake_timer_0ms, &wake_effect };

    wake_setup();
    wake_timer = evref_add_timeout(-1, counting_timer_cb, NULL, NULL);
    check_wake(&c, true);
    evref_update_timeout(wake_timer, -1);

    c = (struct wake_case){ "update_timeout(-1 -> 10)", set_wake_timer_10ms, &wake_effect };
    check_wake(&c, false);
    ck_assert_int_eq(evref_remove_timeout(wake_timer), 0);

    c.what = "update_timeout(45000 -> 10)";
    wake_timer = evref_add_timeout(45000, counting_timer_cb, NULL, NULL);
    check_wake(&c, false);
}
END_TEST

static int wake_fds[2], wake_watch;

static void reading_handle_cb(int watch, int fd, int events, void *opaque)
{
    char c;

    (void)watch;
    (void)events;
    (void)opaque;
    if (read(fd, &c, 1) == 1)        /* no longer readable: the loop can block */
        atomic_fetch_add(&wake_effect, 1);
}

static void add_readable_watch(void)
{
    wake_watch = evref_add_handle(wake_fds[0], VIR_EVENT_HANDLE_READABLE,
                                  reading_handle_cb, NULL, NULL);
}

static void enable_watch(void)
{
    evref_update_handle(wake_watch, VIR_EVENT_HANDLE_READABLE);
}

/* R43: while the loop blocks, another thread adds a watch on a readable fd,
 * or enables (0 -> READABLE) a watch on a readable fd: the wait ends at once
 * and the callback runs in the next iteration, because libvirt adds and
 * enables socket watches from application threads. */
START_TEST(wake_on_handle_change_from_thread)
{
    struct wake_case c = { "add_handle(readable fd)", add_readable_watch, &wake_effect };

    wake_setup();
    make_pipe(wake_fds);
    write_byte(wake_fds[1]);
    check_wake(&c, false);
    ck_assert_int_gt(wake_watch, 0);

    c = (struct wake_case){ "update_handle(0 -> READABLE)", enable_watch, &wake_effect };
    write_byte(wake_fds[1]);
    ck_assert_int_eq(evref_remove_handle(wake_watch), 0);
    wake_watch = evref_add_handle(wake_fds[0], 0, reading_handle_cb, NULL, NULL);
    check_wake(&c, false);
}
END_TEST

static int wake_remove_timer;

static void counting_ff(void *opaque)
{
    (void)opaque;
    atomic_fetch_add(&wake_effect, 1);
}

static void remove_wake_watch(void)
{
    evref_remove_handle(wake_watch);
}

static void remove_wake_timer(void)
{
    evref_remove_timeout(wake_remove_timer);
}

/* R43, R38: while the loop blocks, another thread removes a watch (its fd
 * not ready) or a timer: the wait ends and the free callback runs within
 * that very iteration, because libvirt's teardown ends only when the ffs
 * have run. */
START_TEST(wake_on_remove_from_thread)
{
    struct wake_case c = { "remove_handle", remove_wake_watch, &wake_effect };

    wake_setup();
    make_pipe(wake_fds);
    wake_watch = evref_add_handle(wake_fds[0], VIR_EVENT_HANDLE_READABLE,
                                  reading_handle_cb, NULL, counting_ff);
    check_wake(&c, true);

    c = (struct wake_case){ "remove_timeout", remove_wake_timer, &wake_effect };
    wake_remove_timer = evref_add_timeout(45000, counting_timer_cb, NULL, counting_ff);
    check_wake(&c, true);
}
END_TEST

/* ---- R44 ---- */

#define R44_ROUNDS 100

/* libvirt's object lock: held around impl calls by the "application"
 * threads, and taken by callbacks and ffs, as libvirt's are. */
static pthread_mutex_t obj_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int r44_rounds[2], r44_iters, r44_calls, r44_ffs, r44_adds;
static atomic_int r44_stop, r44_bad;
static int r44_fds[2];

static void r44_timer_cb(int timer, void *opaque)
{
    int tmp;

    (void)opaque;
    pthread_mutex_lock(&obj_lock);
    evref_update_timeout(timer, 0);
    tmp = evref_add_timeout(-1, noop_timer_cb, NULL, NULL);
    evref_update_timeout(tmp, 5);
    if (tmp <= 0 || evref_remove_timeout(tmp) != 0)
        atomic_fetch_add(&r44_bad, 1);
    pthread_mutex_unlock(&obj_lock);
    atomic_fetch_add(&r44_calls, 1);
}

static void r44_handle_cb(int watch, int fd, int events, void *opaque)
{
    int tmp;

    (void)events;
    (void)opaque;
    pthread_mutex_lock(&obj_lock);
    evref_update_handle(watch, VIR_EVENT_HANDLE_READABLE);
    tmp = evref_add_handle(fd, 0, r44_handle_cb, NULL, NULL);
    if (tmp <= 0 || evref_remove_handle(tmp) != 0)
        atomic_fetch_add(&r44_bad, 1);
    pthread_mutex_unlock(&obj_lock);
    atomic_fetch_add(&r44_calls, 1);
}

static void r44_ff(void *opaque)
{
    int tmp;

    (void)opaque;
    pthread_mutex_lock(&obj_lock);
    tmp = evref_add_timeout(0, noop_timer_cb, NULL, NULL);
    evref_update_timeout(tmp, -1);
    if (tmp <= 0 || evref_remove_timeout(tmp) != 0)
        atomic_fetch_add(&r44_bad, 1);
    evref_update_handle(999999, 0);
    pthread_mutex_unlock(&obj_lock);
    atomic_fetch_add(&r44_ffs, 1);
}

static void *r44_worker_main(void *arg)
{
    atomic_int *rounds = arg;

    for (int k = 0; k < R44_ROUNDS; k++) {
        int t, h;

        pthread_mutex_lock(&obj_lock);
        t = evref_add_timeout(k % 3 ? 0 : 1, r44_timer_cb, NULL, r44_ff);
        h = evref_add_handle(r44_fds[0], VIR_EVENT_HANDLE_READABLE, r44_handle_cb,
                             NULL, r44_ff);
        pthread_mutex_unlock(&obj_lock);
        atomic_fetch_add(&r44_adds, 2);
        /* Let the loop run a full iteration with them live, so that their
         * callbacks run while this thread goes on calling in. */
        wait_for(&r44_iters, atomic_load(&r44_iters) + 2, STUCK_MS);
        pthread_mutex_lock(&obj_lock);
        evref_update_timeout(t, k % 2 ? -1 : 0);
        evref_update_handle(h, k % 2 ? 0 : VIR_EVENT_HANDLE_READABLE);
        pthread_mutex_unlock(&obj_lock);
        pthread_mutex_lock(&obj_lock);
        if (evref_remove_timeout(t) != 0 || evref_remove_handle(h) != 0)
            atomic_fetch_add(&r44_bad, 1);
        pthread_mutex_unlock(&obj_lock);
        atomic_fetch_add(rounds, 1);
    }
    return NULL;
}

static void *r44_loop_main(void *arg)
{
    (void)arg;
    while (!atomic_load(&r44_stop)) {
        if (evref_run_once() != 0)
            atomic_fetch_add(&r44_bad, 1000);
        atomic_fetch_add(&r44_iters, 1);
    }
    return NULL;
}

/* R44, R27, R28, R36: the loop runs on its own thread while two threads
 * add, update and remove registrations under an object lock; the callbacks
 * and ffs take the same lock and call add, update and remove themselves.
 * Everything completes (no thread stops making progress for 2.5 s) and
 * every ff runs, because a lock of the impl held around a callback or ff
 * deadlocks by recursion or by lock-order inversion with libvirt's object
 * locks. */
START_TEST(no_deadlock_with_callbacks_and_threads_calling_in)
{
    pthread_t loop, workers[2];
    int last[3] = { -1, -1, -1 }, done_at_iter = -1;
    int64_t last_change[3], now;
    bool stuck[3];

    real_time(5);
    make_pipe(r44_fds);
    write_byte(r44_fds[1]);
    atomic_store(&r44_iters, 0);
    atomic_store(&r44_calls, 0);
    atomic_store(&r44_ffs, 0);
    atomic_store(&r44_adds, 0);
    atomic_store(&r44_stop, 0);
    atomic_store(&r44_bad, 0);
    for (int i = 0; i < 2; i++)
        atomic_store(&r44_rounds[i], 0);
    start_thread(&loop, r44_loop_main, NULL);
    for (int i = 0; i < 2; i++)
        start_thread(&workers[i], r44_worker_main, &r44_rounds[i]);

    now = mono_ms();
    for (int i = 0; i < 3; i++)
        last_change[i] = now;
    for (;;) {
        int cur[3] = { atomic_load(&r44_iters), atomic_load(&r44_rounds[0]),
                       atomic_load(&r44_rounds[1]) };
        bool workers_done = cur[1] == R44_ROUNDS && cur[2] == R44_ROUNDS;

        if (workers_done && atomic_load(&r44_ffs) == atomic_load(&r44_adds))
            break;
        if (workers_done && done_at_iter < 0)
            done_at_iter = cur[0];
        /* Everything is removed: the last ffs are due within 2 iterations
         * (R38); 200 is only a bound. */
        ck_assert_msg(done_at_iter < 0 || cur[0] - done_at_iter < 200,
                      "%d iterations after the last remove: %d ffs of %d",
                      cur[0] - done_at_iter, atomic_load(&r44_ffs),
                      atomic_load(&r44_adds));
        now = mono_ms();
        for (int i = 0; i < 3; i++) {
            if (cur[i] != last[i] || (i > 0 && cur[i] == R44_ROUNDS)) {
                last[i] = cur[i];
                last_change[i] = now;
            }
            stuck[i] = now - last_change[i] >= STUCK_MS;
        }
        ck_assert_msg(!stuck[0] && !stuck[1] && !stuck[2],
                      "deadlock: no progress for %d ms in:%s%s%s (loop iterations %d, "
                      "worker rounds %d and %d of %d, ffs %d of %d)", STUCK_MS,
                      stuck[0] ? " the loop thread" : "", stuck[1] ? " worker 1" : "",
                      stuck[2] ? " worker 2" : "", cur[0], cur[1], cur[2], R44_ROUNDS,
                      atomic_load(&r44_ffs), atomic_load(&r44_adds));
        sleep_ms(5);
    }
    atomic_store(&r44_stop, 1);
    ck_assert_msg(join_within(loop, STUCK_MS), "the loop thread did not stop");
    for (int i = 0; i < 2; i++)
        pthread_join(workers[i], NULL);
    ck_assert_msg(atomic_load(&r44_bad) == 0,
                  "%d calls into the loop failed (from callbacks, ffs or threads)",
                  atomic_load(&r44_bad));
    ck_assert_msg(atomic_load(&r44_calls) > 0, "no callback ran");
}
END_TEST

/* ---- R37 with threads ---- */

static atomic_int r37_calls, r37_in_cb, r37_cb_returned, r37_removed, r37_rc;
static atomic_int r37_ffs, r37_ff_early, r37_remove_blocked;
static int r37_id;
static bool r37_is_timer;

static void r37_body(void)
{
    if (atomic_fetch_add(&r37_calls, 1) != 0)
        return;
    atomic_store(&r37_in_cb, 1);
    /* Block until the other thread's remove has returned, then keep using
     * opaque a while longer: the ff must wait. */
    if (!wait_for(&r37_removed, 1, STUCK_MS))
        atomic_store(&r37_remove_blocked, 1);
    sleep_ms(50);
    atomic_store(&r37_in_cb, 0);
    atomic_store(&r37_cb_returned, 1);
}

static void r37_timer_cb(int timer, void *opaque)
{
    (void)timer;
    (void)opaque;
    r37_body();
}

static void r37_handle_cb(int watch, int fd, int events, void *opaque)
{
    (void)watch;
    (void)fd;
    (void)events;
    (void)opaque;
    r37_body();
}

static void r37_ff(void *opaque)
{
    (void)opaque;
    if (atomic_load(&r37_in_cb) || !atomic_load(&r37_cb_returned))
        atomic_fetch_add(&r37_ff_early, 1);
    atomic_fetch_add(&r37_ffs, 1);
}

static void *r37_remover_main(void *arg)
{
    (void)arg;
    if (!wait_for(&r37_in_cb, 1, STUCK_MS))
        return NULL;
    atomic_store(&r37_rc, r37_is_timer ? evref_remove_timeout(r37_id)
                                       : evref_remove_handle(r37_id));
    atomic_store(&r37_removed, 1);
    return NULL;
}

static void r37_case(bool timer)
{
    const char *what = timer ? "timer" : "watch";
    pthread_t th;
    int fds[2], it;

    atomic_store(&r37_calls, 0);
    atomic_store(&r37_in_cb, 0);
    atomic_store(&r37_cb_returned, 0);
    atomic_store(&r37_removed, 0);
    atomic_store(&r37_rc, 99);
    atomic_store(&r37_ffs, 0);
    atomic_store(&r37_ff_early, 0);
    atomic_store(&r37_remove_blocked, 0);
    r37_is_timer = timer;
    if (timer) {
        r37_id = evref_add_timeout(0, r37_timer_cb, NULL, r37_ff);
    } else {
        make_pipe(fds);
        write_byte(fds[1]);
        r37_id = evref_add_handle(fds[0], VIR_EVENT_HANDLE_READABLE, r37_handle_cb,
                                  NULL, r37_ff);
    }
    ck_assert_int_gt(r37_id, 0);
    start_thread(&th, r37_remover_main, NULL);
    for (it = 0; it < 10 && atomic_load(&r37_ffs) == 0; it++)
        run_once_ok();
    ck_assert_msg(!atomic_load(&r37_remove_blocked),
                  "%s: remove from another thread did not return within %d ms "
                  "while the callback ran (a loop lock held around the callback)",
                  what, STUCK_MS);
    ck_assert_msg(join_within(th, STUCK_MS), "%s: the removing thread is stuck", what);
    ck_assert_msg(atomic_load(&r37_removed) && atomic_load(&r37_rc) == 0,
                  "%s: remove from the other thread returned %d", what,
                  atomic_load(&r37_rc));
    ck_assert_msg(atomic_load(&r37_ffs) == 1,
                  "%s: %d ffs within %d iterations, expected 1", what,
                  atomic_load(&r37_ffs), it);
    ck_assert_msg(atomic_load(&r37_ff_early) == 0,
                  "%s: the ff ran while the callback it frees was still running", what);
    ck_assert_msg(atomic_load(&r37_calls) == 1,
                  "%s: %d calls, expected 1 (removed during the first)", what,
                  atomic_load(&r37_calls));
}

/* R37, R29: a timer's (then a watch's) callback blocks until another thread
 * has removed it, and goes on using its data for 50 ms: the ff runs only
 * after the callback has returned, once, and the callback is not called
 * again, because the ff frees what the callback uses (libvirt 707781fe: a
 * domain-event timer ran after its state was freed). */
START_TEST(ff_waits_for_callback_removed_by_thread)
{
    real_time(5);
    r37_case(true);
    r37_case(false);
}
END_TEST

/* ---- R45 ---- */

static atomic_int r45_bad_calls, r45_calls, r45_ffs;
static int r45_fds[2], r45_ids[2], r45_rc[4];

static void r45_bad_timer_cb(int timer, void *opaque)
{
    (void)timer;
    (void)opaque;
    atomic_fetch_add(&r45_bad_calls, 1);
}

static void r45_bad_handle_cb(int watch, int fd, int events, void *opaque)
{
    (void)watch;
    (void)fd;
    (void)events;
    (void)opaque;
    atomic_fetch_add(&r45_bad_calls, 1);
}

static void r45_bad_ff(void *opaque)
{
    (void)opaque;
    atomic_fetch_add(&r45_bad_calls, 1);
}

static void r45_timer_cb(int timer, void *opaque)
{
    (void)timer;
    (void)opaque;
    atomic_fetch_add(&r45_calls, 1);
}

static void r45_handle_cb(int watch, int fd, int events, void *opaque)
{
    (void)watch;
    (void)fd;
    (void)events;
    (void)opaque;
    atomic_fetch_add(&r45_calls, 1);
}

static void r45_ff(void *opaque)
{
    (void)opaque;
    atomic_fetch_add(&r45_ffs, 1);
}

/* The failing calls, made by a thread of their own so that one that does
 * not return (or leaves a lock held and blocks the next) is seen by a timed
 * join instead of hanging the test.  Results: -1 for each add and remove. */
#define R45_NFAIL 9
static int r45_fail_rc[R45_NFAIL];

static void *r45_failing_calls_main(void *arg)
{
    int *rc = r45_fail_rc;

    (void)arg;
    rc[0] = evref_add_handle(-1, VIR_EVENT_HANDLE_READABLE, r45_bad_handle_cb,
                             NULL, r45_bad_ff);
    rc[1] = evref_add_handle(r45_fds[0], VIR_EVENT_HANDLE_READABLE, NULL, NULL,
                             r45_bad_ff);
    rc[2] = evref_add_timeout(0, NULL, NULL, r45_bad_ff);
    alloc_fail_after(0);             /* no other thread allocates meanwhile */
    rc[3] = evref_add_timeout(0, r45_bad_timer_cb, NULL, r45_bad_ff);
    alloc_fail_after(0);
    rc[4] = evref_add_handle(r45_fds[0], VIR_EVENT_HANDLE_READABLE,
                             r45_bad_handle_cb, NULL, r45_bad_ff);
    alloc_fail_after(-1);
    rc[5] = evref_remove_handle(424242);
    rc[6] = evref_remove_timeout(424242);
    rc[7] = evref_remove_handle(0);
    rc[8] = evref_remove_timeout(-3);
    evref_update_handle(-1, VIR_EVENT_HANDLE_READABLE);
    evref_update_handle(424242, VIR_EVENT_HANDLE_READABLE);
    evref_update_timeout(424242, 0);
    evref_update_timeout(-3, 0);
    return NULL;
}

static void *r45_adder_main(void *arg)
{
    (void)arg;
    r45_ids[0] = evref_add_timeout(0, r45_timer_cb, NULL, r45_ff);
    r45_ids[1] = evref_add_handle(r45_fds[0], VIR_EVENT_HANDLE_READABLE,
                                  r45_handle_cb, NULL, r45_ff);
    return NULL;
}

static void *r45_remover_main(void *arg)
{
    (void)arg;
    r45_rc[0] = evref_remove_timeout(r45_ids[0]);
    r45_rc[1] = evref_remove_handle(r45_ids[1]);
    r45_rc[2] = evref_remove_timeout(r45_ids[0]);
    r45_rc[3] = evref_remove_handle(r45_ids[1]);
    return NULL;
}

/* R45, R4, R7, R8: failures come back as return codes: add with fd -1,
 * without a callback or without memory returns -1, remove of a bad id
 * returns -1, update of a bad id does nothing, and every one of these calls
 * returns; afterwards another thread's add and remove still work at once
 * (no lock was left held), and none of the failed calls ever leads to a
 * callback or ff, because libvirt calls the impl with object locks held and
 * cannot recover from a failure that does not return. */
START_TEST(failures_are_return_codes)
{
    pthread_t th;

    real_time(5);
    atomic_store(&r45_bad_calls, 0);
    atomic_store(&r45_calls, 0);
    atomic_store(&r45_ffs, 0);
    make_pipe(r45_fds);
    write_byte(r45_fds[1]);

    start_thread(&th, r45_failing_calls_main, NULL);
    ck_assert_msg(join_within(th, STUCK_MS),
                  "the failing calls did not all return within %d ms", STUCK_MS);
    for (int i = 0; i < R45_NFAIL; i++)
        ck_assert_msg(r45_fail_rc[i] == -1,
                      "failing call %d returned %d, expected -1", i, r45_fail_rc[i]);

    start_thread(&th, r45_adder_main, NULL);
    ck_assert_msg(join_within(th, STUCK_MS),
                  "add from another thread blocked after the failed calls");
    ck_assert_msg(r45_ids[0] > 0 && r45_ids[1] > 0,
                  "add from another thread after the failures returned %d and %d",
                  r45_ids[0], r45_ids[1]);
    for (int i = 0; i < 3; i++)
        run_once_ok();
    ck_assert_msg(atomic_load(&r45_calls) >= 2,
                  "the other thread's timer and watch were called %d times",
                  atomic_load(&r45_calls));

    start_thread(&th, r45_remover_main, NULL);
    ck_assert_msg(join_within(th, STUCK_MS),
                  "remove from another thread blocked after the failed calls");
    ck_assert_msg(r45_rc[0] == 0 && r45_rc[1] == 0 && r45_rc[2] == -1 && r45_rc[3] == -1,
                  "removes from another thread returned %d %d, then %d %d; "
                  "expected 0 0, then -1 -1", r45_rc[0], r45_rc[1], r45_rc[2], r45_rc[3]);
    for (int i = 0; i < 3; i++)
        run_once_ok();
    ck_assert_msg(atomic_load(&r45_ffs) == 2, "%d ffs for the 2 removed registrations",
                  atomic_load(&r45_ffs));
    ck_assert_msg(atomic_load(&r45_bad_calls) == 0,
                  "%d callbacks or ffs for failed adds or bad ids",
                  atomic_load(&r45_bad_calls));
}
END_TEST

Suite *threads_suite(void)
{
    Suite *s = suite_create("threads");

    add_test(s, concurrent_operations_from_threads);
    add_test(s, wake_on_timer_change_from_thread);
    add_test(s, wake_on_handle_change_from_thread);
    add_test(s, wake_on_remove_from_thread);
    add_test(s, no_deadlock_with_callbacks_and_threads_calling_in);
    add_test(s, ff_waits_for_callback_removed_by_thread);
    add_test(s, failures_are_return_codes);
    return s;
}
