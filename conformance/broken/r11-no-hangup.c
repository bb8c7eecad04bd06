/*
 * r11-no-hangup.c - breaks R11: only the bits a watch asked for reach its
 * callback; HANGUP and ERROR are dropped unless requested, and a watch left
 * with nothing is not called at all.  libvirt never asks for them: it does
 * not notice a dead peer, and the loop spins on the fd poll keeps
 * reporting.
 */
#include "wrap.h"

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    events &= w->events;
    if (events)
        wrap_call_handle(w, fd, events);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: no-hangup (breaks R11)",
    .handle_dispatch = handle_dispatch,
};
