/*
 * sdevent-libvirt.h - libvirt's event loop on a systemd sd-event loop.
 *
 * libvirt needs an event loop for its connections (socket I/O, keepalive,
 * domain events, streams): an application registers one before its first
 * connection opens.  This library makes an sd_event that loop, keeping
 * every rule of the contract libvirt sets for it (docs/contract.md in the
 * evconf kit; docs/integrations-sd-event.md says how to take it into an
 * application and what sd-event gets wrong unless you take care).
 *
 *     sd_event *e;
 *     if (sd_event_new(&e) < 0 || sdevent_libvirt_register(e) < 0)
 *         ...;                           // before virConnectOpen()
 *     conn = virConnectOpen(uri);
 *     ...
 *     sd_event_loop(e);                  // on the loop's own thread
 *
 * Threads: the six operations libvirt calls (the sdevent_libvirt_*
 * functions below) are thread-safe and may be called from any thread,
 * from libvirt's callbacks and free callbacks too; they never call
 * sd-event, which is not thread-safe: another thread's change is kept in
 * the integration's tables and wakes the loop through an eventfd.
 * Everything else, the functions above included, runs on the loop's
 * thread, or before the loop starts.
 *
 * Lifetime: libvirt keeps the first implementation registered for the
 * life of the process (it has no unregister), so one sd_event per
 * process serves it.  The registration holds a reference on the loop and
 * four event sources on it until sdevent_libvirt_close().
 */
#ifndef SDEVENT_LIBVIRT_H
#define SDEVENT_LIBVIRT_H

#include <stddef.h>

#include <libvirt/libvirt.h>
#include <systemd/sd-event.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SDEVENT_LIBVIRT_API __attribute__((visibility("default")))

/* Hand libvirt the six operations, served by `event`.  Call it once,
 * before the first connection opens, on the loop's thread or before the
 * loop runs.  Returns 0, or -1 if a source cannot be set up or a loop was
 * registered already (libvirt would ignore a second one). */
SDEVENT_LIBVIRT_API int sdevent_libvirt_register(sd_event *event);

/* Drop the sources the registration put on the loop and its reference on
 * it, so that the application's sd_event_unref() frees it.  Call it on
 * the loop's thread once every connection is closed and its free
 * callbacks have run (iterate until sdevent_libvirt_pending() is 0).
 * libvirt still holds the six operations afterwards: adds fail, and
 * nothing is served. */
SDEVENT_LIBVIRT_API void sdevent_libvirt_close(void);

/* Registrations not yet freed (live, or removed with a free callback still
 * to run): 0 once libvirt has released everything it registered. */
SDEVENT_LIBVIRT_API size_t sdevent_libvirt_pending(void);

/* The six operations themselves, as handed to virEventRegisterImpl(). */
SDEVENT_LIBVIRT_API int sdevent_libvirt_add_handle(int fd, int events,
                                                   virEventHandleCallback cb,
                                                   void *opaque,
                                                   virFreeCallback ff);
SDEVENT_LIBVIRT_API void sdevent_libvirt_update_handle(int watch, int events);
SDEVENT_LIBVIRT_API int sdevent_libvirt_remove_handle(int watch);
SDEVENT_LIBVIRT_API int sdevent_libvirt_add_timeout(int timeout_ms,
                                                    virEventTimeoutCallback cb,
                                                    void *opaque,
                                                    virFreeCallback ff);
SDEVENT_LIBVIRT_API void sdevent_libvirt_update_timeout(int timer, int timeout_ms);
SDEVENT_LIBVIRT_API int sdevent_libvirt_remove_timeout(int timer);

#ifdef __cplusplus
}
#endif

#endif /* SDEVENT_LIBVIRT_H */
