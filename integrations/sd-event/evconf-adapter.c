/*
 * evconf-adapter.c - the sd-event integration as an evconf implementation
 * (conformance/evconf.h): IMPL=sd-event.
 *
 * An sd_event of its own, served to libvirt by sdevent_libvirt_register();
 * one iteration is one sd_event_run() with no timeout, the step
 * sd_event_loop() repeats: it blocks as an application's loop would.
 */
#include <stdint.h>

#include "evconf.h"
#include "sdevent-libvirt.h"

static sd_event *event;

SDEVENT_LIBVIRT_API int evconf_register(void)
{
    if (sd_event_new(&event) < 0)
        return -1;
    return sdevent_libvirt_register(event);
}

/* sd_event_run() fails only when the loop cannot go on (a source's
 * callback failed, the loop was freed or exited): an interrupted wait
 * (EINTR) is an iteration with nothing to do (R2). */
SDEVENT_LIBVIRT_API int evconf_run_once(void)
{
    return sd_event_run(event, UINT64_MAX) < 0 ? -1 : 0;
}

SDEVENT_LIBVIRT_API const char *evconf_name(void)
{
    return "sd-event integration (integrations/sd-event)";
}
