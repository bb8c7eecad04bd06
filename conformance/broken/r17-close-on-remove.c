/*
 * r17-close-on-remove.c - breaks R17: the loop's watch object takes
 * ownership of the fd and closes it when it is destroyed, after remove.
 * libvirt closes its fds itself (often from the free callback): the second
 * close hits whatever file got the number in between.
 */
#include <unistd.h>

#include "wrap.h"

static void free_dispatch(struct wrec *w)
{
    wrap_call_free(w);
    if (!w->timer)
        close(w->fd);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: close-on-remove (breaks R17)",
    .free_dispatch = free_dispatch,
};
