/*
 * libvirt-glib.c - libvirt-glib's GLib main-loop integration as an
 * implementation under test: IMPL=libvirt-glib.
 */
#include <glib.h>
#include <libvirt-glib/libvirt-glib.h>

#include "evconf.h"

int evconf_register(void)
{
    gvir_event_register();
    return 0;
}

/* One blocking iteration of the default main context, which is where
 * gvir_event_register() attaches its sources. */
int evconf_run_once(void)
{
    g_main_context_iteration(NULL, TRUE);
    return 0;
}

const char *evconf_name(void)
{
    return "libvirt-glib (gvir_event_register)";
}
