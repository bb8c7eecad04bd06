/*
 * r5-recycle-ids.c - breaks R5 (its SHOULD part): once a registration's free
 * callback has run, its id goes back to a pool and the next add takes the
 * smallest free one.  Live ids stay unique, but libvirt's late update or
 * remove of an id it still holds then hits the unrelated newcomer.
 */
#include <stdint.h>

#include "wrap.h"

#define RELEASED ((void *)(uintptr_t)1)

static int smallest_free(bool timer)
{
    for (int id = 1;; id++) {
        bool used = false;
        for (int i = 0; i < wrap_count() && !used; i++) {
            struct wrec *w = wrap_at(i);
            used = w->timer == timer && w->inner > 0 && w->priv != RELEASED &&
                   w->id == id;
        }
        if (!used)
            return id;
    }
}

static int recycle(int inner, bool timer)
{
    struct wrec *w;
    int id;

    if (inner < 0)
        return inner;
    w = wrap_find(inner, timer);
    w->id = 0;                      /* not in use while we look */
    id = smallest_free(timer);
    w->id = id;
    return id;
}

static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    return recycle(wrap_add_handle(fd, events, cb, opaque, ff), false);
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    return recycle(wrap_add_timeout(ms, cb, opaque, ff), true);
}

static void free_dispatch(struct wrec *w)
{
    wrap_call_free(w);
    w->priv = RELEASED;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: recycle-ids (breaks R5)",
    .add_handle = add_handle,
    .add_timeout = add_timeout,
    .free_dispatch = free_dispatch,
};
