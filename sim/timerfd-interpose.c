/*
 * timerfd-interpose.c - timerfd_create(), timerfd_settime(),
 * timerfd_gettime() and close(), defined in the executable beside
 * interpose.c's functions, so that a loop's timerfds live in virtual time
 * (timerfd.c).  A timerfd made outside a simulation is the kernel's, and
 * stays so: its calls pass through.  close() only tells
 * timerfd.c that the number is no longer a virtual timerfd.  Linked into
 * executables only (SIM_INTERPOSE), like interpose.c.
 */
#include <pthread.h>
#include <unistd.h>

#include "internal.h"
#include "timerfd.h"

static struct {
    int (*create)(int, int);
    int (*settime)(int, int, const struct itimerspec *, struct itimerspec *);
    int (*gettime)(int, struct itimerspec *);
    int (*close)(int);
} real;
static pthread_once_t real_once = PTHREAD_ONCE_INIT;

static void resolve(void)
{
    *(void **)&real.create = sim__need_real("timerfd_create");
    *(void **)&real.settime = sim__need_real("timerfd_settime");
    *(void **)&real.gettime = sim__need_real("timerfd_gettime");
    *(void **)&real.close = sim__need_real("close");
}

int timerfd_create(int clockid, int flags)
{
    pthread_once(&real_once, resolve);
    if (sim__timerfd_virtual_now())
        return sim__timerfd_create(clockid, flags);
    return real.create(clockid, flags);
}

int timerfd_settime(int fd, int flags, const struct itimerspec *value,
                    struct itimerspec *old)
{
    pthread_once(&real_once, resolve);
    if (sim__timerfd_is(fd))
        return sim__timerfd_settime(fd, flags, value, old);
    return real.settime(fd, flags, value, old);
}

int timerfd_gettime(int fd, struct itimerspec *cur)
{
    pthread_once(&real_once, resolve);
    if (sim__timerfd_is(fd))
        return sim__timerfd_gettime(fd, cur);
    return real.gettime(fd, cur);
}

int close(int fd)
{
    pthread_once(&real_once, resolve);
    sim__timerfd_forget(fd);
    return real.close(fd);
}
