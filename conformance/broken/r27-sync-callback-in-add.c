/*
 * r27-sync-callback-in-add.c - breaks R27: add delivers at once what is
 * already there to deliver (a 0 ms timer, an fd that poll(2) reports
 * ready), calling the callback from inside add, where libvirt holds the
 * locks that callback takes.
 */
#include <poll.h>
#include <stddef.h>

#include "wrap.h"

static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    int id = wrap_add_handle(fd, events, cb, opaque, ff);
    int mask;

    if (id < 0 || !events)
        return id;
    mask = wrap_ready_mask(fd, events);
    if (mask)
        wrap_call_handle(wrap_find(id, false), fd, mask);
    return id;
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    int id = wrap_add_timeout(ms, cb, opaque, ff);

    if (id >= 0 && ms == 0)
        wrap_call_timer(wrap_find(id, true));
    return id;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r27-sync-callback-in-add (breaks R27)",
    .add_handle = add_handle,
    .add_timeout = add_timeout,
};
