/*
 * r13-redispatch-until-quiet.c - breaks R13: after dispatching, the loop
 * looks at its watches once more and calls each one that is still ready
 * again, in the same iteration, as loops do that "drain" readiness before
 * they wait.  A handler that reads one message per call is then called
 * twice per wake-up, and libvirt's, which expect one call per iteration
 * carrying every pending bit, see the same condition twice.
 */
#include "wrap.h"

static int run_once(void)
{
    int rc = wrap_run_once(), n = wrap_count();

    for (int i = 0; i < n; i++) {
        struct wrec *w = wrap_at(i);
        int mask;

        if (w->timer || w->removed || w->events == 0)
            continue;
        mask = wrap_ready_mask(w->fd, w->events);
        if (mask)
            wrap_call_handle(w, w->fd, mask);
    }
    return rc;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r13-redispatch-until-quiet (breaks R13)",
    .run_once = run_once,
};
