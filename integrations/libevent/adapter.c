/*
 * adapter.c - the libevent integration as an implementation under test
 * (conformance/evconf.h): IMPL=libevent.
 */
#include <event2/event.h>
#include <event2/thread.h>

#include "evconf.h"
#include "libvirt-libevent.h"

static struct event_base *base;

/* A base as an application makes one: thread support first, since
 * libevent gives a base its lock and its wake-up fd only if
 * evthread_use_pthreads() ran before event_base_new() (R42, R43); the
 * default backend (epoll on Linux) and its default clock. */
int evconf_register(void)
{
    if (evthread_use_pthreads() < 0)
        return -1;
    base = event_base_new();
    if (!base)
        return -1;
    return libevent_libvirt_register(base);
}

/* One iteration: EVLOOP_ONCE waits for events, runs what is ready and
 * returns.  EVLOOP_NO_EXIT_ON_EMPTY: without it libevent returns at once
 * when no event is added (every registration disabled), and the caller's
 * loop would spin instead of blocking until another thread enables one
 * (R43).  libevent's loop fails only when its wait does, which epoll_wait
 * never does but for EINTR, which libevent takes as a timeout (R2). */
int evconf_run_once(void)
{
    return event_base_loop(base, EVLOOP_ONCE | EVLOOP_NO_EXIT_ON_EMPTY) < 0 ? -1 : 0;
}

const char *evconf_name(void)
{
    return "libevent (libevent_libvirt_register)";
}
