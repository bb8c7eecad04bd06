/*
 * observe.h - the loop's callbacks, observed and checked as they come
 * (observe.c, prefix check_), and the checks on what each operation
 * returned and on what is left at the end.
 */
#ifndef EVCONF_OBSERVE_H
#define EVCONF_OBSERVE_H

#include <stdbool.h>
#include <stddef.h>

#include "state.h"

/* The trampolines every registration is made with. */
void check_handle_cb(int watch, int fd, int events, void *opaque);
void check_timer_cb(int timer, void *opaque);
void check_guard_cb(int timer, void *opaque);
extern char check_guard_opaque[];
void check_ff(void *opaque);
/* A domain event of type on connection name: recorded as its call. */
void check_record_event(int name, int type);
/* Connection name's close callback ran, for reason. */
void check_record_close(int name, int reason);
/* A step that adds ran again: only the loop can make a reaction run more
 * often than its trigger may come (the parser lets a name be added once).
 * Reported as the loop's failure, under the rule the trigger broke. */
void check_step_again(const struct step *st);
void check_new_id(const struct step *st, int id);
void check_remove_rc(const struct step *st, int target, int rc);
int check_pending_frees(void);
void check_leaks(void);
/* R17: name's fd (a handle's, or an fd's own) is open with the flags it
 * was created with; when says where the run is, for the message.  With
 * scn.lock held. */
void check_fd_kept(int name, const char *when);
void check_fds_kept(void);
/* fd name f has the flags it was created with; if not, what they are, in
 * got. */
bool check_fd_flags_as_created(const struct reg *f, char *got, size_t len);

#endif
