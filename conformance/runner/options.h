/*
 * options.h - evconf-run's command line as one table: each option's name,
 * short letter, type and range, and its --help text.  The same table
 * drives getopt_long, the range check and --help, so that no option can
 * take a number the runner does not check: each is read whole, in its
 * range, or refused in one line naming the option and its range (exit
 * status 2), as the scenario parser reads a scenario's numbers.
 *
 * Prefix opt_.  The table is read into struct options, which every part
 * of the run on the parent's side takes as an argument: there is no
 * global for it.  What an option does is not here (--filter: suite.c,
 * --expect: deviations.c and verdict.c, --generate: shrink.c...).
 */
#ifndef EVCONF_OPTIONS_H
#define EVCONF_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "deviations.h"
#include "stress.h"

enum opt_type {
    OPT_FLAG,                   /* no argument */
    OPT_TEXT,                   /* a word: a path, a glob, a name */
    OPT_INT,                    /* a decimal number from min to max */
    OPT_INT_OPTIONAL,           /* the same, given as --name=N, or no number */
    OPT_U64,                    /* a number, decimal or 0x hex, 0 to 2^64-1 */
};

struct opt_def {
    const char *name;           /* the long name, without "--" */
    int key;                    /* its short letter, or a code above 255 */
    enum opt_type type;
    int64_t min, max;           /* OPT_INT's range */
    const char *arg;            /* the argument's name in --help */
    const char *help;           /* lines, '\n'-separated */
};

/* Codes of the options that have no short letter. */
enum {
    OPT_EXCLUDE = 256, OPT_PERL_INC, OPT_STRICT, OPT_TRACES, OPT_FAIL_FAST,
    OPT_GENERATE, OPT_EXPECT, OPT_COVERAGE_DIR, OPT_BUDGET, OPT_REALTIME,
    OPT_TOLERANCE, OPT_PERTURB, OPT_STRESS, OPT_THREADS, OPT_STRESS_MS,
    OPT_CAN_FAIL_ALLOCATIONS, OPT_SANITIZER, OPT_SHARD, OPT_MERGE,
};

/* What opt_next() read. */
struct opt_value {
    const struct opt_def *def;
    const char *text;           /* the argument as given (NULL: none given to
                                   an OPT_INT_OPTIONAL) */
    int64_t num;                /* OPT_INT */
    uint64_t u64;               /* OPT_U64 */
};

/* The next option of argv.  Returns 1 with *v filled in, 0 at the end
 * (optind is then the first word that is not an option), or 2 after one
 * line on stderr for an unknown option or a bad number. */
int opt_next(int argc, char **argv, struct opt_value *v);

/* --help: the usage line, the table, and the exit statuses. */
void opt_help(FILE *f);

/* What the command line asked for: read once by opt_parse(), then passed
 * to each part of the run (const, but for --expect's deviations, which
 * the verdict marks as seen). */
struct options {
    const char *impl, *filter, *exclude, *report_dir;
    bool report_dir_given;      /* --report-dir: --stress writes reports only then */
    const char **paths;
    int npaths;
    uint64_t seed;
    bool strict, list, quiet, fail_fast;
    bool traces;                /* --traces */
    int generate;               /* --generate N: generated programs to add */
    int timeout_s;
    int budget_s;               /* --budget: real time for the whole run, 0: none */
    double budget_end;          /* when it ends (sup_now_ms), from main's start */
    const char *expect_path;    /* --expect FILE */
    char *coverage_dir;         /* --coverage-dir DIR, absolute */
    struct deviations expect;
    int wake_timeout_ms;
    bool realtime;
    int speedup;                /* --realtime=SPEEDUP: under libfaketime (modes.c) */
    int clock_scale;            /* how many times as fast the runner's own clocks
                                   and timed waits run (the speedup, or 1): its
                                   real-time bounds are scaled by it */
    const char *sanitizer;      /* --sanitizer: "address", "thread" or NULL */
    const char *argv0;          /* how the runner was started, for rerun lines */
    bool perturb;               /* --perturb */
    int tolerance_ms;
    bool stress;
    struct stress_opts st;
    int jobs;                   /* -j: lanes side by side (0: one a core) */
    int shard_i, shard_n;       /* --shard I/N (0/0: the whole suite) */
    bool merge;                 /* --merge DIR...: the shards' report dirs */
    const char **merge_dirs;
    int nmerge_dirs;
};

/* What a run does without options. */
#define OPT_DEFAULTS { .impl = "reference", .report_dir = "build/conformance-report", \
                       .seed = 1, .timeout_s = 10, .wake_timeout_ms = 2000, \
                       .tolerance_ms = -1, \
                       .st = { .threads = 4, .ms = 2000, .bound_ms = 500 } }

/* Read the command line into *o (the table: every number whole and in
 * its range).  Returns -1 to go on, or the status to exit with (after
 * --help, or a bad option). */
int opt_parse(int argc, char **argv, struct options *o);

/* Whether the --budget (o->budget_end, real time) is used up: the run
 * stops generating, loading, running and shrinking there. */
bool opt_budget_over(const struct options *o);

#endif
