/*
 * r15-merge-by-fd.c - breaks R15: readiness is delivered per fd, to the
 * first live watch registered on it, whichever watch it was found for.  With
 * two watches on one socket (libvirt reads through one and writes through
 * the other) one of them gets the other's events and arguments and the
 * other is never called.
 */
#include "wrap.h"

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    for (int i = 0; i < wrap_count(); i++) {
        struct wrec *first = wrap_at(i);
        if (!first->timer && first->inner > 0 && !first->removed &&
            first->fd == fd) {
            wrap_call_handle(first, fd, events);
            return;
        }
    }
    wrap_call_handle(w, fd, events);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: merge-by-fd (breaks R15)",
    .handle_dispatch = handle_dispatch,
};
