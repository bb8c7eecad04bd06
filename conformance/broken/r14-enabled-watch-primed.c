/*
 * r14-enabled-watch-primed.c - breaks R14: a watch whose events go from 0
 * to some gets one more call, queued at the update and run at the end of
 * the next iteration (as an idle "kick"), with the events it asks for,
 * whether or not its fd has them: a loop that primes a re-enabled watch so
 * that the handler drains whatever arrived while it was parked.  A libvirt
 * handler re-enabled when its queue empties then reads from a socket with
 * nothing to read, after it had already drained it.
 */
#include <stddef.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

#include "wrap.h"

#define QUEUED ((void *)(uintptr_t)1)   /* the update happened */
#define DUE ((void *)(uintptr_t)2)      /* the kick runs this iteration */

static void update_handle(int watch, int events)
{
    struct wrec *w = wrap_find(watch, false);
    int was = w ? w->events : 0;

    wrap_update_handle(watch, events);
    if (w && !was && events)
        w->priv = QUEUED;
}

/* The kick comes after the iteration's own calls, one iteration after
 * the one the update happened in. */
static int run_once(void)
{
    int rc = wrap_run_once(), n = wrap_count();

    wrap_call_primed(DUE);
    for (int i = 0; i < n; i++)
        if (wrap_at(i)->priv == QUEUED)
            wrap_at(i)->priv = DUE;
    return rc;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r14-enabled-watch-primed (breaks R14)",
    .update_handle = update_handle,
    .run_once = run_once,
};
