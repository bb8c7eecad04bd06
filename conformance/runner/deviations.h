/*
 * deviations.h - the known-deviation files of --expect: what an
 * implementation is known to do.  Prefix dev_.
 *
 * ("expect" lines inside a scenario are another thing: parse.c reads
 * them.  Judging a run against these files is verdict.c's.)
 *
 * A file lists the scenarios an implementation is known not to pass, one
 * per line, with the outcome it gets and why:
 *
 *     # comment
 *     ids-remove-bad-ids  fail  R7: remove of an unknown id returns 0
 *
 * The outcome is fail, warn or error; every scenario not listed is
 * expected to pass.  With --expect FILE the run succeeds when every
 * scenario gets what the file says, and fails on a regression (worse than
 * listed) and on an unexpected pass or change (the file is stale).
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
    char *reason;
    int line;
    bool seen;                  /* a scenario with this id ran */
};

struct deviations {
    char *path;
    struct deviation *v;
    int n, cap;
    struct idset ids;           /* id -> index in v */
};

/* Read path; 0, or -1 with "path:line: what" in err. */
int dev_load(const char *path, struct deviations *e, char *err, size_t errlen);
/* The deviation listed for id, or NULL (expected to pass). */
struct deviation *dev_find(struct deviations *e, const char *id);
void dev_free(struct deviations *e);

#endif
