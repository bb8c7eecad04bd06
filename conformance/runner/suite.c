/*
 * suite.c - the scenarios of a run (suite.h): the files --scenarios names
 * (files, directories, globs), the generated programs' paths, each parsed
 * into a result, with --filter and --exclude applied and ids checked
 * unique.  Prefix suite_.  Running them is turns.c's and run.c's; making
 * a generated program, in its turn, is shrink.c's.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "console.h"
#include "idset.h"
#include "outfile.h"
#include "suite.h"

/* For qsort: a directory's files in name order, the same everywhere. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Room doubles at each power of two: a directory of 100k files is
 * collected in linear time. */
static void add_path(char ***files, int *n, const char *path)
{
    if ((*n & (*n - 1)) == 0) {
        char **grown =
            realloc(*files, (size_t)(*n ? *n * 2 : 16) * sizeof(**files));
        if (!grown)
            abort();
        *files = grown;
    }
    (*files)[(*n)++] = strdup(path);
}

/* One --scenarios word: a directory (its *.scn, sorted), a file, or a
 * glob.  0, or -1 when it names nothing. */
static int collect(const char *arg, char ***files, int *n)
{
    struct stat st;
    glob_t g;

    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
        DIR *d = opendir(arg);
        struct dirent *e;
        int first = *n;
        if (!d)
            return -1;
        while ((e = readdir(d))) {
            size_t len = strlen(e->d_name);
            char path[PATH_MAX];
            if (len > 4 && !strcmp(e->d_name + len - 4, ".scn")) {
                snprintf(path, sizeof(path), "%s/%s", arg, e->d_name);
                add_path(files, n, path);
            }
        }
        closedir(d);
        qsort(*files + first, (size_t)(*n - first), sizeof(**files), cmp_str);
        return 0;
    }
    if (stat(arg, &st) == 0) {
        add_path(files, n, arg);
        return 0;
    }
    if (glob(arg, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++)
            add_path(files, n, g.gl_pathv[i]);
        globfree(&g);
        return 0;
    }
    return -1;
}

/* Whether id matches one of filter's comma-separated globs (--filter,
 * --exclude); no filter matches every id. */
static bool matches(const char *filter, const char *id)
{
    char buf[1024], *save = NULL;

    if (!filter)
        return true;
    snprintf(buf, sizeof(buf), "%s", filter);
    for (char *pat = strtok_r(buf, ",", &save); pat;
         pat = strtok_r(NULL, ",", &save))
        if (fnmatch(pat, id, 0) == 0)
            return true;
    return false;
}

/* Whether --filter chooses among the generated programs too: only when
 * one of its globs starts with "gen-" (--help says so).  A filter meant
 * for the scenario files ("timer-*") would otherwise drop every program
 * of --generate N without a word. */
static bool filters_programs(const char *filter)
{
    if (!filter)
        return false;
    for (const char *p = filter; p; p = strchr(p, ','))
        if (!strncmp(p + (*p == ','), "gen-", 4))
            return true;
    return false;
}

/* The programs' paths, REPORT_DIR/generated/gen-SEED-K.scn, added to
 * the run.  Nothing is written yet: each program is made when its turn
 * comes (make_generated), so that the --budget bounds generation, and
 * only a failing one is written (write_generated), so that what
 * generation writes is bounded by what fails, not by N. */
static int generated_paths(const struct options *o, char ***files, int *n)
{
    char dir[PATH_MAX], path[PATH_MAX + 64];

    snprintf(dir, sizeof(dir), "%s/generated", o->report_dir);
    if (report_dir_ready(o->report_dir) < 0)
        return -1;
    if (outfile_private_dir(dir) < 0) {
        fprintf(stderr, "evconf-run: cannot create %s: %s\n", con_esc(dir),
                strerror(errno));
        return -1;
    }
    for (int k = 1; k <= o->generate; k++) {
        snprintf(path, sizeof(path), "%s/gen-%llu-%d.scn", dir,
                 (unsigned long long)o->seed, k);
        add_path(files, n, path);
    }
    return 0;
}

/* One file parsed into res[*nres] (an error if it does not parse, or if
 * its id is used by an earlier file: ids maps each id seen to its file);
 * nothing if --filter leaves it out. */
static void load_one(const struct options *o, char **files, int i,
                     struct idset *ids, struct result *res, int *nres,
                     int *bad_input)
{
    char err[1024];
    struct scenario *sc = scenario_parse(files[i], err, sizeof(err));
    char *id;
    int first;

    if (sc) {
        /* An id used twice: the second file is an error, not run. */
        if (!(id = strdup(sc->id)) || (first = idset_add(ids, id, i)) == -2)
            abort();
        if (first >= 0) {
            free(id);
            snprintf(err, sizeof(err), "%s:1: id '%s' is already used by %s",
                     files[i], sc->id, files[first]);
            scenario_free(sc);
            sc = NULL;
        }
    }
    if (!sc) {
        fprintf(stderr, "evconf-run: %s\n", con_esc(err));
        res[(*nres)++] = (struct result){ .path = files[i],
                                          .id = files[i],
                                          .outcome = OUT_ERROR,
                                          .error = strdup(err) };
        *bad_input = 1;
        return;
    }
    if (!matches(o->filter, sc->id) ||
        (o->exclude && matches(o->exclude, sc->id))) {
        scenario_free(sc);
        return;
    }
    res[(*nres)++] =
        (struct result){ .sc = sc, .path = files[i], .id = sc->id };
}

/* Generated program k, files[i], into res[*nres] to be made in its turn,
 * unless --exclude or a --filter naming programs (filters_programs)
 * leaves it out, or its id is a file's. */
static void load_generated(const struct options *o, char **files, int i, int k,
                           struct idset *ids, struct result *res, int *nres,
                           int *bad_input)
{
    char *id = NULL;
    int first;

    if (asprintf(&id, "gen-%llu-%d", (unsigned long long)o->seed, k) < 0 ||
        (first = idset_add(ids, id, i)) == -2)
        abort();
    if (first >= 0) {
        char err[1024];
        snprintf(err, sizeof(err), "%s:1: id '%s' is already used by %s",
                 files[i], id, files[first]);
        free(id);
        fprintf(stderr, "evconf-run: %s\n", con_esc(err));
        res[(*nres)++] = (struct result){ .path = files[i],
                                          .id = files[i],
                                          .outcome = OUT_ERROR,
                                          .error = strdup(err) };
        *bad_input = 1;
        return;
    }
    if (!matches(filters_programs(o->filter) ? o->filter : NULL, id) ||
        (o->exclude && matches(o->exclude, id)))
        return;
    res[(*nres)++] =
        (struct result){ .path = files[i], .id = files[i], .gen_k = k };
}

/* One result's own memory (suite_free's, for one). */
static void free_result(struct result *r)
{
    for (int k = 0; k < r->nfailures; k++) {
        free(r->failures[k].rules);
        free(r->failures[k].message);
    }
    free(r->failures);
    free(r->trace);
    free(r->error);
    free(r->rerun);
    scenario_free((struct scenario *)r->sc);
}

/* --shard I/N: only the results whose place in res[] (suite order, after
 * --filter and --exclude) is I-1 modulo N are kept, so that N jobs share
 * the suite evenly whatever its order (scenarios of one family, slow or
 * fast, sit together); *bad_input and *unloaded then count this shard's
 * alone.  Interleaved, not contiguous blocks: --merge needs neither. */
static void keep_shard(const struct options *o, struct result *res, int *nres,
                       int *bad_input, int *unloaded)
{
    int kept = 0;

    if (!o->shard_n)
        return;
    *bad_input = 0;
    *unloaded = 0;
    for (int i = 0; i < *nres; i++) {
        if (i % o->shard_n != o->shard_i - 1) {
            free_result(&res[i]);
            continue;
        }
        *bad_input |= res[i].outcome == OUT_ERROR;
        *unloaded += res[i].outcome == OUT_SKIP;
        res[kept++] = res[i];
    }
    *nres = kept;
}

/* The ids of ids, which owns them. */
static void free_ids(struct idset *ids)
{
    for (size_t k = 0; k < ids->nslots; k++)
        free((char *)ids->keys[k]);
    idset_free(ids);
}

/* The scenario files named by --scenarios (or the built-in suite), and
 * the generated programs, parsed into res[] (those --filter keeps; files
 * that do not parse too, as errors).  Returns 0, or 2 when the paths
 * themselves are wrong; *bad_input is set for files that did not parse
 * and for ids used twice.  Within the --budget: the files not read when
 * it ends, and the programs not generated, are in res[] as not run (the
 * run then reports them so), and *unloaded says how many. */
int suite_load(const struct options *o, char ***files, int *nfiles,
               struct result **res_out, int *nres, int *bad_input,
               int *unloaded)
{
    struct idset ids = { 0 };
    struct result *res;
    int nread;

    for (int i = 0; i < o->npaths; i++) {
        int before = *nfiles;
        if (collect(o->paths[i], files, nfiles) < 0 || *nfiles == before) {
            fprintf(stderr, "evconf-run: no scenarios (*.scn) at '%s'\n",
                    con_esc(o->paths[i]));
            return 2;
        }
    }
    nread = *nfiles;
    if (o->generate && !o->list && generated_paths(o, files, nfiles) < 0)
        return 2;
    res = calloc((size_t)*nfiles + 1, sizeof(*res));
    for (int i = 0; i < *nfiles; i++) {
        if (opt_budget_over(o)) {
            res[(*nres)++] =
                (struct result){ .path = (*files)[i],
                                 .id = (*files)[i],
                                 .outcome = OUT_SKIP,
                                 .error =
                                     strdup("not run: the --budget was "
                                            "used up before it was read") };
            ++*unloaded;
            continue;
        }
        if (i < nread)
            load_one(o, *files, i, &ids, res, nres, bad_input);
        else
            load_generated(o, *files, i, i - nread + 1, &ids, res, nres,
                           bad_input);
    }
    free_ids(&ids);
    keep_shard(o, res, nres, bad_input, unloaded);
    *res_out = res;
    return 0;
}

/* Each result owns its scenario, failures, trace, error and rerun line;
 * files owns the paths the results point to. */
void suite_free(struct result *res, int n, char **files, int nfiles)
{
    for (int i = 0; i < n; i++)
        free_result(&res[i]);
    free(res);
    for (int i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
}
