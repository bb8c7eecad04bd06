/*
 * r20-short-timers-at-once.c - breaks R20: a timer of 40 ms or less is
 * treated as "short" and fires in the iteration after the one that set it,
 * whatever the clock says, and so on every iteration, as a loop does that
 * files short timers with its 0 ms ones.  R20 allows that for 20 ms or
 * less only; a 30 ms timer must never fire 10 ms after it was set.
 */
#include "wrap.h"

#define SHORT_MS 40

/* Short positive timeouts reach the reference as 0; the record keeps the
 * user's value. */
static int loop_timeout(int ms)
{
    return ms > 20 && ms <= SHORT_MS ? 0 : ms;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r20-short-timers-at-once (breaks R20)",
    .loop_timeout = loop_timeout,
};
