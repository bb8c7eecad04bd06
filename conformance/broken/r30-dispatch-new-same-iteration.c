/*
 * r30-dispatch-new-same-iteration.c - breaks R30: after dispatching what
 * it polled, the loop looks again for work that callbacks added or enabled
 * meanwhile (0 ms timers, watches whose fd is ready) and dispatches it in
 * the same iteration, then again for what that work added, up to 100
 * rounds: callbacks that keep enabling each other never let an iteration
 * end.
 */
#include <stdbool.h>
#include <string.h>

#include "wrap.h"

#define MAX_FRESH 256

static struct wrec *fresh[MAX_FRESH];
static int nfresh;

static void note(struct wrec *w)
{
    if (!w || !wrap_dispatching())
        return;
    for (int i = 0; i < nfresh; i++)
        if (fresh[i] == w)
            return;
    if (nfresh < MAX_FRESH)
        fresh[nfresh++] = w;
}

static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    int id = wrap_add_handle(fd, events, cb, opaque, ff);

    if (id >= 0)
        note(wrap_find(id, false));
    return id;
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    int id = wrap_add_timeout(ms, cb, opaque, ff);

    if (id >= 0)
        note(wrap_find(id, true));
    return id;
}

static void update_handle(int watch, int events)
{
    struct wrec *w = wrap_find(watch, false);
    bool enabling = w && !w->removed && w->events == 0 && events != 0;

    wrap_update_handle(watch, events);
    if (enabling)
        note(w);
}

static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);
    bool enabling = w && !w->removed && w->timeout < 0 && ms >= 0;

    wrap_update_timeout(timer, ms);
    if (enabling)
        note(w);
}

static void dispatch_again(struct wrec *w)
{
    int mask;

    if (w->removed)
        return;
    if (w->timer) {
        if (w->timeout == 0) {
            w->calls++;
            wrap_call_timer(w);
        }
        return;
    }
    if (!w->events)
        return;
    mask = wrap_ready_mask(w->fd, w->events);
    if (mask) {
        w->calls++;
        wrap_call_handle(w, w->fd, mask);
    }
}

static int run_once(void)
{
    struct wrec *round[MAX_FRESH];
    int rc, n;

    nfresh = 0;
    rc = wrap_run_once();
    for (int r = 0; r < 100 && nfresh > 0; r++) {
        n = nfresh;
        memcpy(round, fresh, (size_t)n * sizeof(round[0]));
        nfresh = 0;
        for (int i = 0; i < n; i++)
            dispatch_again(round[i]);
    }
    nfresh = 0;
    return rc;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r30-dispatch-new-same-iteration (breaks R30)",
    .add_handle = add_handle,
    .add_timeout = add_timeout,
    .update_handle = update_handle,
    .update_timeout = update_timeout,
    .run_once = run_once,
};
