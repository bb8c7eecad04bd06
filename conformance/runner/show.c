/*
 * show.c - what the run prints on the terminal (show.h): the progress
 * lines, each failure's page (rules, messages, the end of its trace, its
 * rerun line), the summary and --list.  Prefix show_.  Every text from
 * outside goes through console.c's escaping; the files written are
 * report.c's.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "show.h"
#include "verdict.h"

/* The command that reruns exactly this scenario, as it ran. */
/* Run under ASan's runtime, preloaded (make conformance-asan's SAN_ENV):
 * an IMPL built with it loads nowhere else, so the rerun line must say
 * that recipe. */
static bool sanitizer_mode(void)
{
    const char *preload = getenv("LD_PRELOAD");

    return preload && strstr(preload, "libasan");
}

char *show_rerun_line(const struct options *o, const struct result *r)
{
    char w1[2 * PATH_MAX], w2[2 * PATH_MAX], *line = NULL;
    const char *flags = o->strict && o->perturb ? " FLAGS='--strict --perturb'"
                        : o->strict             ? " FLAGS=--strict"
                        : o->perturb            ? " FLAGS=--perturb"
                                                : "";

    /* A generated program is made again from the seed: its file is kept
     * only when it fails. */
    if (r->gen_k) {
        if (asprintf(&line,
                     "make conformance IMPL=%s SEED=%llu FLAGS='--generate %d "
                     "--filter %s%s%s'",
                     con_shell_word(o->impl, w1, sizeof(w1)),
                     (unsigned long long)o->seed, r->gen_k, r->id,
                     o->strict ? " --strict" : "",
                     o->perturb ? " --perturb" : "") < 0)
            return NULL;
        return line;
    }
    if (o->realtime) {          /* the recipe of faketime and its flags */
        if (asprintf(&line, "make conformance-realtime IMPL=%s SCENARIOS=%s SEED=%llu "
                     "TOLERANCE=%d", con_shell_word(o->impl, w1, sizeof(w1)),
                     con_shell_word(r->path, w2, sizeof(w2)),
                     (unsigned long long)o->seed, o->tolerance_ms) < 0)
            return NULL;
        return line;
    }
    if (asprintf(&line, "make %s IMPL=%s SCENARIOS=%s SEED=%llu%s",
                 sanitizer_mode() ? "conformance-asan" : "conformance",
                 con_shell_word(o->impl, w1, sizeof(w1)),
                 con_shell_word(r->path, w2, sizeof(w2)),
                 (unsigned long long)o->seed, flags) < 0)
        return NULL;
    return line;
}

/* One scenario's failure, its page: what it checks, what went wrong, the
 * end of its trace, and how to run it again. */
static void show_failure(const struct options *o, const struct result *r)
{
    const struct scenario *sc = r->sc;
    int lines = 0;
    const char *start;

    printf("\n%s %s: %s\n", r->outcome == OUT_WARN ? "WARNING" : "FAILED",
           con_esc(r->id), con_esc(sc ? sc->title : ""));
    if (sc)
        printf("  rules: %s (%s)\n  file:  %s\n  why:   %s\n",
               con_esc(sc->rules), scenario_level_name(sc->level),
               con_esc(r->path), con_esc(sc->why));
    if (r->error)
        printf("  %s\n", con_esc(r->error));
    for (int k = 0; k < r->nfailures; k++)
        printf("  [%s %s] %s\n", scenario_level_name(r->failures[k].level),
               con_esc(r->failures[k].rules), con_esc(r->failures[k].message));
    if (r->trace && *r->trace) {
        start = r->trace + strlen(r->trace);
        while (start > r->trace && lines <= 40)
            if (*--start == '\n')
                lines++;
        if (start > r->trace)
            start++;
        printf("  trace%s:\n", start > r->trace ? " (last 40 lines)" : "");
        for (const char *l = start; *l; ) {
            const char *e = strchr(l, '\n');
            int n = e ? (int)(e - l) : (int)strlen(l);
            printf("    %s\n", con_escn(l, (size_t)n));
            l += n + (e ? 1 : 0);
        }
    }
    if (sc)
        printf("  seed: %llu\n  rerun: %s\n", (unsigned long long)o->seed,
               con_esc(r->rerun));
}

/* Colour for an outcome on a terminal (none when stdout is a file or a
 * pipe, or NO_COLOR is set); -1 for the reset. */
static const char *colour(int outcome)
{
    static int on = -1;

    if (on < 0)
        on = isatty(1) && !getenv("NO_COLOR");
    if (!on)
        return "";
    switch (outcome) {
    case OUT_PASS: return "\033[32m";
    case OUT_WARN: return "\033[33m";
    case OUT_FAIL: case OUT_ERROR: return "\033[31m";
    case OUT_SKIP: return "\033[2m";
    default: return "\033[0m";
    }
}

void show_start(const struct options *o, const char *impl_name, int n)
{
    if (!o->quiet)
        printf("evconf: %d scenarios against %s (seed %llu%s)\n", n,
               con_esc(impl_name), (unsigned long long)o->seed,
               o->realtime ? ", real time" : "");
}

void show_progress(const struct options *o, int i, int n,
                   const struct result *r)
{
    if (!o->quiet)
        printf("[%3d/%d] %s%-5s%s %s\n", i + 1, n, colour(r->outcome),
               r->outcome == OUT_PASS ? "ok" : report_outcome_name(r->outcome),
               colour(-1), con_esc(r->id));
}

/* With --expect, a known deviation is a line in the reports, not a page
 * of details. */
void show_failures(struct options *o, const struct result *res, int n)
{
    for (int i = 0; i < n; i++)
        if (res[i].outcome != OUT_PASS && res[i].outcome != OUT_SKIP &&
            (!o->expect_path || res[i].outcome != verdict_expected(o, &res[i])))
            show_failure(o, &res[i]);
}

void show_end(const struct options *o, const int count[5], int unrun,
              const char *why)
{
    if (!o->quiet)
        printf("\nreports: %s/results.tap, junit.xml, results.json\n",
               con_esc(o->report_dir));
    if (unrun)
        fprintf(stderr, "evconf-run: %s: %d scenario%s\n", why,
                unrun, unrun == 1 ? " not run" : "s not run");
    printf("%d passed, %d failed, %d warnings, %d skipped\n", count[OUT_PASS],
           count[OUT_FAIL] + count[OUT_ERROR], count[OUT_WARN],
           count[OUT_SKIP]);
}

void show_list(const struct options *o, const struct result *res, int nres,
               int unloaded)
{
    for (int i = 0; i < nres; i++)
        if (res[i].sc)
            printf("%-44s %-6s %-12s %s\n", con_esc(res[i].id),
                   scenario_level_name(res[i].sc->level),
                   con_esc(res[i].sc->rules), con_esc(res[i].sc->title));
    if (unloaded)
        fprintf(stderr,
                "evconf-run: the --budget of %d s was used up: %d scenario "
                "file%s not read\n",
                o->budget_s, unloaded, unloaded == 1 ? "" : "s");
}
