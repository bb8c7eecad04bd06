/*
 * internal.h - state of the libuv integration, shared by its files.
 *
 * The integration keeps libvirt's registrations in tables of its own,
 * under one mutex, and uses libuv only to wait: a uv_poll on an epoll set
 * of its own that holds libvirt's fds (the wake set), a uv_timer for the
 * earliest deadline, a uv_idle while the loop must not block, a uv_async
 * for other threads.  The prepare callback sets those up before libuv
 * waits; the check callback, right after the wait, polls libvirt's fds for
 * their exact state and runs the callbacks.  Public names are
 * libuv_libvirt_*, internal ones lv_*.
 */
#ifndef LIBUV_LIBVIRT_INTERNAL_H
#define LIBUV_LIBVIRT_INTERNAL_H

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libuv-libvirt.h"

/* What handles and timers share.  A removed registration stays in its
 * list, marked, until the sweep takes it out and runs its free callback:
 * a late update then finds it and does nothing, a second remove finds it
 * and fails (R7, R8). */
struct lv_reg {
    int id;
    bool removed;
    size_t index;               /* its slot in the list's dense array */
    uint64_t armed;             /* the epoch it was added or enabled in */
    void *opaque;
    virFreeCallback ff;
    struct lv_reg *next_free;   /* the sweep's list */
};

struct lv_watch {
    struct lv_reg reg;          /* first: a watch is a registration */
    int fd;
    int events;                 /* VIR_EVENT_HANDLE_*; 0 = disabled */
    virEventHandleCallback cb;
};

struct lv_timer {
    struct lv_reg reg;
    int timeout_ms;             /* < 0 disabled, 0 every iteration */
    int64_t deadline_ns;        /* the next fire (0 ms: when armed) */
    size_t heap_pos;            /* LV_NOT_IN_HEAP while disabled */
    virEventTimeoutCallback cb;
};
#define LV_NOT_IN_HEAP SIZE_MAX

/* The enabled timers by deadline (heap.c). */
struct lv_heap {
    struct lv_timer **items;
    size_t len, cap;
};

/* Registrations of one kind (list.c): a hash table by id, a dense array
 * to walk them, and the queue of removed ones waiting for the sweep. */
struct lv_list {
    struct lv_reg **slots;      /* open addressing; NULL is empty */
    size_t cap;                 /* a power of two, or 0 */
    struct lv_reg **items;      /* every record, removed ones included */
    size_t len, icap;
    struct lv_reg *removed_head, *removed_tail;
    size_t removed;
    int last_id;
};

/* The wake set: an epoll instance holding each fd some enabled watch
 * asks for, with the union of what they ask.  It only wakes the loop
 * (libuv polls its descriptor); the check callback asks poll(2) for each
 * watch's own state.  Indexed by fd. */
struct lv_wakeset {
    int epfd;
    unsigned *nread, *nwrite;   /* enabled watches asking, per fd */
    uint32_t *have;             /* the fd's mask in the epoll set */
    bool *unpollable;           /* epoll refused it (a regular file) */
    size_t cap;
    size_t nunpollable;         /* wanted fds that epoll refused */
};

struct lv_loop {
    pthread_mutex_t lock;       /* guards everything below */
    uv_loop_t *uv;
    uv_prepare_t prepare;
    uv_check_t check;
    uv_idle_t idle;
    uv_timer_t timer;
    uv_async_t async;
    uv_poll_t poll;
    bool registered, closed;

    pthread_t thread;           /* the loop's, as of the last prepare */
    bool waiting;               /* between prepare and check */
    bool woken;                 /* an async send is under way */
    int64_t wait_until;         /* when the wait will end on its own */
    uint64_t epoch;             /* counts dispatches */

    struct lv_list watches, timers;
    struct lv_heap heap;
    struct lv_timer **due;      /* dispatch's scratch, one per timer */
    size_t due_cap;
    struct lv_wakeset wake;
    struct pollfd *pfds;        /* check's scratch, one slot per watch */
    struct lv_watch **owners;
    size_t pcap;
};

extern struct lv_loop lv_loop;

/* loop.c */
void lv_lock(void);
void lv_unlock(void);
int64_t lv_now_ns(void);
bool lv_wake_locked(int64_t by_ns);
void lv_unlock_and_wake(bool wake);

/* list.c */
int lv_list_add(struct lv_list *list, struct lv_reg *reg);
struct lv_reg *lv_list_find(const struct lv_list *list, int id);
struct lv_reg *lv_list_find_live(const struct lv_list *list, int id);
void lv_list_mark_removed(struct lv_list *list, struct lv_reg *reg);
struct lv_reg *lv_list_take_removed(struct lv_list *list);

/* wakeset.c */
int lv_wakeset_init(struct lv_wakeset *w);
int lv_wakeset_reserve(struct lv_wakeset *w, int fd);
void lv_wakeset_change(struct lv_wakeset *w, int fd, int old_events,
                       int new_events, bool fresh);

/* heap.c */
int lv_heap_reserve(struct lv_heap *h, size_t n);
void lv_heap_set(struct lv_heap *h, struct lv_timer *t);
void lv_heap_remove(struct lv_heap *h, struct lv_timer *t);
struct lv_timer *lv_heap_top(const struct lv_heap *h);

/* handles.c */
void lv_handles_dispatch(uint64_t disp);
void lv_handles_shrink_locked(void);

/* timers.c */
int64_t lv_timers_next_locked(int64_t now_ns, bool *due);
void lv_timers_dispatch(uint64_t disp);
void lv_timers_shrink_locked(void);

#endif /* LIBUV_LIBVIRT_INTERNAL_H */
