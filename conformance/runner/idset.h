/*
 * idset.h - a set of strings, each with the index its owner gave it, found
 * in constant time: the scenario ids of a run and the ids of an
 * --expect deviation file are looked up once each, so that loading 100k of
 * either is linear, not quadratic.
 *
 * The set holds pointers to the caller's strings, which must outlive it.
 */
#ifndef EVCONF_IDSET_H
#define EVCONF_IDSET_H

#include <stddef.h>

struct idset {
    const char **keys;          /* NULL: an empty slot */
    int *values;
    size_t nslots, n;
};

/* The index stored under key, or -1. */
int idset_find(const struct idset *s, const char *key);
/* Store value under key, if key is not there yet.  Returns the index
 * already stored (key used before), -1 when it was added, or -2 when out
 * of memory. */
int idset_add(struct idset *s, const char *key, int value);
void idset_free(struct idset *s);

#endif
