/*
 * r2-iteration-needs-memory.c - breaks R2: every iteration allocates a
 * scratch buffer for its dispatch list, and an iteration that cannot have
 * it fails (evconf_run_once() returns -1) instead of going on.  Memory is
 * short only now and then, but the application's "while (run_once() == 0)"
 * stops at the first shortage, and with it keepalive and every free
 * callback.
 */
#include <stdlib.h>

#include "wrap.h"

static int run_once(void)
{
    void *scratch = malloc(256);

    if (!scratch)
        return -1;
    free(scratch);
    return wrap_run_once();
}

const struct wrap_hooks wrap_hooks = {
    .name = "iteration-needs-memory (breaks R2)",
    .run_once = run_once,
};
