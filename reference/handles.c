/*
 * handles.c - file handle watches: add, update, remove, and their dispatch.
 *
 * Handles live in a table hashed by id.  Each enabled watch owns one slot
 * of the pollfd set handed to poll(2), and each slot remembers its watch.
 * A change only queues the watch on a list; the loop thread applies the
 * list to the set between iterations, one slot per changed watch, so an
 * iteration costs what changed, not what is registered.  Dispatch goes by
 * a slot's watch, never by fd number, so a watch added during dispatch on
 * a reused fd number cannot inherit a stale poll result (R19), and several
 * watches on one fd stay independent (R15).
 */
#include <stdlib.h>
#include <string.h>

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

/* Queue h for the next pollset update; the set itself belongs to the loop
 * thread and is never touched from here. */
static void mark_dirty_locked(struct evref__handle *h)
{
    if (h->dirty)
        return;
    h->dirty = true;
    h->next_dirty = evref__loop.dirty;
    evref__loop.dirty = h;
}

/* Never calls back from here, even for a ready fd: callbacks run only from
 * an iteration (R27).  The fd stays libvirt's: never closed, its flags never
 * touched (R17).  The pollfd slot the watch may need is reserved here, so
 * that no iteration can fail for want of memory (R2). */
int evref_add_handle(int fd, int events, virEventHandleCallback cb,
                     void *opaque, virFreeCallback ff)
{
    struct evref__handle *h;
    bool wake = false;
    int id = -1;

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
    if (evref__handles_reserve_locked(evref__loop.handles.count + 1) == 0)
        id = evref__table_add(&evref__loop.handles, &h->reg);
    if (id > 0 && events) {
        mark_dirty_locked(h);
        wake = evref__wake_locked();
    }
    evref__unlock_and_wake(wake);
    if (id < 0)
        free(h);
    return id;
}

/* Unknown and removed ids are ignored (R8): libvirt updates watches whose
 * removal is already under way. */
void evref_update_handle(int watch, int events)
{
    struct evref__handle *h;
    bool wake = false;

    evref__lock();
    h = (struct evref__handle *)evref__table_find_live(&evref__loop.handles,
                                                        watch);
    if (h && h->events != events) {
        if (!h->events)
            h->enabled_gen++;       /* poll results taken before are stale */
        h->events = events;
        mark_dirty_locked(h);
        wake = evref__wake_locked();
    }
    evref__unlock_and_wake(wake);
}

/* Marks the watch; its free callback runs in the next sweep, never from
 * here (R35), and the wake-up lets a blocked loop reach that sweep (R38). */
int evref_remove_handle(int watch)
{
    struct evref__handle *h;
    bool wake = false;

    evref__lock();
    h = (struct evref__handle *)evref__table_find_live(&evref__loop.handles,
                                                        watch);
    if (h) {
        evref__table_mark_removed(&evref__loop.handles, &h->reg);
        mark_dirty_locked(h);
        wake = evref__wake_locked();
    }
    evref__unlock_and_wake(wake);
    return h ? 0 : -1;
}

static void pollset_free(struct evref__pollset *ps)
{
    free(ps->pfds);
    free(ps->owners);
    free(ps->gens);
    *ps = (struct evref__pollset){0};
}

static int pollset_alloc(struct evref__pollset *ps, size_t cap)
{
    *ps = (struct evref__pollset){
        .pfds = calloc(cap, sizeof(*ps->pfds)),
        .owners = calloc(cap, sizeof(*ps->owners)),
        .gens = calloc(cap, sizeof(*ps->gens)),
        .cap = cap,
    };
    if (ps->pfds && ps->owners && ps->gens)
        return 0;
    pollset_free(ps);
    return -1;
}

/* Make room for n watches besides the wake-up pipe.  The set in use is
 * never touched here, as another thread may be adding while the loop
 * polls: the room is a spare, which the loop thread swaps in.  Returns 0 or
 * -1. */
int evref__handles_reserve_locked(size_t n)
{
    struct evref__loop *l = &evref__loop;
    struct evref__pollset ps;
    size_t cap = n + 1;

    if (l->set.cap >= cap || l->spare.cap >= cap)
        return 0;
    if (cap < 2 * l->set.cap)
        cap = 2 * l->set.cap;
    if (pollset_alloc(&ps, cap) < 0)
        return -1;
    pollset_free(&l->spare);
    l->spare = ps;
    return 0;
}

/* Move the slots in use into ps, which becomes the set. */
static void pollset_move_to(struct evref__pollset *ps)
{
    struct evref__loop *l = &evref__loop;

    if (l->npfds) {
        memcpy(ps->pfds, l->set.pfds, l->npfds * sizeof(*ps->pfds));
        memcpy(ps->owners, l->set.owners, l->npfds * sizeof(*ps->owners));
        memcpy(ps->gens, l->set.gens, l->npfds * sizeof(*ps->gens));
    }
    pollset_free(&l->set);
    l->set = *ps;
    *ps = (struct evref__pollset){0};
}

static void give_slot(struct evref__handle *h)
{
    struct evref__pollset *ps = &evref__loop.set;
    size_t slot = evref__loop.npfds++;

    ps->pfds[slot] = (struct pollfd){ .fd = h->fd,
                                      .events = events_to_poll(h->events) };
    ps->owners[slot] = h;
    ps->gens[slot] = h->enabled_gen;
    h->slot = slot;
}

/* The last slot fills the hole, so the set stays dense. */
static void take_slot(struct evref__handle *h)
{
    struct evref__pollset *ps = &evref__loop.set;
    size_t last = --evref__loop.npfds;

    if (h->slot != last) {
        ps->pfds[h->slot] = ps->pfds[last];
        ps->owners[h->slot] = ps->owners[last];
        ps->gens[h->slot] = ps->gens[last];
        ps->owners[h->slot]->slot = h->slot;
    }
    h->slot = 0;
}

/* Bring the pollfd set up to date with the watches: take in the spare if
 * an add made one, then give a slot to each changed watch that has events,
 * and take it from each that was disabled or removed.  Watches with events
 * 0 have no slot at all, so poll(2) cannot report their hangups (R10).
 * Called on the loop thread with the lock held, never while the set is
 * being polled or dispatched: in prepare and in the sweep, which must see
 * every removed watch out of the set before it frees them.  Allocates
 * nothing that must succeed: the room was reserved at add.  A set four
 * times bigger than the watches need is traded for a smaller one when the
 * memory can be had, so a burst of watches leaves nothing behind. */
void evref__handles_update_locked(void)
{
    struct evref__loop *l = &evref__loop;
    struct evref__pollset smaller;
    struct evref__handle *h;
    size_t need = l->handles.count + 1;

    if (l->spare.cap)
        pollset_move_to(&l->spare);
    if (l->npfds == 0) {        /* a new set: slot 0 is the wake-up pipe */
        l->set.pfds[0] = (struct pollfd){ .fd = l->wake_rd, .events = POLLIN };
        l->set.owners[0] = NULL;
        l->npfds = 1;
    }
    while ((h = l->dirty)) {
        bool wants = !h->reg.deleted && h->events;
        l->dirty = h->next_dirty;
        h->dirty = false;
        if (wants && !h->slot)
            give_slot(h);
        else if (wants) {
            l->set.pfds[h->slot].events = events_to_poll(h->events);
            l->set.gens[h->slot] = h->enabled_gen;
        } else if (h->slot)
            take_slot(h);
    }
    if (l->set.cap > 64 && l->set.cap > 4 * need &&
        pollset_alloc(&smaller, 2 * need) == 0)
        pollset_move_to(&smaller);
}

/* Call back every watch poll(2) found ready, and stop once poll's count of
 * ready slots is used up.  A slot names its watch, not an fd: a watch added
 * on a reused fd number cannot inherit a stale result (R19), and watches on
 * one fd are called each for itself (R15).  The set is stable here (only the
 * loop thread changes it, between iterations), but each watch is checked
 * again under the lock just before its call: an earlier callback of this
 * iteration may have removed it (R29), disabled it (R31), disabled and
 * enabled it again (then the poll result predates the enabling and it waits
 * for the next iteration, R30), or changed its events (R12), and the
 * reported mask is cut down to what the watch asks for now. */
void evref__handles_dispatch(int ready)
{
    struct evref__loop *l = &evref__loop;
    const struct pollfd *pfds = l->set.pfds;
    struct evref__handle *const *owners = l->set.owners;
    const unsigned *gens = l->set.gens;
    size_t n = l->npfds;
    int left = ready - (pfds[0].revents != 0);

    for (size_t i = 1; i < n && left > 0; i++) {
        struct evref__handle *h = owners[i];
        virEventHandleCallback cb = NULL;
        int id = 0, fd = -1, mask = 0;
        void *opaque = NULL;

        if (!pfds[i].revents)
            continue;
        left--;
        evref__lock();
        if (!h->reg.deleted && h->events && h->enabled_gen == gens[i]) {
            /* One call with every pending bit (R13), in every iteration the
             * condition holds: poll(2) is level-triggered (R14). */
            mask = poll_to_events(pfds[i].revents) & (h->events | HANDLE_ALWAYS);
            cb = h->cb;
            id = h->reg.id;
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
    l->dirty = NULL;
}
