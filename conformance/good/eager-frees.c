/*
 * eager-frees.c - keeps every rule, and runs a free callback as soon as
 * the callback that removed its registration returns.
 *
 * R34 wants the free after the remove, R35 not inside it, R36 on a clean
 * stack, R37 only after the registration's own callback has returned, and
 * R38 within two iterations.  When a callback removes registrations, this
 * loop frees them the moment that callback returns, before the rest of
 * the iteration's callbacks: the stack is the loop's alone, no lock is
 * held, and a registration removed by a callback is never called again
 * (R29), so nothing of it can run later.  Removes made elsewhere (another
 * thread, a free callback, between iterations) are freed where the
 * reference frees them.  A suite that expects frees to wait for the end
 * of the iteration fails this loop wrongly.
 */
#include "wrap.h"

#define MAX_EAGER 4096          /* taken up front: an iteration needs no memory (R2) */

static struct wrec *eager[MAX_EAGER];
static int neager;

/* A remove by a callback on the loop thread: free it once that callback
 * returns.  Elsewhere, or with no room, the reference's sweep frees it. */
static void note(int rc, struct wrec *w)
{
    if (rc == 0 && w && wrap_dispatching() && wrap_running() && neager < MAX_EAGER)
        eager[neager++] = w;
}

static int remove_handle(int watch)
{
    struct wrec *w = wrap_find(watch, false);
    int rc = wrap_remove_handle(watch);

    note(rc, w);
    return rc;
}

static int remove_timeout(int timer)
{
    struct wrec *w = wrap_find(timer, true);
    int rc = wrap_remove_timeout(timer);

    note(rc, w);
    return rc;
}

/* Free what the callback removed; wrap_call_free runs each free once,
 * so the reference's later sweep finds them done. */
static void free_eager(void)
{
    for (int i = 0; i < neager; i++)
        wrap_call_free(eager[i]);
    neager = 0;
}

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    wrap_call_handle(w, fd, events);
    free_eager();
}

static void timer_dispatch(struct wrec *w)
{
    wrap_call_timer(w);
    free_eager();
}

const struct wrap_hooks wrap_hooks = {
    .name = "good: frees run as soon as the removing callback returns "
            "(keeps every rule)",
    .remove_handle = remove_handle,
    .remove_timeout = remove_timeout,
    .handle_dispatch = handle_dispatch,
    .timer_dispatch = timer_dispatch,
};
