/*
 * r27-sync-callback-in-update.c - breaks R27: an update that makes a timer
 * due (0 ms) or enables a watch whose fd is ready runs the callback at
 * once, from inside update, where libvirt holds the locks that callback
 * takes.
 */
#include <poll.h>
#include <stddef.h>

#include "wrap.h"

/* What poll(2) reports for fd right now, as the mask a loop would pass. */
static int ready_mask(int fd, int events)
{
    struct pollfd p = { .fd = fd };
    int mask = 0;

    p.events = (events & VIR_EVENT_HANDLE_READABLE ? POLLIN : 0) |
               (events & VIR_EVENT_HANDLE_WRITABLE ? POLLOUT : 0);
    if (poll(&p, 1, 0) != 1)
        return 0;
    if (p.revents & POLLIN)
        mask |= VIR_EVENT_HANDLE_READABLE;
    if (p.revents & POLLOUT)
        mask |= VIR_EVENT_HANDLE_WRITABLE;
    if (p.revents & (POLLERR | POLLNVAL))
        mask |= VIR_EVENT_HANDLE_ERROR;
    if (p.revents & POLLHUP)
        mask |= VIR_EVENT_HANDLE_HANGUP;
    return mask & (events | VIR_EVENT_HANDLE_ERROR | VIR_EVENT_HANDLE_HANGUP);
}

static void update_handle(int watch, int events)
{
    struct wrec *w = wrap_find(watch, false);
    int mask;

    wrap_update_handle(watch, events);
    if (!w || w->removed || !events)
        return;
    mask = ready_mask(w->fd, events);
    if (mask)
        wrap_call_handle(w, w->fd, mask);
}

static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);

    wrap_update_timeout(timer, ms);
    if (w && !w->removed && ms == 0)
        wrap_call_timer(w);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r27-sync-callback-in-update (breaks R27)",
    .update_handle = update_handle,
    .update_timeout = update_timeout,
};
