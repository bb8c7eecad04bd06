/*
 * r45-abort-on-bad-id.c - breaks R45: an update or remove of an id the loop
 * does not know (never given, or already removed) raises an error that
 * nothing catches at the C boundary; here, as for an exception escaping a
 * binding, the process ends.  libvirt makes such calls routinely and
 * expects -1 or nothing.
 */
#include <stdlib.h>

#include "wrap.h"

static struct wrec *known(int id, bool timer)
{
    struct wrec *w = wrap_find(id, timer);

    if (!w || w->removed)
        abort();                    /* "raise" */
    return w;
}

static void update_handle(int watch, int events)
{
    known(watch, false);
    wrap_update_handle(watch, events);
}

static int remove_handle(int watch)
{
    known(watch, false);
    return wrap_remove_handle(watch);
}

static void update_timeout(int timer, int ms)
{
    known(timer, true);
    wrap_update_timeout(timer, ms);
}

static int remove_timeout(int timer)
{
    known(timer, true);
    return wrap_remove_timeout(timer);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: abort-on-bad-id (breaks R45)",
    .update_handle = update_handle,
    .remove_handle = remove_handle,
    .update_timeout = update_timeout,
    .remove_timeout = remove_timeout,
};
