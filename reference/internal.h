/*
 * internal.h - state and internal functions of the reference loop.
 * Public names are evref_*, internal ones evref__* (libuv's convention).
 */
#ifndef EVREF_INTERNAL_H
#define EVREF_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evref-seam.h"

/* What handles and timers have in common.  A removed registration is only
 * marked 'deleted': it stays in its table, so that a late update finds it and
 * does nothing and a second remove finds it and fails, until the sweep phase
 * takes it out and calls its free callback from a clean stack. */
struct evref__reg {
    int id;
    bool deleted;
    void *opaque;
    virFreeCallback ff;
    struct evref__reg *next_free;   /* queue of removed records to free */
};

struct evref__handle {
    struct evref__reg reg;          /* first: a handle is a registration */
    int fd;
    int events;                     /* VIR_EVENT_HANDLE_*; 0 = disabled */
    unsigned enabled_gen;           /* counts enablings (0 -> non-zero) */
    virEventHandleCallback cb;
    size_t slot;                    /* its pollfd slot, 0 when it has none */
    bool dirty;                     /* on the loop's list of changed ... */
    struct evref__handle *next_dirty;   /* ... watches, for the pollset */
};

struct evref__timer {
    struct evref__reg reg;
    int timeout_ms;                 /* < 0 disabled, 0 every iteration */
    int64_t deadline_ns;            /* valid while in the heap */
    uint64_t seq;                   /* order of arming, breaks deadline ties */
    size_t heap_pos;                /* EVREF__NOT_IN_HEAP when disabled */
    virEventTimeoutCallback cb;
};
#define EVREF__NOT_IN_HEAP SIZE_MAX

/* Registrations of one kind, hashed by id (table.c).  Removed records stay
 * in it, findable, until the sweep takes the queue of them. */
struct evref__table {
    struct evref__reg **slots;      /* open addressing; NULL is empty */
    size_t cap;                     /* a power of two, 2^bits, or 0 */
    unsigned bits;
    size_t count;                   /* records in it, removed ones included */
    struct evref__reg *removed, *removed_tail;  /* queue for the sweep */
    int last_id;                    /* ids handed out: 1..last_id */
};

/* Enabled timers, a binary min-heap on (deadline_ns, seq).  Each slot
 * carries its timer's key, so that sifting compares within the array and
 * touches a timer only to tell it its new slot: at 100k timers that halves
 * the cache misses of an update or a remove. */
struct evref__heap_entry {
    int64_t deadline_ns;
    uint64_t seq;
    struct evref__timer *tm;
};
struct evref__heap {
    struct evref__heap_entry *items;
    size_t len, cap;
};

/* What poll(2) is handed, and which watch each slot belongs to.  Slot 0 is
 * the wake-up pipe.  The loop thread reads it without the lock while it
 * polls and dispatches, so nobody else may move it: an add on another
 * thread that needs more room makes a bigger spare, and the loop thread
 * takes it at its next prepare. */
struct evref__pollset {
    struct pollfd *pfds;
    struct evref__handle **owners;  /* the watch of each slot */
    unsigned *gens;                 /* its enabled_gen when it got the slot */
    size_t cap;
};

struct evref__loop {
    pthread_mutex_t lock;           /* guards everything below */
    struct evref_sys sys;

    int wake_rd, wake_wr;           /* self-pipe; -1 until initialised */
    _Atomic bool wake_pending;      /* a byte is in the pipe; set under
                                     * the lock, cleared by the drain */
    bool running;                   /* an iteration is in progress ... */
    pthread_t runner;               /* ... on this thread */

    struct evref__table handles;
    struct evref__pollset set;      /* the loop thread's, between prepares */
    struct evref__pollset spare;    /* grown by add, taken at prepare */
    size_t npfds;                   /* slots in use, the wake-up pipe's too */
    struct evref__handle *dirty;    /* watches changed since the last prepare */

    struct evref__table timers;
    struct evref__heap heap;
    uint64_t next_seq;
    struct evref__timer **due;      /* scratch: timers due this iteration */
    uint64_t *due_seq;
    size_t due_cap;
};

extern struct evref__loop evref__loop;

/* loop.c */
void evref__lock(void);
void evref__unlock(void);
int64_t evref__now_locked(void);
bool evref__wake_locked(void);
void evref__unlock_and_wake(bool wake);
int evref__init_locked(void);

/* The three ways the loop enters user code.  Every callback and free
 * callback goes through one of them, always with the loop lock released
 * (R36, R44): a single place to read, to break on, and to trace. */
void evref__run_handle_callback(virEventHandleCallback cb, int watch, int fd,
                                int events, void *opaque);
void evref__run_timeout_callback(virEventTimeoutCallback cb, int timer,
                                 void *opaque);
void evref__free_callback_opaque(virFreeCallback ff, void *opaque);

/* table.c */
int evref__table_add(struct evref__table *t, struct evref__reg *reg);
struct evref__reg *evref__table_find(const struct evref__table *t, int id);
struct evref__reg *evref__table_find_live(const struct evref__table *t, int id);
void evref__table_mark_removed(struct evref__table *t, struct evref__reg *reg);
bool evref__table_has_removed(const struct evref__table *t);
struct evref__reg *evref__table_take_removed(struct evref__table *t);
void evref__table_clear(struct evref__table *t);

/* heap.c */
int evref__heap_reserve(struct evref__heap *h, size_t n);
int evref__heap_shrink(struct evref__heap *h, size_t cap);
void evref__heap_push(struct evref__heap *h, struct evref__timer *tm);
void evref__heap_remove(struct evref__heap *h, struct evref__timer *tm);
void evref__heap_fix(struct evref__heap *h, struct evref__timer *tm);
struct evref__timer *evref__heap_top(const struct evref__heap *h);
void evref__heap_clear(struct evref__heap *h);

/* handles.c */
int evref__handles_reserve_locked(size_t n);
void evref__handles_update_locked(void);
void evref__handles_dispatch(int ready);
void evref__handles_clear_locked(void);

/* timers.c */
int evref__timers_poll_timeout_locked(int64_t now_ns);
void evref__timers_dispatch(void);
void evref__timers_shrink_locked(void);
void evref__timers_clear_locked(void);

#endif /* EVREF_INTERNAL_H */
