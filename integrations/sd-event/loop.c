/*
 * loop.c - the integration's hooks into one iteration of sd_event_run().
 *
 * sd_event_run() runs, in each iteration: the prepare callbacks of the
 * enabled sources, then arms its timerfds, waits on its epoll set (not at
 * all if a source is pending already, as an enabled defer source always
 * is), and dispatches ONE pending source, the most urgent.  One source per
 * iteration: so libvirt's work cannot be one source per watch and per
 * timer, or a 0 ms timer would fire only in the iterations no other
 * source wins (R21), and of two ready fds each would be served every
 * other iteration (R14).  The integration owns four sources and makes
 * whichever of them sd-event dispatches run all of libvirt's work:
 *
 *   prepare  (on the wake set's source) sweep (free callbacks of what was
 *            removed); then decide how long sd-event may wait: not at all
 *            while a timer is due, a free callback waits or an fd epoll
 *            cannot watch is enabled (the defer source is turned on), else
 *            until the earliest deadline (the time source) or an fd in
 *            the wake set is ready, or another thread writes the eventfd;
 *   pass     (the callback of each of the four) fire the due timers, call
 *            back the ready watches, sweep.
 *
 * One mutex guards the integration's state; it is never held while
 * libvirt's code runs (R44), nor while sd-event waits.  sd-event itself is
 * touched only here, on the loop's thread: it is not thread-safe.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

struct sdl_loop sdl_loop = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = { .epfd = -1 },
    .efd = -1,
};

/* The one lock: every operation takes it, from any thread (R42) and from
 * callbacks (R28), since no callback runs under it (R44). */
void sdl_lock(void)
{
    pthread_mutex_lock(&sdl_loop.lock);
}

void sdl_unlock(void)
{
    pthread_mutex_unlock(&sdl_loop.lock);
}

/* Deadlines count from the moment of each call, read here: not from
 * sd_event_now(), which is the moment the iteration woke, so that a timer
 * set by a callback that runs late would be due early (R23, R25). */
int64_t sdl_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Whether a change made under the lock must wake a loop blocked in
 * sd-event's wait: only another thread's change, only while the loop
 * waits, only if the loop needs it before the wait would end by itself
 * (R43: by_ns is when the change needs serving; INT64_MIN for at once).
 * One write to the eventfd per wait is enough. */
bool sdl_wake_locked(int64_t by_ns)
{
    struct sdl_loop *l = &sdl_loop;

    if (!l->waiting || l->woken || by_ns >= l->wait_until ||
        pthread_equal(l->thread, pthread_self()))
        return false;
    l->woken = true;
    return true;
}

/* The write comes after the unlock, so the woken loop does not wait for
 * the lock.  A write to an eventfd is safe from any thread; sd-event,
 * which is not, is not touched. */
void sdl_unlock_and_wake(bool wake)
{
    static const uint64_t one = 1;

    sdl_unlock();
    if (wake)
        (void)!write(sdl_loop.efd, &one, sizeof(one));
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
    struct sdl_reg *list[2];

    sdl_lock();
    list[0] = sdl_list_take_removed(&sdl_loop.timers);
    list[1] = sdl_list_take_removed(&sdl_loop.watches);
    if (list[0])
        sdl_timers_shrink_locked();
    if (list[1])
        sdl_handles_shrink_locked();
    sdl_unlock();
    for (int k = 0; k < 2; k++)
        while (list[k]) {
            struct sdl_reg *next = list[k]->next_free;
            if (list[k]->ff)
                list[k]->ff(list[k]->opaque);
            free(list[k]);
            list[k] = next;
        }
}

/* The wait of this iteration: none while something is ready to run (a
 * due or 0 ms timer, R21; a pending free callback, R38; an fd epoll
 * cannot watch, which poll(2) finds always ready): the defer source is
 * on, and an enabled defer source is always pending.  Else until the
 * earliest deadline, rounded up to sd-event's microseconds so that a
 * timer never fires early, on a time source of accuracy 1 us: with the
 * default accuracy (0 asks for it: 250 ms) sd-event may put the wake-up
 * off by up to a quarter of a second to share it with other timers
 * (R20).  From here until the pass the loop counts as waiting: other
 * threads' changes then wake it (R43). */
static int on_prepare(sd_event_source *s, void *u)
{
    struct sdl_loop *l = &sdl_loop;
    int64_t now, next;
    bool due, block;

    (void)s, (void)u;
    sweep();
    sdl_lock();
    now = sdl_now_ns();
    next = sdl_timers_next_locked(now, &due);
    block = !due && !l->timers.removed && !l->watches.removed &&
            !l->wake.nunpollable;
    l->thread = pthread_self();
    l->wait_until = block ? next : now;
    l->waiting = true;
    l->woken = false;
    sdl_unlock();
    sd_event_source_set_enabled(l->defer, block ? SD_EVENT_OFF : SD_EVENT_ON);
    if (block && next != INT64_MAX) {
        sd_event_source_set_time(l->timer, (uint64_t)(next + 999) / 1000);
        sd_event_source_set_enabled(l->timer, SD_EVENT_ONESHOT);
    } else {
        sd_event_source_set_enabled(l->timer, SD_EVENT_OFF);
    }
    return 0;
}

/* Right after the wait, from whichever source sd-event dispatched:
 * timers first, then handles (the order is open, R32; libvirt's poll
 * loop did the same), then the sweep, so that what these callbacks
 * removed is freed within this iteration.  Another of the four sources
 * still pending runs the pass again in the next iteration, without
 * waiting, as a loop whose wait returned at once would. */
static void pass(void)
{
    uint64_t disp;

    sdl_lock();
    sdl_loop.waiting = false;
    disp = ++sdl_loop.epoch;
    sdl_unlock();
    sdl_timers_dispatch(disp);
    sdl_handles_dispatch(disp);
    sweep();
}

/* The callbacks of the four sources; each returns 0, since sd-event turns
 * off a source whose callback fails. */
static int on_ready(sd_event_source *s, int fd, uint32_t revents, void *u)
{
    (void)s, (void)fd, (void)revents, (void)u;
    pass();
    return 0;
}

static int on_deadline(sd_event_source *s, uint64_t usec, void *u)
{
    (void)s, (void)usec, (void)u;
    pass();
    return 0;
}

static int on_defer(sd_event_source *s, void *u)
{
    (void)s, (void)u;
    pass();
    return 0;
}

/* Another thread's wake-up: the eventfd is read empty, so that it does
 * not keep the loop from blocking. */
static int on_async(sd_event_source *s, int fd, uint32_t revents, void *u)
{
    uint64_t count;

    (void)s, (void)revents, (void)u;
    (void)!read(fd, &count, sizeof(count));
    pass();
    return 0;
}

static void drop_sources(void)
{
    struct sdl_loop *l = &sdl_loop;

    l->ready = sd_event_source_disable_unref(l->ready);
    l->timer = sd_event_source_disable_unref(l->timer);
    l->defer = sd_event_source_disable_unref(l->defer);
    l->async = sd_event_source_disable_unref(l->async);
}

/* Set up the four sources on event; on failure, drop those already set
 * up.  sd-event never changes the flags of the two descriptors it is
 * given, which are the integration's own anyway; libvirt's fds never
 * reach it (R17).  The time source is made with accuracy 1 us and kept
 * off until a prepare gives it a deadline. */
static int init_sources(sd_event *e)
{
    struct sdl_loop *l = &sdl_loop;

    if (sd_event_add_io(e, &l->ready, l->wake.epfd, EPOLLIN, on_ready, NULL) < 0 ||
        sd_event_source_set_prepare(l->ready, on_prepare) < 0 ||
        sd_event_add_io(e, &l->async, l->efd, EPOLLIN, on_async, NULL) < 0 ||
        sd_event_add_defer(e, &l->defer, on_defer, NULL) < 0 ||
        sd_event_source_set_enabled(l->defer, SD_EVENT_OFF) < 0 ||
        sd_event_add_time(e, &l->timer, CLOCK_MONOTONIC, 0, 1, on_deadline, NULL) < 0 ||
        sd_event_source_set_enabled(l->timer, SD_EVENT_OFF) < 0) {
        drop_sources();
        return -1;
    }
    sd_event_source_set_description(l->ready, "libvirt-fds");
    sd_event_source_set_description(l->async, "libvirt-wakeup");
    sd_event_source_set_description(l->defer, "libvirt-busy");
    sd_event_source_set_description(l->timer, "libvirt-timers");
    return 0;
}

/* libvirt keeps the first implementation registered (R1): a second
 * registration is refused here rather than ignored there. */
int sdevent_libvirt_register(sd_event *event)
{
    struct sdl_loop *l = &sdl_loop;
    int rc = -1;

    sdl_lock();
    if (event && !l->registered && sdl_wakeset_init(&l->wake) == 0) {
        if (l->efd < 0)
            l->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (l->efd >= 0 && init_sources(event) == 0) {
            l->registered = true;
            l->event = sd_event_ref(event);
            rc = 0;
        }
    }
    sdl_unlock();
    if (rc < 0)
        return -1;
    virEventRegisterImpl(sdevent_libvirt_add_handle, sdevent_libvirt_update_handle,
                         sdevent_libvirt_remove_handle, sdevent_libvirt_add_timeout,
                         sdevent_libvirt_update_timeout, sdevent_libvirt_remove_timeout);
    return 0;
}

/* The wake set and the eventfd stay open: another thread's late call may
 * still reach them, and libvirt keeps the registration for good. */
void sdevent_libvirt_close(void)
{
    struct sdl_loop *l = &sdl_loop;
    bool open;

    sdl_lock();
    open = l->registered && !l->closed;
    l->closed = true;
    l->waiting = false;
    sdl_unlock();
    if (!open)
        return;
    drop_sources();
    l->event = sd_event_unref(l->event);
}

size_t sdevent_libvirt_pending(void)
{
    size_t n;

    sdl_lock();
    n = sdl_loop.watches.len + sdl_loop.timers.len;
    sdl_unlock();
    return n;
}
