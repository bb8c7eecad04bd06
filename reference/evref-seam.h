/*
 * evref-seam.h - the reference loop's seam for simulators and tests.
 *
 * Not installed: applications use evref.h alone.  sim/ runs the loop in
 * virtual time through evref_set_sys(), and the tests start every case
 * from a clean loop with evref_reset().
 */
#ifndef EVREF_SEAM_H
#define EVREF_SEAM_H

#include <poll.h>
#include <stdint.h>

#include "evref.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every reading of the clock and every wait goes through these two
 * functions, so that a simulator can run the loop in virtual time without
 * changing it.  now_ns must be monotonic; it is called with the loop's lock
 * held (from add, update and timer dispatch, on any thread), so it must not
 * call back into the loop.  poll has poll(2)'s contract and is called with
 * no lock held, on the loop thread.  Passing NULL restores the real ones
 * (CLOCK_MONOTONIC and poll(2)).  Set it before the first iteration; it is
 * not meant to change while an iteration runs. */
struct evref_sys {
    int64_t (*now_ns)(void *ctx);
    int     (*poll)(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms);
    void    *ctx;
};
EVREF_API void evref_set_sys(const struct evref_sys *sys);

/* Forget every registration without calling anything, close the wake-up
 * pipe and release all memory: the state of a process that never used the
 * loop.  Not safe while another thread uses the loop. */
EVREF_API void evref_reset(void);

#ifdef __cplusplus
}
#endif

#endif /* EVREF_SEAM_H */
