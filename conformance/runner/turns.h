/*
 * turns.h - the scenarios of a run, each in its turn.  Prefix turns_.
 */
#ifndef EVCONF_TURNS_H
#define EVCONF_TURNS_H

#include "options.h"
#include "results.h"

/* Run res[0..*nres) against impl_path (shown as impl_name), write the
 * reports, print the failures and the counts.  *nres shrinks with
 * --fail-fast.  Returns the exit status. */
int turns_run(struct options *o, const char *impl_path, const char *impl_name,
              struct result *res, int *nres);

#endif
