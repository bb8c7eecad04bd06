/*
 * internal.h - state shared by the libevent integration's files.
 * Public names are libevent_libvirt_*, internal ones lvev_*.
 */
#ifndef LVEV_INTERNAL_H
#define LVEV_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include <event2/event.h>
#include <libvirt/libvirt.h>

#include "libvirt-libevent.h"

/* One registration, handle or timer.  Its struct event is made at add
 * time and freed by the sweep, on the loop thread, after the free
 * callback: libevent still names the record as the event's argument
 * until then, and a callback may already be on its way to it. */
struct lvev_reg {
    int id;
    bool is_timer;
    bool removed;               /* remove() returned: never call cb again */
    int fd;                     /* handles */
    int events;                 /* handles: VIR_EVENT_HANDLE_*, 0 = off */
    int timeout;                /* timers: ms, < 0 = off */
    virEventHandleCallback hcb;
    virEventTimeoutCallback tcb;
    void *opaque;
    virFreeCallback ff;
    struct event *ev;
    struct lvev_reg *next;      /* in its bucket while live, then dead */
};

/* The one registration a process has (libvirt keeps the first, R1).
 * lock guards every field and every record; it is taken before libevent's
 * own lock, never after, and never held while cb or ff runs (R44). */
struct lvev_state {
    pthread_mutex_t lock;
    struct event_base *base;
    struct event *sweep;        /* runs free callbacks on the loop thread */
    struct event *kick;         /* wakes the loop when sweep cannot */
    bool sweep_queued;          /* sweep activated, not yet run */
    bool loop_known;            /* loop_thread is set: */
    pthread_t loop_thread;      /* the thread that runs the callbacks */
    struct lvev_reg **buckets;  /* live records by kind and id (table.c) */
    size_t nbuckets;            /* 0 or a power of two */
    int nlive;
    struct lvev_reg *dead;      /* removed, waiting for the sweep */
    int last_handle_id;
    int last_timer_id;
    int pending;                /* live + dead records */
};

extern struct lvev_state lvev;

void lvev_lock(void);
void lvev_unlock(void);
struct lvev_reg *lvev_new_reg(bool is_timer, void *opaque, virFreeCallback ff);
int lvev_link(struct lvev_reg *r);
struct lvev_reg *lvev_find(bool is_timer, int id);
struct lvev_reg *lvev_unlink(bool is_timer, int id);
int lvev_remove(bool is_timer, int id);
void lvev_seen_on_loop(void);

int lvev_add_handle(int fd, int events, virEventHandleCallback cb,
                    void *opaque, virFreeCallback ff);
void lvev_update_handle(int id, int events);
int lvev_remove_handle(int id);
int lvev_add_timeout(int timeout, virEventTimeoutCallback cb,
                     void *opaque, virFreeCallback ff);
void lvev_update_timeout(int id, int timeout);
int lvev_remove_timeout(int id);

#endif /* LVEV_INTERNAL_H */
