/*
 * r23-same-value-ignored.c - breaks R23: an update that sets the value a
 * timer already has is skipped as a no-op, so it does not restart the
 * period (keepalive's "push the next ping back" is lost).
 */
#include <stddef.h>

#include "wrap.h"

static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);

    if (w && !w->removed && w->timeout == ms)
        return;
    wrap_update_timeout(timer, ms);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r23-same-value-ignored (breaks R23)",
    .update_timeout = update_timeout,
};
