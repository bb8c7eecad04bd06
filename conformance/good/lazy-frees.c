/*
 * lazy-frees.c - keeps every rule, and runs each free callback one
 * iteration later than the reference.
 *
 * A loop may collect removed registrations during an iteration and free
 * them at the start of the next one, before it waits (GLib's idle sources
 * and libuv's closing handles work this way).  R38 bounds the delay to one
 * or two iterations and forbids blocking while a free is owed; this loop
 * holds every free the reference hands it until its next iteration
 * begins, and never waits first.  A suite that expects a free in the very
 * iteration of its remove fails this loop wrongly.
 */
#include "wrap.h"

#define MAX_HELD 4096           /* taken up front: an iteration needs no memory (R2) */

static struct wrec *held[MAX_HELD];
static int nheld;

static void free_dispatch(struct wrec *w)
{
    if (nheld < MAX_HELD)
        held[nheld++] = w;
    else
        wrap_call_free(w);
}

/* The frees held from the last iteration first, then the iteration; a
 * free callback may remove more, whose frees are held in turn. */
static int run_once(void)
{
    int n = nheld;

    nheld = 0;
    for (int i = 0; i < n; i++)
        wrap_call_free(held[i]);
    return wrap_run_once();
}

/* No sleeping while a free is owed (R38): the wait only looks. */
static int lazy_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    (void)ctx;
    return poll(fds, nfds, nheld > 0 ? 0 : timeout_ms);
}

static int register_loop(void)
{
    return wrap_register_sys(NULL, lazy_poll);
}

const struct wrap_hooks wrap_hooks = {
    .name = "good: free callbacks one iteration late (keeps every rule)",
    .register_loop = register_loop,
    .free_dispatch = free_dispatch,
    .run_once = run_once,
};
