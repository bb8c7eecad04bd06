/*
 * main.c - evconf-run: the conformance suite's command line, as the
 * run's phases in order: read the options, find the kit, collect the
 * scenarios, probe the implementation, run the scenarios in their turns.
 *
 * Each scenario runs in a child process of its own, in virtual time, with
 * a real-time watchdog (supervise.c), so that an implementation that
 * crashes, exits, hangs or deadlocks fails that scenario and the run goes
 * on.  The parent never runs the implementation: it reads the child's
 * records (protocol.h) and writes the reports (report.c).
 *
 * The parent's side, one job a file, each named for it and its prefix:
 * options.c (opt_: the command line), kit.c (kit_: where the kit's files
 * are, IMPL words), impl.c (impl_: loading and probing the IMPL), suite.c
 * (suite_: the scenario files, --filter, --exclude, ids), turns.c
 * (turns_: each scenario in its turn, the exit status), run.c (run_: one
 * scenario's child and its records), verdict.c (verdict_: judging how it
 * ended, --expect), deviations.c (dev_: the --expect files), show.c
 * (show_: what is printed), console.c (con_: escaping), shrink.c
 * (shrink_: generated programs), report.c (report_: the report files),
 * encode.c (enc_: text in them), outfile.c (outfile_: writing a file
 * safely), supervise.c (sup_: a child within a deadline), stress.c
 * and stress-run.c (stress_: --stress), idset.c (idset_: a set of ids),
 * modes.c (mode_: the runtimes --sanitizer and --realtime=N preload),
 * lanes.c (lanes_: -j, scenarios side by side), merge.c (merge_: --merge,
 * the reports of --shard runs joined).
 * The scenario's side, what runs in the child (the scenario language,
 * the script, the checks of every rule), is entered from run.c's
 * scenario_child() and has its own files and prefixes.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "deviations.h"
#include "impl.h"
#include "kit.h"
#include "modes.h"
#include "merge.h"
#include "options.h"
#include "results.h"
#include "show.h"
#include "stress.h"
#include "suite.h"
#include "supervise.h"
#include "turns.h"

/* --expect FILE read into o->expect.  Returns 0, or 2 after one line. */
static int load_deviations(struct options *o)
{
    char err[1200];

    if (dev_load(o->expect_path, &o->expect, err, sizeof(err)) < 0) {
        fprintf(stderr, "evconf-run: --expect %s\n", con_esc(err));
        return 2;
    }
    return 0;
}

/* --stress: real threads against the IMPL instead of the scenarios.
 * Returns the exit status. */
static int stress_mode(struct options *o)
{
    char implbuf[2 * PATH_MAX], *impl_name;
    const char *impl_path = kit_resolve_impl(o->impl, implbuf, sizeof(implbuf));
    int rc;

    impl_name = impl_check(o, impl_path);
    if (o->budget_end > 0 && o->budget_end - sup_now_ms() < o->st.ms) {
        /* The --budget bounds --stress too: its workers stop in time. */
        double left = o->budget_end - sup_now_ms();
        o->st.ms = left > 1 ? (int)left : 1;
    }
    rc = impl_name ? stress_run(o, impl_path, impl_name) : 2;
    free(impl_name);
    return rc;
}

/* The IMPL probed, then the scenarios run against it.  Returns the exit
 * status. */
static int against_impl(struct options *o, struct result *res, int *nres)
{
    char implbuf[2 * PATH_MAX], *impl_name;
    const char *impl_path = kit_resolve_impl(o->impl, implbuf, sizeof(implbuf));
    int rc;

    /* With the --budget used up, nothing will run: the reports say so. */
    impl_name = opt_budget_over(o) ? strdup(o->impl) : impl_check(o, impl_path);
    if (!impl_name)
        return 2;
    rc = turns_run(o, impl_path, impl_name, res, nres);
    free(impl_name);
    return rc;
}

int main(int argc, char **argv)
{
    double started = sup_now_ms();     /* --budget counts from here */
    struct options o = OPT_DEFAULTS;
    char **files = NULL;
    struct result *res = NULL;
    int nfiles = 0, nres = 0, bad_input = 0, unloaded = 0, rc;
    static const char *default_path;

    if ((rc = opt_parse(argc, argv, &o)) >= 0) {
        free(o.paths);
        free(o.coverage_dir);
        return rc;
    }
    if ((rc = mode_enter(&o, argv)) >= 0)       /* --sanitizer, --realtime=N */
        goto out;
    if (o.budget_s)
        o.budget_end = started + o.budget_s * 1000.0 * o.clock_scale;
    if (o.expect_path && (rc = load_deviations(&o)) != 0)
        goto out;
    sup_init();
    kit_find();
    default_path = kit_scenario_dir();

    if (o.stress) {
        rc = stress_mode(&o);
        goto out;
    }
    if (o.npaths == 0) {
        o.paths = &default_path;
        o.npaths = 1;
    }
    if ((rc = suite_load(&o, &files, &nfiles, &res, &nres, &bad_input,
                         &unloaded)) != 0)
        goto out;
    if (o.list) {
        show_list(&o, res, nres, unloaded);
        rc = bad_input ? 2 : unloaded ? 1 : 0;
        goto out;
    }
    if (nres == 0) {
        fprintf(stderr, "evconf-run: no scenario matches%s%s\n",
                o.filter ? " --filter " : "",
                o.filter ? con_esc(o.filter) : "");
        rc = 2;
        goto out;
    }
    rc = o.merge ? merge_run(&o, res, &nres) : against_impl(&o, res, &nres);
    if (bad_input && rc < 2)
        rc = 2;
out:
    sup_fini();
    suite_free(res, nres, files, nfiles);
    dev_free(&o.expect);
    free(o.coverage_dir);
    if (o.paths != &default_path)
        free(o.paths);
    return rc;
}
