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
    struct evref__reg *next_free;   /* sweep's list of records to free */
};

struct evref__handle {
    struct evref__reg reg;          /* first: a handle is a registration */
    int fd;
    int events;                     /* VIR_EVENT_HANDLE_*; 0 = disabled */
    unsigned enabled_gen;           /* counts enablings (0 -> non-zero) */
    virEventHandleCallback cb;
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

/* Registrations of one kind, sorted by id (ids only grow, and adding
 * appends), so lookup is a binary search and iteration order is the order
 * of registration. */
struct evref__table {
    struct evref__reg **items;
    size_t len, cap;
    size_t ndeleted;                /* marked, not yet swept */
    int last_id;                    /* ids handed out: 1..last_id */
};

/* Enabled timers, a binary min-heap on (deadline_ns, seq). */
struct evref__heap {
    struct evref__timer **items;
    size_t len, cap;
};

/* What poll(2) is handed, and which watch each slot belongs to.  Slot 0 is
 * the wake-up pipe.  The loop thread reads it without the lock while it
 * polls and dispatches, so nobody else may move it: an add on another
 * thread that needs more room makes a bigger spare, and the loop thread
 * takes it at its next prepare. */
struct evref__pollset {
    struct pollfd *pfds;
    int *ids;                       /* handle id of each slot */
    unsigned *gens;                 /* its enabled_gen when polled */
    size_t cap;
};

struct evref__loop {
    pthread_mutex_t lock;           /* guards everything below */
    struct evref_sys sys;

    int wake_rd, wake_wr;           /* self-pipe; -1 until initialised */
    bool wake_pending;              /* a byte is in the pipe */
    bool running;                   /* an iteration is in progress ... */
    pthread_t runner;               /* ... on this thread */

    struct evref__table handles;
    struct evref__pollset set;      /* the loop thread's, between prepares */
    struct evref__pollset spare;    /* grown by add, taken at prepare */
    size_t npfds;
    bool pfds_dirty;                /* handles changed since last rebuild */

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
void evref__wake_locked(void);
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
struct evref__reg *evref__table_sweep(struct evref__table *t,
                                      struct evref__reg *list);
void evref__table_clear(struct evref__table *t);

/* heap.c */
int evref__heap_reserve(struct evref__heap *h, size_t n);
void evref__heap_push(struct evref__heap *h, struct evref__timer *tm);
void evref__heap_remove(struct evref__heap *h, struct evref__timer *tm);
void evref__heap_fix(struct evref__heap *h, struct evref__timer *tm);
struct evref__timer *evref__heap_top(const struct evref__heap *h);
void evref__heap_clear(struct evref__heap *h);

/* handles.c */
int evref__handles_reserve_locked(size_t n);
void evref__handles_prepare_locked(void);
void evref__handles_dispatch(void);
void evref__handles_clear_locked(void);

/* timers.c */
int evref__timers_poll_timeout_locked(int64_t now_ns);
void evref__timers_dispatch(void);
void evref__timers_clear_locked(void);

#endif /* EVREF_INTERNAL_H */
