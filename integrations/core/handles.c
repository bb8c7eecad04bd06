/*
 * handles.c - libvirt's file handle watches: add, update, remove, dispatch.
 *
 * A change is applied to the wake set at once (wakeset.c); dispatch, from
 * the pass right after the host loop's wait, asks poll(2) with a zero
 * timeout for the state of each enabled watch's fd, one pollfd per watch,
 * and calls back by watch, never by fd number: watches on one fd stay
 * independent (R15), and a watch added during dispatch on a reused fd
 * number cannot inherit a poll result that was its predecessor's (R19).
 */
#include <errno.h>
#include <stdlib.h>

#include "evcore.h"

#define ALWAYS (VIR_EVENT_HANDLE_ERROR | VIR_EVENT_HANDLE_HANGUP)

static short events_to_poll(int events)
{
    return (events & VIR_EVENT_HANDLE_READABLE ? POLLIN : 0) |
           (events & VIR_EVENT_HANDLE_WRITABLE ? POLLOUT : 0);
}

/* poll(2) reports hang-ups and errors unasked, and they are passed on
 * (R11); an fd closed behind the loop's back (POLLNVAL) is reported as
 * ERROR rather than left to spin (R18). */
static int poll_to_events(short revents)
{
    return (revents & POLLIN ? VIR_EVENT_HANDLE_READABLE : 0) |
           (revents & POLLOUT ? VIR_EVENT_HANDLE_WRITABLE : 0) |
           (revents & (POLLERR | POLLNVAL) ? VIR_EVENT_HANDLE_ERROR : 0) |
           (revents & POLLHUP ? VIR_EVENT_HANDLE_HANGUP : 0);
}

/* One scratch pollfd per watch, taken when the watch is added (R2). */
static int reserve_scratch_locked(size_t n)
{
    struct evc_core *l = &evc_core;
    void *p;

    if (n <= l->pcap)
        return 0;
    n = n < 2 * l->pcap ? 2 * l->pcap : n;
    if (!(p = realloc(l->pfds, n * sizeof(*l->pfds))))
        return -1;
    l->pfds = p;
    if (!(p = realloc(l->owners, n * sizeof(*l->owners))))
        return -1;
    l->owners = p;
    l->pcap = n;
    return 0;
}

/* After a sweep: the same for the scratch pollfds. */
void evc_handles_shrink_locked(void)
{
    struct evc_core *l = &evc_core;
    size_t cap = 2 * l->watches.len > 64 ? 2 * l->watches.len : 64;
    void *p;

    if (l->pcap <= cap || l->pcap <= 4 * l->watches.len)
        return;
    if ((p = realloc(l->pfds, cap * sizeof(*l->pfds))))
        l->pfds = p;
    if (p && (p = realloc(l->owners, cap * sizeof(*l->owners))))
        l->owners = p;
    if (p)
        l->pcap = cap;
}

/* Another thread's enabling wakes the loop through the epoll set itself,
 * when the fd is ready; only an fd epoll refuses needs the loop woken to
 * stop blocking (R43). */
static bool enabled_locked(struct evc_watch *w)
{
    w->reg.armed = evc_core.epoch;
    return evc_core.wake.unpollable[w->fd] && evc_wake_locked(INT64_MIN);
}

/* Never calls back from here, even for a ready fd (R27); the fd stays
 * libvirt's, its flags untouched (R17).  Everything the watch needs later
 * is allocated here (R2). */
int evc_add_handle(int fd, int events, virEventHandleCallback cb,
                   void *opaque, virFreeCallback ff)
{
    struct evc_watch *w;
    bool wake = false;
    int id = -1;

    if (fd < 0 || !cb || !(w = calloc(1, sizeof(*w))))
        return -1;
    w->fd = fd;
    w->events = events & (VIR_EVENT_HANDLE_READABLE | VIR_EVENT_HANDLE_WRITABLE);
    w->cb = cb;
    w->reg.opaque = opaque;
    w->reg.ff = ff;
    evc_lock();
    if (!evc_core.closed && evc_wakeset_reserve(&evc_core.wake, fd) == 0 &&
        reserve_scratch_locked(evc_core.watches.len + 1) == 0)
        id = evc_list_add(&evc_core.watches, &w->reg);
    if (id > 0) {
        evc_wakeset_change(&evc_core.wake, fd, 0, w->events, true);
        wake = w->events && enabled_locked(w);
    }
    evc_unlock_and_wake(wake);
    if (id < 0)
        free(w);
    return id;
}

/* Unknown and removed ids are ignored (R8).  An update to the same events
 * changes nothing. */
void evc_update_handle(int watch, int events)
{
    struct evc_watch *w;
    bool wake = false;

    events &= VIR_EVENT_HANDLE_READABLE | VIR_EVENT_HANDLE_WRITABLE;
    evc_lock();
    w = (struct evc_watch *)evc_list_find_live(&evc_core.watches, watch);
    if (w && w->events != events) {
        int old = w->events;
        w->events = events;
        evc_wakeset_change(&evc_core.wake, w->fd, old, events, false);
        if (!old || (events & ~old))
            wake = enabled_locked(w);
    }
    evc_unlock_and_wake(wake);
}

/* Marks the watch: its free callback runs at the next sweep, never from
 * here (R35), and a blocked loop is woken to reach it (R38).  Nothing is
 * called for it once this returns (R29). */
int evc_remove_handle(int watch)
{
    struct evc_watch *w;
    bool wake = false;

    evc_lock();
    w = (struct evc_watch *)evc_list_find_live(&evc_core.watches, watch);
    if (w) {
        evc_wakeset_change(&evc_core.wake, w->fd, w->events, 0, false);
        w->events = 0;
        evc_list_mark_removed(&evc_core.watches, &w->reg);
        wake = w->reg.ff && evc_wake_locked(INT64_MIN);
    }
    evc_unlock_and_wake(wake);
    return w ? 0 : -1;
}

/* The pollfds of the watches enabled before this dispatch began; a watch
 * added or enabled by a callback of this dispatch waits for the next one
 * (R30). */
static size_t gather_locked(uint64_t disp)
{
    struct evc_core *l = &evc_core;
    size_t n = 0;

    for (size_t i = 0; i < l->watches.len; i++) {
        struct evc_watch *w = (struct evc_watch *)l->watches.items[i];
        if (w->reg.removed || !w->events || w->reg.armed >= disp)
            continue;
        l->pfds[n] = (struct pollfd){ .fd = w->fd,
                                      .events = events_to_poll(w->events) };
        l->owners[n++] = w;
    }
    return n;
}

/* What slot i's watch gets, judged when its turn comes: removed or
 * disabled by an earlier callback, it gets nothing, not even a hang-up
 * (R29, R31), nor if a callback disabled and enabled it again, as the
 * poll result predates that (R30); otherwise all its pending bits in one
 * call (R13), no bit it did not ask for but ERROR and HANGUP (R12). */
static int deliverable_locked(size_t i, uint64_t disp)
{
    struct evc_watch *w = evc_core.owners[i];

    if (w->reg.removed || !w->events || w->reg.armed >= disp)
        return 0;
    return poll_to_events(evc_core.pfds[i].revents) & (w->events | ALWAYS);
}

/* Level-triggered (R14): every iteration asks poll(2) afresh.  A failed
 * poll (a signal, a shortage) dispatches nothing this time; the wake set
 * keeps the loop from blocking while the fds stay ready (R2).  The lock
 * is dropped around each callback (R44); watches are only marked while
 * dispatch runs, never freed, so the slots stay valid. */
void evc_handles_dispatch(uint64_t disp)
{
    size_t n;
    int rc;

    evc_lock();
    n = gather_locked(disp);
    do
        rc = n ? poll(evc_core.pfds, n, 0) : 0;
    while (rc < 0 && errno == EINTR);
    for (size_t i = 0; rc > 0 && i < n; i++) {
        int events = deliverable_locked(i, disp);
        struct evc_watch *w = evc_core.owners[i];
        virEventHandleCallback cb = w->cb;
        void *opaque = w->reg.opaque;
        int id = w->reg.id, fd = w->fd;

        if (!events)
            continue;
        evc_unlock();
        cb(id, fd, events, opaque);
        evc_lock();
    }
    evc_unlock();
}
