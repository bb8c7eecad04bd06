/*
 * table.c - registrations of one kind, found by id.
 *
 * An open-addressing hash table (linear probing, multiplicative hash) from
 * id to record, so that add, lookup, update and remove cost the same with
 * ten registrations or a hundred thousand.  Removal marks a record and
 * queues it; the record stays findable until evref__table_take_removed()
 * unlinks the queue for the sweep, so the sweep costs what was removed,
 * never what is registered.  The table shrinks as it empties: memory taken
 * by a burst of registrations is given back once they are gone.
 */
#include <limits.h>
#include <stdlib.h>

#include "internal.h"

#define MIN_CAP 16

/* Fibonacci hashing: consecutive ids land far apart, and any pattern of
 * surviving ids spreads over the whole table. */
static size_t slot_of(const struct evref__table *t, int id)
{
    return (size_t)(((uint64_t)(unsigned)id * UINT64_C(11400714819323198485)) >>
                    (64 - t->bits));
}

static void insert(struct evref__table *t, struct evref__reg *reg)
{
    size_t mask = t->cap - 1, i = slot_of(t, reg->id);

    while (t->slots[i])
        i = (i + 1) & mask;
    t->slots[i] = reg;
}

/* Move every record into a table of new_cap slots (a power of two).
 * Returns -1, leaving the table as it was, without memory. */
static int rehash(struct evref__table *t, size_t new_cap)
{
    struct evref__table old = *t;
    unsigned bits = 0;

    while (((size_t)1 << bits) < new_cap)
        bits++;
    t->slots = calloc(new_cap, sizeof(*t->slots));
    if (!t->slots) {
        t->slots = old.slots;
        return -1;
    }
    t->cap = new_cap;
    t->bits = bits;
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i])
            insert(t, old.slots[i]);
    free(old.slots);
    return 0;
}

/* Enter reg with a fresh id: ids start at 1, as 0 means "none" to libvirt
 * (R4), and each kind has its own counter and table, so a handle call with
 * a timer's id cannot touch the timer (R6).  The table stays at most half
 * full.  Returns the id, or -1 when memory or ids are exhausted (ids are
 * never wrapped round: R5 forbids reuse). */
int evref__table_add(struct evref__table *t, struct evref__reg *reg)
{
    if (t->last_id == INT_MAX)
        return -1;
    if (2 * (t->count + 1) > t->cap &&
        rehash(t, t->cap ? 2 * t->cap : MIN_CAP) < 0)
        return -1;
    reg->id = ++t->last_id;
    reg->deleted = false;
    reg->next_free = NULL;
    insert(t, reg);
    t->count++;
    return reg->id;
}

/* The record with this id, removed or not; NULL if there is none. */
struct evref__reg *evref__table_find(const struct evref__table *t, int id)
{
    size_t mask = t->cap - 1;

    if (!t->cap)
        return NULL;
    for (size_t i = slot_of(t, id); t->slots[i]; i = (i + 1) & mask)
        if (t->slots[i]->id == id)
            return t->slots[i];
    return NULL;
}

/* The record with this id if it has not been removed.  Remove and update
 * look ids up here, so a removed, unknown, zero or negative id finds
 * nothing: remove returns -1 (R7) and update does nothing (R8), and a
 * disabled registration is found like any other (R7, R9). */
struct evref__reg *evref__table_find_live(const struct evref__table *t, int id)
{
    struct evref__reg *reg = evref__table_find(t, id);

    return reg && !reg->deleted ? reg : NULL;
}

/* Mark reg removed and queue it for the sweep, in the order of removal. */
void evref__table_mark_removed(struct evref__table *t, struct evref__reg *reg)
{
    reg->deleted = true;
    reg->next_free = NULL;
    if (t->removed_tail)
        t->removed_tail->next_free = reg;
    else
        t->removed = reg;
    t->removed_tail = reg;
}

/* Take reg out of the hash.  Backward-shift deletion keeps every probe
 * chain unbroken without tombstones: each record after the hole that could
 * live in it moves up. */
static void unlink_slot(struct evref__table *t, const struct evref__reg *reg)
{
    size_t mask = t->cap - 1, hole = slot_of(t, reg->id);

    while (t->slots[hole] != reg)
        hole = (hole + 1) & mask;
    for (size_t i = (hole + 1) & mask; t->slots[i]; i = (i + 1) & mask) {
        size_t home = slot_of(t, t->slots[i]->id);
        /* Does home lie cyclically outside (hole, i]?  Then the record
         * may move into the hole. */
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            t->slots[hole] = t->slots[i];
            hole = i;
        }
    }
    t->slots[hole] = NULL;
    t->count--;
}

/* Unlink every removed record from the table and hand them back, in the
 * order they were removed, linked through next_free.  Costs what was
 * removed; then, when the table is less than an eighth full, it shrinks
 * (if memory for the smaller table cannot be had, it simply stays big). */
struct evref__reg *evref__table_take_removed(struct evref__table *t)
{
    struct evref__reg *list = t->removed;
    size_t cap = t->cap;

    for (struct evref__reg *reg = list; reg; reg = reg->next_free)
        unlink_slot(t, reg);
    t->removed = t->removed_tail = NULL;
    while (cap > MIN_CAP && 8 * t->count < cap)
        cap /= 2;
    if (cap != t->cap)
        (void)rehash(t, cap);
    return list;
}

bool evref__table_has_removed(const struct evref__table *t)
{
    return t->removed != NULL;
}

/* Free every record and the table, without calling anything. */
void evref__table_clear(struct evref__table *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->slots[i]);
    free(t->slots);
    *t = (struct evref__table){0};
}
