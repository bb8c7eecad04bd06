/*
 * coalesce-timers.c - keeps every rule, and when it wakes for a timer
 * fires every timer due within the next 15 ms with it.
 *
 * R26 lets a loop fire a timer up to 20 ms early, as libvirt's poll(2)
 * loop did for the timers due before its next wake-up.  This loop does so
 * only to save wake-ups: when a wait ends because its timeout ran out, the
 * timers due within COALESCE_MS are fired in the same pass.  Otherwise
 * (a fd ready, a wake-up from another thread, a 0 ms timer) timers fire
 * when due.  Each fired timer's period runs from its call, on the true
 * clock (R25), so early fires never add up: no fire is ever earlier than
 * N - 20 ms after the call before it (R20).  Unlike early-timers.c, how
 * early a timer fires depends on its neighbours; a suite that expects
 * timers to keep their phase, or a fixed offset, fails this loop wrongly.
 */
#include <pthread.h>
#include <time.h>

#include "wrap.h"

#define COALESCE_NS (15 * 1000000LL)

/* Set when this iteration's wait timed out; only the loop thread uses it. */
static bool timed_out;
/* A free callback runs: it reads the true clock, as callbacks do. */
static bool in_free;

/* Ahead by COALESCE_NS while the loop picks its due timers after a wait
 * that timed out: on the loop thread, inside an iteration, outside any
 * callback or free callback.  Adds and updates, in callbacks, free
 * callbacks or on other threads, read the true clock. */
static int64_t coalesce_now_ns(void *ctx)
{
    struct timespec ts;
    int64_t ns;

    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    return timed_out && !in_free && wrap_dispatching() && !wrap_running() ?
           ns + COALESCE_NS : ns;
}

static int coalesce_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    int rc;

    (void)ctx;
    rc = poll(fds, nfds, timeout_ms);
    if (rc == 0 && timeout_ms > 0)
        timed_out = true;
    return rc;
}

/* Orders the re-arm below with updates from other threads, so that it
 * never undoes one (R23, R24). */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void update_timeout(int timer, int ms)
{
    pthread_mutex_lock(&lock);
    wrap_update_timeout(timer, ms);
    pthread_mutex_unlock(&lock);
}

/* The reference re-armed w from the early clock: its period runs from
 * this call instead, on the true clock (R20, R25). */
static void timer_dispatch(struct wrec *w)
{
    pthread_mutex_lock(&lock);
    if (timed_out && !w->removed && w->timeout > 0)
        evref_update_timeout(w->inner, w->timeout);
    pthread_mutex_unlock(&lock);
    wrap_call_timer(w);
}

static void free_dispatch(struct wrec *w)
{
    in_free = true;
    wrap_call_free(w);
    in_free = false;
}

static int run_once(void)
{
    int rc = wrap_run_once();

    timed_out = false;
    return rc;
}

static int register_loop(void)
{
    return wrap_register_sys(coalesce_now_ns, coalesce_poll);
}

const struct wrap_hooks wrap_hooks = {
    .name = "good: timers due within 15 ms fire with the one that woke the "
            "loop (keeps every rule)",
    .register_loop = register_loop,
    .run_once = run_once,
    .update_timeout = update_timeout,
    .timer_dispatch = timer_dispatch,
    .free_dispatch = free_dispatch,
};
