/*
 * r31-disable-ignored-during-dispatch.c - breaks R31: a callback that
 * disables a registration (events 0, a negative timeout) only records the
 * change; the loop applies it when the iteration ends, so a registration
 * it had already found ready or due is still dispatched in that iteration.
 */
#include <stdbool.h>

#include "wrap.h"

#define MAX_PENDING 256

static struct wrec *pending[MAX_PENDING];
static int npending;

static void forget(struct wrec *w)
{
    for (int i = 0; i < npending; i++)
        if (pending[i] == w)
            pending[i] = pending[--npending];
}

static bool defer(struct wrec *w)
{
    forget(w);
    if (npending == MAX_PENDING)
        return false;
    pending[npending++] = w;
    return true;
}

static void update_handle(int watch, int events)
{
    struct wrec *w = wrap_find(watch, false);

    if (w && !w->removed && wrap_dispatching()) {
        if (events == 0 && defer(w)) {
            w->events = 0;
            return;
        }
        forget(w);
    }
    wrap_update_handle(watch, events);
}

static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);

    if (w && !w->removed && wrap_dispatching()) {
        if (ms < 0 && defer(w)) {
            w->timeout = ms;
            return;
        }
        forget(w);
    }
    wrap_update_timeout(timer, ms);
}

static int run_once(void)
{
    int rc = wrap_run_once();

    for (int i = 0; i < npending; i++) {
        struct wrec *w = pending[i];
        if (w->removed)
            continue;
        if (w->timer)
            evref_update_timeout(w->inner, w->timeout);
        else
            evref_update_handle(w->inner, w->events);
    }
    npending = 0;
    return rc;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r31-disable-ignored-during-dispatch (breaks R31)",
    .update_handle = update_handle,
    .update_timeout = update_timeout,
    .run_once = run_once,
};
