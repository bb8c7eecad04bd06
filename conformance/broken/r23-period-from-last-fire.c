/*
 * r23-period-from-last-fire.c - breaks R23: an update measures the new
 * period from the timer's last expiry (or from its add, if it never fired)
 * instead of from the update, so a timer enabled long after it last fired
 * goes off at once, and re-setting the same value does not push it back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "wrap.h"

struct state {
    int64_t base_ns;            /* last expiry, or the add */
    unsigned updates;
    bool restore;               /* the loop holds a shortened period */
};

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    struct state *s = calloc(1, sizeof(*s));
    int id;
    struct wrec *w;

    if (!s)
        return -1;
    s->base_ns = now_ns();
    id = wrap_add_timeout(ms, cb, opaque, ff);
    w = id >= 0 ? wrap_find(id, true) : NULL;
    if (w)
        w->priv = s;
    else
        free(s);
    return id;
}

static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);
    struct state *s = w ? w->priv : NULL;

    if (s && !w->removed && ms >= 0) {
        int64_t left = s->base_ns + ms * INT64_C(1000000) - now_ns();
        int rest = left <= 0 ? 0 : (int)((left + 999999) / 1000000);
        s->updates++;
        wrap_update_timeout(timer, rest);
        w->timeout = ms;
        s->restore = rest != ms;
        return;
    }
    if (s)
        s->updates++;
    wrap_update_timeout(timer, ms);
}

static void timer_dispatch(struct wrec *w)
{
    struct state *s = w->priv;
    bool restore = s && s->restore;
    unsigned updates = s ? s->updates : 0;

    if (s) {
        s->base_ns = now_ns();
        s->restore = false;
    }
    wrap_call_timer(w);
    /* Back to the caller's period, unless the callback set a new one. */
    if (restore && !w->removed && s->updates == updates && w->timeout >= 0)
        evref_update_timeout(w->inner, w->timeout);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r23-period-from-last-fire (breaks R23)",
    .add_timeout = add_timeout,
    .update_timeout = update_timeout,
    .timer_dispatch = timer_dispatch,
};
