/*
 * r33-frees-starved.c - breaks R33: free callbacks are treated as
 * background work, put off while any 0 ms timer is enabled (as long as
 * there is "urgent" work), and run only once none is.
 */
#include "wrap.h"

#define MAX_QUEUED 1024

static struct wrec *queued[MAX_QUEUED];
static int nqueued;

static void free_dispatch(struct wrec *w)
{
    if (wrap_zero_timer_enabled() && nqueued < MAX_QUEUED)
        queued[nqueued++] = w;
    else
        wrap_call_free(w);
}

static int run_once(void)
{
    int rc = wrap_run_once();

    if (!wrap_zero_timer_enabled()) {
        int n = nqueued;
        nqueued = 0;
        for (int i = 0; i < n; i++)
            wrap_call_free(queued[i]);
    }
    return rc;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r33-frees-starved (breaks R33)",
    .free_dispatch = free_dispatch,
    .run_once = run_once,
};
