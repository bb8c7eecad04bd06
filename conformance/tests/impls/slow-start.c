/* slow-start.c - libvirt's own loop behind a registration that takes
 * 300 ms of real time, as an interpreter's start-up does.  In real-time
 * mode the scenario's clock must start after it. */
#include <time.h>
#include <libvirt/libvirt.h>

#include "evconf.h"

int evconf_register(void)
{
    struct timespec t = { 0, 300 * 1000 * 1000 };

    nanosleep(&t, NULL);
    return virEventRegisterDefaultImpl();
}

int evconf_run_once(void)
{
    return virEventRunDefaultImpl();
}
