/*
 * wrap.h - a loop that keeps the contract by delegating every call to the
 * reference, with hooks a broken variant replaces to break one rule.
 *
 * Each file in conformance/broken/ (other than wrap.c) is one broken loop:
 * it defines `const struct wrap_hooks wrap_hooks` and says in its header
 * comment which rule it breaks and how.  The Makefile builds each into
 * build/broken/libbroken-<file>.so, and `make check` asserts that every
 * scenario fails on at least one of them (the kill matrix).
 */
#ifndef EVCONF_WRAP_H
#define EVCONF_WRAP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libvirt/libvirt.h>

#include "evref.h"

/* A user registration, as the wrapper keeps it. */
struct wrec {
    int id;                     /* what add returned to the user */
    int inner;                  /* the reference's id for it */
    bool timer;
    int fd, events, timeout;    /* as last set by the user */
    virEventHandleCallback hcb;
    virEventTimeoutCallback tcb;
    void *opaque;
    virFreeCallback ff;
    bool removed;               /* the user removed it */
    bool freed;                 /* the user's ff has run */
    int calls;
    long updates;               /* the user's update calls so far */
    long dispatched_in;         /* iteration of its last dispatch, 0: never */
    void *priv;                 /* for the variant */
};

/* Every member is optional: NULL means the contract-keeping default. */
struct wrap_hooks {
    const char *name;           /* e.g. "ff-inside-remove (breaks R35)" */
    int  (*add_handle)(int fd, int events, virEventHandleCallback cb,
                       void *opaque, virFreeCallback ff);
    void (*update_handle)(int watch, int events);
    int  (*remove_handle)(int watch);
    int  (*add_timeout)(int ms, virEventTimeoutCallback cb, void *opaque,
                        virFreeCallback ff);
    void (*update_timeout)(int timer, int ms);
    int  (*remove_timeout)(int timer);
    /* The timeout the reference is given for the user's ms, in add and
     * update; the record keeps the user's. */
    int  (*loop_timeout)(int ms);
    /* The id the user sees for a new registration, chosen before the
     * reference can dispatch it; the default is the reference's own. */
    int  (*user_id)(bool timer);
    int  (*register_loop)(void);
    int  (*run_once)(void);
    /* Called when the reference dispatches; the default calls the user. */
    void (*handle_dispatch)(struct wrec *w, int fd, int events);
    void (*timer_dispatch)(struct wrec *w);
    void (*free_dispatch)(struct wrec *w);
};

extern const struct wrap_hooks wrap_hooks;

/* The defaults, for hooks that change a call and then delegate. */
int  wrap_add_handle(int fd, int events, virEventHandleCallback cb,
                     void *opaque, virFreeCallback ff);
void wrap_update_handle(int watch, int events);
int  wrap_remove_handle(int watch);
int  wrap_add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                      virFreeCallback ff);
void wrap_update_timeout(int timer, int ms);
int  wrap_remove_timeout(int timer);
int  wrap_register(void);       /* virEventRegisterImpl with the hooks */
/* The same, with the reference reading its clock and waiting through
 * now_ns and poll_fn (evref_set_sys): for variants that change how the
 * loop sees time or waits.  NULL for either: CLOCK_MONOTONIC, poll(2). */
int  wrap_register_sys(int64_t (*now_ns)(void *ctx),
                       int (*poll_fn)(void *ctx, struct pollfd *fds, nfds_t nfds,
                                      int timeout_ms));
int  wrap_run_once(void);       /* evref_run_once() */
void wrap_call_handle(struct wrec *w, int fd, int events);   /* w->hcb(...) */
void wrap_call_timer(struct wrec *w);
void wrap_call_free(struct wrec *w);                          /* once */

/* Call each live watch whose priv is mark once, with the readable and
 * writable bits it asks for whether or not its fd has them, and clear
 * the mark: the "primed" call of loops that break R14. */
void wrap_call_primed(void *mark);

/* What poll(2) reports for fd right now, as the mask a loop would pass
 * (for variants that call back early). */
int wrap_ready_mask(int fd, int events);

/* True on the loop thread while an iteration runs: the caller is a
 * callback or a free callback. */
bool wrap_dispatching(void);
/* The registration whose callback is running now, or NULL. */
struct wrec *wrap_running(void);
/* The iteration in progress, or the last one: 1 for the first. */
long wrap_iteration(void);
/* True for a call from a thread other than the loop's, once the loop has
 * started iterating. */
bool wrap_other_thread(void);
/* True while any live timer has timeout 0. */
bool wrap_zero_timer_enabled(void);

/* Look a user id up (removed ones included); NULL if unknown. */
struct wrec *wrap_find(int id, bool timer);
/* Every record, for variants that look at the others (e.g. by fd). */
int wrap_count(void);
struct wrec *wrap_at(int i);

#endif
