/*
 * parse-expect.c - a scenario's expect lines (prefix expect_, and
 * parse_expect): the expectation word found in the words table (words.c),
 * then its arguments: a registration, connection or fd, #K, since ANCHOR,
 * a comparison (CMP V, A..B, ~D) and a level ([MUST]...).
 *
 * It only reads them: expectations.c checks them when the step runs.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "parser.h"
#include "words.h"

/* Where an anchor's offset starts: the last '+' or '-' that only digits
 * follow, unless the whole word is a mark's name (names may hold '-'). */
static char *offset_sign(const struct parser *p, char *buf)
{
    char *d = buf + strlen(buf);
    int name = names_find(p, buf);

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
        return lex_num(p, s, &v->offset, "a number or an anchor", -SCENARIO_MAX_MS,
                       SCENARIO_MAX_MS);
    snprintf(buf, sizeof(buf), "%s", s);
    sign = offset_sign(p, buf);
    if (sign) {
        if (!lex_num(p, sign + (*sign == '+'), &v->offset, "an offset",
                     -SCENARIO_MAX_MS, SCENARIO_MAX_MS))
            return false;
        *sign = '\0';
    }
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        size_t n = strlen(ops[i].prefix);
        if (!strncmp(buf, ops[i].prefix, n)) {
            char *close = strchr(buf, ')');
            if (!close || close[1])
                return lex_fail(p, "expected %sNAME), found '%s'", ops[i].prefix, s);
            *close = '\0';
            v->anchor = ops[i].kind;
            v->name = names_lookup(p, buf + n, -1, "a registration name");
            return v->name >= 0;
        }
    }
    v->anchor = ANCHOR_MARK;
    v->name = names_lookup(p, buf, NAME_MARK, "a number, a mark, or add(X)/update(X)/"
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
    return lex_fail(p, "expected a comparison (= != < <= > >= VALUE), a range "
                    "(A..B) or a deadline (~VALUE)");
}

/* "since ANCHOR": count calls from the moment of a mark or an operation. */
static bool parse_since(struct parser *p, const char *s, struct expect *x)
{
    if (!parse_value(p, s, &x->since))
        return false;
    if (x->since.anchor == ANCHOR_NONE || x->since.offset)
        return lex_fail(p, "expected a mark or add(X)/update(X)/remove(X) after "
                        "'since', with no offset, found '%s'", s);
    return true;
}

/* The comparison that ends an expect line, from token *i, and nothing
 * after it. */
static bool cmp_to_end(struct parser *p, char **tok, int ntok, int i,
                       struct expect *x)
{
    if (!parse_cmp(p, tok, ntok, &i, x))
        return false;
    if (i != ntok)
        return lex_fail(p, "unexpected '%s' at the end", tok[i]);
    return true;
}

/* expect fd P open|flags-unchanged */
static bool expect_fd(struct parser *p, char **tok, int ntok, struct expect *x)
{
    const struct word *w;

    x->name = names_lookup(p, tok[2], NAME_FD, "an fd name");
    if (x->name < 0)
        return false;
    if (ntok != 4 || !(w = words_expect(tok[1], tok[3])))
        return lex_fail(p, "expected 'expect fd NAME open' or 'expect fd NAME "
                        "flags-unchanged'");
    x->kind = (enum expect_kind)w->kind;
    return true;
}

/* expect closed C REASON [at CMP MS] */
static bool expect_closed(struct parser *p, char **tok, int ntok,
                          struct expect *x)
{
    x->kind = X_CLOSED;
    x->name = names_lookup(p, tok[2], NAME_CONN, "a connection name");
    if (x->name < 0)
        return false;
    if (ntok < 4 || (x->mask = !strcmp(tok[3], "NONE") ? -1 :
                                scenario_close_reason(tok[3])) < -1 ||
        (x->mask == -1 && strcmp(tok[3], "NONE")) ||
        (ntok > 4 && (x->mask == -1 || strcmp(tok[4], "at"))))
        return lex_fail(p, "expected 'expect closed CONNECTION NONE|ERROR|EOF|KEEPALIVE|"
                        "CLIENT [at CMP MS]'");
    if (ntok == 4)
        return true;
    x->timed = true;
    return cmp_to_end(p, tok, ntok, 5, x);
}

/* expect released C */
static bool expect_released(struct parser *p, char **tok, int ntok,
                            struct expect *x)
{
    x->kind = X_RELEASED;
    x->name = names_lookup(p, tok[2], NAME_CONN, "a connection name");
    if (x->name < 0)
        return false;
    if (ntok != 3)
        return lex_fail(p, "expected 'expect released CONNECTION'");
    return true;
}

/* expect event C #k TYPE */
static bool expect_event(struct parser *p, char **tok, int ntok,
                         struct expect *x)
{
    x->kind = X_EVENT;
    x->name = names_lookup(p, tok[2], NAME_CONN, "a connection name");
    if (x->name < 0)
        return false;
    if (ntok != 5 || !lex_nth(p, tok[3], &x->nth))
        return lex_fail(p, "expected 'expect event CONNECTION #K TYPE'");
    if ((x->mask = scenario_event_type(tok[4])) < 0)
        return lex_fail(p, "expected an event type (DEFINED, UNDEFINED, STARTED, "
                        "SUSPENDED, RESUMED, STOPPED, ...), found '%s'", tok[4]);
    return true;
}

/* The registration an expectation is about (its third word). */
static bool on_registration(struct parser *p, char **tok, struct expect *x)
{
    x->name = names_lookup(p, tok[2], -1, "a registration name");
    x->since = (struct value){ ANCHOR_NONE, -1, 0 };
    return x->name >= 0;
}

/* expect calls|frees|per-iteration|id NAME [since A] CMP V (since: calls) */
static bool expect_count(struct parser *p, char **tok, int ntok,
                         struct expect *x)
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
static bool expect_free(struct parser *p, char **tok, int ntok,
                        struct expect *x)
{
    const struct word *w;

    if (!on_registration(p, tok, x))
        return false;
    if (ntok < 4 || !(w = words_expect(tok[1], tok[3])))
        return lex_fail(p, "expected 'expect free NAME iteration|at CMP VALUE'");
    x->kind = (enum expect_kind)w->kind;
    return cmp_to_end(p, tok, ntok, 4, x);
}

/* ... events =|has|within MASK, from token k (the word 'events') */
static bool expect_events(struct parser *p, char **tok, int ntok, int k,
                          struct expect *x)
{
    if (ntok != k + 3)
        return lex_fail(p, "expected 'expect call NAME #K events =|has|within MASK'");
    if (!strcmp(tok[k + 1], "=") || !strcmp(tok[k + 1], "=="))
        x->mask_test = MASK_EQ;
    else if (!strcmp(tok[k + 1], "has"))
        x->mask_test = MASK_HAS;
    else if (!strcmp(tok[k + 1], "within"))
        x->mask_test = MASK_WITHIN;
    else
        return lex_fail(p, "expected =, has or within, found '%s'", tok[k + 1]);
    return lex_mask(p, tok[k + 2], &x->mask);
}

/* expect call NAME #K [since A] at|iteration CMP V, or events ... */
static bool expect_call(struct parser *p, char **tok, int ntok,
                        struct expect *x)
{
    const struct word *w;
    int k = 4;              /* the word after #K [since A] */

    if (!on_registration(p, tok, x))
        return false;
    if (ntok < 5 || !lex_nth(p, tok[3], &x->nth))
        return lex_fail(p, "expected 'expect call NAME #K at|iteration|events ...'");
    if (!strcmp(tok[4], "since")) {
        if (ntok < 7 || !parse_since(p, tok[5], x))
            return ntok < 7 ? lex_fail(p, "expected 'expect call NAME #K since "
                                       "ANCHOR at|iteration|events ...'") : false;
        k = 6;
    }
    if (!(w = words_expect(tok[1], tok[k])))
        return lex_fail(p, "expected at, iteration or events after '#K', found '%s'",
                        tok[k]);
    x->kind = (enum expect_kind)w->kind;
    if (x->kind == X_CALL_EVENTS)
        return expect_events(p, tok, ntok, k, x);
    return cmp_to_end(p, tok, ntok, k + 1, x);
}

/* Each expectation word's parser, by the kind of its first row in the
 * words table. */
typedef bool expect_parser(struct parser *p, char **tok, int ntok,
                           struct expect *x);
static expect_parser *const expect_parsers[] = {
    [X_CALLS] = expect_count, [X_FREES] = expect_count,
    [X_PER_ITER] = expect_count, [X_ID] = expect_count,
    [X_CALL_AT] = expect_call, [X_FREE_ITER] = expect_free,
    [X_FD_OPEN] = expect_fd, [X_CLOSED] = expect_closed,
    [X_RELEASED] = expect_released, [X_EVENT] = expect_event,
};

/* [MUST], [SHOULD] or [INFO] at the end of an expect line: taken off. */
static bool expect_level(struct parser *p, char **tok, int *ntok,
                         struct expect *x)
{
    static const struct { const char *word; enum level level; } levels[] = {
        { "[MUST]", LEVEL_MUST }, { "[SHOULD]", LEVEL_SHOULD },
        { "[INFO]", LEVEL_INFO },
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
    return lex_fail(p, "expected [MUST], [SHOULD] or [INFO], found '%s'", l);
}

/* expect ... (after the word "expect") */
bool parse_expect(struct parser *p, char **tok, int ntok, struct step *st)
{
    struct expect *x = &st->expect;
    const struct word *w;

    st->kind = S_EXPECT;
    if (!expect_level(p, tok, &ntok, x))
        return false;
    if (ntok < 3)
        return lex_fail(p, "expected 'expect WHAT NAME ...'");
    x->name = -1;
    w = words_expect(tok[1], NULL);
    if (w)
        return expect_parsers[w->kind](p, tok, ntok, x);
    if (!on_registration(p, tok, x))
        return false;
    return lex_fail(p, "expected calls, call, frees, free, per-iteration, id or "
                    "fd after 'expect', found '%s'", tok[1]);
}
