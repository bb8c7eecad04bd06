/*
 * libvirt-default.c - libvirt's own event loop (GLib-based since 6.1) as an
 * implementation under test: IMPL=libvirt-default.
 */
#include <libvirt/libvirt.h>

#include "evconf.h"

int evconf_register(void)
{
    return virEventRegisterDefaultImpl();
}

int evconf_run_once(void)
{
    return virEventRunDefaultImpl();
}

const char *evconf_name(void)
{
    return "libvirt default event loop (virEventRegisterDefaultImpl)";
}
