/*
 * libuv-libvirt.h - libvirt's event loop on a libuv loop.
 *
 * libvirt needs an event loop for its connections (socket I/O, keepalive,
 * domain events, streams): an application registers one before its first
 * connection opens.  This library makes a uv_loop_t that loop, keeping
 * every rule of the contract libvirt sets for it (docs/contract.md in the
 * evconf kit; docs/integrations-libuv.md says how to take it into an
 * application and what libuv gets wrong unless you take care).
 *
 *     uv_loop_t *loop = uv_default_loop();
 *     if (libuv_libvirt_register(loop) < 0)
 *         ...;                           // before virConnectOpen()
 *     conn = virConnectOpen(uri);
 *     ...
 *     uv_run(loop, UV_RUN_DEFAULT);      // on the loop's own thread
 *
 * Threads: the six operations libvirt calls (the libuv_libvirt_* functions
 * below) are thread-safe and may be called from any thread, from libvirt's
 * callbacks and free callbacks too; they never call libuv, except
 * uv_async_send() to wake a loop that blocks.  Everything else, the two
 * functions above included, runs on the loop's thread, or before uv_run()
 * starts.
 *
 * Lifetime: libvirt keeps the first implementation registered for the
 * life of the process (it has no unregister), so one libuv loop per
 * process serves it.  The registration keeps the loop alive: uv_run() in
 * UV_RUN_DEFAULT mode returns only after libuv_libvirt_close().
 */
#ifndef LIBUV_LIBVIRT_H
#define LIBUV_LIBVIRT_H

#include <libvirt/libvirt.h>
#include <uv.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBUV_LIBVIRT_API __attribute__((visibility("default")))

/* Hand libvirt the six operations, served by `loop`.  Call it once, before
 * the first connection opens, on the loop's thread or before the loop runs.
 * Returns 0, or -1 if a handle cannot be set up or a loop was registered
 * already (libvirt would ignore a second one). */
LIBUV_LIBVIRT_API int libuv_libvirt_register(uv_loop_t *loop);

/* Close the handles the registration put on the loop (uv_close()), so
 * that uv_run() can return and uv_loop_close() succeed.  Call it on the
 * loop's thread once every connection is closed and its free callbacks
 * have run (iterate until libuv_libvirt_pending() is 0).  libvirt still
 * holds the six operations afterwards: adds fail, and nothing is served. */
LIBUV_LIBVIRT_API void libuv_libvirt_close(void);

/* Registrations not yet freed (live, or removed with a free callback still
 * to run): 0 once libvirt has released everything it registered. */
LIBUV_LIBVIRT_API size_t libuv_libvirt_pending(void);

/* The six operations themselves, as handed to virEventRegisterImpl(). */
LIBUV_LIBVIRT_API int libuv_libvirt_add_handle(int fd, int events,
                                               virEventHandleCallback cb,
                                               void *opaque,
                                               virFreeCallback ff);
LIBUV_LIBVIRT_API void libuv_libvirt_update_handle(int watch, int events);
LIBUV_LIBVIRT_API int libuv_libvirt_remove_handle(int watch);
LIBUV_LIBVIRT_API int libuv_libvirt_add_timeout(int timeout_ms,
                                                virEventTimeoutCallback cb,
                                                void *opaque,
                                                virFreeCallback ff);
LIBUV_LIBVIRT_API void libuv_libvirt_update_timeout(int timer, int timeout_ms);
LIBUV_LIBVIRT_API int libuv_libvirt_remove_timeout(int timer);

#ifdef __cplusplus
}
#endif

#endif /* LIBUV_LIBVIRT_H */
