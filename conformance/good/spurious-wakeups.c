/*
 * spurious-wakeups.c - keeps every rule, and wakes up for nothing.
 *
 * Some waits end at once, as they do in a loop whose self-pipe is written
 * on every change (the loop thread's own included) or when a signal cuts
 * poll(2) short: the wait after every change, and every third wait.  The
 * iteration still does its whole job (due timers, 0 ms timers, ready fds,
 * pending frees): it only does not wait for the next deadline.  The
 * contract says nothing about how many iterations a loop takes to reach a
 * deadline, so a suite that counts fires or frees per iteration, or
 * expects a timer within a given number of iterations, fails this loop
 * wrongly.
 */
#include <stdatomic.h>
#include "wrap.h"

static atomic_bool changed;

/* The wait: cut to nothing after a change and every third time. */
static int spurious_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    static unsigned long waits;

    (void)ctx;
    if (timeout_ms != 0 && (atomic_exchange(&changed, false) || ++waits % 3 == 0))
        timeout_ms = 0;
    return poll(fds, nfds, timeout_ms);
}

static int register_loop(void)
{
    return wrap_register_sys(NULL, spurious_poll);
}

static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    atomic_store(&changed, true);
    return wrap_add_handle(fd, events, cb, opaque, ff);
}

static void update_handle(int watch, int events)
{
    atomic_store(&changed, true);
    wrap_update_handle(watch, events);
}

static int remove_handle(int watch)
{
    atomic_store(&changed, true);
    return wrap_remove_handle(watch);
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    atomic_store(&changed, true);
    return wrap_add_timeout(ms, cb, opaque, ff);
}

static void update_timeout(int timer, int ms)
{
    atomic_store(&changed, true);
    wrap_update_timeout(timer, ms);
}

static int remove_timeout(int timer)
{
    atomic_store(&changed, true);
    return wrap_remove_timeout(timer);
}

const struct wrap_hooks wrap_hooks = {
    .name = "good: spurious wake-ups (keeps every rule)",
    .register_loop = register_loop,
    .add_handle = add_handle,
    .update_handle = update_handle,
    .remove_handle = remove_handle,
    .add_timeout = add_timeout,
    .update_timeout = update_timeout,
    .remove_timeout = remove_timeout,
};
