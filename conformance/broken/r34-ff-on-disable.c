/*
 * r34-ff-on-disable.c - breaks R34: disabling a registration (events 0,
 * a negative timeout) is treated like removing it as far as its data goes:
 * its free callback runs at the start of the next iteration, although the
 * registration is still live; the later real remove frees nothing more.
 */
#include <stdbool.h>

#include "wrap.h"

#define MAX_QUEUED 256

static struct wrec *queued[MAX_QUEUED];
static int nqueued;

static void queue(struct wrec *w)
{
    if (w && !w->removed && !w->freed && w->ff && nqueued < MAX_QUEUED)
        queued[nqueued++] = w;
}

static void update_handle(int watch, int events)
{
    if (events == 0)
        queue(wrap_find(watch, false));
    wrap_update_handle(watch, events);
}

static void update_timeout(int timer, int ms)
{
    if (ms < 0)
        queue(wrap_find(timer, true));
    wrap_update_timeout(timer, ms);
}

static int run_once(void)
{
    int n = nqueued;

    nqueued = 0;
    for (int i = 0; i < n; i++)
        wrap_call_free(queued[i]);
    return wrap_run_once();
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r34-ff-on-disable (breaks R34)",
    .update_handle = update_handle,
    .update_timeout = update_timeout,
    .run_once = run_once,
};
