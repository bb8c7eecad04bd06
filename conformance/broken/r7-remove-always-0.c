/*
 * r7-remove-always-0.c - breaks R7: the glue drops the loop's return value
 * and reports success for every remove, unknown, removed, zero and negative
 * ids included.  libvirt loses its only report that an id was stale.
 */
#include "wrap.h"

static int remove_handle(int watch)
{
    wrap_remove_handle(watch);
    return 0;
}

static int remove_timeout(int timer)
{
    wrap_remove_timeout(timer);
    return 0;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: remove-always-0 (breaks R7)",
    .remove_handle = remove_handle,
    .remove_timeout = remove_timeout,
};
