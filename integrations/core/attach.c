/*
 * attach.c - a host loop takes the core on, lets it go, and asks what is
 * left: what a host layer's register, close and pending functions share.
 */
#include "evcore.h"

/* Open the wake set and let the host set up its sources on it, under the
 * lock; only once (R1: libvirt keeps the first implementation registered,
 * so a second registration is refused here rather than ignored there).
 * The host layer hands libvirt its six operations when this succeeds. */
int evc_attach(const struct evc_host *host, void *arg)
{
    struct evc_core *c = &evc_core;
    int rc = -1;

    evc_lock();
    if (!c->registered && evc_wakeset_init(&c->wake) == 0 &&
        host->attach(arg) == 0) {
        c->registered = true;
        c->host = host;
        rc = 0;
    }
    evc_unlock();
    return rc;
}

/* Refuse new registrations and stop counting the loop as waiting; whether
 * the host still has sources to close (the first close after a
 * successful attach).  The wake set stays open: another thread's late
 * call may still reach it, and libvirt keeps the registration for good. */
bool evc_detach(void)
{
    struct evc_core *c = &evc_core;
    bool open;

    evc_lock();
    open = c->registered && !c->closed;
    c->closed = true;
    c->waiting = false;
    evc_unlock();
    return open;
}

/* Registrations not yet freed: live, or removed with the sweep to come. */
size_t evc_pending(void)
{
    size_t n;

    evc_lock();
    n = evc_core.watches.len + evc_core.timers.len;
    evc_unlock();
    return n;
}
