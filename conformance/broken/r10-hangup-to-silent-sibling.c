/*
 * r10-hangup-to-silent-sibling.c - breaks R10: when a watch is called with
 * HANGUP or ERROR, every other watch on the same fd is called with those
 * bits too, those at events 0 included, as in a loop that keeps one poll
 * entry per fd and hands its error bits to all the fd's watches.  A watch
 * at events 0 must get no call at all.
 */
#include "wrap.h"

#define FAILURE (VIR_EVENT_HANDLE_HANGUP | VIR_EVENT_HANDLE_ERROR)

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    wrap_call_handle(w, fd, events);
    if (!(events & FAILURE))
        return;
    for (int i = 0; i < wrap_count(); i++) {
        struct wrec *o = wrap_at(i);

        if (o != w && !o->timer && o->inner > 0 && !o->removed &&
            o->fd == fd && o->events == 0)
            wrap_call_handle(o, fd, events & FAILURE);
    }
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r10-hangup-to-silent-sibling (breaks R10)",
    .handle_dispatch = handle_dispatch,
};
