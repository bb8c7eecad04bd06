/*
 * generate.c - random programs in the scenario language, from a seed, and
 * their shrinking (prefix generate_).  It chooses which steps a program
 * holds; their words are spelled by the words table (words.c).  Running
 * and judging a program is the runner's.
 *
 * Each program declares a few pipes and registrations, attaches reactions
 * to callbacks and free callbacks (adds, updates, removes of any name, its
 * own included), and then runs a body of top-level operations, fd events,
 * cross-thread operations at virtual times and runs.  It stays within what
 * a correct loop can finish: every READABLE watch drains its pipe when
 * called, a 0 ms timer is given a period or disabled by its own third call
 * at the latest, and updates never set 0, so virtual time always moves.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generate.h"
#include "outfile.h"
#include "words.h"

/* Every step word a program holds is spelled by the table (words.c). */
#define W(kind) words_name(kind)

#define MAX_NAMES 16

struct gen {
    uint64_t rng;
    char *text;
    size_t len, cap;
    int npipes, nhandles, ntimers;
    int nwriters;                     /* W<i>: pipes whose write end is watched */
    int handle_pipe[MAX_NAMES + 1];   /* H<i>: the pipe it watches */
    int at_ms;                        /* the last 'at' time used */
};

static uint64_t next(struct gen *g)
{
    uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int below(struct gen *g, int n)
{
    return (int)(next(g) % (uint64_t)n);
}

static void emit(struct gen *g, const char *fmt, ...)
{
    va_list ap;
    int n;

    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(g->text + g->len, g->cap - g->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && g->len + (size_t)n < g->cap)
            break;
        g->cap = g->cap * 2 + (size_t)n + 256;
        g->text = realloc(g->text, g->cap);
        if (!g->text)
            abort();
    }
    g->len += (size_t)n;
}

static int period(struct gen *g)
{
    static const int ms[] = { -1, -7, 5, 20, 50, 100, 250 };

    return ms[below(g, (int)(sizeof(ms) / sizeof(ms[0])))];
}

/* add's options, now and then: no free callback (R39), a NULL opaque
 * (R40), an allocation that fails (R4: the add may return -1, and must
 * then leave nothing behind), or each of them in turn. */
static const char *add_options(struct gen *g)
{
    static const char *const fails[] = {
        " alloc-fails=1", " alloc-fails=2", " alloc-fails=3", " alloc-fails=each",
    };

    switch (below(g, 12)) {
    case 0: return " ff=none";
    case 1: return " opaque=null";
    case 2: return fails[below(g, 4)];
    default: return "";
    }
}

/* A new handle: its add (after prefix), and the reaction that keeps a
 * level-triggered watch from being ready for ever: a READABLE watch
 * drains its pipe, a WRITABLE one fills its pipe's writer. */
static void new_handle(struct gen *g, const char *prefix)
{
    int h = ++g->nhandles;

    if (g->nwriters && below(g, 4) == 0) {
        int w = 1 + below(g, g->nwriters);
        g->handle_pipe[h] = -w;
        emit(g, "%s%s H%d W%d %s%s\n", prefix, W(S_ADD_HANDLE), h, w,
             below(g, 4) ? "WRITABLE" : "0", add_options(g));
        emit(g, "on cb H%d: %s W%d\n", h, W(S_FILL), w);
        return;
    }
    g->handle_pipe[h] = 1 + below(g, g->npipes);
    emit(g, "%s%s H%d P%d %s%s\n", prefix, W(S_ADD_HANDLE), h, g->handle_pipe[h],
         below(g, 4) ? "READABLE" : "0", add_options(g));
    emit(g, "on cb H%d: %s P%d\n", h, W(S_DRAIN), g->handle_pipe[h]);
}

/* A new timer; a 0 ms one stops being 0 by its third call. */
static void new_timer(struct gen *g, const char *prefix)
{
    int t = ++g->ntimers, ms = below(g, 4) ? period(g) : 0;

    emit(g, "%s%s T%d %d%s\n", prefix, W(S_ADD_TIMEOUT), t, ms, add_options(g));
    if (ms == 0)
        emit(g, "on cb T%d #%d: %s T%d %d\n", t, 1 + below(g, 3), W(S_UPDATE_TIMEOUT),
             t, below(g, 2) ? -1 : 50);
}

/* One operation on the loop, after prefix (a "when" or nothing). */
static void operation(struct gen *g, const char *prefix, bool may_add)
{
    int what = below(g, may_add ? 8 : 6);

    if (what == 6 && g->nhandles < MAX_NAMES) {
        new_handle(g, prefix);
    } else if (what == 7 && g->ntimers < MAX_NAMES) {
        new_timer(g, prefix);
    } else if (what <= 1 && g->nhandles) {
        emit(g, "%s%s H%d %s\n", prefix, W(S_UPDATE_HANDLE), 1 + below(g, g->nhandles),
             below(g, 2) ? "READABLE" : "0");
    } else if (what == 2 && g->nhandles) {
        emit(g, "%s%s H%d\n", prefix, W(S_REMOVE_HANDLE), 1 + below(g, g->nhandles));
    } else if (what == 3 && g->ntimers) {
        emit(g, "%s%s T%d\n", prefix, W(S_REMOVE_TIMEOUT), 1 + below(g, g->ntimers));
    } else if (g->ntimers) {
        emit(g, "%s%s T%d %d\n", prefix, W(S_UPDATE_TIMEOUT), 1 + below(g, g->ntimers),
             period(g));
    } else {
        emit(g, "%s%s P%d\n", prefix, W(S_READABLE), 1 + below(g, g->npipes));
    }
}

/* A reaction: to some callback's k-th call, or to some free callback. */
static void reaction(struct gen *g)
{
    char prefix[48];
    bool handle = g->nhandles && (!g->ntimers || below(g, 2));
    int who = 1 + below(g, handle ? g->nhandles : g->ntimers);

    if (below(g, 4) == 0)
        snprintf(prefix, sizeof(prefix), "on ff %c%d: ", handle ? 'H' : 'T', who);
    else
        snprintf(prefix, sizeof(prefix), "on cb %c%d #%d: ", handle ? 'H' : 'T', who,
                 1 + below(g, 3));
    if (below(g, 5) == 0)       /* a slow callback: other threads act meanwhile */
        emit(g, "%s%s %d\n", prefix, W(S_SLEEP), 5 + below(g, 60));
    else
        operation(g, prefix, true);
}

static void body_step(struct gen *g)
{
    char prefix[48];

    switch (below(g, 10)) {
    case 0:
        emit(g, "%s %d\n", W(S_RUN), 1 + below(g, 3));
        break;
    case 8: {
        static const char *const errs[] = { "EINTR", "EAGAIN", "ENOMEM" };
        emit(g, "%s %s\n", W(S_WAIT_FAILS), errs[below(g, 3)]);
        break;
    }
    case 9:
        if (g->nwriters)
            emit(g, "%s W%d\n", W(S_DRAIN_WRITABLE), 1 + below(g, g->nwriters));
        else if (below(g, 2))   /* an id nobody was given (R7, R8); small */
            emit(g, "%s #%d\n", W(S_REMOVE_TIMEOUT), 999990 + below(g, 9));  /* ones */
        else                    /* may be the harness's own guard timer's */
            emit(g, "%s #%d 0\n", W(S_UPDATE_HANDLE), 999990 + below(g, 9));
        break;
    case 1:
        g->at_ms += 10 + below(g, 200);
        emit(g, "%s %d\n", W(S_RUN_UNTIL), g->at_ms);
        break;
    case 2:
        emit(g, "%s P%d\n", W(S_READABLE), 1 + below(g, g->npipes));
        break;
    case 3:
    case 4:
        g->at_ms += 1 + below(g, 150);
        snprintf(prefix, sizeof(prefix), "at %d thread: ", g->at_ms);
        operation(g, prefix, true);
        break;
    case 5:
        g->at_ms += 1 + below(g, 150);
        snprintf(prefix, sizeof(prefix), "at %d: ", g->at_ms);
        if (below(g, 2))
            emit(g, "%s%s P%d\n", prefix, W(S_READABLE), 1 + below(g, g->npipes));
        else
            operation(g, prefix, true);
        break;
    default:
        operation(g, "", true);
        break;
    }
}

char *generate_program(uint64_t seed, int k)
{
    struct gen g = { .rng = seed * 0x100000001b3ULL ^ (uint64_t)k * 0x9e3779b97f4a7c15ULL };
    int n;

    emit(&g, "id: gen-%llu-%d\n", (unsigned long long)seed, k);
    emit(&g, "title: generated program %d of seed %llu\n", k, (unsigned long long)seed);
    emit(&g, "rules: R14,R20,R21,R29,R30,R34\n");
    emit(&g, "level: MUST\n");
    emit(&g, "why: generated (evconf-run --generate); it has no expectation\n"
             "  lines, so whatever fails is what the runner checks in every\n"
             "  scenario: a rule of the contract broken.\n\n");
    g.npipes = 1 + below(&g, 3);
    for (int p = 1; p <= g.npipes; p++) {
        emit(&g, "%s P%d\n", W(below(&g, 4) ? S_PIPE : S_SOCKET), p);
        if (below(&g, 2))
            emit(&g, "%s P%d\n", W(S_READABLE), p);
    }
    g.nwriters = below(&g, 2);
    for (int w = 1; w <= g.nwriters; w++)
        emit(&g, "%s W%d\n", W(S_PIPE_WRITER), w);
    /* Now and then a watch whose peer goes away: it gets HANGUP (R11), in
     * every iteration until it goes, so its callback removes it. */
    if (below(&g, 3) == 0) {
        emit(&g, "%s PH\n%s HU PH READABLE\non cb HU: %s HU\n", W(S_PIPE),
             W(S_ADD_HANDLE), W(S_REMOVE_HANDLE));
        emit(&g, "at %d: %s PH\n", 1 + below(&g, 400), W(S_CLOSE_PEER));
    }
    n = 1 + below(&g, 3);
    for (int i = 0; i < n; i++)
        new_handle(&g, "");
    n = 1 + below(&g, 3);
    for (int i = 0; i < n; i++)
        new_timer(&g, "");
    n = 2 + below(&g, 5);
    for (int i = 0; i < n; i++)
        reaction(&g);
    n = 4 + below(&g, 8);
    for (int i = 0; i < n; i++)
        body_step(&g);
    emit(&g, "%s %d\n", W(S_RUN_UNTIL), g.at_ms + 500);
    return g.text;
}

/* ---- shrinking ---- */

/* The program of lines[0..n) but lines[skip], a blank line after the
 * header (body is its first step), written as out the way reports are
 * (outfile.h): never through a symlink planted as out. */
static int write_lines(const char *out, char **lines, int n, int skip, int body)
{
    struct outfile of;

    if (!outfile_open(&of, out, 0666))
        return -1;
    for (int j = 0; j < n; j++)
        if (j != skip)
            fprintf(of.f, "%s\n%s", lines[j], j == body - 1 ? "\n" : "");
    return outfile_commit(&of);
}

/* Delete body lines (everything after the header's blank line) one at a
 * time, keeping each deletion after which the program still fails the
 * same way, until a whole pass deletes nothing.  A line whose removal
 * breaks the program (a name used before it is declared) stays, since
 * the broken program does not fail the same way. */
int generate_shrink(const char *text, const char *out,
                   bool (*still_fails)(const char *path, void *ctx), void *ctx)
{
    char **lines = NULL, *copy = strdup(text), *save = NULL;
    int n = 0, body = -1, kept;
    bool changed = true;

    if (!copy)
        return -1;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        lines = realloc(lines, (size_t)(n + 1) * sizeof(*lines));
        lines[n++] = l;
    }
    /* strtok_r skips empty lines: the body starts after "why:" and its
     * continuation lines, at the first line that is not a header. */
    for (int i = 0; i < n && body < 0; i++)
        if (strncmp(lines[i], "id:", 3) && strncmp(lines[i], "title:", 6) &&
            strncmp(lines[i], "rules:", 6) && strncmp(lines[i], "level:", 6) &&
            strncmp(lines[i], "why:", 4) && strncmp(lines[i], "  ", 2))
            body = i;
    kept = n;
    while (changed && body >= 0) {
        changed = false;
        for (int i = body; i < kept; i++) {
            if (write_lines(out, lines, kept, i, body) < 0)
                break;
            if (kept - body > 1 && still_fails(out, ctx)) {
                memmove(&lines[i], &lines[i + 1], (size_t)(kept - i - 1) * sizeof(*lines));
                kept--;
                i--;
                changed = true;
            }
        }
    }
    write_lines(out, lines, kept, -1, body);
    free(lines);
    free(copy);
    return kept - (body < 0 ? 0 : body);
}
