/*
 * stress-run.c - the parent's side of --stress (stress.h): the child run
 * under the supervisor, what it found printed, and the same reports a
 * scenario run writes (report.c: TAP, JUnit XML, JSON, HTML), as one test,
 * "stress", whose failures carry the threads' ids and the trace of the
 * run's last events.  Prefix stress_; the child is stress.c's.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "console.h"
#include "options.h"
#include "results.h"
#include "show.h"
#include "stress.h"
#include "supervise.h"

/* The stress run as the reports see it: a test of its own, not a file. */
static struct scenario stress_scenario = {
    .id = "stress", .title = "worker threads change registrations while the loop runs",
    .rules = "R2,R29,R34,R37,R42,R43", .level = LEVEL_MUST,
    .why = "Registrations are added, updated and removed from other threads than the "
           "loop thread, in real time: every callback and free callback is checked "
           "online against what the contract allows whatever the interleaving.",
};

struct stress_report {
    const char *impl_name;
    const struct stress_opts *o;
    int lines;
    struct result *r;
    char *threads;                  /* the child's last "threads" line */
    char *crash_on;                 /* the thread a crash was on */
    FILE *trace;                    /* r->trace, as it is written */
};

/* One broken rule (or a crash, a hang) of the run, as a scenario's
 * failure: the reports then say it as they say a scenario's. */
static void add_failure(struct result *r, const char *rules, const char *message)
{
    struct failure *f = realloc(r->failures, (size_t)(r->nfailures + 1) * sizeof(*f));

    if (!f)
        return;
    r->failures = f;
    f[r->nfailures++] = (struct failure){ LEVEL_MUST, strdup(rules), strdup(message) };
    r->outcome = OUT_FAIL;
}

/* The run's first line, before whatever comes first from the child. */
static void heading(struct stress_report *sr)
{
    if (sr->lines++ == 0)
        printf("stress: %s, %d worker threads for %d ms\n", con_esc(sr->impl_name),
               sr->o->threads, sr->o->ms);
}

/* A line from the child: "stats A B C", "stall MS", "threads ...", "trace ...",
 * "crash on THREAD", or "RULE what happened". */
static void stress_record(const char *line, void *arg)
{
    struct stress_report *sr = arg;
    const char *rest = strchr(line, ' ');
    char rule[32];

    heading(sr);
    if (!strncmp(line, "stats ", 6)) {
        printf("stress: %s operations, callbacks, free callbacks\n", con_esc(line + 6));
    } else if (!strncmp(line, "stall ", 6)) {
        printf("stress: the machine kept the loop thread waiting for a CPU for %s ms "
               "in all; the real-time bounds leave that out\n", con_esc(line + 6));
    } else if (!strncmp(line, "threads ", 8)) {
        free(sr->threads);
        sr->threads = strdup(line + 8);
    } else if (!strcmp(line, "late")) {
        return;                     /* the trace of a hang comes next */
    } else if (!strncmp(line, "crash on ", 9)) {
        free(sr->crash_on);
        sr->crash_on = strdup(line + 9);
    } else if (!strncmp(line, "trace ", 6)) {
        fprintf(sr->trace, "%s\n", line + 6);
    } else {
        snprintf(rule, sizeof(rule), "%.*s", rest ? (int)(rest - line) : (int)strlen(line),
                 line);
        printf("FAIL [%s] %s\n", con_esc(rule), con_esc(rest ? rest + 1 : ""));
        /* The reports' rules are the contract's (R1..R45); "load" is none. */
        add_failure(sr->r, rule[0] == 'R' && rule[1] >= '1' && rule[1] <= '9' ? rule : "-",
                    rest ? rest + 1 : "");
    }
}
/* ThreadSanitizer's reports, by kind, and the rule each breaks.  An IMPL
 * built with -fsanitize=thread, run on TSan's runtime (make stress-tsan),
 * has every unsynchronised access between the loop thread and the workers
 * reported, whether or not the interleaving of this run made it do harm:
 * a loop without a lock is found on every run, not when it is unlucky. */
static const struct { const char *kind, *rule; } tsan_kinds[] = {
    { "data race", "R42" },                 /* thread-safety of the six ops */
    { "lock-order-inversion", "R42" },      /* a deadlock waiting to happen */
    { "heap-use-after-free", "R34" },       /* a registration freed too early */
};

static const char *tsan_rule(const char *kind)
{
    for (size_t i = 0; i < sizeof(tsan_kinds) / sizeof(tsan_kinds[0]); i++)
        if (!strncmp(kind, tsan_kinds[i].kind, strlen(tsan_kinds[i].kind)))
            return tsan_kinds[i].rule;
    return "R42";
}

#define TSAN_MARK "WARNING: ThreadSanitizer: "

/* Report what TSan found in the child's stderr: one failure per kind of
 * report, with the first report of that kind (its first lines: where the
 * two accesses were).  Returns the number of failures. */
static int tsan_reports(struct stress_report *sr, const char *output)
{
    char msg[200];

    const char *seen[8];
    int nseen = 0;

    for (const char *w = output ? strstr(output, TSAN_MARK) : NULL; w;
         w = strstr(w + 1, TSAN_MARK)) {
        const char *kind = w + strlen(TSAN_MARK), *end = kind + strcspn(kind, "(\n");
        int n = 0, lines = 0;
        bool dup = false;

        while (end > kind && end[-1] == ' ')
            end--;
        for (int i = 0; i < nseen; i++)
            dup |= !strncmp(seen[i], kind, (size_t)(end - kind));
        for (const char *x = output; (x = strstr(x, TSAN_MARK)); x++)
            n += !strncmp(x + strlen(TSAN_MARK), kind, (size_t)(end - kind));
        if (dup || nseen == 8)
            continue;
        seen[nseen++] = kind;
        snprintf(msg, sizeof(msg), "ThreadSanitizer: %.*s between the loop thread and "
                 "other threads (%d reports)", (int)(end - kind), kind, n);
        printf("FAIL [%s] %s:\n", tsan_rule(kind), con_esc(msg));
        add_failure(sr->r, tsan_rule(kind), msg);
        for (const char *l = w; *l && lines < 16; lines++) {
            size_t len = strcspn(l, "\n");
            if (lines > 0 && len == 0)
                break;
            printf("    %s\n", con_escn(l, len));
            fprintf(sr->trace, "%.*s\n", (int)len, l);
            l += len + (l[len] != '\0');
        }
    }
    return nseen;
}

/* The end of what the child printed (a sanitizer's report, a message
 * of the loop's), into the trace: its last 40 lines. */
static void output_tail(FILE *trace, const char *output)
{
    const char *start = output ? output + strlen(output) : NULL;
    int lines = 0;

    if (!output || !*output)
        return;
    while (start > output && lines <= 40)
        lines += *--start == '\n';
    fprintf(trace, "output%s:\n%s%s", start > output ? " (its last 40 lines)" : "",
            start + (start > output), output[strlen(output) - 1] == '\n' ? "" : "\n");
}

/* How the child ended, as a failure of the run when it did not end well:
 * stopped, hung, crashed, or exited with a status of its own. */
static void child_end(struct stress_report *sr, const struct sup_outcome *so, int limit_ms)
{
    char msg[240] = "";
    const char *kind = "exit";

    if (so->interrupted) {
        kind = "stopped";
        snprintf(msg, sizeof(msg), "the runner was stopped by %s",
                 strsignal(sup_stop_signal()));
    } else if (so->timed_out) {
        kind = "hang";
        snprintf(msg, sizeof(msg), "the loop or a worker hung (killed after %d ms)",
                 limit_ms);
    } else if (WIFSIGNALED(so->status)) {
        kind = "crash";
        snprintf(msg, sizeof(msg), "the process died of %s%s%s",
                 strsignal(WTERMSIG(so->status)), sr->crash_on ? " on " : "",
                 sr->crash_on ? sr->crash_on : "");
    } else if (WIFEXITED(so->status) && WEXITSTATUS(so->status) != 0 && sr->crash_on) {
        kind = "crash";
        snprintf(msg, sizeof(msg), "the process crashed on %s and exited with %d (a "
                 "sanitizer's report: see the trace)", sr->crash_on, WEXITSTATUS(so->status));
    } else if (WIFEXITED(so->status) && WEXITSTATUS(so->status) != 0 && !sr->r->nfailures) {
        snprintf(msg, sizeof(msg), "the stress child exited with %d", WEXITSTATUS(so->status));
    }
    if (!msg[0])
        return;
    output_tail(sr->trace, so->output);
    printf("FAIL [%s] %s\n", kind, msg);
    free(sr->r->error);
    sr->r->error = strdup(msg);
    sr->r->outcome = OUT_FAIL;
}

/* A failure's details on the terminal: the threads, the trace of the
 * run's last events (and TSan's first report of each kind), the rerun. */
static void show_details(const struct result *r)
{
    if (r->outcome == OUT_PASS)
        return;
    printf("  trace:\n");
    for (const char *l = r->trace; l && *l; ) {
        size_t n = strcspn(l, "\n");
        printf("    %s\n", con_escn(l, n));
        l += n + (l[n] != '\0');
    }
    printf("  rerun: %s\n", con_esc(r->rerun));
}

/* The reports, as a scenario run writes them, of the one test. */
static int write_reports(const struct options *o, const char *impl_path,
                         const char *impl_name, const struct result *r)
{
    struct run_info ri = { impl_path, impl_name, o->report_dir, o->seed, o->strict,
                           true, o->traces };

    if (report_write(&ri, r, 1) < 0)
        return -1;
    if (!o->quiet)
        printf("reports: %s/results.tap, junit.xml, results.json\n", con_esc(o->report_dir));
    return 0;
}

/* The trace, whole: the threads' ids first, then the events and TSan's
 * reports as they came. */
static char *whole_trace(struct stress_report *sr, char *events)
{
    char *t = NULL;

    if (asprintf(&t, "threads: %s\n%s", sr->threads ? sr->threads : "(the run sent none)",
                 events ? events : "") < 0)
        t = NULL;
    free(events);
    return t;
}

int stress_run(const struct options *o, const char *impl_path, const char *impl_name)
{
    const struct stress_opts *st = &o->st;
    struct stress_child c = { impl_path, st };
    struct result r = { .sc = &stress_scenario, .path = (char *)"--stress",
                        .id = (char *)"stress", .outcome = OUT_PASS };
    struct stress_report sr = { impl_name, st, 0, &r, NULL, NULL, NULL };
    struct sup_outcome so;
    char *events = NULL;
    size_t len = 0;
    int rc;

    if (!(sr.trace = open_memstream(&events, &len)) ||
        sup_run(stress_child, &c, stress_record, &sr, st->ms + 10000.0, &so) < 0) {
        printf("FAIL [harness] cannot start a child process\n");
        if (sr.trace)
            fclose(sr.trace);
        free(events);
        return 1;
    }
    heading(&sr);
    tsan_reports(&sr, so.output);
    child_end(&sr, &so, st->ms + 10000);
    free(so.output);
    fclose(sr.trace);
    r.trace = whole_trace(&sr, events);
    r.ms = so.ms;
    r.rerun = show_rerun_stress(o);
    show_details(&r);
    rc = o->report_dir_given && write_reports(o, impl_path, impl_name, &r) < 0
             ? 2 : r.outcome != OUT_PASS;
    printf("%d passed, %d failed\n", r.outcome == OUT_PASS, r.outcome != OUT_PASS);
    for (int k = 0; k < r.nfailures; k++) {
        free(r.failures[k].rules);
        free(r.failures[k].message);
    }
    free(r.failures);
    free(r.error);
    free(r.trace);
    free(r.rerun);
    free(sr.threads);
    free(sr.crash_on);
    return so.interrupted ? 128 + sup_stop_signal() : rc;
}
