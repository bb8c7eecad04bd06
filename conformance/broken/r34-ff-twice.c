/*
 * r34-ff-twice.c - breaks R34: every free callback is called twice, a
 * double release of whatever it frees.
 */
#include "wrap.h"

static void free_dispatch(struct wrec *w)
{
    if (w->ff) {
        w->freed = true;
        w->ff(w->opaque);
        w->ff(w->opaque);
    }
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r34-ff-twice (breaks R34)",
    .free_dispatch = free_dispatch,
};
