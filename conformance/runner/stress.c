/*
 * stress.c - real threads against the loop under test, in real time.
 *
 * Scenarios run other threads' actions one at a time while the loop is
 * parked, which makes races invisible: a loop without a lock, or with a
 * wake-up that can be lost, passes them.  Here several worker threads add,
 * update and remove registrations of their own while the loop thread
 * iterates, for a bounded time, and every callback and free callback is
 * checked online against what the contract allows whatever the
 * interleaving:
 *
 *   R29  no callback runs in an iteration that began after remove()
 *        returned (one already under way may still make a call it had
 *        decided on);
 *   R34  every free callback runs exactly once, and only after remove;
 *   R37  no free callback while its callback runs;
 *   R42  every operation returns what it must (add an id >= 0, remove 0);
 *   R43  a timer set to 0 and a watch added on a readable fd are served
 *        within a bound far shorter than the loop's only other wake-up, a
 *        1 s guard timer; in the second half of the run, with the workers
 *        gone, single changes probe the moment between the loop's decision
 *        to wait and its wait: the loop thread is held at each of its
 *        clock readings and zero-timeout polls after the last callback in
 *        turn (sim_jitter_hold), so a wake-up lost there is lost each run;
 *   and the loop neither crashes nor hangs (a watchdog).
 *
 * The bounds of R34 and R43 are real time, counted from when the change
 * returned, on the stall clock of the loop thread (stall.h): time in
 * which the machine let the loop thread run whenever it was ready to.  A
 * busy machine stretches them; only the loop can break them (a loop that
 * lost a wake-up sleeps, and sleeping is not waiting for a CPU).
 *
 * On ThreadSanitizer's runtime (--sanitizer=thread, an IMPL built with
 * -fsanitize=thread), each kind of TSan report is a failure too, under the
 * rule it breaks (a data race: R42; stress-run.c reads them).
 *
 * This is the child's side; failures go to the parent on a pipe as lines
 * (stress.h), once per rule, each saying on which thread it was seen,
 * with the threads' ids and the run's last events (stress-trace.c, which
 * also sends them when the process crashes).  Prefix stress_.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

#include "evconf.h"
#include "sim.h"
#include "stress.h"
#include "stress-trace.h"
#include "stall.h"

#define SLOTS_PER_WORKER 8
#define MAX_WORKERS 16
#define NS_PER_MS INT64_C(1000000)

enum slot_state { SLOT_EMPTY, SLOT_LIVE, SLOT_REMOVED };

/* One registration a worker owns.  The worker changes it; callbacks and
 * free callbacks, on the loop thread, read it and record what happened. */
struct slot {
    _Atomic int state;
    _Atomic bool timer;
    _Atomic int id;
    _Atomic int64_t removed_ns;     /* when remove() returned */
    _Atomic long removed_iter;      /* the iteration under way then; 0: none */
    _Atomic int64_t due_by_ns;      /* a call is owed by then (stall clock);
                                       0: none */
    _Atomic bool served;            /* a call came since the last change */
    _Atomic int in_cb;
    _Atomic int frees;
    _Atomic int remover;            /* the thread whose remove() returned */
    int rd, wr;                     /* the slot's pipe, for watches */
};

static struct {
    struct slot slots[MAX_WORKERS][SLOTS_PER_WORKER];
    int nworkers;
    int64_t bound_ns;
    _Atomic bool stop_workers, stop_loop;
    int out;                        /* the pipe to the parent */
    _Atomic unsigned reported;      /* one bit per rule reported */
    _Atomic long ops, calls, frees;
    _Atomic long iter;              /* the loop's iterations begun */
} stress;

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Report a rule's first violation to the parent, with the thread that
 * saw it; after the run's first, the trace of what led to it. */
static void violation(int bit, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void violation(int bit, const char *rule, const char *fmt, ...)
{
    char line[640], who[64];
    int n;
    va_list ap;

    if (atomic_fetch_or(&stress.reported, 1u << bit) & (1u << bit))
        return;
    n = snprintf(line, sizeof(line), "%s ", rule);
    va_start(ap, fmt);
    n += vsnprintf(line + n, sizeof(line) - (size_t)n - 100, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(line) - 100)
        n = (int)sizeof(line) - 100;
    snprintf(line + n, sizeof(line) - (size_t)n, "; seen on %s\n",
             stress_thread_part(stress_tid(), who, sizeof(who)));
    (void)!write(stress.out, line, strlen(line));
    stress_send_trace(true);
}

enum { V_R29, V_R34_TWICE, V_R34_EARLY, V_R37, V_R42_ADD, V_R42_REMOVE,
       V_R43, V_R34_LEAK, V_RUN };

/* R29 by iterations, not by time: an iteration that began after remove()
 * returned has no call of it under way, however slow the machine. */
static void on_call(struct slot *s)
{
    long removed_iter = atomic_load(&s->removed_iter);
    char who[64];

    atomic_fetch_add(&s->in_cb, 1);
    atomic_fetch_add(&stress.calls, 1);
    atomic_store(&s->served, true);
    stress_note(STRESS_EV_CALL, atomic_load(&s->timer), atomic_load(&s->id), 0);
    if (atomic_load(&s->state) == SLOT_REMOVED && removed_iter &&
        atomic_load(&stress.iter) > removed_iter)
        violation(V_R29, "R29", "a callback of %s %d ran in an iteration that "
                  "began after remove() had returned on %s (%lld ms before)",
                  atomic_load(&s->timer) ? "timer" : "watch", atomic_load(&s->id),
                  stress_thread_part(atomic_load(&s->remover), who, sizeof(who)),
                  (long long)((now_ns() - atomic_load(&s->removed_ns)) / NS_PER_MS));
    atomic_store(&s->due_by_ns, 0);
}

static void timer_cb(int timer, void *opaque)
{
    struct slot *s = opaque;

    (void)timer;
    on_call(s);
    atomic_fetch_sub(&s->in_cb, 1);
}

static void handle_cb(int watch, int fd, int events, void *opaque)
{
    struct slot *s = opaque;
    char buf[64];

    (void)watch; (void)events;
    on_call(s);
    while (read(fd, buf, sizeof(buf)) > 0)
        ;
    atomic_fetch_sub(&s->in_cb, 1);
}

static void free_cb(void *opaque)
{
    struct slot *s = opaque;

    atomic_fetch_add(&stress.frees, 1);
    stress_note(STRESS_EV_FREE, atomic_load(&s->timer), atomic_load(&s->id), 0);
    if (atomic_load(&s->in_cb))
        violation(V_R37, "R37", "a free callback ran while its callback was "
                  "running");
    if (atomic_load(&s->state) != SLOT_REMOVED)
        violation(V_R34_EARLY, "R34", "a free callback ran for a registration "
                  "that was never removed");
    if (atomic_fetch_add(&s->frees, 1) != 0)
        violation(V_R34_TWICE, "R34", "a free callback ran twice");
}

static uint64_t next_rand(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));

    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* A change that makes a call due: before it, nothing is owed yet; once it
 * has returned, a call is owed within the bound, from then (the worker's
 * own delay before the change is not the loop's), unless one came
 * already.  A call between the test and the store leaves a stale
 * deadline that check_due ignores: served says the call came. */
static void owe_before(struct slot *s)
{
    atomic_store(&s->served, false);
    atomic_store(&s->due_by_ns, 0);
}

static void owe_after(struct slot *s, int64_t extra_ns)
{
    int64_t due = stall_clock_ns() + stress.bound_ns + extra_ns;

    if (!atomic_load(&s->served))
        atomic_store(&s->due_by_ns, due);
}

/* A slot whose free callback has run may take a new registration. */
static void slot_add(struct slot *s, uint64_t *rng)
{
    bool timer = next_rand(rng) & 1;
    int id;

    if (atomic_load(&s->frees) != 1 && atomic_load(&s->state) != SLOT_EMPTY)
        return;
    atomic_store(&s->frees, 0);
    atomic_store(&s->removed_ns, 0);
    atomic_store(&s->removed_iter, 0);
    atomic_store(&s->timer, timer);
    atomic_store(&s->state, SLOT_LIVE);
    owe_before(s);
    if (timer) {
        id = virEventAddTimeout(0, timer_cb, s, free_cb);
    } else {
        (void)!write(s->wr, "x", 1);
        id = virEventAddHandle(s->rd, VIR_EVENT_HANDLE_READABLE, handle_cb, s,
                               free_cb);
    }
    owe_after(s, 0);
    atomic_store(&s->id, id);
    stress_note(STRESS_EV_ADD, timer, id, timer ? 0 : VIR_EVENT_HANDLE_READABLE);
    if (id < 0) {
        atomic_store(&s->due_by_ns, 0);
        atomic_store(&s->state, SLOT_EMPTY);
        violation(V_R42_ADD, "R42", "add from a worker thread returned %d", id);
    }
}

static void slot_update(struct slot *s, uint64_t *rng)
{
    int id = atomic_load(&s->id);

    if (atomic_load(&s->state) != SLOT_LIVE)
        return;
    if (atomic_load(&s->timer)) {
        int ms = (int)(next_rand(rng) % 3) - 1;     /* -1, 0 or 1 */
        owe_before(s);
        virEventUpdateTimeout(id, ms);
        if (ms >= 0)
            owe_after(s, ms * NS_PER_MS);
        stress_note(STRESS_EV_UPDATE, true, id, ms);
    } else if (next_rand(rng) & 1) {
        atomic_store(&s->due_by_ns, 0);
        virEventUpdateHandle(id, 0);
        stress_note(STRESS_EV_UPDATE, false, id, 0);
    } else {
        (void)!write(s->wr, "x", 1);
        owe_before(s);
        virEventUpdateHandle(id, VIR_EVENT_HANDLE_READABLE);
        owe_after(s, 0);
        stress_note(STRESS_EV_UPDATE, false, id, VIR_EVENT_HANDLE_READABLE);
    }
}

static void slot_remove(struct slot *s)
{
    int id = atomic_load(&s->id), rc;
    bool timer = atomic_load(&s->timer);

    if (atomic_load(&s->state) != SLOT_LIVE)
        return;
    atomic_store(&s->due_by_ns, 0);
    atomic_store(&s->state, SLOT_REMOVED);
    rc = timer ? virEventRemoveTimeout(id) : virEventRemoveHandle(id);
    atomic_store(&s->remover, stress_tid());
    atomic_store(&s->removed_ns, now_ns());
    atomic_store(&s->removed_iter, atomic_load(&stress.iter));
    stress_note(STRESS_EV_REMOVE, timer, id, rc);
    if (rc != 0)
        violation(V_R42_REMOVE, "R42", "remove of live %s %d from a worker "
                  "thread returned %d", timer ? "timer" : "watch", id, rc);
}

/* A call owed and not made by its deadline: the loop did not notice a
 * change made while it waited. */
static void check_due(struct slot *s)
{
    int64_t due = atomic_load(&s->due_by_ns);

    if (due && !atomic_load(&s->served) && stall_past(due) &&
        atomic_load(&s->due_by_ns) == due && !atomic_load(&s->served))
        violation(V_R43, "R43", "a %s made due from another thread was not "
                  "served within %lld ms", atomic_load(&s->timer) ?
                  "timer set to 0" : "watch on a readable fd",
                  (long long)(stress.bound_ns / NS_PER_MS));
}

static void *worker(void *arg)
{
    int w = (int)(intptr_t)arg;
    uint64_t rng = (uint64_t)w * 7919 + 1;

    stress_thread_is(w);
    while (!atomic_load(&stress.stop_workers)) {
        struct slot *s = &stress.slots[w][next_rand(&rng) % SLOTS_PER_WORKER];
        unsigned op = next_rand(&rng) % 3;

        check_due(s);
        if (op == 0)
            slot_add(s, &rng);
        else if (op == 1)
            slot_update(s, &rng);
        else
            slot_remove(s);
        atomic_fetch_add(&stress.ops, 1);
        usleep(50 + next_rand(&rng) % 200);
    }
    return NULL;
}

static void guard_cb(int timer, void *opaque)
{
    (void)timer; (void)opaque;
}

static _Atomic bool probe_fired;


/* The probes hold the loop thread at each of the first HOLD_POINTS jitter
 * points (clock readings, zero-timeout polls) after the last probe's
 * callback in turn: one of them is where the loop has decided how long to
 * wait and not yet waited.  A hold lasts until the probe's change returned,
 * HOLD_MAX_NS at most (a loop that holds its lock there blocks the change:
 * the hold then ends and the loop goes on). */
#define HOLD_POINTS 8
#define HOLD_MAX_NS (100 * NS_PER_MS)
#define HELD_WAIT_NS (50 * NS_PER_MS)

static _Atomic long hold_armed, hold_reached, hold_changed;

/* On the loop thread, at the chosen point: say so, and wait there until
 * the probe thread's change has returned. */
static void hold_here(void *arg)
{
    long gen = (long)(intptr_t)arg;
    int64_t until = now_ns() + HOLD_MAX_NS;

    atomic_store(&hold_reached, gen);
    while (atomic_load(&hold_changed) < gen && now_ns() < until)
        sched_yield();
}

/* The probe's callback: disable it, and arm the hold for the next probe
 * at the next point in turn, counted from here. */
static void probe_cb(int timer, void *opaque)
{
    long gen = atomic_load(&hold_armed) + 1;

    (void)opaque;
    virEventUpdateTimeout(timer, -1);
    atomic_store(&hold_armed, gen);
    sim_jitter_hold(hold_here, (void *)(intptr_t)gen, (int)(gen % HOLD_POINTS));
    atomic_store(&probe_fired, true);
}

/* Wait until the loop thread is held at the point armed for this probe
 * (gen), HELD_WAIT_NS at most: a loop that reaches no further jitter point
 * before it waits is probed as it waits. */
static void wait_held(long gen)
{
    int64_t until = now_ns() + HELD_WAIT_NS;

    while (gen > 0 && atomic_load(&hold_reached) < gen && now_ns() < until)
        sched_yield();
    if (gen > 0 && atomic_load(&hold_reached) < gen)
        sim_jitter_hold(NULL, NULL, 0);
}

/* The loop alone, idle, and one change at a time from this thread, each
 * while the loop thread is held at a point of its way from the last
 * callback to its wait, every point in turn (at least twice over): a
 * wake-up the loop loses between deciding how long to wait and waiting
 * is lost on every run.  Nothing else would wake it before the 1 s guard
 * timer, far beyond the bound. */
static void probe_wakeups(int ms)
{
    int64_t end = now_ns() + (int64_t)ms * NS_PER_MS;
    int probe = virEventAddTimeout(-1, probe_cb, NULL, NULL);

    for (int n = 0; now_ns() < end || n < 2 * HOLD_POINTS; n++) {
        long gen = atomic_load(&hold_armed);
        int64_t t0;

        wait_held(gen);
        atomic_store(&probe_fired, false);
        virEventUpdateTimeout(probe, 0);
        t0 = stall_clock_ns();
        stress_note(STRESS_EV_UPDATE, true, probe, 0);
        atomic_store(&hold_changed, gen);
        while (!atomic_load(&probe_fired) && !stall_past(t0 + stress.bound_ns))
            sched_yield();
        atomic_fetch_add(&stress.ops, 1);
        if (!atomic_load(&probe_fired)) {
            violation(V_R43, "R43", "a timer set to 0 from another thread while "
                      "the loop was on its way to wait (held at its point %ld "
                      "after the last callback) was not served within %lld ms: "
                      "the wake-up was lost", gen % HOLD_POINTS + 1,
                      (long long)(stress.bound_ns / NS_PER_MS));
            break;
        }
    }
    sim_jitter_hold(NULL, NULL, 0);
    virEventRemoveTimeout(probe);
}

/* The loop thread: iterate until told to stop.  A failed iteration is
 * reported and the loop goes on. */
static void *looper(void *arg)
{
    int (*run_once)(void) = (int (*)(void))arg;

    stress_thread_is(STRESS_LOOP);
    stall_thread_register();
    sim_jitter_enable(7);
    while (!atomic_load(&stress.stop_loop))
        if (atomic_fetch_add(&stress.iter, 1), run_once() != 0)
            violation(V_RUN, "R2", "evconf_run_once() failed while other "
                      "threads changed registrations");
    return NULL;
}

/* Each worker's slots, a pipe each (their fds are watched).  0 or -1. */
static int open_slots(void)
{
    for (int w = 0; w < stress.nworkers; w++)
        for (int i = 0; i < SLOTS_PER_WORKER; i++) {
            int fds[2];
            if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
                return -1;
            stress.slots[w][i].rd = fds[0];
            stress.slots[w][i].wr = fds[1];
        }
    return 0;
}

/* R34: every removed registration's free callback, within 2 s of the
 * stall clock. */
static void wait_frees(void)
{
    int64_t end = stall_clock_ns() + 2000 * NS_PER_MS;

    for (;;) {
        bool pending = false;
        for (int w = 0; w < stress.nworkers; w++)
            for (int i = 0; i < SLOTS_PER_WORKER; i++)
                pending |= atomic_load(&stress.slots[w][i].state) == SLOT_REMOVED &&
                           atomic_load(&stress.slots[w][i].frees) == 0;
        if (!pending)
            break;
        if (stall_past(end)) {
            violation(V_R34_LEAK, "R34", "free callbacks still pending 2 s "
                      "after the last remove");
            break;
        }
        usleep(1000);
    }
}

static int child(const char *impl_path, const struct stress_opts *o)
{
    void *h = dlopen(impl_path, RTLD_NOW | RTLD_GLOBAL);
    int (*reg)(void), (*run_once)(void);
    pthread_t loop, workers[MAX_WORKERS];

    stress_trace_start(stress.out, stress.nworkers);
    stress_trace_deadline(o->ms + 8000);    /* the parent's limit: ms + 10 s */
    if (!h) {
        violation(V_RUN, "load", "%s", dlerror());
        return 2;
    }
    *(void **)&reg = dlsym(h, "evconf_register");
    *(void **)&run_once = dlsym(h, "evconf_run_once");
    if (!reg || !run_once || reg() != 0) {
        violation(V_RUN, "load", "evconf_register is missing or failed");
        return 2;
    }
    if (open_slots() < 0)
        return 2;
    stall_start();
    atomic_store(&stress.iter, 1);
    virEventAddTimeout(1000, guard_cb, &stress, NULL);
    pthread_create(&loop, NULL, looper, *(void **)&run_once);
    for (int w = 0; w < stress.nworkers; w++)
        pthread_create(&workers[w], NULL, worker, (void *)(intptr_t)w);
    usleep((useconds_t)o->ms * 500);
    atomic_store(&stress.stop_workers, true);
    for (int w = 0; w < stress.nworkers; w++)
        pthread_join(workers[w], NULL);
    /* Remove what is left from this thread, while the loop still runs. */
    for (int w = 0; w < stress.nworkers; w++)
        for (int i = 0; i < SLOTS_PER_WORKER; i++) {
            check_due(&stress.slots[w][i]);
            slot_remove(&stress.slots[w][i]);
        }
    wait_frees();
    probe_wakeups(o->ms / 2);
    atomic_store(&stress.stop_loop, true);
    virEventAddTimeout(0, guard_cb, &stress, NULL);  /* let the loop see it */
    pthread_join(loop, NULL);
    stall_stop();
    stress_send_trace(false);
    dprintf(stress.out, "stall %lld\n", (long long)(stall_total_ns() / NS_PER_MS));
    dprintf(stress.out, "stats %ld %ld %ld\n", atomic_load(&stress.ops),
            atomic_load(&stress.calls), atomic_load(&stress.frees));
    return 0;
}

void stress_child(int fd, void *arg)
{
    const struct stress_child *c = arg;
    const struct stress_opts *o = c->o;

    stress.out = fd;
    stress.nworkers = o->threads < 1 ? 1 : o->threads > MAX_WORKERS ? MAX_WORKERS : o->threads;
    stress.bound_ns = (int64_t)o->bound_ms * NS_PER_MS;
    exit(child(c->impl_path, o));      /* exit: coverage data is written */
}

