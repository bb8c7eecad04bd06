/*
 * r39-ff-null-called.c - breaks R39: the free callback is called without
 * checking it for NULL; a registration made without one crashes the loop.
 */
#include "wrap.h"

static void free_dispatch(struct wrec *w)
{
    w->freed = true;
    w->ff(w->opaque);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r39-ff-null-called (breaks R39)",
    .free_dispatch = free_dispatch,
};
