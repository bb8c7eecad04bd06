/*
 * r8-update-resurrects.c - breaks R8: an update of a removed handle or timer
 * sets up a fresh backend object for it, as libvirt-glib did before 3e73e0c
 * (the removal is deferred, and the update found the record still there).
 * The removed registration comes back to life and its callback runs again
 * after libvirt has let go of its data.
 */
#include <stddef.h>

#include "wrap.h"

static void update_handle(int watch, int events)
{
    struct wrec *w = wrap_find(watch, false);
    int inner;

    if (!w || !w->removed || !events) {
        wrap_update_handle(watch, events);
        return;
    }
    inner = wrap_add_handle(w->fd, events, w->hcb, w->opaque, NULL);
    if (inner > 0)
        wrap_find(inner, false)->id = watch;
}

static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);
    int inner;

    if (!w || !w->removed || ms < 0) {
        wrap_update_timeout(timer, ms);
        return;
    }
    inner = wrap_add_timeout(ms, w->tcb, w->opaque, NULL);
    if (inner > 0)
        wrap_find(inner, true)->id = timer;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: update-resurrects (breaks R8)",
    .update_handle = update_handle,
    .update_timeout = update_timeout,
};
