/*
 * script.h - what script.c gives the rest of the scenario child (its
 * prefix is exec_, after exec.h, its entry point for the runner): running
 * a step or the reactions attached to a callback.
 */
#ifndef EVCONF_SCRIPT_H
#define EVCONF_SCRIPT_H

#include <libvirt/libvirt.h>

#include "exec.h"
#include "sim.h"
#include "state.h"

/* One step, marked on this thread's stack for a crash report. */
void exec_run_step(const struct step *st);
/* The reactions attached to name's nth callback (WHEN_ON_CB) or to its
 * free callback (WHEN_ON_FF). */
void exec_run_reactions(enum when when, int name, int nth);

#endif
