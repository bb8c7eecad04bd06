/*
 * r5-recycle-after-quarantine.c - breaks R5 (its SHOULD part): an id goes
 * back to a pool once its registration is freed, and comes out again
 * after 64 other ids have been handed out, as in a loop that recycles
 * slots through a FIFO to make reuse "unlikely".  Live ids stay unique
 * and a stale id is not hit at once; libvirt's late update or remove of an
 * id it still holds hits an unrelated newcomer only after some churn.
 */
#include <pthread.h>

#include "wrap.h"

#define QUARANTINE 64
#define POOL 65536

/* Per kind: a FIFO of freed ids, and the next fresh id. */
static struct kind {
    int fifo[POOL];
    int head, tail;             /* head: next out; tail: next in */
    int next;
} kinds[2] = { { .next = 1 }, { .next = 1 } };
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int user_id(bool timer)
{
    struct kind *k = &kinds[timer];
    int id;

    pthread_mutex_lock(&lock);
    if (k->tail - k->head > QUARANTINE)
        id = k->fifo[k->head++ % POOL];
    else
        id = k->next++;
    pthread_mutex_unlock(&lock);
    return id;
}

/* Once freed (or removed without a free callback), the id is queued. */
static void recycle(struct wrec *w)
{
    struct kind *k = &kinds[w->timer];

    pthread_mutex_lock(&lock);
    if (k->tail - k->head < POOL)
        k->fifo[k->tail++ % POOL] = w->id;
    w->id = 0;                  /* wrap_find must not find it any more */
    pthread_mutex_unlock(&lock);
}

static void free_dispatch(struct wrec *w)
{
    wrap_call_free(w);
    recycle(w);
}

/* An id that names no record of this loop's reaches nothing: the
 * reference's own ids are another numbering (R7, R8). */
static void update_handle(int watch, int events)
{
    if (wrap_find(watch, false))
        wrap_update_handle(watch, events);
}

static int remove_handle(int watch)
{
    return wrap_find(watch, false) ? wrap_remove_handle(watch) : -1;
}

static void update_timeout(int timer, int ms)
{
    if (wrap_find(timer, true))
        wrap_update_timeout(timer, ms);
}

static int remove_timeout(int timer)
{
    return wrap_find(timer, true) ? wrap_remove_timeout(timer) : -1;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r5-recycle-after-quarantine (breaks R5)",
    .user_id = user_id,
    .free_dispatch = free_dispatch,
    .update_handle = update_handle,
    .remove_handle = remove_handle,
    .update_timeout = update_timeout,
    .remove_timeout = remove_timeout,
};
