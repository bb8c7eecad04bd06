/*
 * shrink.h - the parent's side of generated programs (--generate): made
 * in their turn, kept when they fail, shrunk.  Prefix shrink_.
 */
#ifndef EVCONF_SHRINK_H
#define EVCONF_SHRINK_H

#include "options.h"
#include "results.h"

/* Program r->gen_k, parsed into r; returns its text (the caller frees
 * it), or NULL with r an error. */
char *shrink_make_generated(const struct options *o, struct result *r);

/* A failing program, kept at path for its rerun line and its shrinking. */
void shrink_write_generated(const char *path, const char *text);

/* Shrink r's failing program to a minimal one, written beside it as
 * .min.scn, and say where it is in r (an INFO failure). */
void shrink_result(const struct options *o, const char *impl_path,
                   struct result *r);

#endif
