/*
 * r14-edge-triggered.c - breaks R14: a watch is called when its fd becomes
 * ready, and not again while it stays ready (an epoll EPOLLET habit).
 * libvirt's RPC server reads one message per callback and relies on being
 * called again for the rest: the bytes already buffered sit there until new
 * ones arrive.
 */
#include <stdint.h>

#include "wrap.h"

static uintptr_t iteration;

static int run_once(void)
{
    iteration++;
    return wrap_run_once();
}

/* priv: the iteration in which the fd was last seen ready. */
static void handle_dispatch(struct wrec *w, int fd, int events)
{
    bool still_ready = w->priv && (uintptr_t)w->priv == iteration - 1;

    w->priv = (void *)iteration;
    if (!still_ready)
        wrap_call_handle(w, fd, events);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: edge-triggered (breaks R14)",
    .run_once = run_once,
    .handle_dispatch = handle_dispatch,
};
