/*
 * r22-only-minus-one.c - breaks R22: only -1 disables a timer; any other
 * negative timeout is clamped to 0, so the timer fires on every iteration.
 */
#include "wrap.h"

static int clamp(int ms)
{
    return ms < -1 ? 0 : ms;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r22-only-minus-one (breaks R22)",
    .loop_timeout = clamp,
};
