/*
 * idset.c - open addressing over FNV-1a, doubled at half full (idset.h).
 * Prefix idset_.  Its users: suite.c (scenario ids), deviations.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "idset.h"

static size_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

/* The slot that holds key, or the empty one where it would go. */
static size_t slot(const struct idset *s, const char *key)
{
    size_t i = hash(key) & (s->nslots - 1);

    while (s->keys[i] && strcmp(s->keys[i], key))
        i = (i + 1) & (s->nslots - 1);
    return i;
}

int idset_find(const struct idset *s, const char *key)
{
    size_t i;

    if (!s->nslots)
        return -1;
    i = slot(s, key);
    return s->keys[i] ? s->values[i] : -1;
}

/* Twice the slots, every key moved over: keeps the set at most half
 * full, so that a probe stays short. */
static int grow(struct idset *s)
{
    struct idset bigger = { 0 };

    bigger.nslots = s->nslots ? s->nslots * 2 : 64;
    bigger.keys = calloc(bigger.nslots, sizeof(*bigger.keys));
    bigger.values = calloc(bigger.nslots, sizeof(*bigger.values));
    if (!bigger.keys || !bigger.values) {
        free(bigger.keys);
        free(bigger.values);
        return -1;
    }
    for (size_t i = 0; i < s->nslots; i++)
        if (s->keys[i]) {
            size_t j = slot(&bigger, s->keys[i]);
            bigger.keys[j] = s->keys[i];
            bigger.values[j] = s->values[i];
        }
    bigger.n = s->n;
    idset_free(s);
    *s = bigger;
    return 0;
}

int idset_add(struct idset *s, const char *key, int value)
{
    size_t i;

    if ((s->n + 1) * 2 > s->nslots && grow(s) < 0)
        return -2;
    i = slot(s, key);
    if (s->keys[i])
        return s->values[i];
    s->keys[i] = key;
    s->values[i] = value;
    s->n++;
    return -1;
}

void idset_free(struct idset *s)
{
    free(s->keys);
    free(s->values);
    memset(s, 0, sizeof(*s));
}
