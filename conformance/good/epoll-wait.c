/*
 * epoll-wait.c - keeps every rule, waits with epoll(7), and trusts the
 * kernel's word on how a wait can end.
 *
 * libuv's Linux backend waits in epoll_pwait(2) and aborts on any errno
 * other than EINTR (the others, EBADF, EFAULT and EINVAL, are its own
 * bugs), and asserts that a wait with no timeout never returns 0 events:
 * a kernel ends such a wait only with an event or a signal.  This loop
 * does the same around the reference: each wait builds an epoll set from
 * the pollfd array (one entry per fd, as epoll allows no duplicates),
 * waits, and maps the events back.  A harness that makes a wait fail with
 * an errno epoll cannot return (ENOMEM, EAGAIN), or ends a wait with no
 * timeout with nothing ready, crashes this loop wrongly.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "wrap.h"

/* The first entry of fds[0..i) on the same fd as fds[i], or i. */
static nfds_t first_of_fd(const struct pollfd *fds, nfds_t i)
{
    for (nfds_t j = 0; j < i; j++)
        if (fds[j].fd == fds[i].fd)
            return j;
    return i;
}

/* The events of every entry on fd, merged: epoll takes an fd once. */
static uint32_t merged_events(const struct pollfd *fds, nfds_t nfds, int fd)
{
    uint32_t events = 0;

    for (nfds_t i = 0; i < nfds; i++)
        if (fds[i].fd == fd)
            events |= (uint32_t)fds[i].events;
    return events;
}

/* Put every fd in the epoll set; an fd epoll refuses is reported as
 * poll(2) would: POLLNVAL for a closed one, ready for a regular file.
 * Returns how many entries are ready already. */
static int fill_set(int ep, struct pollfd *fds, nfds_t nfds)
{
    int ready = 0;

    for (nfds_t i = 0; i < nfds; i++) {
        struct epoll_event ev = { .events = merged_events(fds, nfds, fds[i].fd),
                                  .data.fd = fds[i].fd };

        fds[i].revents = 0;
        if (fds[i].fd < 0 || first_of_fd(fds, i) != i)
            continue;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i].fd, &ev) == 0)
            continue;
        fds[i].revents = errno == EPERM ? (fds[i].events & (POLLIN | POLLOUT)) : POLLNVAL;
        ready++;
    }
    for (nfds_t i = 0; i < nfds; i++)     /* later entries on a refused fd */
        if (fds[i].fd >= 0 && first_of_fd(fds, i) != i && fds[first_of_fd(fds, i)].revents) {
            fds[i].revents = fds[first_of_fd(fds, i)].revents & (fds[i].events | POLLNVAL);
            ready += fds[i].revents != 0;
        }
    return ready;
}

/* What the kernel said about each fd, given to every entry on it, each
 * with the bits it asked for (and ERR and HUP, which poll(2) always
 * reports). */
static int spread(struct pollfd *fds, nfds_t nfds, const struct epoll_event *evs, int n)
{
    int ready = 0;

    for (int k = 0; k < n; k++)
        for (nfds_t i = 0; i < nfds; i++)
            if (fds[i].fd == evs[k].data.fd)
                fds[i].revents |= (short)(evs[k].events &
                                          (uint32_t)(fds[i].events | POLLERR | POLLHUP));
    for (nfds_t i = 0; i < nfds; i++)
        ready += fds[i].revents != 0;
    return ready;
}

/* poll(2)'s contract, on epoll_wait(2), with libuv's two assertions.  No
 * memory is taken here: an iteration must not need any (R2).  Events
 * beyond the first MAX_EVENTS come in the next wait (level-triggered). */
#define MAX_EVENTS 64
static int epoll_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    struct epoll_event evs[MAX_EVENTS];
    int ep = epoll_create1(EPOLL_CLOEXEC), n, err;

    (void)ctx;
    if (ep < 0)
        return -1;                      /* EMFILE, ENOMEM: the wait fails */
    if (fill_set(ep, fds, nfds) > 0)
        timeout_ms = 0;
    n = epoll_wait(ep, evs, MAX_EVENTS, timeout_ms);
    err = errno;
    if (n < 0 && err != EINTR)
        abort();                        /* no other errno is transient */
    if (n == 0 && timeout_ms == -1)
        abort();                        /* no kernel ends such a wait so */
    close(ep);
    if (n < 0) {
        errno = err;
        return -1;
    }
    return spread(fds, nfds, evs, n);
}

static int register_loop(void)
{
    return wrap_register_sys(NULL, epoll_poll);
}

const struct wrap_hooks wrap_hooks = {
    .name = "good: waits with epoll, aborts on what epoll cannot return (keeps every rule)",
    .register_loop = register_loop,
};
