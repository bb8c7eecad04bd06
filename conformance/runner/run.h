/*
 * run.h - one scenario, run in a child process of its own.  Prefix run_.
 */
#ifndef EVCONF_RUN_H
#define EVCONF_RUN_H

#include "options.h"
#include "results.h"

/* Run sc against the shared object impl_path in a child, within o's
 * timeout and budget_end, and fill in *r: outcome, failures, trace,
 * error, time. */
void run_one(const struct options *o, const char *impl_path,
             const struct scenario *sc, struct result *r, double budget_end);

/* A failure record's text, "LEVEL RULES message", added to r. */
void run_add_failure(struct result *r, const char *line);

#endif
