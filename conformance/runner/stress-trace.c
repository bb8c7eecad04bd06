/*
 * stress-trace.c - the stress child's threads and trace (stress-trace.h).
 * Prefix stress_.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stress-trace.h"

#define MAX_WORKERS 16

static int out = -1, nworkers;

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The run's threads by kernel thread id (what TSan, gdb and /proc show),
 * so that a failure says on which thread it was seen and each trace line
 * which thread acted.  The registering thread (the child's first, which
 * calls evconf_register) is not the loop thread (which calls
 * evconf_run_once), as in libvirt's own users (virsh): evconf.h says an
 * IMPL must allow it. */
static _Atomic int tid_main, tid_loop, tid_workers[MAX_WORKERS];
static _Thread_local int my_tid;

int stress_tid(void)
{
    if (!my_tid)
        my_tid = (int)gettid();
    return my_tid;
}

/* Thread t's part in the run: "the loop thread (tid 12)". */
const char *stress_thread_part(int t, char *buf, size_t len)
{
    if (t == atomic_load(&tid_loop))
        snprintf(buf, len, "the loop thread (tid %d)", t);
    else if (t == atomic_load(&tid_main))
        snprintf(buf, len, "the registering thread (tid %d)", t);
    else
        snprintf(buf, len, "a worker thread (tid %d)", t);
    for (int w = 0; w < nworkers; w++)
        if (t == atomic_load(&tid_workers[w]))
            snprintf(buf, len, "worker %d (tid %d)", w + 1, t);
    return buf;
}

/* The last TRACE_SLOTS events of the run, what each thread did, kept in a
 * ring without a lock: a lock would order the loop thread's accesses
 * after the workers' and hide from ThreadSanitizer the races it is there
 * to find.  A slot rewritten while it is sent may come out torn; it is
 * only a trace. */
#define TRACE_SLOTS 512
#define TRACE_SENT 40

static struct {
    _Atomic int64_t ns;
    _Atomic int tid, what, id, arg;
    _Atomic bool timer;
} ring[TRACE_SLOTS];
static _Atomic unsigned long ring_next;
static _Atomic bool trace_sent;
static int64_t start_ns;

void stress_note(enum stress_ev what, bool timer, int id, int arg)
{
    unsigned long k = atomic_fetch_add(&ring_next, 1) % TRACE_SLOTS;

    atomic_store_explicit(&ring[k].ns, now_ns() - start_ns, memory_order_relaxed);
    atomic_store_explicit(&ring[k].tid, stress_tid(), memory_order_relaxed);
    atomic_store_explicit(&ring[k].what, (int)what, memory_order_relaxed);
    atomic_store_explicit(&ring[k].timer, timer, memory_order_relaxed);
    atomic_store_explicit(&ring[k].id, id, memory_order_relaxed);
    atomic_store_explicit(&ring[k].arg, arg, memory_order_relaxed);
}

/* One event as a trace line: "+12.3 ms, worker 2 (tid 7): remove timer 3 -> 0". */
static void send_event(unsigned long k)
{
    static const char *const verbs[] = { "add", "update", "remove", "callback of",
                                         "free callback of" };
    int what = atomic_load(&ring[k].what), arg = atomic_load(&ring[k].arg);
    bool timer = atomic_load(&ring[k].timer);
    char args[48] = "", who[64];

    if (what == STRESS_EV_ADD || what == STRESS_EV_UPDATE)
        snprintf(args, sizeof(args), timer ? " (%d ms)" : " (events %d)", arg);
    else if (what == STRESS_EV_REMOVE)
        snprintf(args, sizeof(args), " -> %d", arg);
    dprintf(out, "trace +%.3f ms, %s: %s %s %d%s\n",
            (double)atomic_load(&ring[k].ns) / 1e6,
            stress_thread_part(atomic_load(&ring[k].tid), who, sizeof(who)),
            verbs[what % 5], timer ? "timer" : "watch", atomic_load(&ring[k].id), args);
}

/* A thread's id, or "-" for one not started (yet). */
static const char *tid_word(int t, char buf[16])
{
    if (!t)
        return "-";
    snprintf(buf, 16, "%d", t);
    return buf;
}

/* The threads' ids, and, once, the last TRACE_SENT events. */
void stress_send_trace(bool events)
{
    unsigned long end = atomic_load(&ring_next), from;
    char line[64 + 12 * MAX_WORKERS];
    int n;

    n = snprintf(line, sizeof(line), "threads registering=%d loop=%s workers=",
                 atomic_load(&tid_main), tid_word(atomic_load(&tid_loop), (char[16]){ 0 }));
    for (int w = 0; w < nworkers && n < (int)sizeof(line) - 12; w++)
        n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%s", w ? "," : "",
                      tid_word(atomic_load(&tid_workers[w]), (char[16]){ 0 }));
    dprintf(out, "%s\n", line);
    if (!events || atomic_exchange(&trace_sent, true))
        return;
    from = end > TRACE_SENT ? end - TRACE_SENT : 0;
    for (unsigned long i = from; i < end; i++)
        send_event(i % TRACE_SLOTS);
}

/* The last events again, for a run about to be killed as hung: what came
 * after a failure's trace is what shows where it hangs. */
static void send_late_events(void)
{
    unsigned long end = atomic_load(&ring_next);

    dprintf(out, "trace (still running at +%.3f ms; the last events:)\n",
            (double)(now_ns() - start_ns) / 1e6);
    for (unsigned long i = end > TRACE_SENT ? end - TRACE_SENT : 0; i < end; i++)
        send_event(i % TRACE_SLOTS);
}


void stress_thread_is(int w)
{
    if (w == STRESS_LOOP)
        atomic_store(&tid_loop, stress_tid());
    else if (w >= 0 && w < MAX_WORKERS)
        atomic_store(&tid_workers[w], stress_tid());
}

/* A crash would take the trace with it: it is sent first, then the
 * signal goes where it went before (a sanitizer's handler, which reports
 * it, or the default, which ends the process). */
static struct sigaction crash_was[NSIG];

static void on_crash(int sig, siginfo_t *info, void *ctx)
{
    dprintf(out, "crash on %s\n", stress_thread_part(stress_tid(), (char[64]){ 0 }, 64));
    stress_send_trace(true);
    sigaction(sig, &crash_was[sig], NULL);
    if ((crash_was[sig].sa_flags & SA_SIGINFO) && crash_was[sig].sa_sigaction)
        crash_was[sig].sa_sigaction(sig, info, ctx);
    else if (crash_was[sig].sa_handler != SIG_DFL && crash_was[sig].sa_handler != SIG_IGN)
        crash_was[sig].sa_handler(sig);
}

/* A run that outlives its time is about to be killed as hung: the trace
 * is sent first, with the last thread that did something. */
static void *deadline(void *arg)
{
    int ms = (int)(intptr_t)arg;
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

    while (nanosleep(&ts, &ts) != 0)
        ;
    dprintf(out, "late\n");
    if (atomic_load(&trace_sent))
        send_late_events();
    else
        stress_send_trace(true);
    return NULL;
}

void stress_trace_deadline(int ms)
{
    pthread_t t;

    if (pthread_create(&t, NULL, deadline, (void *)(intptr_t)ms) == 0)
        pthread_detach(t);
}

void stress_trace_start(int out_fd, int n)
{
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
    struct sigaction sa = { .sa_sigaction = on_crash, .sa_flags = SA_SIGINFO | SA_ONSTACK };

    out = out_fd;
    nworkers = n;
    start_ns = now_ns();
    atomic_store(&tid_main, stress_tid());
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaction(sigs[i], &sa, &crash_was[sigs[i]]);
}
