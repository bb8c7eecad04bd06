/*
 * glue-log.c - the record of the calls that cross a binding's C glue
 * (glue-log.h), exported to the runner as evconf_glue() (evconf.h).
 *
 * A ring of the latest calls, each in slot seq % GLUE_LOG_CALLS.  Writers
 * (the interpreter's thread, or any thread the glue is called on) take a
 * lock; the runner's reader does not, since it also reads from a handler
 * of a fatal signal: a slot being rewritten is told by its seq.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "glue-log.h"

#define GLUE_LOG_CALLS 256

static struct evconf_glue_call calls[GLUE_LOG_CALLS];
static unsigned long latest;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

unsigned long glue_log_enter(const char *op, int id, bool null_opaque)
{
    struct evconf_glue_call *c;
    unsigned long seq;

    pthread_mutex_lock(&lock);
    seq = ++latest;
    c = &calls[seq % GLUE_LOG_CALLS];
    memset(c, 0, sizeof(*c));
    snprintf(c->op, sizeof(c->op), "%s", op);
    c->id = id;
    c->null_opaque = null_opaque;
    c->thread = (unsigned long)pthread_self();
    snprintf(c->said, sizeof(c->said), "nothing: it did not return");
    __atomic_store_n(&c->seq, seq, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&lock);
    return seq;
}

void glue_log_leave(unsigned long seq, bool has_value, long value, const char *said)
{
    struct evconf_glue_call *c = &calls[seq % GLUE_LOG_CALLS];

    pthread_mutex_lock(&lock);
    if (c->seq == seq) {
        c->has_value = has_value;
        c->value = value;
        if (has_value && !strncmp(c->op, "add_", 4))
            c->id = (int)value;
        snprintf(c->said, sizeof(c->said), "%s", said ? said : "?");
        c->returned = 1;
    }
    pthread_mutex_unlock(&lock);
}

/* The first matching call after number after (evconf.h).  No lock: the
 * runner may ask from a signal handler on a thread that holds it. */
static int find(unsigned long after, const char *op, const int *id,
                struct evconf_glue_call *out)
{
    unsigned long best = 0;

    for (int i = 0; i < GLUE_LOG_CALLS; i++) {
        const struct evconf_glue_call *c = &calls[i];
        unsigned long seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
        if (seq <= after || (best && seq >= best) || (op && strcmp(c->op, op)) ||
            (id && c->id != *id))
            continue;
        *out = *c;
        best = seq;
    }
    return best != 0;
}

static unsigned long last(void)
{
    return __atomic_load_n(&latest, __ATOMIC_ACQUIRE);
}

static struct evconf_glue table = { .find = find, .last = last };

/* Named once the interpreter starts: until then the runner reads the
 * table as no record (language NULL). */
void glue_log_init(const char *language, const char *glue, bool frees_itself)
{
    table.frees_itself = frees_itself;
    table.glue = glue;
    table.language = language;
}

const struct evconf_glue *evconf_glue(void)
{
    return &table;
}
