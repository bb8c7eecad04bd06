/*
 * r27-sync-callback-in-update.c - breaks R27: an update that makes a timer
 * due (0 ms) or enables a watch whose fd is ready runs the callback at
 * once, from inside update, where libvirt holds the locks that callback
 * takes.
 */
#include <stddef.h>

#include "wrap.h"

static void update_handle(int watch, int events)
{
    struct wrec *w = wrap_find(watch, false);
    int mask;

    wrap_update_handle(watch, events);
    if (!w || w->removed || !events)
        return;
    mask = wrap_ready_mask(w->fd, events);
    if (mask)
        wrap_call_handle(w, w->fd, mask);
}

static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);

    wrap_update_timeout(timer, ms);
    if (w && !w->removed && ms == 0)
        wrap_call_timer(w);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r27-sync-callback-in-update (breaks R27)",
    .update_handle = update_handle,
    .update_timeout = update_timeout,
};
