/*
 * crash.c - what the scenario's process was doing when the loop crashed
 * or exited under it, told to the runner before the process goes (prefix
 * crash_).  It reads the state of each thread (state.h) and changes
 * nothing; the verdict on the crash is the runner's.
 *
 * A crash is the loop's, and where it happened often names the rule it
 * broke.  Each thread keeps, on its own, the operation it is inside
 * (op_on_stack), the step it runs and the callback the runner's trampoline
 * entered (state.h); a handler for the fatal signals, and an exit
 * handler, read them on the dying thread and write one C record
 * (protocol.h):
 *   inside add, update or remove          -> R45: failures come back as
 *                                            return codes, never as a crash
 *   ... from a callback the loop called   -> R27 (it can recurse until the
 *   inside an operation                      stack runs out)
 *   in an iteration, in no callback the   -> R16 (a callback of a
 *   trampoline entered, with a live         registration made with a NULL
 *   registration made with a NULL opaque    opaque) / R40 (its free
 *                                            callback was due)
 *   SIGPIPE writing to an fd's other end  -> R17: the loop closed the end
 *   the scenario did not close              it watches
 *   elsewhere                             -> where, with no rule ("-")
 * The handlers only read memory and call write(2): they may run at any
 * point of the process.  They then hand the signal on to whatever handled
 * it before (the default: the process dies of it, as the runner reports).
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "blame.h"
#include "crash.h"
#include "sigtext.h"
#include "observe.h"
#include "records.h"
#include "protocol.h"

static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGPIPE };
#define NFATAL (sizeof(fatal_signals) / sizeof(fatal_signals[0]))

static struct sigaction previous[NFATAL];
static atomic_bool told;
static bool watching;

/* A line being built without stdio (async-signal-safe). */
struct line {
    char s[800];
    size_t n;
};

/* Room is left for the line's newline. */
static void put(struct line *l, const char *s)
{
    sig_put(l->s, sizeof(l->s) - 1, &l->n, s);
}

static void put_int(struct line *l, long v)
{
    sig_put_long(l->s, sizeof(l->s) - 1, &l->n, v);
}

/* "(line N: TEXT)" for the step this thread runs, if any. */
static void put_step(struct line *l)
{
    if (!step_on_stack) {
        put(l, " (the runner's own call)");
        return;
    }
    put(l, " (line ");
    put_int(l, step_on_stack->line);
    put(l, ": ");
    put(l, step_on_stack->text);
    put(l, ")");
}

/* The registrations made with a NULL opaque whose free callback is due
 * (ff), or whose callback may be (!ff: live and enabled); how many, named
 * in l. */
static int null_opaque_due(struct line *l, bool ff)
{
    int n = 0;

    for (int i = 0; scn.sc && i < scn.sc->nnames; i++) {
        const struct reg *r = &scn.regs[i];
        bool enabled = scn.sc->kinds[i] == NAME_TIMER ? r->op.timeout >= 0 : r->op.events != 0;
        bool due = ff ? r->op.removed && r->op.has_ff && r->seen.nfrees == 0 :
                        !r->op.removed && enabled;
        if (!r->op.null_opaque || !r->op.added || !due)
            continue;
        put(l, n++ ? ", " : " ");
        put(l, scn.sc->names[i]);
    }
    return n;
}

/* An interpreter's loop: did the crash come after the loop handed a
 * callback with no opaque to its binding's glue (blame.h)? */
static void put_blame_dispatch(struct line *l)
{
    struct blame_text b = { .n = 0 };

    blame_dispatch(&b);
    put(l, b.s);
}

/* An interpreter's loop: which side of its binding's glue the operation
 * this thread is inside died on (blame.h). */
static void put_blame_op(struct line *l)
{
    struct blame_text b = { .n = 0 };
    const struct step *st = step_on_stack;
    bool add = st && (st->kind == S_ADD_HANDLE || st->kind == S_ADD_TIMEOUT);
    int id = 0;

    if (st && !add)
        id = st->name < 0 ? st->literal_id : scn.regs[st->name].op.id;
    blame_op(&b, op_on_stack, st && !add ? &id : NULL, NULL);
    put(l, b.s);
}

/* A crash in an iteration, outside every callback the trampolines entered:
 * in the loop itself, or in a callback of a binding's that never reached
 * the runner's.  With a registration made with a NULL opaque due, that is
 * the likely cause: a loop or binding that cannot pass NULL on. */
static void describe_dispatch(struct line *l)
{
    struct line frees = { .n = 0 }, live = { .n = 0 };

    put(l, null_opaque_due(&frees, true) ? "R40" :
           null_opaque_due(&live, false) ? "R16" : "-");
    put(l, " during iteration ");
    put_int(l, scn.loop.iter);
    put(l, " (evconf_run_once), in no callback the runner entered");
    if (frees.n) {
        put(l, ", with the free callback of");
        put(l, frees.s);
        put(l, ", added with a NULL opaque, due; expected ff(NULL) called like "
               "any other");
    } else if (live.n) {
        put(l, ", with");
        put(l, live.s);
        put(l, " added with a NULL opaque; expected each callback called with "
               "the opaque it was added with, NULL included");
    }
    if (frees.n || live.n)
        put_blame_dispatch(l);
}

/* SIGPIPE in a step that writes to an fd's other end: the end the loop
 * watches is closed, and the scenario did not close it (R17). */
static bool pipe_closed_by_loop(int sig)
{
    const struct step *st = step_on_stack;

    return sig == SIGPIPE && st && !op_on_stack && !cb_kind_on_stack &&
           (st->kind == S_READABLE || st->kind == S_FILL) && st->name >= 0 &&
           !scn.regs[st->name].file.fd.behind;
}

/* Inside an operation: its failure comes back as a return code (R45),
 * unless the callback it runs in was called inside an operation, where
 * it recursed (R27). */
static void describe_op(struct line *l)
{
    bool recursed = cb_kind_on_stack && cb_inside_op;

    put(l, recursed ? "R27 inside " : "R45 inside ");
    put(l, op_on_stack);
    put(l, "()");
    put_step(l);
    if (cb_kind_on_stack) {
        put(l, ", from the ");
        put(l, cb_kind_on_stack);
        put(l, " of ");
        put(l, state_name(cb_name_on_stack));
    }
    if (recursed) {
        put(l, ", which the loop called inside ");
        put(l, cb_inside_op);
        put(l, "(); expected callbacks only from the loop's dispatch, never "
               "inside an operation, where they can recurse");
    } else {
        put(l, "; expected a failure to come back as a return code");
    }
    put_blame_op(l);
}

/* The record for this thread's state: "C RULES where; expected ...". */
static void describe(struct line *l, int sig)
{
    l->n = 0;
    put(l, (char[]){ PROTO_CRASH, ' ', '\0' });
    if (pipe_closed_by_loop(sig)) {
        put(l, "R17 writing to ");
        put(l, state_name(step_on_stack->name));
        put_step(l);
        put(l, ", whose end the loop watches was closed, not by the scenario; "
               "expected the loop never to close an fd it was given");
    } else if (op_on_stack) {
        describe_op(l);
    } else if (cb_kind_on_stack) {
        put(l, "- in the ");
        put(l, cb_kind_on_stack);
        put(l, " of ");
        put(l, state_name(cb_name_on_stack));
        put_step(l);
    } else if (scn.loop.in_iteration) {
        describe_dispatch(l);
    } else if (step_on_stack) {
        put(l, "- during");
        put_step(l);
    } else {
        l->n = 0;
    }
}

/* A call from a thread other than the loop's, into an interpreter's
 * loop, died: verdict.c words that R42 failure from the trace, so which
 * side of the binding's glue it died on goes on a line of its own (an
 * INFO failure: the outcome is the R42 failure's). */
static void tell_off_loop_thread(void)
{
    struct line l = { .n = 0 };
    struct blame_text b = { .n = 0 };

    if (!blame_off_loop_thread())
        return;
    put(&l, (char[]){ PROTO_FAILURE, ' ', '\0' });
    put(&l, "INFO R42 a call from another thread died");
    put_step(&l);
    if (op_on_stack) {
        put_blame_op(&l);
    } else {
        blame_thread(&b);
        put(&l, b.s);
    }
    l.s[l.n++] = '\n';
    if (write(scn.out_fd, l.s, l.n) < 0)
        return;
}

/* Write this thread's state once, whichever thread dies first. */
static void tell(int sig)
{
    struct line l;

    if (!watching || atomic_exchange(&told, true))
        return;
    tell_off_loop_thread();
    describe(&l, sig);
    if (l.n == 0)
        return;
    l.s[l.n++] = '\n';
    if (write(scn.out_fd, l.s, l.n) < 0)
        return;
}

/* Tell, then let the signal do what it did before: a fault raised by the
 * faulting instruction comes again when the handler returns; one sent
 * (raise, abort, kill) is sent again. */
static void on_fatal(int sig, siginfo_t *info, void *uc)
{
    (void)uc;
    tell(sig);
    for (size_t i = 0; i < NFATAL; i++)
        if (fatal_signals[i] == sig)
            sigaction(sig, &previous[i], NULL);
    if (info->si_code <= 0)
        raise(sig);
}

static void on_exit_call(void)
{
    tell(0);
}

void crash_watch(void)
{
    static char altstack[64 * 1024];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
    struct sigaction sa = { .sa_sigaction = on_fatal,
                            .sa_flags = SA_SIGINFO | SA_ONSTACK };

    if (watching)
        return;
    sigaltstack(&ss, NULL);     /* a stack overflow is a crash too */
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < NFATAL; i++) {
        sigaction(fatal_signals[i], &sa, &previous[i]);
        if (previous[i].sa_handler == SIG_IGN)     /* not fatal here */
            sigaction(fatal_signals[i], &previous[i], NULL);
    }
    atexit(on_exit_call);
    watching = true;
}

void crash_unwatch(void)
{
    watching = false;
}
