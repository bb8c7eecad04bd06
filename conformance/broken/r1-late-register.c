/*
 * r1-late-register.c - breaks R1: the loop hands its functions to libvirt
 * only on its first iteration, not when the application registers it.  An
 * application (or a library) that calls virEventRegisterDefaultImpl() in
 * between wins the registration: libvirt then sends every add, update and
 * remove to a loop nobody runs, and this loop's own registration is ignored.
 */
#include <dlfcn.h>
#include <stdbool.h>

#include "wrap.h"

typedef void (*register_fn)(virEventAddHandleFunc, virEventUpdateHandleFunc,
                            virEventRemoveHandleFunc, virEventAddTimeoutFunc,
                            virEventUpdateTimeoutFunc, virEventRemoveTimeoutFunc);

static struct {
    virEventAddHandleFunc ah;
    virEventUpdateHandleFunc uh;
    virEventRemoveHandleFunc rh;
    virEventAddTimeoutFunc at;
    virEventUpdateTimeoutFunc ut;
    virEventRemoveTimeoutFunc rt;
    bool pending, done;
} saved;

/* The wrapper's registration call binds to this one (the library is linked
 * with -Bsymbolic): it only remembers the functions. */
void virEventRegisterImpl(virEventAddHandleFunc ah, virEventUpdateHandleFunc uh,
                          virEventRemoveHandleFunc rh, virEventAddTimeoutFunc at,
                          virEventUpdateTimeoutFunc ut, virEventRemoveTimeoutFunc rt)
{
    saved.ah = ah;
    saved.uh = uh;
    saved.rh = rh;
    saved.at = at;
    saved.ut = ut;
    saved.rt = rt;
    saved.pending = true;
}

static int run_once(void)
{
    if (saved.pending && !saved.done) {
        register_fn real = (register_fn)dlsym(RTLD_NEXT, "virEventRegisterImpl");
        saved.done = true;
        if (real)
            real(saved.ah, saved.uh, saved.rh, saved.at, saved.ut, saved.rt);
    }
    return wrap_run_once();
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: late-register (breaks R1)",
    .run_once = run_once,
};
