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
#include "lanes.h"
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

/* --fail-fast: the scenarios after i are dropped from the run (with
 * -j, some may have run already). */
static void drop_after(struct result *res, int i, int *nres)
{
    for (int k = i + 1; k < *nres; k++) {
        for (int f = 0; f < res[k].nfailures; f++) {
            free(res[k].failures[f].rules);
            free(res[k].failures[f].message);
        }
        free(res[k].failures);
        free(res[k].trace);
        free(res[k].rerun);
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

/* -j N: the lanes' view of a run (lanes.h), a generated program's text
 * kept from its turn until its result is taken. */
struct side_by_side {
    const struct options *o;
    const struct run_info *ri;
    struct result *res;
    int *nres, n;
    char **texts;
    double written_at;
    char *why;
    size_t whylen;
};

static void lane_prepare(void *ctx, struct result *r)
{
    struct side_by_side *s = ctx;

    if (r->gen_k && !r->sc)
        s->texts[r - s->res] = shrink_make_generated(s->o, r);
}

/* Result i in its turn, as take_turns() takes it. */
static bool lane_take(void *ctx, int i)
{
    struct side_by_side *s = ctx;
    struct result *r = &s->res[i];

    if (s->texts[i] && verdict_failed(s->o, r))
        shrink_write_generated(r->path, s->texts[i]);
    free(s->texts[i]);
    s->texts[i] = NULL;
    show_progress(s->o, i, s->n, r);
    if (s->o->fail_fast && verdict_failed(s->o, r)) {
        drop_after(s->res, i, s->nres);
        return true;
    }
    if (sup_now_ms() - s->written_at >= 1000) {
        report_write(s->ri, s->res, i + 1);
        s->written_at = sup_now_ms();
    }
    return false;
}

static void lane_unrun(void *ctx, int i)
{
    struct side_by_side *s = ctx;

    stop_reason(s->o, sup_stop_signal(), s->why, s->whylen);
    not_run(s->res, i, i + 1, s->why);
}

/* take_turns() with the scenarios run side by side, in o->jobs lanes:
 * the same lines, reports and stops. */
static int take_lanes(const struct options *o, const char *impl_path,
                      const struct run_info *ri, struct result *res, int *nres,
                      char *why, size_t whylen)
{
    struct side_by_side s = { o, ri, res, nres, *nres,
                              calloc((size_t)*nres + 1, sizeof(char *)),
                              sup_now_ms(), why, whylen };
    struct lanes_hooks h = { lane_prepare, lane_take, lane_unrun, &s };
    int taken, sig;

    if (!s.texts)
        abort();
    sig = lanes_run(o, impl_path, res, *nres, &h, &taken);
    for (int i = 0; i < s.n; i++)
        free(s.texts[i]);
    free(s.texts);
    return sig;
}

/* --merge: the shards' results, each shown in its turn as it was when
 * it ran; what no shard ran is not run, and why says why. */
static void taken_from_shards(const struct options *o, struct result *res,
                              int n, char *why, size_t whylen)
{
    for (int i = 0; i < n; i++) {
        show_progress(o, i, n, &res[i]);
        if (res[i].error && !strncmp(res[i].error, "not run: no shard", 17))
            snprintf(why, whylen, "%s", res[i].error);
    }
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
    /* Shrinking stays serial: each smaller program run depends on the
     * answer for the one before, and one failing program is shrunk at a
     * time so that its lines print together. */
    if (o->merge)               /* the shards ran them (merge.c) */
        taken_from_shards(o, res, n, why, sizeof(why));
    else if (o->jobs > 1)
        sig = take_lanes(o, impl_path, &ri, res, nres, why, sizeof(why));
    else
        sig = take_turns(o, impl_path, &ri, res, nres, why, sizeof(why));
    n = *nres;
    if (!sig && !o->merge)
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
