/*
 * r10-hangup-on-disabled.c - breaks R10: a watch with events 0 stays in the
 * poll set with an empty request, and poll(2) reports hangups and errors
 * for it anyway, which the loop passes on.  libvirt parks a closing
 * client's socket at 0 and its handler does not expect to be called.
 */
#include "wrap.h"

#define ALWAYS (VIR_EVENT_HANDLE_HANGUP | VIR_EVENT_HANDLE_ERROR)

/* The backend is asked for something (READABLE) even at 0, so that it
 * polls the fd; the user's mask is what the record keeps. */
static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    int id = wrap_add_handle(fd, events ? events : VIR_EVENT_HANDLE_READABLE,
                             cb, opaque, ff);

    if (id > 0)
        wrap_find(id, false)->events = events;
    return id;
}

static void update_handle(int watch, int events)
{
    struct wrec *w = wrap_find(watch, false);

    wrap_update_handle(watch, events ? events : VIR_EVENT_HANDLE_READABLE);
    if (w && !w->removed)
        w->events = events;
}

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    if (w->events == 0)
        events &= ALWAYS;           /* what poll reports for an empty mask */
    if (events)
        wrap_call_handle(w, fd, events);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: hangup-on-disabled (breaks R10)",
    .add_handle = add_handle,
    .update_handle = update_handle,
    .handle_dispatch = handle_dispatch,
};
