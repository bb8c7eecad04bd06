/*
 * script.c - run a scenario's steps in order against the loop under test
 * (prefix exec_; exec_scenario() is the child's entry, exec.h).
 *
 * It sets the run up (the guard timer, the seeded order of adds in a
 * row), runs each step through the runner of its kind (step_runners),
 * drives the loop's iterations (iterate.c) for run and run-until, runs the steps
 * scheduled at a virtual time and the reactions attached to callbacks,
 * and tears the run down.  The loop is driven only through libvirt's
 * public API, by ops.c; the callbacks arrive at observe.c's trampolines,
 * which check them; expect lines are expectations.c's, fd steps fds.c's.
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blame.h"
#include "client.h"
#include "crash.h"
#include "expectations.h"
#include "observe.h"
#include "records.h"
#include "script.h"
#include "fds.h"
#include "iterate.h"
#include "ops.h"
#include "words.h"
#include "protocol.h"
#include "liveness.h"
#include "wakeups.h"



/* ---- steps ---- */

/* run N [alloc-fails=K] */
static void step_run(const struct step *st)
{
    sim_trace("run", "%lld iterations", (long long)st->arg);
    iter_fail_allocations(st->alloc_fails);
    for (int64_t i = 0; i < st->arg && !scn.loop.stopped; i++)
        iter_once();
    iter_fail_allocations(0);
}

/* run-until MS [alloc-fails=K]
 *
 * Virtual time only moves when the loop waits.  A correct loop leaves it
 * standing for a few iterations in a row at most (a wake-up, a callback
 * that made more work): STALL_LIMIT in a row is a loop that dispatches
 * something every iteration and never waits (a timer fired before it is
 * due, again and again), and waiting for 100000 such iterations can take
 * longer than the timeout on a loaded machine, turning the loop's failure
 * into a hang. */
#define STALL_LIMIT 1000
#define ITERATION_LIMIT 100000

static bool run_until_stalled(const struct step *st, int stalled, int i)
{
    if (stalled < STALL_LIMIT && i < ITERATION_LIMIT)
        return false;
    if (stalled >= STALL_LIMIT)
        check_fail(scn.sc->level, scn.sc->rules, "%d iterations in a row left "
                   "virtual time at %lld.%03lld ms, short of %lld ms: the loop "
                   "never waited", stalled,
                   (long long)(sim_now_ns() / SIM_NS_PER_MS),
                   (long long)(sim_now_ns() % SIM_NS_PER_MS / 1000),
                   (long long)st->arg);
    else
        check_fail(scn.sc->level, scn.sc->rules, "%d iterations did not bring "
                   "virtual time to %lld ms (it stands at %lld ms)", i,
                   (long long)st->arg, (long long)(sim_now_ns() / SIM_NS_PER_MS));
    scn.loop.stopped = true;
    return true;
}

/* A loaded machine delays a real-time loop, and each delay moves every
 * later timer back: a phase ends when the time virtual time would count
 * (sim_late_ns() off) reaches its end, holding at least the fires virtual
 * time has (upper bounds on counts stop at phase_end_ns); one overrun by
 * the phase before still gets an iteration, to see what its steps did. */
static bool run_until_short(const struct step *st, int i)
{
    int64_t now = sim_now_ns(), end = st->arg * SIM_NS_PER_MS;

    if (!sim_realtime())
        return now < end;
    if (i == 0 || (now >= end && scn.loop.phase_end_ns == 0))
        scn.loop.phase_end_ns = now >= end ? now : 0;
    return now - sim_late_ns() < end || i == 0;
}

/* run-until MS closed C: the phase is over once C's close callback has
 * run, so that a real-time wait for a keepalive (R20) or EOF close (R11)
 * ends when the close comes, not at MS; a loop that never closes still
 * runs to MS and fails the expect that follows. */
static bool run_until_closed(const struct step *st)
{
    bool closed;

    if (st->name < 0)
        return false;
    pthread_mutex_lock(&scn.lock);
    closed = scn.regs[st->name].conn.close_reason >= 0;
    pthread_mutex_unlock(&scn.lock);
    if (closed)
        sim_trace("run", "%s closed: the phase ends", state_name(st->name));
    return closed;
}

static void step_run_until(const struct step *st)
{
    int stalled = 0;

    sim_trace("run", "until %lld ms%s%s", (long long)st->arg,
              st->name >= 0 ? " or the close of " : "",
              st->name >= 0 ? state_name(st->name) : "");
    iter_fail_allocations(st->alloc_fails);
    for (int i = 0; !scn.loop.stopped && !run_until_closed(st) &&
                    run_until_short(st, i); i++) {
        int64_t before = sim_now_ns();

        if (run_until_stalled(st, stalled, i))
            break;
        iter_once();
        stalled = sim_now_ns() == before && !sim_realtime() ? stalled + 1 : 0;
    }
    iter_fail_allocations(0);
}

static void step_sleep(const struct step *st)
{
    sim_sleep_ms(st->arg);
}

static void step_mark(const struct step *st)
{
    pthread_mutex_lock(&scn.lock);
    ops_anchor(&scn.regs[st->name].op.mark_at);
    pthread_mutex_unlock(&scn.lock);
    sim_trace("mark", "%s", state_name(st->name));
}

static void step_wait_fails(const struct step *st)
{
    sim_trace("step", "%s", st->text);
    pthread_mutex_lock(&scn.lock);
    scn.loop.wait_failed_iter = scn.loop.iter;
    pthread_mutex_unlock(&scn.lock);
    sim_fail_wait((int)st->arg);
}

static void step_wall_clock(const struct step *st)
{
    sim_step_wall_clock(st->arg);
}

static void step_register_default(const struct step *st)
{
    (void)st;
    sim_trace("op", "virEventRegisterDefaultImpl");
    virEventRegisterDefaultImpl();
}

/* What runs each kind of step: the fd steps (fds.c), the operations
 * (ops.c), the client's steps (client.c), expectations (expectations.c)
 * and the script's own. */
static void (*const step_runners[])(const struct step *st) = {
    [S_PIPE] = fds_run, [S_PIPE_WRITER] = fds_run, [S_SOCKET] = fds_run,
    [S_READABLE] = fds_run, [S_DRAIN] = fds_run, [S_FILL] = fds_run,
    [S_DRAIN_WRITABLE] = fds_run, [S_CLOSE_PEER] = fds_run,
    [S_CLOSE_BEHIND] = fds_run, [S_REUSE] = fds_run, [S_CLOSE] = fds_run,
    [S_MOVE_FD] = fds_run, [S_ADD_HANDLE] = ops_add, [S_ADD_TIMEOUT] = ops_add,
    [S_UPDATE_HANDLE] = ops_update, [S_UPDATE_TIMEOUT] = ops_update,
    [S_REMOVE_HANDLE] = ops_remove, [S_REMOVE_TIMEOUT] = ops_remove,
    [S_RUN] = step_run, [S_RUN_UNTIL] = step_run_until, [S_SLEEP] = step_sleep,
    [S_MARK] = step_mark, [S_REGISTER_DEFAULT] = step_register_default,
    [S_WAIT_FAILS] = step_wait_fails, [S_WALL_CLOCK_STEP] = step_wall_clock,
    [S_CONNECT] = client_step, [S_DOMAIN_EVENTS] = client_step,
    [S_DEFINE_DOMAIN] = client_step, [S_START_DOMAIN] = client_step,
    [S_DESTROY_DOMAIN] = client_step, [S_UNDEFINE_DOMAIN] = client_step,
    [S_CLOSE_CONNECTION] = client_step, [S_DAEMON] = client_step,
    [S_STOP_DAEMON] = client_step, [S_PAUSE_DAEMON] = client_step,
    [S_RESUME_DAEMON] = client_step, [S_KEEPALIVE] = client_step,
    [S_CLOSE_CALLBACK] = client_step, [S_EXPECT] = expectation_check,
};

_Static_assert(sizeof(step_runners) / sizeof(step_runners[0]) == S_EXPECT + 1,
               "a step kind has no runner");

static void run_step(const struct step *st)
{
    step_runners[st->kind](st);
    iter_verdict_check();
}


/* One step, marked on this thread's stack for a crash report (crash.c);
 * steps nest (a callback's reactions run inside the step that let the
 * loop run). */
void exec_run_step(const struct step *st)
{
    const struct step *outer = step_on_stack;

    if (scn.loop.stopped && st->when == WHEN_NOW)
        return;
    step_on_stack = st;
    run_step(st);
    step_on_stack = outer;
}

/* The reactions attached to the k-th callback (or the free callback) of a
 * registration, in file order. */
void exec_run_reactions(enum when when, int name, int nth)
{
    for (int i = 0; i < scn.sc->nsteps; i++) {
        const struct step *st = &scn.sc->steps[i];
        if (st->when == when && st->on_name == name &&
            (st->on_nth == 0 || st->on_nth == nth))
            exec_run_step(st);
    }
}

static void scheduled(void *arg)
{
    exec_run_step(arg);
}

/* When a change made from another thread at st->at_ms needs a waiting loop's
 * attention (R43): at once for an add with events, an enabling update or a
 * remove, after N ms for a timeout of N; never for a disabling update, an
 * fd action or a call with a raw id. */
static bool fd_ready_for(const struct reg *f, int events)
{
    struct pollfd p = { .fd = f->file.fd.fd };

    if (f->file.fd.fd < 0 || f->file.fd.behind)
        return false;
    p.events = (events & VIR_EVENT_HANDLE_READABLE ? POLLIN : 0) |
               (events & VIR_EVENT_HANDLE_WRITABLE ? POLLOUT : 0);
    return sim_peek(&p, 1) == 1;
}

/* An update of watch r to events gains events its fd is ready for now. */
static bool gains_ready(const struct reg *r, int events)
{
    int gained = events & ~r->op.events;

    return gained && r->op.fd_name >= 0 && fd_ready_for(&scn.regs[r->op.fd_name], gained);
}

/* When a change made from another thread needs a waiting loop's attention
 * (R43), worked out as it is made: at once for a watch that gains events
 * its fd is ready for now (an add or an enabling), and for the remove of a
 * live registration with a free callback (R38: the loop must get to it);
 * after N ms for a live timer set to N.  Everything else has nothing for
 * the loop to deliver before its wait ends anyway: a disabling, an update
 * to what it already was, an unknown or removed id, a watch on an fd with
 * nothing to report (a loop that keeps the fd in its wait set learns of it
 * when it becomes ready), an fd action, an add that may run out of memory. */
static int64_t wake_by(void *arg)
{
    const struct step *st = arg;
    bool handle = st->kind == S_ADD_HANDLE || st->kind == S_UPDATE_HANDLE ||
                  st->kind == S_REMOVE_HANDLE;
    int target = -1;
    int64_t by = SIM_NO_WAKE, now = sim_now_ns() / SIM_NS_PER_MS;

    pthread_mutex_lock(&scn.lock);
    if (st->kind == S_UPDATE_HANDLE || st->kind == S_UPDATE_TIMEOUT ||
        st->kind == S_REMOVE_HANDLE || st->kind == S_REMOVE_TIMEOUT)
        target = ops_live_by_id(handle ? NAME_HANDLE : NAME_TIMER, ops_target_id(st));
    switch (st->kind) {
    case S_ADD_HANDLE:
        /* An add whose K-th allocation fails may return -1, and then there
         * is nothing to wake up for: it cannot be judged beforehand. */
        if (st->alloc_fails > 0)
            break;
        if (st->arg != 0 && st->fd_name >= 0 &&
            fd_ready_for(&scn.regs[st->fd_name], (int)st->arg))
            by = now;
        break;
    case S_UPDATE_HANDLE:
        if (target >= 0 && gains_ready(&scn.regs[target], (int)st->arg))
            by = now;
        break;
    case S_ADD_TIMEOUT:
        if (st->arg >= 0 && st->alloc_fails <= 0)
            by = now + st->arg;
        break;
    case S_UPDATE_TIMEOUT:
        if (target >= 0 && st->arg >= 0)
            by = now + st->arg;
        break;
    case S_REMOVE_HANDLE:
    case S_REMOVE_TIMEOUT:
        if (target >= 0 && scn.regs[target].op.has_ff)
            by = now;
        break;
    case S_KEEPALIVE:
        /* libvirt adds its keepalive timer with at most the interval. */
        if (st->arg > 0)
            by = now + st->arg * 1000;
        break;
    default:
        break;
    }
    pthread_mutex_unlock(&scn.lock);
    return by;
}

/* Adds in a row at the top level run in an order drawn from the seed, so a
 * loop that depends on registration order shows it (R32). */
static void run_script(void)
{
    const struct scenario *sc = scn.sc;

    for (int i = 0; i < sc->nsteps; i++) {
        const struct step *st = &sc->steps[i];
        if (st->when == WHEN_AT)
            sim_at(st->at_ms, scheduled, (void *)st, st->text);
        else if (st->when == WHEN_AT_THREAD)
            sim_at_thread_judged(st->at_ms, scheduled, (void *)st, st->text, wake_by);
    }
    for (int i = 0; i < sc->nsteps && !scn.loop.stopped; ) {
        int j = i, order[64], n;

        if (sc->steps[i].when != WHEN_NOW) {
            i++;
            continue;
        }
        while (j < sc->nsteps && j - i < 64 && sc->steps[j].when == WHEN_NOW &&
               (sc->steps[j].kind == S_ADD_HANDLE || sc->steps[j].kind == S_ADD_TIMEOUT) &&
               !sc->steps[j].has_rc)
            j++;
        if (j == i) {
            exec_run_step(&sc->steps[i++]);
            continue;
        }
        n = j - i;
        for (int k = 0; k < n; k++)
            order[k] = i + k;
        for (int k = n - 1; k > 0; k--) {
            int r = (int)sim_rand_below((uint32_t)k + 1), tmp = order[k];
            order[k] = order[r];
            order[r] = tmp;
        }
        for (int k = 0; k < n; k++)
            exec_run_step(&sc->steps[order[k]]);
        i = j;
    }
}

/* Remove, from the script's side, everything still registered.  Returns
 * how many it removed. */
static int remove_live(void)
{
    int n = 0;

    for (int i = 0; i < scn.sc->nnames; i++) {
        struct reg *r = &scn.regs[i];
        struct step st = { .name = i };
        if (!r->op.added || r->op.removed)
            continue;
        st.kind = scn.sc->kinds[i] == NAME_HANDLE ? S_REMOVE_HANDLE : S_REMOVE_TIMEOUT;
        st.text = (char *)(st.kind == S_REMOVE_HANDLE ? "teardown: remove-handle"
                                                      : "teardown: remove-timeout");
        ops_remove(&st);
        n++;
    }
    return n;
}

/* After the script: remove what is still registered and iterate until
 * every free callback has run, so that a missing one shows as a leak
 * (R2, R34).  Free callbacks may add again; what they add is removed in
 * the next round.  A guard timer keeps the loop from idling meanwhile. */
static void teardown(void)
{
    int guard = -1;

    if (scn.loop.stopped)
        return;
    sim_trace("teardown", "remove what is left");
    client_close_all();
    /* Each iteration ends within a guard period: in real time a short one,
     * so that a loop whose frees never come is judged in a second. */
    ops_enter(words_trace(S_ADD_TIMEOUT));
    guard = virEventAddTimeout(scn.sc->realtime ? 50 : 1000, check_guard_cb,
                               check_guard_opaque, NULL);
    ops_leave();
    wakeups_guard(guard, scn.sc->realtime ? 50 : 1000);
    for (int round = 0; round < 10 && !scn.loop.stopped; round++) {
        int removed = remove_live();
        for (int n = 0; n < 10 && !scn.loop.stopped && check_pending_frees() > 0; n++)
            iter_once();
        if (removed == 0)
            break;
    }
    iter_verdict_check();
    check_leaks();
    ops_enter(words_trace(S_REMOVE_TIMEOUT));
    virEventRemoveTimeout(guard);
    ops_leave();
    wakeups_guard(guard, -1);
}

/* Each trace line goes to the runner as a trace record. */
static const char trace_prefix[] = { PROTO_TRACE, ' ', '\0' };

/* The run's state (state.h) before the first step: every name unset. */
static void state_setup(const struct scenario *sc, const struct impl *impl,
                        const struct exec_opts *opts, int out_fd)
{
    memset(&scn, 0, sizeof(scn));
    scn.loop.loop_fds_base = -1;
    scn.loop.wait_failed_iter = -1;
    pthread_mutex_init(&scn.lock, NULL);
    scn.sc = sc;
    scn.impl = impl;
    scn.react = exec_run_reactions;
    scn.out_fd = out_fd;
    scn.tolerance_ns = opts->tolerance_ms * SIM_NS_PER_MS;
    scn.regs = calloc((size_t)sc->nnames + 1, sizeof(*scn.regs));
    scn.cookies = calloc((size_t)sc->nnames + 1, sizeof(*scn.cookies));
    for (int i = 0; i < sc->nnames; i++) {
        scn.cookies[i].name = i;
        scn.regs[i].file.fd.fd = scn.regs[i].file.fd.peer = -1;
        scn.regs[i].file.fd_touched_iter = -1;
        scn.regs[i].op.changed_iter = scn.regs[i].op.enabled_iter = -1;
        scn.regs[i].conn.close_reason = -1;
    }
}

/* What the run holds at its end: the script's fds, the calls recorded. */
static void state_free(const struct scenario *sc)
{
    for (int i = 0; i < sc->nnames; i++) {
        if (sc->kinds[i] == NAME_FD)
            sim_fd_close(&scn.regs[i].file.fd);
        free(scn.regs[i].seen.calls);
    }
    free(scn.regs);
    free(scn.cookies);
}

int exec_scenario(const struct scenario *sc, const struct impl *impl,
                  const struct exec_opts *opts, int out_fd)
{
    state_setup(sc, impl, opts, out_fd);
    if (opts->realtime)
        sim_start_realtime(opts->seed);
    else
        sim_start(opts->seed);
    sim_set_watchdog_ms(opts->wake_timeout_ms);
    sim_real_peers(sc->realtime);       /* clock: real, for a private libvirtd */
    sim_on_failed_wait(iter_end_after_failed_wait);
    sim_perturb_waits(opts->perturb && !opts->realtime);
    sim_trace_mirror(out_fd, trace_prefix);
    crash_watch();
    blame_start();
    sim_alloc_scope(*(void **)&impl->run_once);     /* alloc-fails=K */
    if (impl->register_fn() != 0) {
        check_fail(LEVEL_MUST, "R3", "evconf_register() returned non-zero");
        return 1;
    }
    sim_restart_clock();
    if (sc->guard) {
        ops_enter(words_trace(S_ADD_TIMEOUT));
        wakeups_guard(virEventAddTimeout(1000, check_guard_cb, check_guard_opaque, NULL),
                      1000);
        ops_leave();
    }
    run_script();
    teardown();
    wakeups_report();
    check_fds_kept();
    client_stop_daemons();
    crash_unwatch();
    if (sim_abandoned_threads() > 0)
        return EXEC_ABANDONED;
    sim_trace_mirror(-1, NULL);
    sim_stop();
    state_free(sc);
    return 0;
}
