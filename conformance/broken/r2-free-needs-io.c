/*
 * r2-free-needs-io.c - breaks what R2 relies on: the free callback of a
 * registration removed from inside a callback is put off until an iteration
 * in which some fd was ready.  While the application does I/O that looks
 * fine; once it stops (after the last virConnectClose, say) the loop keeps
 * running but those frees never come, and whatever they would release (a
 * socket, a stream) leaks.
 */
#include <stdint.h>

#include "wrap.h"

#define DEFER ((void *)(uintptr_t)1)
#define MAX_DEFERRED 256

static struct wrec *deferred[MAX_DEFERRED];
static int ndeferred;
static bool in_dispatch, io_seen;

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    io_seen = true;
    in_dispatch = true;
    wrap_call_handle(w, fd, events);
    in_dispatch = false;
}

static void timer_dispatch(struct wrec *w)
{
    in_dispatch = true;
    wrap_call_timer(w);
    in_dispatch = false;
}

static int remove_handle(int watch)
{
    struct wrec *w = wrap_find(watch, false);
    int rc = wrap_remove_handle(watch);

    if (rc == 0 && in_dispatch)
        w->priv = DEFER;
    return rc;
}

static int remove_timeout(int timer)
{
    struct wrec *w = wrap_find(timer, true);
    int rc = wrap_remove_timeout(timer);

    if (rc == 0 && in_dispatch)
        w->priv = DEFER;
    return rc;
}

static void free_dispatch(struct wrec *w)
{
    if (w->priv == DEFER && ndeferred < MAX_DEFERRED)
        deferred[ndeferred++] = w;
    else
        wrap_call_free(w);
}

static int run_once(void)
{
    int rc;

    io_seen = false;
    rc = wrap_run_once();
    if (io_seen) {
        while (ndeferred > 0)
            wrap_call_free(deferred[--ndeferred]);
    }
    return rc;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: free-needs-io (breaks R2)",
    .handle_dispatch = handle_dispatch,
    .timer_dispatch = timer_dispatch,
    .remove_handle = remove_handle,
    .remove_timeout = remove_timeout,
    .free_dispatch = free_dispatch,
    .run_once = run_once,
};
