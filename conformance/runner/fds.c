/*
 * fds.c - the script's fd steps (prefix fds_): making pipes and sockets,
 * writing, draining, filling and closing them through sim's fd layer, and
 * keeping the flags each fd was created with, which the loop must not
 * change (R17).
 *
 * The loop's watches on these fds are ops.c's; whether it served them is
 * observe.c's and liveness.c's to check.
 */
#include <fcntl.h>
#include <stdio.h>

#include <libvirt/libvirt.h>

#include "observe.h"
#include "records.h"
#include "fds.h"

/* A reaction that drains fd name and is still to run: a callback's, of an
 * enabled timer or of a watch on that fd asking for READABLE, on every
 * call or on a K-th call not made yet.  Its step index, or -1. */
static int drain_to_come(int name)
{
    for (int i = 0; i < scn.sc->nsteps; i++) {
        const struct step *d = &scn.sc->steps[i];
        const struct reg *w = d->when == WHEN_ON_CB ? &scn.regs[d->on_name] : NULL;
        if (d->kind == S_DRAIN && d->name == name && w && w->op.added &&
            !w->op.removed &&
            (scn.sc->kinds[d->on_name] == NAME_TIMER ? w->op.timeout >= 0 :
             (w->op.events & VIR_EVENT_HANDLE_READABLE) && w->op.fd_name == name) &&
            (d->on_nth == 0 || d->on_nth > w->seen.ncalls))
            return i;
    }
    return -1;
}

/* Data written to an fd that does not fit: the scenario's mistake if
 * nothing in it reads the fd; the loop's if a watch's callback reads it
 * and the loop never called it while the data waited (R14; a timer's:
 * R20, R21). */
static void fds_full(const struct step *st)
{
    int d = drain_to_come(st->name);
    const struct step *dr = d >= 0 ? &scn.sc->steps[d] : NULL;

    if (!dr) {
        check_scenario_error(st, "'%s': the fd's buffer is full (data the loop "
                             "has not read stays in it)", st->text);
        return;
    }
    check_fail(LEVEL_MUST, scn.sc->kinds[dr->on_name] == NAME_TIMER ? "R20,R21" : "R14",
               "line %d: '%s': %s's buffer is full: what was "
               "written before was never read, though %s's callback reads it "
               "(line %d) and %s is enabled; expected the loop to call %s "
               "while data waits (%d calls so far)", st->line, st->text,
               state_name(st->name), state_name(dr->on_name), dr->line,
               state_name(dr->on_name), state_name(dr->on_name),
               scn.regs[dr->on_name].seen.ncalls);
    scn.loop.stopped = true;
}

/* A step that makes the loop's side of an fd anew (pipe, socket, move-fd,
 * reuse): the flags it has now are those the loop must keep (R17). */
static void keep_created_flags(const struct step *st, const struct sim_fd *f)
{
    if (st->kind != S_PIPE && st->kind != S_PIPE_WRITER && st->kind != S_SOCKET &&
        st->kind != S_MOVE_FD && st->kind != S_REUSE)
        return;
    scn.regs[st->name].file.fd_flags = fcntl(f->fd, F_GETFL);
    scn.regs[st->name].file.fd_fdflags = fcntl(f->fd, F_GETFD);
}

static int fds_step(const struct step *st)
{
    struct sim_fd *f = &scn.regs[st->name].file.fd;
    int rc = 0;

    switch (st->kind) {
    case S_PIPE:
        rc = sim_fd_pipe(f);
        break;
    case S_PIPE_WRITER:
        rc = sim_fd_pipe_writer(f);
        break;
    case S_SOCKET:
        rc = sim_fd_socket(f);
        break;
    case S_READABLE:
        rc = sim_fd_make_readable(f, (size_t)st->arg);
        break;
    case S_DRAIN:
        rc = sim_fd_drain(f);
        break;
    case S_FILL:
        rc = sim_fd_fill(f);
        break;
    case S_DRAIN_WRITABLE:
        rc = sim_fd_drain_writable(f);
        break;
    case S_CLOSE_PEER:
        rc = sim_fd_close_peer(f);
        break;
    case S_CLOSE_BEHIND:
        rc = sim_fd_close_behind(f);
        break;
    case S_REUSE:
        rc = sim_fd_reuse(f);
        break;
    case S_MOVE_FD:
        rc = sim_fd_move(f, (int)st->arg);
        break;
    default:
        sim_fd_close(f);
        break;
    }
    if (rc == 0)
        keep_created_flags(st, f);
    sim_trace("fd", "%s", st->text);
    return rc;
}


void fds_run(const struct step *st)
{
    pthread_mutex_lock(&scn.lock);
    if (scn.loop.in_iteration && st->name >= 0)
        scn.regs[st->name].file.fd_touched_iter = scn.loop.iter;
    pthread_mutex_unlock(&scn.lock);
    switch (fds_step(st)) {
    case 0:
        break;
    case SIM_FD_FULL:
        fds_full(st);
        break;
    default:
        check_fail(LEVEL_MUST, scn.sc->rules, "line %d: '%s' failed in the "
                   "harness (fd layer)", st->line, st->text);
        break;
    }
}
