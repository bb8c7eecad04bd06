/*
 * client-order.c - what a scenario's client steps may ask for, checked
 * before it runs (prefix scenario_, scenario.h; parse.c calls it).
 *
 * A script that uses a connection it closed, or stops a daemon twice, is
 * wrong whatever the loop does: that is the scenario's error, found here
 * from the text.  What only the run can show (a step attached to a
 * callback, or scheduled at a time, finding a connection gone) is the
 * loop's doing and is judged by client.c as its failure.
 *
 * In real time the scenario's clock starts when its set-up is done: its
 * daemons accept connections and its connections are open (client.c
 * restarts the clock then).  A daemon's start and a connect to it take
 * real time that no loop is responsible for, so they belong to the
 * set-up, the steps that open the script.
 */
#include <stdio.h>
#include <string.h>

#include "scenario.h"

/* The steps a real-time set-up is made of: nothing the loop runs. */
static bool setup_kind(enum step_kind k)
{
    static const enum step_kind setup[] = {
        S_DAEMON, S_CONNECT, S_CLOSE_CALLBACK, S_DOMAIN_EVENTS,
    };
    for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++)
        if (setup[i] == k)
            return true;
    return false;
}

int scenario_setup_end(const struct scenario *sc)
{
    int i = 0;

    while (i < sc->nsteps && sc->steps[i].when == WHEN_NOW && setup_kind(sc->steps[i].kind))
        i++;
    return i;
}

/* The client steps that act on an open connection. */
static bool uses_connection(enum step_kind k)
{
    static const enum step_kind uses[] = {
        S_DOMAIN_EVENTS, S_DEFINE_DOMAIN, S_START_DOMAIN, S_DESTROY_DOMAIN,
        S_UNDEFINE_DOMAIN, S_CLOSE_CONNECTION, S_KEEPALIVE, S_CLOSE_CALLBACK,
    };
    for (size_t i = 0; i < sizeof(uses) / sizeof(uses[0]); i++)
        if (uses[i] == k)
            return true;
    return false;
}

/* What the script's own order says about each name, step by step. */
enum known { UNKNOWN, OPEN, CLOSED };

struct order {
    const struct scenario *sc;
    enum known *state;          /* by name: connection open, daemon running */
    bool *to_daemon;            /* by name: some connect of it is daemon:D */
    int daemons, connects;
    int line;                   /* the wrong step's */
    char *msg;
    size_t len;
};

static bool order_fail(struct order *o, const struct step *st, const char *why)
{
    snprintf(o->msg, o->len, "'%s': %s", st->text, why);
    o->line = st->line;
    return false;
}

/* One step, in the order of the script (steps that run now; those at a
 * time or in a callback make their names' state unknown from then on). */
static bool order_step(struct order *o, const struct step *st, int setup_end)
{
    bool now = st->when == WHEN_NOW, in_setup = st - o->sc->steps < setup_end;

    if (st->kind == S_DAEMON || st->kind == S_CONNECT) {
        if (st->kind == S_DAEMON ? ++o->daemons > 4 : ++o->connects > 16)
            return order_fail(o, st, st->kind == S_DAEMON ? "more than 4 daemons" :
                              "more than 16 connects");
        if (o->sc->realtime && (st->kind == S_DAEMON || st->fd_name >= 0) && !in_setup)
            return order_fail(o, st, "a daemon and the connections to it are set up "
                              "before any other step: the scenario's clock starts "
                              "when they are ready");
        if (st->kind == S_CONNECT && st->fd_name >= 0)
            o->to_daemon[st->name] = true;
        /* A daemon's state lives on after it stops: it starts once. */
        if (st->kind == S_DAEMON ? o->state[st->name] != UNKNOWN :
            now && o->state[st->name] == OPEN)
            return order_fail(o, st, st->kind == S_DAEMON ? "already started" :
                              "already connected");
        o->state[st->name] = now ? OPEN : UNKNOWN;
        return true;
    }
    if (uses_connection(st->kind) || st->kind == S_STOP_DAEMON ||
        st->kind == S_PAUSE_DAEMON || st->kind == S_RESUME_DAEMON) {
        if (now && o->state[st->name] == CLOSED)
            return order_fail(o, st, st->kind == S_STOP_DAEMON ||
                              st->kind == S_PAUSE_DAEMON || st->kind == S_RESUME_DAEMON ?
                              "the daemon is stopped above" : "the connection is closed above");
        if (st->kind == S_CLOSE_CONNECTION || st->kind == S_STOP_DAEMON)
            o->state[st->name] = now ? CLOSED : UNKNOWN;
        return true;
    }
    if (st->kind == S_EXPECT && st->expect.kind == X_RELEASED &&
        !o->to_daemon[st->expect.name])
        return order_fail(o, st, "'expect released' needs a connection to a daemon "
                          "(connect C daemon:D): only its socket is the loop's to release");
    return true;
}

int scenario_check_client(const struct scenario *sc, char *msg, size_t len)
{
    enum known state[sc->nnames + 1];
    bool to_daemon[sc->nnames + 1];
    struct order o = { sc, state, to_daemon, 0, 0, 0, msg, len };
    int setup_end = scenario_setup_end(sc);

    memset(state, 0, sizeof(state));
    memset(to_daemon, 0, sizeof(to_daemon));
    for (int i = 0; i < sc->nsteps; i++)
        if (!order_step(&o, &sc->steps[i], setup_end))
            return o.line;
    return 0;
}
