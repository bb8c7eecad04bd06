/*
 * deviations.c - reading the known-deviation files of --expect
 * (deviations.h), and whether a line of one matches a failure.  Prefix
 * dev_.  What a run makes of them is verdict.c's.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deviations.h"
#include "idset.h"

#define SYNTAX "expected 'SCENARIO-ID fail|warn|error RULE [/PATTERN/]: REASON'"

static int parse_outcome(const char *word, enum outcome *out)
{
    static const struct { const char *word; enum outcome outcome; } words[] = {
        { "fail", OUT_FAIL }, { "warn", OUT_WARN }, { "error", OUT_ERROR },
    };

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (word && !strcmp(word, words[i].word)) {
            *out = words[i].outcome;
            return 0;
        }
    return -1;
}

/* The parts of a line after its id and outcome, pointing into it. */
struct parts {
    char *rule, *pattern, *reason;
    bool optional;              /* "R20?" */
};

/* "RULE [/PATTERN/]: REASON" at s, cut in place into *p.  A rule is R
 * and digits (the contract's R1-R45), or "-" (a failure of no rule, an
 * error), and a "?" after it marks a failure that may not show; the
 * pattern ends at the first "/" no backslash escapes.  NULL, or what is
 * wrong, for the error message. */
static const char *parse_parts(char *s, struct parts *p)
{
    size_t n;

    s += strspn(s, " \t");
    n = strcspn(s, " \t:/");
    p->optional = n > 1 && s[n - 1] == '?';
    n -= p->optional;
    if (!(n == 1 && s[0] == '-') &&
        !(n >= 2 && s[0] == 'R' && strspn(s + 1, "0123456789") == n - 1))
        return "expected a rule (R1..R45, or - for none) after the outcome";
    p->rule = s;
    s += n + p->optional;
    s += strspn(s, " \t");
    if (*s == '/') {
        p->pattern = ++s;
        while (*s && *s != '/')
            s += s[0] == '\\' && s[1] ? 2 : 1;
        if (*s != '/')
            return "the pattern has no closing '/'";
        if (s == p->pattern)
            return "the pattern is empty (leave it out to match any message)";
        *s++ = '\0';
        s += strspn(s, " \t");
    }
    if (*s != ':')
        return "expected ':' and a reason after the rule and pattern";
    p->rule[n] = '\0';          /* after the pattern: it may have ended it */
    s++;
    s += strspn(s, " \t");
    p->reason = s;
    return *s ? NULL : "needs a reason after ':'";
}

static bool same_text(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

/* Another line of the same id must agree on the outcome (the scenario's,
 * one for all its failures) and not repeat a rule and pattern. */
static int check_siblings(struct deviations *e, const char *id, enum outcome outcome,
                          const struct parts *p, int lineno, char *err, size_t errlen)
{
    for (struct deviation *x = dev_find(e, id); x; x = dev_next(e, x)) {
        if (x->outcome != outcome) {
            snprintf(err, errlen, "%s:%d: '%s' is listed as %s on line %d: one "
                     "outcome per scenario", e->path, lineno, id,
                     report_outcome_name(x->outcome), x->line);
            return -1;
        }
        if (!strcmp(x->rule, p->rule) && same_text(x->pattern, p->pattern)) {
            snprintf(err, errlen, "%s:%d: '%s' is listed twice with %s%s%s%s "
                     "(line %d)", e->path, lineno, id, p->rule,
                     p->pattern ? " /" : "", p->pattern ? p->pattern : "",
                     p->pattern ? "/" : "", x->line);
            return -1;
        }
    }
    return 0;
}

/* Append a line to e, and chain it after the last one of its id. */
static int add_line(struct deviations *e, const char *id, enum outcome outcome,
                    const struct parts *p, int lineno)
{
    struct deviation *grown, *x;
    int first;

    if (e->n == e->cap) {       /* doubled: a long file is read in linear time */
        int cap = e->cap ? e->cap * 2 : 64;
        grown = realloc(e->v, (size_t)cap * sizeof(*grown));
        if (!grown)
            return -1;
        e->v = grown;
        e->cap = cap;
    }
    x = &e->v[e->n];
    *x = (struct deviation){ strdup(id), outcome, strdup(p->rule),
                             p->pattern ? strdup(p->pattern) : NULL, NULL, NULL,
                             lineno, -1, p->optional, false, false };
    if (asprintf(&x->reason, "%s%s%s", strcmp(p->rule, "-") ? p->rule : "",
                 strcmp(p->rule, "-") ? ": " : "", p->reason) < 0)
        x->reason = NULL;
    first = x->id ? idset_add(&e->ids, x->id, e->n) : -2;
    if (!x->rule || !x->reason || (p->pattern && !x->pattern) || first == -2) {
        free(x->id);
        free(x->rule);
        free(x->pattern);
        free(x->reason);
        return -1;
    }
    if (first >= 0) {           /* not its first line: chain it */
        int k = first;

        while (e->v[k].next >= 0)
            k = e->v[k].next;
        e->v[k].next = e->n;
    }
    e->n++;
    return 0;
}

/* One line: "ID OUTCOME RULE [/PATTERN/]: REASON", or blank, or a comment. */
static int parse_line(struct deviations *e, char *line, int lineno, char *err,
                      size_t errlen)
{
    char *id, *word, *save = NULL;
    struct parts p = { NULL, NULL, NULL, false };
    enum outcome outcome;
    const char *wrong;

    line[strcspn(line, "\r\n")] = '\0';
    id = strtok_r(line, " \t", &save);
    if (!id || id[0] == '#')
        return 0;
    word = strtok_r(NULL, " \t", &save);
    if (parse_outcome(word, &outcome) < 0) {
        snprintf(err, errlen, "%s:%d: %s", e->path, lineno, SYNTAX);
        return -1;
    }
    if ((wrong = parse_parts(save ? save : "", &p))) {
        snprintf(err, errlen, "%s:%d: '%s': %s; %s", e->path, lineno, id, wrong,
                 SYNTAX);
        return -1;
    }
    if (check_siblings(e, id, outcome, &p, lineno, err, errlen) < 0)
        return -1;
    if (add_line(e, id, outcome, &p, lineno) < 0) {
        snprintf(err, errlen, "%s: out of memory", e->path);
        return -1;
    }
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

struct deviation *dev_next(struct deviations *e, const struct deviation *x)
{
    return x->next >= 0 ? &e->v[x->next] : NULL;
}

/* The pattern against text from its start, as if it began and ended with
 * "*": a "*" takes the shortest run that lets the rest match, and on a
 * mismatch the last "*" takes one character more (one star remembered is
 * enough for a glob: the text is read at most once per pattern byte). */
bool dev_pattern_found(const char *pattern, const char *text)
{
    const char *p = pattern, *t = text, *star_p = pattern, *star_t = text;

    for (;;) {
        int len = p[0] == '\\' && p[1] ? 2 : 1;
        char c = p[len - 1];

        if (!*p)
            return true;
        if (*p == '*' && len == 1) {
            star_p = ++p;
            star_t = t;
            continue;
        }
        if (*t && *t == c) {
            p += len;
            t++;
            continue;
        }
        if (!*star_t)
            return false;
        p = star_p;
        t = ++star_t;
    }
}

/* A rule word of rules ("R7,R8"): the failure is filed under it; "-"
 * stands for rules naming no R rule. */
static bool filed_under(const char *rule, const char *rules)
{
    size_t n = strlen(rule);
    bool any = false;

    for (const char *r = rules; r && *r; r += strcspn(r, ",") + (r[strcspn(r, ",")] != '\0')) {
        size_t len = strcspn(r, ",");

        any = any || (r[0] == 'R' && len > 1 && isdigit((unsigned char)r[1]));
        if (len == n && !strncmp(r, rule, n))
            return true;
    }
    return !strcmp(rule, "-") && !any;
}

bool dev_matches(const struct deviation *x, const char *rules, const char *msg)
{
    return filed_under(x->rule, rules) &&
           (!x->pattern || dev_pattern_found(x->pattern, msg ? msg : ""));
}

/* Built once, kept in the id's first line: a TAP line or a report's
 * "known" shows them all. */
const char *dev_reasons(struct deviations *e, struct deviation *x)
{
    size_t len = 0;

    if (x->reasons)
        return x->reasons;
    for (struct deviation *y = x; y; y = dev_next(e, y))
        len += strlen(y->reason) + 2;
    if (!(x->reasons = calloc(1, len + 1)))
        return x->reason;
    for (struct deviation *y = x; y; y = dev_next(e, y)) {
        bool dup = false;

        for (struct deviation *z = x; z != y && !dup; z = dev_next(e, z))
            dup = !strcmp(z->reason, y->reason);
        if (!dup)
            strcat(strcat(x->reasons, *x->reasons ? "; " : ""), y->reason);
    }
    return x->reasons;
}

void dev_free(struct deviations *e)
{
    for (int i = 0; i < e->n; i++) {
        free(e->v[i].id);
        free(e->v[i].rule);
        free(e->v[i].pattern);
        free(e->v[i].reason);
        free(e->v[i].reasons);
    }
    free(e->v);
    free(e->path);
    idset_free(&e->ids);
    memset(e, 0, sizeof(*e));
}
