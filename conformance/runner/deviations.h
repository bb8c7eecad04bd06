/*
 * deviations.h - the known-deviation files of --expect: what an
 * implementation is known to do, failure by failure.  Prefix dev_.
 *
 * ("expect" lines inside a scenario are another thing: parse.c reads
 * them.  Judging a run against these files is verdict.c's.)
 *
 * Each line lists one failure a scenario is known to get, with the
 * outcome the scenario gets, the rule the failure is filed under, an
 * optional pattern of its message, and why:
 *
 *     # comment
 *     ids-remove-bad-ids  fail  R7 /remove-handle 99 returned*; but it was 0/: why
 *     ids-remove-bad-ids  fail  R7: any failure of R7 in that scenario
 *     some-scenario       error - /hang: no result/: a hang (no rule)
 *
 * The outcome is fail, warn or error, the same on every line of one
 * scenario; the rule is R<n>, or "-" for a failure filed under no rule
 * and for the error of a crash or a hang, and "R20?" marks a failure
 * that may not show in every run (where real time decides): such a line
 * is never stale.  The pattern, between slashes,
 * is found anywhere in the failure's message (what follows its level and
 * rules, or the error's text); "*" in it matches any run of characters,
 * and a backslash makes the next character ("/", "*", "\") literal.
 *
 * A scenario gets what the file says when its outcome is the one listed
 * and each of its failures (and its error) is matched by a line of it
 * (same rule, pattern found); a scenario not listed is expected to pass.
 * With --expect FILE the run fails on a failure no line matches (a
 * regression, even in a scenario that is listed), a different outcome,
 * an unexpected pass, and a line that matched nothing (stale).
 */
#ifndef EVCONF_DEVIATIONS_H
#define EVCONF_DEVIATIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "idset.h"
#include "results.h"

struct deviation {
    char *id;
    enum outcome outcome;
    char *rule;                 /* "R7", or "-" */
    char *pattern;              /* as written, escapes kept; NULL: any */
    char *reason;               /* "R7: why", as the reports show it */
    char *reasons;              /* the first line of an id: every distinct
                                   reason of the id, "; " between (lazily) */
    int line;
    int next;                   /* the id's next line in v, or -1 */
    bool optional;              /* "R20?": a failure that may not show
                                   (real time decides): never stale */
    bool seen;                  /* a scenario with this id ran */
    bool matched;               /* it matched a failure of that scenario */
};

struct deviations {
    char *path;
    struct deviation *v;
    int n, cap;
    struct idset ids;           /* id -> index in v of its first line */
};

/* Read path; 0, or -1 with "path:line: what" in err. */
int dev_load(const char *path, struct deviations *e, char *err, size_t errlen);
/* The first line listed for id, or NULL (expected to pass); the next
 * ones of the same id by dev_next. */
struct deviation *dev_find(struct deviations *e, const char *id);
struct deviation *dev_next(struct deviations *e, const struct deviation *x);
/* Whether line x is for a failure filed under rules ("R7,R8", or "-")
 * with message msg. */
bool dev_matches(const struct deviation *x, const char *rules, const char *msg);
/* Whether pattern (escapes as in a file) is found in text. */
bool dev_pattern_found(const char *pattern, const char *text);
/* Every distinct reason listed for id x's scenario, "; " between. */
const char *dev_reasons(struct deviations *e, struct deviation *x);
void dev_free(struct deviations *e);

#endif
