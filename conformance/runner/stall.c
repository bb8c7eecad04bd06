/*
 * stall.c - the stress run's stall clock (stall.h): the monotonic clock
 * less the time the machine kept the registered thread waiting for a CPU.
 *
 * The registered thread's schedstat file stays open; a sampler thread
 * reads it every STALL_PERIOD_NS and adds what run_delay gained, the
 * whole never more than the time since the start, so that the cheap
 * reading (stall_clock_ns) needs no system call.  The kernel adds a wait to run_delay when the thread gets its CPU,
 * not while it waits: a sample may take a wait begun before the last one,
 * and a wait still going on is not in it yet (stall.h says what a verdict
 * does about that).
 * The sampler's own delays do not count: a late sample loses nothing,
 * run_delay keeps counting.  A verdict samples once more before it is
 * given (stall_clock_fresh_ns), so it never rests on a stale figure.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "stall.h"

#define STALL_PERIOD_NS 2000000

static struct {
    pthread_mutex_t lock;           /* the fields below */
    int fd;                         /* the thread's schedstat; -1: none */
    int64_t last_delay;             /* its run_delay at the last sample */
    int64_t start_ns;
    _Atomic int64_t total_ns;
    _Atomic bool stop;
    bool running;
    pthread_t sampler;
} stall = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

static int64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A thread's run_delay so far (ns), or -1 if the kernel does not say. */
static int64_t read_delay(int fd)
{
    char buf[96];
    long long run, delay;
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

    if (n <= 0)
        return -1;
    buf[n] = '\0';
    return sscanf(buf, "%lld %lld", &run, &delay) == 2 ? delay : -1;
}

/* Add the delay gained since the last sample; the lock is held. */
static void sample_locked(void)
{
    int64_t now = mono_ns(), d = stall.fd < 0 ? -1 : read_delay(stall.fd), gained;

    if (d < 0)
        return;
    gained = d - stall.last_delay;
    stall.last_delay = d;
    if (atomic_load(&stall.total_ns) + gained > now - stall.start_ns)
        gained = now - stall.start_ns - atomic_load(&stall.total_ns);
    if (gained > 0)
        atomic_fetch_add(&stall.total_ns, gained);
}

static void *sampler(void *arg)
{
    struct timespec period = { 0, STALL_PERIOD_NS };

    (void)arg;
    while (!atomic_load(&stall.stop)) {
        nanosleep(&period, NULL);
        pthread_mutex_lock(&stall.lock);
        sample_locked();
        pthread_mutex_unlock(&stall.lock);
    }
    return NULL;
}

void stall_thread_register(void)
{
    int fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return;
    pthread_mutex_lock(&stall.lock);
    if (stall.fd >= 0)
        close(stall.fd);
    stall.fd = fd;
    stall.last_delay = read_delay(fd);
    pthread_mutex_unlock(&stall.lock);
}

void stall_start(void)
{
    stall.start_ns = mono_ns();
    atomic_store(&stall.total_ns, 0);
    atomic_store(&stall.stop, false);
    stall.running = pthread_create(&stall.sampler, NULL, sampler, NULL) == 0;
}

int64_t stall_clock_ns(void)
{
    return mono_ns() - atomic_load(&stall.total_ns);
}

int64_t stall_clock_fresh_ns(void)
{
    pthread_mutex_lock(&stall.lock);
    sample_locked();
    pthread_mutex_unlock(&stall.lock);
    return mono_ns() - atomic_load(&stall.total_ns);
}

int stall_past(int64_t t)
{
    struct timespec settle = { 0, STALL_SETTLE_MS * 1000000L };

    if (stall_clock_ns() <= t || stall_clock_fresh_ns() <= t)
        return 0;
    nanosleep(&settle, NULL);
    return stall_clock_fresh_ns() > t;
}

int64_t stall_total_ns(void)
{
    return atomic_load(&stall.total_ns);
}

void stall_stop(void)
{
    atomic_store(&stall.stop, true);
    if (stall.running)
        pthread_join(stall.sampler, NULL);
    stall.running = false;
}
