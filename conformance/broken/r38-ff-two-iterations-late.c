/*
 * r38-ff-two-iterations-late.c - breaks R38: free callbacks are held for
 * two iterations after the one in which the reference would run them, as
 * in a loop that frees in an "epoch" scheme and waits for quiescent
 * passes.  The loop never blocks while a free is held, so each free
 * comes; but R38 bounds the delay to one or two iterations after the
 * remove, and R43 to the iteration after the wake-up for a remove from
 * another thread.  One iteration later than the reference is allowed:
 * the good loop lazy-frees does that and passes.
 */
#include "wrap.h"

#define HOLD 2
#define MAX_HELD 4096           /* taken up front: an iteration needs no memory (R2) */

static struct { struct wrec *w; long until; } held[MAX_HELD];
static int nheld;

static void free_dispatch(struct wrec *w)
{
    if (nheld < MAX_HELD) {
        held[nheld].w = w;
        held[nheld].until = wrap_iteration() + HOLD;
        nheld++;
    } else {
        wrap_call_free(w);
    }
}

/* Run the frees whose time has come, oldest first. */
static int run_once(void)
{
    int kept = 0, n = nheld;

    for (int i = 0; i < n; i++) {
        if (held[i].until <= wrap_iteration())
            wrap_call_free(held[i].w);
        else
            held[kept++] = held[i];
    }
    /* A free callback may have held more meanwhile: keep them too. */
    for (int i = n; i < nheld; i++)
        held[kept++] = held[i];
    nheld = kept;
    return wrap_run_once();
}

/* No sleeping while a free is owed. */
static int busy_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    (void)ctx;
    return poll(fds, nfds, nheld > 0 ? 0 : timeout_ms);
}

static int register_loop(void)
{
    return wrap_register_sys(NULL, busy_poll);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r38-ff-two-iterations-late (breaks R38)",
    .register_loop = register_loop,
    .free_dispatch = free_dispatch,
    .run_once = run_once,
};
