/*
 * r20-period-from-missed-deadline.c - breaks R20: a periodic timer keeps
 * its phase.  Its next deadline is the missed one plus the period, as a
 * drift-free ticker (a periodic timerfd, a "fixed rate" scheduler)
 * computes it; only when that is already past does it start again from
 * now, so there is never a burst.  A timer of 500 ms dispatched 100 ms
 * late (a slow sibling, a stalled loop) then fires again 400 ms after
 * that call.  This loop dispatches timers as soon as it wakes, so its
 * period restarts earlier than the wake-up of the iteration that fired
 * it, which R20 forbids; a loop that dispatched later in the iteration
 * would break only R25 (the period runs from the call).
 */
#include <stdint.h>
#include <time.h>

#include "wrap.h"

#define NS_PER_MS 1000000LL

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The timer's deadline as this loop sees it, kept in priv. */
static void set_deadline(struct wrec *w, int ms)
{
    if (w)
        w->priv = (void *)(intptr_t)(now_ns() + (int64_t)(ms > 0 ? ms : 0) * NS_PER_MS);
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    int id = wrap_add_timeout(ms, cb, opaque, ff);

    set_deadline(id > 0 ? wrap_find(id, true) : NULL, ms);
    return id;
}

static void update_timeout(int timer, int ms)
{
    wrap_update_timeout(timer, ms);
    set_deadline(wrap_find(timer, true), ms);
}

/* The reference re-armed w from now; move its deadline back to the missed
 * one plus the period while that is still ahead. */
static void timer_dispatch(struct wrec *w)
{
    int64_t now = now_ns(), next;

    if (w->timeout > 0) {
        next = (int64_t)(intptr_t)w->priv + (int64_t)w->timeout * NS_PER_MS;
        if (next > now) {
            evref_update_timeout(w->inner, (int)((next - now + NS_PER_MS - 1) / NS_PER_MS));
        } else {
            next = now + (int64_t)w->timeout * NS_PER_MS;
        }
        w->priv = (void *)(intptr_t)next;
    }
    wrap_call_timer(w);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r20-period-from-missed-deadline (breaks R20)",
    .add_timeout = add_timeout,
    .update_timeout = update_timeout,
    .timer_dispatch = timer_dispatch,
};
