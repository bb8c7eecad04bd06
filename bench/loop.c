/*
 * loop.c - an implementation under measurement, driven through libvirt.
 *
 * The IMPL is loaded and registered; from then on every operation goes
 * through libvirt's public event API, which routes it to whatever loop
 * virEventRegisterImpl() was given, exactly as libvirt itself calls it.
 */
#include <dlfcn.h>
#include <stdio.h>

#include "bench.h"
#include "evconf.h"

/* RTLD_GLOBAL: an IMPL that embeds an interpreter or a toolkit may need its
 * symbols visible to what it loads in turn.  The handle is never closed:
 * libvirt keeps pointers into the IMPL for the life of the process. */
int bench_loop_open(const char *path, struct bench_loop *loop,
                    char *err, size_t errlen)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    evconf_register_fn reg;
    evconf_run_once_fn run;
    evconf_name_fn name;

    if (!h) {
        snprintf(err, errlen, "cannot load it: %s", dlerror());
        return -1;
    }
    *(void **)&reg = dlsym(h, "evconf_register");
    *(void **)&run = dlsym(h, "evconf_run_once");
    *(void **)&name = dlsym(h, "evconf_name");
    if (!reg || !run) {
        snprintf(err, errlen, "%s does not export %s", path,
                 reg ? "evconf_run_once" : "evconf_register");
        return -1;
    }
    if (reg() < 0) {
        snprintf(err, errlen, "evconf_register() failed");
        return -1;
    }
    *loop = (struct bench_loop){
        .add_handle = virEventAddHandle,
        .update_handle = virEventUpdateHandle,
        .remove_handle = virEventRemoveHandle,
        .add_timeout = virEventAddTimeout,
        .update_timeout = virEventUpdateTimeout,
        .remove_timeout = virEventRemoveTimeout,
        .run_once = run,
        .name = name ? name() : NULL,
    };
    return 0;
}
