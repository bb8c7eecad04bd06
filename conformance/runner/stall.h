/*
 * stall.h - how long the machine kept the stress run's loop thread
 * waiting for a CPU (stall.c).
 *
 * A real-time bound in the stress run (R34's free callbacks, R43's
 * wake-ups) must bound only what the loop does, not what a busy machine
 * does to it: a thread ready to run but not running is the machine's
 * delay.  The stress run registers its loop thread only: the others spin
 * or sleep at will, and a loop that lost a wake-up sleeps, which is no
 * delay.  The kernel counts it per thread (the second field of
 * /proc/thread-self/schedstat, "run_delay").  The stall clock adds, every
 * few milliseconds, what the registered thread's run_delay gained;
 * stall_clock_ns() is the monotonic clock less that sum: time in which
 * that thread could have run whenever it was ready to.  Where the kernel does not
 * count (no schedstat), the stall is 0 and the clock is the monotonic one.
 * Prefix stall_.
 */
#ifndef EVCONF_STALL_H
#define EVCONF_STALL_H

#include <stdint.h>

/* Start sampling (a thread of its own). */
void stall_start(void);
/* The calling thread's delays count from now on (one thread: a later
 * call takes its place). */
void stall_thread_register(void);
/* The monotonic clock in ns, less every stall sampled so far: cheap,
 * and never behind the true figure (a stall not yet sampled is not taken
 * off), so a deadline it says is not passed is not. */
int64_t stall_clock_ns(void);
/* The same with a sample taken now.  A thread waiting for a CPU at this
 * moment is not in it yet (the kernel counts a wait when it ends): a
 * verdict that a deadline has passed is confirmed by a fresh reading
 * taken a little later (stall_past). */
int64_t stall_clock_fresh_ns(void);
/* Whether the stall clock has passed t: the cheap reading, a fresh one,
 * and a fresh one STALL_SETTLE_MS later, all past t. */
#define STALL_SETTLE_MS 10
int stall_past(int64_t t);
/* The stall so far, in ns (for reports). */
int64_t stall_total_ns(void);
/* Stop sampling. */
void stall_stop(void);

#endif
