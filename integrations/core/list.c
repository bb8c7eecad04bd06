/*
 * list.c - the registrations of one kind: found by id, walked densely.
 *
 * Ids index an open-addressing hash table (linear probing, deletion by
 * backward shift); a dense array holds the same records for walks (the
 * handles' gather), each record knowing its slot; removed records wait on
 * a queue for the sweep.  Add, find and the sweep of one record cost the
 * same whatever the number registered.  Removed records stay findable
 * until the sweep, so that a late update finds them and does nothing and
 * a second remove finds them and fails (R7, R8).
 */
#include <limits.h>
#include <stdlib.h>

#include "evcore.h"

#define MIN_CAP 64

static size_t slot_of(const struct evc_list *list, int id)
{
    return ((unsigned)id * 2654435761u) & (list->cap - 1);
}

static void put(struct evc_list *list, struct evc_reg *reg)
{
    size_t i = slot_of(list, reg->id);

    while (list->slots[i])
        i = (i + 1) & (list->cap - 1);
    list->slots[i] = reg;
}

/* Move the table to cap slots (a power of two, more than twice the
 * records); false if there is no memory, the table unchanged. */
static bool rehash(struct evc_list *list, size_t cap)
{
    struct evc_reg **old = list->slots;
    size_t old_cap = list->cap;

    if (!(list->slots = calloc(cap, sizeof(*list->slots)))) {
        list->slots = old;
        return false;
    }
    list->cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i])
            put(list, old[i]);
    free(old);
    return true;
}

/* Room for one more record in both arrays, taken here so that nothing an
 * iteration does needs memory (R2). */
static int reserve(struct evc_list *list)
{
    if ((list->len + 1) * 2 > list->cap &&
        !rehash(list, list->cap ? list->cap * 2 : MIN_CAP))
        return -1;
    if (list->len == list->icap) {
        size_t cap = list->icap ? list->icap * 2 : MIN_CAP;
        struct evc_reg **items = realloc(list->items, cap * sizeof(*items));
        if (!items)
            return -1;
        list->items = items;
        list->icap = cap;
    }
    return 0;
}

/* Ids start at 1 and are never reused (R4, R5); handles and timers count
 * separately (R6).  When the counter would wrap, adds fail rather than
 * hand out an id twice. */
int evc_list_add(struct evc_list *list, struct evc_reg *reg)
{
    if (list->last_id == INT_MAX || reserve(list) < 0)
        return -1;
    reg->id = ++list->last_id;
    put(list, reg);
    reg->index = list->len;
    list->items[list->len++] = reg;
    return reg->id;
}

/* The record of id, removed or not; NULL for an id never handed out or
 * already swept. */
struct evc_reg *evc_list_find(const struct evc_list *list, int id)
{
    if (!list->cap || id <= 0)
        return NULL;
    for (size_t i = slot_of(list, id); list->slots[i];
         i = (i + 1) & (list->cap - 1))
        if (list->slots[i]->id == id)
            return list->slots[i];
    return NULL;
}

/* Unknown, negative and removed ids all come back NULL: updates of them do
 * nothing and removes of them fail (R7, R8). */
struct evc_reg *evc_list_find_live(const struct evc_list *list, int id)
{
    struct evc_reg *reg = evc_list_find(list, id);

    return reg && !reg->removed ? reg : NULL;
}

void evc_list_mark_removed(struct evc_list *list, struct evc_reg *reg)
{
    reg->removed = true;
    reg->next_free = NULL;
    *(list->removed ? &list->removed_tail->next_free : &list->removed_head) = reg;
    list->removed_tail = reg;
    list->removed++;
}

/* Take reg out of the hash table, shifting back the records that probed
 * past its slot, so that no tombstone is left. */
static void unhash(struct evc_list *list, struct evc_reg *reg)
{
    size_t mask = list->cap - 1, i = slot_of(list, reg->id), j;

    while (list->slots[i] != reg)
        i = (i + 1) & mask;
    for (j = (i + 1) & mask; list->slots[j]; j = (j + 1) & mask) {
        size_t home = slot_of(list, list->slots[j]->id);
        if (((j - home) & mask) >= ((j - i) & mask)) {
            list->slots[i] = list->slots[j];
            i = j;
        }
    }
    list->slots[i] = NULL;
}

/* After a sweep took many records out: give memory back, at most down
 * to twice what is left.  A failure only keeps the larger arrays. */
static void shrink(struct evc_list *list)
{
    size_t cap = list->cap;

    while (cap > MIN_CAP && list->len * 8 < cap)
        cap /= 2;
    if (cap != list->cap)
        (void)rehash(list, cap);
    if (list->icap > MIN_CAP && list->len * 4 < list->icap) {
        size_t icap = list->len * 2 > MIN_CAP ? list->len * 2 : MIN_CAP;
        struct evc_reg **items = realloc(list->items, icap * sizeof(*items));
        if (items) {
            list->items = items;
            list->icap = icap;
        }
    }
}

/* Unlink every removed record and return them chained by next_free, in
 * the order they were removed.  Called by the sweep only, on the loop
 * thread and outside dispatch, which is what walks the dense array. */
struct evc_reg *evc_list_take_removed(struct evc_list *list)
{
    struct evc_reg *head = list->removed_head;

    if (!list->removed)
        return NULL;
    for (struct evc_reg *reg = head; reg; reg = reg->next_free) {
        struct evc_reg *last = list->items[--list->len];
        unhash(list, reg);
        list->items[reg->index] = last;
        last->index = reg->index;
    }
    list->removed_head = list->removed_tail = NULL;
    list->removed = 0;
    shrink(list);
    return head;
}
