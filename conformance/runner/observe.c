/*
 * observe.c - what every scenario checks, as each callback comes (prefix
 * check_; what a scenario's expect lines check is expectations.c's).
 *
 * Every callback and free callback arrives through a trampoline here, which
 * finds the registration it belongs to and checks the rules that hold in
 * every scenario, whatever its script:
 *   R4   nothing for an add that failed          R27  no callback inside an op
 *   R10  nothing while events are 0              R29  nothing after remove
 *   R12  mask within requested + ERROR|HANGUP    R31  (SHOULD) nor after a
 *   R16  exact id, fd and opaque                      disable in this iteration
 *   R20  a timer never more than 20 ms early     R34  ff once, after remove
 *   R22  nothing while a timer is negative       R35  ff never inside an op
 *   R37  ff never while the callback runs        R5, R7 ids and return values
 *   R30  (SHOULD) nothing a callback added or enabled runs in that iteration
 * Failures go to the runner as F records (protocol.h).
 */
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "blame.h"
#include "observe.h"
#include "wakeups.h"
#include "records.h"
#include "protocol.h"
#include "words.h"

#define ALWAYS (VIR_EVENT_HANDLE_ERROR | VIR_EVENT_HANDLE_HANGUP)
#define EARLY_SLACK_NS (SCENARIO_EARLY_MS * SIM_NS_PER_MS)      /* R26 */

/* The registration a callback belongs to: by opaque (our cookie), or by id
 * for registrations made with a NULL opaque.  -1 if it is none of ours. */
static int identify(void *opaque, int id, enum name_kind kind)
{
    const struct scenario *sc = scn.sc;

    if (!opaque) {
        for (int i = 0; i < sc->nnames; i++)
            if (sc->kinds[i] == kind && scn.regs[i].op.null_opaque &&
                (scn.regs[i].op.added || scn.regs[i].op.add_failed) &&
                scn.regs[i].op.id == id)
                return i;
        VIOLATION(LEVEL_MUST, "R16", -1, "a %s callback got id %d and a NULL "
                  "opaque, which match no registration", kind == NAME_HANDLE ?
                  "handle" : "timer", id);
        return -1;
    }
    if ((struct cookie *)opaque >= scn.cookies &&
        (struct cookie *)opaque < scn.cookies + sc->nnames) {
        int name = ((struct cookie *)opaque)->name;
        if (sc->kinds[name] == kind)
            return name;
    }
    VIOLATION(LEVEL_MUST, "R16", -2, "a callback got opaque %p, which no "
              "registration of that kind was given", opaque);
    return -1;
}

static void record_call(struct reg *r, int events)
{
    if (r->seen.ncalls == r->seen.calls_cap) {
        int cap = r->seen.calls_cap ? r->seen.calls_cap * 2 : 16;
        struct call *calls = realloc(r->seen.calls, (size_t)cap * sizeof(*calls));
        if (!calls)
            return;
        r->seen.calls = calls;
        r->seen.calls_cap = cap;
    }
    atomic_fetch_add(&scn.seen.served, 1);
    r->seen.calls[r->seen.ncalls++] = (struct call){
        scn.loop.iter, sim_now_ns(), events, atomic_fetch_add(&scn.seen.seq, 1) + 1 };
    if (++r->seen.calls_this_iter > r->seen.max_per_iter)
        r->seen.max_per_iter = r->seen.calls_this_iter;
}

void check_record_close(int name, int reason)
{
    pthread_mutex_lock(&scn.lock);
    scn.regs[name].conn.close_reason = reason;
    scn.regs[name].conn.close_ns = sim_now_ns();
    pthread_mutex_unlock(&scn.lock);
}

void check_record_event(int name, int type)
{
    pthread_mutex_lock(&scn.lock);
    record_call(&scn.regs[name], type);
    pthread_mutex_unlock(&scn.lock);
}

/* Checks common to both kinds of callback; returns the call's number. */
static int common_call_checks(int name, const char *what, int id, int events)
{
    struct reg *r = &scn.regs[name];

    record_call(r, events);
    if (op_on_stack)
        VIOLATION(LEVEL_MUST, "R27", name, "%s callback of %s ran inside %s(): "
                  "it must wait for the loop to dispatch", what, state_name(name),
                  op_on_stack);
    if (r->op.add_failed)
        VIOLATION(LEVEL_MUST, "R4", name, "%s callback of %s, whose add "
                  "returned -1", what, state_name(name));
    if (r->op.removed)
        VIOLATION(LEVEL_MUST, "R29", name, "%s callback of %s after its "
                  "remove returned 0 (in iteration %d); expected no call ever "
                  "after that", what, state_name(name), r->op.remove_at.iter);
    if (id != r->op.id)
        VIOLATION(LEVEL_MUST, "R16", name, "%s callback of %s got id %d; its "
                  "add returned %d", what, state_name(name), id, r->op.id);
    return r->seen.ncalls;
}

static bool changed_this_iteration(const struct reg *r)
{
    return scn.loop.in_iteration && r->op.changed_iter == scn.loop.iter;
}


/* A callback's reactions, with the callback marked on this thread's stack:
 * a crash in them is in a callback the runner entered (crash.c), and one
 * the loop called from inside an operation can recurse until it does. */
static void run_reactions_marked(enum when when, int name, int nth)
{
    const char *outer_kind = cb_kind_on_stack, *outer_op = cb_inside_op;
    int outer_name = cb_name_on_stack;

    cb_kind_on_stack = when == WHEN_ON_FF ? "free callback" : "callback";
    cb_name_on_stack = name;
    cb_inside_op = op_on_stack;
    scn.react(when, name, nth);
    cb_kind_on_stack = outer_kind;
    cb_name_on_stack = outer_name;
    cb_inside_op = outer_op;
}

/* A registration a callback added, or enabled from disabled, first runs in
 * the next iteration (R30): the iteration already has its list.  Also when
 * the callback disabled it first and enabled it again: the poll result the
 * loop holds for it is stale. */
static void check_not_enabled_this_iteration(int name, const struct reg *r)
{
    if (scn.loop.in_iteration && r->op.enabled_iter == scn.loop.iter)
        VIOLATION(LEVEL_SHOULD, "R30", name, "%s was called in the iteration in "
                  "which a callback %s it; expected its first call in the next "
                  "iteration", state_name(name),
                  r->op.enabled_by_add ? "added" : "enabled");
}

/* A watch called with READABLE or WRITABLE while its fd has no such
 * condition, and no step has acted on the fd since the iteration began:
 * the loop handed over a poll result from an earlier iteration, or one it
 * made up (R14: calls stop once the condition is gone).  A hangup or an
 * error counts as the condition, as poll(2) reports them to either. */
static void check_condition_holds(int name, const struct reg *r, int events)
{
    static const struct { int bit; short poll; } conds[] = {
        { VIR_EVENT_HANDLE_READABLE, POLLIN }, { VIR_EVENT_HANDLE_WRITABLE, POLLOUT },
    };
    const struct reg *f = r->op.fd_name >= 0 ? &scn.regs[r->op.fd_name] : NULL;
    char got[64];

    if (!f || f->file.fd.behind || f->file.fd.fd != r->file.fd_num ||
        f->file.fd_touched_iter == scn.loop.iter)
        return;
    for (size_t i = 0; i < sizeof(conds) / sizeof(conds[0]); i++) {
        struct pollfd p = { .fd = f->file.fd.fd, .events = conds[i].poll };
        if (!(events & conds[i].bit) || sim_peek(&p, 1) == 1)
            continue;
        scenario_mask_format(conds[i].bit, got, sizeof(got));
        VIOLATION(LEVEL_MUST, "R14", name, "%s was called with %s, but its fd has "
                  "no such condition, and nothing has acted on it in this "
                  "iteration: a poll result from an earlier iteration, or none",
                  state_name(name), got);
    }
}

/* Whether fd reg f has the flags it was created with: the descriptor's
 * (F_GETFD: FD_CLOEXEC, which sim leaves clear so that setting it shows)
 * and the open file's (F_GETFL: the access mode and the status flags,
 * O_NONBLOCK, O_APPEND, O_ASYNC...).  If not, what it has, in got. */
bool check_fd_flags_as_created(const struct reg *f, char *got, size_t len)
{
    int fdfl = fcntl(f->file.fd.fd, F_GETFD), fl = fcntl(f->file.fd.fd, F_GETFL);

    if (fdfl < 0)
        snprintf(got, len, "fd %d is closed: the loop closed an fd it does not "
                 "own", f->file.fd.fd);
    else
        snprintf(got, len, "fd %d has flags 0x%x/0x%x (F_GETFL/F_GETFD), created "
                 "with 0x%x/0x%x: the loop changed the flags of an fd it does "
                 "not own", f->file.fd.fd, fl, fdfl, f->file.fd_flags, f->file.fd_fdflags);
    return fl == f->file.fd_flags && fdfl == f->file.fd_fdflags;
}

/* The fd is libvirt's: neither closed nor its flags changed by the loop,
 * ever (R17).  Checked while each callback runs (when libvirt reads and
 * writes it), when remove returns and when the scenario ends.  Not for an
 * fd the script closed, or closed behind the loop's back, nor for a watch
 * whose fd number no longer holds that fd. */
void check_fd_kept(int name, const char *when)
{
    const struct reg *r = &scn.regs[name], *f = r;
    char got[200];

    if (scn.sc->kinds[name] == NAME_HANDLE)
        f = r->op.fd_name >= 0 && scn.regs[r->op.fd_name].file.fd.fd == r->file.fd_num ?
            &scn.regs[r->op.fd_name] : NULL;
    if (!f || f->file.fd.fd < 0 || f->file.fd.behind ||
        check_fd_flags_as_created(f, got, sizeof(got)))
        return;
    VIOLATION(LEVEL_MUST, "R17", name, "%s %s: %s", state_name(name), when, got);
}

void check_handle_cb(int watch, int fd, int events, void *opaque)
{
    struct reg *r;
    int name, nth;
    char got[64], asked[64];

    pthread_mutex_lock(&scn.lock);
    name = identify(opaque, watch, NAME_HANDLE);
    if (name < 0) {
        pthread_mutex_unlock(&scn.lock);
        return;
    }
    r = &scn.regs[name];
    nth = common_call_checks(name, "handle", watch, events);
    scenario_mask_format(events, got, sizeof(got));
    scenario_mask_format(r->op.events, asked, sizeof(asked));
    if (fd != r->file.fd_num)
        VIOLATION(LEVEL_MUST, "R16", name, "handle callback of %s got fd %d; "
                  "it was added with fd %d", state_name(name), fd, r->file.fd_num);
    check_fd_kept(name, "in its callback");
    if (r->op.events == 0 && !r->op.removed) {
        if (changed_this_iteration(r))
            VIOLATION(LEVEL_SHOULD, "R31", name, "%s was called (%s) in the "
                      "iteration in which a callback set its events to 0",
                      state_name(name), got);
        else
            VIOLATION(LEVEL_MUST, "R10", name, "%s was called (%s) while its "
                      "events are 0; expected no call at all, not even for "
                      "HANGUP or ERROR", state_name(name), got);
    } else if (events == 0 || (events & ~(r->op.events | ALWAYS))) {
        VIOLATION(LEVEL_MUST, "R12", name, "%s got events %s; expected a "
                  "non-empty subset of %s plus ERROR|HANGUP", state_name(name),
                  got, asked);
    } else {
        check_not_enabled_this_iteration(name, r);
        check_condition_holds(name, r, events);
    }
    r->seen.in_cb = true;
    callback_depth++;
    pthread_mutex_unlock(&scn.lock);
    sim_trace("cb", "%s watch=%d fd=%d events=%s", state_name(name), watch, fd, got);
    run_reactions_marked(WHEN_ON_CB, name, nth);
    pthread_mutex_lock(&scn.lock);
    callback_depth--;
    r->seen.in_cb = false;
    pthread_mutex_unlock(&scn.lock);
    sim_trace("cb-end", "%s", state_name(name));
}

/* A timer of N ms fires no earlier than N ms (20 ms early at most, R26)
 * after its period started (R20).  After an add or update that is the
 * moment of the call.  After a fire there are two readings: the loop may
 * restart the period from when it woke up (libvirt's GLib loop does), which
 * is all R20 demands; but a timer whose call came late, behind a sibling's
 * slow callback, then fires again at once, which is the catch-up R25 rules
 * out: the period SHOULD run from the call itself.  In real time, the part
 * of that lateness the machine caused (fired_late_ns) is no sibling's. */
static void check_period(int name, const struct reg *r, int64_t now)
{
    int64_t early = r->op.timeout * SIM_NS_PER_MS - EARLY_SLACK_NS - scn.tolerance_ns;
    int64_t again = early - r->seen.fired_late_ns;

    if (now < r->op.armed_ns + early)
        VIOLATION(LEVEL_MUST, "R20", name, "timer %s (%d ms) fired %lld ms "
                  "after its period started; expected no earlier than %d ms "
                  "(20 ms early at most, R26)", state_name(name), r->op.timeout,
                  (long long)((now - r->op.armed_ns) / SIM_NS_PER_MS),
                  r->op.timeout - 20);
    else if (r->op.armed_by_fire && now < r->seen.fired_ns + again)
        VIOLATION(LEVEL_SHOULD, "R25", name, "timer %s (%d ms) fired again "
                  "%lld ms after its previous call, which ran %lld ms after "
                  "the loop woke up; expected its period to restart from that "
                  "call, not from the wake-up (no catch-up burst)",
                  state_name(name), r->op.timeout,
                  (long long)((now - r->seen.fired_ns) / SIM_NS_PER_MS),
                  (long long)((r->seen.fired_ns - r->op.armed_ns) / SIM_NS_PER_MS));
}

void check_timer_cb(int timer, void *opaque)
{
    struct reg *r;
    int name, nth;
    int64_t now = sim_now_ns(), late = sim_late_since_wait_ns();

    pthread_mutex_lock(&scn.lock);
    name = identify(opaque, timer, NAME_TIMER);
    if (name < 0) {
        pthread_mutex_unlock(&scn.lock);
        return;
    }
    r = &scn.regs[name];
    nth = common_call_checks(name, "timer", timer, 0);
    if (r->op.timeout < 0 && !r->op.removed) {
        if (changed_this_iteration(r))
            VIOLATION(LEVEL_SHOULD, "R31", name, "timer %s fired in the "
                      "iteration in which a callback disabled it",
                      state_name(name));
        else
            VIOLATION(LEVEL_MUST, "R22", name, "timer %s fired while its "
                      "timeout is %d; a negative timeout disables it",
                      state_name(name), r->op.timeout);
    } else {
        check_not_enabled_this_iteration(name, r);
        if (r->op.timeout > 0)
            check_period(name, r, now);
    }
    /* After a call the period restarts when the loop dispatched it (R25);
     * a loop may take that moment from its clock as it woke up, no
     * earlier, without breaking R20. */
    r->op.armed_ns = sim_last_wait_end_ns();
    r->seen.fired_ns = now;
    r->seen.fired_late_ns = late;
    r->op.armed_by_fire = true;
    r->seen.in_cb = true;
    callback_depth++;
    pthread_mutex_unlock(&scn.lock);
    sim_trace("cb", "%s timer=%d", state_name(name), timer);
    run_reactions_marked(WHEN_ON_CB, name, nth);
    pthread_mutex_lock(&scn.lock);
    callback_depth--;
    r->seen.in_cb = false;
    if (!r->op.removed)
        r->op.restart_ns = sim_now_ns();   /* R25: the period may run from here */
    pthread_mutex_unlock(&scn.lock);
    sim_trace("cb-end", "%s", state_name(name));
}

/* The guard timers' opaque: not NULL, for bindings that cannot take a
 * NULL opaque from C (Sys::Virt's); the harness must not be what fails. */
char check_guard_opaque[] = "evconf guard timer";

void check_guard_cb(int timer, void *opaque)
{
    (void)opaque;
    atomic_fetch_add(&scn.seen.served, 1);
    wakeups_guard_fired(timer);
    sim_trace("guard", "timer=%d", timer);
}

/* A free callback for a NULL opaque cannot say whose it is: give it to the
 * first removed, not yet freed registration made with a NULL opaque. */
static int identify_free(void *opaque)
{
    const struct scenario *sc = scn.sc;

    if (opaque && (struct cookie *)opaque >= scn.cookies &&
        (struct cookie *)opaque < scn.cookies + sc->nnames)
        return ((struct cookie *)opaque)->name;
    if (!opaque)
        for (int i = 0; i < sc->nnames; i++)
            if (scn.regs[i].op.null_opaque && scn.regs[i].op.has_ff &&
                scn.regs[i].op.removed && scn.regs[i].seen.nfrees == 0)
                return i;
    VIOLATION(LEVEL_MUST, "R34", -3, "a free callback got opaque %p, which "
              "matches no removed registration", opaque);
    return -1;
}

void check_ff(void *opaque)
{
    struct reg *r;
    int name, nth;

    atomic_fetch_add(&scn.seen.served, 1);
    pthread_mutex_lock(&scn.lock);
    name = identify_free(opaque);
    if (name < 0) {
        pthread_mutex_unlock(&scn.lock);
        return;
    }
    r = &scn.regs[name];
    if (op_on_stack || r->op.removing) {
        struct blame_text b = { .n = 0 };
        blame_free_inside(&b);
        VIOLATION(LEVEL_MUST, "R35", name, "the free callback of %s ran inside "
                  "%s(); expected it later, from a clean stack%s", state_name(name),
                  op_on_stack ? op_on_stack : "remove", b.s);
    } else if (r->op.add_failed) {
        VIOLATION(LEVEL_MUST, "R4", name, "free callback of %s, whose add "
                  "returned -1", state_name(name));
    } else if (!r->op.removed) {
        VIOLATION(LEVEL_MUST, "R34", name, "free callback of %s while it is "
                  "still registered", state_name(name));
    }
    if (r->seen.nfrees > 0)
        VIOLATION(LEVEL_MUST, "R34", name, "free callback of %s called %d "
                  "times; expected exactly once", state_name(name), r->seen.nfrees + 1);
    if (r->seen.in_cb)
        VIOLATION(LEVEL_MUST, "R37", name, "free callback of %s ran while its "
                  "callback was still running", state_name(name));
    nth = ++r->seen.nfrees;
    r->seen.free_at = (struct anchor_point){ true, scn.loop.iter, sim_now_ns(),
                                        atomic_fetch_add(&scn.seen.seq, 1) + 1 };
    pthread_mutex_unlock(&scn.lock);
    sim_trace("ff", "%s", state_name(name));
    run_reactions_marked(WHEN_ON_FF, name, nth);
}

/* ---- steps the loop made run again ---- */

/* A reaction to a free callback runs as often as that free callback: more
 * than once means a free callback was called with this registration's
 * opaque more than once (R34; when another registration's was handed this
 * opaque, that one's missing free callback is reported at the end, R34
 * too). */
static void free_reaction_again(const struct step *st)
{
    int x = st->on_name;

    VIOLATION(LEVEL_MUST, "R34", st->name, "line %d: '%s' ran again: a free "
              "callback was called with %s's opaque %d times; expected once, "
              "so one run of the step, which adds %s once (it is not added "
              "again)", st->line, st->text, state_name(x), scn.regs[x].seen.nfrees,
              state_name(st->name));
}

void check_step_again(const struct step *st)
{
    pthread_mutex_lock(&scn.lock);
    if (st->when == WHEN_ON_FF)
        free_reaction_again(st);
    else    /* the K-th call of a callback, a time: each comes once */
        VIOLATION(LEVEL_MUST, scn.sc->rules, st->name, "line %d: '%s' ran "
                  "again (the loop called into the runner in a way that "
                  "repeated it); expected it once, so %s is added once",
                  st->line, st->text, state_name(st->name));
    pthread_mutex_unlock(&scn.lock);
    sim_trace("skip", "line %d: %s not run again", st->line, st->text);
}

/* ---- ids and return values ---- */

/* For an interpreter's loop, the clause that says which side of its
 * binding's glue gave libvirt rc for step st (blame.h); "" for others. */
static const char *op_blame(struct blame_text *t, const struct step *st, long rc)
{
    bool add = st->kind == S_ADD_HANDLE || st->kind == S_ADD_TIMEOUT;
    int id = st->name < 0 ? st->literal_id : scn.regs[st->name].op.added ?
             scn.regs[st->name].op.id : -1000000;     /* as ops_target_id */

    t->n = 0;
    t->s[0] = '\0';
    blame_op(t, words_trace(st->kind), add ? NULL : &id, &rc);
    return t->s;
}

void check_new_id(const struct step *st, int id)
{
    const struct scenario *sc = scn.sc;
    enum name_kind kind = sc->kinds[st->name];
    struct blame_text b;

    if (st->has_rc) {
        if ((st->rc < 0) != (id < 0))
            check_fail(sc->level, sc->rules, "line %d: %s returned %d; expected "
                       "%s%s", st->line, st->text, id, st->rc < 0 ? "-1" : "an id",
                       op_blame(&b, st, id));
        return;
    }
    if (id < 0 && st->alloc_fails == ALLOC_FAILS_EACH) {
        check_fail(LEVEL_MUST, "R4", "line %d: %s returned -1 with its 1st to "
                   "%dth allocation failing, and with more; expected an id once "
                   "the add needs fewer allocations", st->line, st->text,
                   ALLOC_FAILS_EACH_MAX);
        return;
    }
    if (id < 0 && st->alloc_fails)
        return;                 /* out of memory: -1 is the answer (R4) */
    if (id < 0) {
        check_fail(LEVEL_MUST, "R4", "line %d: %s returned %d; expected an id "
                   ">= 0%s", st->line, st->text, id, op_blame(&b, st, id));
        return;
    }
    if (id == 0)
        VIOLATION(LEVEL_SHOULD, "R4", st->name, "%s got id 0; libvirt takes 0 "
                  "as 'none', so ids should start at 1", state_name(st->name));
    for (int i = 0; i < sc->nnames; i++) {
        if (i == st->name || sc->kinds[i] != kind || !scn.regs[i].op.added ||
            scn.regs[i].op.id != id)
            continue;
        if (!scn.regs[i].op.removed)
            VIOLATION(LEVEL_MUST, "R5", st->name, "%s got id %d, which live "
                      "registration %s already has", state_name(st->name), id,
                      state_name(i));
        else
            VIOLATION(LEVEL_SHOULD, "R5", st->name, "%s got id %d, which "
                      "removed registration %s had: ids should not be reused",
                      state_name(st->name), id, state_name(i));
    }
}

void check_remove_rc(const struct step *st, int target, int rc)
{
    int expected = target >= 0 ? 0 : -1;
    struct blame_text b;

    if (st->has_rc) {
        if (rc != st->rc)
            check_fail(scn.sc->level, scn.sc->rules, "line %d: %s returned %d; "
                       "expected %d%s", st->line, st->text, rc, st->rc,
                       op_blame(&b, st, rc));
        return;
    }
    if (rc != expected)
        check_fail(LEVEL_MUST, "R7", "line %d: %s returned %d; expected %d (%s)%s",
                   st->line, st->text, rc, expected, target >= 0 ?
                   "a live registration" : "no live registration has that id",
                   op_blame(&b, st, rc));
}

int check_pending_frees(void)
{
    int n = 0;

    pthread_mutex_lock(&scn.lock);
    for (int i = 0; i < scn.sc->nnames; i++)
        n += scn.regs[i].op.removed && scn.regs[i].op.has_ff &&
             scn.regs[i].seen.nfrees == 0;
    pthread_mutex_unlock(&scn.lock);
    return n;
}

/* A free callback that never ran is a leak (R34), or, for a registration
 * made with a NULL opaque, a loop that skips free callbacks without data
 * (R40, a SHOULD: libvirt itself never does that). */
void check_leaks(void)
{
    for (int i = 0; i < scn.sc->nnames; i++) {
        struct reg *r = &scn.regs[i];
        if (!r->op.removed || !r->op.has_ff || r->seen.nfrees > 0)
            continue;
        struct blame_text b = { .n = 0 };
        if (r->op.null_opaque)
            blame_free_null_opaque(&b);
        if (r->op.null_opaque)
            VIOLATION(LEVEL_SHOULD, "R40", i, "the free callback of %s (opaque "
                      "NULL) never ran (removed in iteration %d, %d iterations "
                      "ago)%s", state_name(i), r->op.remove_at.iter,
                      scn.loop.iter - r->op.remove_at.iter, b.s);
        else
            VIOLATION(LEVEL_MUST, "R34", i, "the free callback of %s never ran "
                      "(removed in iteration %d, %d iterations ago): a leak",
                      state_name(i), r->op.remove_at.iter,
                      scn.loop.iter - r->op.remove_at.iter);
    }
}

/* Every scripted fd still open at the end has the flags it was created
 * with (R17), whether or not a step asked. */
void check_fds_kept(void)
{
    pthread_mutex_lock(&scn.lock);
    for (int i = 0; i < scn.sc->nnames; i++)
        if (scn.sc->kinds[i] == NAME_FD)
            check_fd_kept(i, "at the end of the scenario");
    pthread_mutex_unlock(&scn.lock);
}
