/*
 * table.c - the live records, found by kind and id in a hash table, so
 * that update and remove cost the same with ten registrations or with a
 * hundred thousand.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "internal.h"

/* The bucket of a kind and id: ids are consecutive, so a multiplicative
 * hash spreads them; handles and timers share the table (R6: their ids
 * are compared with their kind). */
static size_t bucket(bool is_timer, int id, size_t nbuckets)
{
    uint32_t h = ((uint32_t)id * 2654435761u) ^ (is_timer ? 0x9e3779b9u : 0);

    return h & (nbuckets - 1);
}

/* Makes room for one more live record, doubling the buckets at a load of
 * one; called locked, from add only, so that a failure to allocate is
 * add's -1 (R4) and nothing later can fail for want of memory (R2). */
static int reserve(void)
{
    size_t n = lvev.nbuckets ? lvev.nbuckets * 2 : 64;
    struct lvev_reg **b;

    if ((size_t)lvev.nlive < lvev.nbuckets)
        return 0;
    b = calloc(n, sizeof(*b));
    if (!b)
        return -1;
    for (size_t i = 0; i < lvev.nbuckets; i++)
        for (struct lvev_reg *r = lvev.buckets[i], *next; r; r = next) {
            size_t k = bucket(r->is_timer, r->id, n);
            next = r->next;
            r->next = b[k];
            b[k] = r;
        }
    free(lvev.buckets);
    lvev.buckets = b;
    lvev.nbuckets = n;
    return 0;
}

/* Gives r the next id of its kind and makes it live; called locked.  Ids
 * count from 1 per kind and are never reused (R4, R5, R6): once the
 * counter reaches INT_MAX, adds fail instead of wrapping. */
int lvev_link(struct lvev_reg *r)
{
    int *last = r->is_timer ? &lvev.last_timer_id : &lvev.last_handle_id;
    size_t k;

    if (*last == INT_MAX || reserve() < 0)
        return -1;
    r->id = ++*last;
    k = bucket(r->is_timer, r->id, lvev.nbuckets);
    r->next = lvev.buckets[k];
    lvev.buckets[k] = r;
    lvev.nlive++;
    lvev.pending++;
    return r->id;
}

/* The live record of that kind and id, or NULL; called locked. */
struct lvev_reg *lvev_find(bool is_timer, int id)
{
    if (!lvev.nbuckets)
        return NULL;
    for (struct lvev_reg *r = lvev.buckets[bucket(is_timer, id, lvev.nbuckets)];
         r; r = r->next)
        if (r->id == id && r->is_timer == is_timer)
            return r;
    return NULL;
}

/* Takes the live record of that kind and id out of the table and returns
 * it, or NULL if there is none (R7); called locked.  It still counts as
 * pending until the sweep frees it. */
struct lvev_reg *lvev_unlink(bool is_timer, int id)
{
    struct lvev_reg **p, *r;

    if (!lvev.nbuckets)
        return NULL;
    for (p = &lvev.buckets[bucket(is_timer, id, lvev.nbuckets)]; (r = *p);
         p = &r->next)
        if (r->id == id && r->is_timer == is_timer) {
            *p = r->next;
            lvev.nlive--;
            return r;
        }
    return NULL;
}
