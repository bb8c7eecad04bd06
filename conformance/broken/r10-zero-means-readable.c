/*
 * r10-zero-means-readable.c - breaks R10: a watch added or updated with
 * events 0 is watched for READABLE, as a binding does that takes 0 for
 * "no preference" and fills in its toolkit's default condition.  libvirt
 * adds and parks watches at 0 while it is not ready to read (a client
 * still being set up, a stream paused), and their handlers then run on
 * data nobody asked for.
 */
#include <stddef.h>

#include <libvirt/libvirt.h>

#include "wrap.h"

static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    int id = wrap_add_handle(fd, events, cb, opaque, ff);
    struct wrec *w = id > 0 ? wrap_find(id, false) : NULL;

    if (w && events == 0)
        evref_update_handle(w->inner, VIR_EVENT_HANDLE_READABLE);
    return id;
}

static void update_handle(int watch, int events)
{
    struct wrec *w = wrap_find(watch, false);

    wrap_update_handle(watch, events);
    if (w && !w->removed && events == 0)
        evref_update_handle(w->inner, VIR_EVENT_HANDLE_READABLE);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r10-zero-means-readable (breaks R10)",
    .add_handle = add_handle,
    .update_handle = update_handle,
};
