/*
 * stress.h - real threads against the loop under test (evconf-run --stress).
 * Prefix stress_.  The scenarios are run.c's; this is the only part of the
 * parent's side that is not a scenario run.
 */
#ifndef EVCONF_STRESS_H
#define EVCONF_STRESS_H

struct stress_opts {
    int threads;        /* worker threads issuing operations */
    int ms;             /* how long they do, in real time */
    int bound_ms;       /* a change from another thread is served by then */
};

/* Prints each finding as "FAIL [RULE] message" and a closing
 * "N passed, N failed"; returns 0 if nothing was found, 1 otherwise. */
int stress_run(const char *impl_path, const char *impl_name,
               const struct stress_opts *o);

#endif
