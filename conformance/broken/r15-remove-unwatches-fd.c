/*
 * r15-remove-unwatches-fd.c - breaks R15: removing a watch stops the
 * backend from watching its fd altogether, silencing every other watch on
 * the same fd (a binding that keeps one backend object per fd).  When
 * libvirt drops its write watch, its read watch on the same socket goes
 * deaf.
 */
#include "wrap.h"

static int remove_handle(int watch)
{
    struct wrec *w = wrap_find(watch, false);
    int rc = wrap_remove_handle(watch);

    if (rc != 0)
        return rc;
    for (int i = 0; i < wrap_count(); i++) {
        struct wrec *o = wrap_at(i);
        if (o != w && !o->timer && o->inner > 0 && !o->removed && o->fd == w->fd)
            evref_update_handle(o->inner, 0);
    }
    return rc;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: remove-unwatches-fd (breaks R15)",
    .remove_handle = remove_handle,
};
