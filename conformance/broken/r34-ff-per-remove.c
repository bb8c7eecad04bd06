/*
 * r34-ff-per-remove.c - breaks R34 (and R7): remove finds registrations
 * whose removal is still pending, so a second remove before the loop has
 * swept the first returns 0 again and queues a second free callback.
 */
#include <stdint.h>

#include "wrap.h"

/* w->priv counts the extra removes. */
static int remove_reg(int id, bool timer)
{
    struct wrec *w = wrap_find(id, timer);

    if (w && w->removed && !w->freed) {
        w->priv = (void *)((intptr_t)w->priv + 1);
        return 0;
    }
    return timer ? wrap_remove_timeout(id) : wrap_remove_handle(id);
}

static int remove_handle(int watch)
{
    return remove_reg(watch, false);
}

static int remove_timeout(int timer)
{
    return remove_reg(timer, true);
}

static void free_dispatch(struct wrec *w)
{
    intptr_t extra = (intptr_t)w->priv;

    wrap_call_free(w);
    while (extra-- > 0 && w->ff)
        w->ff(w->opaque);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r34-ff-per-remove (breaks R34)",
    .remove_handle = remove_handle,
    .remove_timeout = remove_timeout,
    .free_dispatch = free_dispatch,
};
