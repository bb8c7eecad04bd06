/*
 * tablescan.c - keeps every rule, and shares no code with the reference.
 *
 * A loop of its own, built the way many small integrations are: one table
 * of registrations scanned linearly, one mutex, a self-pipe, and a
 * different order of work in each iteration:
 *
 *   1. free what was removed (R34-R36: no lock, outside any callback);
 *   2. build the poll set (watches with events only, R10) and pick the due
 *      timers' snapshot only after the wait;
 *   3. wait in poll(2), whose transient failures count as a timeout (R2);
 *   4. call the ready watches FIRST, then the due timers (R32 leaves the
 *      order open; the reference runs timers first), each checked again
 *      just before its call: removed (R29), silenced (R31), a timer
 *      re-timed by an earlier callback (R23), all skipped;
 *   5. free again.
 * Ids: handles count from 1, timers from 101 (R4, R5: positive, unique,
 * never reused; R6: the tables are separate, so a handle id given to the
 * timer functions finds nothing).  A timer's period restarts when its
 * callback is called, from the clock read just then (R25).  The memory an
 * iteration needs (poll set, due list) is taken when a registration is
 * added (R2).  A suite that is tied to the reference's internals (its
 * order, its ids, its pollfd layout) fails this loop wrongly.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

#include "evconf.h"

#define FIRST_TIMER_ID 101

struct reg {
    int id;
    bool timer, removed;
    int fd, events;             /* watches */
    int timeout;                /* timers: < 0 disabled */
    int64_t deadline;           /* timers, ns */
    unsigned long gen;          /* bumped by a timer update, a watch's silencing */
    unsigned long changed;      /* waits_ended when last added or updated */
    virEventHandleCallback hcb;
    virEventTimeoutCallback tcb;
    void *opaque;
    virFreeCallback ff;
    struct reg *next_gone;      /* the sweep's list */
};

/* A snapshot entry: what the iteration found, and the gen it saw. */
struct seen {
    struct reg *r;
    unsigned long gen;
};

/* The arrays an iteration works on.  The loop thread owns `cur`; adds,
 * on any thread, prepare a bigger `spare`, which the loop swaps in when it
 * builds its next poll set.  Nothing is reallocated under a running wait,
 * and an iteration allocates nothing (R2). */
struct bufs {
    struct pollfd *pfds;        /* cap + 1: the wake pipe first */
    struct seen *pseen, *due;
    int cap;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct reg **regs;
static int nregs, capregs;
static struct bufs cur, spare;
static struct pollfd *pfds;     /* cur's, for the iteration */
static struct seen *pseen, *due;
static int next_handle = 1, next_timer = FIRST_TIMER_ID;
static int wake_rd = -1, wake_wr = -1;
static pthread_t loop_thread;
static _Atomic bool in_iteration;
static unsigned long waits_ended;   /* under the lock */

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void bufs_free(struct bufs *b)
{
    free(b->pfds);
    free(b->pseen);
    free(b->due);
    *b = (struct bufs){ 0 };
}

/* A spare set of arrays for cap registrations; false without memory. */
static bool spare_grow_locked(int cap)
{
    struct bufs b = { .cap = cap };

    b.pfds = malloc((size_t)(cap + 1) * sizeof(*b.pfds));
    b.pseen = malloc((size_t)(cap + 1) * sizeof(*b.pseen));
    b.due = malloc((size_t)cap * sizeof(*b.due));
    if (!b.pfds || !b.pseen || !b.due) {
        bufs_free(&b);
        return false;
    }
    bufs_free(&spare);
    spare = b;
    return true;
}

/* Room for one more registration in the table, and in the arrays of the
 * iterations to come; called with the lock held. */
static bool reserve_locked(void)
{
    int cap = capregs ? capregs * 2 : 16;
    void *p;

    if (nregs < capregs)
        return true;
    if (cur.cap < cap && spare.cap < cap && !spare_grow_locked(cap))
        return false;
    if (!(p = realloc(regs, (size_t)cap * sizeof(*regs))))
        return false;
    regs = p;
    capregs = cap;
    return true;
}

/* The loop thread, before it builds its poll set: take the spare arrays
 * if the table outgrew the current ones; lock held. */
static void bufs_refresh_locked(void)
{
    if (cur.cap < capregs) {
        bufs_free(&cur);
        cur = spare;
        spare = (struct bufs){ 0 };
    }
    pfds = cur.pfds;
    pseen = cur.pseen;
    due = cur.due;
}

/* Wake the loop if another thread changed something while it may wait
 * (R43).  A full pipe already holds a byte. */
static void wake(void)
{
    if (wake_wr >= 0 && !(in_iteration && pthread_equal(loop_thread, pthread_self())))
        (void)!write(wake_wr, "w", 1);
}

static struct reg *find_locked(int id, bool timer)
{
    for (int i = 0; i < nregs; i++)
        if (regs[i]->id == id && regs[i]->timer == timer && !regs[i]->removed)
            return regs[i];
    return NULL;
}

/* Whether a change must wake the loop (R43).  By default every change
 * does; with QUIET_WAKES only those the loop needs before its wait would
 * end: a watch with events on a fd that is ready now, an enabled timer
 * (its deadline may come before the wait ends), the remove of a
 * registration with a free callback.  A watch on a fd with nothing to
 * report, a disabling, an unknown id: no wake-up. */
static bool needs_wake(const struct reg *r, bool removing)
{
#ifdef QUIET_WAKES
    struct pollfd p;

    if (removing)
        return r->ff != NULL;
    if (r->timer)
        return r->timeout >= 0;
    if (!r->events)
        return false;
    p = (struct pollfd){ .fd = r->fd, .events =
        (r->events & VIR_EVENT_HANDLE_READABLE ? POLLIN : 0) |
        (r->events & VIR_EVENT_HANDLE_WRITABLE ? POLLOUT : 0) };
    return poll(&p, 1, 0) != 0;
#else
    (void)r;
    (void)removing;
    return true;
#endif
}

static int add(struct reg *r)
{
    bool must_wake;

    pthread_mutex_lock(&lock);
    if (!reserve_locked()) {
        pthread_mutex_unlock(&lock);
        free(r);
        return -1;
    }
    r->id = r->timer ? next_timer++ : next_handle++;
    r->changed = waits_ended;
    regs[nregs++] = r;
    must_wake = needs_wake(r, false);
    pthread_mutex_unlock(&lock);
    if (must_wake)
        wake();
    return r->id;
}

static int add_handle(int fd, int events, virEventHandleCallback cb, void *opaque,
                      virFreeCallback ff)
{
    struct reg *r;

    if (fd < 0 || !(r = calloc(1, sizeof(*r))))
        return -1;
    *r = (struct reg){ .fd = fd, .events = events, .hcb = cb, .opaque = opaque,
                       .ff = ff };
    return add(r);
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    struct reg *r = calloc(1, sizeof(*r));

    if (!r)
        return -1;
    *r = (struct reg){ .timer = true, .timeout = ms, .deadline = now_ns() +
                       (int64_t)(ms > 0 ? ms : 0) * 1000000, .tcb = cb,
                       .opaque = opaque, .ff = ff };
    return add(r);
}

/* Silencing bumps gen, so that a watch silenced (and maybe enabled again)
 * by an earlier callback is not called on this iteration's poll (R30,
 * R31).  Unknown and removed ids: nothing (R8). */
static void update_handle(int watch, int events)
{
    bool must_wake = false;
    struct reg *r;

    pthread_mutex_lock(&lock);
    if ((r = find_locked(watch, false))) {
        if (events == 0 && r->events != 0)
            r->gen++;
        r->events = events;
        must_wake = needs_wake(r, false);
    }
    pthread_mutex_unlock(&lock);
    if (must_wake)
        wake();
}

/* Every update re-arms from now, the same value too (R23). */
static void update_timeout(int timer, int ms)
{
    bool must_wake = false;
    struct reg *r;

    pthread_mutex_lock(&lock);
    if ((r = find_locked(timer, true))) {
        r->timeout = ms;
        r->deadline = now_ns() + (int64_t)(ms > 0 ? ms : 0) * 1000000;
        r->gen++;
        r->changed = waits_ended;
        must_wake = needs_wake(r, false);
    }
    pthread_mutex_unlock(&lock);
    if (must_wake)
        wake();
}

static int remove_reg(int id, bool timer)
{
    bool must_wake = false;
    struct reg *r;

    pthread_mutex_lock(&lock);
    if ((r = find_locked(id, timer))) {
        r->removed = true;
        must_wake = needs_wake(r, true);
    }
    pthread_mutex_unlock(&lock);
    if (must_wake)
        wake();
    return r ? 0 : -1;
}

static int remove_handle(int watch)
{
    return remove_reg(watch, false);
}

static int remove_timeout(int timer)
{
    return remove_reg(timer, true);
}

/* Take the removed records out of the table, then run their free
 * callbacks with no lock held (R35, R36); a free callback may call any
 * operation.  The loop thread only, outside dispatch (R37). */
static void sweep(void)
{
    struct reg *gone = NULL;
    int kept = 0;

    pthread_mutex_lock(&lock);
    for (int i = 0; i < nregs; i++) {
        if (regs[i]->removed) {
            regs[i]->next_gone = gone;
            gone = regs[i];
        } else {
            regs[kept++] = regs[i];
        }
    }
    nregs = kept;
    pthread_mutex_unlock(&lock);
    while (gone) {
        struct reg *next = gone->next_gone;

        if (gone->ff)
            gone->ff(gone->opaque);
        free(gone);
        gone = next;
    }
}

/* The poll set and the wait's timeout; lock held.  0 while a free is
 * owed (R38) or a timer is due, -1 with no enabled timer. */
static int prepare_locked(int *npfds)
{
    int64_t now = now_ns(), first = -1;
    bool owed = false;
    int n = 1;

    bufs_refresh_locked();
    pfds[0] = (struct pollfd){ .fd = wake_rd, .events = POLLIN };
    for (int i = 0; i < nregs; i++) {
        struct reg *r = regs[i];

        if (r->removed) {
            owed = true;        /* removed since the sweep: free it soon */
            continue;
        }
        if (r->timer && r->timeout >= 0 && (first < 0 || r->deadline < first))
            first = r->deadline;
        if (!r->timer && r->events) {
            pseen[n] = (struct seen){ r, r->gen };
            pfds[n++] = (struct pollfd){ .fd = r->fd, .events =
                (r->events & VIR_EVENT_HANDLE_READABLE ? POLLIN : 0) |
                (r->events & VIR_EVENT_HANDLE_WRITABLE ? POLLOUT : 0) };
        }
    }
    *npfds = n;
    if (owed)
        return 0;
    if (first < 0)
        return -1;
    if (first <= now)
        return 0;
    return (int)((first - now + 999999) / 1000000);
}

static int to_events(short revents)
{
    return (revents & POLLIN ? VIR_EVENT_HANDLE_READABLE : 0) |
           (revents & POLLOUT ? VIR_EVENT_HANDLE_WRITABLE : 0) |
           (revents & (POLLERR | POLLNVAL) ? VIR_EVENT_HANDLE_ERROR : 0) |
           (revents & POLLHUP ? VIR_EVENT_HANDLE_HANGUP : 0);
}

/* Call each ready watch that still wants what was found (R12, R29-R31). */
static void dispatch_handles(int npfds)
{
    for (int i = 1; i < npfds; i++) {
        struct reg *r = pseen[i].r;
        virEventHandleCallback cb = NULL;
        int id = 0, fd = 0, mask = 0;
        void *opaque = NULL;

        if (!pfds[i].revents)
            continue;
        pthread_mutex_lock(&lock);
        mask = to_events(pfds[i].revents) &
               (r->events | VIR_EVENT_HANDLE_ERROR | VIR_EVENT_HANDLE_HANGUP);
        if (!r->removed && r->events && r->gen == pseen[i].gen && mask) {
            cb = r->hcb;
            id = r->id;
            fd = r->fd;
            opaque = r->opaque;
        }
        pthread_mutex_unlock(&lock);
        if (cb)
            cb(id, fd, mask, opaque);
    }
}

/* The timers due when the wait ended; lock held.  Taken before any
 * callback runs, so what a callback adds or re-arms waits (R30).  With
 * `again`, after the watches' callbacks: the positive timers that became
 * due meanwhile and that nobody added or changed since the wait ended. */
static int collect_due_locked(bool again)
{
    int64_t now = now_ns();
    int n = 0;

    for (int i = 0; i < nregs; i++) {
        struct reg *r = regs[i];

        if (!r->timer || r->removed || r->timeout < 0 || r->deadline > now)
            continue;
        if (again && (r->timeout == 0 || r->changed == waits_ended))
            continue;
        due[n++] = (struct seen){ r, r->gen };
    }
    return n;
}

/* Call each due timer that nobody removed, disabled or re-timed since;
 * its period restarts now (R20, R25). */
static void dispatch_timers(int ndue)
{
    for (int i = 0; i < ndue; i++) {
        struct reg *r = due[i].r;
        virEventTimeoutCallback cb = NULL;
        void *opaque = NULL;
        int id = 0;

        pthread_mutex_lock(&lock);
        if (!r->removed && r->timeout >= 0 && r->gen == due[i].gen) {
            r->deadline = now_ns() + (int64_t)r->timeout * 1000000;
            cb = r->tcb;
            id = r->id;
            opaque = r->opaque;
        }
        pthread_mutex_unlock(&lock);
        if (cb)
            cb(id, opaque);
    }
}

static void drain_wake(void)
{
    char buf[64];

    while (read(wake_rd, buf, sizeof(buf)) > 0)
        ;
}

int evconf_run_once(void)
{
    int npfds, timeout, ready, ndue;

    loop_thread = pthread_self();
    in_iteration = true;
    sweep();
    pthread_mutex_lock(&lock);
    timeout = prepare_locked(&npfds);
    pthread_mutex_unlock(&lock);
    ready = poll(pfds, (nfds_t)npfds, timeout);
    if (ready < 0 && errno != EINTR && errno != EAGAIN && errno != ENOMEM) {
        in_iteration = false;
        return -1;
    }
    if (ready < 0)
        ready = 0;              /* as if the wait had timed out (R2) */
    if (ready > 0 && pfds[0].revents)
        drain_wake();
    pthread_mutex_lock(&lock);
    waits_ended++;
    ndue = collect_due_locked(false);
    pthread_mutex_unlock(&lock);
    if (ready > 0)
        dispatch_handles(npfds);
    dispatch_timers(ndue);
#ifdef SECOND_TIMER_PASS
    pthread_mutex_lock(&lock);
    ndue = collect_due_locked(true);
    pthread_mutex_unlock(&lock);
    dispatch_timers(ndue);
#endif
    sweep();
    in_iteration = false;
    return 0;
}

int evconf_register(void)
{
    int fds[2];

    if (wake_rd < 0) {
        if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
            return -1;
        wake_rd = fds[0];
        wake_wr = fds[1];
    }
    pthread_mutex_lock(&lock);
    if (!reserve_locked()) {
        pthread_mutex_unlock(&lock);
        return -1;
    }
    pthread_mutex_unlock(&lock);
    virEventRegisterImpl(add_handle, update_handle, remove_handle,
                         add_timeout, update_timeout, remove_timeout);
    return 0;
}

#ifndef LOOP_NAME
#define LOOP_NAME "good: a table-scanning loop of its own, watches before " \
                  "timers (keeps every rule)"
#endif

const char *evconf_name(void)
{
    return LOOP_NAME;
}
