/*
 * period-from-callback-end.c - keeps every rule, and runs a timer's next
 * period from the moment its callback returns.
 *
 * R25: after a fire the timer is rescheduled "from now ... (period from
 * dispatch or from callback end: open)".  The reference re-arms just
 * before the call; this loop re-arms again once the callback has returned,
 * unless the callback (or another thread, meanwhile) updated or removed
 * the timer: the last update has the last word (R23, R24).  A 0 ms timer
 * is due in every iteration anyway (R21) and a disabled one stays off.
 * With callbacks that take no time the two are the same; a callback that
 * runs 100 ms delays its timer's next fire by 100 ms.  A suite that
 * expects the period to run from the dispatch fails this loop wrongly.
 */
#include <pthread.h>
#include <stdint.h>

#include "wrap.h"

/* Orders the re-arm after a callback with the user's updates: an update
 * made on another thread while the callback ran must not be undone. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* The user's updates of w so far, kept in priv under the lock. */
static long updates_of(const struct wrec *w)
{
    return (long)(intptr_t)w->priv;
}

static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);

    pthread_mutex_lock(&lock);
    if (w && !w->removed)
        w->priv = (void *)(intptr_t)(updates_of(w) + 1);
    wrap_update_timeout(timer, ms);
    pthread_mutex_unlock(&lock);
}

static int remove_timeout(int timer)
{
    int rc;

    pthread_mutex_lock(&lock);
    rc = wrap_remove_timeout(timer);
    pthread_mutex_unlock(&lock);
    return rc;
}

/* Call, then start the period again from now if nobody changed the timer
 * meanwhile (R25: from callback end). */
static void timer_dispatch(struct wrec *w)
{
    long before;

    pthread_mutex_lock(&lock);
    before = updates_of(w);
    pthread_mutex_unlock(&lock);
    wrap_call_timer(w);
    pthread_mutex_lock(&lock);
    if (!w->removed && w->timeout > 0 && updates_of(w) == before)
        evref_update_timeout(w->inner, w->timeout);
    pthread_mutex_unlock(&lock);
}

const struct wrap_hooks wrap_hooks = {
    .name = "good: a timer's period runs from its callback's end "
            "(keeps every rule)",
    .update_timeout = update_timeout,
    .remove_timeout = remove_timeout,
    .timer_dispatch = timer_dispatch,
};
