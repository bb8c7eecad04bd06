/*
 * names.c - the names a scenario declares (prefix names_): fds,
 * registrations, marks, connections and daemons, each with its kind, in
 * a hash table so that a file of a hundred thousand names reads in linear
 * time.
 *
 * It does not say where a name may be used: the step parsers ask for the
 * kind they need.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

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

int names_find(const struct parser *p, const char *s)
{
    return p->nslots ? *name_slot(p, s) - 1 : -1;
}

/* Declare a name (a first add, fd or mark) or find it again. */
int names_declare(struct parser *p, const char *s, enum name_kind kind)
{
    struct scenario *sc = p->sc;
    int i = names_find(p, s);

    if (i >= 0) {
        if (sc->kinds[i] != kind)
            return lex_fail(p, "'%s' is already used for something else", s), -1;
        return i;
    }
    if (!valid_name(s))
        return lex_fail(p, "expected a name (a letter, then letters, digits, "
                        "'_' or '-'), found '%s'", s), -1;
    if (!grow_slots(p))
        return lex_fail(p, "out of memory"), -1;
    if (sc->nnames == sc->names_cap) {
        int cap = sc->names_cap ? sc->names_cap * 2 : 16;
        char **names = realloc(sc->names, (size_t)cap * sizeof(*names));
        enum name_kind *kinds = names ? realloc(sc->kinds, (size_t)cap * sizeof(*kinds)) : NULL;
        if (names)
            sc->names = names;
        if (!kinds)
            return lex_fail(p, "out of memory"), -1;
        sc->kinds = kinds;
        sc->names_cap = cap;
    }
    sc->names[sc->nnames] = strdup(s);
    sc->kinds[sc->nnames] = kind;
    *name_slot(p, s) = sc->nnames + 1;
    return sc->nnames++;
}

/* A name used before: any registration, or one of the given kind. */
int names_lookup(struct parser *p, const char *s, int want, const char *what)
{
    int i = names_find(p, s);

    if (i < 0)
        return lex_fail(p, "expected %s, found '%s' (not defined above)", what, s), -1;
    if (want >= 0 && p->sc->kinds[i] != (enum name_kind)want)
        return lex_fail(p, "expected %s, found '%s'", what, s), -1;
    return i;
}
