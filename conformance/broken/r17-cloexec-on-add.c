/*
 * r17-cloexec-on-add.c - breaks R17: add sets FD_CLOEXEC on the fd (as a
 * loop library does that "tidies up" every fd it is given).  The fd is
 * libvirt's: one it means a child to inherit (a migration pipe, a passed
 * socket) is now closed at exec, and the flag stays after remove.
 */
#include <fcntl.h>

#include "wrap.h"

static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    int fl = fcntl(fd, F_GETFD);

    if (fl >= 0)
        fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
    return wrap_add_handle(fd, events, cb, opaque, ff);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: cloexec-on-add (breaks R17)",
    .add_handle = add_handle,
};
