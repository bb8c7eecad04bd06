/*
 * handles.c - libvirt's fd watches as persistent libevent I/O events.
 */
#include <poll.h>
#include <stdlib.h>

#include "internal.h"

/* The libevent flags for a libvirt mask.  Only what was asked is
 * watched: epoll reports a hang-up or an error whatever the mask. */
static short ev_flags(int events)
{
    return (short)(EV_PERSIST |
                   (events & VIR_EVENT_HANDLE_READABLE ? EV_READ : 0) |
                   (events & VIR_EVENT_HANDLE_WRITABLE ? EV_WRITE : 0));
}

/* What the fd has to report for a watch on events, asked of poll(2)
 * without waiting.  libevent cannot say it: its epoll backend turns
 * EPOLLHUP and EPOLLERR into EV_READ|EV_WRITE (epoll.c), so a hang-up
 * would reach libvirt as READABLE and an error on a pipe's write end as
 * WRITABLE.  poll's revents carry HANGUP and ERROR apart (R11), only
 * bits asked for plus those two (R12), all of them at once (R13), and
 * POLLNVAL, a watched fd closed behind the loop's back, as ERROR (R18). */
static int pending_mask(int fd, int events)
{
    struct pollfd p = { .fd = fd };
    int mask = 0;

    if (events & VIR_EVENT_HANDLE_READABLE)
        p.events |= POLLIN;
    if (events & VIR_EVENT_HANDLE_WRITABLE)
        p.events |= POLLOUT;
    if (poll(&p, 1, 0) != 1)
        return 0;               /* nothing now: level-triggered, it comes back */
    if (p.revents & POLLIN)
        mask |= VIR_EVENT_HANDLE_READABLE;
    if (p.revents & POLLOUT)
        mask |= VIR_EVENT_HANDLE_WRITABLE;
    if (p.revents & POLLHUP)
        mask |= VIR_EVENT_HANDLE_HANGUP;
    if (p.revents & (POLLERR | POLLNVAL))
        mask |= VIR_EVENT_HANDLE_ERROR;
    return mask & (events | VIR_EVENT_HANDLE_HANGUP | VIR_EVENT_HANDLE_ERROR);
}

/* The watch's callback, opaque and mask if it is live and enabled (0),
 * else -1; called locked. */
static int live_watch(struct lvev_reg *r, virEventHandleCallback *cb,
                      void **opaque, int *events)
{
    if (r->removed || r->events == 0)
        return -1;
    *cb = r->hcb;
    *opaque = r->opaque;
    *events = r->events;
    return 0;
}

/* libevent's callback for every watch.  The fd is asked what it has
 * without the lock, then the record is read under it, last thing before
 * the call: a watch removed or silenced since libevent found it ready,
 * or while poll() ran, is skipped (R29, R31), and the moment between
 * that check and the call is as short as it can be.  The callback runs
 * without the lock (R44), with the arguments it was registered with
 * (R16).  libevent's events are level-triggered, so an fd still ready
 * comes back in the next iteration (R14). */
static void handle_ready(evutil_socket_t fd, short what, void *arg)
{
    struct lvev_reg *r = arg;
    virEventHandleCallback cb;
    void *opaque;
    int events, mask;

    (void)what;
    lvev_lock();
    lvev_seen_on_loop();
    if (live_watch(r, &cb, &opaque, &events) < 0) {
        lvev_unlock();
        return;
    }
    lvev_unlock();
    mask = pending_mask(fd, events);
    lvev_lock();
    if (live_watch(r, &cb, &opaque, &events) < 0)
        mask = 0;
    mask &= events | VIR_EVENT_HANDLE_HANGUP | VIR_EVENT_HANDLE_ERROR;
    lvev_unlock();
    if (mask)
        cb(r->id, fd, mask, opaque);
}

/* Watches fd for events (0: registered but silent, R9, R10).  Each
 * watch has an event of its own, also when fds are shared: libevent
 * keeps several events per fd and tells each its own readiness (R15).
 * libevent never touches the fd's flags nor closes it (R17); a remove
 * only takes it out of the epoll set. */
int lvev_add_handle(int fd, int events, virEventHandleCallback cb,
                    void *opaque, virFreeCallback ff)
{
    struct lvev_reg *r;
    int id;

    if (fd < 0 || !cb || !(r = lvev_new_reg(false, opaque, ff)))
        return -1;
    r->fd = fd;
    r->events = events;
    r->hcb = cb;
    r->ev = event_new(lvev.base, fd, ev_flags(events), handle_ready, r);
    if (!r->ev) {
        free(r);
        return -1;
    }
    lvev_lock();
    id = lvev_link(r);
    if (id > 0 && events && event_add(r->ev, NULL) < 0) {
        lvev_unlink(false, id);
        lvev.pending--;
        id = -1;
    }
    lvev_unlock();
    if (id < 0) {
        event_free(r->ev);      /* never added: nothing can run it (R4) */
        free(r);
    }
    return id;
}

/* A new mask for a live watch; nothing for an unknown id (R8), nor for
 * the mask it has.  libevent cannot change the flags of an added event:
 * it is deleted (without waiting, as in lvev_remove), set up again and
 * added, under the lock, so two threads' updates cannot interleave
 * (R42).  A deleted event also leaves libevent's list of ready events,
 * so a watch silenced during dispatch is not called in that iteration
 * (R31), and one enabled during dispatch waits for the next wait (R30). */
void lvev_update_handle(int id, int events)
{
    struct lvev_reg *r;

    lvev_lock();
    r = lvev_find(false, id);
    if (r && r->events != events) {
        r->events = events;
        event_del_noblock(r->ev);
        if (events) {
            event_assign(r->ev, lvev.base, r->fd, ev_flags(events),
                         handle_ready, r);
            event_add(r->ev, NULL);
        }
    }
    lvev_unlock();
}

int lvev_remove_handle(int id)
{
    return lvev_remove(false, id);
}
