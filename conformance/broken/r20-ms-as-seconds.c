/*
 * r20-ms-as-seconds.c - breaks R20: a timeout of N > 0 is taken as N
 * seconds, as a binding does that hands libvirt's milliseconds straight to
 * a host loop counting in seconds (asyncio's call_later, a sleep()).  0 and
 * -1 keep their meaning, so a loop driven only by 0 ms timers looks fine;
 * keepalive's 5 s tick comes after an hour and a half, and a dead daemon is
 * never noticed.
 */
#include <limits.h>

#include "wrap.h"

static int seconds(int ms)
{
    return ms <= 0 ? ms : ms > INT_MAX / 1000 ? INT_MAX : ms * 1000;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r20-ms-as-seconds (breaks R20)",
    .loop_timeout = seconds,
};
