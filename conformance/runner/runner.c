/*
 * runner.c - evconf-run: the conformance suite's command line.
 *
 * Each scenario runs in a child process of its own, in virtual time, with
 * a real-time watchdog (supervise.c), so that an implementation that
 * crashes, exits, hangs or deadlocks fails that scenario and the run goes
 * on.  The parent never runs the implementation: it reads the child's
 * records (protocol.h) and writes the reports (report.c).
 *
 * Names: what a file of the runner offers the others carries its prefix:
 * check_ (checks.c: the rules every scenario checks), exec_ (exec.c: the
 * script), progress_, report_, scenario_ (parse.c), generate_, stress_,
 * sup_ (supervise.c).
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <glob.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "evconf.h"
#include "client.h"
#include "console.h"
#include "exec.h"
#include "deviations.h"
#include "protocol.h"
#include "generate.h"
#include "outfile.h"
#include "options.h"
#include "suite.h"
#include "idset.h"
#include "impl.h"
#include "kit.h"
#include "results.h"
#include "run.h"
#include "shrink.h"
#include "show.h"
#include "sim.h"
#include "stress.h"
#include "supervise.h"
#include "turns.h"
#include "verdict.h"

/* ---- scenario files ---- */

/* ---- running one scenario ---- */

/* ---- output ---- */

/* ---- generated programs (--generate) ---- */

int main(int argc, char **argv)
{
    double started = sup_now_ms();     /* --budget counts from here */
    struct options o = { .impl = "reference", .report_dir = "build/conformance-report",
                         .seed = 1, .timeout_s = 10, .wake_timeout_ms = 2000,
                         .tolerance_ms = -1,
                         .st = { .threads = 4, .ms = 2000, .bound_ms = 500 } };
    char implbuf[2 * PATH_MAX], **files = NULL, *impl_name, err[1200];
    const char *impl_path;
    struct result *res = NULL;
    int nfiles = 0, nres = 0, bad_input = 0, unloaded = 0, rc;
    static const char *default_path;

    if ((rc = opt_parse(argc, argv, &o)) >= 0) {
        free(o.paths);
        free(o.coverage_dir);
        return rc;
    }
    if (o.budget_s)
        o.budget_end = started + o.budget_s * 1000.0;
    if (o.expect_path && dev_load(o.expect_path, &o.expect, err, sizeof(err)) < 0) {
        fprintf(stderr, "evconf-run: --expect %s\n", con_esc(err));
        rc = 2;
        goto out;
    }
    sup_init();
    kit_find();
    default_path = kit_scenario_dir();

    if (o.stress) {
        impl_path = kit_resolve_impl(o.impl, implbuf, sizeof(implbuf));
        impl_name = impl_check(&o, impl_path);
        if (o.budget_end > 0 && o.budget_end - sup_now_ms() < o.st.ms) {
            /* The --budget bounds --stress too: its workers stop in time. */
            double left = o.budget_end - sup_now_ms();
            o.st.ms = left > 1 ? (int)left : 1;
        }
        rc = impl_name ? stress_run(impl_path, impl_name, &o.st) : 2;
        free(impl_name);
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
                o.filter ? " --filter " : "", o.filter ? con_esc(o.filter) : "");
        rc = 2;
        goto out;
    }
    impl_path = kit_resolve_impl(o.impl, implbuf, sizeof(implbuf));
    /* With the --budget used up, nothing will run: the reports say so. */
    impl_name = opt_budget_over(&o) ? strdup(o.impl) : impl_check(&o, impl_path);
    if (!impl_name) {
        rc = 2;
        goto out;
    }
    rc = turns_run(&o, impl_path, impl_name, res, &nres);
    if (bad_input && rc < 2)
        rc = 2;
    free(impl_name);
out:
    suite_free(res, nres, files, nfiles);
    dev_free(&o.expect);
    free(o.coverage_dir);
    if (o.paths != &default_path)
        free(o.paths);
    return rc;
}
