/*
 * register.c - hand the loop to libvirt.
 */
#include "internal.h"

/* Creates the wake-up pipe first, so a loop that cannot work is reported
 * here rather than at its first iteration.  libvirt keeps the first
 * registration it is given and ignores later ones (R1); applications call
 * this before their first connection and keep iterating after the last one
 * closes, so that free callbacks still run (R2).  Every failure of the loop
 * is a return value: nothing here unwinds or aborts (R45). */
int evref_register(void)
{
    int rc;

    evref__lock();
    rc = evref__init_locked();
    evref__unlock();
    if (rc < 0)
        return -1;
    virEventRegisterImpl(evref_add_handle, evref_update_handle,
                         evref_remove_handle, evref_add_timeout,
                         evref_update_timeout, evref_remove_timeout);
    return 0;
}
