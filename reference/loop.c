/*
 * loop.c - one iteration of the reference loop, its lock, clock and wake-up.
 *
 * The phases of evref_run_once(), in order (reference/README.md says more):
 *
 *   1. Enter: refuse a nested or concurrent iteration; mark the loop as
 *      running on this thread, so that changes from other threads wake it.
 *   2. Sweep: run the free callbacks of what was removed since the last
 *      sweep, with no lock held.
 *   3. Prepare: rebuild the pollfd set if the watches changed; compute the
 *      poll timeout from the earliest timer (-1 if none, 0 if one is due,
 *      0 while removed registrations wait for their free callbacks).
 *   4. Poll: wait in poll(2) through the system seam.  A signal or a
 *      transient shortage (EINTR, EAGAIN, ENOMEM) counts as a timeout.
 *   5. Wake-up: drain the self-pipe if another thread wrote to it.
 *   6. Timers: fire every timer due at this instant.
 *   7. Handles: call back every watch that poll(2) found ready.
 *   8. Sweep again, so a remove made during dispatch is freed within this
 *      iteration; then leave.
 *
 * One mutex guards all state, so all six operations are thread-safe (R42)
 * and may be called from callbacks (R28).  It is never held while user code
 * runs (R44):
 * each callback's arguments are copied out under the lock, the lock is
 * dropped, and the call goes through one of the three evref__run_* helpers
 * at the bottom of this file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"


static int64_t real_now_ns(void *ctx)
{
    struct timespec ts;

    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int real_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    (void)ctx;
    return poll(fds, nfds, timeout_ms);
}

#define REAL_SYS { .now_ns = real_now_ns, .poll = real_poll, .ctx = NULL }

struct evref__loop evref__loop = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .sys = REAL_SYS,
    .wake_rd = -1,
    .wake_wr = -1,
};

/* The one mutex over all state: every operation takes it, from any thread
 * (R42), and from callbacks too (R28), since no user code runs under it
 * (R44). */
void evref__lock(void)
{
    pthread_mutex_lock(&evref__loop.lock);
}

void evref__unlock(void)
{
    pthread_mutex_unlock(&evref__loop.lock);
}

int64_t evref__now_locked(void)
{
    return evref__loop.sys.now_ns(evref__loop.sys.ctx);
}

void evref_set_sys(const struct evref_sys *sys)
{
    static const struct evref_sys real = REAL_SYS;

    evref__lock();
    evref__loop.sys = sys ? *sys : real;
    evref__unlock();
}

/* Create the self-pipe that other threads write to when they change
 * something while the loop waits (R43).  Both ends are the loop's own, so
 * making them non-blocking touches no fd of libvirt's (R17). */
int evref__init_locked(void)
{
    int fds[2];

    if (evref__loop.wake_rd >= 0)
        return 0;
    if (evref__handles_reserve_locked(0) < 0)       /* the pipe's pollfd */
        return -1;
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
        return -1;
    evref__loop.wake_rd = fds[0];
    evref__loop.wake_wr = fds[1];
    return 0;
}

/* Called, under the lock, after every change that could shorten the wait or
 * leave a free callback pending.  Only another thread's change during an
 * iteration needs a wake-up (R43): the loop thread itself is not waiting,
 * and a loop that is not running will compute its next wait from the new
 * state anyway.  One byte is enough however many changes pile up before the
 * loop drains it.  Returns whether the caller must write that byte, which it
 * does with evref__unlock_and_wake() once the lock is released, so that the
 * woken loop does not wake up only to wait for the lock. */
bool evref__wake_locked(void)
{
    struct evref__loop *l = &evref__loop;

    if (!l->running || l->wake_pending || pthread_equal(l->runner, pthread_self()))
        return false;
    l->wake_pending = true;
    return true;
}

void evref__unlock_and_wake(bool wake)
{
    int fd = evref__loop.wake_wr;

    evref__unlock();
    if (wake)
        (void)!write(fd, "w", 1);   /* full pipe: a byte is there anyway */
}

/* Empty the wake-up pipe once poll(2) says it is readable, then let the
 * next change write again.  It is read before wake_pending is cleared: a
 * byte written in between stays for the next poll, which then returns at
 * once (a spurious wake-up, never a lost one).  The pipe holds a byte or
 * two, so one read empties it.  The flag is cleared without the lock: a
 * change that still saw it set was made under the lock before this point,
 * and the next prepare, which takes the lock, sees it. */
static void drain_wake(void)
{
    char buf[64];

    while (read(evref__loop.wake_rd, buf, sizeof(buf)) == (ssize_t)sizeof(buf))
        ;
    atomic_store(&evref__loop.wake_pending, false);
}

/* Exactly once per successful add (R34), only when there is one (R39),
 * whatever the opaque, NULL included (R40).  The sweep runs on the loop
 * thread outside dispatch, so never while the callback runs (R37), and
 * once per iteration however busy the loop is (R33). */
static void free_all(struct evref__reg *list)
{
    while (list) {
        struct evref__reg *next = list->next_free;
        if (list->ff)
            evref__free_callback_opaque(list->ff, list->opaque);
        free(list);
        list = next;
    }
}

/* Take the removed registrations out of both tables and run their free
 * callbacks with no lock held (R35, R36).  Removed watches leave the pollfd
 * set first.  Records are unlinked before any free callback runs, so a free
 * callback may call any operation, including remove on its own id, which
 * then finds nothing and returns -1.  Removes made by free callbacks are
 * swept at the next sweep, which follows without a wait
 * (frees_pending_locked()), so a chain of them never stalls (R38).  Order:
 * timers, then handles, each in the order they were removed (the contract
 * leaves it open, R41).  Costs what was removed, not what is registered. */
static void sweep(void)
{
    struct evref__reg *timers, *handles;

    evref__lock();
    evref__handles_update_locked();
    timers = evref__table_take_removed(&evref__loop.timers);
    handles = evref__table_take_removed(&evref__loop.handles);
    evref__timers_shrink_locked();
    evref__unlock();

    free_all(timers);
    free_all(handles);
}

/* A free callback run by a sweep may remove another registration; that
 * one is only marked, and its free callback waits for the next sweep.  The
 * loop does not block while any such record waits (libuv's rule for
 * pending closes), so a chain of free callbacks runs to its end in
 * back-to-back iterations instead of waiting for an unrelated event, or
 * forever when there is none (R38). */
static bool frees_pending_locked(void)
{
    return evref__table_has_removed(&evref__loop.timers) ||
           evref__table_has_removed(&evref__loop.handles);
}

/* Errors of poll(2) that say "not now" rather than "never": a signal, or
 * the kernel short of memory for its wait tables.  They end the wait, not
 * the loop: the application's "while (evref_run_once() == 0)" must keep
 * going, or libvirt's keepalive and free callbacks stop with it (R2). */
static bool transient_poll_error(int err)
{
    return err == EINTR || err == EAGAIN || err == ENOMEM;
}

/* poll(2) first without a timeout: when something is ready already, as
 * in a busy loop, the kernel then skips queueing the loop on every fd's
 * wait queue; only an idle loop pays for the second, blocking call. */
static int wait_for_events(const struct evref_sys *sys, int timeout_ms)
{
    struct evref__loop *l = &evref__loop;
    int ready = sys->poll(sys->ctx, l->set.pfds, l->npfds, 0);

    if (ready == 0 && timeout_ms != 0)
        ready = sys->poll(sys->ctx, l->set.pfds, l->npfds, timeout_ms);
    return ready;
}

int evref_run_once(void)
{
    struct evref__loop *l = &evref__loop;
    struct evref_sys sys;
    int timeout_ms, ready;

    evref__lock();
    if (l->running || evref__init_locked() < 0) {
        evref__unlock();
        return -1;
    }
    l->running = true;
    l->runner = pthread_self();
    evref__unlock();

    sweep();

    evref__lock();
    evref__handles_update_locked();
    timeout_ms = frees_pending_locked() ? 0 :
                 evref__timers_poll_timeout_locked(evref__now_locked());
    sys = l->sys;
    evref__unlock();

    ready = wait_for_events(&sys, timeout_ms);
    if (ready < 0 && transient_poll_error(errno))
        ready = 0;              /* as if the wait had timed out */
    if (ready > 0 && l->set.pfds[0].revents)
        drain_wake();

    /* Timers, then handles (R32 leaves the order open; libvirt's poll loop
     * did the same).  After a failed poll the revents mean nothing: nothing
     * is dispatched. */
    if (ready >= 0) {
        evref__timers_dispatch();
        if (ready > 0)
            evref__handles_dispatch(ready);
    }
    sweep();

    evref__lock();
    l->running = false;
    evref__unlock();
    return ready < 0 ? -1 : 0;
}

void evref_reset(void)
{
    struct evref__loop *l = &evref__loop;

    evref__lock();
    evref__handles_clear_locked();
    evref__timers_clear_locked();
    if (l->wake_rd >= 0) {
        close(l->wake_rd);
        close(l->wake_wr);
    }
    l->wake_rd = l->wake_wr = -1;
    l->wake_pending = false;
    l->running = false;
    evref__unlock();
    evref_set_sys(NULL);
}

/* The helpers through which the loop enters user code.  They hold no lock
 * (R44) and add no frame of the loop's own that owns state: the stack below
 * them is the application's call of evref_run_once() and the loop's
 * dispatch, nothing else (the "clean stack" of R36). */
void evref__run_handle_callback(virEventHandleCallback cb, int watch, int fd,
                                int events, void *opaque)
{
    cb(watch, fd, events, opaque);
}

void evref__run_timeout_callback(virEventTimeoutCallback cb, int timer,
                                 void *opaque)
{
    cb(timer, opaque);
}

void evref__free_callback_opaque(virFreeCallback ff, void *opaque)
{
    ff(opaque);
}
