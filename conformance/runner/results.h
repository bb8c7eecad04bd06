/*
 * results.h - what the runner keeps of each scenario (struct result,
 * filled by run.c and verdict.c), and the report files written from it
 * (report.c, prefix report_).  What the terminal shows is show.c's.
 */
#ifndef EVCONF_RESULTS_H
#define EVCONF_RESULTS_H

#include <stdint.h>

#include "scenario.h"

enum outcome { OUT_PASS, OUT_WARN, OUT_FAIL, OUT_ERROR, OUT_SKIP };

struct failure {
    enum level level;
    char *rules;
    char *message;
};

struct result {
    const struct scenario *sc;      /* NULL for a file that did not parse */
    char *path, *id;
    enum outcome outcome;
    char *error;                    /* crash, hang, parse error */
    bool bad_scenario;              /* the scenario is at fault, not the loop */
    const char *known;              /* --expect: the reason it is known to
                                       get this outcome, if it is */
    char *rerun;                    /* the command that reruns just this */
    struct failure *failures;
    int nfailures;
    char *trace;
    double ms;                      /* wall time, for reports only */
    int gen_k;                      /* --generate: program k, made in its
                                       turn (0: a file) */
    bool counted;                   /* the two below were counted (virtual
                                       time, and the scenario ran to its end) */
    int idle_wakeups, iterations;   /* the loop's (wakeups.h) */
};

struct run_info {
    const char *impl, *impl_name, *report_dir;
    uint64_t seed;
    bool strict;
    bool done;                      /* every scenario has run */
    bool traces;                    /* --traces: passing scenarios' too */
};

/* results.json's version: 2 added rules as arrays, failures' line,
 * expected and got, rerun, known, complete; 3 the idle wake-ups and
 * the counts by rule, by_rule (docs/results.schema.json). */
#define REPORT_SCHEMA_VERSION 3

const char *report_outcome_name(enum outcome o);
int report_write(const struct run_info *ri, const struct result *res, int n);
/* mkdir -p; 0 or -1 */
int report_mkdirs(const char *dir);
/* mkdir -p, and refuse a directory every user may write in that is not
 * sticky; 0, or -1 after saying why. */
int report_dir_ready(const char *dir);

#endif
