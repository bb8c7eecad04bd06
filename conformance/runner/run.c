/*
 * run.c - one scenario, run in a child process of its own (run.h): the
 * child loads the IMPL and runs the script (exec.c), the runner reads
 * its records (protocol.h) under supervise.c's watchdog and decodes them
 * into a result.  Prefix run_.  Judging how the child ended is
 * verdict.c's; which scenarios run, and in what order, is turns.c's.
 */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "exec.h"
#include "impl.h"
#include "protocol.h"
#include "run.h"
#include "supervise.h"

static uint64_t scenario_seed(uint64_t seed, const char *id)
{
    uint64_t h = 1469598103934665603ULL ^ seed;

    for (; *id; id++)
        h = (h ^ (unsigned char)*id) * 1099511628211ULL;
    return h;
}

void run_add_failure(struct result *r, const char *line)
{
    char level[16] = "", rules[64] = "";
    int off = 0;

    if (sscanf(line, "%15s %63s %n", level, rules, &off) < 2)
        return;
    r->failures = realloc(r->failures, (size_t)(r->nfailures + 1) * sizeof(*r->failures));
    r->failures[r->nfailures++] = (struct failure){
        !strcmp(level, "MUST") ? LEVEL_MUST : !strcmp(level, "SHOULD") ?
        LEVEL_SHOULD : LEVEL_INFO, strdup(rules), strdup(line + off),
    };
}

/* What is kept of a scenario's trace: its start, and the end, where a
 * failure shows. */
#define TRACE_HEAD (16 * 1024)
#define TRACE_TAIL (240 * 1024)

/* What run_one() gathers from the child's result channel. */
struct gathered {
    struct result *r;
    struct sup_capture trace;
    char *scenario_error;       /* the first E record */
    char *skipped;              /* the S record */
    char *crash_at;             /* the C record: "RULES where" */
    bool done;
};

/* Failures beyond this many in one scenario are counted, not kept. */
#define MAX_FAILURES 200

static void on_record(const char *line, void *arg)
{
    struct gathered *g = arg;

    if (line[0] == PROTO_TRACE && line[1] == ' ') {
        sup_capture_add(&g->trace, line + 2, strlen(line + 2));
        sup_capture_add(&g->trace, "\n", 1);
    } else if (line[0] == PROTO_FAILURE && line[1] == ' ') {
        if (g->r->nfailures < MAX_FAILURES)
            run_add_failure(g->r, line + 2);
    } else if (line[0] == PROTO_SCENARIO_ERROR && line[1] == ' ') {
        if (!g->scenario_error && asprintf(&g->scenario_error, "scenario: %s",
                                           line + 2) < 0)
            g->scenario_error = NULL;
    } else if (line[0] == PROTO_CRASH && line[1] == ' ') {
        if (!g->crash_at)
            g->crash_at = strdup(line + 2);
    } else if (line[0] == PROTO_SKIP && line[1] == ' ') {
        if (!g->skipped && asprintf(&g->skipped, "skipped: %s", line + 2) < 0)
            g->skipped = NULL;
    } else if (!strcmp(line, PROTO_DONE_LINE)) {
        g->done = true;
    }
}

struct child_args {
    const struct scenario *sc;
    const char *impl_path;
    struct exec_opts eo;
    const char *coverage_dir;
};

static void scenario_child(int fd, void *arg)
{
    struct child_args *a = arg;
    struct impl impl;
    char err[900];
    int rc;

    if (a->coverage_dir) {      /* the implementation's gcov data, per scenario */
        char prefix[PATH_MAX + 256];
        snprintf(prefix, sizeof(prefix), "%s/%s", a->coverage_dir, a->sc->id);
        setenv("GCOV_PREFIX", prefix, 1);
    }
    if (impl_load(a->impl_path, &impl, err, sizeof(err)) < 0) {
        dprintf(fd, "%c MUST - the implementation did not load: %s\n", PROTO_FAILURE, err);
        _exit(3);
    }
    rc = exec_scenario(a->sc, &impl, &a->eo, fd);
    dprintf(fd, "%s\n", PROTO_DONE_LINE);
    if (rc == EXEC_ABANDONED)
        _exit(0);       /* a thread is stuck in the loop: no exit handlers */
    exit(0);            /* not _exit: coverage builds write their data at exit */
}

/* The trace, then the implementation's own output, a line at a time. */
static char *join_trace(char *trace, const char *output)
{
    char *joined = NULL;
    size_t len = 0;
    FILE *f;

    if (!output || !*output || !(f = open_memstream(&joined, &len)))
        return trace;
    fputs(trace ? trace : "", f);
    for (const char *l = output; *l; ) {
        const char *e = strchr(l, '\n');
        int n = e ? (int)(e - l) : (int)strlen(l);
        fprintf(f, "stderr: %.*s\n", n, l);
        l += n + (e ? 1 : 0);
    }
    if (fclose(f) != 0) {
        free(joined);
        return trace;
    }
    free(trace);
    return joined;
}

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
             (int)(expected ? expected - where : (ptrdiff_t)strlen(where)), where);
    if (!strncmp(crash_at, "- ", 2))
        return;
    if (asprintf(&line, "MUST %.*s the implementation %s%s", (int)(where - crash_at),
                 crash_at, how, where) < 0)
        return;
    run_add_failure(r, line);
    free(line);
}

/* Why a scenario that did not say "done" ended. */
static void no_result(struct result *r, const struct sup_outcome *so, int timeout_s,
                      const char *crash_at)
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
            snprintf(how, sizeof(how), "died of %s", strsignal(WTERMSIG(so->status)));
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
    snprintf(why, sizeof(why), "MUST - after the scenario the process %s %d%s%.*s",
             WIFSIGNALED(status) ? "died of signal" : "exited with status",
             WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
             report ? ": " : " (see the trace)",
             report ? (int)(eol ? eol - report : (ptrdiff_t)strlen(report)) : 0,
             report ? report : "");
    run_add_failure(r, why);
}

/* Why a scenario the --budget stopped has no verdict. */
#define NOT_RUN_BUDGET "not run: the --budget was used up while it ran"

void run_one(const struct options *o, const char *impl_path,
             const struct scenario *sc, struct result *r, double budget_end)
{
    /* A scenario with 'clock: real' (a private libvirtd) runs in real
     * time, with --realtime's slack. */
    struct child_args args = { sc, impl_path, { scenario_seed(o->seed, sc->id),
                               o->wake_timeout_ms, o->realtime || sc->realtime,
                               o->realtime || !sc->realtime ? o->tolerance_ms :
                               o->tolerance_ms > 50 ? o->tolerance_ms : 50, o->perturb },
                               o->coverage_dir };
    struct gathered g = { .r = r };
    struct sup_outcome so;
    double timeout_ms = o->timeout_s * 1000.0;
    bool cut;                   /* the --budget ends before the watchdog */

    if (budget_end > 0 && budget_end - sup_now_ms() < timeout_ms)
        timeout_ms = budget_end - sup_now_ms();
    cut = timeout_ms < o->timeout_s * 1000.0;
    sup_capture_init(&g.trace, TRACE_HEAD, TRACE_TAIL);
    client_prepare(sc);
    if (sup_run(scenario_child, &args, on_record, &g, timeout_ms, &so) < 0) {
        free(sup_capture_finish(&g.trace, "trace"));
        r->outcome = OUT_ERROR;
        r->error = strdup("cannot start a child process");
        return;
    }
    client_remove_scratch(so.pid);
    r->ms = so.ms;
    r->trace = join_trace(sup_capture_finish(&g.trace, "trace"), so.output);
    free(so.output);
    if (g.scenario_error) {
        free(g.skipped);
        free(g.crash_at);
        r->error = g.scenario_error;
        r->outcome = OUT_ERROR;
        r->bad_scenario = true;
        return;
    }
    if (g.skipped && g.done && WIFEXITED(so.status) && WEXITSTATUS(so.status) == 0) {
        free(g.crash_at);
        r->error = g.skipped;
        r->outcome = OUT_SKIP;
        return;
    }
    free(g.skipped);
    if (!g.done && so.timed_out && cut) {
        /* Stopped by the --budget, not by the watchdog: no verdict (a
         * slow scenario is not a hang), the same on every machine. */
        free(g.crash_at);
        r->error = strdup(NOT_RUN_BUDGET);
        r->outcome = OUT_SKIP;
        return;
    }
    if (!g.done) {
        no_result(r, &so, o->timeout_s, g.crash_at);
        free(g.crash_at);
        return;
    }
    free(g.crash_at);
    if (!WIFEXITED(so.status) || WEXITSTATUS(so.status) != 0)
        unclean_exit(r, so.status);
    r->outcome = OUT_PASS;
    for (int k = 0; k < r->nfailures; k++) {
        if (r->failures[k].level == LEVEL_MUST ||
            (r->failures[k].level == LEVEL_SHOULD && o->strict))
            r->outcome = OUT_FAIL;
        else if (r->failures[k].level == LEVEL_SHOULD && r->outcome == OUT_PASS)
            r->outcome = OUT_WARN;
    }
}
