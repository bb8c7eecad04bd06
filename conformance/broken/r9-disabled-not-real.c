/*
 * r9-disabled-not-real.c - breaks R9: a registration added disabled (events
 * 0, timeout < 0) gets an id but no backend object, and update only changes
 * backend objects that exist, so it can never be enabled.  libvirt adds its
 * event-state and stream timers at -1 and enables them later: they never
 * fire, and queued domain events are never delivered.
 */
#include <stdint.h>

#include "wrap.h"

#define HOLLOW ((void *)(uintptr_t)1)

static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    int id = wrap_add_handle(fd, events, cb, opaque, ff);

    if (id > 0 && events == 0)
        wrap_find(id, false)->priv = HOLLOW;
    return id;
}

static void update_handle(int watch, int events)
{
    struct wrec *w = wrap_find(watch, false);

    if (w && w->priv == HOLLOW)
        return;
    wrap_update_handle(watch, events);
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    int id = wrap_add_timeout(ms, cb, opaque, ff);

    if (id > 0 && ms < 0)
        wrap_find(id, true)->priv = HOLLOW;
    return id;
}

static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);

    if (w && w->priv == HOLLOW)
        return;
    wrap_update_timeout(timer, ms);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: disabled-not-real (breaks R9)",
    .add_handle = add_handle,
    .update_handle = update_handle,
    .add_timeout = add_timeout,
    .update_timeout = update_timeout,
};
