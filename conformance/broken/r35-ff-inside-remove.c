/*
 * ff-inside-remove.c - breaks R35: the free callback runs synchronously
 * inside remove, where libvirt still holds the lock the free callback
 * takes (libvirt-python's 72e237f fixed exactly this deadlock).
 */
#include "wrap.h"

static int remove_handle(int watch)
{
    struct wrec *w = wrap_find(watch, false);
    int rc = wrap_remove_handle(watch);

    if (rc == 0)
        wrap_call_free(w);          /* too early; the later one is skipped */
    return rc;
}

static int remove_timeout(int timer)
{
    struct wrec *w = wrap_find(timer, true);
    int rc = wrap_remove_timeout(timer);

    if (rc == 0)
        wrap_call_free(w);
    return rc;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: ff-inside-remove (breaks R35)",
    .remove_handle = remove_handle,
    .remove_timeout = remove_timeout,
};
