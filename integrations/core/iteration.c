/*
 * iteration.c - what the core does in each iteration of the host loop.
 *
 * A host layer calls, in each iteration of its loop:
 *
 *   evc_sweep, evc_plan_wait  before the loop waits: the free callbacks
 *            of what was removed; then how long the loop may wait: not
 *            at all while a timer is due, a free callback waits or an fd
 *            epoll cannot watch is enabled, else until the earliest
 *            deadline or an fd in the wake set is ready;
 *   evc_pass  right after the wait: fire the due timers, call back the
 *            ready watches, sweep.
 */
#include <stdlib.h>

#include "evcore.h"

/* Take what was removed out of both lists and run the free callbacks with
 * no lock held, from the loop thread outside dispatch: never from inside
 * remove (R35), on a clean stack (R36), after the last callback returned
 * (R37), exactly once, also for a NULL opaque, never when there is none
 * (R34, R39, R40).  Records are unlinked first, so a free callback may
 * call any operation; removes it makes are swept by the next sweep, which
 * evc_plan_wait lets come at once (R38).  What a large removal leaves
 * unused is given back. */
void evc_sweep(void)
{
    struct evc_reg *list[2];

    evc_lock();
    list[0] = evc_list_take_removed(&evc_core.timers);
    list[1] = evc_list_take_removed(&evc_core.watches);
    if (list[0])
        evc_timers_shrink_locked();
    if (list[1])
        evc_handles_shrink_locked();
    evc_unlock();
    for (int k = 0; k < 2; k++)
        while (list[k]) {
            struct evc_reg *next = list[k]->next_free;
            if (list[k]->ff)
                list[k]->ff(list[k]->opaque);
            free(list[k]);
            list[k] = next;
        }
}

/* The wait of this iteration, as the host loop's prepare step arms it:
 * false (do not block) while something is ready to run (a due or 0 ms
 * timer, R21; a pending free callback, R38; an fd epoll cannot watch,
 * which poll(2) finds always ready), else true, with *next_ns the
 * earliest deadline (INT64_MAX for none), which the host rounds up to its
 * clock's unit so that a timer never fires early (R20).  From here until
 * the pass the loop counts as waiting: other threads' changes then wake
 * it (R43). */
bool evc_plan_wait(int64_t *now_ns, int64_t *next_ns)
{
    struct evc_core *c = &evc_core;
    bool due, block;

    evc_lock();
    *now_ns = evc_now_ns();
    *next_ns = evc_timers_next_locked(*now_ns, &due);
    block = !due && !c->timers.removed && !c->watches.removed &&
            !c->wake.nunpollable;
    c->thread = pthread_self();
    c->wait_until = block ? *next_ns : *now_ns;
    c->waiting = true;
    c->woken = false;
    evc_unlock();
    return block;
}

/* Right after the wait: timers first, then handles (the order is open,
 * R32; libvirt's poll loop did the same), then the sweep, so that what
 * these callbacks removed is freed within this iteration. */
void evc_pass(void)
{
    uint64_t disp;

    evc_lock();
    evc_core.waiting = false;
    disp = ++evc_core.epoch;
    evc_unlock();
    evc_timers_dispatch(disp);
    evc_handles_dispatch(disp);
    evc_sweep();
}
