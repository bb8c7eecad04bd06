/*
 * wake-retries.c - keeps every rule, and does not end an iteration that
 * was woken for nothing.
 *
 * When another thread changes something, the loop's wait ends (R43) and
 * the change takes effect in the iteration after the wake-up.  This loop
 * goes further: when its wait ended only because of such a wake-up, and
 * the pass found nothing to call (no callback, no free callback), it plans
 * again from the new state and waits again, inside the same iteration.
 * The change then takes effect in the iteration that was woken, earlier
 * than R43 requires, and a change with nothing to deliver (a longer
 * timeout, a disabling, a remove without a free callback: R43's list)
 * costs the caller no iteration at all.  No rule counts iterations in
 * which nothing happens; R30 is about changes made by callbacks, which
 * still wait for the next iteration.  A suite that expects an iteration to
 * end on every wake-up fails this loop wrongly.
 */

#include "wrap.h"

/* This pass called something; its wait ended on the wake-up pipe alone. */
static bool acted, woken_only;

/* The reference's set starts with its wake-up pipe (reference/loop.c). */
static int retry_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    int rc;

    (void)ctx;
    rc = poll(fds, nfds, timeout_ms);
    woken_only = rc == 1 && nfds > 0 && fds[0].revents != 0;
    return rc;
}

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    acted = true;
    wrap_call_handle(w, fd, events);
}

static void timer_dispatch(struct wrec *w)
{
    acted = true;
    wrap_call_timer(w);
}

static void free_dispatch(struct wrec *w)
{
    acted = true;
    wrap_call_free(w);
}

static int run_once(void)
{
    int rc;

    do {
        acted = woken_only = false;
        rc = wrap_run_once();
    } while (rc == 0 && woken_only && !acted);
    return rc;
}

static int register_loop(void)
{
    return wrap_register_sys(NULL, retry_poll);
}

const struct wrap_hooks wrap_hooks = {
    .name = "good: a wake-up with nothing to do waits again "
            "(keeps every rule)",
    .register_loop = register_loop,
    .run_once = run_once,
    .handle_dispatch = handle_dispatch,
    .timer_dispatch = timer_dispatch,
    .free_dispatch = free_dispatch,
};
