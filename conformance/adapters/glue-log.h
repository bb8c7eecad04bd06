/*
 * glue-log.h - the interpreters' adapters' record of the calls that cross
 * a binding's C glue (evconf.h, evconf_glue; docs/bindings-glue.md).
 * Prefix glue_log_.  Each adapter's boot code wraps, in its interpreter,
 * the six methods the glue calls and the callback helpers the user's loop
 * calls back, and reports each call here: when it begins (enter) and what
 * it answered (leave).  The runner reads the record through evconf_glue().
 */
#ifndef EVCONF_GLUE_LOG_H
#define EVCONF_GLUE_LOG_H

#include <stdbool.h>

#include "evconf.h"

/* Names for the blame clause: the language ("Perl") and the binding's
 * glue ("Sys::Virt's glue"); frees_itself when the glue runs the free
 * callbacks itself, with no helper for a loop to call. */
void glue_log_init(const char *language, const char *glue, bool frees_itself);

/* A call of op begins on this thread: its number. */
unsigned long glue_log_enter(const char *op, int id, bool null_opaque);

/* Call number seq answered said (the interpreter's words); has_value when
 * the answer means value as the glue should read it (an add's id, which
 * then becomes the call's id; 0 or -1 for a remove). */
void glue_log_leave(unsigned long seq, bool has_value, long value, const char *said);

#endif
