/*
 * r34-ff-never.c - breaks R34: free callbacks are never called; every
 * registration's data leaks.
 */
#include "wrap.h"

static void free_dispatch(struct wrec *w)
{
    w->freed = true;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r34-ff-never (breaks R34)",
    .free_dispatch = free_dispatch,
};
