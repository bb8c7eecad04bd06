/*
 * r29-remove-of-earlier-lost.c - breaks R29: when a callback removes a
 * registration that was already dispatched earlier in the same iteration,
 * remove returns 0 but the removal is dropped: the registration keeps
 * being dispatched in later iterations, and its free callback never runs.
 */
#include <pthread.h>
#include <stdint.h>
#include <stddef.h>

#include "wrap.h"

static pthread_t loop_thread;
static bool in_run;
static intptr_t iteration = 1;
static struct wrec *running;

/* w->priv: the iteration in which w was last dispatched. */
static int remove_reg(int id, bool timer)
{
    struct wrec *w = wrap_find(id, timer);

    if (w && !w->removed && in_run &&
        pthread_equal(loop_thread, pthread_self()) && w != running &&
        (intptr_t)w->priv == iteration) {
        w->removed = true;
        return 0;
    }
    return timer ? wrap_remove_timeout(id) : wrap_remove_handle(id);
}

static int remove_handle(int watch)
{
    return remove_reg(watch, false);
}

static int remove_timeout(int timer)
{
    return remove_reg(timer, true);
}

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    w->priv = (void *)iteration;
    running = w;
    wrap_call_handle(w, fd, events);
    running = NULL;
}

static void timer_dispatch(struct wrec *w)
{
    w->priv = (void *)iteration;
    running = w;
    wrap_call_timer(w);
    running = NULL;
}

static int run_once(void)
{
    int rc;

    loop_thread = pthread_self();
    in_run = true;
    rc = wrap_run_once();
    in_run = false;
    iteration++;
    return rc;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r29-remove-of-earlier-lost (breaks R29)",
    .remove_handle = remove_handle,
    .remove_timeout = remove_timeout,
    .handle_dispatch = handle_dispatch,
    .timer_dispatch = timer_dispatch,
    .run_once = run_once,
};
