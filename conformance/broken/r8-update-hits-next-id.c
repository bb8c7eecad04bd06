/*
 * r8-update-hits-next-id.c - breaks R8 (and R16): a timer update lands on
 * the timer with the next id, as in a loop that stores timers at
 * index id - 1 when it adds them but looks them up at index id when it
 * updates them.  The timer meant to be re-armed keeps its old timeout, and
 * its neighbour, perhaps disabled, starts firing with a period that was
 * never set for it; an update of the newest timer does nothing.
 */
#include "wrap.h"

static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer + 1, true);

    if (w && !w->removed)
        wrap_update_timeout(timer + 1, ms);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r8-update-hits-next-id (breaks R8)",
    .update_timeout = update_timeout,
};
