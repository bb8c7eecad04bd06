/*
 * table.c - registrations of one kind, sorted by id.
 *
 * Ids are handed out by a counter that only grows, and each add appends, so
 * the array stays sorted without ever being sorted.  Lookup is a binary
 * search.  Removal marks a record; evref__table_sweep() compacts the array
 * and hands the marked records back for their free callbacks.
 */
#include <limits.h>
#include <stdlib.h>

#include "internal.h"

/* Append reg with a fresh id: ids start at 1, as 0 means "none" to libvirt
 * (R4), and each kind has its own counter and table, so a handle call with
 * a timer's id cannot touch the timer (R6).  Returns the id, or -1 when
 * memory or ids are exhausted (ids are never wrapped round: R5 forbids
 * reuse). */
int evref__table_add(struct evref__table *t, struct evref__reg *reg)
{
    if (t->last_id == INT_MAX)
        return -1;
    if (t->len == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        struct evref__reg **items = realloc(t->items, cap * sizeof(*items));
        if (!items)
            return -1;
        t->items = items;
        t->cap = cap;
    }
    reg->id = ++t->last_id;
    reg->deleted = false;
    reg->next_free = NULL;
    t->items[t->len++] = reg;
    return reg->id;
}

/* The record with this id, removed or not; NULL if there is none. */
struct evref__reg *evref__table_find(const struct evref__table *t, int id)
{
    size_t lo = 0, hi = t->len;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int mid_id = t->items[mid]->id;
        if (mid_id == id)
            return t->items[mid];
        if (mid_id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
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

/* Take every removed record out of the table, keeping the order of the
 * others, and push them onto list.  Returns the new list head. */
struct evref__reg *evref__table_sweep(struct evref__table *t,
                                      struct evref__reg *list)
{
    size_t kept = 0;

    if (t->ndeleted == 0)
        return list;
    for (size_t i = 0; i < t->len; i++) {
        struct evref__reg *reg = t->items[i];
        if (reg->deleted) {
            reg->next_free = list;
            list = reg;
        } else {
            t->items[kept++] = reg;
        }
    }
    t->len = kept;
    t->ndeleted = 0;
    return list;
}

/* Free every record and the array, without calling anything. */
void evref__table_clear(struct evref__table *t)
{
    for (size_t i = 0; i < t->len; i++)
        free(t->items[i]);
    free(t->items);
    *t = (struct evref__table){0};
}
