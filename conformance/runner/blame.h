/*
 * blame.h - which side of a binding's C glue deviated (prefix blame_).
 *
 * An interpreter's adapter records what crossed the binding's glue on
 * the interpreter's side (evconf.h, evconf_glue): what the user's module
 * answered each of the six operations, and which callbacks it handed
 * back to the glue.  The runner sees the other side: what libvirt
 * received, and what reached its own callbacks.  A failure of an
 * interpreter's loop then ends with a clause that names the side that
 * deviated, "...: the module" or "...: Sys::Virt's glue"
 * (docs/bindings-glue.md).  Without a record (a C loop) the clause is
 * empty and the failures read as before.
 *
 * The functions build text without stdio or locks: crash.c calls them
 * from the handler of a fatal signal.
 */
#ifndef EVCONF_BLAME_H
#define EVCONF_BLAME_H

#include <stdbool.h>
#include <stddef.h>

struct blame_text {
    char s[400];
    size_t n;
};

/* The scenario starts on the loop's thread (the one calling this). */
void blame_start(void);

/* An operation begins on this thread: the record's position, which the
 * clause for its result reads from. */
void blame_op_begins(void);

/* The clause for operation op (words as in "remove_handle") on *id (an
 * add's, or an unknown id: NULL) that libvirt answered *rc, or, rc NULL,
 * that never returned (the process is dying in it), appended to t:
 * "; remove_handle returned -1 in Perl; libvirt received 0: Sys::Virt's
 * glue". */
void blame_op(struct blame_text *t, const char *op, const int *id, const long *rc);

/* A crash in an iteration, in no callback the runner entered, with a
 * registration made with a NULL opaque due: whether the loop handed a
 * callback with no opaque to the glue (and the glue never reached
 * libvirt's), appended to t. */
void blame_dispatch(struct blame_text *t);

/* The free callback of a registration made with a NULL opaque never ran:
 * whether the loop handed it to the glue, appended to t. */
void blame_free_null_opaque(struct blame_text *t);

/* A free callback ran inside an operation on this thread (R35): whether
 * the loop handed it to the glue there, or the glue ran it on its own. */
void blame_free_inside(struct blame_text *t);

/* A crash on a thread other than the loop's, in no operation of the
 * runner's (a libvirt call of the application's): whether a call into
 * the interpreter was under way on it. */
void blame_thread(struct blame_text *t);

/* An iteration begins on the loop's thread. */
void blame_iteration_begins(void);

/* The iteration failed (evconf_run_once returned -1) and unwound no
 * operation: if no call through the glue raised in it, the loop's own
 * code failed it ("...: the module"); t's text (empty if undecided). */
const char *blame_iteration(struct blame_text *t);

/* True when this thread is not the loop's and a record exists (a crash
 * here deserves its own line: verdict.c words the R42 failure). */
bool blame_off_loop_thread(void);

#endif
