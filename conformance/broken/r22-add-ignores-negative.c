/*
 * r22-add-ignores-negative.c - breaks R22: add schedules a timer at "now
 * plus its timeout" without asking whether the timeout is negative, so a
 * timer added disabled is already due and fires on every iteration until
 * its first update; update does check, as loops do whose add and update
 * were written apart.  libvirt adds most of its timers disabled (-1) and
 * enables them when there is work: here they fire from the start.
 */
#include <stddef.h>

#include "wrap.h"

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    int id = wrap_add_timeout(ms < 0 ? 0 : ms, cb, opaque, ff);
    struct wrec *w = id > 0 ? wrap_find(id, true) : NULL;

    if (w)
        w->timeout = ms;        /* what the user asked for */
    return id;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r22-add-ignores-negative (breaks R22)",
    .add_timeout = add_timeout,
};
