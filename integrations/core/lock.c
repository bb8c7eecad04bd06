/*
 * lock.c - the core's state, its one lock, its clock, and the wake-up of
 * a loop blocked in the host loop's wait.
 *
 * One mutex guards the core's state; it is never held while libvirt's
 * code runs (R44), nor while the host loop waits.
 */
#include <time.h>

#include "evcore.h"

struct evc_core evc_core = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = { .epfd = -1 },
};

/* The one lock: every operation takes it, from any thread (R42) and from
 * callbacks (R28), since no callback runs under it (R44). */
void evc_lock(void)
{
    pthread_mutex_lock(&evc_core.lock);
}

void evc_unlock(void)
{
    pthread_mutex_unlock(&evc_core.lock);
}

/* Deadlines count from the moment of each call, read here: not from the
 * host loop's cached time (libuv's millisecond clock of the iteration,
 * sd_event_now()), which is the moment the iteration woke, so that a
 * timer set by a callback that runs late would be due early (R23, R25). */
int64_t evc_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Whether a change made under the lock must wake a loop blocked in the
 * host loop's wait: only another thread's change, only while the loop
 * waits, only if the loop needs it before the wait would end by itself
 * (R43: by_ns is when the change needs serving; INT64_MIN for at once).
 * One wake-up per wait is enough. */
bool evc_wake_locked(int64_t by_ns)
{
    struct evc_core *c = &evc_core;

    if (!c->waiting || c->woken || by_ns >= c->wait_until ||
        pthread_equal(c->thread, pthread_self()))
        return false;
    c->woken = true;
    return true;
}

/* The wake-up comes after the unlock, so the woken loop does not wait for
 * the lock.  The host's wake is safe from any thread (struct evc_host);
 * it was set before the loop could wait, so before wake could be true. */
void evc_unlock_and_wake(bool wake)
{
    evc_unlock();
    if (wake)
        evc_core.host->wake();
}
