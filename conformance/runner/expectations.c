/*
 * expectations.c - a scenario's expect lines (prefix expectation_),
 * checked where they stand, against everything observed so far: each
 * kind measures what it is about (a count, the K-th call, the free
 * callback, a close, an fd), and the measure is then judged against the
 * line's comparison, mask or reason.
 *
 * It reads what observe.c recorded and ops.c anchored; it records
 * nothing, and reading the line is parse-expect.c's.
 */
#include <fcntl.h>
#include <stdio.h>

#include <libvirt/libvirt.h>

#include "client.h"
#include "expectations.h"
#include "observe.h"
#include "records.h"

/* The moment an anchored value refers to (not for ANCHOR_NONE). */
static const struct anchor_point *anchor_of(const struct value *v)
{
    const struct reg *r = &scn.regs[v->name];

    return v->anchor == ANCHOR_MARK ? &r->op.mark_at :
           v->anchor == ANCHOR_ADD ? &r->op.add_at :
           v->anchor == ANCHOR_UPDATE ? &r->op.update_at : &r->op.remove_at;
}

/* Calls of r that came after the anchor with that seq. */
static int calls_since(const struct reg *r, long seq)
{
    int n = 0;

    for (int i = r->seen.ncalls - 1; i >= 0 && r->seen.calls[i].seq > seq; i--)
        n++;
    return n;
}

/* The value a comparison is against: a number, or an anchor's iteration
 * (for iteration comparisons) or time in ms, plus the offset. */
static bool resolve(const struct value *v, bool want_iter, int64_t *out,
                    const char **missing)
{
    const struct anchor_point *a;

    if (v->anchor == ANCHOR_NONE) {
        *out = want_iter ? v->offset : v->offset * SIM_NS_PER_MS;
        return true;
    }
    a = anchor_of(v);
    if (!a->set) {
        *missing = state_name(v->name);
        return false;
    }
    *out = want_iter ? a->iter + v->offset : a->ns + v->offset * SIM_NS_PER_MS;
    return true;
}

/* tol widens every comparison by that much (times in real-time mode);
 * late widens upper bounds only: the machine's delay (sim_late_ns()) makes
 * things later, never earlier.  Lower bounds judge actual, upper bounds
 * upto (a count in real time: see measure_count). */
static bool compare(int64_t actual, int64_t upto, enum cmp cmp, int64_t a,
                    int64_t b, int64_t tol, int64_t late)
{
    switch (cmp) {
    case CMP_EQ: return actual >= a - tol && upto <= a + tol + late;
    case CMP_NE: return actual != a;
    case CMP_LT: return upto < a + tol + late;
    case CMP_LE: return upto <= a + tol + late;
    case CMP_GT: return actual > a - tol;
    case CMP_GE: return actual >= a - tol;
    default: return actual >= a - tol && upto <= b + tol + late;
    }
}

/* The nth call (-1: the last), counting from the first call after the
 * anchor with seq `after` (0: from the start). */
static const struct call *nth_call(const struct reg *r, int nth, long after)
{
    int first = r->seen.ncalls - calls_since(r, after);
    int i = nth < 0 ? r->seen.ncalls - 1 : first + nth - 1;

    return i >= first && i < r->seen.ncalls ? &r->seen.calls[i] : NULL;
}

/* What an expectation found, before it is compared. */
struct measured {
    bool ok;                /* false: it failed already, and got says why */
    bool want_iter;         /* its value is an iteration (or a count), not a time */
    bool is_time;           /* actual is a virtual time, in ns */
    bool compares;          /* actual is compared against the line's value(s) */
    int64_t actual;
    int64_t upto;           /* what upper bounds judge: actual, or fewer */
    const struct call *c;   /* the call (or event) a call expectation is about */
    int released;           /* expect released: client_released() */
    char got[200];
};

/* The seq of the anchor after 'since', 0 if none; false (with got) if it
 * has not happened. */
static bool since_seq(const struct expect *x, struct measured *m, long *seq)
{
    const struct anchor_point *s;

    *seq = 0;
    if (x->since.anchor == ANCHOR_NONE)
        return true;
    s = anchor_of(&x->since);
    if (!s->set) {
        m->ok = false;
        snprintf(m->got, sizeof(m->got), "'%s' has not happened",
                 state_name(x->since.name));
        return false;
    }
    *seq = s->seq;
    return true;
}

/* Of r's last n calls, those after the last run-until's own end: in
 * real time, where the phase ran on to give the machine's delay back,
 * fires virtual time would not have had yet (upper bounds leave them
 * out). */
static int calls_after_phase(const struct reg *r, int64_t n)
{
    int k = 0;

    if (!sim_realtime() || scn.loop.phase_end_ns == 0)
        return 0;
    for (int i = r->seen.ncalls - 1; i >= 0 && k < n &&
         r->seen.calls[i].ns > scn.loop.phase_end_ns; i--)
        k++;
    return k;
}

/* expect calls|frees|per-iteration|id: a count (or an id). */
static void measure_count(const struct expect *x, const struct reg *r,
                          struct measured *m)
{
    long seq;

    m->want_iter = true;
    switch (x->kind) {
    case X_CALLS:
        m->actual = r->seen.ncalls;
        if (x->since.anchor != ANCHOR_NONE && since_seq(x, m, &seq))
            m->actual = calls_since(r, seq);
        m->upto = m->actual - calls_after_phase(r, m->actual);
        return;
    case X_FREES:
        m->actual = r->seen.nfrees;
        break;
    case X_PER_ITER:
        m->actual = r->seen.max_per_iter;
        break;
    default:
        m->actual = r->op.id;
        break;
    }
    m->upto = m->actual;
}

/* expect call ... at|iteration|events, expect event: the K-th call. */
static void measure_call(const struct expect *x, const struct reg *r,
                         struct measured *m)
{
    long after;

    if (!since_seq(x, m, &after))
        return;
    m->c = nth_call(r, x->nth, after);
    if (!m->c) {
        int n = calls_since(r, after);
        m->ok = false;
        snprintf(m->got, sizeof(m->got), x->kind == X_EVENT ? "%s got %d event%s%s" :
                 "%s was called %d time%s%s", state_name(x->name),
                 n, n == 1 ? "" : "s", after ? " since then" : "");
        return;
    }
    m->want_iter = x->kind == X_CALL_ITER;
    m->is_time = x->kind == X_CALL_AT;
    m->actual = m->upto = m->is_time ? m->c->ns : m->c->iter;
}

/* expect free ... iteration|at */
static void measure_free(const struct expect *x, const struct reg *r,
                         struct measured *m)
{
    if (!r->seen.free_at.set) {
        m->ok = false;
        snprintf(m->got, sizeof(m->got), "%s has not been freed", state_name(x->name));
        return;
    }
    m->want_iter = x->kind == X_FREE_ITER;
    m->is_time = x->kind == X_FREE_AT;
    m->actual = m->upto = m->is_time ? r->seen.free_at.ns : r->seen.free_at.iter;
}

/* expect closed C REASON [at ...]; NONE, in real time, says what held
 * at the last run-until's own end (see calls_after_phase). */
static void measure_closed(const struct expect *x, const struct reg *r,
                           struct measured *m)
{
    bool later = x->mask < 0 && sim_realtime() && scn.loop.phase_end_ns != 0 &&
                 r->conn.close_ns > scn.loop.phase_end_ns;

    m->ok = r->conn.close_reason == x->mask || later;
    snprintf(m->got, sizeof(m->got), r->conn.close_reason < 0 ? "it was not closed" :
             "it was %s", scenario_close_reason_name(r->conn.close_reason));
    /* With `at`, its time is then compared as a call's is. */
    m->compares = x->timed;
    m->is_time = true;
    m->actual = m->upto = r->conn.close_ns;
}

/* expect released C: client_released() said, before the lock */
static void measure_released(const struct expect *x, const struct reg *r,
                             struct measured *m)
{
    (void)x;
    (void)r;
    m->ok = m->released > 0;
    m->compares = false;
}

/* expect fd P open|flags-unchanged (R17) */
static void measure_fd(const struct expect *x, const struct reg *r,
                       struct measured *m)
{
    if (x->kind == X_FD_OPEN) {
        m->ok = fcntl(r->file.fd.fd, F_GETFD) != -1;
        snprintf(m->got, sizeof(m->got), "fd %d is closed", r->file.fd.fd);
    } else {
        m->ok = check_fd_flags_as_created(r, m->got, sizeof(m->got));
    }
    m->compares = false;
}

/* What each kind of expectation measures. */
static void (*const measures[])(const struct expect *x, const struct reg *r,
                                struct measured *m) = {
    [X_CALLS] = measure_count, [X_FREES] = measure_count,
    [X_PER_ITER] = measure_count, [X_ID] = measure_count,
    [X_CALL_AT] = measure_call, [X_CALL_ITER] = measure_call,
    [X_CALL_EVENTS] = measure_call, [X_EVENT] = measure_call,
    [X_FREE_ITER] = measure_free, [X_FREE_AT] = measure_free,
    [X_CLOSED] = measure_closed, [X_RELEASED] = measure_released,
    [X_FD_OPEN] = measure_fd, [X_FD_FLAGS] = measure_fd,
};
_Static_assert(sizeof(measures) / sizeof(measures[0]) == X_RELEASED + 1,
               "an expectation kind measures nothing");

/* A call's events against the line's mask (expect event, expect call
 * ... events). */
static void judge_events(const struct expect *x, struct measured *m)
{
    char mask[64];

    if (x->kind == X_EVENT) {
        m->ok = m->c->events == x->mask;
        snprintf(m->got, sizeof(m->got), "it was %s",
                 scenario_event_name(m->c->events));
        return;
    }
    m->ok = x->mask_test == MASK_EQ ? m->c->events == x->mask :
            x->mask_test == MASK_HAS ? (m->c->events & x->mask) == x->mask :
            (m->c->events & ~x->mask) == 0;
    scenario_mask_format(m->c->events, mask, sizeof(mask));
    snprintf(m->got, sizeof(m->got), "events were %s", mask);
}

/* What was measured against the line's comparison. */
static void judge_value(const struct expect *x, struct measured *m)
{
    const char *missing = NULL;
    int64_t a = 0, b = 0;

    if (!resolve(&x->v, m->want_iter, &a, &missing) ||
        (x->cmp == CMP_RANGE && !resolve(&x->v2, m->want_iter, &b, &missing))) {
        m->ok = false;
        snprintf(m->got, sizeof(m->got), "'%s' has not happened", missing);
        return;
    }
    m->ok = compare(m->actual, m->upto, x->cmp, a, b, m->is_time ? scn.tolerance_ns : 0,
                    m->is_time ? sim_late_ns() : 0);
    if (m->is_time)
        snprintf(m->got, sizeof(m->got), "it was %sat %lld.%03lld ms",
                 x->kind == X_CLOSED ? "closed " : "",
                 (long long)(m->actual / SIM_NS_PER_MS),
                 (long long)(m->actual % SIM_NS_PER_MS / 1000));
    else if (m->upto != m->actual)
        snprintf(m->got, sizeof(m->got), "it was %lld (%lld up to run-until's end)",
                 (long long)m->actual, (long long)m->upto);
    else
        snprintf(m->got, sizeof(m->got), "it was %lld", (long long)m->actual);
}

void expectation_check(const struct step *st)
{
    const struct expect *x = &st->expect;
    enum level level = x->has_level ? x->level : scn.sc->level;
    struct measured m = { .ok = true, .compares = true };

    if (x->kind == X_RELEASED)
        m.released = client_released(x->name, m.got, sizeof(m.got));
    if (m.released < 0) {
        check_scenario_error(st, "%s", m.got);
        return;
    }
    pthread_mutex_lock(&scn.lock);
    measures[x->kind](x, &scn.regs[x->name], &m);
    if (m.ok && (x->kind == X_EVENT || x->kind == X_CALL_EVENTS))
        judge_events(x, &m);
    else if (m.ok && m.compares)
        judge_value(x, &m);
    pthread_mutex_unlock(&scn.lock);
    if (m.ok)
        sim_trace("expect", "ok: %s", st->text);
    else
        check_fail(level, scn.sc->rules, "line %d: %s; but %s", st->line,
                   st->text, m.got);
}
