/*
 * r31-watch-disabled-by-timer-called.c - breaks R31: a ready watch set to
 * events 0 by a timer callback is still called in that iteration (with
 * the bits the poll found).  The loop rechecks a watch's events before
 * calling it, but updates made while timers run are queued for the handle
 * table and applied when the iteration ends, so only handle callbacks'
 * changes are seen in time.  Every update still takes effect by the next
 * iteration.
 */
#include "wrap.h"

#define MAX_PENDING 4096

static struct { int watch, events; } pending[MAX_PENDING];
static int npending;

static void update_handle(int watch, int events)
{
    struct wrec *r = wrap_running();

    if (wrap_dispatching() && r && r->timer && npending < MAX_PENDING) {
        pending[npending].watch = watch;
        pending[npending].events = events;
        npending++;
        return;
    }
    wrap_update_handle(watch, events);
}

static int run_once(void)
{
    int rc = wrap_run_once();

    for (int i = 0; i < npending; i++)
        wrap_update_handle(pending[i].watch, pending[i].events);
    npending = 0;
    return rc;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r31-watch-disabled-by-timer-called (breaks R31)",
    .update_handle = update_handle,
    .run_once = run_once,
};
