/*
 * shrink.c - the parent's side of generated programs (shrink.h): each
 * made in its turn from the seed, written only if it fails, and then
 * shrunk to a smaller program that fails the same way.  Prefix shrink_.
 * The programs' text and the line-deleting search are generate.c's;
 * their paths are suite.c's.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "generate.h"
#include "outfile.h"
#include "run.h"
#include "show.h"
#include "shrink.h"

/* Program r->gen_k, parsed into r; returns its text (the caller frees
 * it), or NULL with r an error. */
char *shrink_make_generated(const struct options *o, struct result *r)
{
    char *text = generate_program(o->seed, r->gen_k), err[1024];
    struct scenario *sc =
        text ? scenario_parse_text(r->path, text, err, sizeof(err)) : NULL;

    if (!sc) {
        free(r->error);
        r->error = strdup(text ? err : "cannot generate the program");
        r->outcome = OUT_ERROR;
        free(text);
        return NULL;
    }
    r->sc = sc;
    r->id = sc->id;
    return text;
}

/* A failing program is kept, for its rerun line and its shrinking:
 * written under a name of its own and renamed into place (outfile.h). */
void shrink_write_generated(const char *path, const char *text)
{
    if (outfile_write(path, text, 0666) < 0)
        fprintf(stderr, "evconf-run: cannot write %s: %s\n", con_esc(path),
                strerror(errno));
}

/* How a generated program failed, for telling whether a smaller one fails
 * the same way: the rules of its first failure and what its message says
 * up to the first colon, without numbers (times and iterations move as
 * lines go), or its error.  The rules alone would not do: the runner's
 * own verdicts are filed under every rule a generated program names, so
 * "did not wake up" would shrink into "spins". */
static void failure_key(const struct result *r, char *key, size_t len)
{
    const char *m;
    size_t n;

    if (r->outcome == OUT_ERROR || r->nfailures == 0) {
        snprintf(key, len, "error");
        return;
    }
    n = (size_t)snprintf(key, len, "%s|", r->failures[0].rules);
    for (m = r->failures[0].message; m && *m && *m != ':' && n + 1 < len; m++)
        if (*m < '0' || *m > '9')
            key[n++] = *m;
    key[n < len ? n : len - 1] = '\0';
}

struct shrink_ctx {
    const struct options *o;
    const char *impl_path;
    char key[160];
    int runs;
    bool out_of_budget;         /* the --budget ended during the shrinking */
};

/* generate_shrink's test: the smaller program at path fails the same way
 * (failure_key) as the one shrunk.  Once the --budget ends, nothing does:
 * the shrinking stops with what it has. */
static bool still_fails(const char *path, void *arg)
{
    struct shrink_ctx *c = arg;
    char err[1024], key[160];
    struct scenario *sc = scenario_parse(path, err, sizeof(err));
    struct result r = { 0 };
    bool same;

    if (!sc)
        return false;
    if (c->out_of_budget || opt_budget_over(c->o)) {
        c->out_of_budget = true;
        scenario_free(sc);
        return false;
    }
    c->runs++;
    run_one(c->o, c->impl_path, sc, &r, c->o->budget_end);
    failure_key(&r, key, sizeof(key));
    /* A run the --budget cut short says nothing: it is not kept. */
    c->out_of_budget = opt_budget_over(c->o);
    same = !c->out_of_budget &&
           (r.outcome == OUT_FAIL || r.outcome == OUT_ERROR ||
            (r.outcome == OUT_WARN && c->o->strict)) &&
           !strcmp(key, c->key);
    for (int k = 0; k < r.nfailures; k++) {
        free(r.failures[k].rules);
        free(r.failures[k].message);
    }
    free(r.failures);
    free(r.trace);
    free(r.error);
    scenario_free(sc);
    return same;
}

/* Where the shrunk program of path goes: X.scn's beside it as X.min.scn,
 * and X.min.scn's over itself, never as X.min.min.scn. */
static void shrunk_name(const char *path, char *out, size_t len)
{
    size_t stem = strlen(path) - (strlen(path) >= 4 ? 4 : 0);

    if (stem >= 4 && !strncmp(path + stem - 4, ".min", 4))
        stem -= 4;
    snprintf(out, len, "%.*s.min.scn", (int)stem, path);
}

/* Shrink a failing generated program to a minimal one, written beside it
 * as .min.scn, and say where it is in the result. */
void shrink_result(const struct options *o, const char *impl_path,
                   struct result *r)
{
    struct shrink_ctx c = { o, impl_path, "", 0, false };
    char out[PATH_MAX], *line = NULL, *text = NULL, *rerun;
    size_t cap = 0;
    FILE *f = fopen(r->path, "r");
    ssize_t got;
    int left;

    if (opt_budget_over(o)) {
        run_add_failure(r, "INFO - not shrunk: the --budget was used up");
        if (f)
            fclose(f);
        return;
    }
    if (!f)
        return;
    got = getdelim(&text, &cap, '\0', f);
    fclose(f);
    if (got <= 0) {
        free(text);
        return;
    }
    failure_key(r, c.key, sizeof(c.key));
    shrunk_name(r->path, out, sizeof(out));
    if (!o->quiet)
        printf("shrinking %s (%s)...\n", con_esc(r->id), con_esc(c.key));
    left = generate_shrink(text, out, still_fails, &c);
    free(text);
    rerun = show_rerun_file(o, out);
    if (asprintf(&line, "INFO - %s to %d step lines in %d runs: %s (rerun: %s)",
                 c.out_of_budget ? "partly shrunk (the --budget was used up)"
                                 : "shrunk",
                 left, c.runs, out, rerun ? rerun : "?") > 0)
        run_add_failure(r, line);
    free(line);
    free(rerun);
}
