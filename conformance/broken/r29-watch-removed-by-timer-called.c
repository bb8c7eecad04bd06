/*
 * r29-watch-removed-by-timer-called.c - breaks R29: a watch removed by a
 * timer callback is still called in that iteration if its fd was ready.
 * The loop keeps one "removed" check per kind: handle callbacks that
 * remove watches, and timer callbacks that remove timers, are seen at
 * once; a remove of a watch made while timers run reaches the handle
 * table only when the iteration ends.  remove returns 0 at once, and a
 * second remove -1; the free callback comes after the late call.
 */
#include <stdint.h>

#include "wrap.h"

#define MAX_PENDING 4096
#define PENDING ((void *)1)

static struct wrec *pending[MAX_PENDING];
static int npending;

static bool from_timer_callback(void)
{
    struct wrec *r = wrap_running();

    return wrap_dispatching() && r && r->timer;
}

static int remove_handle(int watch)
{
    struct wrec *w = wrap_find(watch, false);

    if (w && w->priv == PENDING)
        return -1;
    if (!w || w->removed || !from_timer_callback() || npending == MAX_PENDING)
        return wrap_remove_handle(watch);
    w->priv = PENDING;
    pending[npending++] = w;
    return 0;
}

static void update_handle(int watch, int events)
{
    struct wrec *w = wrap_find(watch, false);

    if (!w || w->priv != PENDING)
        wrap_update_handle(watch, events);
}

static int run_once(void)
{
    int rc = wrap_run_once();

    for (int i = 0; i < npending; i++)
        wrap_remove_handle(pending[i]->id);
    npending = 0;
    return rc;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r29-watch-removed-by-timer-called (breaks R29)",
    .remove_handle = remove_handle,
    .update_handle = update_handle,
    .run_once = run_once,
};
