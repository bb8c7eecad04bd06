/*
 * options.c - the command line (options.h): its table, read into
 * struct options, and the --budget's clock.  Prefix opt_.  What each
 * option then does is the business of the file named for it.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "options.h"
#include "results.h"
#include "sim.h"
#include "supervise.h"

#define DAY_S (24 * 3600)

static const struct opt_def table[] = {
    { "impl", 'i', OPT_TEXT, 0, 0, "IMPL",
      "the implementation: a path to a shared object that\n"
      "exports evconf_register and evconf_run_once, or one\n"
      "of: reference (default), libvirt-default, libvirt-glib,\n"
      "libuv (integrations/libuv),\n"
      "or an integration in an interpreter:\n"
      "  python:FILE.py or python:module  a Python file\n"
      "    defining register() and run_once() (run in\n"
      "    Debian's CPython); python-libvirtaio is\n"
      "    python:evconf_libvirtaio, shipped with the kit\n"
      "  perl:Module::Name  any Sys::Virt::Event subclass\n"
      "    (the kit's own: perl:Sys::Virt::Event::IO::Async)\n"
      "  perl:FILE.pl  a Perl file whose last value is\n"
      "    the Sys::Virt::Event object, set up as needed\n"
      "  ruby:FILE.rb  a Ruby file defining register and\n"
      "    run_once over ruby-libvirt (docs/ruby.md)\n"
      "an object that cannot be driven stops the run\n"
      "before any scenario, with one line (exit 2)" },
    { "perl-inc", OPT_PERL_INC, OPT_TEXT, 0, 0, "DIR",
      "add DIR to perl's @INC for perl:Module (repeatable)" },
    { "scenarios", 's', OPT_TEXT, 0, 0, "PATH",
      "a scenario file, a directory of *.scn files, or a\n"
      "glob; may be repeated (default: the built-in suite)" },
    { "filter", 'f', OPT_TEXT, 0, 0, "GLOB",
      "run only scenarios whose id matches (comma-separated)" },
    { "exclude", OPT_EXCLUDE, OPT_TEXT, 0, 0, "GLOB",
      "leave out scenarios whose id matches (comma-separated)" },
    { "seed", 'S', OPT_U64, 0, 0, "N",
      "seed for everything random (default 1; 0 to 2^64-1,\n"
      "decimal or 0x hex)" },
    { "report-dir", 'r', OPT_TEXT, 0, 0, "DIR",
      "where TAP, JUnit XML and JSON go\n(default build/conformance-report)" },
    { "strict", OPT_STRICT, OPT_FLAG, 0, 0, NULL,
      "SHOULD failures fail the run (default: warnings)" },
    { "traces", OPT_TRACES, OPT_FLAG, 0, 0, NULL,
      "keep the trace of passing scenarios in results.json" },
    { "fail-fast", OPT_FAIL_FAST, OPT_FLAG, 0, 0, NULL,
      "stop at the first scenario that fails the run" },
    { "generate", OPT_GENERATE, OPT_INT, 1, 100000, "N",
      "also run N programs generated from the seed, with\n"
      "no expectation lines: judged by the checks every\n"
      "scenario gets; each is made in its turn, and only a\n"
      "failing one is written, to REPORT_DIR/generated/,\n"
      "and shrunk to a minimal .min.scn beside it" },
    { "timeout", 't', OPT_INT, 1, DAY_S, "SEC",
      "real-time watchdog per scenario (default 10)" },
    { "expect", OPT_EXPECT, OPT_TEXT, 0, 0, "FILE",
      "what IMPL is known to fail, warn or err on, with\n"
      "reasons (see conformance/expectations/): the run\n"
      "succeeds when every scenario matches it, and fails\n"
      "on a regression or an unexpected pass" },
    { "coverage-dir", OPT_COVERAGE_DIR, OPT_TEXT, 0, 0, "DIR",
      "for an IMPL built with --coverage: each scenario's\n"
      "gcov data under DIR/<scenario id>/ (GCOV_PREFIX);\n"
      "scripts/impl-coverage makes the report (make\n"
      "coverage-impl)" },
    { "budget", OPT_BUDGET, OPT_INT, 1, 7 * DAY_S, "SEC",
      "real time for the whole run, from its start to its\n"
      "last report: what generation, loading, running and\n"
      "shrinking have not done by then is reported as not\n"
      "run or not shrunk (exit status 1)" },
    { "wake-timeout", 'w', OPT_INT, 1, 600000, "MS",
      "real time a loop has to wake up after another\n"
      "thread's change (default 2000)" },
    { "realtime", OPT_REALTIME, OPT_FLAG, 0, 0, NULL,
      "run in real time instead of virtual time, for loops\n"
      "that cannot be virtualised; meant to run under\n"
      "faketime with a speed-up (make conformance-realtime)" },
    { "tolerance", OPT_TOLERANCE, OPT_INT, 0, 600000, "MS",
      "slack on expected times (default 0; 50 with --realtime)" },
    { "perturb", OPT_PERTURB, OPT_FLAG, 0, 0, NULL,
      "cut one virtual wait in four short with EINTR at a\n"
      "moment drawn from the seed, as signals to a busy\n"
      "process do: a correct loop passes all the same" },
    { "stress", OPT_STRESS, OPT_FLAG, 0, 0, NULL,
      "instead of the scenarios, run worker threads that\n"
      "add, update and remove registrations while the\n"
      "loop iterates, in real time, checking R29, R34,\n"
      "R37, R42 and R43 online" },
    { "threads", OPT_THREADS, OPT_INT, 1, 16, "N",
      "worker threads for --stress (default 4)" },
    { "stress-ms", OPT_STRESS_MS, OPT_INT, 1, 600000, "MS",
      "how long they run (default 2000)" },
    { "list", 'l', OPT_FLAG, 0, 0, NULL, "list the scenarios and exit" },
    { "can-fail-allocations", OPT_CAN_FAIL_ALLOCATIONS, OPT_FLAG, 0, 0, NULL,
      "exit 0 if this runner can make the loop's\n"
      "allocations fail (alloc-fails=K), 1 if not (a\n"
      "runner built with a sanitizer cannot)" },
    { "quiet", 'q', OPT_FLAG, 0, 0, NULL, "no progress lines" },
    { "help", 'h', OPT_FLAG, 0, 0, NULL, "this help" },
};
#define NOPTS (sizeof(table) / sizeof(table[0]))

static const struct opt_def *by_key(int key)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (table[i].key == key)
            return &table[i];
    return NULL;
}

/* getopt_long's two views of the table, made once. */
static void getopt_tables(struct option *longopts, char *shortopts)
{
    size_t n = 0;

    for (size_t i = 0; i < NOPTS; i++) {
        longopts[i] = (struct option){ table[i].name, table[i].type == OPT_FLAG ?
                                       no_argument : required_argument, NULL, table[i].key };
        if (table[i].key < 256) {
            shortopts[n++] = (char)table[i].key;
            if (table[i].type != OPT_FLAG)
                shortopts[n++] = ':';
        }
    }
    longopts[NOPTS] = (struct option){ NULL, 0, NULL, 0 };
    shortopts[n] = '\0';
}

/* The argument of an OPT_INT or OPT_U64 option, whole and in range, or
 * one line saying what was wanted: like parse.c's parse_num, a number
 * is never cut to fit (atoi made 4294967297 a 1). */
static int read_number(const struct opt_def *d, const char *s, struct opt_value *v)
{
    char *end;

    errno = 0;
    if (d->type == OPT_U64) {
        v->u64 = strtoull(s, &end, 0);
        if (*s && *s != '-' && *s != '+' && !isspace((unsigned char)*s) && !*end &&
            errno != ERANGE)
            return 0;
        fprintf(stderr, "evconf-run: --%s takes a number from 0 to 18446744073709551615 "
                "(decimal, or hex after 0x), not '%s'\n", d->name, con_esc(s));
        return 2;
    }
    long long n = strtoll(s, &end, 10);
    if (*s && !isspace((unsigned char)*s) && *s != '+' && !*end && errno != ERANGE &&
        n >= d->min && n <= d->max) {
        v->num = n;
        return 0;
    }
    fprintf(stderr, "evconf-run: --%s takes a number from %lld to %lld, not '%s'\n",
            d->name, (long long)d->min, (long long)d->max, con_esc(s));
    return 2;
}

int opt_next(int argc, char **argv, struct opt_value *v)
{
    static struct option longopts[NOPTS + 1];
    static char shortopts[2 * NOPTS + 1];
    int c;

    if (!longopts[0].name)
        getopt_tables(longopts, shortopts);
    opterr = 0;
    memset(v, 0, sizeof(*v));
    c = getopt_long(argc, argv, shortopts, longopts, NULL);
    if (c == -1)
        return 0;
    if (c == '?' || !(v->def = by_key(c))) {
        const struct opt_def *d = optopt ? by_key(optopt) : NULL;
        if (d && d->type == OPT_FLAG)
            fprintf(stderr, "evconf-run: --%s takes no argument (see --help)\n", d->name);
        else if (d)
            fprintf(stderr, "evconf-run: --%s needs an argument, %s (see --help)\n",
                    d->name, d->arg);
        else if (optopt)
            fprintf(stderr, "evconf-run: unknown option '-%s' (see --help)\n",
                    con_escn((const char *)&(char){ (char)optopt }, 1));
        else
            fprintf(stderr, "evconf-run: unknown option '%s' (see --help)\n",
                    con_esc(argv[optind - 1]));
        return 2;
    }
    v->text = optarg;
    if (v->def->type == OPT_INT || v->def->type == OPT_U64)
        return read_number(v->def, optarg, v) ? 2 : 1;
    return 1;
}

/* One option's lines: "  -t, --timeout SEC      text", the text's
 * other lines under its first, and an OPT_INT's range last. */
static void help_one(FILE *f, const struct opt_def *d)
{
    char head[64];
    const char *l = d->help;
    int n;

    n = snprintf(head, sizeof(head), "  %c%c%s--%s%s%s", d->key < 256 ? '-' : ' ',
                 d->key < 256 ? d->key : ' ', d->key < 256 ? ", " : "  ", d->name,
                 d->arg ? " " : "", d->arg ? d->arg : "");
    fprintf(f, "%s%*s", head, n < 23 ? 23 - n : 0, "");
    for (bool first = true; *l; first = false) {
        const char *e = strchr(l, '\n');
        int len = e ? (int)(e - l) : (int)strlen(l);
        fprintf(f, "%s%s%.*s\n", first ? "  " : "", first ? "" : "                         ",
                len, l);
        l += len + (e ? 1 : 0);
    }
    if (d->type == OPT_INT)
        fprintf(f, "%25s(%s: %lld to %lld)\n", "", d->arg, (long long)d->min,
                (long long)d->max);
}

void opt_help(FILE *f)
{
    fputs("usage: evconf-run [OPTION]...\n"
          "Run the evconf conformance scenarios against a libvirt event-loop\n"
          "implementation loaded as a shared object.\n\n", f);
    for (size_t i = 0; i < NOPTS; i++)
        help_one(f, &table[i]);
    fputs("\nExit status: 0 if no MUST scenario failed (and, with --strict, no SHOULD\n"
          "one); 1 if one did; 2 for bad input (IMPL, options, malformed scenarios).\n", f);
}

/* The --budget bounds the whole run: generation, loading, running and
 * shrinking each stop here, and what they leave is reported as not run. */
bool opt_budget_over(const struct options *o)
{
    return o->budget_end > 0 && sup_now_ms() >= o->budget_end;
}

/* The --perl-inc directories, joined for the perl adapter. */
static int add_perl_inc(const char *dir)
{
    const char *old = getenv("EVCONF_PERL_INC");
    char *joined = NULL;

    if (asprintf(&joined, "%s%s%s", old ? old : "", old ? ":" : "", dir) < 0)
        return 2;
    setenv("EVCONF_PERL_INC", joined, 1);
    free(joined);
    return -1;
}

/* One option, read and range-checked by options.c, into *o.  Returns -1
 * to go on, or the status to exit with. */
static int take_option(const struct opt_value *v, struct options *o)
{
    int n = (int)v->num;

    switch (v->def->key) {
    case 'i': o->impl = v->text; break;
    case 's':
        o->paths = realloc(o->paths, (size_t)(o->npaths + 1) * sizeof(*o->paths));
        o->paths[o->npaths++] = v->text;
        break;
    case 'f': o->filter = v->text; break;
    case OPT_EXCLUDE: o->exclude = v->text; break;
    case 'S': o->seed = v->u64; break;
    case 'r': o->report_dir = v->text; break;
    case OPT_STRICT: o->strict = true; break;
    case 't': o->timeout_s = n; break;
    case OPT_EXPECT: o->expect_path = v->text; break;
    case OPT_TRACES: o->traces = true; break;
    case OPT_COVERAGE_DIR:
        if (report_mkdirs(v->text) < 0 || !(o->coverage_dir = realpath(v->text, NULL))) {
            fprintf(stderr, "evconf-run: --coverage-dir %s: %s\n", con_esc(v->text),
                    strerror(errno));
            return 2;
        }
        break;
    case OPT_PERL_INC: return add_perl_inc(v->text);
    case OPT_BUDGET: o->budget_s = n; break;
    case 'w': o->wake_timeout_ms = n; break;
    case OPT_REALTIME: o->realtime = true; break;
    case OPT_PERTURB: o->perturb = true; break;
    case OPT_TOLERANCE: o->tolerance_ms = n; break;
    case OPT_STRESS: o->stress = true; break;
    case OPT_THREADS: o->st.threads = n; break;
    case OPT_STRESS_MS: o->st.ms = n; break;
    case 'l': o->list = true; break;
    case OPT_CAN_FAIL_ALLOCATIONS: return sim_alloc_failures_available() ? 0 : 1;
    case 'q': o->quiet = true; break;
    case OPT_FAIL_FAST: o->fail_fast = true; break;
    case OPT_GENERATE: o->generate = n; break;
    case 'h': opt_help(stdout); return 0;
    default: return 2;
    }
    return -1;
}

/* Read the command line into *o (options.c's table: every number whole
 * and in its range).  Returns -1 to go on, or the status to exit with
 * (after --help, or a bad option). */
int opt_parse(int argc, char **argv, struct options *o)
{
    struct opt_value v;
    int rc;

    while ((rc = opt_next(argc, argv, &v)) == 1)
        if ((rc = take_option(&v, o)) >= 0)
            return rc;
    if (rc == 2)
        return 2;
    if (o->tolerance_ms < 0)
        o->tolerance_ms = o->realtime ? 50 : 0;
    if (optind < argc) {
        fprintf(stderr, "evconf-run: unexpected argument '%s' (see --help)\n",
                con_esc(argv[optind]));
        return 2;
    }
    return -1;
}
