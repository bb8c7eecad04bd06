/*
 * wrap.c - the delegating loop under every broken variant.  With no hooks
 * set it keeps the contract exactly as the reference does (the kill matrix
 * checks that too, as "broken/none").
 */
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "evref-seam.h"
#include "wrap.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct wrec **recs;
static int nrecs, caps;

/* The iteration in progress, for variants that act differently inside
 * dispatch.  Only the loop thread writes these. */
static pthread_t loop_thread;
static bool iterating;
static long iteration;
static struct wrec *running;

bool wrap_dispatching(void)
{
    return iterating && pthread_equal(loop_thread, pthread_self());
}

struct wrec *wrap_running(void)
{
    return running;
}

long wrap_iteration(void)
{
    return iteration;
}

bool wrap_other_thread(void)
{
    return iteration > 0 && !pthread_equal(loop_thread, pthread_self());
}

bool wrap_zero_timer_enabled(void)
{
    for (int i = 0; i < nrecs; i++)
        if (recs[i]->timer && !recs[i]->removed && recs[i]->timeout == 0)
            return true;
    return false;
}

static struct wrec *new_rec(bool timer)
{
    struct wrec *w = calloc(1, sizeof(*w));

    if (!w)
        return NULL;
    w->timer = timer;
    pthread_mutex_lock(&lock);
    if (nrecs == caps) {
        int cap = caps ? caps * 2 : 64;
        struct wrec **n = realloc(recs, (size_t)cap * sizeof(*n));
        if (!n) {
            pthread_mutex_unlock(&lock);
            free(w);
            return NULL;
        }
        recs = n;
        caps = cap;
    }
    recs[nrecs++] = w;
    pthread_mutex_unlock(&lock);
    return w;
}

struct wrec *wrap_find(int id, bool timer)
{
    struct wrec *found = NULL;

    pthread_mutex_lock(&lock);
    for (int i = nrecs - 1; i >= 0 && !found; i--)
        if (recs[i]->timer == timer && recs[i]->id == id && recs[i]->inner > 0)
            found = recs[i];
    pthread_mutex_unlock(&lock);
    return found;
}

int wrap_count(void)
{
    return nrecs;
}

struct wrec *wrap_at(int i)
{
    return recs[i];
}

/* A record added by a callback here waits for the next pass: n is taken
 * before the first call. */
void wrap_call_primed(void *mark)
{
    int n = nrecs;

    for (int i = 0; i < n; i++) {
        struct wrec *w = recs[i];
        int mask = w->events & (VIR_EVENT_HANDLE_READABLE | VIR_EVENT_HANDLE_WRITABLE);

        if (w->timer || w->priv != mark)
            continue;
        w->priv = NULL;
        if (!w->removed && mask)
            wrap_call_handle(w, w->fd, mask);
    }
}

/* What poll(2) reports for fd right now, as the mask a loop would pass. */
int wrap_ready_mask(int fd, int events)
{
    struct pollfd p = { .fd = fd };
    int mask = 0;

    p.events = (events & VIR_EVENT_HANDLE_READABLE ? POLLIN : 0) |
               (events & VIR_EVENT_HANDLE_WRITABLE ? POLLOUT : 0);
    if (poll(&p, 1, 0) != 1)
        return 0;
    if (p.revents & POLLIN)
        mask |= VIR_EVENT_HANDLE_READABLE;
    if (p.revents & POLLOUT)
        mask |= VIR_EVENT_HANDLE_WRITABLE;
    if (p.revents & (POLLERR | POLLNVAL))
        mask |= VIR_EVENT_HANDLE_ERROR;
    if (p.revents & POLLHUP)
        mask |= VIR_EVENT_HANDLE_HANGUP;
    return mask & (events | VIR_EVENT_HANDLE_ERROR | VIR_EVENT_HANDLE_HANGUP);
}

/* ---- trampolines: the reference calls these ---- */

static void handle_tramp(int watch, int fd, int events, void *opaque)
{
    struct wrec *w = opaque, *outer = running;

    (void)watch;
    w->calls++;
    w->dispatched_in = iteration;
    running = w;
    if (wrap_hooks.handle_dispatch)
        wrap_hooks.handle_dispatch(w, fd, events);
    else
        wrap_call_handle(w, fd, events);
    running = outer;
}

static void timer_tramp(int timer, void *opaque)
{
    struct wrec *w = opaque, *outer = running;

    (void)timer;
    w->calls++;
    w->dispatched_in = iteration;
    running = w;
    if (wrap_hooks.timer_dispatch)
        wrap_hooks.timer_dispatch(w);
    else
        wrap_call_timer(w);
    running = outer;
}

static void free_tramp(void *opaque)
{
    struct wrec *w = opaque;

    if (wrap_hooks.free_dispatch)
        wrap_hooks.free_dispatch(w);
    else
        wrap_call_free(w);
}

void wrap_call_handle(struct wrec *w, int fd, int events)
{
    w->hcb(w->id, fd, events, w->opaque);
}

void wrap_call_timer(struct wrec *w)
{
    w->tcb(w->id, w->opaque);
}

void wrap_call_free(struct wrec *w)
{
    if (w->ff && !w->freed) {
        w->freed = true;
        w->ff(w->opaque);
    }
}

/* ---- the six operations, delegated ---- */

/* Record the reference's id for w and return the user's.  A user_id hook
 * has set w->id before the add, so that no callback sees another. */
static int add_inner(struct wrec *w, int inner)
{
    if (!wrap_hooks.user_id)
        w->id = inner;
    w->inner = inner;
    if (!wrap_hooks.user_id)
        return inner;
    return inner > 0 ? w->id : -1;
}

/* A new record, with the user's id already chosen by the hook. */
static struct wrec *new_user_rec(bool timer)
{
    struct wrec *w = new_rec(timer);

    if (w && wrap_hooks.user_id)
        w->id = wrap_hooks.user_id(timer);
    return w;
}

int wrap_add_handle(int fd, int events, virEventHandleCallback cb, void *opaque,
                    virFreeCallback ff)
{
    struct wrec *w = new_user_rec(false);

    if (!w)
        return -1;
    w->fd = fd;
    w->events = events;
    w->hcb = cb;
    w->opaque = opaque;
    w->ff = ff;
    return add_inner(w, evref_add_handle(fd, events, handle_tramp, w, free_tramp));
}

void wrap_update_handle(int watch, int events)
{
    struct wrec *w = wrap_find(watch, false);

    if (w && !w->removed) {
        w->events = events;
        w->updates++;
    }
    evref_update_handle(w ? w->inner : watch, events);
}

int wrap_remove_handle(int watch)
{
    struct wrec *w = wrap_find(watch, false);
    int rc = evref_remove_handle(w ? w->inner : watch);

    if (w && rc == 0)
        w->removed = true;
    return rc;
}

static int loop_timeout(int ms)
{
    return wrap_hooks.loop_timeout ? wrap_hooks.loop_timeout(ms) : ms;
}

int wrap_add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                     virFreeCallback ff)
{
    struct wrec *w = new_user_rec(true);

    if (!w)
        return -1;
    w->timeout = ms;
    w->tcb = cb;
    w->opaque = opaque;
    w->ff = ff;
    return add_inner(w, evref_add_timeout(loop_timeout(ms), timer_tramp, w,
                                          free_tramp));
}

void wrap_update_timeout(int timer, int ms)
{
    struct wrec *w = wrap_find(timer, true);

    if (w && !w->removed) {
        w->timeout = ms;
        w->updates++;
    }
    evref_update_timeout(w ? w->inner : timer, loop_timeout(ms));
}

int wrap_remove_timeout(int timer)
{
    struct wrec *w = wrap_find(timer, true);
    int rc = evref_remove_timeout(w ? w->inner : timer);

    if (w && rc == 0)
        w->removed = true;
    return rc;
}

#define HOOK(name, dflt) (wrap_hooks.name ? wrap_hooks.name : dflt)

static int api_add_handle(int fd, int events, virEventHandleCallback cb,
                          void *opaque, virFreeCallback ff)
{
    return HOOK(add_handle, wrap_add_handle)(fd, events, cb, opaque, ff);
}

static void api_update_handle(int watch, int events)
{
    HOOK(update_handle, wrap_update_handle)(watch, events);
}

static int api_remove_handle(int watch)
{
    return HOOK(remove_handle, wrap_remove_handle)(watch);
}

static int api_add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                           virFreeCallback ff)
{
    return HOOK(add_timeout, wrap_add_timeout)(ms, cb, opaque, ff);
}

static void api_update_timeout(int timer, int ms)
{
    HOOK(update_timeout, wrap_update_timeout)(timer, ms);
}

static int api_remove_timeout(int timer)
{
    return HOOK(remove_timeout, wrap_remove_timeout)(timer);
}

/* The reference sets itself up on its first iteration; registering it
 * with libvirt as well would only be ignored (R1). */
int wrap_register(void)
{
    return 0;
}

static int64_t monotonic_ns(void *ctx)
{
    struct timespec ts;

    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int plain_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    (void)ctx;
    return poll(fds, nfds, timeout_ms);
}

int wrap_register_sys(int64_t (*now_ns)(void *ctx),
                      int (*poll_fn)(void *ctx, struct pollfd *fds, nfds_t nfds,
                                     int timeout_ms))
{
    static struct evref_sys sys;

    sys.now_ns = now_ns ? now_ns : monotonic_ns;
    sys.poll = poll_fn ? poll_fn : plain_poll;
    evref_set_sys(&sys);
    return wrap_register();
}

int wrap_run_once(void)
{
    return evref_run_once();
}

/* ---- the conformance ABI ---- */

int evconf_register(void)
{
    /* libvirt keeps the first registration (R1): make ours the first. */
    virEventRegisterImpl(api_add_handle, api_update_handle, api_remove_handle,
                         api_add_timeout, api_update_timeout, api_remove_timeout);
    return HOOK(register_loop, wrap_register)();
}

int evconf_run_once(void)
{
    int rc;

    loop_thread = pthread_self();
    iteration++;
    iterating = true;
    rc = HOOK(run_once, wrap_run_once)();
    iterating = false;
    return rc;
}

const char *evconf_name(void)
{
    return wrap_hooks.name ? wrap_hooks.name : "broken: none (delegates everything)";
}
