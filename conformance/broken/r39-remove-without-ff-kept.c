/*
 * r39-remove-without-ff-kept.c - breaks R39 (and with it R29): the loop
 * unlinks a removed registration in the sweep that runs free callbacks,
 * and only registrations with a free callback are queued for it.  One
 * added with ff NULL answers remove with 0 and keeps firing: libvirt's
 * daemon, netlink and udev code register without a free callback and
 * release what the callback uses right after remove.
 */
#include "wrap.h"

static int remove_handle(int watch)
{
    struct wrec *w = wrap_find(watch, false);

    if (w && !w->removed && !w->ff)
        return 0;
    return wrap_remove_handle(watch);
}

static int remove_timeout(int timer)
{
    struct wrec *w = wrap_find(timer, true);

    if (w && !w->removed && !w->ff)
        return 0;
    return wrap_remove_timeout(timer);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r39-remove-without-ff-kept (breaks R39)",
    .remove_handle = remove_handle,
    .remove_timeout = remove_timeout,
};
