/*
 * handles.c - file handle watches: add, update, remove, and their dispatch.
 *
 * Handles live in a table sorted by id.  The pollfd set handed to poll(2) is
 * rebuilt from it only when a watch was added, enabled, changed or removed,
 * and each pollfd entry remembers the id of the watch it belongs to.
 * Dispatch goes by that id, never by fd number, so a watch added during
 * dispatch on a reused fd number cannot inherit a stale poll result (R19),
 * and several watches on one fd stay independent (R15).
 */
#include <stdlib.h>

#include "internal.h"

#define HANDLE_ALWAYS (VIR_EVENT_HANDLE_ERROR | VIR_EVENT_HANDLE_HANGUP)

/* Only READABLE and WRITABLE are asked of poll(2): it reports errors and
 * hangups unasked, which is what R11 needs. */
static short events_to_poll(int events)
{
    short pev = 0;

    if (events & VIR_EVENT_HANDLE_READABLE)
        pev |= POLLIN;
    if (events & VIR_EVENT_HANDLE_WRITABLE)
        pev |= POLLOUT;
    return pev;
}

/* An fd closed behind the loop's back (POLLNVAL) is reported as ERROR, as
 * libvirt's loops do, rather than left to spin silently (R18). */
static int poll_to_events(short revents)
{
    int events = 0;

    if (revents & POLLIN)
        events |= VIR_EVENT_HANDLE_READABLE;
    if (revents & POLLOUT)
        events |= VIR_EVENT_HANDLE_WRITABLE;
    if (revents & (POLLERR | POLLNVAL))
        events |= VIR_EVENT_HANDLE_ERROR;
    if (revents & POLLHUP)
        events |= VIR_EVENT_HANDLE_HANGUP;
    return events;
}

/* Never calls back from here, even for a ready fd: callbacks run only from
 * an iteration (R27).  The fd stays libvirt's: never closed, its flags never
 * touched (R17). */
int evref_add_handle(int fd, int events, virEventHandleCallback cb,
                     void *opaque, virFreeCallback ff)
{
    struct evref__handle *h;
    int id;

    if (fd < 0 || !cb)
        return -1;
    h = calloc(1, sizeof(*h));
    if (!h)
        return -1;
    h->fd = fd;
    h->events = events;
    h->cb = cb;
    h->reg.opaque = opaque;
    h->reg.ff = ff;

    evref__lock();
    id = -1;
    if (evref__handles_reserve_locked(evref__loop.handles.len + 1) == 0)
        id = evref__table_add(&evref__loop.handles, &h->reg);
    if (id > 0 && events) {
        evref__loop.pfds_dirty = true;
        evref__wake_locked();
    }
    evref__unlock();
    if (id < 0)
        free(h);
    return id;
}

/* Unknown and removed ids are ignored (R8): libvirt updates watches whose
 * removal is already under way. */
void evref_update_handle(int watch, int events)
{
    struct evref__handle *h;

    evref__lock();
    h = (struct evref__handle *)evref__table_find_live(&evref__loop.handles,
                                                        watch);
    if (h && h->events != events) {
        if (!h->events)
            h->enabled_gen++;       /* poll results taken before are stale */
        h->events = events;
        evref__loop.pfds_dirty = true;
        evref__wake_locked();
    }
    evref__unlock();
}

/* Marks the watch; its free callback runs in the next sweep, never from
 * here (R35), and the wake-up lets a blocked loop reach that sweep (R38). */
int evref_remove_handle(int watch)
{
    struct evref__handle *h;

    evref__lock();
    h = (struct evref__handle *)evref__table_find_live(&evref__loop.handles,
                                                        watch);
    if (h) {
        h->reg.deleted = true;
        evref__loop.handles.ndeleted++;
        evref__loop.pfds_dirty = true;
        evref__wake_locked();
    }
    evref__unlock();
    return h ? 0 : -1;
}

static void pollset_free(struct evref__pollset *ps)
{
    free(ps->pfds);
    free(ps->ids);
    free(ps->gens);
    *ps = (struct evref__pollset){0};
}

/* Make room for n watches besides the wake-up pipe.  Room is taken when a
 * watch is added, so that building the set in an iteration can never fail
 * for want of memory (R2).  The set in use is never touched here: the room
 * is a spare, swapped in by the loop thread.  Returns 0 or -1. */
int evref__handles_reserve_locked(size_t n)
{
    struct evref__loop *l = &evref__loop;
    struct evref__pollset ps;
    size_t cap = n + 1;

    if (l->set.cap >= cap || l->spare.cap >= cap)
        return 0;
    if (cap < 2 * l->set.cap)
        cap = 2 * l->set.cap;
    ps = (struct evref__pollset){
        .pfds = calloc(cap, sizeof(*ps.pfds)),
        .ids = calloc(cap, sizeof(*ps.ids)),
        .gens = calloc(cap, sizeof(*ps.gens)),
        .cap = cap,
    };
    if (!ps.pfds || !ps.ids || !ps.gens) {
        pollset_free(&ps);
        return -1;
    }
    pollset_free(&l->spare);
    l->spare = ps;
    return 0;
}

/* Rebuild the pollfd set if the watches changed: slot 0 is the wake-up
 * pipe, then one slot per live watch with events, in id order.  Watches with
 * events 0 are left out entirely, so poll(2) cannot report their hangups
 * (R10).  The room was reserved at add. */
void evref__handles_prepare_locked(void)
{
    struct evref__loop *l = &evref__loop;
    struct evref__pollset *ps = &l->set;
    size_t n = 1;

    if (l->spare.cap) {
        pollset_free(&l->set);
        l->set = l->spare;
        l->spare = (struct evref__pollset){0};
        l->pfds_dirty = true;
    }
    if (!l->pfds_dirty)
        return;
    ps->pfds[0] = (struct pollfd){ .fd = l->wake_rd, .events = POLLIN };
    ps->ids[0] = 0;
    for (size_t i = 0; i < l->handles.len; i++) {
        struct evref__handle *h = (struct evref__handle *)l->handles.items[i];
        if (h->reg.deleted || !h->events)
            continue;
        ps->pfds[n] = (struct pollfd){ .fd = h->fd,
                                       .events = events_to_poll(h->events) };
        ps->ids[n] = h->reg.id;
        ps->gens[n] = h->enabled_gen;
        n++;
    }
    l->npfds = n;
    l->pfds_dirty = false;
}

#ifdef EVREF_BREAK_READY_BY_FD
/* Broken variant for R19: readiness kept per fd number, as in an fd_set. */
static void dispatch_by_fd(void)
{
    struct evref__loop *l = &evref__loop;

    for (size_t k = 0;; k++) {
        struct evref__handle *h, copy;
        int mask = 0;

        evref__lock();
        if (k >= l->handles.len) {
            evref__unlock();
            return;
        }
        h = (struct evref__handle *)l->handles.items[k];
        copy = *h;
        for (size_t i = 1; i < l->npfds && !h->reg.deleted; i++)
            if (l->set.pfds[i].fd == h->fd)
                mask |= poll_to_events(l->set.pfds[i].revents) &
                        (h->events | HANDLE_ALWAYS);
        evref__unlock();
        if (mask)
            evref__run_handle_callback(copy.cb, copy.reg.id, copy.fd, mask,
                                       copy.reg.opaque);
    }
}
#endif

/* Call back every watch poll(2) found ready.  The pollfd set is only
 * rebuilt in the next iteration's prepare, so it is stable here, but each
 * watch is looked up again under the lock just before its call: an earlier
 * callback of this iteration may have removed it (R29), disabled it (R31),
 * disabled and enabled it again (then the poll result predates the enabling
 * and it waits for the next iteration, R30), or changed its events (R12),
 * and the reported mask is cut down to what the watch asks for now. */
void evref__handles_dispatch(void)
{
    struct evref__loop *l = &evref__loop;

#ifdef EVREF_BREAK_READY_BY_FD
    dispatch_by_fd();           /* broken variant, see above */
    return;
#endif
    for (size_t i = 1; i < l->npfds; i++) {
        struct evref__handle *h;
        virEventHandleCallback cb = NULL;
        int id = l->set.ids[i], fd = -1, mask = 0;
        void *opaque = NULL;

        if (!l->set.pfds[i].revents)
            continue;
        evref__lock();
        h = (struct evref__handle *)evref__table_find_live(&l->handles, id);
        if (h && h->events && h->enabled_gen == l->set.gens[i]) {
            /* One call with every pending bit (R13), in every iteration the
             * condition holds: poll(2) is level-triggered (R14). */
            mask = poll_to_events(l->set.pfds[i].revents) &
                   (h->events | HANDLE_ALWAYS);
            cb = h->cb;
            fd = h->fd;
            opaque = h->reg.opaque;
        }
        evref__unlock();
        if (mask)               /* the id, fd and opaque given at add: R16 */
            evref__run_handle_callback(cb, id, fd, mask, opaque);
    }
}

void evref__handles_clear_locked(void)
{
    struct evref__loop *l = &evref__loop;

    evref__table_clear(&l->handles);
    pollset_free(&l->set);
    pollset_free(&l->spare);
    l->npfds = 0;
    l->pfds_dirty = true;
}
