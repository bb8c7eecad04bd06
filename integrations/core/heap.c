/*
 * heap.c - enabled timers by deadline, a binary min-heap.
 *
 * Every enabled timer is in the heap, a 0 ms one with the moment it was
 * armed as its deadline (always due), so that the wait's plan reads
 * the next deadline at the top and dispatch pops what is due, whatever
 * the number of idle timers.  Each timer knows its slot, so an update or
 * a remove takes it out of the middle.
 */
#include <stdlib.h>

#include "evcore.h"

static void place(struct evc_heap *h, size_t pos, struct evc_timer *t)
{
    h->items[pos] = t;
    t->heap_pos = pos;
}

static void sift_up(struct evc_heap *h, size_t pos)
{
    struct evc_timer *t = h->items[pos];

    while (pos > 0) {
        size_t parent = (pos - 1) / 2;
        if (h->items[parent]->deadline_ns <= t->deadline_ns)
            break;
        place(h, pos, h->items[parent]);
        pos = parent;
    }
    place(h, pos, t);
}

static void sift_down(struct evc_heap *h, size_t pos)
{
    struct evc_timer *t = h->items[pos];

    for (;;) {
        size_t child = 2 * pos + 1;
        if (child >= h->len)
            break;
        if (child + 1 < h->len &&
            h->items[child + 1]->deadline_ns < h->items[child]->deadline_ns)
            child++;
        if (t->deadline_ns <= h->items[child]->deadline_ns)
            break;
        place(h, pos, h->items[child]);
        pos = child;
    }
    place(h, pos, t);
}

/* Room for n timers, taken when a timer is added, so that arming one
 * never needs memory (R2). */
int evc_heap_reserve(struct evc_heap *h, size_t n)
{
    struct evc_timer **items;

    if (n <= h->cap)
        return 0;
    n = n < 2 * h->cap ? 2 * h->cap : n;
    items = realloc(h->items, n * sizeof(*items));
    if (!items)
        return -1;
    h->items = items;
    h->cap = n;
    return 0;
}

/* Put t in the heap at its deadline, or move it there if it is in. */
void evc_heap_set(struct evc_heap *h, struct evc_timer *t)
{
    if (t->heap_pos == EVC_NOT_IN_HEAP) {
        h->items[h->len] = t;
        t->heap_pos = h->len++;
        sift_up(h, t->heap_pos);
        return;
    }
    sift_up(h, t->heap_pos);
    sift_down(h, t->heap_pos);
}

void evc_heap_remove(struct evc_heap *h, struct evc_timer *t)
{
    size_t pos = t->heap_pos;
    struct evc_timer *last;

    if (pos == EVC_NOT_IN_HEAP)
        return;
    t->heap_pos = EVC_NOT_IN_HEAP;
    last = h->items[--h->len];
    if (pos == h->len)
        return;
    place(h, pos, last);
    sift_up(h, pos);
    sift_down(h, last->heap_pos);
}

struct evc_timer *evc_heap_top(const struct evc_heap *h)
{
    return h->len ? h->items[0] : NULL;
}
