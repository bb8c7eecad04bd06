/*
 * r31-hangup-after-disable.c - breaks R31 (and R10's "not even HANGUP or
 * ERROR"): a watch that a callback sets to events 0 loses READABLE and
 * WRITABLE at once, but the loop still hands it the HANGUP or ERROR that
 * the poll of this iteration reported: it tests those bits against the
 * mask it polled with, not against the watch's events now.  libvirt parks
 * a closing client's socket at 0 from another watch's callback, and its
 * handler is then called on a connection it is tearing down.
 */
#include <stdbool.h>

#include "wrap.h"

#define ALWAYS (VIR_EVENT_HANDLE_HANGUP | VIR_EVENT_HANDLE_ERROR)
#define MAX_PENDING 256

/* Watches disabled by a callback of this iteration, whose disabling the
 * reference has not seen yet: it still dispatches them. */
static struct wrec *pending[MAX_PENDING];
static int npending;

static bool forget(struct wrec *w)
{
    for (int i = 0; i < npending; i++)
        if (pending[i] == w) {
            pending[i] = pending[--npending];
            return true;
        }
    return false;
}

/* A disabling from a callback only marks the watch; enabling it again in
 * the same iteration passes both changes on, so that the reference holds
 * it back as enabled during dispatch (R30 is kept). */
static void update_handle(int watch, int events)
{
    struct wrec *w = wrap_find(watch, false);

    if (w && !w->removed && wrap_dispatching()) {
        if (events == 0 && (forget(w) || npending < MAX_PENDING)) {
            pending[npending++] = w;
            w->events = 0;
            w->updates++;
            return;
        }
        if (forget(w))
            wrap_update_handle(watch, 0);
    }
    wrap_update_handle(watch, events);
}

/* The poll result's HANGUP and ERROR go to a watch disabled since, its
 * READABLE and WRITABLE do not. */
static void handle_dispatch(struct wrec *w, int fd, int events)
{
    if (w->events == 0)
        events &= ALWAYS;
    if (events)
        wrap_call_handle(w, fd, events);
}

static int run_once(void)
{
    int rc = wrap_run_once();

    for (int i = 0; i < npending; i++)
        if (!pending[i]->removed)
            evref_update_handle(pending[i]->inner, 0);
    npending = 0;
    return rc;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: hangup-after-disable (breaks R31)",
    .update_handle = update_handle,
    .handle_dispatch = handle_dispatch,
    .run_once = run_once,
};
