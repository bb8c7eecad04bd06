/* null-opaque-deref.c - a timers-only loop that, like a binding wrapping
 * the opaque in an object of its own, reads the opaque before it calls a
 * callback or free callback: a NULL one crashes it while it dispatches,
 * in no callback of the runner's (R16 for a callback, R40 for a free
 * callback).  One iteration: the pending free callbacks, then every 0 ms
 * timer; it never waits. */
#include <libvirt/libvirt.h>

#include "evconf.h"

#define MAX 64

static struct timer {
    int ms;
    int state;                  /* 0 free, 1 live, 2 removed, ff owed */
    virEventTimeoutCallback cb;
    void *opaque;
    virFreeCallback ff;
} timers[MAX];

/* A real SIGSEGV in a sanitizer build too: UBSan would stop the process
 * at the NULL load first, with an exit instead of the signal. */
__attribute__((no_sanitize("undefined", "address")))
static void read_opaque(void *opaque)
{
    (void)*(volatile char *)opaque;
}

static void no_update_handle(int watch, int events)
{
    (void)watch, (void)events;
}

static int no_remove_handle(int watch)
{
    (void)watch;
    return -1;
}

static int no_add_handle(int fd, int events, virEventHandleCallback cb,
                         void *opaque, virFreeCallback ff)
{
    (void)fd, (void)events, (void)cb, (void)opaque, (void)ff;
    return -1;
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                       virFreeCallback ff)
{
    for (int i = 0; i < MAX; i++)
        if (timers[i].state == 0) {
            timers[i] = (struct timer){ ms, 1, cb, opaque, ff };
            return i + 1;
        }
    return -1;
}

static void update_timeout(int timer, int ms)
{
    if (timer >= 1 && timer <= MAX && timers[timer - 1].state == 1)
        timers[timer - 1].ms = ms;
}

static int remove_timeout(int timer)
{
    if (timer < 1 || timer > MAX || timers[timer - 1].state != 1)
        return -1;
    timers[timer - 1].state = 2;
    return 0;
}

int evconf_register(void)
{
    virEventRegisterImpl(no_add_handle, no_update_handle, no_remove_handle,
                         add_timeout, update_timeout, remove_timeout);
    return 0;
}

int evconf_run_once(void)
{
    for (int i = 0; i < MAX; i++)
        if (timers[i].state == 2) {
            timers[i].state = 0;
            if (timers[i].ff) {
                read_opaque(timers[i].opaque);
                timers[i].ff(timers[i].opaque);
            }
        }
    for (int i = 0; i < MAX; i++)
        if (timers[i].state == 1 && timers[i].ms == 0) {
            read_opaque(timers[i].opaque);
            timers[i].cb(i + 1, timers[i].opaque);
        }
    return 0;
}
