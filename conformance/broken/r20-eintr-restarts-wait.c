/*
 * r20-eintr-restarts-wait.c - breaks R20: a wait cut short by a signal is
 * started again with its whole original timeout, as a loop does that wraps
 * its poll(2) in "while (rc < 0 && errno == EINTR) retry" without taking
 * off the time already waited.  A timer due while the retried wait runs
 * fires late by the time waited before the signal; a loop in a process
 * that gets signals often (SIGCHLD from its helpers) may never fire it.
 */
#include <errno.h>
#include "wrap.h"

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
    return wrap_register_sys(NULL, retrying_poll);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r20-eintr-restarts-wait (breaks R20)",
    .register_loop = register_loop,
};
