/*
 * r20-fires-early-within-20ms.c - breaks R20: a timer counts as due once
 * its deadline is less than 20 ms away, as a loop does that rounds its
 * deadlines to a coarse tick and dispatches what falls in the current one.
 * A timer of N > 20 ms fires 20 ms early; one of 20 ms or less fires in
 * every iteration, and a loop kept busy by it never waits, so time stands
 * still.
 */
#include "wrap.h"

#define TICK_MS 20

static int early(int ms)
{
    return ms <= 0 ? ms : ms > TICK_MS ? ms - TICK_MS : 0;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r20-fires-early-within-20ms (breaks R20)",
    .loop_timeout = early,
};
