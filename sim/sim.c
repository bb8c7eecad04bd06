/*
 * sim.c - the virtual clock, the schedule, and the wait that ties them.
 *
 * The schedule is a short list of (time, sequence) ordered events.  Virtual
 * time moves in two places only: in a wait of the loop thread (sim_poll),
 * and in sim_sleep_ms.  Both run the events they pass, in order (a wait
 * with a zero timeout passes none; in real time, the end of an iteration
 * runs what fell due during such waits).  An event
 * for a second thread stops the clock until it returns; if the loop was
 * waiting, the loop must also have been woken by then (really woken: the
 * fds it polls become ready), within a real-time watchdog.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "timerfd.h"

#define NO_TIME INT64_MAX
#define MAX_EVENTS 1024

struct event {
    int64_t at_ns;
    uint64_t seq;
    sim_action_fn fn;
    void *arg;
    const char *what;
    bool on_thread;
    int64_t wake_by_ns;         /* NO_TIME: needs no wake-up */
    int64_t (*judge)(void *arg); /* if set: wake_by in ms, asked at at_ns */
};

static struct {
    pthread_mutex_t lock;                /* schedule and verdict */
    _Atomic bool active;
    bool realtime;
    int64_t real_start_ns;
    pthread_t loop_thread;
    _Atomic int64_t now_ns;

    struct event events[MAX_EVENTS];
    size_t nevents;
    uint64_t next_seq;
    int watchdog_ms;

    enum sim_verdict verdict;
    char detail[512];

    int iteration;
    int idle_streak, spin_limit;
    int zero_waits;             /* zero-timeout waits in a row, nothing ready */
    int64_t last_iteration_ns;
    _Atomic bool work;
    _Atomic int fail_errno;              /* sim_fail_wait(), until taken */
    _Atomic int64_t last_wait_end_ns;
    int64_t waited_ns;          /* virtual time the loop thread spent waiting */
    int timed_out;              /* its waits that ran to their own timeout,
                                   no event run during them */
    _Atomic int64_t due_ns;     /* real time: the waits' worth (sim_late_ns) */
    _Atomic int64_t due_at_wait_end_ns; /* due_ns as the last wait ended */
    _Atomic int abandoned;      /* workers left behind, stuck (never reset) */
    bool real_peers;            /* real-time fds may become ready by themselves */
    _Atomic int64_t wall_step_ns;       /* sim_step_wall_clock(), in all */
    bool perturb;               /* sim_perturb_waits() */
    bool held;                  /* sim_hold_events() */
    void (*on_failed_wait)(void);   /* sim_on_failed_wait() */
} sim_state = { .lock = PTHREAD_MUTEX_INITIALIZER, .watchdog_ms = 2000,
        .spin_limit = 1000 };

/* Iterations closer than this in virtual time did nothing (nudges only). */
#define SIM_NUDGE_IDLE_NS 1000
#define SIM_NUDGE_AFTER 16
#define SIM_ZERO_WAIT_LIMIT 100000

extern void sim__rand_seed(uint64_t seed);
static int run_event(struct pollfd *fds, nfds_t nfds, bool waiting,
                     int64_t wait_end_ns);
static int64_t next_event_ns(void);

static int64_t real_ns(void)
{
    struct timespec ts;

    sim__libc()->clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void start(uint64_t seed, bool realtime)
{
    pthread_mutex_lock(&sim_state.lock);
    sim_state.realtime = realtime;
    sim_state.real_start_ns = realtime ? real_ns() : 0;
    sim_state.loop_thread = pthread_self();
    sim_state.now_ns = 0;
    atomic_store(&sim_state.wall_step_ns, 0);
    sim_state.fail_errno = 0;
    sim_state.last_wait_end_ns = 0;
    sim_state.waited_ns = 0;
    sim_state.timed_out = 0;
    sim_state.due_ns = 0;
    sim_state.due_at_wait_end_ns = 0;
    sim_state.nevents = 0;
    sim_state.next_seq = 0;
    sim_state.verdict = SIM_OK;
    sim_state.detail[0] = '\0';
    sim_state.iteration = 0;
    sim_state.idle_streak = 0;
    sim_state.zero_waits = 0;
    sim_state.last_iteration_ns = 0;
    sim_state.work = false;
    sim_state.real_peers = false;
    sim_state.on_failed_wait = NULL;
    sim_state.perturb = false;
    sim_state.held = false;
    pthread_mutex_unlock(&sim_state.lock);
    sim__rand_seed(seed);
    sim__trace_reset();
    sim__libc();
    sim_state.active = true;
}

void sim_start(uint64_t seed)
{
    start(seed, false);
}

void sim_start_realtime(uint64_t seed)
{
    start(seed, true);
}

void sim_perturb_waits(bool on)
{
    sim_state.perturb = on;
}

void sim_on_failed_wait(void (*fn)(void))
{
    sim_state.on_failed_wait = fn;
}

void sim_real_peers(bool on)
{
    sim_state.real_peers = on;
}

void sim_restart_clock(void)
{
    if (sim_state.realtime) {
        sim_state.real_start_ns = real_ns();
        atomic_store(&sim_state.due_ns, 0);
        atomic_store(&sim_state.due_at_wait_end_ns, 0);
    }
    pthread_mutex_lock(&sim_state.lock);
    sim_state.held = false;
    pthread_mutex_unlock(&sim_state.lock);
}

void sim_hold_events(void)
{
    pthread_mutex_lock(&sim_state.lock);
    sim_state.held = true;
    pthread_mutex_unlock(&sim_state.lock);
}

/* Every pending event later by ns, its wake-up deadline with it (a
 * judged one's is worked out when the event runs, from the clock). */
void sim_defer_events(int64_t ns)
{
    pthread_mutex_lock(&sim_state.lock);
    for (size_t i = 0; i < sim_state.nevents; i++) {
        struct event *ev = &sim_state.events[i];

        ev->at_ns += ns;
        if (ev->wake_by_ns != NO_TIME)
            ev->wake_by_ns += ns;
    }
    pthread_mutex_unlock(&sim_state.lock);
}

bool sim_realtime(void)
{
    return sim_state.active && sim_state.realtime;
}

void sim_stop(void)
{
    sim_state.active = false;
}

bool sim_active(void)
{
    return sim_state.active;
}

bool sim_is_loop_thread(void)
{
    return sim_state.active && pthread_equal(sim_state.loop_thread, pthread_self());
}

int64_t sim_now_ns(void)
{
    return sim_state.realtime ? real_ns() - sim_state.real_start_ns : sim_state.now_ns;
}

int64_t sim_wall_ns(void)
{
    return SIM_REALTIME_START_NS + sim_now_ns() + atomic_load(&sim_state.wall_step_ns);
}

void sim_step_wall_clock(int64_t ms)
{
    sim_trace("clock", "the wall clock steps by %+lld ms", (long long)ms);
    atomic_fetch_add(&sim_state.wall_step_ns, ms * SIM_NS_PER_MS);
}

void sim_set_watchdog_ms(int ms)
{
    sim_state.watchdog_ms = ms;
}

void sim_set_spin_limit(int iterations)
{
    sim_state.spin_limit = iterations;
}

/* ---- verdicts ---- */

void sim__fail(enum sim_verdict v, const char *fmt, ...)
{
    va_list ap;

    pthread_mutex_lock(&sim_state.lock);
    if (sim_state.verdict == SIM_OK) {
        sim_state.verdict = v;
        va_start(ap, fmt);
        vsnprintf(sim_state.detail, sizeof(sim_state.detail), fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&sim_state.lock);
}

enum sim_verdict sim_verdict(void)
{
    enum sim_verdict v;

    pthread_mutex_lock(&sim_state.lock);
    v = sim_state.verdict;
    pthread_mutex_unlock(&sim_state.lock);
    return v;
}

const char *sim_verdict_name(enum sim_verdict v)
{
    static const char *const names[] = {
        [SIM_OK] = "ok", [SIM_IDLE] = "idle", [SIM_SPIN] = "spin",
        [SIM_NO_WAKEUP] = "no-wakeup", [SIM_STUCK] = "stuck",
    };
    return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

const char *sim_verdict_detail(void)
{
    return sim_state.detail;
}

/* ---- iterations and spin detection ---- */

void sim__note_work(void)
{
    sim_state.work = true;
}

int sim_iteration(void)
{
    return sim_state.iteration;
}

/* In real time, the events that fell due while the iteration's waits
 * had no timeout (poll_realtime runs none there), run between
 * iterations, as a script step does: a loop that never blocks (a 0 ms
 * timer) still gets them, each at the end of the iteration it was due
 * in.  No wake-up is judged: the loop is not waiting. */
static void run_overdue(void)
{
    while (sim_state.realtime && next_event_ns() <= sim_now_ns() &&
           sim_verdict() == SIM_OK)
        run_event(NULL, 0, false, NO_TIME);
}

/* An iteration did nothing if the clock stood still and no callback was
 * traced.  A healthy loop does that at most a few times in a row (a
 * wake-up, a signal); spin_limit in a row is a loop polling with a zero
 * timeout for something it never dispatches. */
bool sim_iteration_done(void)
{
    int64_t now = sim_state.now_ns;
    bool idle = now - sim_state.last_iteration_ns < SIM_NUDGE_IDLE_NS && !sim_state.work &&
                !sim_state.realtime;

    run_overdue();
    sim_state.iteration++;
    sim_state.zero_waits = 0;
    sim_state.idle_streak = idle ? sim_state.idle_streak + 1 : 0;
    sim_state.last_iteration_ns = now;
    sim_state.work = false;
    if (sim_state.idle_streak >= sim_state.spin_limit)
        sim__fail(SIM_SPIN, "busy spin: %d iterations in a row with virtual "
                  "time standing at %lld.%03lld ms and no callback run",
                  sim_state.idle_streak, (long long)(now / SIM_NS_PER_MS),
                  (long long)(now % SIM_NS_PER_MS / 1000));
    return sim_verdict() == SIM_OK;
}

/* ---- the schedule ---- */

static void schedule(int64_t at_ms, sim_action_fn fn, void *arg,
                     const char *what, bool on_thread, int64_t wake_by_ms)
{
    struct event ev = { at_ms * SIM_NS_PER_MS, 0, fn, arg, what, on_thread,
                        wake_by_ms < 0 ? NO_TIME : wake_by_ms * SIM_NS_PER_MS, NULL };
    size_t pos;

    pthread_mutex_lock(&sim_state.lock);
    if (sim_state.nevents == MAX_EVENTS) {
        pthread_mutex_unlock(&sim_state.lock);
        sim__fail(SIM_STUCK, "more than %d events scheduled", MAX_EVENTS);
        return;
    }
    ev.seq = sim_state.next_seq++;
    pos = sim_state.nevents;
    while (pos > 0 && sim_state.events[pos - 1].at_ns > ev.at_ns) {
        sim_state.events[pos] = sim_state.events[pos - 1];
        pos--;
    }
    sim_state.events[pos] = ev;
    sim_state.nevents++;
    pthread_mutex_unlock(&sim_state.lock);
}

void sim_at(int64_t at_ms, sim_action_fn fn, void *arg, const char *what)
{
    schedule(at_ms, fn, arg, what, false, SIM_NO_WAKE);
}

void sim_at_thread(int64_t at_ms, sim_action_fn fn, void *arg, const char *what,
                   int64_t wake_by_ms)
{
    schedule(at_ms, fn, arg, what, true, wake_by_ms);
}

void sim_at_thread_judged(int64_t at_ms, sim_action_fn fn, void *arg, const char *what,
                          int64_t (*wake_by_ms)(void *arg))
{
    schedule(at_ms, fn, arg, what, true, SIM_NO_WAKE);
    pthread_mutex_lock(&sim_state.lock);
    for (size_t i = 0; i < sim_state.nevents; i++)
        if (sim_state.events[i].seq == sim_state.next_seq - 1)
            sim_state.events[i].judge = wake_by_ms;
    pthread_mutex_unlock(&sim_state.lock);
}

static int64_t next_event_ns(void)
{
    int64_t at;

    pthread_mutex_lock(&sim_state.lock);
    at = sim_state.nevents && !sim_state.held ? sim_state.events[0].at_ns : NO_TIME;
    pthread_mutex_unlock(&sim_state.lock);
    return at;
}

static struct event pop_event(void)
{
    struct event ev;

    pthread_mutex_lock(&sim_state.lock);
    ev = sim_state.events[0];
    memmove(sim_state.events, sim_state.events + 1, --sim_state.nevents * sizeof(sim_state.events[0]));
    pthread_mutex_unlock(&sim_state.lock);
    return ev;
}

/* ---- actions on a second thread ---- */

struct worker {
    struct event ev;
    pthread_mutex_t lock;
    pthread_cond_t done_cond;
    bool done;
};

static void *worker_main(void *p)
{
    struct worker *w = p;

    sim_trace("thread", "begin %s", w->ev.what);
    w->ev.fn(w->ev.arg);
    sim_trace("thread", "end %s", w->ev.what);
    pthread_mutex_lock(&w->lock);
    w->done = true;
    pthread_cond_signal(&w->done_cond);
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* Wait up to the watchdog for the worker to finish; true if it did.  A
 * worker that never returns is left behind (detached): the simulation has
 * failed and the process is expected to end. */
static bool join_worker(struct worker *w, pthread_t tid)
{
    struct timespec until;
    bool done;

    /* Real time: the interposed clock_gettime() would answer virtual time,
     * and the timed wait below measures against the real clock. */
    sim__libc()->clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += sim_state.watchdog_ms / 1000;
    until.tv_nsec += (long)(sim_state.watchdog_ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&w->lock);
    while (!w->done)
        if (pthread_cond_timedwait(&w->done_cond, &w->lock, &until) != 0)
            break;
    done = w->done;
    pthread_mutex_unlock(&w->lock);
    if (done) {
        pthread_join(tid, NULL);
        pthread_cond_destroy(&w->done_cond);
        pthread_mutex_destroy(&w->lock);
        free(w);
    } else {
        pthread_detach(tid);
        sim_state.abandoned++;
    }
    return done;
}

int sim_abandoned_threads(void)
{
    return sim_state.abandoned;
}

/* Run ev on a second thread.  If the loop is waiting on fds until
 * wait_end_ns and the action needs its attention before then, keep waiting
 * on them for real: the action must wake the loop through the loop's own
 * mechanism.  Returns what that real wait returned (0: not woken, or not
 * waited for). */
static int run_on_thread(const struct event *ev, struct pollfd *fds,
                         nfds_t nfds, bool waiting, int64_t wait_end_ns)
{
    struct worker *w = calloc(1, sizeof(*w));
    pthread_t tid;
    int ready = 0;
    int64_t wake_by_ns = ev->wake_by_ns;    /* judged below, if it is to be */

    if (!w) {
        sim__fail(SIM_STUCK, "out of memory starting '%s'", ev->what);
        return 0;
    }
    w->ev = *ev;
    if (ev->judge) {
        int64_t ms = ev->judge(ev->arg);
        wake_by_ns = ms < 0 ? NO_TIME : ms * SIM_NS_PER_MS;
    }
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->done_cond, NULL);
    if (pthread_create(&tid, NULL, worker_main, w) != 0) {
        pthread_cond_destroy(&w->done_cond);
        pthread_mutex_destroy(&w->lock);
        free(w);
        sim__fail(SIM_STUCK, "cannot start a thread for '%s'", ev->what);
        return 0;
    }
    waiting = waiting && wake_by_ns != NO_TIME && wake_by_ns < wait_end_ns;
    if (waiting)
        ready = sim__libc()->poll(fds, nfds, sim_state.watchdog_ms);
    if (!join_worker(w, tid)) {
        sim__fail(SIM_STUCK, "'%s' from another thread at %lld ms did not "
                  "return within %d ms (real): deadlock", ev->what,
                  (long long)(ev->at_ns / SIM_NS_PER_MS), sim_state.watchdog_ms);
        return ready;
    }
    if (waiting && ready == 0)
        sim__fail(SIM_NO_WAKEUP, "'%s' from another thread at %lld ms did "
                  "not wake the waiting loop within %d ms (real)", ev->what,
                  (long long)(ev->at_ns / SIM_NS_PER_MS), sim_state.watchdog_ms);
    return ready;
}

/* Run an event taken off the queue, the clock already at its time. */
static int run_popped(struct event *ev, struct pollfd *fds, nfds_t nfds,
                      bool waiting, int64_t wait_end_ns)
{
    if (ev->on_thread)
        return run_on_thread(ev, fds, nfds, waiting, wait_end_ns);
    sim_trace("event", "%s", ev->what);
    ev->fn(ev->arg);
    return 0;
}

static int run_event(struct pollfd *fds, nfds_t nfds, bool waiting,
                     int64_t wait_end_ns)
{
    struct event ev = pop_event();

    return run_popped(&ev, fds, nfds, waiting, wait_end_ns);
}

/* Virtual time moves here only; the virtual timerfds it reaches become
 * readable (timerfd.c). */
static void advance_to(int64_t t_ns)
{
    if (t_ns > sim_state.now_ns)
        sim_state.now_ns = t_ns;
    sim__timerfd_expire();
}

/* ---- the wait ---- */

static void fail_idle(void)
{
    sim__fail(SIM_IDLE, "the loop waits with no timeout at %lld ms, no fd is "
              "ready and nothing is scheduled: nothing can ever happen",
              (long long)(sim_now_ns() / SIM_NS_PER_MS));
}

/* A real-time wait that must end before anything happened, so that the
 * script's next step can run: it ends as a signal would end it.  A wait
 * never returns 0 before its timeout (a loop may assert that a wait with
 * no timeout never does, as libuv does); every wait may fail with EINTR. */
static int end_with_eintr(const char *why)
{
    sim_trace("wait", "%s: EINTR", why);
    errno = EINTR;
    return -1;
}

static int cut_short(void)
{
    return end_with_eintr("cut short");
}

/* When a wait would end by itself: at its timeout, or when a virtual
 * timerfd it watches expires (a loop that times its waits by timerfds,
 * as sd-event does, waits with no timeout at all). */
static int64_t wait_end(int64_t deadline, struct pollfd *fds, nfds_t nfds)
{
    int64_t t = sim__timerfd_next_watched_ns(fds, nfds);

    return t < deadline ? t : deadline;
}

/* The real-time wait: poll for real, but no longer than until the next
 * scheduled event, which then runs at (about) its time.  A zero-timeout
 * wait runs none, as in virtual time: a loop may look at its fds that way
 * while it holds its own lock, and a step's call to the loop would then
 * wait for a lock the parked loop holds.  What falls due meanwhile runs
 * at the next wait that may block, or after the iteration
 * (run_overdue).  *ends_by gets when the wait would have ended in
 * virtual time, short of its timeout: at the expiry of a timerfd it
 * watches, or the due time of a step whose change ended it (count_due). */
static int poll_realtime(struct pollfd *fds, nfds_t nfds, int timeout_ms,
                         int64_t *ends_by)
{
    int64_t end = timeout_ms < 0 ? NO_TIME : sim_now_ns() + timeout_ms * SIM_NS_PER_MS;

    for (;;) {
        int64_t now, next = next_event_ns(), tfd;
        int64_t until = next < end ? next : end;
        int wait_ms, ready;

        tfd = sim__timerfd_next_watched_ns(fds, nfds);  /* before it expires */
        if (tfd <= sim_now_ns() && tfd < *ends_by)      /* and only if it did */
            *ends_by = tfd;
        sim__timerfd_expire();          /* sim's timerfds, on real clocks */
        tfd = sim__timerfd_next_ns();
        until = tfd < until ? tfd : until;
        now = sim_now_ns();
        if (until == NO_TIME) {
            /* Nothing scheduled: only a real peer (a daemon) can end the
             * wait; without one, nothing ever will. */
            /* With a real peer, the wait ends after the watchdog at the
             * latest, as a spurious wake-up would: real time moves on, and
             * the script's expectations judge what did not happen. */
            ready = sim__libc()->poll(fds, nfds,
                                      sim_state.real_peers ? sim_state.watchdog_ms : 0);
            if (ready == 0 && !sim_state.real_peers)
                fail_idle();
            return ready == 0 && sim_state.real_peers ? cut_short() : ready;
        }
        wait_ms = until <= now ? 0 : (int)((until - now + SIM_NS_PER_MS - 1) / SIM_NS_PER_MS);
        /* The same for a long wait: the script's next step comes after
         * the watchdog at the latest. */
        if (sim_state.real_peers && wait_ms > sim_state.watchdog_ms) {
            ready = sim__libc()->poll(fds, nfds, sim_state.watchdog_ms);
            return ready == 0 ? cut_short() : ready;
        }
        ready = sim__libc()->poll(fds, nfds, wait_ms);
        if (ready != 0 || sim_verdict() != SIM_OK)
            return ready;
        now = sim_now_ns();
        if (next != NO_TIME && next <= now && timeout_ms != 0) {
            struct event ev = pop_event();

            ready = run_popped(&ev, fds, nfds, true, wait_end(end, fds, nfds));
            if (ready != 0) {
                *ends_by = ev.at_ns < *ends_by ? ev.at_ns : *ends_by;
                return ready;
            }
        } else if (end != NO_TIME && now >= end) {
            return 0;
        }
    }
}

/* Where a perturbed wait is cut short by a signal: one wait in four that
 * would sleep, at a moment drawn between its start and its end (or the
 * next scheduled event, or a second on), never at its start.  NO_TIME:
 * this wait runs undisturbed. */
static int64_t perturbation_ns(int64_t deadline)
{
    int64_t end = deadline, span;

    if (!sim_state.perturb || sim_rand_below(4) != 0)
        return NO_TIME;
    if (end == NO_TIME || end - sim_state.now_ns > 1000 * SIM_NS_PER_MS)
        end = sim_state.now_ns + 1000 * SIM_NS_PER_MS;
    span = (end - sim_state.now_ns) / SIM_NS_PER_MS;
    if (span < 2)
        return NO_TIME;
    return sim_state.now_ns + (1 + (int64_t)sim_rand_below((uint32_t)span - 1)) * SIM_NS_PER_MS;
}

static int interrupted(int64_t at_ns)
{
    advance_to(at_ns);
    return end_with_eintr("interrupted by a signal (perturbation)");
}

static int poll_virtual(struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    const struct sim__libc *libc = sim__libc();
    int64_t deadline, signal_at = NO_TIME;
    bool first = true, events_ran = false;

    deadline = timeout_ms < 0 ? NO_TIME : sim_state.now_ns + timeout_ms * SIM_NS_PER_MS;
    for (;;) {
        int ready = libc->poll(fds, nfds, 0);
        int64_t next, tfd;

        if (ready != 0 || timeout_ms == 0 || sim_verdict() != SIM_OK)
            return ready;
        next = next_event_ns();
        tfd = sim__timerfd_next_ns();
        if (next == NO_TIME && deadline == NO_TIME && tfd == NO_TIME) {
            fail_idle();
            return 0;
        }
        if (first)
            signal_at = perturbation_ns(deadline);
        first = false;
        if (signal_at != NO_TIME && signal_at < next && signal_at < deadline &&
            signal_at < tfd)
            return interrupted(signal_at);
        /* A virtual timerfd expires first (an event at the same time runs
         * before it, as before a timeout): if the wait watches it, the
         * wait ends there, as on its own timeout; else it goes on. */
        if (tfd < next && tfd <= deadline) {
            advance_to(tfd);
            ready = libc->poll(fds, nfds, 0);
            sim_state.timed_out += ready != 0 && !events_ran;
            if (ready != 0)
                return ready;
            continue;
        }
        if (next > deadline) {
            advance_to(deadline);
            sim_state.timed_out += !events_ran;
            return 0;
        }
        advance_to(next);
        events_ran = true;
        ready = run_event(fds, nfds, true, wait_end(deadline, fds, nfds));
        if (ready != 0 || atomic_load(&sim_state.fail_errno))
            return ready;
    }
}

/* The errno a wait made with call reports for an injected failure err.
 * Every wait can be interrupted by a signal (EINTR); poll(2) and select(2)
 * also report a shortage of kernel memory (ENOMEM), epoll_wait(2) never
 * does, and no Linux wait reports EAGAIN (POSIX lets other systems' poll
 * do so).  A shortage the call cannot report comes as the one failure it
 * always can: a loop that aborts on an errno its wait never returns (as
 * libuv does) is right to. */
static int wait_errno(int err, enum sim__wait_call call)
{
    if (err == ENOMEM && call != SIM__WAIT_EPOLL)
        return ENOMEM;
    return EINTR;
}

/* A failure injected by sim_fail_wait() ends the wait it was injected into
 * (or the next one) with -1, as a signal or a shortage of kernel memory
 * would: whatever the fds say, nothing is reported ready. */
static int take_injected_failure(int ready, enum sim__wait_call call)
{
    int err = atomic_exchange(&sim_state.fail_errno, 0), got;

    if (!err)
        return ready;
    got = wait_errno(err, call);
    if (got != err)
        sim_trace("wait", "fails: %s (this wait cannot fail with %s)",
                  strerrorname_np(got), strerrorname_np(err));
    else
        sim_trace("wait", "fails: %s", strerrorname_np(err));
    errno = got;
    return -1;
}

/* Schedule fuzzing for real-thread stress runs: the thread that enabled
 * it is held up for 0-100 us at a quarter of its clock readings and
 * non-blocking polls, which is where a loop decides what to wait for.  A
 * race between that decision and another thread's change, a window of
 * nanoseconds otherwise, then opens for long enough to be hit. */
static _Thread_local bool jitter_on;
static _Thread_local uint64_t jitter_rng;

void sim_jitter_enable(uint64_t seed)
{
    jitter_on = true;
    jitter_rng = seed | 1;
}

/* The pending hold (sim_jitter_hold): fn is claimed by exchange, so that
 * it runs once, on the thread that reaches the point first. */
static void (*_Atomic hold_fn)(void *);
static void *_Atomic hold_arg;
static _Atomic int hold_skip;

bool sim_jitter_hold(void (*fn)(void *), void *arg, int skip)
{
    bool pending = atomic_exchange(&hold_fn, NULL) != NULL;

    atomic_store(&hold_arg, arg);
    atomic_store(&hold_skip, skip);
    if (fn)
        atomic_store(&hold_fn, fn);
    return pending;
}

/* Run the pending hold here if its turn has come. */
static bool take_hold(void)
{
    void (*fn)(void *) = atomic_load(&hold_fn);

    if (!fn || atomic_fetch_sub(&hold_skip, 1) > 0 ||
        !atomic_compare_exchange_strong(&hold_fn, &fn, NULL))
        return false;
    fn(atomic_load(&hold_arg));
    return true;
}

void sim_jitter(void)
{
    struct timespec ts = { 0, 0 };

    if (!jitter_on || take_hold())
        return;
    jitter_rng ^= jitter_rng << 13;
    jitter_rng ^= jitter_rng >> 7;
    jitter_rng ^= jitter_rng << 17;
    if (jitter_rng % 4)
        return;
    ts.tv_nsec = (long)(jitter_rng >> 8) % 100000;
    nanosleep(&ts, NULL);
}

/* A zero-timeout wait that found nothing, after SIM_NUDGE_AFTER others
 * in the same iteration, lets the virtual clock move by 1 ns, as real
 * calls would (a zero wait or a few stand still): an interpreter that retries such a wait until its clock passes
 * the deadline it computed (Ruby 3.1's IO.select: `now > end`, with end
 * the start for a timeout of 0) then returns instead of spinning forever
 * at a standing time.  A nudge never reaches the next event, and does not
 * count as time passing for the spin check (sim_iteration_done).  A wait
 * retried SIM_ZERO_WAIT_LIMIT times in one iteration all the same is a
 * busy spin virtual time cannot end: one line says so, not the watchdog. */
static void note_zero_wait(int timeout_ms, int ready)
{
    int64_t now = sim_state.now_ns;

    if (timeout_ms != 0 || ready != 0 || sim_state.realtime) {
        sim_state.zero_waits = 0;
        return;
    }
    if (++sim_state.zero_waits > SIM_NUDGE_AFTER && next_event_ns() > now + 1)
        advance_to(now + 1);
    if (sim_state.zero_waits == SIM_ZERO_WAIT_LIMIT)
        sim__fail(SIM_SPIN, "busy spin inside one iteration: %d zero-timeout waits in a "
                  "row found nothing, with virtual time at %lld.%03lld ms: a loop (or "
                  "its interpreter) that polls until the clock moves cannot run in "
                  "virtual time (try --realtime)", sim_state.zero_waits,
                  (long long)(now / SIM_NS_PER_MS), (long long)(now % SIM_NS_PER_MS / 1000));
}

/* In real time, what a wait from start would have taken in virtual time:
 * as long as it took, but no longer than its timeout (timeout_ms, -1:
 * none), nor than until it would have ended by itself (ends_by, NO_TIME:
 * not known): a timerfd it watches that expired, or a step whose change
 * woke it.  A step or an expiry the machine made late, and the loop's
 * reaction, are the machine's time.  Virtual time passes nowhere else;
 * the rest of real time is the machine's (sim_late_ns()). */
static void count_due(int64_t start, int64_t timeout_ms, int64_t ends_by)
{
    int64_t took = sim_now_ns() - start;

    if (timeout_ms >= 0 && took > timeout_ms * SIM_NS_PER_MS)
        took = timeout_ms * SIM_NS_PER_MS;
    if (ends_by != NO_TIME && took > ends_by - start)
        took = ends_by - start;
    if (took > 0)
        atomic_fetch_add(&sim_state.due_ns, took);
}

int sim_poll(struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    return sim__wait(fds, nfds, timeout_ms, SIM__WAIT_POLL);
}

int sim__wait(struct pollfd *fds, nfds_t nfds, int timeout_ms,
              enum sim__wait_call call)
{
    int ready;
    int64_t start, ends_by = NO_TIME;

    if (!sim_is_loop_thread()) {
        ready = sim__libc()->poll(fds, nfds, timeout_ms);
        if (timeout_ms == 0)
            sim_jitter();
        return ready;
    }
    start = sim_now_ns();
    ready = take_injected_failure(0, call);
    if (ready == 0)
        ready = sim_state.realtime ? poll_realtime(fds, nfds, timeout_ms, &ends_by)
                           : poll_virtual(fds, nfds, timeout_ms);
    if (sim_state.on_failed_wait && sim_verdict() != SIM_OK)
        sim_state.on_failed_wait();
    if (ready == 0 && timeout_ms < 0)   /* only after a failure verdict */
        ready = cut_short();
    ready = take_injected_failure(ready, call);
    if (sim_state.realtime)
        count_due(start, timeout_ms, ends_by);
    note_zero_wait(timeout_ms, ready);
    sim_state.last_wait_end_ns = sim_now_ns();
    atomic_store(&sim_state.due_at_wait_end_ns, atomic_load(&sim_state.due_ns));
    sim_state.waited_ns += sim_state.last_wait_end_ns - start;
    return ready;
}

int sim_peek(struct pollfd *fds, nfds_t nfds)
{
    return sim__libc()->poll(fds, nfds, 0);
}

void sim_fail_wait(int err)
{
    atomic_store(&sim_state.fail_errno, err);
}

int64_t sim_last_wait_end_ns(void)
{
    return sim_state.last_wait_end_ns;
}

int64_t sim_waited_ns(void)
{
    return sim_state.waited_ns;
}

int sim_timed_out_waits(void)
{
    return sim_state.timed_out;
}

int64_t sim_late_ns(void)
{
    int64_t late;

    if (!sim_realtime())
        return 0;
    late = sim_now_ns() - atomic_load(&sim_state.due_ns);
    return late > 0 ? late : 0;
}

int64_t sim_late_since_wait_ns(void)
{
    int64_t since, due;

    if (!sim_realtime())
        return 0;
    since = sim_now_ns() - sim_state.last_wait_end_ns;
    due = atomic_load(&sim_state.due_ns) - atomic_load(&sim_state.due_at_wait_end_ns);
    return since > due ? since - due : 0;
}

/* Sleep for real until t_ns of simulated time. */
static void sleep_until(int64_t t_ns)
{
    int64_t left = t_ns - sim_now_ns();
    struct timespec ts;

    if (left <= 0)
        return;
    ts.tv_sec = left / 1000000000;
    ts.tv_nsec = left % 1000000000;
    nanosleep(&ts, NULL);
}

void sim_sleep_ms(int64_t ms)
{
    int64_t target = sim_now_ns() + ms * SIM_NS_PER_MS;

    if (sim_state.realtime) {
        int64_t start = sim_now_ns();
        while (next_event_ns() <= target && sim_verdict() == SIM_OK) {
            sleep_until(next_event_ns());
            run_event(NULL, 0, false, NO_TIME);
        }
        sleep_until(target);
        count_due(start, ms, NO_TIME);
        return;
    }
    while (next_event_ns() <= target && sim_verdict() == SIM_OK) {
        advance_to(next_event_ns());
        run_event(NULL, 0, false, NO_TIME);
    }
    advance_to(target);
}
