/*
 * libvirt-libevent.h - run libvirt's events on a libevent event_base.
 *
 * Copy this directory into an application (or link the static library
 * built from it) and, before the first virConnectOpen*():
 *
 *     evthread_use_pthreads();              // before event_base_new()
 *     struct event_base *base = event_base_new();
 *     if (libevent_libvirt_register(base) < 0)
 *         ...;                              // base without thread support
 *     ...
 *     while (running)
 *         event_base_loop(base, EVLOOP_ONCE | EVLOOP_NO_EXIT_ON_EMPTY);
 *
 * or event_base_dispatch(base) with EVLOOP_NO_EXIT_ON_EMPTY semantics
 * (event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY)).  libvirt keeps the
 * registration for the rest of the process: the base must outlive every
 * libvirt object, and the loop must keep running after the last
 * virConnectClose() until libevent_libvirt_pending() is 0, so that the
 * free callbacks release libvirt's sockets and streams.
 * docs/integrations-libevent.md says why each of these is needed.
 */
#ifndef LIBVIRT_LIBEVENT_H
#define LIBVIRT_LIBEVENT_H

#include <event2/event.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Registers the base with virEventRegisterImpl().  0 on success; -1 if
 * the base cannot be woken from another thread (created before
 * evthread_use_pthreads()), if memory runs out, or if a base was already
 * registered (libvirt keeps the first one for good). */
int libevent_libvirt_register(struct event_base *base);

/* The registrations libvirt has not removed, plus the removed ones whose
 * free callback has not run yet: when it is 0 after the last connection
 * closed, the base may be freed. */
int libevent_libvirt_pending(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBVIRT_LIBEVENT_H */
