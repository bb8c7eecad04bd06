/*
 * scenario.h - a conformance scenario, as parsed from its text file.
 *
 * The language is described in conformance/scenarios/README.md.  A scenario
 * is a header (id, title, rules, level, why) and a list of steps run in
 * order; a step may instead be scheduled at a virtual time (on the loop
 * thread or another thread) or attached to a callback or free callback.
 * Expectations are steps too: they are checked where they stand.
 * scenario_parse() (parse.c, with lex.c, names.c, parse-steps.c and
 * parse-expect.c) makes one; the words it reads are words.h's; running it
 * is exec.h's.
 */
#ifndef EVCONF_SCENARIO_H
#define EVCONF_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

enum level { LEVEL_MUST, LEVEL_SHOULD, LEVEL_INFO };

/* How far from its deadline a timer may fire (docs/contract.md): up to
 * 20 ms before it (R26), and up to 2 ms after it (R20's late bound), in
 * virtual time, where nothing else delays the loop.  `~V` in a scenario
 * is the window between the two; the checks use the same numbers. */
#define SCENARIO_EARLY_MS 20
#define SCENARIO_LATE_MS  2

/* alloc-fails=each: the add is tried with its 1st, 2nd, ... allocation
 * failing until one attempt makes fewer allocations and succeeds. */
#define ALLOC_FAILS_EACH (-1)
#define ALLOC_FAILS_EACH_MAX 64

enum step_kind {
    /* fds */
    S_PIPE, S_PIPE_WRITER, S_SOCKET, S_READABLE, S_DRAIN, S_FILL,
    S_DRAIN_WRITABLE, S_CLOSE_PEER, S_CLOSE_BEHIND, S_REUSE, S_CLOSE, S_MOVE_FD,
    /* the six operations */
    S_ADD_HANDLE, S_UPDATE_HANDLE, S_REMOVE_HANDLE,
    S_ADD_TIMEOUT, S_UPDATE_TIMEOUT, S_REMOVE_TIMEOUT,
    /* running */
    S_RUN, S_RUN_UNTIL, S_SLEEP, S_MARK, S_REGISTER_DEFAULT, S_WAIT_FAILS,
    S_WALL_CLOCK_STEP,
    /* a libvirt client over the loop (client.c) */
    S_CONNECT, S_DOMAIN_EVENTS, S_DEFINE_DOMAIN, S_START_DOMAIN, S_DESTROY_DOMAIN,
    S_UNDEFINE_DOMAIN, S_CLOSE_CONNECTION,
    S_DAEMON, S_STOP_DAEMON, S_PAUSE_DAEMON, S_RESUME_DAEMON, S_KEEPALIVE,
    S_CLOSE_CALLBACK,
    /* checking */
    S_EXPECT,
};

enum when { WHEN_NOW, WHEN_AT, WHEN_AT_THREAD, WHEN_ON_CB, WHEN_ON_FF };

enum cmp { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_RANGE };

/* A point to measure from: a number, or a mark (explicit, or the last
 * add/update/remove of a name) plus an offset. */
enum anchor_kind { ANCHOR_NONE, ANCHOR_MARK, ANCHOR_ADD, ANCHOR_UPDATE,
                   ANCHOR_REMOVE };
struct value {
    enum anchor_kind anchor;
    int name;                 /* mark or registration */
    int64_t offset;           /* the number itself when anchor is NONE */
};

enum expect_kind {
    X_CALLS,          /* expect calls N [since A] <cmp> v  callbacks */
    X_FREES,          /* expect frees N <cmp> v          free callbacks */
    X_CALL_AT,        /* expect call N #k at <cmp> t     virtual ms */
    X_CALL_ITER,      /* expect call N #k iteration <cmp> i */
    X_FREE_ITER,      /* expect free N iteration <cmp> i */
    X_FREE_AT,        /* expect free N at <cmp> t        virtual ms */
    X_CALL_EVENTS,    /* expect call N #k events =|has|within MASK */
    X_PER_ITER,       /* expect per-iteration N <cmp> v  most calls in one */
    X_ID,             /* expect id N <cmp> v */
    X_FD_OPEN,        /* expect fd N open */
    X_FD_FLAGS,       /* expect fd N flags-unchanged */
    X_EVENT,          /* expect event C #k TYPE          a domain event */
    X_CLOSED,         /* expect closed C REASON [at CMP V]  the close callback */
    X_RELEASED,       /* expect released C               its sockets are closed */
};
enum mask_test { MASK_EQ, MASK_HAS, MASK_WITHIN };

struct expect {
    enum expect_kind kind;
    int name;
    int nth;                  /* #k: 1-based; -1 is #last */
    enum cmp cmp;
    struct value v, v2;       /* v2: upper end of a range */
    struct value since;       /* expect calls N since ANCHOR: count from there */
    enum mask_test mask_test;
    int mask;
    bool timed;               /* expect closed ... at CMP V */
    bool has_level;
    enum level level;         /* [MUST] / [SHOULD] / [INFO] at the end */
};

struct step {
    enum step_kind kind;
    int line;
    char *text;               /* the line as written, for messages */
    enum when when;
    int64_t at_ms;            /* WHEN_AT, WHEN_AT_THREAD */
    int on_name, on_nth;      /* WHEN_ON_*: whose callback; 0 = every */

    int name;                 /* fd, registration or mark; -1 for #literal */
    int literal_id;           /* "#-1": an id or fd given as a number */
    int fd_name;              /* add-handle: the fd's name, or -1 ... */
    int fd_literal;           /* ... and then this number */
    int64_t arg;              /* events, timeout, count, ms, bytes */
    bool opaque_null, ff_none;
    int alloc_fails;          /* add, run, run-until: their K-th allocation fails (0: none;
                                 ALLOC_FAILS_EACH: an add tried with K = 1, 2, ...) */
    char *str;                /* connect: the URI; domain steps: the domain */
    bool has_rc;              /* "=> 0" */
    int rc;
    struct expect expect;
};

enum name_kind { NAME_FD, NAME_HANDLE, NAME_TIMER, NAME_MARK, NAME_CONN, NAME_DAEMON };

/* Close reasons by name, as `expect closed` takes them: ERROR, EOF,
 * KEEPALIVE, CLIENT (VIR_CONNECT_CLOSE_REASON_*); -1 if none. */
int scenario_close_reason(const char *name);
const char *scenario_close_reason_name(int reason);

/* Domain lifecycle events by name, as `expect event` takes them:
 * DEFINED, UNDEFINED, STARTED, SUSPENDED, RESUMED, STOPPED, SHUTDOWN,
 * PMSUSPENDED, CRASHED (libvirt's VIR_DOMAIN_EVENT_* order); -1 if none. */
int scenario_event_type(const char *name);
const char *scenario_event_name(int type);

struct scenario {
    char *path;
    char *id, *title, *rules, *why;
    enum level level;
    bool guard;               /* add the harness's guard timer (default) */
    bool realtime;            /* clock: real (a private libvirtd) */
    int nnames, names_cap;
    char **names;
    enum name_kind *kinds;
    int nsteps, steps_cap;
    struct step *steps;
};

/* What a scenario may ask for: enough for any real scenario, and small
 * enough that the runner and sim hold it without overflow (times become
 * int64 ns) or blocking (a pipe holds 64 KiB). */
#define SCENARIO_MAX_MS         (24LL * 3600 * 1000)    /* a virtual day */
#define SCENARIO_MAX_ITERATIONS 1000000
#define SCENARIO_MAX_BYTES      65536
#define SCENARIO_MAX_AT         1000    /* sim holds 1024 scheduled events */

/* The rules of docs/contract.md: R1 to R45. */
#define CONTRACT_RULES 45

/* Parse one file.  On error returns NULL and writes "file:line: message"
 * into err. */
struct scenario *scenario_parse(const char *path, char *err, size_t errlen);
/* The same for text held in memory (a generated program), named path. */
struct scenario *scenario_parse_text(const char *path, const char *text, char *err,
                                     size_t errlen);
void scenario_free(struct scenario *sc);
/* client-order.c: the client steps' order, as the text shows it (a
 * connection used after its close, a daemon stopped twice, a daemon or a
 * connect to one after a real-time set-up...): the line of the first step
 * that is wrong whatever the loop does, with why in msg; 0 if none. */
int scenario_check_client(const struct scenario *sc, char *msg, size_t len);
/* The steps a real-time scenario's set-up is made of, at its start (daemon,
 * connect, close-callback, domain-events): the index of the first other
 * step.  The scenario's clock starts when they are done. */
int scenario_setup_end(const struct scenario *sc);
const char *scenario_level_name(enum level l);
/* "READABLE|HANGUP", "0" */
void scenario_mask_format(int mask, char *buf, size_t len);

#endif
