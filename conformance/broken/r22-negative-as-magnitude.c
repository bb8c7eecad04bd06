/*
 * r22-negative-as-magnitude.c - breaks R22: only -1 disables a timer; any
 * other negative timeout is taken as a period of its magnitude, as in a
 * binding that passes abs(timeout) to its toolkit after testing for -1.
 * libvirt disables timers with -1, but nothing in the API says only -1:
 * a caller's -2 or INT_MIN (a computed "no deadline") then fires.
 */
#include <limits.h>

#include "wrap.h"

static int magnitude(int ms)
{
    return ms >= -1 ? ms : ms == INT_MIN ? INT_MAX : -ms;
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    return wrap_add_timeout(magnitude(ms), cb, opaque, ff);
}

static void update_timeout(int timer, int ms)
{
    wrap_update_timeout(timer, magnitude(ms));
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r22-negative-as-magnitude (breaks R22)",
    .add_timeout = add_timeout,
    .update_timeout = update_timeout,
};
