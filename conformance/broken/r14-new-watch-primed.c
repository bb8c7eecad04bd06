/*
 * r14-new-watch-primed.c - breaks R14: a watch added with events is called
 * once, in the next iteration, with the events it asked for, whether or not
 * its fd has them, as loops do that "prime" a new watch so that the handler
 * drains whatever arrived before it was registered.  A libvirt handler then
 * reads from a socket with nothing to read, or writes to one that is full,
 * on a condition that was never there.
 */
#include <stddef.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

#include "wrap.h"

#define PRIMED ((void *)(uintptr_t)1)

static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    int id = wrap_add_handle(fd, events, cb, opaque, ff);
    struct wrec *w = id > 0 ? wrap_find(id, false) : NULL;

    if (w && events)
        w->priv = PRIMED;
    return id;
}

static int run_once(void)
{
    int rc = wrap_run_once();

    wrap_call_primed(PRIMED);
    return rc;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r14-new-watch-primed (breaks R14)",
    .add_handle = add_handle,
    .run_once = run_once,
};
