/*
 * libc.c - the way from sim's interposers to the real functions.
 *
 * When the executable defines poll() itself, calling poll() from sim would
 * call sim again.  Everything real goes through this table instead, filled
 * once with dlsym(RTLD_NEXT, ...).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

static struct sim__libc libc_table;
static pthread_once_t libc_once = PTHREAD_ONCE_INIT;

void *sim__need_real(const char *name)
{
    void *fn = dlsym(RTLD_NEXT, name);

    if (!fn) {
        fprintf(stderr, "sim: cannot find the real %s(): %s\n", name, dlerror());
        abort();
    }
    return fn;
}

static void resolve(void)
{
    *(void **)&libc_table.clock_gettime = sim__need_real("clock_gettime");
    *(void **)&libc_table.gettimeofday = sim__need_real("gettimeofday");
    *(void **)&libc_table.time = sim__need_real("time");
    *(void **)&libc_table.poll = sim__need_real("poll");
    *(void **)&libc_table.ppoll = sim__need_real("ppoll");
    *(void **)&libc_table.select = sim__need_real("select");
    *(void **)&libc_table.pselect = sim__need_real("pselect");
    *(void **)&libc_table.epoll_wait = sim__need_real("epoll_wait");
    *(void **)&libc_table.epoll_pwait = sim__need_real("epoll_pwait");
}

const struct sim__libc *sim__libc(void)
{
    pthread_once(&libc_once, resolve);
    return &libc_table;
}

int64_t sim__real_ms(void)
{
    struct timespec ts;

    sim__libc()->clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
