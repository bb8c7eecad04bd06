/*
 * r34-ff-on-update.c - breaks R34: an update of a live registration runs
 * its free callback, as a binding does that implements update by
 * destroying the toolkit's source and creating a new one, and hands the
 * old source's destroy notification to libvirt's ff.  libvirt frees the
 * opaque (a client, a stream) while the watch or timer is still in use,
 * and the real remove later finds it already freed.
 */
#include "wrap.h"

static void update_handle(int watch, int events)
{
    struct wrec *w = wrap_find(watch, false);

    if (w && !w->removed)
        wrap_call_free(w);
    wrap_update_handle(watch, events);
}

static void update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);

    if (w && !w->removed)
        wrap_call_free(w);
    wrap_update_timeout(timer, ms);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r34-ff-on-update (breaks R34)",
    .update_handle = update_handle,
    .update_timeout = update_timeout,
};
