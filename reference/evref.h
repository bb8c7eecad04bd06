/*
 * evref.h - the evconf reference event loop.
 *
 * A minimal poll(2) loop that implements the libvirt event contract
 * (shared/contract.md, rules R1-R45) and nothing else.  It is the loop the
 * conformance suite is measured against, so every behaviour here is chosen
 * to be the one the contract demands, or, where the contract leaves a choice
 * (a MAY), the one libvirt's own loops make.
 *
 * Usage, as an application:
 *
 *     evref_register();              // before the first virConnectOpen()
 *     for (;;)
 *         if (evref_run_once() < 0)
 *             break;
 *
 * The six contract operations are also callable directly (evref_add_handle
 * and friends); they are exactly the functions handed to
 * virEventRegisterImpl().  All of them are thread-safe and may be called from
 * inside callbacks and free callbacks.
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
 * Returns 0, or -1 if poll fails, the loop cannot be initialised, or an
 * iteration is already running (a nested call from a callback, or a second
 * thread). */
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

/* The system seam.  Every reading of the clock and every wait goes through
 * these two functions, so that a simulator can run the loop in virtual time
 * without changing it.  now_ns must be monotonic; poll has poll(2)'s
 * contract.  Passing NULL restores the real ones (CLOCK_MONOTONIC and
 * poll(2)).  Set it before the first iteration; it is not meant to change
 * while an iteration runs. */
struct evref_sys {
    int64_t (*now_ns)(void *ctx);
    int     (*poll)(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms);
    void    *ctx;
};
EVREF_API void evref_set_sys(const struct evref_sys *sys);

/* Forget every registration without calling anything, close the wake-up
 * pipe and release all memory: the state of a process that never used the
 * loop.  For tests and simulators; not safe while another thread uses the
 * loop. */
EVREF_API void evref_reset(void);

/* The conformance ABI (conformance/evconf.h): the same loop, under the names
 * the conformance runner looks up in an implementation under test. */
EVREF_API int evconf_register(void);
EVREF_API int evconf_run_once(void);
EVREF_API const char *evconf_name(void);

#ifdef __cplusplus
}
#endif

#endif /* EVREF_H */
