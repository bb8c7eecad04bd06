/*
 * r24-disabled-to-zero-ignored.c - breaks R24 (-1 -> 0): setting a
 * disabled timer to 0 only records the value; the timer stays disarmed
 * until some later update arms it (libvirt's way of firing its event-state
 * and stream timers is lost).
 */
#include <stddef.h>

#include "wrap.h"

static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);

    if (w && !w->removed && w->timeout < 0 && ms == 0) {
        w->timeout = 0;
        return;
    }
    wrap_update_timeout(timer, ms);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r24-disabled-to-zero-ignored (breaks R24)",
    .update_timeout = update_timeout,
};
