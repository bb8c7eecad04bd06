/*
 * parse.c - read a scenario file (prefix parse_; scenario_parse() and
 * scenario_free() for the rest of the runner; the language:
 * scenarios/README.md).
 *
 * Line by line: "key: value" header lines, then steps.  A step may start
 * with a prefix that says when it runs ("at 200:", "at 200 thread:",
 * "on cb NAME [#k]:", "on ff NAME:").  Every error names the file and line
 * and says what was expected there.  This file reads headers, prefixes
 * and whole lines, and says where a step may stand; a step's own words
 * are parse-steps.c's and parse-expect.c's, numbers lex.c's, names
 * names.c's.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parser.h"

#define MAX_TOKENS 16
/* A scenario's id goes into file names, --filter patterns, expectation
 * files, JUnit's classname and the terminal: letters, digits, '.', '_'
 * and '-', starting with a letter or a digit, and not too long. */
#define ID_MAX 64

/* "at 200:", "at 200 thread:", "on cb NAME [#k]:", "on ff NAME:" */
static bool parse_when(struct parser *p, char **tok, int *ntok, int *first,
                       struct step *st)
{
    int colon = -1;
    int64_t v;

    st->when = WHEN_NOW;
    if (strcmp(tok[0], "at") && strcmp(tok[0], "on"))
        return true;
    for (int i = 0; i < *ntok && colon < 0; i++) {
        size_t n = strlen(tok[i]);
        if (n && tok[i][n - 1] == ':') {
            tok[i][n - 1] = '\0';
            colon = i;
        }
    }
    if (colon < 0 || colon + 1 >= *ntok)
        return lex_fail(p, "expected 'at MS [thread]: STEP' or 'on cb|ff NAME [#K]: STEP'");
    if (!strcmp(tok[0], "at")) {
        if (colon > 2 || (colon == 2 && strcmp(tok[2], "thread")))
            return lex_fail(p, "expected 'at MS:' or 'at MS thread:'");
        if (!lex_num(p, tok[1], &v, "a virtual time in ms", 0, SCENARIO_MAX_MS))
            return false;
        if (++p->nat > SCENARIO_MAX_AT)
            return lex_fail(p, "more than %d 'at' steps", SCENARIO_MAX_AT);
        st->at_ms = v;
        st->when = colon == 2 ? WHEN_AT_THREAD : WHEN_AT;
    } else {
        if (colon < 2 || colon > 3 || (strcmp(tok[1], "cb") && strcmp(tok[1], "ff")))
            return lex_fail(p, "expected 'on cb NAME [#K]:' or 'on ff NAME:'");
        st->when = tok[1][0] == 'c' ? WHEN_ON_CB : WHEN_ON_FF;
        st->on_name = names_lookup(p, tok[2], -1, "a registration name");
        if (st->on_name < 0)
            return false;
        st->on_nth = 0;
        if (colon == 3 && !lex_nth(p, tok[3], &st->on_nth))
            return false;
    }
    *first = colon + 1;
    return true;
}

/* An id of ID_MAX bytes or fewer, of [A-Za-z0-9._-], that starts with a
 * letter or a digit (so that it reads as no option and no path). */
static bool valid_id(const char *id)
{
    size_t n = strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                          "0123456789._-");

    return id[n] == '\0' && n >= 1 && n <= ID_MAX && !strchr("._-", id[0]);
}

/* "R29" or "R29,R28": each a rule of docs/contract.md. */
static bool valid_rules(struct parser *p, const char *val)
{
    char buf[256], *save = NULL;

    snprintf(buf, sizeof(buf), "%s", val);
    for (char *r = strtok_r(buf, ",", &save); r; r = strtok_r(NULL, ",", &save)) {
        char *end;
        long n = r[0] == 'R' ? strtol(r + 1, &end, 10) : 0;
        if (r[0] != 'R' || !isdigit((unsigned char)r[1]) || *end || n < 1 ||
            n > CONTRACT_RULES)
            return lex_fail(p, "expected rules R1 to R%d, comma-separated (docs/contract.md), "
                            "found '%s'", CONTRACT_RULES, r);
    }
    return true;
}

static bool parse_header(struct parser *p, char *key, char *val)
{
    struct scenario *sc = p->sc;
    char **slot = !strcmp(key, "id") ? &sc->id : !strcmp(key, "title") ? &sc->title :
                  !strcmp(key, "rules") ? &sc->rules : !strcmp(key, "why") ? &sc->why : NULL;

    while (isspace((unsigned char)*val))
        val++;
    if (!*val)
        return lex_fail(p, "expected a value after '%s:'", key);
    p->last_header = NULL;
    if (slot) {
        if (*slot)
            return lex_fail(p, "'%s:' given twice", key);
        if (slot == &sc->rules && !valid_rules(p, val))
            return false;
        if (slot == &sc->id)
            p->id_line = p->line;
        *slot = strdup(val);
        p->last_header = slot;
        p->last_len = strlen(val);
        p->last_cap = p->last_len + 1;
        return true;
    }
    if (!strcmp(key, "level")) {
        if (!strcmp(val, "MUST"))
            sc->level = LEVEL_MUST;
        else if (!strcmp(val, "SHOULD"))
            sc->level = LEVEL_SHOULD;
        else if (!strcmp(val, "INFO"))
            sc->level = LEVEL_INFO;
        else
            return lex_fail(p, "expected MUST, SHOULD or INFO, found '%s'", val);
        return true;
    }
    if (!strcmp(key, "clock")) {
        if (strcmp(val, "real") && strcmp(val, "virtual"))
            return lex_fail(p, "expected 'clock: real' or 'clock: virtual'");
        sc->realtime = !strcmp(val, "real");
        return true;
    }
    if (!strcmp(key, "guard")) {
        if (strcmp(val, "none") && strcmp(val, "yes"))
            return lex_fail(p, "expected 'guard: none' or 'guard: yes'");
        sc->guard = !strcmp(val, "yes");
        return true;
    }
    return lex_fail(p, "unknown header '%s:' (expected id, title, rules, level, "
                    "why, guard or clock)", key);
}

/* An indented line continues the header above it.  The header's length
 * and room are kept, so that a header of many lines is read in linear
 * time, not re-measured and re-allocated at each line. */
static bool continue_header(struct parser *p, const char *line)
{
    size_t n = strlen(line);

    if (p->last_len + n + 2 > p->last_cap) {
        size_t cap = (p->last_len + n + 2) * 2;
        char *grown = realloc(*p->last_header, cap);
        if (!grown)
            return lex_fail(p, "out of memory");
        *p->last_header = grown;
        p->last_cap = cap;
    }
    (*p->last_header)[p->last_len] = ' ';
    memcpy(*p->last_header + p->last_len + 1, line, n + 1);
    p->last_len += n + 1;
    return true;
}

/* What a step cannot be, whatever its words: said against its line. */
static bool step_allowed(struct parser *p, const struct step *st,
                         const char *word)
{
    if (st->when != WHEN_NOW && (st->kind == S_RUN || st->kind == S_RUN_UNTIL ||
                                 st->kind == S_EXPECT || st->kind == S_REGISTER_DEFAULT))
        return lex_fail(p, "'%s' cannot be scheduled or run from a callback", word);
    if (st->when == WHEN_NOW && st->kind == S_SLEEP)
        return lex_fail(p, "'sleep' belongs in a callback ('on cb NAME: sleep MS')");
    if ((st->when == WHEN_ON_CB && st->on_nth == 0) &&
        (st->kind == S_ADD_HANDLE || st->kind == S_ADD_TIMEOUT))
        return lex_fail(p, "an add from a callback must say which call ('on cb "
                        "NAME #K:'): a name is added once");
    return true;
}

/* A name is added once: remember the line of its add step. */
static bool note_add(struct parser *p, const struct step *st)
{
    struct scenario *sc = p->sc;

    if (st->kind != S_ADD_HANDLE && st->kind != S_ADD_TIMEOUT)
        return true;
    if (st->name >= p->added_cap) {
        int cap2 = sc->names_cap;
        int *a = realloc(p->added_at, (size_t)cap2 * sizeof(*a));
        if (!a)
            return lex_fail(p, "out of memory");
        memset(a + p->added_cap, 0, (size_t)(cap2 - p->added_cap) * sizeof(*a));
        p->added_at = a;
        p->added_cap = cap2;
    }
    if (p->added_at[st->name])
        return lex_fail(p, "'%s' is added twice (first on line %d); use a new name",
                        sc->names[st->name], p->added_at[st->name]);
    p->added_at[st->name] = p->line;
    return true;
}

/* One step line into *st, and st onto the scenario.  What st holds
 * (st->text, st->str) is the caller's to free when this fails. */
static bool parse_step_line(struct parser *p, char *line, struct step *st)
{
    struct scenario *sc = p->sc;
    char *tok[MAX_TOKENS];
    int ntok = 0, first = 0;

    st->line = p->line;
    st->text = strdup(line);
    if (!lex_split(p, line, tok, MAX_TOKENS, &ntok) ||
        !parse_when(p, tok, &ntok, &first, st) ||
        !parse_step(p, tok + first, ntok - first, st) ||
        !step_allowed(p, st, tok[first]) || !note_add(p, st))
        return false;
    if (sc->nsteps == sc->steps_cap) {
        int cap2 = sc->steps_cap ? sc->steps_cap * 2 : 16;
        struct step *steps = realloc(sc->steps, (size_t)cap2 * sizeof(*steps));
        if (!steps)
            return lex_fail(p, "out of memory");
        sc->steps = steps;
        sc->steps_cap = cap2;
    }
    sc->steps[sc->nsteps++] = *st;
    return true;
}

static bool parse_line(struct parser *p, char *line)
{
    struct step st = { .name = -1, .fd_name = -1, .on_name = -1 };
    bool indented = *line == ' ' || *line == '\t';
    char *s, *colon;

    while (isspace((unsigned char)*line))
        line++;
    s = line + strlen(line);
    while (s > line && isspace((unsigned char)s[-1]))
        *--s = '\0';
    if (!*line || *line == '#') {
        p->last_header = NULL;
        return true;
    }
    if (indented && p->last_header)
        return continue_header(p, line);
    p->last_header = NULL;
    /* "key: value", where key is one word: a header line. */
    colon = strpbrk(line, " \t:");
    if (colon && *colon == ':') {
        *colon = '\0';
        return parse_header(p, line, colon + 1);
    }
    if (parse_step_line(p, line, &st))
        return true;
    free(st.text);              /* not kept: nothing of it may leak */
    free(st.str);
    return false;
}

/* The lines of f (closed here) as the scenario named path. */
static struct scenario *parse_stream(FILE *f, const char *path, char *err,
                                     size_t errlen)
{
    struct parser p = { .path = path, .err = err, .errlen = errlen };
    char *line = NULL;
    size_t cap = 0;

    p.sc = calloc(1, sizeof(*p.sc));
    p.sc->path = strdup(path);
    p.sc->level = LEVEL_MUST;
    p.sc->guard = true;
    while (getline(&line, &cap, f) >= 0) {
        p.line++;
        if (!parse_line(&p, line))
            break;
    }
    free(line);
    fclose(f);
    free(p.slots);
    free(p.added_at);
    if (!p.failed) {
        const char *missing = !p.sc->id ? "id" : !p.sc->title ? "title" :
                              !p.sc->rules ? "rules" : !p.sc->why ? "why" : NULL;
        p.line = 1;
        if (missing)
            lex_fail(&p, "missing '%s:' header", missing);
        else if (!valid_id(p.sc->id)) {
            p.line = p.id_line;
            lex_fail(&p, "an id is 1 to %d letters, digits, '.', '_' or '-', starting with a "
                     "letter or a digit; found '%.*s'%s", ID_MAX, ID_MAX, p.sc->id,
                     strlen(p.sc->id) > ID_MAX ? "..." : "");
        }
        else if (p.sc->nsteps == 0)
            lex_fail(&p, "no steps");
    }
    if (!p.failed) {
        char why[300];
        int line = scenario_check_client(p.sc, why, sizeof(why));
        if (line > 0) {
            p.line = line;
            lex_fail(&p, "%s", why);
        }
    }
    if (p.failed) {
        scenario_free(p.sc);
        return NULL;
    }
    return p.sc;
}

struct scenario *scenario_parse(const char *path, char *err, size_t errlen)
{
    /* O_NONBLOCK: a FIFO named *.scn must not block the runner. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    FILE *f;

    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        close(fd);
        return NULL;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    if (!(f = fdopen(fd, "r"))) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    return parse_stream(f, path, err, errlen);
}

struct scenario *scenario_parse_text(const char *path, const char *text, char *err,
                                     size_t errlen)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");

    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    return parse_stream(f, path, err, errlen);
}

void scenario_free(struct scenario *sc)
{
    if (!sc)
        return;
    for (int i = 0; i < sc->nnames; i++)
        free(sc->names[i]);
    for (int i = 0; i < sc->nsteps; i++)
        free(sc->steps[i].text);
    for (int i = 0; i < sc->nsteps; i++)
        free(sc->steps[i].str);
    free(sc->names);
    free(sc->kinds);
    free(sc->steps);
    free(sc->path);
    free(sc->id);
    free(sc->title);
    free(sc->rules);
    free(sc->why);
    free(sc);
}

