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
 * whichever of them sd-event dispatches run all of libvirt's work, which
 * the core (integrations/core/) does:
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
 * sd-event's own means are wrong for libvirt, hence the core's.  An I/O
 * source per fd: sd_event_add_io() fails with EEXIST for an fd that has
 * one already (the fd goes into sd-event's epoll set, which holds each fd
 * once), while libvirt puts several watches on one fd (R15); and
 * sd-event's sources may be touched only by the thread that runs the
 * loop, while libvirt changes watches from any thread (R42); so sd-event
 * watches only the core's wake set.  A time source per timer: see R21
 * above; and sd_event_now() is the time the iteration woke, not the time
 * of the update (R23, R25); so one time source stands for the core's
 * earliest deadline.  sd-event itself is touched only here, on the
 * loop's thread: it is not thread-safe.
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "evcore.h"
#include "sdevent-libvirt.h"

/* The sd-event side: four sources on the application's loop. */
static struct sdl_loop {
    sd_event *event;
    sd_event_source *ready;     /* I/O on the wake set; holds the prepare */
    sd_event_source *timer;     /* CLOCK_MONOTONIC, the earliest deadline */
    sd_event_source *defer;     /* on while the loop must not block */
    sd_event_source *async;     /* I/O on efd */
    int efd;                    /* the eventfd other threads wake it by */
} sdl_loop = { .efd = -1 };

/* The core's wake-up, after its unlock: a write to an eventfd is safe
 * from any thread; sd-event, which is not, is not touched (R42, R43). */
static void wake(void)
{
    static const uint64_t one = 1;

    (void)!write(sdl_loop.efd, &one, sizeof(one));
}

/* Before sd-event waits: the sweep, then the core's plan for the wait.
 * Not blocking: the defer source is on, and an enabled defer source is
 * always pending.  Else until the earliest deadline, rounded up to
 * sd-event's microseconds so that a timer never fires early, on a time
 * source of accuracy 1 us: with the default accuracy (0 asks for it: 250
 * ms) sd-event may put the wake-up off by up to a quarter of a second to
 * share it with other timers (R20). */
static int on_prepare(sd_event_source *s, void *u)
{
    struct sdl_loop *l = &sdl_loop;
    int64_t now, next;
    bool block;

    (void)s, (void)u;
    evc_sweep();
    block = evc_plan_wait(&now, &next);
    sd_event_source_set_enabled(l->defer, block ? SD_EVENT_OFF : SD_EVENT_ON);
    if (block && next != INT64_MAX) {
        sd_event_source_set_time(l->timer, (uint64_t)(next + 999) / 1000);
        sd_event_source_set_enabled(l->timer, SD_EVENT_ONESHOT);
    } else {
        sd_event_source_set_enabled(l->timer, SD_EVENT_OFF);
    }
    return 0;
}

/* Right after the wait, from whichever source sd-event dispatched: the
 * core's pass (timers, handles, sweep).  Another of the four sources
 * still pending runs the pass again in the next iteration, without
 * waiting, as a loop whose wait returned at once would. */
static void pass(void)
{
    evc_pass();
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

    if (sd_event_add_io(e, &l->ready, evc_core.wake.epfd, EPOLLIN, on_ready, NULL) < 0 ||
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

/* The core's attach hook, under its lock: the eventfd (kept across a
 * failed attempt), then the sources. */
static int attach(void *arg)
{
    struct sdl_loop *l = &sdl_loop;

    if (l->efd < 0)
        l->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (l->efd < 0 || init_sources(arg) < 0)
        return -1;
    l->event = sd_event_ref(arg);
    return 0;
}

static const struct evc_host host = { .attach = attach, .wake = wake };

/* The core refuses a second registration (R1). */
int sdevent_libvirt_register(sd_event *event)
{
    if (!event || evc_attach(&host, event) < 0)
        return -1;
    virEventRegisterImpl(sdevent_libvirt_add_handle, sdevent_libvirt_update_handle,
                         sdevent_libvirt_remove_handle, sdevent_libvirt_add_timeout,
                         sdevent_libvirt_update_timeout, sdevent_libvirt_remove_timeout);
    return 0;
}

/* The eventfd stays open, as the core's wake set does: another thread's
 * late call may still reach them, and libvirt keeps the registration for
 * good. */
void sdevent_libvirt_close(void)
{
    struct sdl_loop *l = &sdl_loop;

    if (!evc_detach())
        return;
    drop_sources();
    l->event = sd_event_unref(l->event);
}
