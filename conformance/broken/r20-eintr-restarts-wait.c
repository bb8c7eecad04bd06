/*
 * r20-eintr-restarts-wait.c - breaks R20: a wait cut short by a signal is
 * started again with its whole original timeout, as a loop does that wraps
 * its poll(2) in "while (rc < 0 && errno == EINTR) retry" without taking
 * off the time already waited.  A timer due while the retried wait runs
 * fires late by the time waited before the signal; a loop in a process
 * that gets signals often (SIGCHLD from its helpers) may never fire it.
 */
#include <errno.h>
#include <time.h>

#include "evref-seam.h"
#include "wrap.h"

static int64_t now_ns(void *ctx)
{
    struct timespec ts;

    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int retrying_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    int rc;

    (void)ctx;
    do
        rc = poll(fds, nfds, timeout_ms);
    while (rc < 0 && errno == EINTR);
    return rc;
}

static int register_loop(void)
{
    static const struct evref_sys sys = { .now_ns = now_ns, .poll = retrying_poll };

    evref_set_sys(&sys);
    return wrap_register();
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r20-eintr-restarts-wait (breaks R20)",
    .register_loop = register_loop,
};
