/*
 * deviations.c - reading the known-deviation files of --expect
 * (deviations.h).  Prefix dev_.  What a run makes of them is verdict.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deviations.h"
#include "idset.h"

static int parse_outcome(const char *word, enum outcome *out)
{
    static const struct { const char *word; enum outcome outcome; } words[] = {
        { "fail", OUT_FAIL }, { "warn", OUT_WARN }, { "error", OUT_ERROR },
    };

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (!strcmp(word, words[i].word)) {
            *out = words[i].outcome;
            return 0;
        }
    return -1;
}

/* One line: "ID OUTCOME REASON...", or blank, or a comment. */
static int parse_line(struct deviations *e, char *line, int lineno, char *err,
                      size_t errlen)
{
    char *id, *word, *reason, *save = NULL;
    struct deviation *grown;
    enum outcome outcome;

    line[strcspn(line, "\r\n")] = '\0';
    id = strtok_r(line, " \t", &save);
    if (!id || id[0] == '#')
        return 0;
    word = strtok_r(NULL, " \t", &save);
    reason = save ? save + strspn(save, " \t") : NULL;
    if (!word || parse_outcome(word, &outcome) < 0) {
        snprintf(err, errlen,
                 "%s:%d: expected 'SCENARIO-ID fail|warn|error REASON'",
                 e->path, lineno);
        return -1;
    }
    if (!reason || !*reason) {
        snprintf(err, errlen, "%s:%d: '%s' needs a reason", e->path, lineno,
                 id);
        return -1;
    }
    if (dev_find(e, id)) {
        snprintf(err, errlen, "%s:%d: '%s' is listed twice", e->path, lineno,
                 id);
        return -1;
    }
    if (e->n == e->cap) {       /* doubled: a long file is read in linear time */
        int cap = e->cap ? e->cap * 2 : 64;
        grown = realloc(e->v, (size_t)cap * sizeof(*grown));
        if (!grown) {
            snprintf(err, errlen, "%s: out of memory", e->path);
            return -1;
        }
        e->v = grown;
        e->cap = cap;
    }
    e->v[e->n] = (struct deviation){ strdup(id), outcome, strdup(reason),
                                     lineno, false };
    if (!e->v[e->n].id || !e->v[e->n].reason ||
        idset_add(&e->ids, e->v[e->n].id, e->n) == -2) {
        free(e->v[e->n].id);
        free(e->v[e->n].reason);
        snprintf(err, errlen, "%s: out of memory", e->path);
        return -1;
    }
    e->n++;
    return 0;
}

int dev_load(const char *path, struct deviations *e, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, rc = 0;

    memset(e, 0, sizeof(*e));
    e->path = strdup(path);
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    while (rc == 0 && getline(&line, &cap, f) >= 0)
        rc = parse_line(e, line, ++lineno, err, errlen);
    free(line);
    fclose(f);
    return rc;
}

/* By hash: the run looks up every scenario, and loading every line. */
struct deviation *dev_find(struct deviations *e, const char *id)
{
    int i = idset_find(&e->ids, id);

    return i >= 0 ? &e->v[i] : NULL;
}

void dev_free(struct deviations *e)
{
    for (int i = 0; i < e->n; i++) {
        free(e->v[i].id);
        free(e->v[i].reason);
    }
    free(e->v);
    free(e->path);
    idset_free(&e->ids);
    memset(e, 0, sizeof(*e));
}
