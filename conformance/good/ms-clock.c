/*
 * ms-clock.c - keeps every rule, on a clock read in whole milliseconds and
 * cached between the loop's own steps.
 *
 * libuv reads its clock in whole milliseconds once per iteration, and the
 * contract names it as a loop that is late by design (R20's late bound).
 * This loop's clock is truncated to the millisecond, so a deadline set at
 * 10.9 ms for 50 ms is 60 ms (0.9 ms early: R26) and a timer due at 60 ms
 * fires when the clock reads 60, up to 1 ms after (R20's late bound).  On
 * the loop thread, between callbacks, it reads a cached value, taken when
 * the wait returns and again when each callback or free callback returns
 * (during the wait, and in callbacks, it reads afresh),
 * so a slow callback never leaves a later timer re-armed in the past
 * (R25).  Callbacks and other threads read the clock afresh (R20: a
 * deadline counts from the add or update that set it).  A suite that
 * expects sub-millisecond precision, or a fire exactly at the deadline,
 * fails this loop wrongly.
 */
#include <stdatomic.h>
#include <time.h>

#include "wrap.h"

#define NS_PER_MS 1000000LL

/* The loop thread's cached reading; 0 before the first. */
static _Atomic int64_t cached_ns;
/* A free callback is running: it reads the clock afresh, as callbacks do. */
static bool in_free;

static int64_t ms_clock_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 * NS_PER_MS + ts.tv_nsec / NS_PER_MS * NS_PER_MS;
}

static void refresh(void)
{
    atomic_store(&cached_ns, ms_clock_ns());
}

static int64_t cached_now_ns(void *ctx)
{
    (void)ctx;
    if (wrap_dispatching() && !wrap_running() && !in_free &&
        atomic_load(&cached_ns) > 0)
        return atomic_load(&cached_ns);
    return ms_clock_ns();
}

static int cached_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    int rc;

    (void)ctx;
    atomic_store(&cached_ns, 0);        /* whoever acts meanwhile reads afresh */
    rc = poll(fds, nfds, timeout_ms);
    refresh();
    return rc;
}

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    wrap_call_handle(w, fd, events);
    refresh();
}

static void timer_dispatch(struct wrec *w)
{
    wrap_call_timer(w);
    refresh();
}

static void free_dispatch(struct wrec *w)
{
    in_free = true;
    wrap_call_free(w);
    in_free = false;
    refresh();
}

static int run_once(void)
{
    refresh();
    return wrap_run_once();
}

static int register_loop(void)
{
    return wrap_register_sys(cached_now_ns, cached_poll);
}

const struct wrap_hooks wrap_hooks = {
    .name = "good: a millisecond clock, cached between callbacks "
            "(keeps every rule)",
    .register_loop = register_loop,
    .run_once = run_once,
    .handle_dispatch = handle_dispatch,
    .timer_dispatch = timer_dispatch,
    .free_dispatch = free_dispatch,
};
