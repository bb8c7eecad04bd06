/*
 * list.c - the registrations of one kind, in id order.
 *
 * Ids are handed out from a counter that only grows, so appending keeps
 * the list sorted and a lookup is a binary search.  Removed records stay
 * until the sweep takes them, so that a late update or a second remove
 * finds them; the sweep compacts the list in one pass.
 */
#include <limits.h>
#include <stdlib.h>

#include "internal.h"

/* Ids start at 1 and are never reused (R4, R5); handles and timers count
 * separately (R6).  When the counter would wrap, adds fail rather than
 * hand out an id twice.  The room is taken here, so that nothing an
 * iteration does needs memory (R2). */
int lv_list_add(struct lv_list *list, struct lv_reg *reg)
{
    if (list->last_id == INT_MAX)
        return -1;
    if (list->len == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 16;
        struct lv_reg **items = realloc(list->items, cap * sizeof(*items));
        if (!items)
            return -1;
        list->items = items;
        list->cap = cap;
    }
    reg->id = ++list->last_id;
    list->items[list->len++] = reg;
    return reg->id;
}

/* The record of id, removed or not; NULL for an id never handed out or
 * already swept. */
struct lv_reg *lv_list_find(const struct lv_list *list, int id)
{
    size_t lo = 0, hi = list->len;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int at = list->items[mid]->id;
        if (at == id)
            return list->items[mid];
        if (at < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Unknown, negative and removed ids all come back NULL: updates of them do
 * nothing and removes of them fail (R7, R8). */
struct lv_reg *lv_list_find_live(const struct lv_list *list, int id)
{
    struct lv_reg *reg = id > 0 ? lv_list_find(list, id) : NULL;

    return reg && !reg->removed ? reg : NULL;
}

void lv_list_mark_removed(struct lv_list *list, struct lv_reg *reg)
{
    reg->removed = true;
    list->removed++;
}

/* Unlink every removed record, keeping the others in order, and return
 * them chained by next_free, in id order.  Called by the sweep only, on
 * the loop thread and outside dispatch, which is what walks the list by
 * index. */
struct lv_reg *lv_list_take_removed(struct lv_list *list)
{
    struct lv_reg *head = NULL, **tail = &head;
    size_t kept = 0;

    if (!list->removed)
        return NULL;
    for (size_t i = 0; i < list->len; i++) {
        struct lv_reg *reg = list->items[i];
        if (reg->removed) {
            reg->next_free = NULL;
            *tail = reg;
            tail = &reg->next_free;
        } else {
            list->items[kept++] = reg;
        }
    }
    list->len = kept;
    list->removed = 0;
    return head;
}
