/*
 * liveness.c - the liveness check (prefix liveness_): what every
 * iteration must get done, checked in every scenario.
 *
 * observe.c judges each call as it happens; nothing there notices a call
 * that never comes.  Here the runner looks at each iteration as a whole:
 * a registration that was due when it began, and had stayed so untouched
 * by the time it ended, is owed a call:
 *   R21  a 0 ms timer, enabled throughout;
 *   R14  a watch whose fd was ready, for the events it asks, throughout
 *        (level-triggered);
 *   R20  a timer already overdue when the iteration began.
 * A loop may serve what it owes over several iterations (GLib's serves
 * only its most urgent sources in each, libvirt's free callbacks first),
 * as long as no time passes: going to sleep while owing a call is the
 * failure (MUST), and so is owing it for OWED_LIMIT iterations in a row
 * in which nothing at all ran (an iteration of the loop's own housekeeping
 * is fine; a loop that never calls is not).  Owing it that long while
 * other work ran is starvation (R33, SHOULD).
 * "Untouched" leaves every freedom of the contract alone: a registration
 * changed in the iteration (by a callback or another thread), an fd a step
 * acted on, a wait that sim failed on purpose (no fd results then), a
 * timer's period restarting from its callback's end (R25 leaves that
 * open) and a timer fired early (R26) are all exempt.
 */
#include <poll.h>
#include <stdio.h>

#include <libvirt/libvirt.h>

#include "observe.h"
#include "records.h"
#include "liveness.h"

#define ALWAYS (VIR_EVENT_HANDLE_ERROR | VIR_EVENT_HANDLE_HANGUP)
/* How late, in virtual time, counts as overdue: R20's late bound; in
 * real time, the scenario's tolerance on top (owed_late). */
#define LATE_SLACK_NS (SCENARIO_LATE_MS * SIM_NS_PER_MS)
#define OWED_LIMIT 3

/* Whether the fd under watch r is ready now for what r asks. */
static bool ready_now(const struct reg *r)
{
    const struct reg *f = r->op.fd_name >= 0 ? &scn.regs[r->op.fd_name] : NULL;
    struct pollfd p;

    if (!f || f->file.fd.behind || f->file.fd.fd != r->file.fd_num || f->file.fd.fd < 0)
        return false;
    p = (struct pollfd){ .fd = f->file.fd.fd };
    if (r->op.events & VIR_EVENT_HANDLE_READABLE)
        p.events |= POLLIN;
    if (r->op.events & VIR_EVENT_HANDLE_WRITABLE)
        p.events |= POLLOUT;
    return sim_peek(&p, 1) == 1 && !(p.revents & POLLNVAL) && p.revents != 0;
}

/* The moment timer r is owed a call by: its period restarted with the
 * last add or update, or at the end of its last call (the latest start
 * the contract allows). */
static int64_t owed_by(const struct reg *r)
{
    return r->op.restart_ns + (int64_t)r->op.timeout * SIM_NS_PER_MS;
}

/* Whether timer r is overdue at now.  In real time a busy machine can
 * delay the loop's own re-arming after a call (an interpreter's glue
 * between the callback's end and its next deadline) by more than R20's
 * bound: the tolerance real-time expectations get (50 ms for 'clock:
 * real') applies here too, as it does to every time they judge. */
static bool owed_late(const struct reg *r, int64_t now)
{
    return now >= owed_by(r) + LATE_SLACK_NS + scn.tolerance_ns;
}

static bool live(const struct reg *r, enum name_kind kind, int i)
{
    return scn.sc->kinds[i] == kind && r->op.added && !r->op.removed && !r->op.removing;
}

void liveness_begin(void)
{
    int64_t now = sim_now_ns();

    scn.live.iter_start_ns = now;
    scn.live.iter_waited_ns = sim_waited_ns();
    scn.live.iter_served = atomic_load(&scn.seen.served);
    for (int i = 0; i < scn.sc->nnames; i++) {
        struct reg *r = &scn.regs[i];
        r->live.owed = false;
        if (live(r, NAME_TIMER, i) && r->op.timeout == 0)
            r->live.owed = true;
        else if (live(r, NAME_TIMER, i) && r->op.timeout > 0)
            r->live.owed = owed_late(r, now);
        else if (live(r, NAME_HANDLE, i) && r->op.events != 0)
            r->live.owed = ready_now(r);
    }
}

/* Why r, owed a call, did not get one: for the messages. */
static const char *owed_what(const struct reg *r, bool handle, char *buf, size_t len)
{
    if (handle)
        snprintf(buf, len, "watch %s, whose fd was ready for it", state_name((int)(r - scn.regs)));
    else if (r->op.timeout == 0)
        snprintf(buf, len, "0 ms timer %s", state_name((int)(r - scn.regs)));
    else
        snprintf(buf, len, "timer %s (%d ms), due at %lld ms,", state_name((int)(r - scn.regs)),
                 r->op.timeout, (long long)(owed_by(r) / SIM_NS_PER_MS));
    return buf;
}

void liveness_end(void)
{
    int it = scn.loop.iter - 1;            /* the iteration that just ended */
    int64_t waited = sim_waited_ns() - scn.live.iter_waited_ns;
    bool idle = atomic_load(&scn.seen.served) == scn.live.iter_served;
    char what[160];

    for (int i = 0; i < scn.sc->nnames; i++) {
        struct reg *r = &scn.regs[i];
        bool handle = scn.sc->kinds[i] == NAME_HANDLE;
        const struct reg *f = handle && r->op.fd_name >= 0 ?
                              &scn.regs[r->op.fd_name] : NULL;

        if (!r->live.owed || r->seen.calls_this_iter > 0 || r->op.removed ||
            r->op.removing || r->op.changed_iter == it ||
            (handle && (scn.loop.wait_failed_iter == it ||
                        (f && f->file.fd_touched_iter == it) || !ready_now(r)))) {
            r->live.owed_streak = 0;
            r->live.owed_others_ran = false;
            continue;
        }
        owed_what(r, handle, what, sizeof(what));
        r->live.owed_others_ran |= !idle;
        if (waited > 0)
            VIOLATION(LEVEL_MUST, handle ? "R14" : r->op.timeout == 0 ? "R21" : "R20", i,
                      "%s was owed a call when iteration %d began, and the "
                      "loop went to sleep in that iteration without calling "
                      "it; expected a call before the loop waits again", what, it);
        else if (++r->live.owed_streak < OWED_LIMIT)
            continue;
        else if (!r->live.owed_others_ran)
            VIOLATION(LEVEL_MUST, handle ? "R14" : r->op.timeout == 0 ? "R21" : "R20", i,
                      "%s was owed a call for %d iterations in a row (up to "
                      "iteration %d), in which the loop ran nothing at all; "
                      "expected a call in the first of them", what,
                      r->live.owed_streak, it);
        else
            VIOLATION(LEVEL_SHOULD, "R33", i, "%s was owed a call for %d "
                      "iterations in a row (up to iteration %d) and got none "
                      "while other work ran; expected other ready work not to "
                      "starve it", what, r->live.owed_streak, it);
    }
}
