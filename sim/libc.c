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

static void *need(const char *name)
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
    *(void **)&libc_table.clock_gettime = need("clock_gettime");
    *(void **)&libc_table.gettimeofday = need("gettimeofday");
    *(void **)&libc_table.time = need("time");
    *(void **)&libc_table.poll = need("poll");
    *(void **)&libc_table.ppoll = need("ppoll");
    *(void **)&libc_table.select = need("select");
    *(void **)&libc_table.pselect = need("pselect");
    *(void **)&libc_table.epoll_wait = need("epoll_wait");
    *(void **)&libc_table.epoll_pwait = need("epoll_pwait");
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
