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
#include "verdict.h"

/* Each scenario's own seed, from the run's and its id (FNV-1a): the same
 * whatever the order, --filter or --exclude, so that a rerun line that
 * runs it alone makes the same choices. */
static uint64_t scenario_seed(uint64_t seed, const char *id)
{
    uint64_t h = 1469598103934665603ULL ^ seed;

    for (; *id; id++)
        h = (h ^ (unsigned char)*id) * 1099511628211ULL;
    return h;
}

/* LEVEL and RULES as protocol.h's F record has them (run.h). */
void run_add_failure(struct result *r, const char *line)
{
    char level[16] = "", rules[64] = "";
    int off = 0;

    if (sscanf(line, "%15s %63s %n", level, rules, &off) < 2)
        return;
    r->failures =
        realloc(r->failures, (size_t)(r->nfailures + 1) * sizeof(*r->failures));
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
    struct child_said said;
};

/* Failures beyond this many in one scenario are counted, not kept. */
#define MAX_FAILURES 200

/* One record of the result channel (protocol.h) into g: the trace kept
 * bounded, failures up to MAX_FAILURES, the first E, C and S records, the
 * wake-up figure; any other line is not a record and is dropped. */
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
        if (!g->said.scenario_error &&
            asprintf(&g->said.scenario_error, "scenario: %s", line + 2) < 0)
            g->said.scenario_error = NULL;
    } else if (line[0] == PROTO_CRASH && line[1] == ' ') {
        if (!g->said.crash_at)
            g->said.crash_at = strdup(line + 2);
    } else if (line[0] == PROTO_SKIP && line[1] == ' ') {
        if (!g->said.skipped &&
            asprintf(&g->said.skipped, "skipped: %s", line + 2) < 0)
            g->said.skipped = NULL;
    } else if (line[0] == PROTO_WAKEUPS && line[1] == ' ') {
        g->r->counted = sscanf(line + 2, "%d %d", &g->r->idle_wakeups,
                               &g->r->iterations) == 2;
    } else if (!strcmp(line, PROTO_DONE_LINE)) {
        g->said.done = true;
    }
}

struct child_args {
    const struct scenario *sc;
    const char *impl_path;
    struct exec_opts eo;
    const char *coverage_dir;
};

/* In the child: load the IMPL and run the script (exec.c); "R done" says
 * it ran to its end, which only then counts as run. */
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
        dprintf(fd, "%c MUST - the implementation did not load: %s\n",
                PROTO_FAILURE, err);
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

void run_one(const struct options *o, const char *impl_path,
             const struct scenario *sc, struct result *r, double budget_end)
{
    /* A scenario with 'clock: real' (a private libvirtd) runs in real
     * time, with --realtime's slack. */
    struct child_args args = {
        sc, impl_path,
        { scenario_seed(o->seed, sc->id), o->wake_timeout_ms * o->clock_scale,
          o->realtime || sc->realtime,
          o->realtime || !sc->realtime ? o->tolerance_ms :
          o->tolerance_ms > 50 ? o->tolerance_ms : 50, o->perturb },
        o->coverage_dir };
    struct gathered g = { .r = r };
    struct sup_outcome so;
    double timeout_ms = o->timeout_s * 1000.0 * o->clock_scale;
    bool cut;                   /* the --budget ends before the watchdog */

    if (budget_end > 0 && budget_end - sup_now_ms() < timeout_ms)
        timeout_ms = budget_end - sup_now_ms();
    cut = timeout_ms < o->timeout_s * 1000.0 * o->clock_scale;
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
    verdict_settle(o, r, &so, &g.said, cut);
}
