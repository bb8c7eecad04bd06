/*
 * sim.h - deterministic virtual time and scripted fds for event loops.
 *
 * While a simulation is active, the thread marked as the loop thread reads
 * a virtual clock and waits in virtual time: a wait first polls the real fds
 * with a zero timeout, and if nothing is ready, the clock jumps to the
 * earlier of the wait's timeout and the next scheduled event, which then
 * runs.  An hour of timers takes microseconds, and the same script and seed
 * give the same trace on every run.
 *
 * Two ways in:
 *   - the reference loop, through its own seam: sim_attach_reference();
 *   - any other loop (libvirt's GLib loop, libvirt-glib, Python, Perl),
 *     unmodified, through interposition: an executable that links
 *     sim/interpose.o exports clock_gettime, gettimeofday, time, poll, ppoll,
 *     select, pselect, epoll_wait and epoll_pwait, which shared objects then
 *     call (and sim/timerfd-interpose.o timerfd_create, timerfd_settime,
 *     timerfd_gettime and close: a timerfd made during a simulation is
 *     sim's and expires on the simulation's clock, sim/timerfd.h).  During a simulation the clocks are virtual on every thread (a
 *     change made from another thread computes its deadline from the same
 *     clock) and the waits only on the loop thread; outside a simulation
 *     every one of them passes straight through to libc.
 */
#ifndef EVSIM_H
#define EVSIM_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIM_NS_PER_MS INT64_C(1000000)

/* ---- the simulation ---- */

/* Start a simulation on the calling thread, which becomes the loop thread:
 * both clocks at their fixed start, no events, an empty trace, the PRNG
 * seeded.  Stop it to pass everything through to libc again. */
void sim_start(uint64_t seed);
/* The same in real time, for loops that cannot be virtualised: the clocks
 * pass through (to libfaketime, when it is preloaded with a speed-up), the
 * schedule runs at real times, waits are cut short at the next scheduled
 * event, and idle and wake-up failures are still reported.  Spin detection
 * is off: real time always moves. */
void sim_start_realtime(uint64_t seed);
/* In real time, make now time 0: the scenario's clock starts when the
 * loop is registered, however long its interpreter took to start. */
void sim_restart_clock(void);
/* Until the next sim_restart_clock(), nothing scheduled runs: a set-up
 * that takes real time (a daemon's start, a connection) is not the
 * scenario's, and an event at N ms counts from the restart. */
void sim_hold_events(void);
/* Move every scheduled event (and its wake-up deadline) ns later: in
 * real time, what the machine took before the loop first runs is not the
 * scenario's, and steps at fixed times keep their place among the timers
 * the loop armed meanwhile. */
void sim_defer_events(int64_t ns);
/* In real time, fds may become ready with nothing scheduled (a real
 * process at the other end, a daemon): a wait with nothing scheduled
 * then blocks for real, up to the watchdog, and then fails with EINTR, as
 * a signal would end it (a wait never returns 0 before its timeout); it is
 * never judged idle.  So does a longer wait, after the watchdog. */
void sim_real_peers(bool on);
/* Perturb the loop thread's virtual waits as a busy process sees them:
 * one wait in four that would sleep is cut short by a signal (EINTR) at a
 * moment drawn from the seed, with nothing ready.  A correct loop serves
 * everything at its time all the same.  Reset by sim_start(). */
void sim_perturb_waits(bool on);
/* Called on the loop thread when one of its waits ends after the
 * simulation failed (sim_verdict() is no longer SIM_OK).  A loop that
 * retries an interrupted wait by itself, as CPython and libuv do, would
 * never return to the harness; the harness ends the scenario here, with
 * the failure recorded.  Reset by sim_start(). */
void sim_on_failed_wait(void (*fn)(void));
bool sim_realtime(void);
void sim_stop(void);
bool sim_active(void);
/* True on the loop thread of an active simulation: its waits go through
 * the schedule (virtual, or cut short in real-time mode). */
bool sim_is_loop_thread(void);

/* ---- clocks ---- */

/* Virtual monotonic time since the start, in ns; it starts at 0. */
int64_t sim_now_ns(void);
/* The virtual clocks as the interposed clock_gettime() reports them. */
#define SIM_MONOTONIC_START_NS (INT64_C(1000) * 1000000000)       /* 1000 s */
#define SIM_REALTIME_START_NS  (INT64_C(1767225600) * 1000000000) /* 2026-01-01 */
/* The virtual wall clock (CLOCK_REALTIME, gettimeofday, time), in ns since
 * the epoch: SIM_REALTIME_START_NS + sim_now_ns(), plus every step. */
int64_t sim_wall_ns(void);
/* Step the wall clock by ms, forward or back, and leave the monotonic
 * clocks alone, as an NTP step or an administrator's `date -s` does: a
 * loop that times its timers by the wall clock (R20) fires them early,
 * late or never.  Virtual time only. */
void sim_step_wall_clock(int64_t ms);
/* Move time forward, running what is scheduled on the way (a callback that
 * "takes" 300 ms calls sim_sleep_ms(300)). */
void sim_sleep_ms(int64_t ms);

/* ---- scheduled events ---- */

typedef void (*sim_action_fn)(void *arg);

/* Run fn(arg) on the loop thread when virtual time reaches at_ms (from
 * inside the loop's wait, or from sim_sleep_ms). */
void sim_at(int64_t at_ms, sim_action_fn fn, void *arg, const char *what);
/* Run fn(arg) on a second thread at at_ms.  While it runs virtual time
 * stands still.  wake_by_ms says when the change needs the loop's attention
 * (at_ms for an add, an enabling or a remove; at_ms + N for a timeout of N:
 * R43), or SIM_NO_WAKE.  If the loop is waiting at that moment and its wait
 * would end later than wake_by_ms, it must be woken by its own mechanism
 * within the real-time watchdog, or the simulation fails with
 * SIM_NO_WAKEUP.  Otherwise the wait simply goes on.  No event runs in a
 * zero-timeout wait (the loop may hold its own lock while it looks at its
 * fds): in real time, what falls due meanwhile runs at the next wait that
 * may block, or when sim_iteration_done() ends the iteration. */
#define SIM_NO_WAKE (-1)
void sim_at_thread(int64_t at_ms, sim_action_fn fn, void *arg, const char *what,
                   int64_t wake_by_ms);
/* The same, with the wake-up deadline worked out at at_ms, on the loop
 * thread, just before the action runs: whether a change needs the loop's
 * attention depends on the state then (is the id live, is the fd ready). */
void sim_at_thread_judged(int64_t at_ms, sim_action_fn fn, void *arg, const char *what,
                          int64_t (*wake_by_ms)(void *arg));
/* How many second threads were left behind because their action never
 * returned (a deadlock in the loop under test): while one is, the state
 * it may still touch must outlive the scenario. */
int sim_abandoned_threads(void);
/* Real-time bound on a cross-thread action and the wake-up it causes. */
void sim_set_watchdog_ms(int ms);               /* default 2000 */

/* ---- the wait, for loops that take a seam ---- */

/* poll(2) in virtual time, on the loop thread during a simulation; plain
 * poll(2) otherwise.  The interposed wait functions are built on it. */
int sim_poll(struct pollfd *fds, nfds_t nfds, int timeout_ms);
/* What the fds are ready for right now, for the harness's own checks:
 * libc's poll(2) with timeout 0, which is never virtual, never jittered
 * and never takes a failure meant for the loop's wait (sim_fail_wait). */
int sim_peek(struct pollfd *fds, nfds_t nfds);
/* Make the loop thread's wait in progress (when called from an event it
 * runs) or its next one return -1 with errno err, once: EINTR for a signal,
 * ENOMEM or EAGAIN for the kernel's transient shortages.  The wait fails
 * only as its call can: a shortage comes as ENOMEM from poll(2), ppoll(2),
 * select(2) and pselect(2), and as EINTR from epoll_wait(2), which never
 * reports one; no Linux wait reports EAGAIN, which comes as EINTR. */
void sim_fail_wait(int err);
/* Make the nth allocation (malloc, calloc, realloc) made from now on by
 * the calling thread fail with ENOMEM, once; 0 cancels.  Works where the
 * executable links sim/alloc.c and is not itself built with a sanitizer. */
void sim_fail_alloc(int nth);
/* Whether sim_fail_alloc() can fail anything: not in a build of the
 * executable compiled with a sanitizer, whose runtime owns malloc. */
bool sim_alloc_failures_available(void);
/* Which object's allocations count: the one holding addr (NULL: none). */
void sim_alloc_scope(const void *addr);
/* When the loop thread's latest wait returned, in virtual ns: the earliest
 * moment a loop can have read the clock it dispatches by. */
int64_t sim_last_wait_end_ns(void);
/* How much virtual time the loop thread has spent inside its waits, in
 * all: an iteration that adds to it went to sleep. */
int64_t sim_waited_ns(void);
/* How many of the loop thread's waits, in virtual time, ran to their own
 * timeout undisturbed: no fd of theirs became ready and no scheduled event
 * ran while they lasted (a wait cut short, failed or woken is not
 * counted, nor one in which a step changed what the loop waits for, nor
 * any wait in real time).  An iteration that adds to it woke up by its
 * clock alone, on a plan it made before the wait. */
int sim_timed_out_waits(void);
/* In real-time mode, the machine's part of the time since the clock
 * started: all of it but what the loop thread's waits (each up to its
 * timeout) and the script's sleeps took, the only places virtual time
 * moves.  A loaded CPU, timer slack, a wait that overran, the script's
 * own steps: each pushes every later timer back, and the script gives
 * the time back (longer run-until phases, later upper time bounds).  0
 * in virtual time. */
int64_t sim_late_ns(void);
/* The machine's part (as sim_late_ns()) of the time since the loop
 * thread's last wait ended: how late the machine made what the loop does
 * after waking up.  0 in virtual time. */
int64_t sim_late_since_wait_ns(void);
/* Outside a simulation: hold the calling thread up for a random 0-100 us
 * at some of its clock readings and zero-timeout polls, to widen race
 * windows in real-thread stress runs.  Once enabled, for good. */
void sim_jitter_enable(uint64_t seed);
void sim_jitter(void);
/* Once, at a jitter point (a clock reading or a zero-timeout poll) of a
 * thread that enabled jitter, after skip more of them: run fn(arg) there.
 * A stress probe holds the loop thread at a chosen point of the way from
 * its last callback to its wait, and makes its change from another thread
 * then: each point in turn, so that a wake-up lost at any one of them is
 * lost on every run, not on a lucky one.  Replaces a hold not yet taken;
 * fn NULL cancels.  Returns whether a hold was pending. */
bool sim_jitter_hold(void (*fn)(void *), void *arg, int skip);
/* Run the reference loop (reference/evref.h) on sim's clock and wait. */
void sim_attach_reference(void);

/* ---- what went wrong ---- */

enum sim_verdict {
    SIM_OK,
    SIM_IDLE,        /* the loop waits forever and nothing is scheduled */
    SIM_SPIN,        /* iterations with nothing due and nothing done */
    SIM_NO_WAKEUP,   /* a cross-thread change did not wake the loop */
    SIM_STUCK,       /* a cross-thread action did not return (deadlock) */
};
enum sim_verdict sim_verdict(void);
const char *sim_verdict_name(enum sim_verdict v);
const char *sim_verdict_detail(void);   /* one line; "" when SIM_OK */

/* The runner reports each iteration's end, so that sim can tell a busy
 * spin from work: an iteration counts as idle when virtual time did not
 * move and no callback was traced.  spin_limit idle iterations in a row
 * give SIM_SPIN.  Returns false once the verdict is no longer SIM_OK. */
bool sim_iteration_done(void);
int sim_iteration(void);
void sim_set_spin_limit(int iterations);        /* default 1000 */

/* ---- scripted fds ---- */

/* The loop watches 'fd'; the script acts on it through 'peer'.  Both are
 * real descriptors, so a third-party loop may fstat or fcntl them. */
enum sim_fd_kind { SIM_PIPE_READ, SIM_PIPE_WRITE, SIM_SOCKET };
struct sim_fd {
    enum sim_fd_kind kind;
    int fd;          /* what the loop watches */
    int peer;        /* the script's end; -1 once closed */
    bool behind;     /* fd was closed behind the loop's back: the number is
                        no longer ours to close */
};
/* Pipe whose read end the loop watches (readable when data is written). */
int sim_fd_pipe(struct sim_fd *f);
/* Pipe whose write end the loop watches (writable; error once the reader
 * closes). */
int sim_fd_pipe_writer(struct sim_fd *f);
/* AF_UNIX stream socket pair. */
int sim_fd_socket(struct sim_fd *f);
/* Write nbytes into the script's end, never blocking: SIM_FD_FULL if they
 * do not fit (the part that did stays), -1 on another error. */
#define SIM_FD_FULL (-2)
int sim_fd_make_readable(struct sim_fd *f, size_t nbytes);
int sim_fd_drain(struct sim_fd *f);             /* read what is pending */
int sim_fd_fill(struct sim_fd *f);              /* until not writable */
int sim_fd_drain_writable(struct sim_fd *f);    /* peer reads it all */
int sim_fd_close_peer(struct sim_fd *f);        /* hangup (or error) */
int sim_fd_close_behind(struct sim_fd *f);      /* fd number left invalid */
int sim_fd_reuse(struct sim_fd *f);             /* a fresh file, same number */
int sim_fd_move(struct sim_fd *f, int target);  /* the loop's end at target */
void sim_fd_close(struct sim_fd *f);

/* ---- determinism ---- */

uint64_t sim_seed(void);
uint64_t sim_rand(void);                        /* splitmix64 */
uint32_t sim_rand_below(uint32_t n);

/* ---- trace ---- */

/* The contract operation on this thread's stack, if any: set by the code
 * that calls into the loop under test, so trace lines can say that a
 * callback ran inside remove, say. */
void sim_op_enter(const char *op);
void sim_op_leave(void);
const char *sim_op_current(void);               /* "-" when none */

/* Append one line: "<ms>.<us> it=<n> in=<op> <text>".  Tracing a callback
 * or free callback (kind "cb" or "ff") also tells the spin detector that
 * the iteration did work. */
void sim_trace(const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *sim_trace_text(void);
size_t sim_trace_lines(void);
/* Also write each line, as it is made, to fd (behind prefix); -1 stops.
 * A runner keeps a crashed child's trace up to the crash this way. */
void sim_trace_mirror(int fd, const char *prefix);

#ifdef __cplusplus
}
#endif

#endif /* EVSIM_H */
