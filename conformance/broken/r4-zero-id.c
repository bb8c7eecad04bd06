/*
 * r4-zero-id.c - breaks R4 (its SHOULD part): ids count from 0, so the first
 * handle and the first timer get id 0, which libvirt's stream code takes for
 * "no watch" and its keepalive code never removes.
 */
#include "wrap.h"

static int shift(int inner, bool timer)
{
    struct wrec *w;

    if (inner < 0)
        return inner;
    w = wrap_find(inner, timer);
    w->id = inner - 1;
    return w->id;
}

static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    return shift(wrap_add_handle(fd, events, cb, opaque, ff), false);
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    return shift(wrap_add_timeout(ms, cb, opaque, ff), true);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: zero-id (breaks R4)",
    .add_handle = add_handle,
    .add_timeout = add_timeout,
};
