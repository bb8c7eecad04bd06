/*
 * floor.c - the floor: a bare poll(2) loop with the same six operations.
 *
 * Every figure is compared with what the least a loop can do costs: one
 * poll(2) over the watched fds, a scan of the results, the same callbacks.
 * No libvirt, no lock (the floor runs on one thread), no deferred work:
 * removal frees at once.  Timers sit in a binary min-heap on their
 * deadlines, the cheapest structure that keeps update and remove at
 * O(log n) and the next deadline at O(1).
 *
 * The floor serves the benchmark's own harness only, and trusts it: no
 * callback it runs removes a timer, so the due list needs no re-validation
 * beyond "still disabled, still present".
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>

#include "bench.h"

#define NOT_IN_HEAP SIZE_MAX
#define NS_PER_MS INT64_C(1000000)

struct floor_handle {
    int fd, events;
    bool live;
    virEventHandleCallback cb;
    void *opaque;
};

struct floor_timer {
    int id;
    int timeout_ms;             /* < 0: disabled */
    int64_t deadline_ns;
    size_t heap_pos;
    virEventTimeoutCallback cb;
    void *opaque;
};

static struct {
    struct floor_handle *handles;       /* watch id = index + 1 */
    size_t nhandles, handles_cap;
    struct pollfd *pfds;
    int *pfd_watch;                     /* handle index of each pfds entry */
    size_t npfds, pfds_cap, pfd_watch_cap;
    bool dirty;

    struct floor_timer **timers;        /* timer id = index + 1, NULL = free */
    size_t ntimers, timers_cap, live_timers;
    struct floor_timer **heap;
    size_t heap_len, heap_cap;
    int *due;
    size_t due_cap;
} fl;

/* Grow *arr to at least want elements, doubling; false without memory. */
static bool grow(void **arr, size_t *cap, size_t want, size_t size)
{
    size_t c = *cap ? *cap : 16;
    void *p;

    if (want <= *cap)
        return true;
    while (c < want)
        c *= 2;
    p = realloc(*arr, c * size);
    if (!p)
        return false;
    *arr = p;
    *cap = c;
    return true;
}

/* Give memory back once an array is mostly empty, so that the floor's
 * "memory after churn" is what a loop that frees everything would show. */
static void shrink(void **arr, size_t *cap, size_t used, size_t size)
{
    size_t c = used * 2 > 64 ? used * 2 : 64;
    void *p;

    if (*cap <= 64 || *cap < used * 4)
        return;
    p = realloc(*arr, c * size);
    if (p) {
        *arr = p;
        *cap = c;
    }
}

/* ---- handles ---------------------------------------------------------- */

static int floor_add_handle(int fd, int events, virEventHandleCallback cb,
                            void *opaque, virFreeCallback ff)
{
    (void)ff;
    if (!grow((void **)&fl.handles, &fl.handles_cap, fl.nhandles + 1,
              sizeof(*fl.handles)))
        return -1;
    fl.handles[fl.nhandles] = (struct floor_handle){
        .fd = fd, .events = events, .live = true, .cb = cb, .opaque = opaque,
    };
    fl.dirty = true;
    return (int)++fl.nhandles;
}

static struct floor_handle *find_handle(int watch)
{
    if (watch < 1 || (size_t)watch > fl.nhandles || !fl.handles[watch - 1].live)
        return NULL;
    return &fl.handles[watch - 1];
}

static void floor_update_handle(int watch, int events)
{
    struct floor_handle *h = find_handle(watch);

    if (h) {
        h->events = events;
        fl.dirty = true;
    }
}

static int floor_remove_handle(int watch)
{
    struct floor_handle *h = find_handle(watch);

    if (!h)
        return -1;
    h->live = false;
    fl.dirty = true;
    return 0;
}

/* The pollfd array is rebuilt only when a watch changed, as any loop does. */
static int rebuild_pfds(void)
{
    if (!grow((void **)&fl.pfds, &fl.pfds_cap, fl.nhandles, sizeof(*fl.pfds)) ||
        !grow((void **)&fl.pfd_watch, &fl.pfd_watch_cap, fl.nhandles,
              sizeof(*fl.pfd_watch)))
        return -1;
    fl.npfds = 0;
    for (size_t i = 0; i < fl.nhandles; i++) {
        struct floor_handle *h = &fl.handles[i];
        if (!h->live || !h->events)
            continue;
        fl.pfds[fl.npfds] = (struct pollfd){
            .fd = h->fd,
            .events = (short)((h->events & VIR_EVENT_HANDLE_READABLE ? POLLIN : 0) |
                              (h->events & VIR_EVENT_HANDLE_WRITABLE ? POLLOUT : 0)),
        };
        fl.pfd_watch[fl.npfds++] = (int)i;
    }
    fl.dirty = false;
    return 0;
}

static int poll_to_events(short revents)
{
    return (revents & POLLIN ? VIR_EVENT_HANDLE_READABLE : 0) |
           (revents & POLLOUT ? VIR_EVENT_HANDLE_WRITABLE : 0) |
           (revents & (POLLERR | POLLNVAL) ? VIR_EVENT_HANDLE_ERROR : 0) |
           (revents & POLLHUP ? VIR_EVENT_HANDLE_HANGUP : 0);
}

/* The plain scan of a poll loop: every entry, in order. */
static void dispatch_handles(void)
{
    for (size_t i = 0; i < fl.npfds; i++) {
        struct floor_handle *h;

        if (!fl.pfds[i].revents)
            continue;
        h = &fl.handles[fl.pfd_watch[i]];
        if (h->live && h->events)
            h->cb(fl.pfd_watch[i] + 1, h->fd, poll_to_events(fl.pfds[i].revents),
                  h->opaque);
    }
}

/* ---- timers ----------------------------------------------------------- */

static void heap_set(size_t i, struct floor_timer *t)
{
    fl.heap[i] = t;
    t->heap_pos = i;
}

static void sift_up(size_t i)
{
    struct floor_timer *t = fl.heap[i];

    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (fl.heap[parent]->deadline_ns <= t->deadline_ns)
            break;
        heap_set(i, fl.heap[parent]);
        i = parent;
    }
    heap_set(i, t);
}

static void sift_down(size_t i)
{
    struct floor_timer *t = fl.heap[i];

    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= fl.heap_len)
            break;
        if (c + 1 < fl.heap_len && fl.heap[c + 1]->deadline_ns < fl.heap[c]->deadline_ns)
            c++;
        if (fl.heap[c]->deadline_ns >= t->deadline_ns)
            break;
        heap_set(i, fl.heap[c]);
        i = c;
    }
    heap_set(i, t);
}

static void heap_remove(struct floor_timer *t)
{
    size_t i = t->heap_pos;
    struct floor_timer *last;

    if (i == NOT_IN_HEAP)
        return;
    t->heap_pos = NOT_IN_HEAP;
    last = fl.heap[--fl.heap_len];
    if (i < fl.heap_len) {
        heap_set(i, last);
        sift_up(i);
        sift_down(last->heap_pos);
    }
}

/* Capacity for every timer is taken at add, so arming never fails. */
static void arm(struct floor_timer *t, int timeout_ms, int64_t now_ns)
{
    t->timeout_ms = timeout_ms;
    if (timeout_ms < 0) {
        heap_remove(t);
        return;
    }
    t->deadline_ns = now_ns + timeout_ms * NS_PER_MS;
    if (t->heap_pos == NOT_IN_HEAP) {
        heap_set(fl.heap_len++, t);
        sift_up(t->heap_pos);
    } else {
        sift_up(t->heap_pos);
        sift_down(t->heap_pos);
    }
}

static int floor_add_timeout(int timeout_ms, virEventTimeoutCallback cb,
                             void *opaque, virFreeCallback ff)
{
    struct floor_timer *t;

    (void)ff;
    if (fl.ntimers == INT_MAX ||
        !grow((void **)&fl.timers, &fl.timers_cap, fl.ntimers + 1, sizeof(*fl.timers)) ||
        !grow((void **)&fl.heap, &fl.heap_cap, fl.live_timers + 1, sizeof(*fl.heap)) ||
        !grow((void **)&fl.due, &fl.due_cap, fl.live_timers + 1, sizeof(*fl.due)))
        return -1;
    t = malloc(sizeof(*t));
    if (!t)
        return -1;
    *t = (struct floor_timer){ .id = (int)fl.ntimers + 1, .heap_pos = NOT_IN_HEAP,
                               .cb = cb, .opaque = opaque };
    fl.timers[fl.ntimers++] = t;
    fl.live_timers++;
    arm(t, timeout_ms, bench_now_ns());
    return t->id;
}

static struct floor_timer *find_timer(int timer)
{
    if (timer < 1 || (size_t)timer > fl.ntimers)
        return NULL;
    return fl.timers[timer - 1];
}

static void floor_update_timeout(int timer, int timeout_ms)
{
    struct floor_timer *t = find_timer(timer);

    if (t)
        arm(t, timeout_ms, bench_now_ns());
}

/* Frees at once; trailing free ids are dropped so the arrays can shrink. */
static int floor_remove_timeout(int timer)
{
    struct floor_timer *t = find_timer(timer);

    if (!t)
        return -1;
    heap_remove(t);
    fl.timers[timer - 1] = NULL;
    free(t);
    fl.live_timers--;
    while (fl.ntimers > 0 && !fl.timers[fl.ntimers - 1])
        fl.ntimers--;
    shrink((void **)&fl.timers, &fl.timers_cap, fl.ntimers, sizeof(*fl.timers));
    shrink((void **)&fl.heap, &fl.heap_cap, fl.live_timers, sizeof(*fl.heap));
    shrink((void **)&fl.due, &fl.due_cap, fl.live_timers, sizeof(*fl.due));
    return 0;
}

/* -1 without a timer: the clock is read only when there is one. */
static int poll_timeout(void)
{
    int64_t ms, now;

    if (!fl.heap_len)
        return -1;
    now = bench_now_ns();
    if (fl.heap[0]->deadline_ns <= now)
        return 0;
    ms = (fl.heap[0]->deadline_ns - now + NS_PER_MS - 1) / NS_PER_MS;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* Take every due timer out first, so a 0 ms timer fires once per
 * iteration, then re-arm each from now and call it. */
static void fire_timers(void)
{
    int64_t now = bench_now_ns();
    size_t ndue = 0;

    while (fl.heap_len && fl.heap[0]->deadline_ns <= now) {
        fl.due[ndue++] = fl.heap[0]->id;
        heap_remove(fl.heap[0]);
    }
    for (size_t i = 0; i < ndue; i++) {
        struct floor_timer *t = find_timer(fl.due[i]);
        if (!t || t->heap_pos != NOT_IN_HEAP || t->timeout_ms < 0)
            continue;
        arm(t, t->timeout_ms, now);
        t->cb(t->id, t->opaque);
    }
}

static int floor_run_once(void)
{
    int timeout, ready;

    if (fl.dirty && rebuild_pfds() < 0)
        return -1;
    timeout = poll_timeout();
    ready = poll(fl.pfds, fl.npfds, timeout);
    if (ready < 0)
        return errno == EINTR ? 0 : -1;
    if (fl.heap_len)
        fire_timers();
    if (ready > 0)
        dispatch_handles();
    return 0;
}

void bench_floor_open(struct bench_loop *loop)
{
    *loop = (struct bench_loop){
        .add_handle = floor_add_handle,
        .update_handle = floor_update_handle,
        .remove_handle = floor_remove_handle,
        .add_timeout = floor_add_timeout,
        .update_timeout = floor_update_timeout,
        .remove_timeout = floor_remove_timeout,
        .run_once = floor_run_once,
        .name = "floor: bare poll(2) loop",
    };
}
