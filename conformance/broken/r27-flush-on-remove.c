/*
 * r27-flush-on-remove.c - breaks R27: before removing a registration,
 * remove delivers what is pending for it (a ready fd, a 0 ms timer) by
 * calling its callback from inside remove, where libvirt holds the lock
 * that callback takes.
 */
#include <stddef.h>

#include "wrap.h"

static int remove_handle(int watch)
{
    struct wrec *w = wrap_find(watch, false);

    if (w && !w->removed && w->events) {
        int mask = wrap_ready_mask(w->fd, w->events);
        if (mask)
            wrap_call_handle(w, w->fd, mask);
    }
    return wrap_remove_handle(watch);
}

static int remove_timeout(int timer)
{
    struct wrec *w = wrap_find(timer, true);

    if (w && !w->removed && w->timeout == 0)
        wrap_call_timer(w);
    return wrap_remove_timeout(timer);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r27-flush-on-remove (breaks R27)",
    .remove_handle = remove_handle,
    .remove_timeout = remove_timeout,
};
