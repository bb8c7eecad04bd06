/*
 * r16-wrong-opaque.c - breaks R16: the loop keeps one user-data slot per fd
 * (and one for all timers), so every callback gets the opaque of the most
 * recently added live registration on its fd (or of the newest timer).
 * libvirt casts opaque straight to its object: the wrong one is a wrong
 * object, or freed memory.
 */
#include <stddef.h>

#include "wrap.h"

static struct wrec *newest(bool timer, int fd)
{
    for (int i = wrap_count() - 1; i >= 0; i--) {
        struct wrec *o = wrap_at(i);
        if (o->timer == timer && o->inner > 0 && !o->removed &&
            (timer || o->fd == fd))
            return o;
    }
    return NULL;
}

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    struct wrec *o = newest(false, fd);

    w->hcb(w->id, fd, events, o ? o->opaque : w->opaque);
}

static void timer_dispatch(struct wrec *w)
{
    struct wrec *o = newest(true, -1);

    w->tcb(w->id, o ? o->opaque : w->opaque);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: wrong-opaque (breaks R16)",
    .handle_dispatch = handle_dispatch,
    .timer_dispatch = timer_dispatch,
};
