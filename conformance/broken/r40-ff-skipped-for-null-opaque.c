/*
 * r40-ff-skipped-for-null-opaque.c - breaks R40: the free callback is only
 * called when there is an opaque pointer to free; a registration with a
 * NULL opaque never gets its free callback.
 */
#include "wrap.h"

static void free_dispatch(struct wrec *w)
{
    if (w->opaque)
        wrap_call_free(w);
    else
        w->freed = true;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r40-ff-skipped-for-null-opaque (breaks R40)",
    .free_dispatch = free_dispatch,
};
