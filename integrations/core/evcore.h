/*
 * evcore.h - the core the libuv and sd-event integrations share: libvirt's
 * registrations and what serves them, whatever loop waits for them.
 *
 * The core keeps libvirt's registrations in tables of its own, under one
 * mutex: the watches by id with an epoll set of their fds (the wake set),
 * the timers by id with a heap of deadlines.  A host layer (libuv/,
 * sd-event/) uses its loop only to wait, on three things the core names:
 * the wake set's descriptor, the earliest deadline, and whether the loop
 * may block at all; and one more of its own, the wake-up other threads
 * send (struct evc_host).  Each iteration the host layer calls
 * evc_sweep() and evc_plan_wait() before its loop waits, evc_pass() right
 * after: the pass polls libvirt's fds for their exact state and runs the
 * callbacks.  Internal names are evc_*; a host layer's public names are
 * its own, each forwarding to an evc_* operation.
 */
#ifndef EVC_CORE_H
#define EVC_CORE_H

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

/* What handles and timers share.  A removed registration stays in its
 * list, marked, until the sweep takes it out and runs its free callback:
 * a late update then finds it and does nothing, a second remove finds it
 * and fails (R7, R8). */
struct evc_reg {
    int id;
    bool removed;
    size_t index;               /* its slot in the list's dense array */
    uint64_t armed;             /* the epoch it was added or enabled in */
    void *opaque;
    virFreeCallback ff;
    struct evc_reg *next_free;  /* the sweep's list */
};

struct evc_watch {
    struct evc_reg reg;         /* first: a watch is a registration */
    int fd;
    int events;                 /* VIR_EVENT_HANDLE_*; 0 = disabled */
    virEventHandleCallback cb;
};

struct evc_timer {
    struct evc_reg reg;
    int timeout_ms;             /* < 0 disabled, 0 every iteration */
    int64_t deadline_ns;        /* the next fire (0 ms: when armed) */
    size_t heap_pos;            /* EVC_NOT_IN_HEAP while disabled */
    virEventTimeoutCallback cb;
};
#define EVC_NOT_IN_HEAP SIZE_MAX

/* The enabled timers by deadline (heap.c). */
struct evc_heap {
    struct evc_timer **items;
    size_t len, cap;
};

/* Registrations of one kind (list.c): a hash table by id, a dense array
 * to walk them, and the queue of removed ones waiting for the sweep. */
struct evc_list {
    struct evc_reg **slots;     /* open addressing; NULL is empty */
    size_t cap;                 /* a power of two, or 0 */
    struct evc_reg **items;     /* every record, removed ones included */
    size_t len, icap;
    struct evc_reg *removed_head, *removed_tail;
    size_t removed;
    int last_id;
};

/* The wake set: an epoll instance holding each fd some enabled watch
 * asks for, with the union of what they ask.  It only wakes the loop
 * (the host loop watches its descriptor); the pass asks poll(2) for each
 * watch's own state.  Indexed by fd. */
struct evc_wakeset {
    int epfd;
    unsigned *nread, *nwrite;   /* enabled watches asking, per fd */
    uint32_t *have;             /* the fd's mask in the epoll set */
    bool *unpollable;           /* epoll refused it (a regular file) */
    size_t cap;
    size_t nunpollable;         /* wanted fds that epoll refused */
};

/* What differs per host loop, as the core needs it.  attach runs once,
 * under the lock, when the wake set is open: it sets up the host loop's
 * sources on the wake set's descriptor (0, or -1 to refuse).  wake ends
 * the host loop's wait; the core calls it with no lock held, from any
 * thread but the loop's (R43), so it must be safe from any thread. */
struct evc_host {
    int (*attach)(void *arg);
    void (*wake)(void);
};

struct evc_core {
    pthread_mutex_t lock;       /* guards everything below */
    const struct evc_host *host;
    bool registered, closed;

    pthread_t thread;           /* the loop's, as of the last plan */
    bool waiting;               /* between the plan and the pass */
    bool woken;                 /* a wake-up is under way */
    int64_t wait_until;         /* when the wait will end on its own */
    uint64_t epoch;             /* counts passes */

    struct evc_list watches, timers;
    struct evc_heap heap;
    struct evc_timer **due;     /* dispatch's scratch, one per timer */
    size_t due_cap;
    struct evc_wakeset wake;
    struct pollfd *pfds;        /* the pass's scratch, one slot per watch */
    struct evc_watch **owners;
    size_t pcap;
};

extern struct evc_core evc_core;

/* lock.c */
void evc_lock(void);
void evc_unlock(void);
int64_t evc_now_ns(void);
bool evc_wake_locked(int64_t by_ns);
void evc_unlock_and_wake(bool wake);

/* attach.c: what a host layer's register, close and pending call */
int evc_attach(const struct evc_host *host, void *arg);
bool evc_detach(void);
size_t evc_pending(void);

/* iteration.c: what a host layer calls each iteration */
void evc_sweep(void);
bool evc_plan_wait(int64_t *now_ns, int64_t *next_ns);
void evc_pass(void);

/* list.c */
int evc_list_add(struct evc_list *list, struct evc_reg *reg);
struct evc_reg *evc_list_find(const struct evc_list *list, int id);
struct evc_reg *evc_list_find_live(const struct evc_list *list, int id);
void evc_list_mark_removed(struct evc_list *list, struct evc_reg *reg);
struct evc_reg *evc_list_take_removed(struct evc_list *list);

/* wakeset.c */
int evc_wakeset_init(struct evc_wakeset *w);
int evc_wakeset_reserve(struct evc_wakeset *w, int fd);
void evc_wakeset_change(struct evc_wakeset *w, int fd, int old_events,
                        int new_events, bool fresh);

/* heap.c */
int evc_heap_reserve(struct evc_heap *h, size_t n);
void evc_heap_set(struct evc_heap *h, struct evc_timer *t);
void evc_heap_remove(struct evc_heap *h, struct evc_timer *t);
struct evc_timer *evc_heap_top(const struct evc_heap *h);

/* handles.c: three of libvirt's six operations, and their dispatch */
int evc_add_handle(int fd, int events, virEventHandleCallback cb,
                   void *opaque, virFreeCallback ff);
void evc_update_handle(int watch, int events);
int evc_remove_handle(int watch);
void evc_handles_dispatch(uint64_t disp);
void evc_handles_shrink_locked(void);

/* timers.c: the other three, and theirs */
int evc_add_timeout(int timeout_ms, virEventTimeoutCallback cb,
                    void *opaque, virFreeCallback ff);
void evc_update_timeout(int timer, int timeout_ms);
int evc_remove_timeout(int timer);
int64_t evc_timers_next_locked(int64_t now_ns, bool *due);
void evc_timers_dispatch(uint64_t disp);
void evc_timers_shrink_locked(void);

/* A host layer's public names for the six operations and pending,
 * PREFIXadd_handle ... PREFIXpending, each forwarding to the core's: the
 * host's public header declares them (with its visibility), this defines
 * them, so that the two host layers do not each write the same seven
 * forwarders out. */
#define EVC_PUBLIC_OPERATIONS(prefix)                                       \
    int prefix##add_handle(int fd, int events, virEventHandleCallback cb, \
                           void *opaque, virFreeCallback ff)               \
    {                                                                       \
        return evc_add_handle(fd, events, cb, opaque, ff);                  \
    }                                                                       \
    void prefix##update_handle(int watch, int events)                       \
    {                                                                       \
        evc_update_handle(watch, events);                                   \
    }                                                                       \
    int prefix##remove_handle(int watch)                                    \
    {                                                                       \
        return evc_remove_handle(watch);                                    \
    }                                                                       \
    int prefix##add_timeout(int timeout_ms, virEventTimeoutCallback cb,    \
                            void *opaque, virFreeCallback ff)              \
    {                                                                       \
        return evc_add_timeout(timeout_ms, cb, opaque, ff);                 \
    }                                                                       \
    void prefix##update_timeout(int timer, int timeout_ms)                  \
    {                                                                       \
        evc_update_timeout(timer, timeout_ms);                              \
    }                                                                       \
    int prefix##remove_timeout(int timer)                                   \
    {                                                                       \
        return evc_remove_timeout(timer);                                   \
    }                                                                       \
    size_t prefix##pending(void)                                            \
    {                                                                       \
        return evc_pending();                                               \
    }

#endif /* EVC_CORE_H */
