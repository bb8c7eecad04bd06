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

/* A path the rerun line names, made absolute when it exists, as one
 * shell word. */
static const char *rerun_path(const char *p, char *buf, size_t len)
{
    char abs[PATH_MAX];
    const char *w = con_shell_word(realpath(p, abs) ? abs : p, buf, len);

    if (w != buf)                   /* abs itself: it lives here only */
        snprintf(buf, len, "%s", w);
    return buf;
}

/* The runner, as the user can start it again where it ran: by its name
 * when the shell found it on PATH (an installed kit's evconf-run), else by
 * its absolute path (a relative one is make's directory, which need not be
 * the user's). */
static const char *rerun_program(const struct options *o, char *buf, size_t len)
{
    char path[PATH_MAX];
    ssize_t n;

    if (o->argv0 && *o->argv0 && !strchr(o->argv0, '/'))
        return con_shell_word(o->argv0, buf, len);
    n = readlink("/proc/self/exe", path, sizeof(path) - 1);
    path[n > 0 ? n : 0] = '\0';
    return rerun_path(n > 0 ? path : "evconf-run", buf, len);
}

/* perl's @INC as --perl-inc gave it (options.c keeps it in
 * EVCONF_PERL_INC, which the perl adapter reads): a --perl-inc each. */
static void rerun_perl_inc(FILE *f)
{
    const char *inc = getenv("EVCONF_PERL_INC");
    char dir[PATH_MAX], w[2 * PATH_MAX];

    while (inc && *inc) {
        size_t n = strcspn(inc, ":");
        if (n > 0 && n < sizeof(dir)) {
            snprintf(dir, sizeof(dir), "%.*s", (int)n, inc);
            fprintf(f, " --perl-inc %s", rerun_path(dir, w, sizeof(w)));
        }
        inc += n + (inc[n] == ':');
    }
}

/* Whether LD_PRELOAD names lib: a runtime the IMPL may need to load. */
static bool preloaded(const char *lib)
{
    const char *preload = getenv("LD_PRELOAD");

    return preload && strstr(preload, lib);
}

/* Where the run wrote its reports and the implementation's coverage
 * data, when it was told: the rerun writes to the same places, so that
 * what it finds is where the first run's was looked for. */
static void rerun_dirs(FILE *f, const struct options *o)
{
    char w[2 * PATH_MAX];

    if (o->report_dir_given)
        fprintf(f, " --report-dir %s", rerun_path(o->report_dir, w, sizeof(w)));
    if (o->coverage_dir)
        fprintf(f, " --coverage-dir %s", rerun_path(o->coverage_dir, w, sizeof(w)));
}

/* The options that decide how a scenario runs and is judged, as given. */
static void rerun_flags(FILE *f, const struct options *o)
{
    char w[2 * PATH_MAX];

    fputs(o->strict ? " --strict" : "", f);
    fputs(o->perturb ? " --perturb" : "", f);
    if (o->sanitizer)
        fprintf(f, " --sanitizer=%s", o->sanitizer);
    else if (preloaded("libasan"))  /* started under ASan's runtime by hand */
        fputs(" --sanitizer=address", f);
    if (o->realtime && o->speedup)
        fprintf(f, " --realtime=%d", o->speedup);
    else if (o->realtime)
        fputs(" --realtime", f);
    if (o->tolerance_ms != (o->realtime ? 50 : 0))
        fprintf(f, " --tolerance %d", o->tolerance_ms);
    if (o->timeout_s != 10)
        fprintf(f, " --timeout %d", o->timeout_s);
    if (o->wake_timeout_ms != 2000)
        fprintf(f, " --wake-timeout %d", o->wake_timeout_ms);
    if (o->expect_path)
        fprintf(f, " --expect %s", rerun_path(o->expect_path, w, sizeof(w)));
    rerun_perl_inc(f);
    rerun_dirs(f, o);
}

/* The runner and the IMPL: an IMPL's path made absolute, a word (a
 * built-in's name, python:FILE...) as it was given. */
static void rerun_head(FILE *f, const struct options *o)
{
    char w1[2 * PATH_MAX], w2[2 * PATH_MAX];
    bool path_impl = strchr(o->impl, '/') && !strchr(o->impl, ':');

    fprintf(f, "%s --impl %s", rerun_program(o, w1, sizeof(w1)),
            path_impl ? rerun_path(o->impl, w2, sizeof(w2))
                      : con_shell_word(o->impl, w2, sizeof(w2)));
}

/* The command that reruns a scenario file (or, with gen_k, generated
 * program gen_k, named id) as it ran, and works where it ran: evconf-run
 * with the IMPL, the file, the seed and the options that matter.  A
 * generated program is made again from the seed, its file being kept only
 * when it fails: --generate K and its id. */
static char *rerun_command(const struct options *o, const char *path, int gen_k,
                           const char *id)
{
    char w3[2 * PATH_MAX], *line = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&line, &len);

    if (!f)
        return NULL;
    rerun_head(f, o);
    if (gen_k)
        fprintf(f, " --seed %llu --generate %d --filter %s", (unsigned long long)o->seed,
                gen_k, con_shell_word(id, w3, sizeof(w3)));
    else
        fprintf(f, " -s %s --seed %llu", rerun_path(path, w3, sizeof(w3)),
                (unsigned long long)o->seed);
    rerun_flags(f, o);
    if (fclose(f) != 0) {
        free(line);
        return NULL;
    }
    return line;
}

char *show_rerun_line(const struct options *o, const struct result *r)
{
    return rerun_command(o, r->path, r->gen_k, r->id);
}

char *show_rerun_file(const struct options *o, const char *path)
{
    return rerun_command(o, path, 0, NULL);
}

/* A shard's rerun line, as the merged run prints it: the shard's own
 * --report-dir (shard_dir) becomes the merged run's, or goes when the
 * merge was given none, so that a rerun writes where the merged reports
 * are.  Any other word is the shard's, as it ran. */
char *show_rerun_merged(const struct options *o, const char *rerun, const char *shard_dir)
{
    char w[2 * PATH_MAX], was[2 * PATH_MAX + 16], now[2 * PATH_MAX + 16], *line = NULL;
    const char *at;
    size_t n;

    n = (size_t)snprintf(was, sizeof(was), " --report-dir %s",
                         rerun_path(shard_dir, w, sizeof(w)));
    at = strstr(rerun, was);
    if (!at || (at[n] != ' ' && at[n] != '\0'))
        return strdup(rerun);
    now[0] = '\0';
    if (o->report_dir_given)
        snprintf(now, sizeof(now), " --report-dir %s", rerun_path(o->report_dir, w, sizeof(w)));
    if (asprintf(&line, "%.*s%s%s", (int)(at - rerun), rerun, now, at + n) < 0)
        return NULL;
    return line;
}

char *show_rerun_stress(const struct options *o)
{
    char *line = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&line, &len);

    if (!f)
        return NULL;
    rerun_head(f, o);
    fprintf(f, " --stress --threads %d --stress-ms %d", o->st.threads, o->st.ms);
    if (o->sanitizer)
        fprintf(f, " --sanitizer=%s", o->sanitizer);
    else if (preloaded("libasan"))  /* started under ASan's runtime by hand */
        fputs(" --sanitizer=address", f);
    rerun_dirs(f, o);
    if (fclose(f) != 0) {
        free(line);
        return NULL;
    }
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
            (!o->expect_path || !verdict_as_expected(o, &res[i])))
            show_failure(o, &res[i]);
}

/* One line whatever the outcomes, for comparing loops: a figure, not a
 * verdict (docs/wakeups.md). */
static void show_wakeups(const struct result *res, int n)
{
    const struct result *most = NULL;
    long all = 0;
    int counted = 0;

    for (int i = 0; i < n; i++) {
        if (!res[i].counted)
            continue;
        counted++;
        all += res[i].idle_wakeups;
        if (!most || res[i].idle_wakeups > most->idle_wakeups)
            most = &res[i];
    }
    if (!counted) {
        printf("idle wake-ups: n/a (counted in virtual time only)\n");
        return;
    }
    printf("idle wake-ups: %ld in %d scenario%s", all, counted, counted == 1 ? "" : "s");
    if (most->idle_wakeups > 0)
        printf(", most in %s (%d of %d iterations)", con_esc(most->id),
               most->idle_wakeups, most->iterations);
    printf("\n");
}

void show_end(const struct options *o, const int count[5], int unrun,
              const char *why, const struct result *res, int n)
{
    if (!o->quiet)
        printf("\nreports: %s/results.tap, junit.xml, results.json\n",
               con_esc(o->report_dir));
    show_wakeups(res, n);
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
