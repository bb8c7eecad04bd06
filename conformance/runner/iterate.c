/*
 * iterate.c - one iteration of the loop under test, and the checks that
 * come with each (prefix iter_): what evconf_run_once() returned, whether
 * a callback's operation unwound (R45), descriptors the loop leaks (R17),
 * the sim's verdict (a spin, a missed wake-up), and allocations made to
 * fail for an alloc-fails step (R2).  script.c drives the iterations.
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
#include "iterate.h"
#include "script.h"
#include "fds.h"
#include "ops.h"
#include "words.h"
#include "protocol.h"
#include "liveness.h"
#include "wakeups.h"



/* More than this many new descriptors is a leak, not a start-up. */
#define FD_GROWTH_LIMIT 16

/* Descriptors open in this process that the script does not hold: the
 * runner's few, and the loop's own. */
static int loop_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = -1;             /* opendir's own */

    if (!d)
        return -1;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    for (int i = 0; i < scn.sc->nnames; i++) {
        const struct sim_fd *f = &scn.regs[i].file.fd;
        if (scn.sc->kinds[i] != NAME_FD)
            continue;
        n -= (f->fd >= 0 && !f->behind) + (f->peer >= 0);
    }
    return n;
}

/* A loop may open what it needs (a wake-up pipe, an epoll fd) when it
 * starts, but descriptors that keep piling up are dup()s it leaks: the
 * process runs out of them in production (R17: the loop has no business
 * making its own copies of libvirt's fds). */
static void check_fd_growth(void)
{
    static bool reported;
    int n = loop_fds();

    if (n < 0 || reported)
        return;
    if (scn.loop.loop_fds_base < 0) {
        scn.loop.loop_fds_base = n;
        return;
    }
    if (n > scn.loop.loop_fds_base + FD_GROWTH_LIMIT) {
        reported = true;
        check_fail(LEVEL_MUST, "R17", "after iteration %d the loop holds %d "
                   "file descriptors, %d after its first: it opens "
                   "descriptors and never closes them", scn.loop.iter, n,
                   scn.loop.loop_fds_base);
    }
}

/* Set while a run's allocations fail (run N alloc-fails=K): an iteration
 * that then fails breaks R2's SHOULD, not its MUST. */
static bool short_of_memory;

/* Make the k-th allocation of the iterations to come fail (0: none). */
void iter_fail_allocations(int k)
{
    sim_fail_alloc(k);
    short_of_memory = k > 0;
}

/* After an iteration nothing may still be on the stack: an operation or a
 * callback the runner entered and never left was unwound by the
 * implementation (a Perl die, a C++ exception, a longjmp) through the
 * runner's frames and libvirt's (R45).  Reported once, and the state is
 * cleared so that later callbacks are not blamed for it (R27, R35, R37). */
static bool unwound_check(void)
{
    struct blame_text b = { .n = 0 };

    if (!op_on_stack && callback_depth == 0)
        return false;
    if (op_on_stack)
        blame_op(&b, op_on_stack, NULL, NULL);
    VIOLATION(LEVEL_MUST, "R45", -4, "iteration %d: %s did not return: the "
              "implementation unwound through it and through libvirt (an "
              "exception or a longjmp); expected failures as return codes%s",
              scn.loop.iter, op_on_stack ? op_on_stack : "a callback", b.s);
    if (op_on_stack)
        ops_leave();
    callback_depth = 0;
    cb_kind_on_stack = NULL;
    cb_name_on_stack = -1;
    cb_inside_op = NULL;
    for (int i = 0; i < scn.sc->nnames; i++)
        scn.regs[i].seen.in_cb = false;
    return true;
}

/* In real time, the script's opening steps run at time 0 of the
 * scenario, but the machine may take a while over them (191 ms was seen
 * on a loaded machine before the first add): the 'at' steps then move as
 * much later as the machine had made the first add, so that no step comes
 * later against a timer than virtual time puts it (a step before a timer
 * stays before it).  A client scenario's clock starts after its set-up
 * instead (client.c). */
static void defer_steps_by_setup(void)
{
    int64_t late;

    if (scn.loop.iter != 0 || scn.sc->realtime || !sim_realtime())
        return;
    late = scn.loop.opening_added ? scn.loop.opening_late_ns : sim_late_ns();
    if (late <= 0)
        return;
    sim_defer_events(late);
    sim_trace("clock", "the opening steps took %lld.%03lld ms of the machine's: "
              "'at' steps run that much later", (long long)(late / SIM_NS_PER_MS),
              (long long)(late % SIM_NS_PER_MS / 1000));
}

/* One iteration: the loop's evconf_run_once(), with the runner's lock
 * released around it (callbacks and other threads take it), then the
 * checks of what it left: its return (R2 when an allocation failed), an
 * unwound operation (R45), leaked descriptors, the idle wake-ups, and the
 * sim's spin check. */
void iter_once(void)
{
    struct blame_text b = { .n = 0 };
    bool unwound;
    int rc;

    defer_steps_by_setup();
    pthread_mutex_lock(&scn.lock);
    for (int i = 0; i < scn.sc->nnames; i++)
        scn.regs[i].seen.calls_this_iter = 0;
    scn.loop.in_iteration = true;
    liveness_begin();
    wakeups_begin();
    pthread_mutex_unlock(&scn.lock);
    blame_iteration_begins();
    rc = scn.impl->run_once();
    unwound = unwound_check();
    if (rc != 0 && short_of_memory)
        check_fail(LEVEL_SHOULD, "R2", "iteration %d: evconf_run_once() returned "
                   "%d when an allocation failed, expected 0: an iteration "
                   "should not need memory it did not take at add", scn.loop.iter, rc);
    else if (rc != 0)   /* after a wait-fails, R2's (state.c) */
        check_fail(LEVEL_MUST, state_wait_failed_now() ? "R2" : scn.sc->rules,
                   "iteration %d: evconf_run_once() returned %d%s, expected 0%s",
                   scn.loop.iter, rc, state_wait_failed_now() ? " after its wait "
                   "failed (wait-fails)" : "", unwound ? "" : blame_iteration(&b));
    pthread_mutex_lock(&scn.lock);
    scn.loop.in_iteration = false;
    scn.loop.iter++;
    liveness_end();
    wakeups_end();
    pthread_mutex_unlock(&scn.lock);
    check_fd_growth();
    if (!sim_iteration_done())
        scn.loop.stopped = true;
}

/* The sim's verdict, reported once: the loop spun, went idle, missed a
 * wake-up, or is stuck. */
void iter_verdict_check(void)
{
    if (sim_verdict() != SIM_OK && !scn.verdict_reported) {
        scn.verdict_reported = true;
        scn.loop.stopped = true;
        check_fail(scn.sc->level, scn.sc->rules, "the loop %s: %s",
                   sim_verdict() == SIM_IDLE ? "went idle" :
                   sim_verdict() == SIM_SPIN ? "spins" :
                   sim_verdict() == SIM_NO_WAKEUP ? "did not wake up" :
                   "is stuck", sim_verdict_detail());
    }
}

/* A wait of the loop ended after the simulation failed: the loop may
 * retry it by itself and never return to the script, so the scenario ends
 * here, with the failure sim recorded, its daemons stopped. */
void iter_end_after_failed_wait(void)
{
    iter_verdict_check();
    client_stop_daemons();
    dprintf(scn.out_fd, "%s\n", PROTO_DONE_LINE);
    _exit(0);
}
