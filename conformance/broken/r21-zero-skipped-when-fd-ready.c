/*
 * r21-zero-skipped-when-fd-ready.c - breaks R21: a 0 ms timer is idle
 * work, run only in iterations in which no fd was ready, as in a loop
 * whose "idle" queue runs when the wait found nothing.  A busy fd then
 * holds the 0 ms timer back for as long as it stays busy; libvirt's
 * stream timer sits at 0 while the connection's socket is busy.
 */
#include "wrap.h"

static bool fd_ready;           /* this iteration's wait found a watch */

static int ready_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    int rc;

    (void)ctx;
    rc = poll(fds, nfds, timeout_ms);
    /* Entry 0 is the reference's wake-up pipe (reference/loop.c). */
    if (rc > (nfds > 0 && fds[0].revents ? 1 : 0))
        fd_ready = true;
    return rc;
}

static void timer_dispatch(struct wrec *w)
{
    if (w->timeout == 0 && fd_ready)
        return;
    wrap_call_timer(w);
}

static int run_once(void)
{
    fd_ready = false;
    return wrap_run_once();
}

static int register_loop(void)
{
    return wrap_register_sys(NULL, ready_poll);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r21-zero-skipped-when-fd-ready (breaks R21)",
    .register_loop = register_loop,
    .run_once = run_once,
    .timer_dispatch = timer_dispatch,
};
