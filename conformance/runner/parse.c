/*
 * parse.c - read a scenario file (the language: scenarios/README.md).
 *
 * Line by line: "key: value" header lines, then steps.  A step may start
 * with a prefix that says when it runs ("at 200:", "at 200 thread:",
 * "on cb NAME [#k]:", "on ff NAME:").  Every error names the file and line
 * and says what was expected there.
 */
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario.h"
#include "words.h"

#define MAX_TOKENS 16
/* A scenario's id goes into file names, --filter patterns, expectation
 * files, JUnit's classname and the terminal: letters, digits, '.', '_'
 * and '-', starting with a letter or a digit, and not too long. */
#define ID_MAX 64

struct parser {
    struct scenario *sc;
    const char *path;
    int line;
    char *err;
    size_t errlen;
    bool failed;
    char **last_header;       /* an indented line continues it */
    int id_line;              /* the line of 'id:' */
    size_t last_len, last_cap;  /* its length and its room */
    int nat;                  /* 'at' steps so far */
    int *slots;               /* names by hash: index + 1, 0 for empty */
    int nslots;
    int *added_at;            /* by name: the line of its add step, or 0 */
    int added_cap;
};

static bool fail(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static bool fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (p->failed)
        return false;
    p->failed = true;
    n = snprintf(p->err, p->errlen, "%s:%d: ", p->path, p->line);
    if (n < 0 || (size_t)n >= p->errlen)    /* a path as long as the buffer */
        return false;
    va_start(ap, fmt);
    vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

const char *scenario_level_name(enum level l)
{
    return l == LEVEL_MUST ? "MUST" : l == LEVEL_SHOULD ? "SHOULD" : "INFO";
}

static const char *const mask_names[] = { "READABLE", "WRITABLE", "ERROR", "HANGUP" };

void scenario_mask_format(int mask, char *buf, size_t len)
{
    size_t n = 0;

    buf[0] = '\0';
    if (!mask) {
        snprintf(buf, len, "0");
        return;
    }
    for (int i = 0; i < 4; i++)
        if (mask & (1 << i))
            n += (size_t)snprintf(buf + n, len > n ? len - n : 0, "%s%s",
                                  n ? "|" : "", mask_names[i]);
}

/* A number from min to max: every number the language takes has a range
 * that the runner and sim can hold without overflow, and a mistake in a
 * scenario is reported here, against its line, not charged to the loop. */
static bool parse_num(struct parser *p, const char *s, int64_t *out, const char *what,
                      int64_t min, int64_t max)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (!*s || *end || errno == ERANGE || v < min || v > max)
        return fail(p, "expected %s (a number from %lld to %lld), found '%s'", what,
                    (long long)min, (long long)max, s);
    *out = v;
    return true;
}

/* Any int: ids, fds, timeouts, return values. */
static bool parse_int(struct parser *p, const char *s, int64_t *out, const char *what)
{
    return parse_num(p, s, out, what, INT_MIN, INT_MAX);
}

static bool parse_mask(struct parser *p, const char *s, int *out)
{
    char buf[128], *save = NULL, *tok;
    int mask = 0;

    if (!strcmp(s, "0")) {
        *out = 0;
        return true;
    }
    snprintf(buf, sizeof(buf), "%s", s);
    for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
        int bit = -1;
        for (int i = 0; i < 4; i++)
            if (!strcmp(tok, mask_names[i]))
                bit = i;
        if (bit < 0)
            return fail(p, "expected an event mask (READABLE|WRITABLE|ERROR|"
                        "HANGUP, or 0), found '%s'", s);
        mask |= 1 << bit;
    }
    *out = mask;
    return true;
}

static bool valid_name(const char *s)
{
    if (!isalpha((unsigned char)*s))
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
            return false;
    return true;
}

static unsigned name_hash(const char *s)
{
    unsigned h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The slot where s is, or the empty one where it would go. */
static int *name_slot(const struct parser *p, const char *s)
{
    unsigned i = name_hash(s) & (unsigned)(p->nslots - 1);

    while (p->slots[i] && strcmp(p->sc->names[p->slots[i] - 1], s))
        i = (i + 1) & (unsigned)(p->nslots - 1);
    return &p->slots[i];
}

/* Keep the table at most half full, so that a lookup stays short even
 * with a hundred thousand names. */
static bool grow_slots(struct parser *p)
{
    int n = p->nslots ? p->nslots * 2 : 64;
    int *old = p->slots, nold = p->nslots;

    if (p->nslots && p->sc->nnames + 1 <= p->nslots / 2)
        return true;
    if (!(p->slots = calloc((size_t)n, sizeof(*p->slots)))) {
        p->slots = old;
        return false;
    }
    p->nslots = n;
    for (int i = 0; i < nold; i++)
        if (old[i])
            *name_slot(p, p->sc->names[old[i] - 1]) = old[i];
    free(old);
    return true;
}

static int find_name(const struct parser *p, const char *s)
{
    return p->nslots ? *name_slot(p, s) - 1 : -1;
}

/* Declare a name (a first add, fd or mark) or find it again. */
static int declare(struct parser *p, const char *s, enum name_kind kind)
{
    struct scenario *sc = p->sc;
    int i = find_name(p, s);

    if (i >= 0) {
        if (sc->kinds[i] != kind)
            return fail(p, "'%s' is already used for something else", s), -1;
        return i;
    }
    if (!valid_name(s))
        return fail(p, "expected a name (a letter, then letters, digits, "
                    "'_' or '-'), found '%s'", s), -1;
    if (!grow_slots(p))
        return fail(p, "out of memory"), -1;
    if (sc->nnames == sc->names_cap) {
        int cap = sc->names_cap ? sc->names_cap * 2 : 16;
        char **names = realloc(sc->names, (size_t)cap * sizeof(*names));
        enum name_kind *kinds = names ? realloc(sc->kinds, (size_t)cap * sizeof(*kinds)) : NULL;
        if (names)
            sc->names = names;
        if (!kinds)
            return fail(p, "out of memory"), -1;
        sc->kinds = kinds;
        sc->names_cap = cap;
    }
    sc->names[sc->nnames] = strdup(s);
    sc->kinds[sc->nnames] = kind;
    *name_slot(p, s) = sc->nnames + 1;
    return sc->nnames++;
}

/* A name used before: any registration, or one of the given kind. */
static int lookup(struct parser *p, const char *s, int want, const char *what)
{
    int i = find_name(p, s);

    if (i < 0)
        return fail(p, "expected %s, found '%s' (not defined above)", what, s), -1;
    if (want >= 0 && p->sc->kinds[i] != (enum name_kind)want)
        return fail(p, "expected %s, found '%s'", what, s), -1;
    return i;
}

/* A registration target: a name, or "#N" for a raw id. */
static bool parse_target(struct parser *p, const char *s, struct step *st)
{
    int64_t v;

    if (s[0] == '#') {
        if (!parse_int(p, s + 1, &v, "an id after '#'"))
            return false;
        st->name = -1;
        st->literal_id = (int)v;
        return true;
    }
    st->name = lookup(p, s, -1, "a handle or timer name, or #id");
    if (st->name >= 0 && p->sc->kinds[st->name] != NAME_HANDLE &&
        p->sc->kinds[st->name] != NAME_TIMER)
        return fail(p, "expected a handle or timer name, found '%s'", s);
    return st->name >= 0;
}

/* Where an anchor's offset starts: the last '+' or '-' that only digits
 * follow, unless the whole word is a mark's name (names may hold '-'). */
static char *offset_sign(const struct parser *p, char *buf)
{
    char *d = buf + strlen(buf);
    int name = find_name(p, buf);

    if (name >= 0 && p->sc->kinds[name] == NAME_MARK)
        return NULL;
    while (d > buf && isdigit((unsigned char)d[-1]))
        d--;
    if (!*d || d - 1 <= buf || (d[-1] != '+' && d[-1] != '-'))
        return NULL;
    return d - 1;
}

static bool parse_value(struct parser *p, const char *s, struct value *v)
{
    static const struct { const char *prefix; enum anchor_kind kind; } ops[] = {
        { "add(", ANCHOR_ADD }, { "update(", ANCHOR_UPDATE },
        { "remove(", ANCHOR_REMOVE },
    };
    char buf[128], *sign;

    *v = (struct value){ ANCHOR_NONE, -1, 0 };
    if (isdigit((unsigned char)s[0]) || s[0] == '-')
        return parse_num(p, s, &v->offset, "a number or an anchor", -SCENARIO_MAX_MS,
                         SCENARIO_MAX_MS);
    snprintf(buf, sizeof(buf), "%s", s);
    sign = offset_sign(p, buf);
    if (sign) {
        if (!parse_num(p, sign + (*sign == '+'), &v->offset, "an offset",
                       -SCENARIO_MAX_MS, SCENARIO_MAX_MS))
            return false;
        *sign = '\0';
    }
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        size_t n = strlen(ops[i].prefix);
        if (!strncmp(buf, ops[i].prefix, n)) {
            char *close = strchr(buf, ')');
            if (!close || close[1])
                return fail(p, "expected %sNAME), found '%s'", ops[i].prefix, s);
            *close = '\0';
            v->anchor = ops[i].kind;
            v->name = lookup(p, buf + n, -1, "a registration name");
            return v->name >= 0;
        }
    }
    v->anchor = ANCHOR_MARK;
    v->name = lookup(p, buf, NAME_MARK, "a number, a mark, or add(X)/update(X)/"
                     "remove(X), optionally +N");
    return v->name >= 0;
}

static bool parse_cmp(struct parser *p, char **tok, int ntok, int *i,
                      struct expect *x)
{
    static const struct { const char *s; enum cmp c; } cmps[] = {
        { "=", CMP_EQ }, { "==", CMP_EQ }, { "!=", CMP_NE }, { "<", CMP_LT },
        { "<=", CMP_LE }, { ">", CMP_GT }, { ">=", CMP_GE },
    };

    if (*i + 1 == ntok && tok[*i][0] == '~') {      /* about a deadline */
        x->cmp = CMP_RANGE;
        if (!parse_value(p, tok[*i] + 1, &x->v))
            return false;
        x->v2 = x->v;
        x->v.offset -= SCENARIO_EARLY_MS;           /* R26 */
        x->v2.offset += SCENARIO_LATE_MS;           /* R20 */
        (*i)++;
        return true;
    }
    if (*i < ntok) {
        char *dots = strstr(tok[*i], "..");
        if (dots && *i + 1 == ntok) {
            *dots = '\0';
            x->cmp = CMP_RANGE;
            if (!parse_value(p, tok[*i], &x->v) || !parse_value(p, dots + 2, &x->v2))
                return false;
            (*i)++;
            return true;
        }
        for (size_t c = 0; c < sizeof(cmps) / sizeof(cmps[0]); c++)
            if (!strcmp(tok[*i], cmps[c].s) && *i + 1 < ntok) {
                x->cmp = cmps[c].c;
                *i += 2;
                return parse_value(p, tok[*i - 1], &x->v);
            }
        if (*i + 1 == ntok && !strchr("=!<>", tok[*i][0])) {   /* "at 500" */
            x->cmp = CMP_EQ;
            return parse_value(p, tok[(*i)++], &x->v);
        }
    }
    return fail(p, "expected a comparison (= != < <= > >= VALUE), a range "
                "(A..B) or a deadline (~VALUE)");
}

static bool parse_nth(struct parser *p, const char *s, int *nth)
{
    int64_t v;

    if (!strcmp(s, "#last")) {
        *nth = -1;
        return true;
    }
    if (s[0] != '#' || !parse_num(p, s + 1, &v, "a call number after '#'", 1, INT_MAX))
        return fail(p, "expected #K (K >= 1) or #last, found '%s'", s);
    *nth = (int)v;
    return true;
}

/* "since ANCHOR": count calls from the moment of a mark or an operation. */
static bool parse_since(struct parser *p, const char *s, struct expect *x)
{
    if (!parse_value(p, s, &x->since))
        return false;
    if (x->since.anchor == ANCHOR_NONE || x->since.offset)
        return fail(p, "expected a mark or add(X)/update(X)/remove(X) after "
                    "'since', with no offset, found '%s'", s);
    return true;
}

/* The comparison that ends an expect line, from token *i, and nothing
 * after it. */
static bool cmp_to_end(struct parser *p, char **tok, int ntok, int i, struct expect *x)
{
    if (!parse_cmp(p, tok, ntok, &i, x))
        return false;
    if (i != ntok)
        return fail(p, "unexpected '%s' at the end", tok[i]);
    return true;
}

/* expect fd P open|flags-unchanged */
static bool expect_fd(struct parser *p, char **tok, int ntok, struct expect *x)
{
    const struct word *w;

    x->name = lookup(p, tok[2], NAME_FD, "an fd name");
    if (x->name < 0)
        return false;
    if (ntok != 4 || !(w = words_expect(tok[1], tok[3])))
        return fail(p, "expected 'expect fd NAME open' or 'expect fd NAME "
                    "flags-unchanged'");
    x->kind = (enum expect_kind)w->kind;
    return true;
}

/* expect closed C REASON [at CMP MS] */
static bool expect_closed(struct parser *p, char **tok, int ntok, struct expect *x)
{
    x->kind = X_CLOSED;
    x->name = lookup(p, tok[2], NAME_CONN, "a connection name");
    if (x->name < 0)
        return false;
    if (ntok < 4 || (x->mask = !strcmp(tok[3], "NONE") ? -1 :
                                scenario_close_reason(tok[3])) < -1 ||
        (x->mask == -1 && strcmp(tok[3], "NONE")) ||
        (ntok > 4 && (x->mask == -1 || strcmp(tok[4], "at"))))
        return fail(p, "expected 'expect closed CONNECTION NONE|ERROR|EOF|KEEPALIVE|"
                    "CLIENT [at CMP MS]'");
    if (ntok == 4)
        return true;
    x->timed = true;
    return cmp_to_end(p, tok, ntok, 5, x);
}

/* expect released C */
static bool expect_released(struct parser *p, char **tok, int ntok, struct expect *x)
{
    x->kind = X_RELEASED;
    x->name = lookup(p, tok[2], NAME_CONN, "a connection name");
    if (x->name < 0)
        return false;
    if (ntok != 3)
        return fail(p, "expected 'expect released CONNECTION'");
    return true;
}

/* expect event C #k TYPE */
static bool expect_event(struct parser *p, char **tok, int ntok, struct expect *x)
{
    x->kind = X_EVENT;
    x->name = lookup(p, tok[2], NAME_CONN, "a connection name");
    if (x->name < 0)
        return false;
    if (ntok != 5 || !parse_nth(p, tok[3], &x->nth))
        return fail(p, "expected 'expect event CONNECTION #K TYPE'");
    if ((x->mask = scenario_event_type(tok[4])) < 0)
        return fail(p, "expected an event type (DEFINED, UNDEFINED, STARTED, "
                    "SUSPENDED, RESUMED, STOPPED, ...), found '%s'", tok[4]);
    return true;
}

/* The registration an expectation is about (its third word). */
static bool on_registration(struct parser *p, char **tok, struct expect *x)
{
    x->name = lookup(p, tok[2], -1, "a registration name");
    x->since = (struct value){ ANCHOR_NONE, -1, 0 };
    return x->name >= 0;
}

/* expect calls|frees|per-iteration|id NAME [since A] CMP V (since: calls) */
static bool expect_count(struct parser *p, char **tok, int ntok, struct expect *x)
{
    int i = 3;

    if (!on_registration(p, tok, x))
        return false;
    x->kind = (enum expect_kind)words_expect(tok[1], NULL)->kind;
    if (x->kind == X_CALLS && ntok > 4 && !strcmp(tok[3], "since")) {
        if (!parse_since(p, tok[4], x))
            return false;
        i = 5;
    }
    return cmp_to_end(p, tok, ntok, i, x);
}

/* expect free NAME iteration|at CMP V */
static bool expect_free(struct parser *p, char **tok, int ntok, struct expect *x)
{
    const struct word *w;

    if (!on_registration(p, tok, x))
        return false;
    if (ntok < 4 || !(w = words_expect(tok[1], tok[3])))
        return fail(p, "expected 'expect free NAME iteration|at CMP VALUE'");
    x->kind = (enum expect_kind)w->kind;
    return cmp_to_end(p, tok, ntok, 4, x);
}

/* ... events =|has|within MASK, from token k (the word 'events') */
static bool expect_events(struct parser *p, char **tok, int ntok, int k, struct expect *x)
{
    if (ntok != k + 3)
        return fail(p, "expected 'expect call NAME #K events =|has|within MASK'");
    if (!strcmp(tok[k + 1], "=") || !strcmp(tok[k + 1], "=="))
        x->mask_test = MASK_EQ;
    else if (!strcmp(tok[k + 1], "has"))
        x->mask_test = MASK_HAS;
    else if (!strcmp(tok[k + 1], "within"))
        x->mask_test = MASK_WITHIN;
    else
        return fail(p, "expected =, has or within, found '%s'", tok[k + 1]);
    return parse_mask(p, tok[k + 2], &x->mask);
}

/* expect call NAME #K [since A] at|iteration CMP V, or events ... */
static bool expect_call(struct parser *p, char **tok, int ntok, struct expect *x)
{
    const struct word *w;
    int k = 4;              /* the word after #K [since A] */

    if (!on_registration(p, tok, x))
        return false;
    if (ntok < 5 || !parse_nth(p, tok[3], &x->nth))
        return fail(p, "expected 'expect call NAME #K at|iteration|events ...'");
    if (!strcmp(tok[4], "since")) {
        if (ntok < 7 || !parse_since(p, tok[5], x))
            return ntok < 7 ? fail(p, "expected 'expect call NAME #K since "
                                   "ANCHOR at|iteration|events ...'") : false;
        k = 6;
    }
    if (!(w = words_expect(tok[1], tok[k])))
        return fail(p, "expected at, iteration or events after '#K', found '%s'",
                    tok[k]);
    x->kind = (enum expect_kind)w->kind;
    if (x->kind == X_CALL_EVENTS)
        return expect_events(p, tok, ntok, k, x);
    return cmp_to_end(p, tok, ntok, k + 1, x);
}

/* Each expectation word's parser, by the kind of its first row in the
 * words table. */
typedef bool expect_parser(struct parser *p, char **tok, int ntok, struct expect *x);
static expect_parser *const expect_parsers[] = {
    [X_CALLS] = expect_count, [X_FREES] = expect_count, [X_PER_ITER] = expect_count,
    [X_ID] = expect_count, [X_CALL_AT] = expect_call, [X_FREE_ITER] = expect_free,
    [X_FD_OPEN] = expect_fd, [X_CLOSED] = expect_closed, [X_RELEASED] = expect_released,
    [X_EVENT] = expect_event,
};

/* [MUST], [SHOULD] or [INFO] at the end of an expect line: taken off. */
static bool expect_level(struct parser *p, char **tok, int *ntok, struct expect *x)
{
    static const struct { const char *word; enum level level; } levels[] = {
        { "[MUST]", LEVEL_MUST }, { "[SHOULD]", LEVEL_SHOULD }, { "[INFO]", LEVEL_INFO },
    };
    const char *l;

    if (*ntok == 0 || tok[*ntok - 1][0] != '[')
        return true;
    l = tok[--*ntok];
    x->has_level = true;
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (!strcmp(l, levels[i].word)) {
            x->level = levels[i].level;
            return true;
        }
    return fail(p, "expected [MUST], [SHOULD] or [INFO], found '%s'", l);
}

/* expect ... (after the word "expect") */
static bool parse_expect(struct parser *p, char **tok, int ntok, struct step *st)
{
    struct expect *x = &st->expect;
    const struct word *w;

    st->kind = S_EXPECT;
    if (!expect_level(p, tok, &ntok, x))
        return false;
    if (ntok < 3)
        return fail(p, "expected 'expect WHAT NAME ...'");
    x->name = -1;
    w = words_expect(tok[1], NULL);
    if (w)
        return expect_parsers[w->kind](p, tok, ntok, x);
    if (!on_registration(p, tok, x))
        return false;
    return fail(p, "expected calls, call, frees, free, per-iteration, id or "
                "fd after 'expect', found '%s'", tok[1]);
}

/* The K of alloc-fails=K (after add, run and run-until), or 'each' where
 * each_ok (after add). */
static bool parse_alloc_fails(struct parser *p, const char *k, bool each_ok,
                              struct step *st)
{
    int64_t v;

    if (each_ok && !strcmp(k, "each")) {
        st->alloc_fails = ALLOC_FAILS_EACH;
        return true;
    }
    if (!parse_int(p, k, &v, "a count after 'alloc-fails='") || v < 1 || v > 1000)
        return fail(p, "expected alloc-fails=K with K from 1 to 1000%s",
                    each_ok ? ", or alloc-fails=each" : "");
    st->alloc_fails = (int)v;
    return true;
}

/* Options after add-handle / add-timeout: opaque=null, ff=none, => RC */
static bool parse_tail(struct parser *p, char **tok, int ntok, int from,
                       struct step *st, bool options)
{
    for (int i = from; i < ntok; i++) {
        if (!strcmp(tok[i], "=>") && i + 1 < ntok) {
            int64_t v;
            if (!parse_int(p, tok[++i], &v, "a return value after '=>'"))
                return false;
            st->has_rc = true;
            st->rc = (int)v;
        } else if (options && !strcmp(tok[i], "opaque=null")) {
            st->opaque_null = true;
        } else if (options && !strcmp(tok[i], "ff=none")) {
            st->ff_none = true;
        } else if (options && !strncmp(tok[i], "alloc-fails=", 12)) {
            if (!parse_alloc_fails(p, tok[i] + 12, true, st))
                return false;
        } else {
            return fail(p, "unexpected '%s'%s", tok[i], options ?
                         " (expected opaque=null, ff=none, alloc-fails=K|each or '=> RC')" :
                        " (expected '=> RC' or the end of the line)");
        }
    }
    return true;
}

static bool need(struct parser *p, int ntok, int min, const char *usage)
{
    return ntok >= min || fail(p, "expected '%s'", usage);
}

/* pipe|pipe-writer|socket NAME */
static bool step_fd_new(struct parser *p, char **tok, int ntok, struct step *st)
{
    if (!need(p, ntok, 2, "pipe|pipe-writer|socket NAME") || ntok > 2)
        return fail(p, "expected '%s NAME'", tok[0]);
    st->name = declare(p, tok[1], NAME_FD);
    return st->name >= 0;
}

/* readable FD [BYTES], and drain, fill, close... FD */
static bool step_fd_action(struct parser *p, char **tok, int ntok, struct step *st)
{
    bool count = st->kind == S_READABLE;

    if (ntok < 2 || ntok > (count ? 3 : 2))
        return fail(p, "expected '%s FD%s'", tok[0], count ? " [BYTES]" : "");
    st->name = lookup(p, tok[1], NAME_FD, "an fd name");
    st->arg = 1;
    if (ntok == 3 && !parse_num(p, tok[2], &st->arg, "a byte count", 1,
                                SCENARIO_MAX_BYTES))
        return false;
    return st->name >= 0;
}

/* move-fd FD NUMBER */
static bool step_move_fd(struct parser *p, char **tok, int ntok, struct step *st)
{
    if (ntok != 3)
        return fail(p, "expected 'move-fd FD NUMBER'");
    st->name = lookup(p, tok[1], NAME_FD, "an fd name");
    if (st->name < 0 || !parse_int(p, tok[2], &st->arg, "an fd number"))
        return false;
    if (st->arg < 0 || st->arg > 65535)
        return fail(p, "expected an fd number from 0 to 65535, found %lld",
                    (long long)st->arg);
    return true;
}

/* add-handle NAME FD|#fd EVENTS [options] */
static bool step_add_handle(struct parser *p, char **tok, int ntok, struct step *st)
{
    int64_t v;
    int mask;

    if (!need(p, ntok, 4, "add-handle NAME FD|#fd EVENTS [opaque=null] [ff=none] [=> RC]"))
        return false;
    st->name = declare(p, tok[1], NAME_HANDLE);
    if (st->name < 0)
        return false;
    if (tok[2][0] == '#') {
        st->fd_name = -1;
        if (!parse_int(p, tok[2] + 1, &v, "an fd number after '#'"))
            return false;
        st->fd_literal = (int)v;
    } else if ((st->fd_name = lookup(p, tok[2], NAME_FD, "an fd name or #fd")) < 0) {
        return false;
    }
    if (!parse_mask(p, tok[3], &mask))
        return false;
    st->arg = mask;
    return parse_tail(p, tok, ntok, 4, st, true);
}

/* add-timeout NAME MS [options] */
static bool step_add_timeout(struct parser *p, char **tok, int ntok, struct step *st)
{
    if (!need(p, ntok, 3, "add-timeout NAME MS [opaque=null] [ff=none] [=> RC]"))
        return false;
    st->name = declare(p, tok[1], NAME_TIMER);
    if (st->name < 0 || !parse_int(p, tok[2], &st->arg, "a timeout in ms"))
        return false;
    return parse_tail(p, tok, ntok, 3, st, true);
}

/* update-handle NAME|#id EVENTS, update-timeout NAME|#id MS */
static bool step_update(struct parser *p, char **tok, int ntok, struct step *st)
{
    bool handle = st->kind == S_UPDATE_HANDLE;
    int mask;

    if (ntok != 3)
        return fail(p, "expected '%s NAME|#id %s'", tok[0], handle ? "EVENTS" : "MS");
    if (!parse_target(p, tok[1], st))
        return false;
    if (handle) {
        if (!parse_mask(p, tok[2], &mask))
            return false;
        st->arg = mask;
        return true;
    }
    return parse_int(p, tok[2], &st->arg, "a timeout in ms");
}

/* remove-handle|remove-timeout NAME|#id [=> RC] */
static bool step_remove(struct parser *p, char **tok, int ntok, struct step *st)
{
    if (!need(p, ntok, 2, "remove-handle|remove-timeout NAME|#id [=> RC]"))
        return false;
    return parse_target(p, tok[1], st) && parse_tail(p, tok, ntok, 2, st, false);
}

/* run N, run-until MS (either with alloc-fails=K), sleep MS */
static bool step_run(struct parser *p, char **tok, int ntok, struct step *st)
{
    /* run N alloc-fails=K: the K-th allocation of the iterations fails */
    if (ntok == 3 && st->kind != S_SLEEP && !strncmp(tok[2], "alloc-fails=", 12)) {
        if (!parse_alloc_fails(p, tok[2] + 12, false, st))
            return false;
        ntok = 2;
    }
    if (ntok != 2)
        return fail(p, "expected '%s %s%s'", tok[0], st->kind == S_RUN ? "ITERATIONS" : "MS",
                    st->kind == S_SLEEP ? "" : " [alloc-fails=K]");
    if (st->kind == S_RUN)
        return parse_num(p, tok[1], &st->arg, "an iteration count", 0,
                         SCENARIO_MAX_ITERATIONS);
    return parse_num(p, tok[1], &st->arg, "a virtual time in ms", 0, SCENARIO_MAX_MS);
}

/* mark NAME */
static bool step_mark(struct parser *p, char **tok, int ntok, struct step *st)
{
    if (ntok != 2)
        return fail(p, "expected 'mark NAME'");
    st->name = declare(p, tok[1], NAME_MARK);
    return st->name >= 0;
}

/* wait-fails EINTR|EAGAIN|ENOMEM */
static bool step_wait_fails(struct parser *p, char **tok, int ntok, struct step *st)
{
    static const struct { const char *name; int err; } errs[] = {
        { "EINTR", EINTR }, { "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM },
    };

    if (ntok != 2)
        return fail(p, "expected 'wait-fails EINTR|EAGAIN|ENOMEM'");
    for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
        if (!strcmp(tok[1], errs[i].name)) {
            st->arg = errs[i].err;
            return true;
        }
    return fail(p, "expected EINTR, EAGAIN or ENOMEM, found '%s'", tok[1]);
}

/* wall-clock-step [+|-]MS */
static bool step_wall_clock(struct parser *p, char **tok, int ntok, struct step *st)
{
    if (ntok != 2)
        return fail(p, "expected 'wall-clock-step MS' (+ or - a day at most)");
    return parse_num(p, tok[1] + (tok[1][0] == '+'), &st->arg, "a step in ms",
                     -86400000, 86400000);
}

/* register-default, alone */
static bool step_register_default(struct parser *p, char **tok, int ntok,
                                  struct step *st)
{
    (void)tok;
    (void)st;
    return ntok == 1 || fail(p, "expected 'register-default' alone");
}

/* daemon NAME, stop-daemon|pause-daemon|resume-daemon NAME */
static bool step_daemon(struct parser *p, char **tok, int ntok, struct step *st)
{
    if (ntok != 2)
        return fail(p, "expected '%s NAME'", tok[0]);
    if (!p->sc->realtime)
        return fail(p, "a private libvirtd runs in real time: the scenario "
                    "needs 'clock: real'");
    st->name = st->kind == S_DAEMON ? declare(p, tok[1], NAME_DAEMON) :
               lookup(p, tok[1], NAME_DAEMON, "a daemon name");
    return st->name >= 0;
}

/* keepalive C INTERVAL COUNT */
static bool step_keepalive(struct parser *p, char **tok, int ntok, struct step *st)
{
    int64_t count;

    if (ntok != 4)
        return fail(p, "expected 'keepalive CONNECTION INTERVAL-S COUNT'");
    st->name = lookup(p, tok[1], NAME_CONN, "a connection name");
    if (st->name < 0 || !parse_num(p, tok[2], &st->arg, "an interval in s", 1, 3600) ||
        !parse_num(p, tok[3], &count, "a count", 0, 100))
        return false;
    st->literal_id = (int)count;
    return true;
}

/* connect NAME URI (URI daemon:D: a private libvirtd started above) */
static bool step_connect(struct parser *p, char **tok, int ntok, struct step *st)
{
    if (ntok != 3)
        return fail(p, "expected 'connect NAME URI'");
    st->name = declare(p, tok[1], NAME_CONN);
    st->str = strdup(tok[2]);
    /* daemon:D, a private libvirtd started above: its name's index */
    st->fd_name = !strncmp(tok[2], "daemon:", 7) ?
        lookup(p, tok[2] + 7, NAME_DAEMON, "a daemon name") : -1;
    return st->name >= 0 && (strncmp(tok[2], "daemon:", 7) || st->fd_name >= 0);
}

/* close-callback C, domain-events C, close-connection C */
static bool step_connection(struct parser *p, char **tok, int ntok, struct step *st)
{
    if (ntok != 2)
        return fail(p, "expected '%s CONNECTION'", tok[0]);
    st->name = lookup(p, tok[1], NAME_CONN, "a connection name");
    return st->name >= 0;
}

/* define-domain C DOMAIN, and start-, destroy-, undefine- */
static bool step_domain(struct parser *p, char **tok, int ntok, struct step *st)
{
    if (ntok != 3)
        return fail(p, "expected '%s CONNECTION DOMAIN'", tok[0]);
    st->name = lookup(p, tok[1], NAME_CONN, "a connection name");
    st->str = strdup(tok[2]);
    return st->name >= 0;
}

/* Each step word's parser, by its kind in the words table. */
typedef bool step_parser(struct parser *p, char **tok, int ntok, struct step *st);
static step_parser *const step_parsers[] = {
    [S_PIPE] = step_fd_new, [S_PIPE_WRITER] = step_fd_new, [S_SOCKET] = step_fd_new,
    [S_READABLE] = step_fd_action, [S_DRAIN] = step_fd_action, [S_FILL] = step_fd_action,
    [S_DRAIN_WRITABLE] = step_fd_action, [S_CLOSE_PEER] = step_fd_action,
    [S_CLOSE_BEHIND] = step_fd_action, [S_REUSE] = step_fd_action,
    [S_CLOSE] = step_fd_action, [S_MOVE_FD] = step_move_fd,
    [S_ADD_HANDLE] = step_add_handle, [S_ADD_TIMEOUT] = step_add_timeout,
    [S_UPDATE_HANDLE] = step_update, [S_UPDATE_TIMEOUT] = step_update,
    [S_REMOVE_HANDLE] = step_remove, [S_REMOVE_TIMEOUT] = step_remove,
    [S_RUN] = step_run, [S_RUN_UNTIL] = step_run, [S_SLEEP] = step_run,
    [S_MARK] = step_mark, [S_WAIT_FAILS] = step_wait_fails,
    [S_WALL_CLOCK_STEP] = step_wall_clock, [S_REGISTER_DEFAULT] = step_register_default,
    [S_CONNECT] = step_connect, [S_DOMAIN_EVENTS] = step_connection,
    [S_DEFINE_DOMAIN] = step_domain, [S_START_DOMAIN] = step_domain,
    [S_DESTROY_DOMAIN] = step_domain, [S_UNDEFINE_DOMAIN] = step_domain,
    [S_CLOSE_CONNECTION] = step_connection, [S_DAEMON] = step_daemon,
    [S_STOP_DAEMON] = step_daemon, [S_PAUSE_DAEMON] = step_daemon,
    [S_RESUME_DAEMON] = step_daemon, [S_KEEPALIVE] = step_keepalive,
    [S_CLOSE_CALLBACK] = step_connection, [S_EXPECT] = parse_expect,
};

/* One step, tokens already split and any when-prefix removed: its word
 * is found in the words table, and its arguments read by its parser. */
static bool parse_step(struct parser *p, char **tok, int ntok, struct step *st)
{
    const struct word *w = words_step(tok[0]);

    if (!w)
        return fail(p, "expected a step (pipe, socket, add-handle, add-timeout, "
                    "update-*, remove-*, readable, run, run-until, expect, ...), "
                    "found '%s'", tok[0]);
    st->kind = (enum step_kind)w->kind;
    return step_parsers[w->kind](p, tok, ntok, st);
}

/* "at 200:", "at 200 thread:", "on cb NAME [#k]:", "on ff NAME:" */
static bool parse_when(struct parser *p, char **tok, int *ntok, int *first,
                       struct step *st)
{
    int colon = -1;
    int64_t v;

    st->when = WHEN_NOW;
    if (strcmp(tok[0], "at") && strcmp(tok[0], "on"))
        return true;
    for (int i = 0; i < *ntok && colon < 0; i++) {
        size_t n = strlen(tok[i]);
        if (n && tok[i][n - 1] == ':') {
            tok[i][n - 1] = '\0';
            colon = i;
        }
    }
    if (colon < 0 || colon + 1 >= *ntok)
        return fail(p, "expected 'at MS [thread]: STEP' or 'on cb|ff NAME [#K]: STEP'");
    if (!strcmp(tok[0], "at")) {
        if (colon > 2 || (colon == 2 && strcmp(tok[2], "thread")))
            return fail(p, "expected 'at MS:' or 'at MS thread:'");
        if (!parse_num(p, tok[1], &v, "a virtual time in ms", 0, SCENARIO_MAX_MS))
            return false;
        if (++p->nat > SCENARIO_MAX_AT)
            return fail(p, "more than %d 'at' steps", SCENARIO_MAX_AT);
        st->at_ms = v;
        st->when = colon == 2 ? WHEN_AT_THREAD : WHEN_AT;
    } else {
        if (colon < 2 || colon > 3 || (strcmp(tok[1], "cb") && strcmp(tok[1], "ff")))
            return fail(p, "expected 'on cb NAME [#K]:' or 'on ff NAME:'");
        st->when = tok[1][0] == 'c' ? WHEN_ON_CB : WHEN_ON_FF;
        st->on_name = lookup(p, tok[2], -1, "a registration name");
        if (st->on_name < 0)
            return false;
        st->on_nth = 0;
        if (colon == 3 && !parse_nth(p, tok[3], &st->on_nth))
            return false;
    }
    *first = colon + 1;
    return true;
}

static const char *const event_names[] = {
    "DEFINED", "UNDEFINED", "STARTED", "SUSPENDED", "RESUMED", "STOPPED",
    "SHUTDOWN", "PMSUSPENDED", "CRASHED",
};

int scenario_event_type(const char *name)
{
    for (size_t i = 0; i < sizeof(event_names) / sizeof(event_names[0]); i++)
        if (!strcmp(name, event_names[i]))
            return (int)i;
    return -1;
}

static const char *const close_reasons[] = { "ERROR", "EOF", "KEEPALIVE", "CLIENT" };

int scenario_close_reason(const char *name)
{
    for (size_t i = 0; i < sizeof(close_reasons) / sizeof(close_reasons[0]); i++)
        if (!strcmp(name, close_reasons[i]))
            return (int)i;
    return -1;
}

const char *scenario_close_reason_name(int reason)
{
    return reason >= 0 && reason < 4 ? close_reasons[reason] : "?";
}

const char *scenario_event_name(int type)
{
    return type >= 0 && type < (int)(sizeof(event_names) / sizeof(event_names[0])) ?
           event_names[type] : "?";
}

/* An id of ID_MAX bytes or fewer, of [A-Za-z0-9._-], that starts with a
 * letter or a digit (so that it reads as no option and no path). */
static bool valid_id(const char *id)
{
    size_t n = strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                          "0123456789._-");

    return id[n] == '\0' && n >= 1 && n <= ID_MAX && !strchr("._-", id[0]);
}

/* "R29" or "R29,R28": each a rule of docs/contract.md. */
static bool valid_rules(struct parser *p, const char *val)
{
    char buf[256], *save = NULL;

    snprintf(buf, sizeof(buf), "%s", val);
    for (char *r = strtok_r(buf, ",", &save); r; r = strtok_r(NULL, ",", &save)) {
        char *end;
        long n = r[0] == 'R' ? strtol(r + 1, &end, 10) : 0;
        if (r[0] != 'R' || !isdigit((unsigned char)r[1]) || *end || n < 1 ||
            n > CONTRACT_RULES)
            return fail(p, "expected rules R1 to R%d, comma-separated (docs/contract.md), "
                        "found '%s'", CONTRACT_RULES, r);
    }
    return true;
}

static bool parse_header(struct parser *p, char *key, char *val)
{
    struct scenario *sc = p->sc;
    char **slot = !strcmp(key, "id") ? &sc->id : !strcmp(key, "title") ? &sc->title :
                  !strcmp(key, "rules") ? &sc->rules : !strcmp(key, "why") ? &sc->why : NULL;

    while (isspace((unsigned char)*val))
        val++;
    if (!*val)
        return fail(p, "expected a value after '%s:'", key);
    p->last_header = NULL;
    if (slot) {
        if (*slot)
            return fail(p, "'%s:' given twice", key);
        if (slot == &sc->rules && !valid_rules(p, val))
            return false;
        if (slot == &sc->id)
            p->id_line = p->line;
        *slot = strdup(val);
        p->last_header = slot;
        p->last_len = strlen(val);
        p->last_cap = p->last_len + 1;
        return true;
    }
    if (!strcmp(key, "level")) {
        if (!strcmp(val, "MUST"))
            sc->level = LEVEL_MUST;
        else if (!strcmp(val, "SHOULD"))
            sc->level = LEVEL_SHOULD;
        else if (!strcmp(val, "INFO"))
            sc->level = LEVEL_INFO;
        else
            return fail(p, "expected MUST, SHOULD or INFO, found '%s'", val);
        return true;
    }
    if (!strcmp(key, "clock")) {
        if (strcmp(val, "real") && strcmp(val, "virtual"))
            return fail(p, "expected 'clock: real' or 'clock: virtual'");
        sc->realtime = !strcmp(val, "real");
        return true;
    }
    if (!strcmp(key, "guard")) {
        if (strcmp(val, "none") && strcmp(val, "yes"))
            return fail(p, "expected 'guard: none' or 'guard: yes'");
        sc->guard = !strcmp(val, "yes");
        return true;
    }
    return fail(p, "unknown header '%s:' (expected id, title, rules, level, "
                "why, guard or clock)", key);
}

/* An indented line continues the header above it.  The header's length
 * and room are kept, so that a header of many lines is read in linear
 * time, not re-measured and re-allocated at each line. */
static bool continue_header(struct parser *p, const char *line)
{
    size_t n = strlen(line);

    if (p->last_len + n + 2 > p->last_cap) {
        size_t cap = (p->last_len + n + 2) * 2;
        char *grown = realloc(*p->last_header, cap);
        if (!grown)
            return fail(p, "out of memory");
        *p->last_header = grown;
        p->last_cap = cap;
    }
    (*p->last_header)[p->last_len] = ' ';
    memcpy(*p->last_header + p->last_len + 1, line, n + 1);
    p->last_len += n + 1;
    return true;
}

/* What a step cannot be, whatever its words: said against its line. */
static bool step_allowed(struct parser *p, const struct step *st, const char *word)
{
    if (st->when != WHEN_NOW && (st->kind == S_RUN || st->kind == S_RUN_UNTIL ||
                                 st->kind == S_EXPECT || st->kind == S_REGISTER_DEFAULT))
        return fail(p, "'%s' cannot be scheduled or run from a callback", word);
    if (st->when == WHEN_NOW && st->kind == S_SLEEP)
        return fail(p, "'sleep' belongs in a callback ('on cb NAME: sleep MS')");
    if ((st->when == WHEN_ON_CB && st->on_nth == 0) &&
        (st->kind == S_ADD_HANDLE || st->kind == S_ADD_TIMEOUT))
        return fail(p, "an add from a callback must say which call ('on cb "
                    "NAME #K:'): a name is added once");
    return true;
}

/* A name is added once: remember the line of its add step. */
static bool note_add(struct parser *p, const struct step *st)
{
    struct scenario *sc = p->sc;

    if (st->kind != S_ADD_HANDLE && st->kind != S_ADD_TIMEOUT)
        return true;
    if (st->name >= p->added_cap) {
        int cap2 = sc->names_cap;
        int *a = realloc(p->added_at, (size_t)cap2 * sizeof(*a));
        if (!a)
            return fail(p, "out of memory");
        memset(a + p->added_cap, 0, (size_t)(cap2 - p->added_cap) * sizeof(*a));
        p->added_at = a;
        p->added_cap = cap2;
    }
    if (p->added_at[st->name])
        return fail(p, "'%s' is added twice (first on line %d); use a new name",
                    sc->names[st->name], p->added_at[st->name]);
    p->added_at[st->name] = p->line;
    return true;
}

/* One step line into *st, and st onto the scenario.  What st holds
 * (st->text, st->str) is the caller's to free when this fails. */
static bool parse_step_line(struct parser *p, char *line, struct step *st)
{
    struct scenario *sc = p->sc;
    char *tok[MAX_TOKENS], *save = NULL, *s;
    int ntok = 0, first = 0;

    st->line = p->line;
    st->text = strdup(line);
    for (s = strtok_r(line, " \t", &save); s; s = strtok_r(NULL, " \t", &save)) {
        if (ntok == MAX_TOKENS)
            return fail(p, "too many words on one line (at most %d)", MAX_TOKENS);
        tok[ntok++] = s;
    }
    if (!parse_when(p, tok, &ntok, &first, st) ||
        !parse_step(p, tok + first, ntok - first, st) ||
        !step_allowed(p, st, tok[first]) || !note_add(p, st))
        return false;
    if (sc->nsteps == sc->steps_cap) {
        int cap2 = sc->steps_cap ? sc->steps_cap * 2 : 16;
        struct step *steps = realloc(sc->steps, (size_t)cap2 * sizeof(*steps));
        if (!steps)
            return fail(p, "out of memory");
        sc->steps = steps;
        sc->steps_cap = cap2;
    }
    sc->steps[sc->nsteps++] = *st;
    return true;
}

static bool parse_line(struct parser *p, char *line)
{
    struct step st = { .name = -1, .fd_name = -1, .on_name = -1 };
    bool indented = *line == ' ' || *line == '\t';
    char *s, *colon;

    while (isspace((unsigned char)*line))
        line++;
    s = line + strlen(line);
    while (s > line && isspace((unsigned char)s[-1]))
        *--s = '\0';
    if (!*line || *line == '#') {
        p->last_header = NULL;
        return true;
    }
    if (indented && p->last_header)
        return continue_header(p, line);
    p->last_header = NULL;
    /* "key: value", where key is one word: a header line. */
    colon = strpbrk(line, " \t:");
    if (colon && *colon == ':') {
        *colon = '\0';
        return parse_header(p, line, colon + 1);
    }
    if (parse_step_line(p, line, &st))
        return true;
    free(st.text);              /* not kept: nothing of it may leak */
    free(st.str);
    return false;
}

/* The lines of f (closed here) as the scenario named path. */
static struct scenario *parse_stream(FILE *f, const char *path, char *err, size_t errlen)
{
    struct parser p = { .path = path, .err = err, .errlen = errlen };
    char *line = NULL;
    size_t cap = 0;

    p.sc = calloc(1, sizeof(*p.sc));
    p.sc->path = strdup(path);
    p.sc->level = LEVEL_MUST;
    p.sc->guard = true;
    while (getline(&line, &cap, f) >= 0) {
        p.line++;
        if (!parse_line(&p, line))
            break;
    }
    free(line);
    fclose(f);
    free(p.slots);
    free(p.added_at);
    if (!p.failed) {
        const char *missing = !p.sc->id ? "id" : !p.sc->title ? "title" :
                              !p.sc->rules ? "rules" : !p.sc->why ? "why" : NULL;
        p.line = 1;
        if (missing)
            fail(&p, "missing '%s:' header", missing);
        else if (!valid_id(p.sc->id)) {
            p.line = p.id_line;
            fail(&p, "an id is 1 to %d letters, digits, '.', '_' or '-', starting with a "
                 "letter or a digit; found '%.*s'%s", ID_MAX, ID_MAX, p.sc->id,
                 strlen(p.sc->id) > ID_MAX ? "..." : "");
        }
        else if (p.sc->nsteps == 0)
            fail(&p, "no steps");
    }
    if (!p.failed) {
        char why[300];
        int line = scenario_check_client(p.sc, why, sizeof(why));
        if (line > 0) {
            p.line = line;
            fail(&p, "%s", why);
        }
    }
    if (p.failed) {
        scenario_free(p.sc);
        return NULL;
    }
    return p.sc;
}

struct scenario *scenario_parse(const char *path, char *err, size_t errlen)
{
    /* O_NONBLOCK: a FIFO named *.scn must not block the runner. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    FILE *f;

    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        close(fd);
        return NULL;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    if (!(f = fdopen(fd, "r"))) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    return parse_stream(f, path, err, errlen);
}

struct scenario *scenario_parse_text(const char *path, const char *text, char *err,
                                     size_t errlen)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");

    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    return parse_stream(f, path, err, errlen);
}

void scenario_free(struct scenario *sc)
{
    if (!sc)
        return;
    for (int i = 0; i < sc->nnames; i++)
        free(sc->names[i]);
    for (int i = 0; i < sc->nsteps; i++)
        free(sc->steps[i].text);
    for (int i = 0; i < sc->nsteps; i++)
        free(sc->steps[i].str);
    free(sc->names);
    free(sc->kinds);
    free(sc->steps);
    free(sc->path);
    free(sc->id);
    free(sc->title);
    free(sc->rules);
    free(sc->why);
    free(sc);
}
