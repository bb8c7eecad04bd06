/*
 * select-wait.c - keeps every rule, and waits in select(2).
 *
 * The contract says what a loop reports, not how it waits.  This loop
 * waits in select(2) and then reads the exact readiness of every fd with
 * one poll(2) of timeout 0: two system calls per wake-up, with poll(2)'s
 * semantics for what is reported.  That matters: select(2) folds a
 * hang-up into "readable" (R11 wants HANGUP), and fails with EBADF for a
 * watched fd closed behind the loop's back, where poll(2) gives POLLNVAL
 * (R18 wants ERROR): the poll(2) after the wait restores both.  Fds at or
 * above FD_SETSIZE do not fit in an fd_set, so a set holding one is
 * waited for with poll(2) alone (R14: every watched fd is polled).  A
 * signal (EINTR) ends the wait like a timeout (R2).  A suite that depends
 * on how the loop waits, or on one wait per iteration, fails this loop
 * wrongly.
 */
#include <errno.h>
#include <sys/select.h>

#include "wrap.h"

/* Fill the three sets from fds; false if an fd does not fit. */
static bool fill_sets(const struct pollfd *fds, nfds_t nfds, fd_set *r,
                      fd_set *w, fd_set *e, int *maxfd)
{
    FD_ZERO(r);
    FD_ZERO(w);
    FD_ZERO(e);
    *maxfd = -1;
    for (nfds_t i = 0; i < nfds; i++) {
        int fd = fds[i].fd;

        if (fd < 0)
            continue;
        if (fd >= FD_SETSIZE)
            return false;
        /* Any entry may report an error or a hang-up, as in poll(2). */
        FD_SET(fd, e);
        if (fds[i].events & POLLIN)
            FD_SET(fd, r);
        if (fds[i].events & POLLOUT)
            FD_SET(fd, w);
        if (fd > *maxfd)
            *maxfd = fd;
    }
    return true;
}

/* Wait in select(2), then report as poll(2) would, from a poll(2) that
 * does not wait.  A hang-up on an entry with no events is seen by
 * poll(2) at once, so such an entry never lets select(2) sleep through a
 * report that poll(2) would give: it is checked before the wait. */
static int select_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    fd_set r, w, e;
    struct timeval tv, *tvp = NULL;
    int maxfd, rc;

    (void)ctx;
    if (timeout_ms == 0 || !fill_sets(fds, nfds, &r, &w, &e, &maxfd))
        return poll(fds, nfds, timeout_ms);
    rc = poll(fds, nfds, 0);
    if (rc != 0)
        return rc;
    if (timeout_ms > 0) {
        tv.tv_sec = timeout_ms / 1000;
        tv.tv_usec = (timeout_ms % 1000) * 1000;
        tvp = &tv;
    }
    rc = select(maxfd + 1, &r, &w, &e, tvp);
    if (rc < 0 && errno != EBADF)
        return rc;              /* EINTR and friends: the reference copes */
    if (rc == 0) {
        for (nfds_t i = 0; i < nfds; i++)
            fds[i].revents = 0;
        return 0;
    }
    return poll(fds, nfds, 0);
}

static int register_loop(void)
{
    return wrap_register_sys(NULL, select_poll);
}

const struct wrap_hooks wrap_hooks = {
    .name = "good: waits in select(2), reads readiness with poll(2) "
            "(keeps every rule)",
    .register_loop = register_loop,
};
