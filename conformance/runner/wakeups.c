/*
 * wakeups.c - the loop's idle wake-ups (wakeups.h): how often it woke up
 * while nothing was due, counted and reported, never judged.
 *
 * The contract lets a loop wake more often than its timers need (R20: a
 * periodic tick, spurious wake-ups), so no rule fails on it; but a loop
 * that wakes every millisecond while a timer is pending costs CPU and
 * power, and only a count shows it.  An iteration is an idle wake-up when
 * every one of these holds (virtual time only):
 *   - one of its waits ran to its own timeout (sim_timed_out_waits): no
 *     fd of the wait became ready, and no step of the script ran while
 *     it lasted (another thread's change, an `at` step);
 *   - no callback and no free callback ran in it;
 *   - no free callback was pending;
 *   - no live timer of the script's, nor the runner's guard timer, was
 *     due when it ended: a 0 ms timer always is, a timer of N ms from 20
 *     ms before its deadline (R26 lets it fire that early).
 * A loop that wakes at a deadline and dispatches in the next iteration is
 * not idle; one that wakes every few ms with nothing due is, each time.
 */
#include <stdio.h>

#include "protocol.h"
#include "state.h"
#include "wakeups.h"

/* R26: a timer may fire this early, and a loop may wake for it then. */
#define DUE_EARLY_NS (SCENARIO_EARLY_MS * SIM_NS_PER_MS)

/* The guard timers are the runner's, not the script's: kept here so that
 * a loop that wakes for one, in every scenario that has one, is not
 * counted idle.  Two at most (the scenario's and teardown's). */
void wakeups_guard(int id, int ms)
{
    int k = 0;

    if (id < 0)
        return;
    while (k < scn.wake.nguards && scn.wake.guards[k].id != id)
        k++;
    if (k == scn.wake.nguards && k == 2)
        return;
    scn.wake.nguards += k == scn.wake.nguards;
    scn.wake.guards[k].id = id;
    scn.wake.guards[k].ms = ms;
    scn.wake.guards[k].armed_ns = sim_now_ns();
}

/* As for the script's timers (observe.c), the period restarts no earlier
 * than when the loop woke up to fire it. */
void wakeups_guard_fired(int id)
{
    for (int k = 0; k < scn.wake.nguards; k++)
        if (scn.wake.guards[k].id == id)
            scn.wake.guards[k].armed_ns = sim_last_wait_end_ns();
}

void wakeups_begin(void)
{
    scn.wake.iter_timed_out = sim_timed_out_waits();
    scn.wake.iter_served = atomic_load(&scn.seen.served);
}

/* Whether a timer armed at armed_ns for ms is due at now (R26). */
static bool due(int64_t now, int64_t armed_ns, int ms)
{
    return ms >= 0 && now >= armed_ns + ms * SIM_NS_PER_MS - DUE_EARLY_NS;
}

/* Whether anything was due at now (a timer of the script's or a guard),
 * or owed a free callback: then a wake-up had a reason, whatever the loop
 * did with it. */
static bool something_due(int64_t now)
{
    for (int k = 0; k < scn.wake.nguards; k++)
        if (due(now, scn.wake.guards[k].armed_ns, scn.wake.guards[k].ms))
            return true;
    for (int i = 0; i < scn.sc->nnames; i++) {
        const struct reg *r = &scn.regs[i];
        if (r->op.removed && r->op.has_ff && r->seen.nfrees == 0)
            return true;
        if (scn.sc->kinds[i] == NAME_TIMER && r->op.added && !r->op.removed &&
            due(now, r->op.armed_ns, r->op.timeout))
            return true;
    }
    return false;
}

/* Counted after the iteration, as liveness_end() judges it: the clock
 * ended one of its waits, and it found nothing to do and had no reason
 * to look (see the top of the file). */
void wakeups_end(void)
{
    if (sim_realtime() || sim_timed_out_waits() == scn.wake.iter_timed_out ||
        atomic_load(&scn.seen.served) != scn.wake.iter_served || something_due(sim_now_ns()))
        return;
    /* The first one only: a loop that wakes every millisecond would
     * otherwise fill the trace, whose end a failure shows. */
    if (scn.wake.idle++ == 0)
        sim_trace("idle", "iteration %d woke at %lld ms with nothing due (the "
                  "first idle wake-up; the count comes at the end)", scn.loop.iter - 1,
                  (long long)(sim_now_ns() / SIM_NS_PER_MS));
}

void wakeups_report(void)
{
    if (sim_realtime())
        return;
    if (scn.wake.idle > 0)
        sim_trace("idle", "%d of %d iterations woke with nothing due", scn.wake.idle,
                  scn.loop.iter);
    dprintf(scn.out_fd, "%c %d %d\n", PROTO_WAKEUPS, scn.wake.idle, scn.loop.iter);
}
