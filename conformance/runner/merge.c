/*
 * merge.c - --merge DIR... (merge.h): the results.json of shards (--shard
 * I/N runs) read back into the suite's results, so that the reports of
 * the whole suite are written as one run with the same options writes
 * them.  Prefix merge_.  A small JSON reader for what report.c writes
 * (docs/results.schema.json) is here too: the kit has no JSON library.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "idset.h"
#include "merge.h"
#include "run.h"
#include "show.h"
#include "shrink.h"
#include "turns.h"

/* ---- a JSON value ---- */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
    enum jtype t;
    double num;                 /* J_NUM, J_BOOL */
    char *str;                  /* J_STR */
    int n;                      /* J_ARR, J_OBJ: how many */
    char **keys;                /* J_OBJ */
    struct jv *kids;
};

struct jin {
    const char *p, *end;
    int depth;
};

static void jv_free(struct jv *v)
{
    for (int i = 0; i < v->n; i++) {
        jv_free(&v->kids[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->kids);
    free(v->keys);
    free(v->str);
}

static void skip_ws(struct jin *in)
{
    while (in->p < in->end && strchr(" \t\r\n", *in->p))
        in->p++;
}

/* Code point u as UTF-8 into f. */
static void put_utf8(FILE *f, unsigned u)
{
    if (u < 0x80) {
        fputc((int)u, f);
    } else if (u < 0x800) {
        fputc((int)(0xC0 | u >> 6), f);
        fputc((int)(0x80 | (u & 0x3F)), f);
    } else if (u < 0x10000) {
        fputc((int)(0xE0 | u >> 12), f);
        fputc((int)(0x80 | ((u >> 6) & 0x3F)), f);
        fputc((int)(0x80 | (u & 0x3F)), f);
    } else {
        fputc((int)(0xF0 | u >> 18), f);
        fputc((int)(0x80 | ((u >> 12) & 0x3F)), f);
        fputc((int)(0x80 | ((u >> 6) & 0x3F)), f);
        fputc((int)(0x80 | (u & 0x3F)), f);
    }
}

static bool hex4(struct jin *in, unsigned *u)
{
    char buf[5], *e;

    if (in->end - in->p < 4)
        return false;
    memcpy(buf, in->p, 4);
    buf[4] = '\0';
    *u = (unsigned)strtoul(buf, &e, 16);
    in->p += 4;
    return e == buf + 4;
}

/* One escape after its backslash into f. */
static bool escape(struct jin *in, FILE *f)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *k;
    unsigned u, lo;

    if (in->p >= in->end)
        return false;
    if (*in->p != 'u' && (k = strchr(from, *in->p)) && *in->p) {
        fputc(to[k - from], f);
        in->p++;
        return true;
    }
    if (*in->p++ != 'u' || !hex4(in, &u))
        return false;
    if (u >= 0xD800 && u < 0xDC00 && in->end - in->p >= 6 && in->p[0] == '\\' &&
        in->p[1] == 'u') {
        in->p += 2;
        if (!hex4(in, &lo) || lo < 0xDC00 || lo > 0xDFFF)
            return false;
        u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
    }
    put_utf8(f, u);
    return true;
}

/* A string, after its opening quote, into a new *out. */
static bool jstring(struct jin *in, char **out)
{
    size_t len = 0;
    FILE *f = open_memstream(out, &len);
    bool ok = f != NULL;

    while (ok && in->p < in->end && *in->p != '"') {
        if (*in->p == '\\') {
            in->p++;
            ok = escape(in, f);
        } else {
            fputc(*in->p++, f);
        }
    }
    if (f && fclose(f) != 0)
        ok = false;
    if (ok && in->p < in->end) {
        in->p++;
        return true;
    }
    free(*out);
    *out = NULL;
    return false;
}

static bool jvalue(struct jin *in, struct jv *v);

/* An array's or object's members, after its opening bracket. */
static bool jmembers(struct jin *in, struct jv *v, char close)
{
    skip_ws(in);
    if (in->p < in->end && *in->p == close) {
        in->p++;
        return true;
    }
    for (;;) {
        struct jv kid = { 0 };
        char *key = NULL;
        skip_ws(in);
        if (close == '}') {
            if (in->p >= in->end || *in->p++ != '"' || !jstring(in, &key))
                return false;
            skip_ws(in);
            if (in->p >= in->end || *in->p++ != ':') {
                free(key);
                return false;
            }
        }
        v->kids = realloc(v->kids, (size_t)(v->n + 1) * sizeof(*v->kids));
        if (close == '}')
            v->keys = realloc(v->keys, (size_t)(v->n + 1) * sizeof(*v->keys));
        if (!v->kids || (close == '}' && !v->keys))
            abort();
        if (v->keys)
            v->keys[v->n] = key;
        v->kids[v->n++] = kid;
        if (!jvalue(in, &v->kids[v->n - 1]))
            return false;
        skip_ws(in);
        if (in->p < in->end && *in->p == ',') {
            in->p++;
            continue;
        }
        return in->p < in->end && *in->p++ == close;
    }
}

/* One value at in->p into *v, nested at most 32 deep. */
static bool jvalue(struct jin *in, struct jv *v)
{
    char *e;
    bool ok = true;

    skip_ws(in);
    if (in->p >= in->end || in->depth >= 32)
        return false;
    in->depth++;
    switch (*in->p) {
    case '"': v->t = J_STR; in->p++; ok = jstring(in, &v->str); break;
    case '[': v->t = J_ARR; in->p++; ok = jmembers(in, v, ']'); break;
    case '{': v->t = J_OBJ; in->p++; ok = jmembers(in, v, '}'); break;
    case 't': v->t = J_BOOL; v->num = 1; in->p += 4; break;
    case 'f': v->t = J_BOOL; in->p += 5; break;
    case 'n': v->t = J_NULL; in->p += 4; break;
    default:
        v->t = J_NUM;
        v->num = strtod(in->p, &e);
        ok = e != in->p;
        in->p = e;
    }
    in->depth--;
    return ok && in->p <= in->end;
}

/* Member key of object v, or NULL. */
static const struct jv *jget(const struct jv *v, const char *key)
{
    for (int i = 0; v->t == J_OBJ && i < v->n; i++)
        if (!strcmp(v->keys[i], key))
            return &v->kids[i];
    return NULL;
}

static const char *jstr(const struct jv *v, const char *key)
{
    const struct jv *k = jget(v, key);

    return k && k->t == J_STR ? k->str : NULL;
}

/* dir/results.json read into *v; 0, or -1 after a line saying why. */
static int read_json(const char *dir, struct jv *v)
{
    char path[PATH_MAX], *text = NULL;
    size_t cap = 0;
    ssize_t len;
    FILE *f;
    struct jin in;

    snprintf(path, sizeof(path), "%s/results.json", dir);
    if (!(f = fopen(path, "r")) || (len = getdelim(&text, &cap, '\0', f)) < 0) {
        fprintf(stderr, "evconf-run: --merge: cannot read %s: %s\n", con_esc(path),
                strerror(errno));
        if (f)
            fclose(f);
        free(text);
        return -1;
    }
    fclose(f);
    in = (struct jin){ text, text + len, 0 };
    memset(v, 0, sizeof(*v));
    if (!jvalue(&in, v) || v->t != J_OBJ || !jget(v, "scenarios")) {
        fprintf(stderr, "evconf-run: --merge: %s is not a results.json\n",
                con_esc(path));
        jv_free(v);
        free(text);
        return -1;
    }
    free(text);
    return 0;
}

/* ---- the shards' results into the suite's ---- */

/* "R29,R28" from ["R29", "R28"]; "-" from []. */
static char *joined_rules(const struct jv *rules)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);

    if (!f)
        abort();
    for (int i = 0; rules && rules->t == J_ARR && i < rules->n; i++)
        if (rules->kids[i].t == J_STR)
            fprintf(f, "%s%s", i ? "," : "", rules->kids[i].str);
    if (ftell(f) == 0)
        fputc('-', f);
    if (fclose(f) != 0)
        abort();
    return out;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Scenario object s of a shard's results.json (in dir) into r, as its
 * run left it (known deviations are judged again, from --expect; the
 * rerun line writes to the merged run's report dir). */
static void take_scenario(const struct options *o, const char *dir, const struct jv *s,
                          struct result *r)
{
    const char *rerun = jstr(s, "rerun");
    const struct jv *fl = jget(s, "failures"), *ms = jget(s, "ms");
    const struct jv *idle = jget(s, "idle_wakeups"), *iterations = jget(s, "iterations");
    const char *outcome = jstr(s, "outcome");

    for (int k = OUT_PASS; k <= OUT_SKIP; k++)
        if (outcome && !strcmp(outcome, report_outcome_name((enum outcome)k)))
            r->outcome = (enum outcome)k;
    r->ms = ms && ms->t == J_NUM ? ms->num : 0;
    r->counted = idle && idle->t == J_NUM && iterations && iterations->t == J_NUM;
    r->idle_wakeups = r->counted ? (int)idle->num : 0;
    r->iterations = r->counted ? (int)iterations->num : 0;
    free(r->error);
    r->error = dup_or_null(jstr(s, "error"));
    r->trace = dup_or_null(jstr(s, "trace"));
    r->rerun = rerun ? show_rerun_merged(o, rerun, dir) : NULL;
    /* verdict.c's words for a scenario at fault (exit status 2). */
    r->bad_scenario = r->outcome == OUT_ERROR && r->sc && r->error &&
                      !strncmp(r->error, "scenario: ", 10);
    for (int k = 0; fl && fl->t == J_ARR && k < fl->n; k++) {
        const struct jv *f = &fl->kids[k];
        const char *level = jstr(f, "level"), *msg = jstr(f, "message");
        char *rules = joined_rules(jget(f, "rules")), *line = NULL;
        if (asprintf(&line, "%s %s %s", level ? level : "INFO", rules,
                     msg ? msg : "") > 0)
            run_add_failure(r, line);
        free(line);
        free(rules);
    }
}

/* Each scenario of shard v (read from dir) into its result in res[] (by
 * id, in ids). */
static void take_shard(const struct options *o, const char *dir, const struct jv *v,
                       struct result *res, const struct idset *ids, bool *seen)
{
    const struct jv *list = jget(v, "scenarios");

    for (int k = 0; list->t == J_ARR && k < list->n; k++) {
        const char *id = jstr(&list->kids[k], "id");
        int i = id ? idset_find(ids, id) : -1;
        if (i < 0 || seen[i])
            continue;
        seen[i] = true;
        take_scenario(o, dir, &list->kids[k], &res[i]);
    }
}

/* The run's facts from the first shard: the IMPL's name and path, the
 * seed and --strict (so that --merge needs only the suite's options). */
static void take_run(const struct jv *v, struct options *o, char **name,
                     char **path)
{
    const struct jv *seed = jget(v, "seed"), *strict = jget(v, "strict");

    *name = dup_or_null(jstr(v, "impl"));
    *path = dup_or_null(jstr(v, "impl_path"));
    if (seed && seed->t == J_NUM)
        o->seed = (uint64_t)seed->num;
    if (strict && strict->t == J_BOOL)
        o->strict = strict->num != 0;
}

int merge_run(struct options *o, struct result *res, int *nres)
{
    struct idset ids = { 0 };
    bool *seen = calloc((size_t)*nres + 1, sizeof(bool));
    char *name = NULL, *path = NULL;
    int rc = 0;

    for (int i = 0; i < *nres; i++) {
        if (res[i].gen_k && !res[i].sc)     /* for its title and rules */
            free(shrink_make_generated(o, &res[i]));
        if (!seen || idset_add(&ids, res[i].id, i) == -2)
            abort();
    }
    for (int d = 0; d < o->nmerge_dirs && rc == 0; d++) {
        struct jv v;
        if (read_json(o->merge_dirs[d], &v) < 0) {
            rc = 2;
            break;
        }
        if (d == 0)
            take_run(&v, o, &name, &path);
        take_shard(o, o->merge_dirs[d], &v, res, &ids, seen);
        jv_free(&v);
    }
    for (int i = 0; i < *nres && rc == 0; i++)
        if (!seen[i]) {
            res[i].outcome = OUT_SKIP;
            free(res[i].error);
            res[i].error = strdup("not run: no shard's results.json has it");
        }
    if (rc == 0)
        rc = turns_run(o, path ? path : "", name ? name : "", res, nres);
    idset_free(&ids);
    free(seen);
    free(name);
    free(path);
    return rc;
}
