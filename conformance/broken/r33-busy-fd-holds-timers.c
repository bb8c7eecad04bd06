/*
 * r33-busy-fd-holds-timers.c - breaks R33: a timer that falls due while
 * a fd is ready waits until an iteration finds no fd ready, as in a loop
 * that runs I/O first and leaves timers to its quiet passes.  A watch that
 * is ready in every iteration (a busy socket, data the callback leaves
 * unread) then stalls every positive timer: keepalive, retries, event
 * flushes.  0 ms timers keep firing (R21), and a held timer fires once,
 * late, as soon as a pass is quiet.
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

/* The reference has re-armed w for its next period; a held timer is put
 * back to fire at once, in the first quiet pass. */
static void timer_dispatch(struct wrec *w)
{
    if (w->timeout > 0 && fd_ready) {
        evref_update_timeout(w->inner, 0);
        w->priv = (void *)1;
        return;
    }
    if (w->priv) {
        w->priv = NULL;
        evref_update_timeout(w->inner, w->timeout);
    }
    wrap_call_timer(w);
}

/* A user's update ends any hold. */
static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);

    if (w)
        w->priv = NULL;
    wrap_update_timeout(timer, ms);
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
    .name = "broken: r33-busy-fd-holds-timers (breaks R33)",
    .register_loop = register_loop,
    .run_once = run_once,
    .timer_dispatch = timer_dispatch,
    .update_timeout = update_timeout,
};
