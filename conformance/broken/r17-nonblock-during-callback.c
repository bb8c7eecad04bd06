/*
 * r17-nonblock-during-callback.c - breaks R17: the fd is switched to
 * O_NONBLOCK while its callback runs and back afterwards, so it looks
 * untouched from outside.  libvirt's blocking reads and writes inside the
 * callback are exactly the ones that then fail with EAGAIN.
 */
#include <fcntl.h>

#include "wrap.h"

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    int fl = fcntl(fd, F_GETFL);

    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    wrap_call_handle(w, fd, events);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: nonblock-during-callback (breaks R17)",
    .handle_dispatch = handle_dispatch,
};
