/*
 * r38-ff-only-on-next-wakeup.c - breaks R38: free callbacks are queued and
 * only run after the loop has dispatched some callback, so with nothing
 * else happening they wait for an unrelated timer or fd.
 */
#include "wrap.h"

#define MAX_QUEUED 1024

static struct wrec *queued[MAX_QUEUED];
static int nqueued;

static void flush(void)
{
    int n = nqueued;

    nqueued = 0;
    for (int i = 0; i < n; i++)
        wrap_call_free(queued[i]);
}

static void free_dispatch(struct wrec *w)
{
    if (nqueued < MAX_QUEUED)
        queued[nqueued++] = w;
    else
        wrap_call_free(w);
}

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    wrap_call_handle(w, fd, events);
    flush();
}

static void timer_dispatch(struct wrec *w)
{
    wrap_call_timer(w);
    flush();
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r38-ff-only-on-next-wakeup (breaks R38)",
    .free_dispatch = free_dispatch,
    .handle_dispatch = handle_dispatch,
    .timer_dispatch = timer_dispatch,
};
