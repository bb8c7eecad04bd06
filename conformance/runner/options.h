/*
 * options.h - evconf-run's command line as one table: each option's name,
 * short letter, type and range, and its --help text.  The same table
 * drives getopt_long, the range check and --help, so that no option can
 * take a number the runner does not check: each is read whole, in its
 * range, or refused in one line naming the option and its range (exit
 * status 2), as the scenario parser reads a scenario's numbers.
 */
#ifndef EVCONF_OPTIONS_H
#define EVCONF_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

enum opt_type {
    OPT_FLAG,                   /* no argument */
    OPT_TEXT,                   /* a word: a path, a glob, a name */
    OPT_INT,                    /* a decimal number from min to max */
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
    OPT_CAN_FAIL_ALLOCATIONS,
};

/* What opt_next() read. */
struct opt_value {
    const struct opt_def *def;
    const char *text;           /* the argument as given */
    int64_t num;                /* OPT_INT */
    uint64_t u64;               /* OPT_U64 */
};

/* The next option of argv.  Returns 1 with *v filled in, 0 at the end
 * (optind is then the first word that is not an option), or 2 after one
 * line on stderr for an unknown option or a bad number. */
int opt_next(int argc, char **argv, struct opt_value *v);

/* --help: the usage line, the table, and the exit statuses. */
void opt_help(FILE *f);

#endif
