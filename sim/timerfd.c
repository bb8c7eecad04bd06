/*
 * timerfd.c - timerfds in virtual time.
 *
 * A loop that times its waits with timerfds (sd-event; libevent with
 * EVENT_BASE_FLAG_PRECISE_TIMER) hands the wait no timeout: the kernel
 * makes the timerfd readable when its clock reaches the expiry.  In
 * virtual time that clock is sim's, so the timerfd must be sim's too: a
 * virtual timerfd is an eventfd in a table here, and sim's wait ends at
 * the earliest armed expiry (sim__timerfd_next_ns) as it ends at a
 * scheduled event, writing the expiration count into the eventfd when the
 * clock reaches it (sim__timerfd_expire).  The wait then finds it ready
 * whether the loop polls it directly or through an epoll set, and an
 * unwatched timerfd only makes the wait look again and go on.  Nothing
 * here reads real time: the same program gives the same trace.  In a
 * simulation in real time, timerfds are sim's too, counted on the real
 * clocks: the wait is cut short at their expiries as at the schedule's
 * steps.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "internal.h"
#include "timerfd.h"

#define NS_PER_S INT64_C(1000000000)

/* What an expiry is counted on: sim's monotonic clock, or its wall clock
 * (an absolute CLOCK_REALTIME setting, which follows a step of the wall
 * clock as the kernel's does). */
enum base { BASE_MONOTONIC, BASE_WALL };

struct slot {
    _Atomic int fd1;            /* the fd + 1; 0: a free slot */
    pid_t pid;                  /* the process that made it */
    clockid_t clock;
    bool armed;
    enum base base;
    int64_t at;                 /* the expiry, ns on the base's clock */
    int64_t interval;           /* ns; 0: one expiry */
};

static struct slot slots[SIM_TIMERFD_MAX];
static _Atomic int nused;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

bool sim__timerfd_virtual_now(void)
{
    return sim_active();
}

/* Now on the clock s counts its expiry on: sim's virtual clocks, or in
 * real time the clocks the loop reads (libc's, or a preloaded
 * libfaketime's: a timerfd of sim's then runs at the faked speed, which
 * the kernel's would not). */
static int64_t slot_now(const struct slot *s)
{
    struct timespec ts;
    clockid_t c = CLOCK_MONOTONIC;

    if (!sim_realtime())
        return s->base == BASE_WALL ? sim_wall_ns() : SIM_MONOTONIC_START_NS + sim_now_ns();
    if (s->base == BASE_WALL)
        c = CLOCK_REALTIME;
    else if (s->clock == CLOCK_BOOTTIME || s->clock == CLOCK_BOOTTIME_ALARM)
        c = CLOCK_BOOTTIME;
    sim__libc()->clock_gettime(c, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* s's expiry as sim_now_ns() will read it. */
static int64_t to_sim_ns(const struct slot *s)
{
    return s->at - (slot_now(s) - sim_now_ns());
}

static int64_t ts_ns(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * NS_PER_S + ts->tv_nsec;
}

static struct timespec ns_ts(int64_t ns)
{
    return (struct timespec){ .tv_sec = ns / NS_PER_S, .tv_nsec = ns % NS_PER_S };
}

static bool valid_ts(const struct timespec *ts)
{
    return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < NS_PER_S;
}

/* The slot of fd; called locked. */
static struct slot *find(int fd)
{
    for (int i = 0; i < SIM_TIMERFD_MAX; i++)
        if (atomic_load(&slots[i].fd1) == fd + 1)
            return &slots[i];
    return NULL;
}

/* The clocks timerfd_create(2) takes.  The alarm clocks are their base
 * clocks here: virtual time never suspends, so there is nothing to wake
 * the machine from, and no capability is asked for. */
static bool known_clock(int clockid)
{
    return clockid == CLOCK_MONOTONIC || clockid == CLOCK_BOOTTIME ||
           clockid == CLOCK_REALTIME || clockid == CLOCK_REALTIME_ALARM ||
           clockid == CLOCK_BOOTTIME_ALARM;
}

static bool wall_clock(clockid_t c)
{
    return c == CLOCK_REALTIME || c == CLOCK_REALTIME_ALARM;
}

int sim__timerfd_create(int clockid, int flags)
{
    int fd;

    if (!known_clock(clockid) || (flags & ~(TFD_NONBLOCK | TFD_CLOEXEC))) {
        errno = EINVAL;
        return -1;
    }
    fd = eventfd(0, (flags & TFD_NONBLOCK ? EFD_NONBLOCK : 0) |
                    (flags & TFD_CLOEXEC ? EFD_CLOEXEC : 0));
    if (fd < 0)
        return -1;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < SIM_TIMERFD_MAX; i++)
        if (atomic_load(&slots[i].fd1) == 0) {
            slots[i] = (struct slot){ .clock = clockid, .pid = getpid() };
            atomic_store(&slots[i].fd1, fd + 1);
            atomic_fetch_add(&nused, 1);
            pthread_mutex_unlock(&lock);
            return fd;
        }
    pthread_mutex_unlock(&lock);
    close(fd);
    errno = EMFILE;
    return -1;
}

bool sim__timerfd_is(int fd)
{
    bool is;

    if (fd < 0 || atomic_load(&nused) == 0)
        return false;
    pthread_mutex_lock(&lock);
    is = find(fd) != NULL;
    pthread_mutex_unlock(&lock);
    return is;
}

/* What timerfd_gettime(2) reports: the time left, relative even for an
 * absolute setting, and the interval; zeros when disarmed.  Called
 * locked.  An armed timer's expiry is always ahead of the clock (the
 * clock never moves without sim__timerfd_expire()). */
static void current(const struct slot *s, struct itimerspec *cur)
{
    int64_t left = s->armed ? s->at - slot_now(s) : 0;

    if (s->armed && left < 1)
        left = 1;
    cur->it_value = ns_ts(left);
    cur->it_interval = ns_ts(s->interval);
}

/* A new setting drops the expirations not yet read, as the kernel's
 * does: the eventfd's count is read away (without blocking, whatever
 * its own flags). */
static void drain(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    uint64_t count;

    if (sim_peek(&p, 1) == 1 && (p.revents & POLLIN))
        (void)!read(fd, &count, sizeof(count));
}

/* A relative CLOCK_REALTIME setting is counted on the monotonic clock, as
 * Linux counts it (a relative hrtimer never follows a step of the wall
 * clock); an absolute one follows the wall clock. */
static void arm(struct slot *s, int flags, const struct itimerspec *v)
{
    int64_t value = ts_ns(&v->it_value);
    bool abs = flags & TFD_TIMER_ABSTIME;

    s->interval = ts_ns(&v->it_interval);
    s->armed = value != 0;
    s->base = abs && wall_clock(s->clock) ? BASE_WALL : BASE_MONOTONIC;
    if (abs && !wall_clock(s->clock))
        s->at = value;
    else
        s->at = abs ? value : slot_now(s) + value;
}

int sim__timerfd_settime(int fd, int flags, const struct itimerspec *value,
                         struct itimerspec *old)
{
    struct slot *s;

    if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) {
        errno = EINVAL;
        return -1;
    }
    if (!value) {
        errno = EFAULT;
        return -1;
    }
    if (!valid_ts(&value->it_value) || !valid_ts(&value->it_interval)) {
        errno = EINVAL;
        return -1;
    }
    pthread_mutex_lock(&lock);
    s = find(fd);
    if (!s) {
        pthread_mutex_unlock(&lock);
        errno = EINVAL;
        return -1;
    }
    if (old)
        current(s, old);
    drain(fd);
    arm(s, flags, value);
    pthread_mutex_unlock(&lock);
    sim__timerfd_expire();          /* an expiry already passed: at once */
    return 0;
}

int sim__timerfd_gettime(int fd, struct itimerspec *cur)
{
    struct slot *s;

    if (!cur) {
        errno = EFAULT;
        return -1;
    }
    pthread_mutex_lock(&lock);
    s = find(fd);
    if (s)
        current(s, cur);
    pthread_mutex_unlock(&lock);
    if (!s)
        errno = EINVAL;
    return s ? 0 : -1;
}

/* Only the process that made a timerfd forgets it: a child made with
 * vfork(2) (posix_spawn, CPython's subprocess) shares this table, and
 * the fds it closes before its exec are its own copies. */
void sim__timerfd_forget(int fd)
{
    pid_t self;

    if (fd < 0 || atomic_load(&nused) == 0)
        return;
    self = getpid();
    for (int i = 0; i < SIM_TIMERFD_MAX; i++) {
        int want = fd + 1;
        if (slots[i].pid == self &&
            atomic_compare_exchange_strong(&slots[i].fd1, &want, 0)) {
            atomic_fetch_sub(&nused, 1);
            return;
        }
    }
}

int64_t sim__timerfd_next_ns(void)
{
    int64_t next = INT64_MAX;

    if (atomic_load(&nused) == 0)
        return next;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < SIM_TIMERFD_MAX; i++) {
        const struct slot *s = &slots[i];
        if (atomic_load(&s->fd1) && s->armed && to_sim_ns(s) < next)
            next = to_sim_ns(s);
    }
    pthread_mutex_unlock(&lock);
    return next;
}

/* One due slot: its count of expirations since the last, written to the
 * eventfd (which adds it to what is not yet read, as a timerfd's count
 * grows); an interval timer moves on to its first expiry after now, a
 * one-shot one is disarmed.  Called locked. */
static void fire(struct slot *s, int64_t now)
{
    uint64_t count = 1;

    if (s->interval > 0) {
        count += (uint64_t)((now - s->at) / s->interval);
        s->at += (int64_t)count * s->interval;
    } else {
        s->armed = false;
    }
    (void)!write(atomic_load(&s->fd1) - 1, &count, sizeof(count));
}

void sim__timerfd_expire(void)
{
    if (atomic_load(&nused) == 0)
        return;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < SIM_TIMERFD_MAX; i++) {
        struct slot *s = &slots[i];
        if (atomic_load(&s->fd1) && s->armed && s->at <= slot_now(s))
            fire(s, slot_now(s));
    }
    pthread_mutex_unlock(&lock);
}

/* Whether fd is an epoll instance. */
static bool is_epoll(int fd)
{
    char path[64], target[64];
    ssize_t n;

    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    n = readlink(path, target, sizeof(target) - 1);
    if (n < 0)
        return false;
    target[n] = '\0';
    return strcmp(target, "anon_inode:[eventpoll]") == 0;
}

/* Whether a wait on fd for events sees tfd become readable: fd is tfd,
 * or an epoll set that holds it for EPOLLIN, directly or through epoll
 * sets it holds (a few levels down).  The kernel lists an epoll set's
 * members in /proc/self/fdinfo ("tfd: N events: MASK ..."). */
static bool sees(int fd, short events, int tfd, int depth)
{
    char path[64], *line = NULL;
    size_t cap = 0;
    bool seen = false;
    FILE *f;

    if (fd == tfd)
        return events & POLLIN;
    if (depth == 0 || !(events & POLLIN) || !is_epoll(fd))
        return false;
    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
    if (!(f = fopen(path, "re")))
        return false;
    while (!seen && getline(&line, &cap, f) > 0) {
        int member;
        unsigned mask;
        seen = sscanf(line, "tfd: %d events: %x", &member, &mask) == 2 &&
               sees(member, mask & EPOLLIN ? POLLIN : 0, tfd, depth - 1);
    }
    free(line);
    fclose(f);
    return seen;
}

int64_t sim__timerfd_next_watched_ns(const struct pollfd *fds, nfds_t nfds)
{
    int64_t next = INT64_MAX;

    if (atomic_load(&nused) == 0)
        return next;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < SIM_TIMERFD_MAX; i++) {
        const struct slot *s = &slots[i];
        int fd = atomic_load(&s->fd1) - 1;
        if (fd < 0 || !s->armed || to_sim_ns(s) >= next)
            continue;
        for (nfds_t k = 0; k < nfds; k++)
            if (sees(fds[k].fd, fds[k].events, fd, 4)) {
                next = to_sim_ns(s);
                break;
            }
    }
    pthread_mutex_unlock(&lock);
    return next;
}
