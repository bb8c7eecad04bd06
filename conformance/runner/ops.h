/*
 * ops.h - the six operations on the loop under test, as the script's
 * steps make them (ops.c, prefix ops_).
 */
#ifndef EVCONF_OPS_H
#define EVCONF_OPS_H

#include "state.h"

/* This thread is inside operation op (its trace name, words.h), for R27
 * and R35: the loop must not call back from inside one. */
void ops_enter(const char *op);
void ops_leave(void);
/* Mark a as now: this iteration, this virtual time, the next seq. */
void ops_anchor(struct anchor_point *a);
/* The id a step names: its registration's (-1000000 if never added), or
 * its literal #N. */
int ops_target_id(const struct step *st);
/* The registration of this kind that is live with this id, or -1. */
int ops_live_by_id(enum name_kind kind, int id);
/* add-handle, add-timeout; update-*; remove-*. */
void ops_add(const struct step *st);
void ops_update(const struct step *st);
void ops_remove(const struct step *st);

#endif
