/*
 * internal.h - state of the sd-event integration, shared by its files.
 *
 * The integration keeps libvirt's registrations in tables of its own,
 * under one mutex, and uses sd-event only to wait: an I/O source on an
 * epoll set of its own that holds libvirt's fds (the wake set), a time
 * source for the earliest deadline, a defer source while the loop must
 * not block, an I/O source on an eventfd that other threads write.  A
 * prepare callback sets those up before sd-event waits; whichever of them
 * sd-event dispatches runs the pass: it polls libvirt's fds for their
 * exact state and runs the callbacks.  Public names are
 * sdevent_libvirt_*, internal ones sdl_*.
 */
#ifndef SDEVENT_LIBVIRT_INTERNAL_H
#define SDEVENT_LIBVIRT_INTERNAL_H

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sdevent-libvirt.h"

/* What handles and timers share.  A removed registration stays in its
 * list, marked, until the sweep takes it out and runs its free callback:
 * a late update then finds it and does nothing, a second remove finds it
 * and fails (R7, R8). */
struct sdl_reg {
    int id;
    bool removed;
    size_t index;               /* its slot in the list's dense array */
    uint64_t armed;             /* the epoch it was added or enabled in */
    void *opaque;
    virFreeCallback ff;
    struct sdl_reg *next_free;   /* the sweep's list */
};

struct sdl_watch {
    struct sdl_reg reg;          /* first: a watch is a registration */
    int fd;
    int events;                 /* VIR_EVENT_HANDLE_*; 0 = disabled */
    virEventHandleCallback cb;
};

struct sdl_timer {
    struct sdl_reg reg;
    int timeout_ms;             /* < 0 disabled, 0 every iteration */
    int64_t deadline_ns;        /* the next fire (0 ms: when armed) */
    size_t heap_pos;            /* SDL_NOT_IN_HEAP while disabled */
    virEventTimeoutCallback cb;
};
#define SDL_NOT_IN_HEAP SIZE_MAX

/* The enabled timers by deadline (heap.c). */
struct sdl_heap {
    struct sdl_timer **items;
    size_t len, cap;
};

/* Registrations of one kind (list.c): a hash table by id, a dense array
 * to walk them, and the queue of removed ones waiting for the sweep. */
struct sdl_list {
    struct sdl_reg **slots;      /* open addressing; NULL is empty */
    size_t cap;                 /* a power of two, or 0 */
    struct sdl_reg **items;      /* every record, removed ones included */
    size_t len, icap;
    struct sdl_reg *removed_head, *removed_tail;
    size_t removed;
    int last_id;
};

/* The wake set: an epoll instance holding each fd some enabled watch
 * asks for, with the union of what they ask.  It only wakes the loop
 * (sd-event watches its descriptor); the pass asks poll(2) for each
 * watch's own state.  Indexed by fd. */
struct sdl_wakeset {
    int epfd;
    unsigned *nread, *nwrite;   /* enabled watches asking, per fd */
    uint32_t *have;             /* the fd's mask in the epoll set */
    bool *unpollable;           /* epoll refused it (a regular file) */
    size_t cap;
    size_t nunpollable;         /* wanted fds that epoll refused */
};

struct sdl_loop {
    pthread_mutex_t lock;       /* guards everything below */
    sd_event *event;
    sd_event_source *ready;     /* I/O on the wake set; holds the prepare */
    sd_event_source *timer;     /* CLOCK_MONOTONIC, the earliest deadline */
    sd_event_source *defer;     /* on while the loop must not block */
    sd_event_source *async;     /* I/O on efd */
    int efd;                    /* the eventfd other threads wake it by */
    bool registered, closed;

    pthread_t thread;           /* the loop's, as of the last prepare */
    bool waiting;               /* between prepare and pass */
    bool woken;                 /* a wake-up is under way */
    int64_t wait_until;         /* when the wait will end on its own */
    uint64_t epoch;             /* counts passes */

    struct sdl_list watches, timers;
    struct sdl_heap heap;
    struct sdl_timer **due;     /* dispatch's scratch, one per timer */
    size_t due_cap;
    struct sdl_wakeset wake;
    struct pollfd *pfds;        /* the pass's scratch, one slot per watch */
    struct sdl_watch **owners;
    size_t pcap;
};

extern struct sdl_loop sdl_loop;

/* loop.c */
void sdl_lock(void);
void sdl_unlock(void);
int64_t sdl_now_ns(void);
bool sdl_wake_locked(int64_t by_ns);
void sdl_unlock_and_wake(bool wake);

/* list.c */
int sdl_list_add(struct sdl_list *list, struct sdl_reg *reg);
struct sdl_reg *sdl_list_find(const struct sdl_list *list, int id);
struct sdl_reg *sdl_list_find_live(const struct sdl_list *list, int id);
void sdl_list_mark_removed(struct sdl_list *list, struct sdl_reg *reg);
struct sdl_reg *sdl_list_take_removed(struct sdl_list *list);

/* wakeset.c */
int sdl_wakeset_init(struct sdl_wakeset *w);
int sdl_wakeset_reserve(struct sdl_wakeset *w, int fd);
void sdl_wakeset_change(struct sdl_wakeset *w, int fd, int old_events,
                       int new_events, bool fresh);

/* heap.c */
int sdl_heap_reserve(struct sdl_heap *h, size_t n);
void sdl_heap_set(struct sdl_heap *h, struct sdl_timer *t);
void sdl_heap_remove(struct sdl_heap *h, struct sdl_timer *t);
struct sdl_timer *sdl_heap_top(const struct sdl_heap *h);

/* handles.c */
void sdl_handles_dispatch(uint64_t disp);
void sdl_handles_shrink_locked(void);

/* timers.c */
int64_t sdl_timers_next_locked(int64_t now_ns, bool *due);
void sdl_timers_dispatch(uint64_t disp);
void sdl_timers_shrink_locked(void);

#endif /* SDEVENT_LIBVIRT_INTERNAL_H */
