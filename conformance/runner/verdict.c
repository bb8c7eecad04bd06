/*
 * verdict.c - judging how a scenario ended (verdict.h): a crash, a hang
 * or an exit attributed to the rule the child said it was keeping, an
 * unclean exit after the end, the outcome from the failures' levels, and
 * a run compared with --expect's known deviations.  Prefix verdict_.
 * Decoding the child's records is run.c's; reading the deviation files
 * is deviations.c's; printing the failures is show.c's.
 */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "console.h"
#include "run.h"
#include "verdict.h"

/* Why a scenario the --budget stopped has no verdict. */
#define NOT_RUN_BUDGET "not run: the --budget was used up while it ran"

/* A crash while a call from another thread was under way (the trace's
 * last "thread begin" has no "thread end") is that thread's call: the
 * implementation is not safe to call from other threads (R42), which is
 * a failure of the rule, not an error of the run. */
static bool crashed_in_thread(struct result *r, int status)
{
    const char *begin = NULL, *end, *what;
    char *line = NULL;

    for (const char *p = r->trace; p && (p = strstr(p, " thread begin ")); p++)
        begin = p;
    if (!begin || strstr(begin, " thread end "))
        return false;
    what = begin + strlen(" thread begin ");
    end = strchr(what, '\n');
    if (asprintf(&line, "MUST R42 the implementation died of %s during a call from "
                 "another thread (%.*s); expected every operation to be safe on "
                 "any thread", strsignal(WTERMSIG(status)),
                 (int)(end ? end - what : (ptrdiff_t)strlen(what)), what) < 0)
        return false;
    run_add_failure(r, line);
    free(line);
    r->outcome = OUT_FAIL;
    return true;
}

/* Where the child said it was dying (its C record, "RULES where; expected
 * ..."): said after the error, and, when it names a rule, a failure of
 * that rule.  A crash is still an error of the run; the rule says whose
 * contract it broke. */
static void crash_rule(struct result *r, const char *how, char *why, size_t len,
                       const char *crash_at)
{
    const char *where = crash_at ? strchr(crash_at, ' ') : NULL;
    const char *expected;
    char *line = NULL;

    if (!where)
        return;
    expected = strstr(where, "; expected ");
    snprintf(why + strlen(why), len - strlen(why), "%.*s",
             (int)(expected ? expected - where : (ptrdiff_t)strlen(where)),
             where);
    if (!strncmp(crash_at, "- ", 2))
        return;
    if (asprintf(&line, "MUST %.*s the implementation %s%s",
                 (int)(where - crash_at), crash_at, how, where) < 0)
        return;
    run_add_failure(r, line);
    free(line);
}

/* Why a scenario that did not say "done" ended. */
static void no_result(struct result *r, const struct sup_outcome *so,
                      int timeout_s, const char *crash_at)
{
    char why[1000], how[100];

    if (so->interrupted)
        snprintf(why, sizeof(why), "not run: the runner was stopped by %s",
                 strsignal(sup_stop_signal()));
    else if (so->timed_out)
        snprintf(why, sizeof(why), "hang: no result within %d s of real "
                 "time (deadlock, or a wait sim could not see)", timeout_s);
    else if (WIFSIGNALED(so->status) && crashed_in_thread(r, so->status))
        return;
    else {
        if (WIFSIGNALED(so->status))
            snprintf(how, sizeof(how), "died of %s",
                     strsignal(WTERMSIG(so->status)));
        else
            snprintf(how, sizeof(how), "exited with status %d in the middle of "
                     "the scenario", WEXITSTATUS(so->status));
        snprintf(why, sizeof(why), "%s: the implementation %s",
                 WIFSIGNALED(so->status) ? "crash" : "exit", how);
        crash_rule(r, how, why, sizeof(why), crash_at);
    }
    r->error = strdup(why);
    r->outcome = so->interrupted ? OUT_SKIP : OUT_ERROR;
}

/* The scenario ran to its end, and then the process did not exit cleanly:
 * a sanitizer's report at exit (leaks), or a crash in a destructor.
 * Either is the implementation's. */
static void unclean_exit(struct result *r, int status)
{
    char why[300];
    const char *report = r->trace ? strstr(r->trace, "Sanitizer") : NULL;
    const char *eol = report ? strchr(report, '\n') : NULL;

    while (report && report > r->trace && report[-1] != '\n')
        report--;               /* the whole line: "stderr: ==1==ERROR: ..." */
    snprintf(why, sizeof(why),
             "MUST - after the scenario the process %s %d%s%.*s",
             WIFSIGNALED(status) ? "died of signal" : "exited with status",
             WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
             report ? ": " : " (see the trace)",
             report ? (int)(eol ? eol - report : (ptrdiff_t)strlen(report)) : 0,
             report ? report : "");
    run_add_failure(r, why);
}


/* A scenario that ran to its end: failed by a MUST failure (or a SHOULD
 * one with --strict), warned by a SHOULD one, else passed. */
static void by_levels(struct result *r, bool strict)
{
    r->outcome = OUT_PASS;
    for (int k = 0; k < r->nfailures; k++) {
        if (r->failures[k].level == LEVEL_MUST ||
            (r->failures[k].level == LEVEL_SHOULD && strict))
            r->outcome = OUT_FAIL;
        else if (r->failures[k].level == LEVEL_SHOULD && r->outcome == OUT_PASS)
            r->outcome = OUT_WARN;
    }
}

/* The result of a child that ended (the records it sent in *said, whose
 * strings become r's or are freed): a wrong scenario, a skip, a stop by
 * the --budget, a crash, hang or exit, or a verdict from its failures. */
void verdict_settle(const struct options *o, struct result *r,
                    const struct sup_outcome *so, struct child_said *said,
                    bool cut)
{
    if (said->scenario_error) {
        free(said->skipped);
        free(said->crash_at);
        r->error = said->scenario_error;
        r->outcome = OUT_ERROR;
        r->bad_scenario = true;
        return;
    }
    if (said->skipped && said->done && WIFEXITED(so->status) &&
        WEXITSTATUS(so->status) == 0) {
        free(said->crash_at);
        r->error = said->skipped;
        r->outcome = OUT_SKIP;
        return;
    }
    free(said->skipped);
    if (!said->done && so->timed_out && cut) {
        /* Stopped by the --budget, not by the watchdog: no verdict (a
         * slow scenario is not a hang), the same on every machine. */
        free(said->crash_at);
        r->error = strdup(NOT_RUN_BUDGET);
        r->outcome = OUT_SKIP;
        return;
    }
    if (!said->done) {
        no_result(r, so, o->timeout_s, said->crash_at);
        free(said->crash_at);
        return;
    }
    free(said->crash_at);
    if (!WIFEXITED(so->status) || WEXITSTATUS(so->status) != 0)
        unclean_exit(r, so->status);
    by_levels(r, o->strict);
}

/* A warning (a SHOULD rule) fails the run only with --strict. */
bool verdict_failed(const struct options *o, const struct result *r)
{
    return r->outcome == OUT_FAIL || r->outcome == OUT_ERROR ||
           (r->outcome == OUT_WARN && o->strict);
}

/* The failure lines of r an expectation file must account for: its
 * failures of level MUST or SHOULD (INFO is not a failure), then its
 * error, if any (k == r->nfailures), as a line of no rule.  Each through
 * *rules and *msg; false past the last. */
static bool failure_line(const struct result *r, int k, const char **rules,
                         const char **msg)
{
    if (k < r->nfailures) {
        *rules = r->failures[k].rules;
        *msg = r->failures[k].message;
        return true;
    }
    *rules = "-";
    *msg = r->error;
    return k == r->nfailures && r->error && r->outcome != OUT_SKIP;
}

static bool counts(const struct result *r, int k)
{
    return k >= r->nfailures || r->failures[k].level != LEVEL_INFO;
}

/* The first line of the file that matches r's k-th failure line, or
 * NULL: a failure nobody listed. */
static struct deviation *matching(struct options *o, struct deviation *x,
                                  const struct result *r, int k)
{
    const char *rules, *msg;

    if (!failure_line(r, k, &rules, &msg))
        return NULL;
    for (; x; x = dev_next(&o->expect, x))
        if (dev_matches(x, rules, msg))
            return x;
    return NULL;
}

/* Whether every line listed for x's scenario is marked "?": failures
 * that show in some runs only, so a run may show none and pass. */
static bool all_optional(struct options *o, struct deviation *x)
{
    for (; x; x = dev_next(&o->expect, x))
        if (!x->optional)
            return false;
    return true;
}

/* Whether r got what --expect's file says: the outcome listed (pass if
 * it is not listed, or if each of its lines is marked "?"), and each
 * failure line matched by a line of it. */
bool verdict_as_expected(struct options *o, const struct result *r)
{
    struct deviation *x = dev_find(&o->expect, r->id);
    const char *rules, *msg;

    if (x && r->outcome == OUT_PASS && all_optional(o, x))
        return true;
    if (r->outcome != (x ? x->outcome : OUT_PASS))
        return false;
    for (int k = 0; failure_line(r, k, &rules, &msg); k++)
        if (counts(r, k) && !matching(o, x, r, k))
            return false;
    return true;
}

/* r against its lines x (NULL: not listed): print each difference, mark
 * the lines that matched.  Returns how many differ. */
static int judge_one(struct options *o, struct result *r, struct deviation *x)
{
    enum outcome want = x ? x->outcome : OUT_PASS;
    const char *rules, *msg;
    int unexpected = 0;

    for (struct deviation *y = x; y; y = dev_next(&o->expect, y))
        y->seen = true;
    if (x && r->outcome == OUT_PASS && all_optional(o, x))
        return 0;                   /* failures that show in some runs only */
    if (r->outcome != want) {
        unexpected++;
        printf("UNEXPECTED %s: %s, expected %s%s%s%s\n", con_esc(r->id),
               report_outcome_name(r->outcome), report_outcome_name(want),
               x ? " (" : "", x ? con_esc(dev_reasons(&o->expect, x)) : "",
               x ? ")" : "");
        if (r->outcome == OUT_PASS || !x)
            return unexpected;  /* the line says it all */
    }
    for (int k = 0; x && failure_line(r, k, &rules, &msg); k++) {
        struct deviation *m;

        if (!counts(r, k))
            continue;
        m = matching(o, x, r, k);
        for (struct deviation *y = m; y; y = dev_next(&o->expect, y))
            if (y != m && dev_matches(y, rules, msg))
                y->matched = true;  /* two lines for one failure: both hold */
        if (m) {
            m->matched = true;
            continue;
        }
        unexpected++;
        printf("UNEXPECTED %s: a failure no line of %s lists: %s%s%s %s\n",
               con_esc(r->id), con_esc(o->expect.path),
               k < r->nfailures ? scenario_level_name(r->failures[k].level) : "",
               k < r->nfailures ? " " : "", con_esc(rules), con_esc(msg));
    }
    for (struct deviation *y = x; y; y = dev_next(&o->expect, y))
        if (!y->matched && !y->optional) {
            unexpected++;
            printf("UNEXPECTED %s:%d: %s %s%s%s%s matched no failure of '%s' "
                   "(stale entry)\n", con_esc(o->expect.path), y->line,
                   report_outcome_name(y->outcome), con_esc(y->rule),
                   y->pattern ? " /" : "", y->pattern ? con_esc(y->pattern) : "",
                   y->pattern ? "/" : "", con_esc(r->id));
        }
    if (!unexpected && x)
        r->known = dev_reasons(&o->expect, x);
    return unexpected;
}

/* Compare each scenario run with --expect: print what differs, mark the
 * known deviations for the reports.  Returns how many differ. */
int verdict_judge_deviations(struct options *o, struct result *res, int n)
{
    int as_expected = 0, known = 0, unexpected = 0;

    for (int i = 0; i < n; i++) {
        struct deviation *x = dev_find(&o->expect, res[i].id);
        int differ;

        if (res[i].outcome == OUT_SKIP)
            continue;
        differ = judge_one(o, &res[i], x);
        unexpected += differ;
        as_expected += !differ;
        known += !differ && x;
    }
    for (int k = 0; k < o->expect.n && !o->filter && !o->exclude; k++)
        if (!o->expect.v[k].seen) {
            printf("UNEXPECTED %s:%d: no scenario '%s' ran (stale entry)\n",
                   con_esc(o->expect.path), o->expect.v[k].line,
                   con_esc(o->expect.v[k].id));
            unexpected++;
        }
    printf("expectations (%s): %d as expected, %d of them known deviations; "
           "%d unexpected\n",
           con_esc(o->expect.path), as_expected, known, unexpected);
    return unexpected;
}
