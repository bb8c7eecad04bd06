/*
 * r14-high-fds-unpolled.c - breaks R14: fds above 1023 are accepted but
 * never polled, as in a loop that keeps readiness in select(2)'s fd_set and
 * skips what does not fit.  The add succeeds, so nobody notices until the
 * busy daemon's 1024th connection stops being served.
 */
#include "wrap.h"

static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    return wrap_add_handle(fd, fd >= 1024 ? 0 : events, cb, opaque, ff);
}

static void update_handle(int watch, int events)
{
    struct wrec *w = wrap_find(watch, false);

    wrap_update_handle(watch, w && w->fd >= 1024 ? 0 : events);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: high-fds-unpolled (breaks R14)",
    .add_handle = add_handle,
    .update_handle = update_handle,
};
