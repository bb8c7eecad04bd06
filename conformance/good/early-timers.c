/*
 * early-timers.c - keeps every rule, and fires timers up to 19 ms early.
 *
 * R26 lets a loop fire a timer up to 20 ms before its deadline, as
 * libvirt's poll(2) loop did for timers due within its next wake-up.  This
 * loop does it always: while it plans its wait and picks the due timers, its
 * clock reads 19 ms ahead; when it sets a deadline (an add or update, or
 * re-arming a timer it is about to call) the clock reads true.  Each timer
 * therefore fires 19 ms before it is due, except that a re-armed period
 * runs from the early fire.  A suite whose windows start at the exact
 * deadline, or that counts fires in a window ending on a deadline, fails
 * this loop wrongly.
 */
#include <time.h>

#include "wrap.h"

#define EARLY_NS (19 * 1000000LL)

/* Ahead while the loop plans its wait and collects due timers: on the
 * loop thread, inside an iteration, outside any callback. */
static int64_t early_now_ns(void *ctx)
{
    struct timespec ts;
    int64_t ns;

    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    return wrap_dispatching() && !wrap_running() ? ns + EARLY_NS : ns;
}

static int register_loop(void)
{
    return wrap_register_sys(early_now_ns, NULL);
}

const struct wrap_hooks wrap_hooks = {
    .name = "good: timers fire 19 ms early (keeps every rule)",
    .register_loop = register_loop,
};
