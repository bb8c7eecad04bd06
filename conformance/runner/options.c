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
#include <unistd.h>

#include "console.h"
#include "kit.h"
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
      "libevent (integrations/libevent/),\n"
      "sd-event (integrations/sd-event/),\n"
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
      "run only scenarios whose id matches (comma-separated);\n"
      "--generate's programs (gen-SEED-K) all run unless a\n"
      "glob starts with gen- (then only those it matches)" },
    { "exclude", OPT_EXCLUDE, OPT_TEXT, 0, 0, "GLOB",
      "leave out scenarios whose id matches (comma-separated)" },
    { "seed", 'S', OPT_U64, 0, 0, "N",
      "seed for everything random (default 1; 0 to 2^64-1,\n"
      "decimal or 0x hex)" },
    { "report-dir", 'r', OPT_TEXT, 0, 0, "DIR",
      "where TAP, JUnit XML, JSON and HTML go\n(default build/conformance-report; --stress\n"
      "writes them only when given one)" },
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
      "the failures IMPL is known to get, a line each:\n"
      "ID OUTCOME RULE [/PATTERN/]: why (README.md); the\n"
      "run succeeds when every scenario matches it, and\n"
      "fails on a failure no line matches, an unexpected\n"
      "pass or a stale line" },
    { "coverage-dir", OPT_COVERAGE_DIR, OPT_TEXT, 0, 0, "DIR",
      "for an IMPL built with --coverage: each scenario's\n"
      "gcov data under DIR/<scenario id>/ (GCOV_PREFIX);\n"
      "then `evconf-coverage DIR OUT` makes an lcov report\n"
      "of the IMPL's sources in OUT, each line with the\n"
      "scenarios that reach it" },
    { "sanitizer", OPT_SANITIZER, OPT_TEXT, 0, 0, "KIND",
      "run on a sanitizer's runtime, for an IMPL built with\n"
      "it (the runner starts itself again with the runtime\n"
      "preloaded); a sanitizer's report fails the scenario\n"
      "  address  AddressSanitizer and UBSan\n"
      "    (-fsanitize=address,undefined; leaks too)\n"
      "  thread   ThreadSanitizer, with --stress\n"
      "    (-fsanitize=thread): each kind of report fails\n"
      "    the run under the rule it breaks\n"
      "--impl reference is then the kit's own build of the\n"
      "reference with that sanitizer" },
    { "budget", OPT_BUDGET, OPT_INT, 1, 7 * DAY_S, "SEC",
      "real time for the whole run, from its start to its\n"
      "last report: what generation, loading, running and\n"
      "shrinking have not done by then is reported as not\n"
      "run or not shrunk (exit status 1)" },
    { "wake-timeout", 'w', OPT_INT, 1, 600000, "MS",
      "real time a loop has to wake up after another\n"
      "thread's change (default 2000)" },
    { "realtime", OPT_REALTIME, OPT_INT_OPTIONAL, 1, 1000, "SPEEDUP",
      "run in real time instead of virtual time, for loops\n"
      "that cannot be virtualised; with SPEEDUP above 1,\n"
      "under libfaketime, whose clocks then run SPEEDUP\n"
      "times as fast (the runner starts itself again with\n"
      "it preloaded; 10 is a good value)" },
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
    { "jobs", 'j', OPT_INT, 1, 256, "N",
      "run N scenarios at once, each in a process of its\n"
      "own (default: one per online core; 1: one at a\n"
      "time); real-time ones (clock: real), which mostly\n"
      "wait, run beside them; what is printed and every\n"
      "report are in suite order, as with -j 1" },
    { "shard", OPT_SHARD, OPT_TEXT, 0, 0, "I/N",
      "run only the I-th of N shards of the suite: the\n"
      "scenarios whose place in suite order (after\n"
      "--filter and --exclude), counted from 0, is I-1\n"
      "modulo N; --merge joins the shards' reports" },
    { "merge", OPT_MERGE, OPT_FLAG, 0, 0, NULL,
      "evconf-run --merge [OPTION]... DIR...: no run; the\n"
      "results.json of each DIR (the report dirs of the\n"
      "--shard runs) joined into the reports of the whole\n"
      "suite in --report-dir, as one run with the same\n"
      "options would write them (pass --expect again)" },
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
        int has_arg = table[i].type == OPT_FLAG           ? no_argument
                      : table[i].type == OPT_INT_OPTIONAL ? optional_argument
                                                          : required_argument;
        longopts[i] = (struct option){ table[i].name, has_arg, NULL, table[i].key };
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
    if (v->def->type == OPT_INT_OPTIONAL && !optarg)
        return 1;
    if (v->def->type != OPT_FLAG && v->def->type != OPT_TEXT)
        return read_number(v->def, optarg, v) ? 2 : 1;
    return 1;
}

/* One option's lines: "  -t, --timeout SEC      text", the text's
 * other lines under its first, and an OPT_INT's range last. */
static void help_one(FILE *f, const struct opt_def *d)
{
    char head[64];
    const char *l = d->help;
    bool optional = d->type == OPT_INT_OPTIONAL;
    int n;

    n = snprintf(head, sizeof(head), "  %c%c%s--%s%s%s%s", d->key < 256 ? '-' : ' ',
                 d->key < 256 ? d->key : ' ', d->key < 256 ? ", " : "  ", d->name,
                 !d->arg ? "" : optional ? "[=" : " ", d->arg ? d->arg : "",
                 optional ? "]" : "");
    fprintf(f, "%s%*s", head, n < 23 ? 23 - n : 0, "");
    for (bool first = true; *l; first = false) {
        const char *e = strchr(l, '\n');
        int len = e ? (int)(e - l) : (int)strlen(l);
        fprintf(f, "%s%s%.*s\n", first ? "  " : "", first ? "" : "                         ",
                len, l);
        l += len + (e ? 1 : 0);
    }
    if (d->type == OPT_INT || optional)
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
    kit_find();
    fprintf(f, "\nThe contract the scenarios check, rule by rule: %s\n"
            "What each rule means, from the scenarios and the reference: %s\n"
            "Each rule's scenarios and the reference's code: %s\n",
            kit_doc("contract.md"), kit_doc("semantics.md"), kit_doc("CATALOGUE.md"));
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

/* --shard I/N: 1 <= I <= N <= 10000, each whole. */
static int read_shard(const char *s, struct options *o)
{
    int i, n, used = 0;

    if (sscanf(s, "%5d/%5d%n", &i, &n, &used) == 2 && !s[used] &&
        isdigit((unsigned char)s[0]) && n >= 1 && n <= 10000 && i >= 1 && i <= n) {
        o->shard_i = i;
        o->shard_n = n;
        return -1;
    }
    fprintf(stderr, "evconf-run: --shard takes I/N, 1 <= I <= N <= 10000, not '%s'\n",
            con_esc(s));
    return 2;
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
    case 'r':
        o->report_dir = v->text;
        o->report_dir_given = true;
        break;
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
    case OPT_REALTIME:
        o->realtime = true;
        o->speedup = v->text ? n : 0;
        break;
    case OPT_SANITIZER:
        if (strcmp(v->text, "address") && strcmp(v->text, "thread")) {
            fprintf(stderr, "evconf-run: --sanitizer takes address or thread, not '%s'\n",
                    con_esc(v->text));
            return 2;
        }
        o->sanitizer = v->text;
        break;
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
    case 'j': o->jobs = n; break;
    case OPT_MERGE: o->merge = true; break;
    case OPT_SHARD: return read_shard(v->text, o);
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

    o->argv0 = argc > 0 ? argv[0] : "evconf-run";
    while ((rc = opt_next(argc, argv, &v)) == 1)
        if ((rc = take_option(&v, o)) >= 0)
            return rc;
    if (rc == 2)
        return 2;
    if (o->tolerance_ms < 0)
        o->tolerance_ms = o->realtime ? 50 : 0;
    /* Under libfaketime the runner's clocks and timed waits run as fast as
     * the loop's: --timeout, --wake-timeout and --budget stay real time. */
    o->clock_scale = o->realtime && o->speedup > 1 ? o->speedup : 1;
    if (o->jobs == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        o->jobs = cores < 1 ? 1 : cores > 256 ? 256 : (int)cores;
    }
    if (o->merge && optind < argc) {
        o->merge_dirs = (const char **)argv + optind;
        o->nmerge_dirs = argc - optind;
    } else if (o->merge) {
        fprintf(stderr, "evconf-run: --merge needs the shards' report dirs\n");
        return 2;
    } else if (optind < argc) {
        fprintf(stderr, "evconf-run: unexpected argument '%s' (see --help)\n",
                con_esc(argv[optind]));
        return 2;
    }
    return -1;
}
