/*
 * registry.c - the integration's records, their ids, the deferred free
 * callbacks, and the registration with libvirt.
 */
#include <stdlib.h>

#include <event2/thread.h>

#include "internal.h"

struct lvev_state lvev = { .lock = PTHREAD_MUTEX_INITIALIZER };

void lvev_lock(void)
{
    pthread_mutex_lock(&lvev.lock);
}

void lvev_unlock(void)
{
    pthread_mutex_unlock(&lvev.lock);
}

/* A record with nothing registered yet.  Everything a registration needs
 * is allocated here, at add time, so that no iteration and no update
 * can fail for want of memory (R2). */
struct lvev_reg *lvev_new_reg(bool is_timer, void *opaque, virFreeCallback ff)
{
    struct lvev_reg *r = calloc(1, sizeof(*r));

    if (!r)
        return NULL;
    r->is_timer = is_timer;
    r->opaque = opaque;
    r->ff = ff;
    r->fd = -1;
    return r;
}

/* Notes the thread that runs libevent's callbacks: the loop thread;
 * called locked, from every callback. */
void lvev_seen_on_loop(void)
{
    lvev.loop_thread = pthread_self();
    lvev.loop_known = true;
}

/* Activates the sweep; called locked.  libevent wakes a blocked loop when
 * another thread activates an event, but not when the event is active
 * already: it takes the loop to be on its way to run it.  That holds
 * unless the loop's own thread activated it while blocked in its wait (a
 * signal handler's case), which libevent cannot notice; a remove from
 * another thread must still wake it (R38, R43).  So another thread that
 * finds the sweep already queued activates the kick, a no-op event no
 * loop-thread code activates: its activation always wakes the loop. */
static void queue_sweep(void)
{
    bool on_loop = lvev.loop_known &&
                   pthread_equal(lvev.loop_thread, pthread_self());

    if (lvev.sweep_queued && !on_loop)
        event_active(lvev.kick, 0, 0);
    lvev.sweep_queued = true;
    event_active(lvev.sweep, 0, 0);
}

/* The kick's callback: the wake-up was all it was for. */
static void kicked(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what, (void)arg;
}

/* Unlinks the live record of that kind and id and queues it for the
 * sweep: 0, or -1 if no such record is live (R7).  The event is deleted
 * without waiting (event_del_noblock): libevent's plain event_del, called
 * off the loop thread while the event's callback runs, waits for that
 * callback to return, and the callback may be waiting for a lock that
 * libvirt holds around this very call (R27, R44).  The record stays
 * allocated, flagged removed, so a callback already on its way to it
 * returns at once (R29); the free callback runs from the sweep, never
 * from here (R35), and activating the sweep wakes a loop blocked on
 * another thread (R38). */
int lvev_remove(bool is_timer, int id)
{
    struct lvev_reg *r;

    lvev_lock();
    r = lvev_unlink(is_timer, id);
    if (!r) {
        lvev_unlock();
        return -1;
    }
    r->removed = true;
    r->next = lvev.dead;
    lvev.dead = r;
    event_del_noblock(r->ev);
    queue_sweep();
    lvev_unlock();
    return 0;
}

/* The sweep, a callback of its own on the loop thread: every removed
 * record's free callback, from a clean stack with no lock held (R36,
 * R44), exactly once (R34), after the last run of its callback has
 * returned, since callbacks run on this thread too (R37).  A free
 * callback that removes another registration activates the sweep again,
 * and libevent runs it again in the same iteration (R38). */
static void sweep(evutil_socket_t fd, short what, void *arg)
{
    struct lvev_reg *r, *next;

    (void)fd, (void)what, (void)arg;
    lvev_lock();
    lvev_seen_on_loop();
    lvev.sweep_queued = false;
    r = lvev.dead;
    lvev.dead = NULL;
    lvev_unlock();
    for (; r; r = next) {
        next = r->next;
        if (r->ff)
            r->ff(r->opaque);       /* R39: NULL ff, nothing; R40: NULL opaque */
        event_free(r->ev);          /* on the loop thread: never waits */
        free(r);
        lvev_lock();
        lvev.pending--;
        lvev_unlock();
    }
}

/* The base must be one that other threads may wake (R42, R43): libvirt
 * calls the six functions from any thread.  libevent makes a base
 * thread-safe only if evthread_use_pthreads() ran before event_base_new();
 * evthread_make_base_notifiable() gives such a base its wake-up fd if it
 * lacks one.  libvirt keeps the first registration for good (R1), so a
 * second call fails rather than pointing the functions at another base. */
int libevent_libvirt_register(struct event_base *base)
{
    struct event *ev, *kick;

    if (!base || evthread_make_base_notifiable(base) < 0)
        return -1;
    ev = event_new(base, -1, 0, sweep, NULL);
    kick = event_new(base, -1, 0, kicked, NULL);
    lvev_lock();
    if (!ev || !kick || lvev.base) {
        lvev_unlock();
        if (ev)
            event_free(ev);
        if (kick)
            event_free(kick);
        return -1;
    }
    lvev.base = base;
    lvev.sweep = ev;
    lvev.kick = kick;
    lvev_unlock();
    virEventRegisterImpl(lvev_add_handle, lvev_update_handle,
                         lvev_remove_handle, lvev_add_timeout,
                         lvev_update_timeout, lvev_remove_timeout);
    return 0;
}

int libevent_libvirt_pending(void)
{
    int n;

    lvev_lock();
    n = lvev.pending;
    lvev_unlock();
    return n;
}
