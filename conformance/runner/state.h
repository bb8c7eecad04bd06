/*
 * state.h - the state of the one scenario a child process runs (the one
 * global `scn`, and where each thread is), split by the part of the run
 * that writes it.
 *
 * Each part has one owner that writes it; the others only read it:
 *   the operations    (ops.c)       struct reg_op
 *   the script        (script.c)    struct run_loop
 *   the fd steps      (fds.c)       struct reg_file
 *   the observation   (observe.c)   struct reg_seen, struct run_seen (its
 *                                   reports: records.c)
 *   the liveness check (liveness.c) struct reg_live, struct run_live
 *   the client steps  (client.c)    struct reg_conn
 *   the wake-up count (wakeups.c)   struct run_wake
 * Dependencies go one way: script -> ops -> observe -> state.
 * Everything is read and written under scn.lock, except where a comment
 * says otherwise.  state.c defines them.
 */
#ifndef EVCONF_STATE_H
#define EVCONF_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "exec.h"
#include "scenario.h"
#include "sim.h"

/* Where in the run something happened: its iteration, its virtual time,
 * and its place in the order of all anchors and calls (seq), which tells
 * apart things that happened at the same instant. */
struct anchor_point {
    bool set;
    int iter;
    int64_t ns;
    long seq;
};

struct call {
    int iter;
    int64_t ns;
    int events;
    long seq;
};

/* A registration as the script's operations made it (ops.c). */
struct reg_op {
    bool added, add_failed, removing, removed, has_ff, null_opaque;
    bool add_tried;             /* its add step has run (it runs once) */
    int id;
    int fd_name;                /* handle: the fd it was added on, or -1 */
    int events, timeout;        /* as last requested by the script */
    int changed_iter;           /* iteration a callback changed it in, or -1 */
    int enabled_iter;           /* iteration a callback added or enabled it in, or -1 */
    bool enabled_by_add;        /* ... and it was the add */
    int64_t restart_ns;         /* timer: latest start of its period (liveness.c) */
    int64_t armed_ns;           /* timer: earliest start of its period */
    bool armed_by_fire;         /* the period runs from a call, not an op */
    struct anchor_point add_at, update_at, remove_at, mark_at;
};

/* An fd name's file, as the fd steps made it (fds.c). */
struct reg_file {
    struct sim_fd fd;
    int fd_num;
    int fd_flags, fd_fdflags;   /* as created: the loop must keep them (R17) */
    int fd_touched_iter;        /* iteration a step acted on it in, or -1 */
};

/* What the loop was seen doing to a registration (observe.c). */
struct reg_seen {
    int ncalls, calls_cap, calls_this_iter, max_per_iter;
    struct call *calls;
    bool in_cb;
    int nfrees;
    struct anchor_point free_at;
    int64_t fired_ns;           /* timer: its last call, if armed_by_fire */
    int64_t fired_late_ns;      /* how late the machine made that call
                                   after the wake-up (real time) */
};

/* What the liveness check (liveness.c) holds against it. */
struct reg_live {
    bool owed;                  /* due when the iteration began */
    int owed_streak;            /* iterations in a row it was owed and not served */
    bool owed_others_ran;       /* ... in which something else did run */
};

/* A connection's close callback (client.c). */
struct reg_conn {
    int close_reason;           /* its close callback's reason, or -1 */
    int64_t close_ns;           /* ... and when it came */
};

/* Everything a name stands for: an fd, a registration, a mark or a
 * connection, by owner. */
struct reg {
    struct reg_op op;
    struct reg_file file;
    struct reg_seen seen;
    struct reg_live live;
    struct reg_conn conn;
};

/* What a registration's opaque points to. */
struct cookie {
    int name;
};

/* The loop's iterations, as the script drives them (script.c). */
struct run_loop {
    int iter;                   /* iterations completed */
    bool in_iteration;
    bool stopped;               /* the loop failed beyond continuing */
    int wait_failed_iter;       /* iteration sim fails a wait in, or -1 */
    int loop_fds_base;          /* fds the loop held after iteration 1, or -1 */
    int64_t phase_end_ns;       /* real time: when the last run-until's end
                                   came, before the machine's delay was
                                   given back (0: not yet) */
    bool opening_added;         /* the script's first add has been made */
    int64_t opening_late_ns;    /* real time: sim_late_ns() at that add */
};

/* The observation's counts (observe.c) and reports (records.c). */
struct run_seen {
    atomic_long seq;            /* the last anchor's or call's seq */
    atomic_long served;         /* callbacks and free callbacks run, in all */
    char reported[64][40];      /* "rule/name" already reported */
    int nreported;
};

/* The iteration in progress, as the liveness check saw it begin
 * (liveness.c). */
struct run_live {
    int64_t iter_start_ns;      /* when it began */
    int64_t iter_waited_ns;     /* sim_waited_ns() then */
    long iter_served;           /* served then */
};

/* The idle wake-ups counted so far, and the iteration in progress as it
 * began (wakeups.c). */
struct run_wake {
    int idle;                   /* idle wake-ups in all */
    int iter_timed_out;         /* sim_timed_out_waits() when it began */
    long iter_served;           /* served then */
    struct {                    /* the runner's guard timers (script.c);
                                   their callback writes armed_ns on the
                                   loop thread, without the lock */
        int id, ms;             /* ms < 0: removed */
        int64_t armed_ns;       /* their period's start */
    } guards[2];
    int nguards;
};

struct run {
    pthread_mutex_t lock;
    /* set up once by exec_scenario(), then only read */
    const struct scenario *sc;
    const struct impl *impl;
    int out_fd;
    int64_t tolerance_ns;       /* slack on times (real-time mode) */
    struct reg *regs;           /* by name */
    struct cookie *cookies;     /* by name */
    bool verdict_reported;
    /* the script's reactions to a callback, for observe.c's trampolines,
     * which sit below the script (exec_run_reactions) */
    void (*react)(enum when when, int name, int nth);
    struct run_loop loop;
    struct run_seen seen;
    struct run_live live;
    struct run_wake wake;
};

/* The scenario this process runs: one per process (the runner forks a
 * child for each). */
extern struct run scn;

/* Where each thread is. */
extern _Thread_local const char *op_on_stack;
/* Callbacks (not free callbacks) running on this thread, nested. */
extern _Thread_local int callback_depth;
/* For a crash report (crash.c): the step this thread runs, and the
 * callback ("callback", "free callback") the runner's trampoline entered
 * on it last, and whose (NULL, -1: none). */
extern _Thread_local const struct step *step_on_stack;
extern _Thread_local const char *cb_kind_on_stack;
extern _Thread_local int cb_name_on_stack;
/* ... and the operation it was called from, if the loop called it inside
 * one (R27), or NULL. */
extern _Thread_local const char *cb_inside_op;

/* A name's text, for messages ("?" for -1). */
const char *state_name(int name);
/* Whether a wait-fails step failed the wait of the iteration under way. */
bool state_wait_failed_now(void);

#endif
