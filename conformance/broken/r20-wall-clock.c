/*
 * r20-wall-clock.c - breaks R20: timers are timed by the wall clock
 * (CLOCK_REALTIME, as gettimeofday() and time() are), not by a monotonic
 * one.  While nobody sets the clock this cannot be told apart from a
 * correct loop; when NTP steps it or an administrator sets the date, every
 * timer fires at once (a step forward) or an hour late (a step back), and
 * keepalive closes healthy connections or never notices dead ones.
 */
#include <time.h>

#include "wrap.h"

static int64_t wall_now_ns(void *ctx)
{
    struct timespec ts;

    (void)ctx;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int register_loop(void)
{
    return wrap_register_sys(wall_now_ns, NULL);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r20-wall-clock (breaks R20)",
    .register_loop = register_loop,
};
