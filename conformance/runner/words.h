/*
 * words.h - the scenario language's words, in one table (prefix words_).
 *
 * Every step word and every expectation word is one row of words.c: how
 * it is written, the shape of its arguments, its kind (what part of the
 * run it acts on), its name in the trace, and one line saying what it
 * does.  The parser (parse.c) recognises words only through this table,
 * the generator (generate.c) spells them through it, the trace names its
 * operations from it, and the language reference's tables in
 * conformance/scenarios/README.md are printed from it (evconf-words,
 * make words-doc), so that a word cannot be parsed and yet be missing
 * from the generator's spelling, the trace or the reference.
 *
 * This file does not parse arguments, and does not choose which words a
 * generated program uses: it only names them.
 */
#ifndef EVCONF_WORDS_H
#define EVCONF_WORDS_H

#include <stdbool.h>
#include <stdio.h>

#include "scenario.h"

/* What a word acts on. */
enum word_class {
    WORD_FD,        /* a file descriptor the script owns (set-up and fd events) */
    WORD_OP,        /* one of the six operations on the loop */
    WORD_RUN,       /* running the loop, and the script's own clock */
    WORD_CLIENT,    /* a libvirt client over the loop (client.c) */
    WORD_DAEMON,    /* a private libvirtd, in real time */
    WORD_EXPECT,    /* an expectation: the word after 'expect' */
};

/* Which table of the language reference a row belongs to. */
enum words_section {
    WORDS_STEPS, WORDS_EXPECTATIONS, WORDS_CLIENT, WORDS_DAEMON, WORDS_NSECTIONS,
};

struct word {
    const char *text;       /* as written: "add-handle"; for WORD_EXPECT, "call" */
    const char *sub;        /* WORD_EXPECT: the word that picks the kind ("at");
                               a step's variant: its option word ("closed"); or NULL */
    int kind;               /* enum step_kind, or enum expect_kind for WORD_EXPECT */
    enum word_class cls;
    enum words_section section;
    bool variant;           /* another form of the row above it: documentation only */
    const char *args;       /* its arguments' shape: "H P EVENTS" */
    const char *trace;      /* its name in the trace ("add_handle"), or NULL */
    const char *join;       /* the reference prints the next row's form on this
                               row, after this separator; NULL: a row of its own */
    const char *doc;        /* one line: what it does or checks */
};

/* The rows, in the order of the language reference; n is their number. */
extern const struct word words_table[];
extern const int words_count;

/* The step that text names, or NULL: never a variant or an expectation. */
const struct word *words_step(const char *text);
/* The expectation that text (the word after 'expect') and sub name: with
 * sub NULL, the first row of that word; NULL if none. */
const struct word *words_expect(const char *text, const char *sub);
/* The variant row of a step kind whose option word is sub:
 * "closed" in `run-until MS closed C`; NULL if none. */
const struct word *words_option(enum step_kind kind, const char *sub);
/* A step kind's word as written ("add-handle"), and its name in the trace
 * ("add_handle"; its word if it has none). */
const char *words_name(enum step_kind kind);
const char *words_trace(enum step_kind kind);
/* What a step kind acts on (WORD_FD, WORD_OP...). */
enum word_class words_class(enum step_kind kind);
/* The language reference's table for one section, in Markdown, to f. */
void words_print_section(FILE *f, enum words_section section);
/* The section named name ("steps", "expectations", "client", "daemon"),
 * or -1. */
int words_section_by_name(const char *name);

#endif
