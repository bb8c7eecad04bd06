/*
 * heap.c - enabled timers in a binary min-heap on (deadline, seq).
 *
 * seq is the order in which timers were armed, so timers due at the same
 * instant fire in a defined order: the one armed first, first.  Each timer
 * knows its slot, which makes update and remove O(log n).
 */
#include <stdlib.h>

#include "internal.h"

static bool before(const struct evref__heap_entry *a,
                   const struct evref__heap_entry *b)
{
    if (a->deadline_ns != b->deadline_ns)
        return a->deadline_ns < b->deadline_ns;
    return a->seq < b->seq;
}

static void place(struct evref__heap *h, size_t pos, struct evref__heap_entry e)
{
    h->items[pos] = e;
    e.tm->heap_pos = pos;
}

static void sift_up(struct evref__heap *h, size_t pos)
{
    struct evref__heap_entry e = h->items[pos];

    while (pos > 0) {
        size_t parent = (pos - 1) / 2;
        if (!before(&e, &h->items[parent]))
            break;
        place(h, pos, h->items[parent]);
        pos = parent;
    }
    place(h, pos, e);
}

static void sift_down(struct evref__heap *h, size_t pos)
{
    struct evref__heap_entry e = h->items[pos];

    for (;;) {
        size_t child = 2 * pos + 1;
        if (child >= h->len)
            break;
        if (child + 1 < h->len && before(&h->items[child + 1], &h->items[child]))
            child++;
        if (!before(&h->items[child], &e))
            break;
        place(h, pos, h->items[child]);
        pos = child;
    }
    place(h, pos, e);
}

/* Move the entry at pos whichever way its key says. */
static void resift(struct evref__heap *h, size_t pos)
{
    if (pos > 0 && before(&h->items[pos], &h->items[(pos - 1) / 2]))
        sift_up(h, pos);
    else
        sift_down(h, pos);
}

static struct evref__heap_entry entry_of(struct evref__timer *tm)
{
    return (struct evref__heap_entry){ tm->deadline_ns, tm->seq, tm };
}

static int resize(struct evref__heap *h, size_t cap)
{
    struct evref__heap_entry *items = realloc(h->items, cap * sizeof(*items));

    if (!items)
        return -1;
    h->items = items;
    h->cap = cap;
    return 0;
}

/* Make room for n timers.  Room is taken when a timer is added, so that
 * arming it later (in update, or when it fires) can never fail: update
 * returns void and has no way to report a failure.  Returns 0 or -1. */
int evref__heap_reserve(struct evref__heap *h, size_t n)
{
    size_t cap = h->cap ? h->cap : 16;

    if (n <= h->cap)
        return 0;
    while (cap < n)
        cap *= 2;
    return resize(h, cap);
}

/* Trade the array for one of cap slots (cap >= len), to give memory back
 * after a burst of timers.  Returns -1, changing nothing, without memory. */
int evref__heap_shrink(struct evref__heap *h, size_t cap)
{
    if (cap >= h->cap || cap < h->len)
        return 0;
    return resize(h, cap);
}

/* Insert a timer that is not in the heap; room was reserved at add. */
void evref__heap_push(struct evref__heap *h, struct evref__timer *tm)
{
    place(h, h->len++, entry_of(tm));
    sift_up(h, tm->heap_pos);
}

/* Take a timer out of the heap; a timer not in it is left alone.  The last
 * entry fills the hole and moves whichever way its key says. */
void evref__heap_remove(struct evref__heap *h, struct evref__timer *tm)
{
    size_t pos = tm->heap_pos;

    if (pos == EVREF__NOT_IN_HEAP)
        return;
    tm->heap_pos = EVREF__NOT_IN_HEAP;
    if (pos == --h->len)
        return;
    place(h, pos, h->items[h->len]);
    resift(h, pos);
}

/* Restore the heap order after tm's key changed. */
void evref__heap_fix(struct evref__heap *h, struct evref__timer *tm)
{
    size_t pos = tm->heap_pos;

    h->items[pos] = entry_of(tm);
    resift(h, pos);
}

struct evref__timer *evref__heap_top(const struct evref__heap *h)
{
    return h->len ? h->items[0].tm : NULL;
}

void evref__heap_clear(struct evref__heap *h)
{
    free(h->items);
    *h = (struct evref__heap){0};
}
