/*
 * verdict.h - judging how a scenario ended, and a run against --expect.
 * Prefix verdict_.
 */
#ifndef EVCONF_VERDICT_H
#define EVCONF_VERDICT_H

#include <stdbool.h>

#include "options.h"
#include "results.h"
#include "supervise.h"

/* What a scenario's child said on its result channel (protocol.h). */
struct child_said {
    char *scenario_error;       /* the first E record */
    char *skipped;              /* the S record */
    char *crash_at;             /* the C record: "RULES where" */
    bool done;                  /* R done */
};

/* r's outcome (and error, failures) from how its child ended: *so, what
 * it said (its strings are r's or freed), cut when the --budget, not the
 * watchdog, set the deadline. */
void verdict_settle(const struct options *o, struct result *r,
                    const struct sup_outcome *so, struct child_said *said,
                    bool cut);

/* Whether r fails the run (a warning does with --strict). */
bool verdict_failed(const struct options *o, const struct result *r);

/* Whether r got what --expect's file says: the outcome listed (pass if
 * it is not listed), and each of its failures matched by a line. */
bool verdict_as_expected(struct options *o, const struct result *r);

/* Compare each scenario run with --expect: print what differs, mark the
 * known deviations for the reports.  Returns how many differ. */
int verdict_judge_deviations(struct options *o, struct result *res, int n);

#endif
