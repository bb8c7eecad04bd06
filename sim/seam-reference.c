/*
 * seam-reference.c - run the reference loop in virtual time through its
 * own seam (no interposition needed).
 */
#include "evref-seam.h"
#include "internal.h"

static int64_t seam_now(void *ctx)
{
    (void)ctx;
    return sim_now_ns();
}

static int seam_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    (void)ctx;
    return sim_poll(fds, nfds, timeout_ms);
}

void sim_attach_reference(void)
{
    static const struct evref_sys sys = { seam_now, seam_poll, NULL };

    evref_set_sys(&sys);
}
