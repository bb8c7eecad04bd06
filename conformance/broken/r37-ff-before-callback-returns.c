/*
 * r37-ff-before-callback-returns.c - breaks R37: a registration removed by
 * a thread other than the loop's has its free callback run by that thread
 * as soon as the thread is done with its work (here: when it exits, from a
 * thread-specific-data destructor), without waiting for a callback of that
 * registration that is still running on the loop thread.
 */
#include <pthread.h>
#include <stdlib.h>

#include "wrap.h"

#define MAX_LATER 64

struct later {
    int n;
    struct wrec *w[MAX_LATER];
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t key;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void run_later(void *p)
{
    struct later *l = p;

    for (int i = 0; i < l->n; i++) {
        pthread_mutex_lock(&lock);
        bool first = !l->w[i]->freed;
        l->w[i]->freed = true;
        pthread_mutex_unlock(&lock);
        if (first && l->w[i]->ff)
            l->w[i]->ff(l->w[i]->opaque);
    }
    free(l);
}

static void make_key(void)
{
    pthread_key_create(&key, run_later);
}

static void free_on_this_thread(struct wrec *w)
{
    struct later *l;

    pthread_once(&once, make_key);
    l = pthread_getspecific(key);
    if (!l) {
        l = calloc(1, sizeof(*l));
        if (!l)
            return;
        pthread_setspecific(key, l);
    }
    if (l->n < MAX_LATER)
        l->w[l->n++] = w;
}

static int remove_handle(int watch)
{
    struct wrec *w = wrap_find(watch, false);
    int rc = wrap_remove_handle(watch);

    if (rc == 0 && w && wrap_other_thread())
        free_on_this_thread(w);
    return rc;
}

static int remove_timeout(int timer)
{
    struct wrec *w = wrap_find(timer, true);
    int rc = wrap_remove_timeout(timer);

    if (rc == 0 && w && wrap_other_thread())
        free_on_this_thread(w);
    return rc;
}

static void free_dispatch(struct wrec *w)
{
    bool first;

    pthread_mutex_lock(&lock);
    first = !w->freed;
    w->freed = true;
    pthread_mutex_unlock(&lock);
    if (first && w->ff)
        w->ff(w->opaque);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r37-ff-before-callback-returns (breaks R37)",
    .remove_handle = remove_handle,
    .remove_timeout = remove_timeout,
    .free_dispatch = free_dispatch,
};
