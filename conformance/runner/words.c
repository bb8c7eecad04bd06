/*
 * words.c - the table of the scenario language's words (prefix words_).
 *
 * One row per word, in the order conformance/scenarios/README.md shows
 * them; a variant row is another form of a word, printed in the reference
 * and never looked up.  The parser, the generator and the trace take their
 * words from here (words.h says why).  Nothing here reads a scenario or
 * runs one.
 */
#include <string.h>

#include "words.h"

/* A row of each kind: a step, an operation (with its trace name), a
 * variant form, a row the reference joins to the next, an expectation. */
#define STEP(t, k, c, s, a, d) \
    { t, NULL, k, c, s, false, a, NULL, NULL, d }
#define OP(t, k, a, tr, d) \
    { t, NULL, k, WORD_OP, WORDS_STEPS, false, a, tr, NULL, d }
#define VARIANT(t, k, c, s, a, d) \
    { t, NULL, k, c, s, true, a, NULL, NULL, d }
#define JOINED(t, k, c, s, a, j) \
    { t, NULL, k, c, s, false, a, NULL, j, NULL }
#define EXPECT(t, sub, k, s, a, d) \
    { t, sub, k, WORD_EXPECT, s, false, a, NULL, NULL, d }

const struct word words_table[] = {
    /* fds */
    STEP("pipe", S_PIPE, WORD_FD, WORDS_STEPS, "P",
         "a pipe; the loop's side is the read end"),
    STEP("pipe-writer", S_PIPE_WRITER, WORD_FD, WORDS_STEPS, "P",
         "a pipe; the loop's side is the write end (ERROR once the reader "
         "closes)"),
    STEP("socket", S_SOCKET, WORD_FD, WORDS_STEPS, "P",
         "an AF_UNIX stream socket pair"),
    STEP("readable", S_READABLE, WORD_FD, WORDS_STEPS, "P [N]",
         "the peer writes N bytes (default 1)"),
    STEP("drain", S_DRAIN, WORD_FD, WORDS_STEPS, "P",
         "read what is pending on the loop's side"),
    STEP("fill", S_FILL, WORD_FD, WORDS_STEPS, "P",
         "write from the loop's side until it is not writable"),
    STEP("drain-writable", S_DRAIN_WRITABLE, WORD_FD, WORDS_STEPS, "P",
         "the peer reads everything: writable again"),
    STEP("close-peer", S_CLOSE_PEER, WORD_FD, WORDS_STEPS, "P",
         "close the script's end: HANGUP (ERROR for `pipe-writer`)"),
    STEP("close-behind", S_CLOSE_BEHIND, WORD_FD, WORDS_STEPS, "P",
         "close the loop's fd behind its back (the number is left invalid)"),
    STEP("reuse", S_REUSE, WORD_FD, WORDS_STEPS, "P",
         "put a fresh, idle file on the same fd number"),
    STEP("close", S_CLOSE, WORD_FD, WORDS_STEPS, "P",
         "close both ends"),
    STEP("move-fd", S_MOVE_FD, WORD_FD, WORDS_STEPS, "P N",
         "put the loop's side of P on fd number N (0, or past 1023: beyond "
         "select(2)'s reach)"),
    /* the six operations */
    OP("add-handle", S_ADD_HANDLE, "H P EVENTS", "add_handle",
       "`virEventAddHandle(fd of P, EVENTS, ...)`; `#N` instead of `P` gives a "
       "raw fd"),
    OP("add-timeout", S_ADD_TIMEOUT, "T MS", "add_timeout",
       "`virEventAddTimeout(MS, ...)`"),
    OP("update-handle", S_UPDATE_HANDLE, "H EVENTS", "update_handle",
       "`virEventUpdateHandle`"),
    OP("update-timeout", S_UPDATE_TIMEOUT, "T MS", "update_timeout",
       "`virEventUpdateTimeout`"),
    OP("remove-handle", S_REMOVE_HANDLE, "H", "remove_handle",
       "`virEventRemoveHandle`"),
    OP("remove-timeout", S_REMOVE_TIMEOUT, "T", "remove_timeout",
       "`virEventRemoveTimeout`"),
    /* running */
    STEP("run", S_RUN, WORD_RUN, WORDS_STEPS, "N",
         "N iterations of the loop (`evconf_run_once()`)"),
    STEP("run-until", S_RUN_UNTIL, WORD_RUN, WORDS_STEPS, "MS",
         "iterate until virtual time reaches MS"),
    VARIANT("run", S_RUN, WORD_RUN, WORDS_STEPS, "N alloc-fails=K",
            "the same (also `run-until`), with the K-th allocation the "
            "implementation makes during them failing (until an add in a "
            "callback, which sets its own): every iteration should still "
            "succeed (R2; a failed one is a SHOULD failure)"),
    { "run-until", "closed", S_RUN_UNTIL, WORD_RUN, WORDS_STEPS, true,
      "MS closed C", NULL, NULL,
      "iterate until virtual time reaches MS or C's close callback has run, "
      "whichever comes first: a real-time wait for a close (keepalive, EOF) "
      "lasts as long as the close takes" },
    STEP("sleep", S_SLEEP, WORD_RUN, WORDS_STEPS, "MS",
         "in a callback only (`on cb X: sleep MS`): the callback takes MS of "
         "virtual time"),
    STEP("mark", S_MARK, WORD_RUN, WORDS_STEPS, "M",
         "remember this moment (iteration and time) as M"),
    STEP("wall-clock-step", S_WALL_CLOCK_STEP, WORD_RUN, WORDS_STEPS, "MS",
         "step the wall clock (CLOCK_REALTIME, gettimeofday, time) by MS, `+` "
         "or `-`, a day at most, and leave the monotonic clocks alone, as NTP "
         "or `date -s` does (R20)"),
    STEP("register-default", S_REGISTER_DEFAULT, WORD_RUN, WORDS_STEPS, "",
         "call `virEventRegisterDefaultImpl()` (R1: it must change nothing)"),
    STEP("wait-fails", S_WAIT_FAILS, WORD_RUN, WORDS_STEPS, "ERRNO",
         "the loop's wait in progress (in an `at` step) or its next one fails, "
         "once: `EINTR` (a signal), `ENOMEM` or `EAGAIN` (a shortage of kernel "
         "memory). A wait fails only as its call can: a shortage is ENOMEM "
         "from poll, ppoll, select and pselect, and EINTR from epoll_wait, "
         "which never reports one; no Linux wait reports EAGAIN"),
    STEP("expect", S_EXPECT, WORD_RUN, WORDS_STEPS, "...",
         "check, here and now (below)"),
    /* expectations on registrations */
    EXPECT("calls", NULL, X_CALLS, WORDS_EXPECTATIONS, "X CMP V",
           "number of callbacks of X"),
    { "calls", NULL, X_CALLS, WORD_EXPECT, WORDS_EXPECTATIONS, true,
      "X since A CMP V", NULL, NULL,
      "callbacks of X after anchor A (a mark or an operation)" },
    EXPECT("frees", NULL, X_FREES, WORDS_EXPECTATIONS, "X CMP V",
           "number of free callbacks of X"),
    EXPECT("call", "at", X_CALL_AT, WORDS_EXPECTATIONS, "X #K at CMP V",
           "virtual time (ms) of the K-th call (`#last` for the last)"),
    { "call", "at", X_CALL_AT, WORD_EXPECT, WORDS_EXPECTATIONS, true,
      "X #K since A at CMP V", NULL, NULL,
      "the same, counting from the first call after anchor A (also with "
      "`iteration` and `events`)" },
    EXPECT("call", "iteration", X_CALL_ITER, WORDS_EXPECTATIONS,
           "X #K iteration CMP V",
           "the iteration (counted from 0) it ran in"),
    EXPECT("call", "events", X_CALL_EVENTS, WORDS_EXPECTATIONS,
           "X #K events = MASK",
           "exact mask; `has MASK` (all of these bits), `within MASK` (no "
           "other bits)"),
    EXPECT("free", "iteration", X_FREE_ITER, WORDS_EXPECTATIONS,
           "X iteration CMP V",
           "the iteration X's free callback ran in"),
    EXPECT("free", "at", X_FREE_AT, WORDS_EXPECTATIONS, "X at CMP V",
           "virtual time (ms) at which X's free callback ran"),
    EXPECT("per-iteration", NULL, X_PER_ITER, WORDS_EXPECTATIONS, "X CMP V",
           "the most calls of X in any one iteration"),
    EXPECT("id", NULL, X_ID, WORDS_EXPECTATIONS, "X CMP V",
           "the id the add returned"),
    { "fd", "open", X_FD_OPEN, WORD_EXPECT, WORDS_EXPECTATIONS, false, "P open",
      NULL, " / ", NULL },
    EXPECT("fd", "flags-unchanged", X_FD_FLAGS, WORDS_EXPECTATIONS,
           "P flags-unchanged",
           "the loop did not close the fd, nor change its flags (R17)"),
    /* a libvirt client */
    STEP("connect", S_CONNECT, WORD_CLIENT, WORDS_CLIENT, "C URI",
         "`virConnectOpen(URI)`, e.g. `test:///default` (libvirt's in-process "
         "test driver)"),
    STEP("domain-events", S_DOMAIN_EVENTS, WORD_CLIENT, WORDS_CLIENT, "C",
         "register for domain lifecycle events on C; each event is recorded as "
         "a call of C"),
    JOINED("define-domain", S_DEFINE_DOMAIN, WORD_CLIENT, WORDS_CLIENT, "C D",
           ", "),
    JOINED("start-domain", S_START_DOMAIN, WORD_CLIENT, WORDS_CLIENT, "C D",
           ", "),
    JOINED("destroy-domain", S_DESTROY_DOMAIN, WORD_CLIENT, WORDS_CLIENT, "C D",
           ", "),
    STEP("undefine-domain", S_UNDEFINE_DOMAIN, WORD_CLIENT, WORDS_CLIENT, "C D",
         "act on the test driver's domain named D"),
    STEP("close-connection", S_CLOSE_CONNECTION, WORD_CLIENT, WORDS_CLIENT, "C",
         "deregister and close (teardown closes what is left)"),
    EXPECT("event", NULL, X_EVENT, WORDS_CLIENT, "C #K TYPE",
           "the K-th event C got was TYPE: DEFINED, UNDEFINED, STARTED, "
           "SUSPENDED, RESUMED, STOPPED, SHUTDOWN, PMSUSPENDED, CRASHED"),
    /* a private libvirtd */
    STEP("daemon", S_DAEMON, WORD_DAEMON, WORDS_DAEMON, "D",
         "start a private libvirtd"),
    VARIANT("connect", S_CONNECT, WORD_CLIENT, WORDS_DAEMON, "C daemon:D",
            "connect to D's test driver (`test+unix:///default?socket=...`)"),
    STEP("close-callback", S_CLOSE_CALLBACK, WORD_CLIENT, WORDS_DAEMON, "C",
         "register C's close callback"),
    STEP("keepalive", S_KEEPALIVE, WORD_CLIENT, WORDS_DAEMON,
         "C INTERVAL COUNT",
         "`virConnectSetKeepAlive(C, INTERVAL s, COUNT)`; from another thread "
         "(`at MS thread:`), the loop must wake up for the timer it adds "
         "(R43)"),
    JOINED("pause-daemon", S_PAUSE_DAEMON, WORD_DAEMON, WORDS_DAEMON, "D",
           ", "),
    JOINED("resume-daemon", S_RESUME_DAEMON, WORD_DAEMON, WORDS_DAEMON, "D",
           ", "),
    STEP("stop-daemon", S_STOP_DAEMON, WORD_DAEMON, WORDS_DAEMON, "D",
         "SIGSTOP, SIGCONT, SIGTERM (then SIGKILL after 5 s)"),
    EXPECT("closed", NULL, X_CLOSED, WORDS_DAEMON, "C REASON",
           "C's close callback said REASON: EOF, KEEPALIVE, ERROR, CLIENT; "
           "NONE: it was not called"),
    { "closed", NULL, X_CLOSED, WORD_EXPECT, WORDS_DAEMON, true,
      "C REASON at CMP MS", NULL, NULL,
      "the same, and it said so at a time (ms since the start) within CMP MS, "
      "e.g. `at 1300..3900`" },
    EXPECT("released", NULL, X_RELEASED, WORDS_DAEMON, "C",
           "every socket C's connect opened is closed again: the remote "
           "driver's socket is closed only by its watch's free callback (R34)"),
};

const int words_count = (int)(sizeof(words_table) / sizeof(words_table[0]));

static const char *const section_names[WORDS_NSECTIONS] = {
    [WORDS_STEPS] = "steps", [WORDS_EXPECTATIONS] = "expectations",
    [WORDS_CLIENT] = "client", [WORDS_DAEMON] = "daemon",
};

const struct word *words_step(const char *text)
{
    for (int i = 0; i < words_count; i++)
        if (words_table[i].cls != WORD_EXPECT && !words_table[i].variant &&
            !strcmp(words_table[i].text, text))
            return &words_table[i];
    return NULL;
}

const struct word *words_expect(const char *text, const char *sub)
{
    for (int i = 0; i < words_count; i++) {
        const struct word *w = &words_table[i];
        if (w->cls == WORD_EXPECT && !w->variant && !strcmp(w->text, text) &&
            (!sub || (w->sub && !strcmp(w->sub, sub))))
            return w;
    }
    return NULL;
}

const struct word *words_option(enum step_kind kind, const char *sub)
{
    for (int i = 0; i < words_count; i++) {
        const struct word *w = &words_table[i];
        if (w->cls != WORD_EXPECT && w->variant && w->kind == (int)kind &&
            w->sub && !strcmp(w->sub, sub))
            return w;
    }
    return NULL;
}

/* The first row of a step kind: every kind has one (test_words checks). */
static const struct word *step_row(enum step_kind kind)
{
    for (int i = 0; i < words_count; i++) {
        const struct word *w = &words_table[i];
        if (w->cls != WORD_EXPECT && w->kind == (int)kind)
            return w;
    }
    return NULL;
}

const char *words_name(enum step_kind kind)
{
    const struct word *w = step_row(kind);

    return w ? w->text : "?";
}

const char *words_trace(enum step_kind kind)
{
    const struct word *w = step_row(kind);

    return !w ? "?" : w->trace ? w->trace : w->text;
}

enum word_class words_class(enum step_kind kind)
{
    const struct word *w = step_row(kind);

    return w ? w->cls : WORD_RUN;
}

int words_section_by_name(const char *name)
{
    for (int s = 0; s < WORDS_NSECTIONS; s++)
        if (!strcmp(name, section_names[s]))
            return s;
    return -1;
}

/* A row's form as the reference writes it: "`expect call X #K at CMP V`". */
static void print_form(FILE *f, const struct word *w)
{
    fprintf(f, "`%s%s%s%s`", w->cls == WORD_EXPECT ? "expect " : "", w->text,
            *w->args ? " " : "", w->args);
}

void words_print_section(FILE *f, enum words_section section)
{
    bool joined = false;

    fprintf(f, "| %s | %s |\n| --- | --- |\n",
            section == WORDS_EXPECTATIONS ? "expectation" : "step",
            section == WORDS_EXPECTATIONS ? "checks" : "what it does");
    for (int i = 0; i < words_count; i++) {
        const struct word *w = &words_table[i];
        if (w->section != section)
            continue;
        fputs(joined ? "" : "| ", f);
        print_form(f, w);
        joined = w->join != NULL;
        if (joined)
            fputs(w->join, f);
        else
            fprintf(f, " | %s |\n", w->doc);
    }
}
