/*
 * parser.h - what the scenario parser's files share (parse.c, lex.c,
 * names.c, parse-steps.c, parse-expect.c); the rest of the runner sees
 * only scenario.h.
 *
 * One struct parser reads one file: where it is (path, line), where an
 * error goes (the first one wins: lex_fail), the header being continued,
 * and the table of names the steps declare.
 */
#ifndef EVCONF_PARSER_H
#define EVCONF_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

struct parser {
    struct scenario *sc;
    const char *path;
    int line;
    char *err;
    size_t errlen;
    bool failed;
    char **last_header;       /* an indented line continues it */
    int id_line;              /* the line of 'id:' */
    size_t last_len, last_cap;  /* its length and its room */
    int nat;                  /* 'at' steps so far */
    int *slots;               /* names by hash: index + 1, 0 for empty */
    int nslots;
    int *added_at;            /* by name: the line of its add step, or 0 */
    int added_cap;
};

/* lex.c: the error of the line being read ("file:line: message"), once;
 * returns false, so that a parser can "return lex_fail(...)". */
bool lex_fail(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A number from min to max, named what in the error. */
bool lex_num(struct parser *p, const char *s, int64_t *out, const char *what,
             int64_t min, int64_t max);
/* Any int: ids, fds, timeouts, return values. */
bool lex_int(struct parser *p, const char *s, int64_t *out, const char *what);
/* READABLE|WRITABLE|ERROR|HANGUP, or 0. */
bool lex_mask(struct parser *p, const char *s, int *out);
/* #K (K >= 1), or #last (-1). */
bool lex_nth(struct parser *p, const char *s, int *nth);
/* The words of line (split in place, at blanks) into tok[max]. */
bool lex_split(struct parser *p, char *line, char **tok, int max, int *ntok);

/* names.c: a name's index, or -1 (names_find: nothing reported). */
int names_find(const struct parser *p, const char *s);
/* Declare a name (a first add, fd or mark) or find it again. */
int names_declare(struct parser *p, const char *s, enum name_kind kind);
/* A name used before: any registration (want -1), or one of kind want. */
int names_lookup(struct parser *p, const char *s, int want, const char *what);

/* parse-steps.c: one step, its words split and any when-prefix removed. */
bool parse_step(struct parser *p, char **tok, int ntok, struct step *st);
/* parse-expect.c: an expect line (tok[0] is "expect"). */
bool parse_expect(struct parser *p, char **tok, int ntok, struct step *st);

#endif
