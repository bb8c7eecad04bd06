/*
 * r27-flush-on-remove.c - breaks R27: before removing a registration,
 * remove delivers what is pending for it (a ready fd, a 0 ms timer) by
 * calling its callback from inside remove, where libvirt holds the lock
 * that callback takes.
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

static int remove_handle(int watch)
{
    struct wrec *w = wrap_find(watch, false);

    if (w && !w->removed && w->events) {
        int mask = ready_mask(w->fd, w->events);
        if (mask)
            wrap_call_handle(w, w->fd, mask);
    }
    return wrap_remove_handle(watch);
}

static int remove_timeout(int timer)
{
    struct wrec *w = wrap_find(timer, true);

    if (w && !w->removed && w->timeout == 0)
        wrap_call_timer(w);
    return wrap_remove_timeout(timer);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r27-flush-on-remove (breaks R27)",
    .remove_handle = remove_handle,
    .remove_timeout = remove_timeout,
};
