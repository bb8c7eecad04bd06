/*
 * parse-steps.c - a scenario's step lines (prefix step_, and parse_step):
 * the step word found in the words table (words.c), then its arguments
 * read by the parser of its kind (step_parsers).
 *
 * Expect lines are parse-expect.c's; when a step runs ("at MS:", "on cb
 * X:") and where it may stand are parse.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "words.h"

/* A registration target: a name, or "#N" for a raw id. */
static bool parse_target(struct parser *p, const char *s, struct step *st)
{
    int64_t v;

    if (s[0] == '#') {
        if (!lex_int(p, s + 1, &v, "an id after '#'"))
            return false;
        st->name = -1;
        st->literal_id = (int)v;
        return true;
    }
    st->name = names_lookup(p, s, -1, "a handle or timer name, or #id");
    if (st->name >= 0 && p->sc->kinds[st->name] != NAME_HANDLE &&
        p->sc->kinds[st->name] != NAME_TIMER)
        return lex_fail(p, "expected a handle or timer name, found '%s'", s);
    return st->name >= 0;
}

/* The K of alloc-fails=K (after add, run and run-until), or 'each' where
 * each_ok (after add). */
static bool parse_alloc_fails(struct parser *p, const char *k, bool each_ok,
                              struct step *st)
{
    int64_t v;

    if (each_ok && !strcmp(k, "each")) {
        st->alloc_fails = ALLOC_FAILS_EACH;
        return true;
    }
    if (!lex_int(p, k, &v, "a count after 'alloc-fails='") || v < 1 || v > 1000)
        return lex_fail(p, "expected alloc-fails=K with K from 1 to 1000%s",
                        each_ok ? ", or alloc-fails=each" : "");
    st->alloc_fails = (int)v;
    return true;
}

/* Options after add-handle / add-timeout: opaque=null, ff=none, => RC */
static bool parse_tail(struct parser *p, char **tok, int ntok, int from,
                       struct step *st, bool options)
{
    for (int i = from; i < ntok; i++) {
        if (!strcmp(tok[i], "=>") && i + 1 < ntok) {
            int64_t v;
            if (!lex_int(p, tok[++i], &v, "a return value after '=>'"))
                return false;
            st->has_rc = true;
            st->rc = (int)v;
        } else if (options && !strcmp(tok[i], "opaque=null")) {
            st->opaque_null = true;
        } else if (options && !strcmp(tok[i], "ff=none")) {
            st->ff_none = true;
        } else if (options && !strncmp(tok[i], "alloc-fails=", 12)) {
            if (!parse_alloc_fails(p, tok[i] + 12, true, st))
                return false;
        } else {
            return lex_fail(p, "unexpected '%s'%s", tok[i], options ?
                         " (expected opaque=null, ff=none, alloc-fails=K|each or '=> RC')" :
                        " (expected '=> RC' or the end of the line)");
        }
    }
    return true;
}

static bool need(struct parser *p, int ntok, int min, const char *usage)
{
    return ntok >= min || lex_fail(p, "expected '%s'", usage);
}

/* pipe|pipe-writer|socket NAME */
static bool step_fd_new(struct parser *p, char **tok, int ntok, struct step *st)
{
    if (!need(p, ntok, 2, "pipe|pipe-writer|socket NAME") || ntok > 2)
        return lex_fail(p, "expected '%s NAME'", tok[0]);
    st->name = names_declare(p, tok[1], NAME_FD);
    return st->name >= 0;
}

/* readable FD [BYTES], and drain, fill, close... FD */
static bool step_fd_action(struct parser *p, char **tok, int ntok,
                           struct step *st)
{
    bool count = st->kind == S_READABLE;

    if (ntok < 2 || ntok > (count ? 3 : 2))
        return lex_fail(p, "expected '%s FD%s'", tok[0], count ? " [BYTES]" : "");
    st->name = names_lookup(p, tok[1], NAME_FD, "an fd name");
    st->arg = 1;
    if (ntok == 3 && !lex_num(p, tok[2], &st->arg, "a byte count", 1,
                              SCENARIO_MAX_BYTES))
        return false;
    return st->name >= 0;
}

/* move-fd FD NUMBER */
static bool step_move_fd(struct parser *p, char **tok, int ntok,
                         struct step *st)
{
    if (ntok != 3)
        return lex_fail(p, "expected 'move-fd FD NUMBER'");
    st->name = names_lookup(p, tok[1], NAME_FD, "an fd name");
    if (st->name < 0 || !lex_int(p, tok[2], &st->arg, "an fd number"))
        return false;
    if (st->arg < 0 || st->arg > 65535)
        return lex_fail(p, "expected an fd number from 0 to 65535, found %lld",
                        (long long)st->arg);
    return true;
}

/* add-handle NAME FD|#fd EVENTS [options] */
static bool step_add_handle(struct parser *p, char **tok, int ntok,
                            struct step *st)
{
    int64_t v;
    int mask;

    if (!need(p, ntok, 4, "add-handle NAME FD|#fd EVENTS [opaque=null] [ff=none] [=> RC]"))
        return false;
    st->name = names_declare(p, tok[1], NAME_HANDLE);
    if (st->name < 0)
        return false;
    if (tok[2][0] == '#') {
        st->fd_name = -1;
        if (!lex_int(p, tok[2] + 1, &v, "an fd number after '#'"))
            return false;
        st->fd_literal = (int)v;
    } else if ((st->fd_name = names_lookup(p, tok[2], NAME_FD, "an fd name or #fd")) < 0) {
        return false;
    }
    if (!lex_mask(p, tok[3], &mask))
        return false;
    st->arg = mask;
    return parse_tail(p, tok, ntok, 4, st, true);
}

/* add-timeout NAME MS [options] */
static bool step_add_timeout(struct parser *p, char **tok, int ntok,
                             struct step *st)
{
    if (!need(p, ntok, 3, "add-timeout NAME MS [opaque=null] [ff=none] [=> RC]"))
        return false;
    st->name = names_declare(p, tok[1], NAME_TIMER);
    if (st->name < 0 || !lex_int(p, tok[2], &st->arg, "a timeout in ms"))
        return false;
    return parse_tail(p, tok, ntok, 3, st, true);
}

/* update-handle NAME|#id EVENTS, update-timeout NAME|#id MS */
static bool step_update(struct parser *p, char **tok, int ntok, struct step *st)
{
    bool handle = st->kind == S_UPDATE_HANDLE;
    int mask;

    if (ntok != 3)
        return lex_fail(p, "expected '%s NAME|#id %s'", tok[0], handle ? "EVENTS" : "MS");
    if (!parse_target(p, tok[1], st))
        return false;
    if (handle) {
        if (!lex_mask(p, tok[2], &mask))
            return false;
        st->arg = mask;
        return true;
    }
    return lex_int(p, tok[2], &st->arg, "a timeout in ms");
}

/* remove-handle|remove-timeout NAME|#id [=> RC] */
static bool step_remove(struct parser *p, char **tok, int ntok, struct step *st)
{
    if (!need(p, ntok, 2, "remove-handle|remove-timeout NAME|#id [=> RC]"))
        return false;
    return parse_target(p, tok[1], st) && parse_tail(p, tok, ntok, 2, st, false);
}

/* run-until's "closed C", its option word taken from the words table:
 * the phase also ends when C's close callback has run (st->name). */
static bool parse_until_closed(struct parser *p, char **tok, int *ntok,
                               struct step *st)
{
    const struct word *w = words_option(S_RUN_UNTIL, tok[*ntok - 2]);

    if (st->kind != S_RUN_UNTIL || *ntok < 4 || !w)
        return true;
    st->name = names_lookup(p, tok[*ntok - 1], NAME_CONN, "a connection name");
    *ntok -= 2;
    return st->name >= 0;
}

/* run N, run-until MS (either with alloc-fails=K; run-until also with
 * closed C), sleep MS */
static bool step_run(struct parser *p, char **tok, int ntok, struct step *st)
{
    if (!parse_until_closed(p, tok, &ntok, st))
        return false;
    /* run N alloc-fails=K: the K-th allocation of the iterations fails */
    if (ntok == 3 && st->kind != S_SLEEP && !strncmp(tok[2], "alloc-fails=", 12)) {
        if (!parse_alloc_fails(p, tok[2] + 12, false, st))
            return false;
        ntok = 2;
    }
    if (ntok != 2)
        return lex_fail(p, "expected '%s %s%s%s'", tok[0], st->kind == S_RUN ? "ITERATIONS" : "MS",
                        st->kind == S_SLEEP ? "" : " [alloc-fails=K]",
                        st->kind == S_RUN_UNTIL ? " [closed C]" : "");
    if (st->kind == S_RUN)
        return lex_num(p, tok[1], &st->arg, "an iteration count", 0,
                       SCENARIO_MAX_ITERATIONS);
    return lex_num(p, tok[1], &st->arg, "a virtual time in ms", 0, SCENARIO_MAX_MS);
}

/* mark NAME */
static bool step_mark(struct parser *p, char **tok, int ntok, struct step *st)
{
    if (ntok != 2)
        return lex_fail(p, "expected 'mark NAME'");
    st->name = names_declare(p, tok[1], NAME_MARK);
    return st->name >= 0;
}

/* wait-fails EINTR|EAGAIN|ENOMEM */
static bool step_wait_fails(struct parser *p, char **tok, int ntok,
                            struct step *st)
{
    static const struct { const char *name; int err; } errs[] = {
        { "EINTR", EINTR }, { "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM },
    };

    if (ntok != 2)
        return lex_fail(p, "expected 'wait-fails EINTR|EAGAIN|ENOMEM'");
    for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
        if (!strcmp(tok[1], errs[i].name)) {
            st->arg = errs[i].err;
            return true;
        }
    return lex_fail(p, "expected EINTR, EAGAIN or ENOMEM, found '%s'", tok[1]);
}

/* wall-clock-step [+|-]MS */
static bool step_wall_clock(struct parser *p, char **tok, int ntok,
                            struct step *st)
{
    if (ntok != 2)
        return lex_fail(p, "expected 'wall-clock-step MS' (+ or - a day at most)");
    return lex_num(p, tok[1] + (tok[1][0] == '+'), &st->arg, "a step in ms",
                   -86400000, 86400000);
}

/* register-default, alone */
static bool step_register_default(struct parser *p, char **tok, int ntok,
                                  struct step *st)
{
    (void)tok;
    (void)st;
    return ntok == 1 || lex_fail(p, "expected 'register-default' alone");
}

/* daemon NAME, stop-daemon|pause-daemon|resume-daemon NAME */
static bool step_daemon(struct parser *p, char **tok, int ntok, struct step *st)
{
    if (ntok != 2)
        return lex_fail(p, "expected '%s NAME'", tok[0]);
    if (!p->sc->realtime)
        return lex_fail(p, "a private libvirtd runs in real time: the scenario "
                        "needs 'clock: real'");
    st->name = st->kind == S_DAEMON ? names_declare(p, tok[1], NAME_DAEMON) :
               names_lookup(p, tok[1], NAME_DAEMON, "a daemon name");
    return st->name >= 0;
}

/* keepalive C INTERVAL COUNT */
static bool step_keepalive(struct parser *p, char **tok, int ntok,
                           struct step *st)
{
    int64_t count;

    if (ntok != 4)
        return lex_fail(p, "expected 'keepalive CONNECTION INTERVAL-S COUNT'");
    st->name = names_lookup(p, tok[1], NAME_CONN, "a connection name");
    if (st->name < 0 || !lex_num(p, tok[2], &st->arg, "an interval in s", 1, 3600) ||
        !lex_num(p, tok[3], &count, "a count", 0, 100))
        return false;
    st->literal_id = (int)count;
    return true;
}

/* connect NAME URI (URI daemon:D: a private libvirtd started above) */
static bool step_connect(struct parser *p, char **tok, int ntok,
                         struct step *st)
{
    if (ntok != 3)
        return lex_fail(p, "expected 'connect NAME URI'");
    st->name = names_declare(p, tok[1], NAME_CONN);
    st->str = strdup(tok[2]);
    /* daemon:D, a private libvirtd started above: its name's index */
    st->fd_name = !strncmp(tok[2], "daemon:", 7) ?
        names_lookup(p, tok[2] + 7, NAME_DAEMON, "a daemon name") : -1;
    return st->name >= 0 && (strncmp(tok[2], "daemon:", 7) || st->fd_name >= 0);
}

/* close-callback C, domain-events C, close-connection C */
static bool step_connection(struct parser *p, char **tok, int ntok,
                            struct step *st)
{
    if (ntok != 2)
        return lex_fail(p, "expected '%s CONNECTION'", tok[0]);
    st->name = names_lookup(p, tok[1], NAME_CONN, "a connection name");
    return st->name >= 0;
}

/* define-domain C DOMAIN, and start-, destroy-, undefine- */
static bool step_domain(struct parser *p, char **tok, int ntok, struct step *st)
{
    if (ntok != 3)
        return lex_fail(p, "expected '%s CONNECTION DOMAIN'", tok[0]);
    st->name = names_lookup(p, tok[1], NAME_CONN, "a connection name");
    st->str = strdup(tok[2]);
    return st->name >= 0;
}

/* Each step word's parser, by its kind in the words table. */
typedef bool step_parser(struct parser *p, char **tok, int ntok,
                         struct step *st);
static step_parser *const step_parsers[] = {
    [S_PIPE] = step_fd_new, [S_PIPE_WRITER] = step_fd_new,
    [S_SOCKET] = step_fd_new, [S_READABLE] = step_fd_action,
    [S_DRAIN] = step_fd_action, [S_FILL] = step_fd_action,
    [S_DRAIN_WRITABLE] = step_fd_action, [S_CLOSE_PEER] = step_fd_action,
    [S_CLOSE_BEHIND] = step_fd_action, [S_REUSE] = step_fd_action,
    [S_CLOSE] = step_fd_action, [S_MOVE_FD] = step_move_fd,
    [S_ADD_HANDLE] = step_add_handle, [S_ADD_TIMEOUT] = step_add_timeout,
    [S_UPDATE_HANDLE] = step_update, [S_UPDATE_TIMEOUT] = step_update,
    [S_REMOVE_HANDLE] = step_remove, [S_REMOVE_TIMEOUT] = step_remove,
    [S_RUN] = step_run, [S_RUN_UNTIL] = step_run, [S_SLEEP] = step_run,
    [S_MARK] = step_mark, [S_WAIT_FAILS] = step_wait_fails,
    [S_WALL_CLOCK_STEP] = step_wall_clock,
    [S_REGISTER_DEFAULT] = step_register_default, [S_CONNECT] = step_connect,
    [S_DOMAIN_EVENTS] = step_connection, [S_DEFINE_DOMAIN] = step_domain,
    [S_START_DOMAIN] = step_domain, [S_DESTROY_DOMAIN] = step_domain,
    [S_UNDEFINE_DOMAIN] = step_domain, [S_CLOSE_CONNECTION] = step_connection,
    [S_DAEMON] = step_daemon, [S_STOP_DAEMON] = step_daemon,
    [S_PAUSE_DAEMON] = step_daemon, [S_RESUME_DAEMON] = step_daemon,
    [S_KEEPALIVE] = step_keepalive, [S_CLOSE_CALLBACK] = step_connection,
    [S_EXPECT] = parse_expect,
};

/* One step, tokens already split and any when-prefix removed: its word
 * is found in the words table, and its arguments read by its parser. */
bool parse_step(struct parser *p, char **tok, int ntok, struct step *st)
{
    const struct word *w = words_step(tok[0]);

    if (!w)
        return lex_fail(p, "expected a step (pipe, socket, add-handle, add-timeout, "
                        "update-*, remove-*, readable, run, run-until, expect, ...), "
                        "found '%s'", tok[0]);
    st->kind = (enum step_kind)w->kind;
    return step_parsers[w->kind](p, tok, ntok, st);
}
