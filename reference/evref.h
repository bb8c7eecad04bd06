/*
 * evref.h - the evconf reference event loop.
 *
 * A minimal poll(2) loop that implements the libvirt event contract
 * (docs/contract.md, rules R1-R45) and nothing else.  It is the loop the
 * conformance suite is measured against, so every behaviour here is chosen
 * to be the one the contract demands, or, where the contract leaves a choice
 * (a MAY), the one libvirt's own loops make.
 *
 * Usage, as an application:
 *
 *     evref_register();              // before the first virConnectOpen()
 *     while (evref_run_once() == 0)
 *         ;
 *
 * The six contract operations are also callable directly (evref_add_handle
 * and friends); they are exactly the functions handed to
 * virEventRegisterImpl().  All of them are thread-safe and may be called from
 * inside callbacks and free callbacks.
 *
 * This header and libevref are the loop alone: the conformance ABI
 * (evconf_register and friends) lives in a separate shim,
 * conformance/adapters/reference.c, so a program may link libevref and
 * define an adapter of its own.  The seam that runs the loop in virtual
 * time is in evref-seam.h, which is not installed.
 *
 * fork(): the loop has no atfork handlers.  A child may exec() (the
 * wake-up pipe is close-on-exec) or _exit(), and nothing else: it shares
 * the wake-up pipe with its parent, so its changes would wake the parent's
 * loop and its loop could swallow the parent's wake-ups, and the loop's
 * lock may have been held by another thread of the parent when it forked.
 */
#ifndef EVREF_H
#define EVREF_H

#include <poll.h>
#include <stdint.h>
#include <libvirt/libvirt.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library is built with hidden visibility; this marks what it exports. */
#define EVREF_API __attribute__((visibility("default")))

/* Register the six operations with virEventRegisterImpl().  Creates the
 * loop's wake-up pipe on first use.  Returns 0, or -1 if the loop cannot be
 * initialised (no file descriptors left). */
EVREF_API int evref_register(void);

/* Run one iteration: free what was removed, wait in poll(2) until an fd is
 * ready, the earliest timer is due or another thread changes something, then
 * dispatch due timers and ready handles, and free again.  Blocks as long as
 * the loop has nothing to do (forever if nothing is registered).
 * Returns 0, or -1 if the loop cannot be initialised, poll(2) fails for
 * good (EINVAL, EFAULT), or an iteration is already running (a nested call
 * from a callback, or a second thread).  Transient failures of poll(2)
 * (EINTR, EAGAIN, ENOMEM) end the wait as a timeout would and return 0, and
 * nothing an iteration does can fail for want of memory: the memory a
 * registration needs is taken when it is added. */
EVREF_API int evref_run_once(void);

/* The contract's six operations (libvirt-event.h).  Ids start at 1 and are
 * never reused; handles and timers count separately. */
EVREF_API int evref_add_handle(int fd, int events, virEventHandleCallback cb,
                               void *opaque, virFreeCallback ff);
EVREF_API void evref_update_handle(int watch, int events);
EVREF_API int evref_remove_handle(int watch);
EVREF_API int evref_add_timeout(int timeout_ms, virEventTimeoutCallback cb,
                                void *opaque, virFreeCallback ff);
EVREF_API void evref_update_timeout(int timer, int timeout_ms);
EVREF_API int evref_remove_timeout(int timer);

#ifdef __cplusplus
}
#endif

#endif /* EVREF_H */
