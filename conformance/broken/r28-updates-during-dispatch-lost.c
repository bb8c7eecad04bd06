/*
 * r28-updates-during-dispatch-lost.c - breaks R28: the loop dispatches from
 * a copy of its table and writes the copy back when the iteration ends, so
 * what callbacks changed in other registrations (enabled, disabled,
 * re-timed) is lost; only the running registration's own changes survive.
 */
#include <stdbool.h>
#include <stddef.h>

#include "wrap.h"

#define MAX_SAVED 256

static struct { struct wrec *w; int value; } saved[MAX_SAVED];
static int nsaved;

static void save(struct wrec *w)
{
    if (!w || w->removed || w == wrap_running() || !wrap_dispatching())
        return;
    for (int i = 0; i < nsaved; i++)
        if (saved[i].w == w)
            return;
    if (nsaved < MAX_SAVED) {
        saved[nsaved].w = w;
        saved[nsaved].value = w->timer ? w->timeout : w->events;
        nsaved++;
    }
}

static void update_handle(int watch, int events)
{
    save(wrap_find(watch, false));
    wrap_update_handle(watch, events);
}

static void update_timeout(int timer, int ms)
{
    save(wrap_find(timer, true));
    wrap_update_timeout(timer, ms);
}

static int run_once(void)
{
    int rc = wrap_run_once();

    for (int i = 0; i < nsaved; i++) {
        struct wrec *w = saved[i].w;
        if (w->removed)
            continue;
        if (w->timer)
            evref_update_timeout(w->inner, saved[i].value);
        else
            evref_update_handle(w->inner, saved[i].value);
    }
    nsaved = 0;
    return rc;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r28-updates-during-dispatch-lost (breaks R28)",
    .update_handle = update_handle,
    .update_timeout = update_timeout,
    .run_once = run_once,
};
