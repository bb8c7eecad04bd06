/*
 * r22-disable-after-next-fire.c - breaks R22: disabling a timer whose
 * period is running only marks it; it stays armed, fires once more when
 * the period ends, and is disarmed after that call.
 */
#include <stddef.h>

#include "wrap.h"

#define PENDING ((void *)1)

static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);

    if (w && !w->removed && ms < 0 && w->timeout > 0) {
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
    bool pending = w->priv == PENDING;

    w->priv = NULL;
    wrap_call_timer(w);
    if (pending && !w->removed && w->timeout < 0)
        evref_update_timeout(w->inner, w->timeout);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r22-disable-after-next-fire (breaks R22)",
    .update_timeout = update_timeout,
    .timer_dispatch = timer_dispatch,
};
