/*
 * timers.c - libvirt's timers as one-shot libevent timer events, armed
 * again at each fire.
 */
#include <stdlib.h>

#include "internal.h"

/* Arms r's event for r->timeout ms from now, or disarms it (< 0, R22);
 * called locked.  libevent counts a timeout from the base's cached time,
 * which while callbacks run is the moment the iteration woke: a timer
 * set by a late callback would be due early, or already past, so the
 * cache is brought up to date first, and the period runs from the call
 * (R20, R23, R25).  A 0 timer is due at once: the next wait does not
 * block and the timer fires in every iteration (R21), but never twice in
 * one, since libevent moves due timers to its ready list only before
 * dispatch. */
static void arm(struct lvev_reg *r)
{
    struct timeval tv;

    if (r->timeout < 0) {
        event_del_noblock(r->ev);
        return;
    }
    tv.tv_sec = r->timeout / 1000;
    tv.tv_usec = (r->timeout % 1000) * 1000;
    event_base_update_cache_time(lvev.base);
    event_add(r->ev, &tv);
}

/* libevent's callback for every timer.  Not EV_PERSIST: a persistent
 * libevent timer schedules its next run from its last deadline, so after
 * a late dispatch it fires again at once to catch up (R25); here the next
 * period is armed from the moment of dispatch, before the callback, so
 * that an update the callback makes wins (R24).  A timer removed or
 * disabled since libevent found it due is skipped (R29, R31); the
 * callback runs without the lock (R44). */
static void timer_due(evutil_socket_t fd, short what, void *arg)
{
    struct lvev_reg *r = arg;
    virEventTimeoutCallback cb;
    void *opaque;
    int id;

    (void)fd, (void)what;
    lvev_lock();
    lvev_seen_on_loop();
    if (r->removed || r->timeout < 0) {
        lvev_unlock();
        return;
    }
    arm(r);
    cb = r->tcb;
    opaque = r->opaque;
    id = r->id;
    lvev_unlock();
    cb(id, opaque);
}

/* A timer of timeout ms (0: every iteration; < 0: disabled, R9, R22).
 * Its event is made now, so that updates cannot fail (R2). */
int lvev_add_timeout(int timeout, virEventTimeoutCallback cb,
                     void *opaque, virFreeCallback ff)
{
    struct lvev_reg *r;
    int id;

    if (!cb || !(r = lvev_new_reg(true, opaque, ff)))
        return -1;
    r->timeout = timeout;
    r->tcb = cb;
    r->ev = event_new(lvev.base, -1, 0, timer_due, r);
    if (!r->ev) {
        free(r);
        return -1;
    }
    lvev_lock();
    id = lvev_link(r);
    if (id > 0)
        arm(r);
    lvev_unlock();
    if (id < 0) {
        event_free(r->ev);
        free(r);
    }
    return id;
}

/* Every update restarts the period, also to the same value (R23): keepalive
 * pushes its next ping back so.  Nothing for an unknown id (R8). */
void lvev_update_timeout(int id, int timeout)
{
    struct lvev_reg *r;

    lvev_lock();
    r = lvev_find(true, id);
    if (r) {
        r->timeout = timeout;
        arm(r);
    }
    lvev_unlock();
}

int lvev_remove_timeout(int id)
{
    return lvev_remove(true, id);
}
