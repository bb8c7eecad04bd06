/*
 * r28-skip-after-remove.c - breaks R28: dispatch walks a live array, and a
 * remove made by a callback closes the gap at once, so the registration
 * that follows the removed one is skipped in that iteration.
 */
#include <stdbool.h>

#include "wrap.h"

static bool skip_next;

static int remove_handle(int watch)
{
    int rc = wrap_remove_handle(watch);

    if (rc == 0 && wrap_dispatching())
        skip_next = true;
    return rc;
}

static int remove_timeout(int timer)
{
    int rc = wrap_remove_timeout(timer);

    if (rc == 0 && wrap_dispatching())
        skip_next = true;
    return rc;
}

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    if (skip_next) {
        skip_next = false;
        return;
    }
    wrap_call_handle(w, fd, events);
}

static void timer_dispatch(struct wrec *w)
{
    if (skip_next) {
        skip_next = false;
        return;
    }
    wrap_call_timer(w);
}

static int run_once(void)
{
    int rc;

    skip_next = false;
    rc = wrap_run_once();
    skip_next = false;
    return rc;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r28-skip-after-remove (breaks R28)",
    .remove_handle = remove_handle,
    .remove_timeout = remove_timeout,
    .handle_dispatch = handle_dispatch,
    .timer_dispatch = timer_dispatch,
    .run_once = run_once,
};
