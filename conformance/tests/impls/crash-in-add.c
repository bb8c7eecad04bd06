/* crash-in-add.c - an implementation whose add_handle dies of SIGSEGV (a
 * NULL dereference); its timers work, well enough for the runner's guard
 * timer.  The crash is inside an operation: R45. */
#include <stddef.h>
#include <libvirt/libvirt.h>

#include "evconf.h"

/* A real SIGSEGV in a sanitizer build too: UBSan would stop the process
 * at the NULL load first, with an exit instead of the signal. */
__attribute__((no_sanitize("undefined", "address")))
static int crash_add_handle(int fd, int events, virEventHandleCallback cb,
                            void *opaque, virFreeCallback ff)
{
    int *volatile nowhere = NULL;

    (void)fd, (void)events, (void)cb, (void)opaque, (void)ff;
    return *nowhere;
}

static void update_handle(int watch, int events)
{
    (void)watch, (void)events;
}

static int remove_handle(int watch)
{
    (void)watch;
    return -1;
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    (void)ms, (void)cb, (void)opaque, (void)ff;
    return 1;
}

static void update_timeout(int timer, int ms)
{
    (void)timer, (void)ms;
}

static int remove_timeout(int timer)
{
    return timer == 1 ? 0 : -1;
}

int evconf_register(void)
{
    virEventRegisterImpl(crash_add_handle, update_handle, remove_handle,
                         add_timeout, update_timeout, remove_timeout);
    return 0;
}

int evconf_run_once(void)
{
    return 0;
}
