/*
 * r12-extra-bits.c - breaks R12: the loop always polls for reading and
 * writing and passes on everything poll(2) reports, so a WRITABLE-only
 * watch is told READABLE (and the other way round).  libvirt's handlers act
 * on every bit they get: a read on a socket that was only meant to be
 * written.
 */
#include "wrap.h"

#define RW (VIR_EVENT_HANDLE_READABLE | VIR_EVENT_HANDLE_WRITABLE)

static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    int id = wrap_add_handle(fd, events ? events | RW : 0, cb, opaque, ff);

    if (id > 0)
        wrap_find(id, false)->events = events;
    return id;
}

static void update_handle(int watch, int events)
{
    struct wrec *w = wrap_find(watch, false);

    wrap_update_handle(watch, events ? events | RW : 0);
    if (w && !w->removed)
        w->events = events;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: extra-bits (breaks R12)",
    .add_handle = add_handle,
    .update_handle = update_handle,
};
