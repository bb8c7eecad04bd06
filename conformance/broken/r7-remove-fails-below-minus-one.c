/*
 * r7-remove-fails-below-minus-one.c - breaks R7: remove looks for the
 * timer's backend entry, which a timer disabled with -1 keeps and one
 * disabled with any other negative value (R22) does not, so removing a
 * timer at -7 returns -1 and leaves it registered, its free callback never
 * run.
 */
#include "wrap.h"

static int remove_timeout(int timer)
{
    struct wrec *w = wrap_find(timer, true);

    if (w && !w->removed && w->timeout < -1)
        return -1;
    return wrap_remove_timeout(timer);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r7-remove-fails-below-minus-one (breaks R7)",
    .remove_timeout = remove_timeout,
};
