/*
 * loop.c - the integration's hooks into one iteration of uv_run().
 *
 * uv_run() runs, in each iteration: due uv_timers, pending callbacks,
 * idle handles, prepare handles, the wait for I/O (its timeout computed
 * right after the prepare handles ran), the I/O callbacks, check handles,
 * close callbacks.  The integration hooks two of them:
 *
 *   prepare  sweep (free callbacks of what was removed); then decide how
 *            long libuv may wait: not at all while a timer is due, a free
 *            callback waits or an fd epoll cannot watch is enabled (a
 *            uv_idle is started), else until the earliest deadline (the
 *            uv_timer) or an fd in the wake set is ready (the uv_poll);
 *   check    fire the due timers, call back the ready watches, sweep.
 *
 * One mutex guards the integration's state; it is never held while
 * libvirt's code runs (R44), nor while libuv waits.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

struct lv_loop lv_loop = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = { .epfd = -1 },
};

/* The one lock: every operation takes it, from any thread (R42) and from
 * callbacks (R28), since no callback runs under it (R44). */
void lv_lock(void)
{
    pthread_mutex_lock(&lv_loop.lock);
}

void lv_unlock(void)
{
    pthread_mutex_unlock(&lv_loop.lock);
}

int64_t lv_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Whether a change made under the lock must wake a loop blocked in
 * libuv's wait: only another thread's change, only while the loop waits,
 * only if the loop needs it before the wait would end by itself (R43:
 * by_ns is when the change needs serving; INT64_MIN for at once).  One
 * uv_async_send() per wait is enough. */
bool lv_wake_locked(int64_t by_ns)
{
    struct lv_loop *l = &lv_loop;

    if (!l->waiting || l->woken || by_ns >= l->wait_until ||
        pthread_equal(l->thread, pthread_self()))
        return false;
    l->woken = true;
    return true;
}

/* The send comes after the unlock, so the woken loop does not wait for
 * the lock.  uv_async_send() is the one libuv call that is safe from any
 * thread. */
void lv_unlock_and_wake(bool wake)
{
    lv_unlock();
    if (wake)
        uv_async_send(&lv_loop.async);
}

/* Take what was removed out of both lists and run the free callbacks with
 * no lock held, from the loop thread outside dispatch: never from inside
 * remove (R35), on a clean stack (R36), after the last callback returned
 * (R37), exactly once, also for a NULL opaque, never when there is none
 * (R34, R39, R40).  Records are unlinked first, so a free callback may
 * call any operation; removes it makes are swept by the next sweep, which
 * the prepare callback lets come at once (R38).  What a large removal
 * leaves unused is given back. */
static void sweep(void)
{
    struct lv_reg *list[2];

    lv_lock();
    list[0] = lv_list_take_removed(&lv_loop.timers);
    list[1] = lv_list_take_removed(&lv_loop.watches);
    if (list[0])
        lv_timers_shrink_locked();
    if (list[1])
        lv_handles_shrink_locked();
    lv_unlock();
    for (int k = 0; k < 2; k++)
        while (list[k]) {
            struct lv_reg *next = list[k]->next_free;
            if (list[k]->ff)
                list[k]->ff(list[k]->opaque);
            free(list[k]);
            list[k] = next;
        }
}

/* The uv_timer and the uv_idle only end or shorten libuv's wait; what is
 * due runs from the check callback. */
static void on_deadline(uv_timer_t *t)
{
    (void)t;
}

static void on_idle(uv_idle_t *i)
{
    (void)i;
}

/* The wait of this iteration: none while something is ready to run (a
 * due or 0 ms timer, R21; a pending free callback, R38; an fd epoll
 * cannot watch, which poll(2) finds always ready), else until the
 * earliest deadline, rounded up to libuv's milliseconds so that a timer
 * never fires early; libuv's clock, which the uv_timer counts from, is
 * brought up to date first, or the time earlier phases of this iteration
 * took would end the wait early.  From here until the check callback the
 * loop counts as waiting: other threads' changes then wake it (R43). */
static void on_prepare(uv_prepare_t *p)
{
    struct lv_loop *l = &lv_loop;
    int64_t now, next;
    bool due, block;

    (void)p;
    sweep();
    uv_update_time(l->uv);
    lv_lock();
    now = lv_now_ns();
    next = lv_timers_next_locked(now, &due);
    block = !due && !l->timers.removed && !l->watches.removed &&
            !l->wake.nunpollable;
    l->thread = pthread_self();
    l->wait_until = block ? next : now;
    l->waiting = true;
    l->woken = false;
    lv_unlock();
    if (block)
        uv_idle_stop(&l->idle);
    else
        uv_idle_start(&l->idle, on_idle);
    if (block && next != INT64_MAX)
        uv_timer_start(&l->timer, on_deadline,
                       (uint64_t)((next - now + 999999) / 1000000), 0);
    else
        uv_timer_stop(&l->timer);
}

/* Right after the wait: timers first, then handles (the order is open,
 * R32; libvirt's poll loop did the same), then the sweep, so that what
 * these callbacks removed is freed within this iteration. */
static void on_check(uv_check_t *c)
{
    uint64_t disp;

    (void)c;
    lv_lock();
    lv_loop.waiting = false;
    disp = ++lv_loop.epoch;
    lv_unlock();
    lv_timers_dispatch(disp);
    lv_handles_dispatch(disp);
    sweep();
}

/* Another thread's change, or an fd of the wake set ready: the wait has
 * ended, which is all these are for. */
static void on_wake(uv_async_t *a)
{
    (void)a;
}

static void on_ready(uv_poll_t *p, int status, int events)
{
    (void)p, (void)status, (void)events;
}

/* Set up the six handles on loop; on failure, close those already set
 * up.  The wake set's descriptor is the integration's own, so the
 * O_NONBLOCK that uv_poll_init() puts on it harms nothing (R17). */
static int init_handles(uv_loop_t *loop)
{
    struct lv_loop *l = &lv_loop;
    uv_handle_t *made[6];
    int n = 0;

    if (uv_prepare_init(loop, &l->prepare) == 0)
        made[n++] = (uv_handle_t *)&l->prepare;
    if (n == 1 && uv_check_init(loop, &l->check) == 0)
        made[n++] = (uv_handle_t *)&l->check;
    if (n == 2 && uv_idle_init(loop, &l->idle) == 0)
        made[n++] = (uv_handle_t *)&l->idle;
    if (n == 3 && uv_timer_init(loop, &l->timer) == 0)
        made[n++] = (uv_handle_t *)&l->timer;
    if (n == 4 && uv_async_init(loop, &l->async, on_wake) == 0)
        made[n++] = (uv_handle_t *)&l->async;
    if (n == 5 && uv_poll_init(loop, &l->poll, l->wake.epfd) == 0)
        made[n++] = (uv_handle_t *)&l->poll;
    if (n == 6 && uv_prepare_start(&l->prepare, on_prepare) == 0 &&
        uv_check_start(&l->check, on_check) == 0 &&
        uv_poll_start(&l->poll, UV_READABLE, on_ready) == 0)
        return 0;
    while (n > 0)
        uv_close(made[--n], NULL);
    return -1;
}

/* The handles stay referenced, so uv_run() keeps iterating while libvirt
 * is registered: an unreferenced set would let uv_run(UV_RUN_ONCE) return
 * before anything ran, and uv_run(UV_RUN_DEFAULT) stop while libvirt
 * still needs its keepalive and its free callbacks (R2).  libvirt keeps
 * the first implementation registered (R1): a second registration is
 * refused here rather than ignored there. */
int libuv_libvirt_register(uv_loop_t *loop)
{
    struct lv_loop *l = &lv_loop;
    int rc = -1;

    lv_lock();
    if (!l->registered && lv_wakeset_init(&l->wake) == 0 &&
        init_handles(loop) == 0) {
        l->registered = true;
        l->uv = loop;
        rc = 0;
    }
    lv_unlock();
    if (rc < 0)
        return -1;
    virEventRegisterImpl(libuv_libvirt_add_handle, libuv_libvirt_update_handle,
                         libuv_libvirt_remove_handle, libuv_libvirt_add_timeout,
                         libuv_libvirt_update_timeout, libuv_libvirt_remove_timeout);
    return 0;
}

void libuv_libvirt_close(void)
{
    struct lv_loop *l = &lv_loop;
    bool open;

    lv_lock();
    open = l->registered && !l->closed;
    l->closed = true;
    l->waiting = false;
    lv_unlock();
    if (!open)
        return;
    uv_close((uv_handle_t *)&l->prepare, NULL);
    uv_close((uv_handle_t *)&l->check, NULL);
    uv_close((uv_handle_t *)&l->idle, NULL);
    uv_close((uv_handle_t *)&l->timer, NULL);
    uv_close((uv_handle_t *)&l->async, NULL);
    uv_close((uv_handle_t *)&l->poll, NULL);
}

size_t libuv_libvirt_pending(void)
{
    size_t n;

    lv_lock();
    n = lv_loop.watches.len + lv_loop.timers.len;
    lv_unlock();
    return n;
}
