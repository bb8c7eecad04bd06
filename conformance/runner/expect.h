/*
 * expect.h - expectation files: what an implementation is known to do.
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
#ifndef EVCONF_EXPECT_H
#define EVCONF_EXPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "idset.h"
#include "results.h"

struct expectation {
    char *id;
    enum outcome outcome;
    char *reason;
    int line;
    bool seen;                  /* a scenario with this id ran */
};

struct expectations {
    char *path;
    struct expectation *v;
    int n, cap;
    struct idset ids;           /* id -> index in v */
};

/* Read path; 0, or -1 with "path:line: what" in err. */
int expect_load(const char *path, struct expectations *e, char *err, size_t errlen);
/* The expectation for id, or NULL (expected to pass). */
struct expectation *expect_find(struct expectations *e, const char *id);
void expect_free(struct expectations *e);

#endif
