/*
 * ops.c - libvirt's six operations under the libuv integration's names.
 *
 * The core (integrations/core/) serves them whatever the host loop; these
 * are the names libuv_libvirt_register() hands virEventRegisterImpl() and
 * libuv-libvirt.h declares; the core's handles.c and timers.c name the
 * contract rules each keeps.
 */
#include "evcore.h"
#include "libuv-libvirt.h"

int libuv_libvirt_add_handle(int fd, int events, virEventHandleCallback cb,
                             void *opaque, virFreeCallback ff)
{
    return evc_add_handle(fd, events, cb, opaque, ff);
}

void libuv_libvirt_update_handle(int watch, int events)
{
    evc_update_handle(watch, events);
}

int libuv_libvirt_remove_handle(int watch)
{
    return evc_remove_handle(watch);
}

int libuv_libvirt_add_timeout(int timeout_ms, virEventTimeoutCallback cb,
                              void *opaque, virFreeCallback ff)
{
    return evc_add_timeout(timeout_ms, cb, opaque, ff);
}

void libuv_libvirt_update_timeout(int timer, int timeout_ms)
{
    evc_update_timeout(timer, timeout_ms);
}

int libuv_libvirt_remove_timeout(int timer)
{
    return evc_remove_timeout(timer);
}

size_t libuv_libvirt_pending(void)
{
    return evc_pending();
}
