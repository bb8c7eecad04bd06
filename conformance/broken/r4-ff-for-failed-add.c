/*
 * r4-ff-for-failed-add.c - breaks R4: when an add fails, the loop still
 * calls the free callback it was given (on its next iteration), as a
 * wrapper object that owns the user data whatever happens would.  libvirt
 * releases that data itself after a failed add: this is a double free.
 */
#include <stddef.h>

#include "wrap.h"

#define MAX_PENDING 64

static struct {
    virFreeCallback ff;
    void *opaque;
} pending[MAX_PENDING];
static int npending;

static int remember(int id, void *opaque, virFreeCallback ff)
{
    if (id < 0 && ff && npending < MAX_PENDING) {
        pending[npending].ff = ff;
        pending[npending].opaque = opaque;
        npending++;
    }
    return id;
}

static int add_handle(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff)
{
    return remember(wrap_add_handle(fd, events, cb, opaque, ff), opaque, ff);
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    return remember(wrap_add_timeout(ms, cb, opaque, ff), opaque, ff);
}

static int run_once(void)
{
    while (npending > 0) {
        npending--;
        pending[npending].ff(pending[npending].opaque);
    }
    return wrap_run_once();
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: ff-for-failed-add (breaks R4)",
    .add_handle = add_handle,
    .add_timeout = add_timeout,
    .run_once = run_once,
};
