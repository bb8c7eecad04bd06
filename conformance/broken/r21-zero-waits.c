/*
 * r21-zero-waits.c - breaks R21: 0 ms is taken for "no timeout".  Such a
 * timer is left out of the loop's wait and only run after the wait ends for
 * some other reason, so with nothing else to do the loop blocks, and next
 * to other work each fire waits for that work.
 */
#include "wrap.h"

static int no_timeout(int ms)
{
    return ms == 0 ? -1 : ms;
}

static int run_once(void)
{
    int rc = wrap_run_once();
    int n = wrap_count();

    for (int i = 0; i < n; i++) {
        struct wrec *w = wrap_at(i);
        if (w->timer && !w->removed && w->timeout == 0) {
            w->calls++;
            wrap_call_timer(w);
        }
    }
    return rc;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r21-zero-waits (breaks R21)",
    .loop_timeout = no_timeout,
    .run_once = run_once,
};
