/*
 * r18-nval-silent.c - breaks R18: when the fd has been closed behind the
 * loop's back (POLLNVAL) the watch is not called.  poll(2) keeps returning
 * at once, so the loop spins at 100% CPU and leaves no trace of why.
 */
#include <errno.h>
#include <fcntl.h>

#include "wrap.h"

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    if (fcntl(fd, F_GETFD) == -1 && errno == EBADF)
        return;
    wrap_call_handle(w, fd, events);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: nval-silent (breaks R18)",
    .handle_dispatch = handle_dispatch,
};
