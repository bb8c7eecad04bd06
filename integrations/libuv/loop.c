/*
 * loop.c - the integration's hooks into one iteration of uv_run().
 *
 * uv_run() runs, in each iteration: due uv_timers, pending callbacks,
 * idle handles, prepare handles, the wait for I/O (its timeout computed
 * right after the prepare handles ran), the I/O callbacks, check handles,
 * close callbacks.  The integration hooks two of them, and the core
 * (integrations/core/) does the work:
 *
 *   prepare  sweep (free callbacks of what was removed); then decide how
 *            long libuv may wait: not at all while a timer is due, a free
 *            callback waits or an fd epoll cannot watch is enabled (a
 *            uv_idle is started), else until the earliest deadline (the
 *            uv_timer) or an fd in the wake set is ready (the uv_poll);
 *   check    fire the due timers, call back the ready watches, sweep.
 *
 * libuv's own means are wrong for libvirt, hence the core's.  A uv_poll on
 * each of libvirt's fds: uv_poll_init() makes the fd non-blocking (R17),
 * libuv allows one uv_poll per fd while libvirt puts several watches on
 * one (R15), and a uv_poll reports a hang-up as READABLE and an error as a
 * status that stops it (R11); so libuv watches only the core's wake set.
 * A uv_timer per timer: uv_run()'s timer phase (libuv 1.44,
 * uv__run_timers) takes the earliest timer again after each callback for
 * as long as it is not later than the loop's cached time, so a 0 ms timer
 * restarted from its own callback fires forever and the iteration never
 * ends (R21); and libuv's clock is the loop's cached, millisecond one
 * (R23, R25); so one uv_timer stands for the core's earliest deadline.
 */
#include "evcore.h"
#include "libuv-libvirt.h"

/* The libuv side: six handles on the application's loop. */
static struct lv_loop {
    uv_loop_t *uv;
    uv_prepare_t prepare;
    uv_check_t check;
    uv_idle_t idle;
    uv_timer_t timer;
    uv_async_t async;
    uv_poll_t poll;
} lv_loop;

/* uv_async_send() is the one libuv call that is safe from any thread: the
 * core sends it, after its unlock, to end the wait for another thread's
 * change (R43). */
static void wake(void)
{
    uv_async_send(&lv_loop.async);
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

/* Before libuv waits: the sweep, then the core's plan for the wait.  Not
 * blocking: the uv_idle is started.  Else until the earliest deadline,
 * rounded up to libuv's milliseconds so that a timer never fires early
 * (R20); libuv's clock, which the uv_timer counts from, is brought up to
 * date first, or the time earlier phases of this iteration took would
 * end the wait early. */
static void on_prepare(uv_prepare_t *p)
{
    struct lv_loop *l = &lv_loop;
    int64_t now, next;
    bool block;

    (void)p;
    evc_sweep();
    uv_update_time(l->uv);
    block = evc_plan_wait(&now, &next);
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

/* Right after the wait: the core's pass (timers, handles, sweep). */
static void on_check(uv_check_t *c)
{
    (void)c;
    evc_pass();
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

/* Set up the six handles on loop (the core's attach hook, under its
 * lock); on failure, close those already set up.  The wake set's
 * descriptor is the core's own, so the O_NONBLOCK that uv_poll_init()
 * puts on it harms nothing (R17). */
static int init_handles(void *arg)
{
    struct lv_loop *l = &lv_loop;
    uv_loop_t *loop = arg;
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
    if (n == 5 && uv_poll_init(loop, &l->poll, evc_core.wake.epfd) == 0)
        made[n++] = (uv_handle_t *)&l->poll;
    if (n == 6 && uv_prepare_start(&l->prepare, on_prepare) == 0 &&
        uv_check_start(&l->check, on_check) == 0 &&
        uv_poll_start(&l->poll, UV_READABLE, on_ready) == 0) {
        l->uv = loop;
        return 0;
    }
    while (n > 0)
        uv_close(made[--n], NULL);
    return -1;
}

static const struct evc_host host = { .attach = init_handles, .wake = wake };

/* The handles stay referenced, so uv_run() keeps iterating while libvirt
 * is registered: an unreferenced set would let uv_run(UV_RUN_ONCE) return
 * before anything ran, and uv_run(UV_RUN_DEFAULT) stop while libvirt
 * still needs its keepalive and its free callbacks (R2).  The core
 * refuses a second registration (R1). */
int libuv_libvirt_register(uv_loop_t *loop)
{
    if (evc_attach(&host, loop) < 0)
        return -1;
    virEventRegisterImpl(libuv_libvirt_add_handle, libuv_libvirt_update_handle,
                         libuv_libvirt_remove_handle, libuv_libvirt_add_timeout,
                         libuv_libvirt_update_timeout, libuv_libvirt_remove_timeout);
    return 0;
}

void libuv_libvirt_close(void)
{
    struct lv_loop *l = &lv_loop;

    if (!evc_detach())
        return;
    uv_close((uv_handle_t *)&l->prepare, NULL);
    uv_close((uv_handle_t *)&l->check, NULL);
    uv_close((uv_handle_t *)&l->idle, NULL);
    uv_close((uv_handle_t *)&l->timer, NULL);
    uv_close((uv_handle_t *)&l->async, NULL);
    uv_close((uv_handle_t *)&l->poll, NULL);
}
