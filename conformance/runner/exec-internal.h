/* exec-internal.h - the state of one scenario run, shared by exec.c and
 * checks.c. */
#ifndef EVCONF_EXEC_INTERNAL_H
#define EVCONF_EXEC_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <libvirt/libvirt.h>

#include "exec.h"
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

/* Everything a name stands for: an fd, a registration or a mark. */
struct reg {
    bool added, add_failed, removing, removed, has_ff, null_opaque;
    bool add_tried;             /* its add step has run (it runs once) */
    int id, fd_num;
    int fd_name;                /* handle: the fd it was added on, or -1 */
    int events, timeout;        /* as last requested by the script */
    int changed_iter;           /* iteration a callback changed it in, or -1 */
    int enabled_iter;           /* iteration a callback added or enabled it in, or -1 */
    bool enabled_by_add;        /* ... and it was the add */
    int64_t restart_ns;         /* timer: latest start of its period (progress.c) */
    bool owed;                  /* due when the iteration began (progress.c) */
    int owed_streak;            /* iterations in a row it was owed and not served */
    bool owed_others_ran;       /* ... in which something else did run */
    int fd_touched_iter;        /* fd: iteration a step acted on it in, or -1 */
    int64_t armed_ns;           /* timer: earliest start of its period */
    int64_t fired_ns;           /* timer: its last call, if armed_by_fire */
    bool armed_by_fire;         /* the period runs from a call, not an op */
    int ncalls, calls_cap, calls_this_iter, max_per_iter;
    struct call *calls;
    bool in_cb;
    int nfrees;
    struct anchor_point add_at, update_at, remove_at, free_at, mark_at;
    struct sim_fd fd;
    int fd_flags, fd_fdflags;
    int close_reason;           /* connection: its close callback's reason, or -1 */
    int64_t close_ns;           /* ... and when it came */
};

/* What a registration's opaque points to. */
struct cookie {
    int name;
};

struct run {
    pthread_mutex_t lock;
    const struct scenario *sc;
    const struct impl *impl;
    int out_fd;
    struct reg *regs;
    struct cookie *cookies;
    int iter;                   /* iterations completed */
    atomic_long seq;            /* the last anchor's or call's seq */
    int loop_fds_base;          /* fds the loop held after iteration 1, or -1 */
    int64_t iter_start_ns;      /* when the iteration in progress began */
    int64_t iter_waited_ns;     /* sim_waited_ns() then */
    atomic_long served;         /* callbacks and free callbacks run, in all */
    long iter_served;           /* served when the iteration began */
    int wait_failed_iter;       /* iteration sim fails a wait in, or -1 */
    bool in_iteration;
    bool stopped;               /* the loop failed beyond continuing */
    bool verdict_reported;
    int64_t tolerance_ns;       /* slack on times (real-time mode) */
    char reported[64][40];      /* "rule/name" already reported */
    int nreported;
};

/* The scenario this process runs: one per process (the runner forks a
 * child for each). */
extern struct run scn;
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

const char *exec_reg_name(int name);
void exec_run_step(const struct step *st);
void exec_run_reactions(enum when when, int name, int nth);

/* checks.c */
void check_handle_cb(int watch, int fd, int events, void *opaque);
void check_timer_cb(int timer, void *opaque);
void check_guard_cb(int timer, void *opaque);
extern char check_guard_opaque[];
void check_ff(void *opaque);
/* A domain event of type on connection name: recorded as its call. */
void check_record_event(int name, int type);
/* Connection name's close callback ran, for reason. */
void check_record_close(int name, int reason);
void check_fail(enum level level, const char *rules, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool check_first_time(const char *rule, int name);
/* The scenario asked for something the harness cannot do: reported as the
 * scenario's error (protocol.h, exit status 2), and the script stops.
 * Only for what does not depend on what the loop did: whatever does is
 * the loop's failure, under the rule it broke (check_fail). */
void check_scenario_error(const struct step *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The scenario cannot run here (a program it needs is missing): skipped,
 * with the reason, and the script stops. */
void check_scenario_skip(const struct step *st, const char *why);
/* A rule broken by one registration is reported once, not on every call. */
#define VIOLATION(level, rule, name, ...) do {                         \
        if (check_first_time(rule, name))                              \
            check_fail(level, rule, __VA_ARGS__);                      \
    } while (0)
/* A step that adds ran again: only the loop can make a reaction run more
 * often than its trigger may come (the parser lets a name be added once).
 * Reported as the loop's failure, under the rule the trigger broke. */
void check_step_again(const struct step *st);
void check_new_id(const struct step *st, int id);
void check_remove_rc(const struct step *st, int target, int rc);
void check_expect(const struct step *st);
int check_pending_frees(void);
void check_leaks(void);
/* R17: name's fd (a handle's, or an fd's own) is open with the flags it
 * was created with; when says where the run is, for the message.  With
 * scn.lock held. */
void check_fd_kept(int name, const char *when);
void check_fds_kept(void);

#endif
