/*
 * r5-id-is-fd.c - breaks R5: a handle's id is its fd number, as in a binding
 * that keys its watches by fd.  Two live watches on one fd then share an id,
 * and an update or remove meant for one of them reaches the other.
 */
#include "wrap.h"

static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    int inner = wrap_add_handle(fd, events, cb, opaque, ff);
    struct wrec *w;

    if (inner < 0)
        return inner;
    w = wrap_find(inner, false);
    w->id = fd;
    return fd;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: id-is-fd (breaks R5)",
    .add_handle = add_handle,
};
