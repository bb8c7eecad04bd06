/*
 * r23-update-keeps-deadline.c - breaks R23: updating an enabled timer to
 * another non-negative timeout keeps the wait that is running; the new
 * period only applies from the next expiry on.  Enabling a disabled timer
 * and disabling work.
 */
#include <stddef.h>

#include "wrap.h"

#define PENDING ((void *)1)

static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);

    if (w && !w->removed && w->timeout >= 0 && ms >= 0) {
        w->timeout = ms;
        w->priv = PENDING;
        return;
    }
    if (w)
        w->priv = NULL;
    wrap_update_timeout(timer, ms);
}

static void timer_dispatch(struct wrec *w)
{
    wrap_call_timer(w);
    if (w->priv == PENDING && !w->removed) {
        w->priv = NULL;
        evref_update_timeout(w->inner, w->timeout);
    }
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r23-update-keeps-deadline (breaks R23)",
    .update_timeout = update_timeout,
    .timer_dispatch = timer_dispatch,
};
