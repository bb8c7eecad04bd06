/*
 * turns.c - the scenarios run in their turns (turns.h): the reports
 * written as results come in, the stop at a signal, at the --budget's end
 * or at --fail-fast's first failure, then the shrinking, the failures
 * shown, --expect judged, and the exit status.  Prefix turns_.  One
 * scenario's run is run.c's; its verdict verdict.c's; what is printed
 * show.c's.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byrule.h"
#include "run.h"
#include "shrink.h"
#include "show.h"
#include "supervise.h"
#include "turns.h"
#include "verdict.h"

/* Mark the scenarios from i on as not run, and why. */
static void not_run(struct result *res, int i, int n, const char *why)
{
    for (; i < n; i++) {
        res[i].outcome = OUT_SKIP;
        free(res[i].error);
        res[i].error = strdup(why);
    }
}

/* Scenario r in its turn: a generated program is made first, and written
 * only if it fails. */
static void run_turn(const struct options *o, const char *impl_path,
                     struct result *r)
{
    char *text = r->gen_k && !r->sc ? shrink_make_generated(o, r) : NULL;

    if (r->sc && r->outcome != OUT_ERROR) {
        run_one(o, impl_path, r->sc, r, o->budget_end);
        r->rerun = show_rerun_line(o, r);
    }
    if (text && verdict_failed(o, r))
        shrink_write_generated(r->path, text);
    free(text);
}

/* Why what is left is not run: a stop signal, or the --budget's end. */
static void stop_reason(const struct options *o, int sig, char *why, size_t len)
{
    if (sig)
        snprintf(why, len, "not run: the runner was stopped by %s",
                 strsignal(sig));
    else
        snprintf(why, len, "not run: the --budget of %d s was used up",
                 o->budget_s);
}

/* --fail-fast: the scenarios after i are dropped from the run. */
static void drop_after(struct result *res, int i, int *nres)
{
    for (int k = i + 1; k < *nres; k++) {
        scenario_free((struct scenario *)res[k].sc);
        free(res[k].error);
    }
    *nres = i + 1;
}

/* Each scenario in its turn, the reports rewritten at most once a
 * second.  Stops at a stop signal or the --budget's end (what is left is
 * marked not run, why says why) and, with --fail-fast, at the first
 * failure.  Returns the stop signal, or 0. */
static int take_turns(const struct options *o, const char *impl_path,
                      const struct run_info *ri, struct result *res, int *nres,
                      char *why, size_t whylen)
{
    double written_at = sup_now_ms();
    int n = *nres, sig = 0;

    for (int i = 0; i < n; i++) {
        if ((sig = sup_stop_signal()) != 0 || opt_budget_over(o)) {
            stop_reason(o, sig, why, whylen);
            not_run(res, i, n, why);
            break;
        }
        run_turn(o, impl_path, &res[i]);
        show_progress(o, i, n, &res[i]);
        if (o->fail_fast && verdict_failed(o, &res[i])) {
            drop_after(res, i, nres);
            break;
        }
        if (sup_now_ms() - written_at >= 1000) {
            report_write(ri, res, i + 1);
            written_at = sup_now_ms();
        }
    }
    /* A stop during the last scenario is a stop all the same. */
    if (!sig && (sig = sup_stop_signal()) != 0)
        stop_reason(o, sig, why, whylen);
    return sig;
}

/* The exit status: 128 + a stop signal; 2 for a scenario at fault; with
 * --expect, 1 for a deviation not listed; else 1 for a failure; and 1
 * when some were not run. */
static int exit_status(const struct options *o, const struct result *res, int n,
                       const int count[5], int sig, int unexpected, int unrun)
{
    if (sig)
        return 128 + sig;
    for (int i = 0; i < n; i++)
        if (res[i].bad_scenario)
            return 2;
    if (o->expect_path)
        return unexpected || unrun ? 1 : 0;
    return count[OUT_FAIL] + count[OUT_ERROR] > 0 || unrun ? 1 : 0;
}

/* Run the scenarios in turn.  The reports are written before the first
 * (so that a report directory that cannot be written stops the run at
 * once), then at most once a second as results come in, and at the end:
 * a run that is stopped half-way keeps what it did.  A stop signal or
 * the end of --budget marks what is left as not run.  Returns the exit
 * status. */
int turns_run(struct options *o, const char *impl_path, const char *impl_name,
              struct result *res, int *nres)
{
    struct run_info ri = { impl_path, impl_name, o->report_dir, o->seed, o->strict, false,
                           o->traces };
    int n = *nres, count[5] = {0}, sig = 0, unrun = 0, unexpected = 0;
    char why[160] = "not run: ";

    if (report_write(&ri, res, 0) < 0)
        return 2;
    show_start(o, impl_name, n);
    sig = take_turns(o, impl_path, &ri, res, nres, why, sizeof(why));
    n = *nres;
    if (!sig)
        for (int i = 0; i < n; i++)
            if (res[i].sc && res[i].gen_k && verdict_failed(o, &res[i]))
                shrink_result(o, impl_path, &res[i]);
    for (int i = 0; i < n; i++)
        count[res[i].outcome]++;
    show_failures(o, res, n);
    if (!o->quiet)
        byrule_text(stdout, res, n, o->strict);
    if (o->expect_path)
        unexpected = verdict_judge_deviations(o, res, n);
    for (int i = 0; i < n; i++)         /* not run, whoever stopped it */
        unrun += res[i].outcome == OUT_SKIP && res[i].error &&
                 !strncmp(res[i].error, "not run: ", 9);
    if (unrun && !sig && opt_budget_over(o))
        stop_reason(o, 0, why, sizeof(why));
    ri.done = !sig && !unrun;
    if (report_write(&ri, res, n) < 0)
        return 2;
    show_end(o, count, unrun, why + strlen("not run: "), res, n);
    return exit_status(o, res, n, count, sig, unexpected, unrun);
}
