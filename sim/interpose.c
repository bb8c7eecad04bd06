/*
 * interpose.c - the libc functions an unmodified loop reads time and waits
 * with, defined in the executable so that shared objects (libvirt, GLib,
 * libpython, libperl) call these instead of libc's.
 *
 * Link this object into the executable itself (not a shared library) and
 * export its symbols (-rdynamic), so that objects loaded later with dlopen()
 * bind to them too.  During a simulation the clocks are virtual on every
 * thread, and the waits are virtual on the loop thread; everything else
 * passes through to the next definition (libc, or a preloaded libfaketime).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/time.h>

#include "internal.h"

static bool virtual_clock(clockid_t clk, int64_t *now)
{
    if (!sim_active() || sim_realtime())
        return false;
    switch (clk) {
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
        *now = SIM_MONOTONIC_START_NS + sim_now_ns();
        return true;
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_TAI:
        *now = sim_wall_ns();
        return true;
    default:
        return false;     /* CPU-time clocks stay real */
    }
}

int clock_gettime(clockid_t clk, struct timespec *ts)
{
    int64_t t;

    if (!virtual_clock(clk, &t)) {
        int rc = sim__libc()->clock_gettime(clk, ts);
        sim_jitter();
        return rc;
    }
    ts->tv_sec = t / 1000000000;
    ts->tv_nsec = t % 1000000000;
    return 0;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    int64_t t;

    if (!sim_active() || sim_realtime())
        return sim__libc()->gettimeofday(tv, tz);
    t = sim_wall_ns();
    tv->tv_sec = t / 1000000000;       /* glibc declares tv non-null */
    tv->tv_usec = t % 1000000000 / 1000;
    return 0;
}

time_t time(time_t *out)
{
    time_t t;

    if (!sim_active() || sim_realtime())
        return sim__libc()->time(out);
    t = (time_t)(sim_wall_ns() / 1000000000);
    if (out)
        *out = t;
    return t;
}

int poll(struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    return sim_poll(fds, nfds, timeout_ms);
}

/* A timespec timeout as poll's milliseconds, rounded up so the loop does
 * not wake early; NULL is "forever". */
static int ts_to_ms(const struct timespec *ts)
{
    int64_t ms;

    if (!ts)
        return -1;
    ms = (int64_t)ts->tv_sec * 1000 + (ts->tv_nsec + 999999) / 1000000;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *tmo,
          const sigset_t *sigmask)
{
    if (!sim_is_loop_thread())
        return sim__libc()->ppoll(fds, nfds, tmo, sigmask);
    return sim__wait(fds, nfds, ts_to_ms(tmo), SIM__WAIT_POLL);
}

/* select(2) and pselect(2) in virtual time: the fd sets become a pollfd
 * array for sim_poll, and the result goes back into the sets. */
static int select_virtual(int nfds, fd_set *r, fd_set *w, fd_set *e,
                          int timeout_ms)
{
    struct pollfd *pfds = calloc(nfds > 0 ? (size_t)nfds : 1, sizeof(*pfds));
    nfds_t n = 0;
    int ready, count = 0;

    if (!pfds) {
        errno = ENOMEM;
        return -1;
    }
    for (int fd = 0; fd < nfds; fd++) {
        short ev = 0;
        if (r && FD_ISSET(fd, r))
            ev |= POLLIN;
        if (w && FD_ISSET(fd, w))
            ev |= POLLOUT;
        if (e && FD_ISSET(fd, e))
            ev |= POLLPRI;
        if (ev)
            pfds[n++] = (struct pollfd){ .fd = fd, .events = ev };
    }
    ready = sim__wait(pfds, n, timeout_ms, SIM__WAIT_SELECT);
    if (ready < 0) {
        free(pfds);
        return ready;
    }
    if (r)
        FD_ZERO(r);
    if (w)
        FD_ZERO(w);
    if (e)
        FD_ZERO(e);
    for (nfds_t i = 0; i < n; i++) {
        short rev = pfds[i].revents;
        if (rev & POLLNVAL) {
            free(pfds);
            errno = EBADF;
            return -1;
        }
        if (r && (rev & (POLLIN | POLLHUP | POLLERR))) {
            FD_SET(pfds[i].fd, r);
            count++;
        }
        if (w && (rev & (POLLOUT | POLLERR))) {
            FD_SET(pfds[i].fd, w);
            count++;
        }
        if (e && (rev & POLLPRI)) {
            FD_SET(pfds[i].fd, e);
            count++;
        }
    }
    free(pfds);
    return count;
}

int select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
    int64_t ms;

    if (!sim_is_loop_thread())
        return sim__libc()->select(nfds, r, w, e, tv);
    ms = tv ? (int64_t)tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000 : -1;
    return select_virtual(nfds, r, w, e, ms > INT_MAX ? INT_MAX : (int)ms);
}

int pselect(int nfds, fd_set *r, fd_set *w, fd_set *e,
            const struct timespec *tmo, const sigset_t *sigmask)
{
    if (!sim_is_loop_thread())
        return sim__libc()->pselect(nfds, r, w, e, tmo, sigmask);
    return select_virtual(nfds, r, w, e, ts_to_ms(tmo));
}

/* An epoll fd is itself pollable (readable while events are pending), so
 * the virtual wait polls it, then collects the events without waiting. */
int epoll_wait(int epfd, struct epoll_event *events, int max, int timeout_ms)
{
    struct pollfd pfd = { .fd = epfd, .events = POLLIN };
    int ready;

    if (!sim_is_loop_thread())
        return sim__libc()->epoll_wait(epfd, events, max, timeout_ms);
    ready = sim__wait(&pfd, 1, timeout_ms, SIM__WAIT_EPOLL);
    if (ready <= 0)
        return ready;
    return sim__libc()->epoll_wait(epfd, events, max, 0);
}

int epoll_pwait(int epfd, struct epoll_event *events, int max, int timeout_ms,
                const sigset_t *sigmask)
{
    if (!sim_is_loop_thread())
        return sim__libc()->epoll_pwait(epfd, events, max, timeout_ms, sigmask);
    return epoll_wait(epfd, events, max, timeout_ms);
}
