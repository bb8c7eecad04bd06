/*
 * wakeset.c - the epoll set that wakes the loop for libvirt's fds.
 *
 * Neither libuv nor sd-event can watch libvirt's fds as libvirt needs
 * (each host layer's loop.c says why: R11, R15, R17, R42).  So the core
 * keeps its own epoll set of libvirt's fds and gives the host loop only
 * that set's descriptor to watch: epoll_ctl() touches no flag of a
 * watched fd (R17), the set merges the watches of one fd into the union
 * of their masks (R15), and what each watch gets is asked of poll(2)
 * after the wait (handles.c).
 *
 * epoll_ctl() is thread-safe and a change wakes a loop blocked on the set
 * when it adds a ready fd, so the set is changed at once, by whichever
 * thread changes a watch (R43), under the integration's lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "evcore.h"

int evc_wakeset_init(struct evc_wakeset *w)
{
    if (w->epfd >= 0)
        return 0;
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    return w->epfd < 0 ? -1 : 0;
}

static void *grow(void *ptr, size_t old, size_t cap, size_t size)
{
    char *p = realloc(ptr, cap * size);

    if (p)
        memset(p + old * size, 0, (cap - old) * size);
    return p;
}

/* Room for fd in the per-fd arrays, taken when a watch is added so that
 * no later change needs memory (R2). */
int evc_wakeset_reserve(struct evc_wakeset *w, int fd)
{
    size_t cap = w->cap ? w->cap : 64;
    void *p;

    if ((size_t)fd < w->cap)
        return 0;
    while (cap <= (size_t)fd)
        cap *= 2;
    if (!(p = grow(w->nread, w->cap, cap, sizeof(*w->nread))))
        return -1;
    w->nread = p;
    if (!(p = grow(w->nwrite, w->cap, cap, sizeof(*w->nwrite))))
        return -1;
    w->nwrite = p;
    if (!(p = grow(w->have, w->cap, cap, sizeof(*w->have))))
        return -1;
    w->have = p;
    if (!(p = grow(w->unpollable, w->cap, cap, sizeof(*w->unpollable))))
        return -1;
    w->unpollable = p;
    w->cap = cap;
    return 0;
}

static uint32_t wanted(const struct evc_wakeset *w, int fd)
{
    return (w->nread[fd] ? EPOLLIN : 0) | (w->nwrite[fd] ? EPOLLOUT : 0);
}

static void set_unpollable(struct evc_wakeset *w, int fd, bool on)
{
    if (w->unpollable[fd] == on)
        return;
    w->unpollable[fd] = on;
    if (on)
        w->nunpollable++;
    else
        w->nunpollable--;
}

/* Bring fd's entry in line with what its watches ask.  No mask means no
 * entry: epoll reports a hang-up or an error even for an empty mask,
 * which would wake the loop for watches that asked for nothing (R10).
 * `fresh`: a watch was just added for fd, whose number may name a new
 * file since the set last saw it (the kernel drops a closed file's entry
 * by itself), so the entry is added again rather than trusted (R19).  A
 * file epoll refuses (EPERM: a regular file, always ready to poll(2)) is
 * counted, and the loop does not block while one is wanted. */
static void apply(struct evc_wakeset *w, int fd, bool fresh)
{
    struct epoll_event ev = { .events = wanted(w, fd), .data.fd = fd };
    int rc = -1;

    if (!ev.events) {
        if (w->have[fd])
            (void)epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL);
        w->have[fd] = 0;
        set_unpollable(w, fd, false);
        return;
    }
    if (w->have[fd] == ev.events && !fresh && !w->unpollable[fd])
        return;
    if (w->have[fd] && !fresh)
        rc = epoll_ctl(w->epfd, EPOLL_CTL_MOD, fd, &ev);
    if (rc < 0)
        rc = epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev);
    if (rc < 0 && errno == EEXIST)
        rc = epoll_ctl(w->epfd, EPOLL_CTL_MOD, fd, &ev);
    set_unpollable(w, fd, rc < 0 && errno == EPERM);
    w->have[fd] = rc < 0 ? 0 : ev.events;
}

/* A watch on fd went from old_events to new_events (0 for a watch added
 * disabled or removed).  Called under the lock. */
void evc_wakeset_change(struct evc_wakeset *w, int fd, int old_events,
                       int new_events, bool fresh)
{
    w->nread[fd] += !!(new_events & VIR_EVENT_HANDLE_READABLE);
    w->nread[fd] -= !!(old_events & VIR_EVENT_HANDLE_READABLE);
    w->nwrite[fd] += !!(new_events & VIR_EVENT_HANDLE_WRITABLE);
    w->nwrite[fd] -= !!(old_events & VIR_EVENT_HANDLE_WRITABLE);
    apply(w, fd, fresh);
}
