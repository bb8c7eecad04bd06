/*
 * r17-nonblock-on-add.c - breaks R17: add switches the fd to O_NONBLOCK (as
 * some loop libraries do for every fd they watch).  The fd is libvirt's: a
 * blocking read or write in its code now fails with EAGAIN.
 */
#include <fcntl.h>

#include "wrap.h"

static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    int fl = fcntl(fd, F_GETFL);

    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    return wrap_add_handle(fd, events, cb, opaque, ff);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: nonblock-on-add (breaks R17)",
    .add_handle = add_handle,
};
