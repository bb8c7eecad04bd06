/*
 * stress.h - real threads against the loop under test (evconf-run --stress).
 * Prefix stress_: stress.c is the child's side (the threads and their
 * checks), stress-run.c the parent's (what is printed and reported).  The
 * scenarios are run.c's; this is the only part of the parent's side that
 * is not a scenario run.
 */
#ifndef EVCONF_STRESS_H
#define EVCONF_STRESS_H

struct stress_opts {
    int threads;        /* worker threads issuing operations */
    int ms;             /* how long they do, in real time */
    int bound_ms;       /* a change from another thread is served by then */
};

struct options;

/* The run (stress-run.c): prints each finding as "FAIL [RULE] message"
 * with the threads' ids and the trace of the run's last events, writes the
 * reports a scenario run writes when given a --report-dir (TAP, JUnit,
 * JSON, HTML, one test "stress": never over a scenario run's by default) and a closing "N passed, N failed"; returns 0 if nothing
 * was found, 1 otherwise (128 + signal when the runner was stopped). */
int stress_run(const struct options *o, const char *impl_path, const char *impl_name);

/* The child's side (stress.c), run by supervise.c: the threads, and the
 * lines sent to the parent on fd: "RULE message (seen on THREAD)",
 * "threads registering=T loop=T workers=T,...", "trace LINE" after the
 * first failure, "crash on THREAD" and the trace when it crashes, "late"
 * and the trace when it is about to be killed as hung, and
 * "stall MS" (stall.h) and "stats OPS CALLS FREES" at the end. */
struct stress_child {
    const char *impl_path;
    const struct stress_opts *o;
};
void stress_child(int fd, void *arg);

#endif
