/*
 * r8-update-unknown-hits-last.c - breaks R8: an update whose id matches no
 * registration is applied to the most recently added live registration of
 * that kind (a lookup that falls back to "the current one").  A stale or
 * bogus id from libvirt then silences, re-arms or wakes an unrelated watch
 * or timer.
 */
#include <stddef.h>

#include "wrap.h"

static struct wrec *last_live(bool timer)
{
    for (int i = wrap_count() - 1; i >= 0; i--) {
        struct wrec *w = wrap_at(i);
        if (w->timer == timer && w->inner > 0 && !w->removed)
            return w;
    }
    return NULL;
}

static void update_handle(int watch, int events)
{
    struct wrec *w = wrap_find(watch, false);

    if (!w)
        w = last_live(false);
    wrap_update_handle(w ? w->id : watch, events);
}

static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);

    if (!w)
        w = last_live(true);
    wrap_update_timeout(w ? w->id : timer, ms);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: update-unknown-hits-last (breaks R8)",
    .update_handle = update_handle,
    .update_timeout = update_timeout,
};
