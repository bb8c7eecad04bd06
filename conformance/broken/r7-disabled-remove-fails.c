/*
 * r7-disabled-remove-fails.c - breaks R7: remove looks for the backend
 * object (a source, a poll entry) and fails when there is none, so removing
 * a handle at events 0 or a timer at a negative timeout returns -1 and
 * leaves the registration in place (libvirt-glib had this bug until
 * 79699d7).  libvirt parks its watches and timers disabled and removes them
 * from there: they, and what their free callbacks release, leak.
 */
#include "wrap.h"

static int remove_handle(int watch)
{
    struct wrec *w = wrap_find(watch, false);

    if (w && !w->removed && w->events == 0)
        return -1;
    return wrap_remove_handle(watch);
}

static int remove_timeout(int timer)
{
    struct wrec *w = wrap_find(timer, true);

    if (w && !w->removed && w->timeout < 0)
        return -1;
    return wrap_remove_timeout(timer);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: disabled-remove-fails (breaks R7)",
    .remove_handle = remove_handle,
    .remove_timeout = remove_timeout,
};
