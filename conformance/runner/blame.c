/*
 * blame.c - which side of a binding's C glue deviated (blame.h).
 *
 * The sides, and the rule deciding between them:
 *   the module: the interpreter's method answered what libvirt received
 *     (the module's answer was wrong), or gave no answer the glue could
 *     pass on (undef, None, nil, an exception the glue turned into -1);
 *   the glue: the interpreter's method answered an id, 0 or -1 and libvirt
 *     received something else; the call never reached the interpreter;
 *     or the process died in the glue after the method returned.
 * What the interpreter answered, and on which thread, comes from the
 * adapter's record (evconf.h, evconf_glue; conformance/adapters/
 * glue-log.c); what libvirt received is the runner's own.  The clauses,
 * by rule:
 *   R4, R7  an add's id, a remove's 0 or -1 (blame_op, from observe.c)
 *   R35     a free callback inside an operation (blame_free_inside)
 *   R40     a free callback with a NULL opaque never ran
 *   R45     an operation that died or was unwound (blame_op, rc NULL);
 *           an iteration that failed on its own (blame_iteration)
 *   R16     a crash in dispatch with a NULL opaque due (blame_dispatch)
 *   R42     a crash on a thread other than the loop's (blame_op,
 *           blame_thread; crash.c puts it on an INFO line)
 */
#include <pthread.h>
#include <string.h>

#include "blame.h"
#include "sigtext.h"
#include "evconf.h"
#include "state.h"

static pthread_t loop_thread;
static _Thread_local unsigned long op_mark;
static unsigned long iteration_mark;

/* The record, if the adapter keeps one and its interpreter has started. */
static const struct evconf_glue *glue(void)
{
    const struct evconf_glue *g = scn.impl ? scn.impl->glue : NULL;

    return g && g->language && g->glue ? g : NULL;
}

void blame_start(void)
{
    loop_thread = pthread_self();
}

void blame_op_begins(void)
{
    const struct evconf_glue *g = glue();

    op_mark = g ? g->last() : 0;
}

bool blame_off_loop_thread(void)
{
    return glue() && !pthread_equal(pthread_self(), loop_thread);
}

static void put(struct blame_text *t, const char *s)
{
    sig_put(t->s, sizeof(t->s), &t->n, s);
}

static void put_long(struct blame_text *t, long v)
{
    sig_put_long(t->s, sizeof(t->s), &t->n, v);
}

/* ": the module" or ": Sys::Virt's glue", the clause's last words. */
static void put_side(struct blame_text *t, const struct evconf_glue *g, bool glue_side)
{
    put(t, ": ");
    put(t, glue_side ? g->glue : "the module");
}

/* " on a thread other than the loop's", when it was. */
static void put_thread(struct blame_text *t, unsigned long thread)
{
    if (!pthread_equal((pthread_t)thread, loop_thread))
        put(t, " on a thread other than the loop's");
}

/* The call reached the interpreter: what it answered against what
 * libvirt received (rc NULL: nothing, the process died in the op). */
static void op_reached(struct blame_text *t, const struct evconf_glue *g,
                       const struct evconf_glue_call *c, const long *rc)
{
    bool wrong_in_glue;
    bool raised = !strncmp(c->said, "raised ", 7) || !strncmp(c->said, "died: ", 6);

    put(t, c->returned && !raised ? " returned " : " ");
    put(t, c->said);
    put(t, " in ");
    put(t, g->language);
    put_thread(t, c->thread);
    if (!c->returned) {         /* died inside the interpreter's method */
        put_side(t, g, false);
        return;
    }
    if (!rc) {                  /* returned, then died or unwound in the glue */
        put(t, "; libvirt received nothing");
        put_side(t, g, true);
        return;
    }
    wrong_in_glue = c->has_value && c->value != *rc;
    if (wrong_in_glue || !c->has_value) {
        put(t, "; libvirt received ");
        put_long(t, *rc);
    }
    put_side(t, g, wrong_in_glue);
}

void blame_op(struct blame_text *t, const char *op, const int *id, const long *rc)
{
    const struct evconf_glue *g = glue();
    struct evconf_glue_call c;

    if (!g)
        return;
    put(t, "; ");
    put(t, op);
    if (g->find(op_mark, op, id, &c)) {
        op_reached(t, g, &c, rc);
        return;
    }
    put(t, " never reached ");
    put(t, g->language);
    put_thread(t, (unsigned long)pthread_self());
    if (rc) {
        put(t, "; libvirt received ");
        put_long(t, *rc);
    }
    put_side(t, g, true);
}

/* The latest call of op after number after whose opaque was NULL and,
 * if stuck, that never came back: 1 and *c, else 0. */
static int latest_null_opaque(const struct evconf_glue *g, const char *op,
                              bool stuck, struct evconf_glue_call *c)
{
    struct evconf_glue_call k;
    unsigned long after = 0;
    int found = 0;

    while (g->find(after, op, NULL, &k)) {
        if (k.null_opaque && (!stuck || !k.returned)) {
            *c = k;
            found = 1;
        }
        after = k.seq;
    }
    return found;
}

/* The latest callback handed to the glue with no opaque that did not
 * come back, of either kind: 1 and *c, else 0. */
static int null_opaque_stuck(const struct evconf_glue *g, struct evconf_glue_call *c)
{
    struct evconf_glue_call h, tm;
    int fh = latest_null_opaque(g, "handle_callback", true, &h);
    int ft = latest_null_opaque(g, "timeout_callback", true, &tm);

    if (fh && (!ft || h.seq > tm.seq))
        *c = h;
    else if (ft)
        *c = tm;
    return fh || ft;
}

void blame_dispatch(struct blame_text *t)
{
    const struct evconf_glue *g = glue();
    struct evconf_glue_call c;

    if (!g)
        return;
    if (!null_opaque_stuck(g, &c)) {
        put(t, "; the loop handed no callback with a NULL opaque to ");
        put(t, g->glue);
        put_side(t, g, false);
        return;
    }
    put(t, "; the loop handed the ");
    put(t, c.op);
    put(t, " of id ");
    put_long(t, c.id);
    put(t, " (NULL opaque) to ");
    put(t, g->glue);
    put(t, ", which never reached the runner's callback");
    put_side(t, g, true);
}

void blame_free_null_opaque(struct blame_text *t)
{
    const struct evconf_glue *g = glue();
    struct evconf_glue_call c;

    if (!g)
        return;
    if (g->frees_itself) {
        put(t, "; ");
        put(t, g->glue);
        put(t, " runs free callbacks itself");
        put_side(t, g, true);
    } else if (latest_null_opaque(g, "free_callback", false, &c)) {
        put(t, "; the loop handed a free callback with a NULL opaque to ");
        put(t, g->glue);
        put(t, ", which did not call it");
        put_side(t, g, true);
    } else {
        put(t, "; the loop never handed a free callback with a NULL opaque to ");
        put(t, g->glue);
        put_side(t, g, false);
    }
}

void blame_free_inside(struct blame_text *t)
{
    const struct evconf_glue *g = glue();
    struct evconf_glue_call c;
    unsigned long after = op_mark;

    if (!g)
        return;
    while (g->find(after, "free_callback", NULL, &c)) {
        if (!c.returned) {
            put(t, "; the loop handed it to ");
            put(t, g->glue);
            put(t, " there");
            put_side(t, g, false);
            return;
        }
        after = c.seq;
    }
    put(t, "; ");
    put(t, g->glue);
    put(t, " ran it without the loop handing it over");
    put_side(t, g, true);
}

void blame_thread(struct blame_text *t)
{
    const struct evconf_glue *g = glue();
    struct evconf_glue_call c, open = { .seq = 0 };
    unsigned long after = 0;

    if (!g)
        return;
    while (g->find(after, NULL, NULL, &c)) {
        if (!c.returned && pthread_equal((pthread_t)c.thread, pthread_self()))
            open = c;
        after = c.seq;
    }
    put(t, "; ");
    if (open.seq) {
        put(t, open.op);
        put(t, " did not return in ");
        put(t, g->language);
        put_side(t, g, false);
        return;
    }
    put(t, "nothing reached ");
    put(t, g->language);
    put(t, " on that thread");
    put_side(t, g, true);
}

void blame_iteration_begins(void)
{
    const struct evconf_glue *g = glue();

    iteration_mark = g ? g->last() : 0;
}

const char *blame_iteration(struct blame_text *t)
{
    const struct evconf_glue *g = glue();
    struct evconf_glue_call c;
    unsigned long after = iteration_mark;

    if (!g)
        return t->s;
    while (g->find(after, NULL, NULL, &c)) {
        if (!strncmp(c.said, "raised ", 7) || !strncmp(c.said, "died: ", 6) ||
            !c.returned)
            return t->s;        /* through the glue: not decided here */
        after = c.seq;
    }
    put(t, "; no call through ");
    put(t, g->glue);
    put(t, " raised in it");
    put_side(t, g, false);
    return t->s;
}
