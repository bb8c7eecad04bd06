/*
 * r4-fd-zero-refused.c - breaks R4: add refuses fd 0, taking it to mean "no
 * fd", as code written with 0 for "unset" does.  A daemon started with
 * stdin closed gets fd 0 for its first socket, which is then never watched.
 */
#include "wrap.h"

static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    if (fd == 0)
        return -1;
    return wrap_add_handle(fd, events, cb, opaque, ff);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: fd-zero-refused (breaks R4)",
    .add_handle = add_handle,
};
