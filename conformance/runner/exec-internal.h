/* exec-internal.h - what exec.c and checks.c call of each other; the
 * run's state is state.h's. */
#ifndef EVCONF_EXEC_INTERNAL_H
#define EVCONF_EXEC_INTERNAL_H

#include <libvirt/libvirt.h>

#include "exec.h"
#include "sim.h"
#include "state.h"

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
