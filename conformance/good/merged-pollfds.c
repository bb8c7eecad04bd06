/*
 * merged-pollfds.c - keeps every rule, and polls each fd once however
 * many watches it has.
 *
 * libevent and libuv keep one kernel registration per fd and share it
 * among the watches on it.  This loop merges the entries of its poll set
 * by fd number (the union of their events), waits on the merged set, and
 * gives each watch what poll(2) would have given its own entry: the
 * merged result cut to that watch's events, plus ERROR, HANGUP and NVAL,
 * which poll(2) reports for every entry.  Watches stay independent (R15):
 * only the kernel call is shared, never a watch's mask, id or opaque; a
 * watch at events 0 still gets nothing (R10).  The merged set lives in
 * memory taken once, so an iteration needs none (R2); a set too big for
 * it is polled as it is.  A suite that counts poll entries, or needs one
 * per watch, fails this loop wrongly.
 */
#include "wrap.h"

#define MAX_MERGED 4096

static struct pollfd merged[MAX_MERGED];
static nfds_t slot_of[MAX_MERGED];      /* fds[i] is merged[slot_of[i]] */

/* The merged slot for fd, added if new; linear, as sets are small. */
static nfds_t slot_for(int fd, nfds_t *nmerged)
{
    for (nfds_t j = 0; j < *nmerged; j++)
        if (merged[j].fd == fd)
            return j;
    merged[*nmerged] = (struct pollfd){ .fd = fd };
    return (*nmerged)++;
}

static int merged_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    const short always = POLLERR | POLLHUP | POLLNVAL;
    nfds_t nmerged = 0;
    int rc, ready = 0;

    (void)ctx;
    if (nfds > MAX_MERGED)
        return poll(fds, nfds, timeout_ms);
    for (nfds_t i = 0; i < nfds; i++) {
        slot_of[i] = slot_for(fds[i].fd, &nmerged);
        merged[slot_of[i]].events |= fds[i].events;
    }
    rc = poll(merged, nmerged, timeout_ms);
    if (rc <= 0)
        return rc;
    for (nfds_t i = 0; i < nfds; i++) {
        fds[i].revents = fds[i].fd < 0 ? 0 :
                         merged[slot_of[i]].revents & (fds[i].events | always);
        ready += fds[i].revents != 0;
    }
    return ready;
}

static int register_loop(void)
{
    return wrap_register_sys(NULL, merged_poll);
}

const struct wrap_hooks wrap_hooks = {
    .name = "good: one poll entry per fd, shared by its watches "
            "(keeps every rule)",
    .register_loop = register_loop,
};
