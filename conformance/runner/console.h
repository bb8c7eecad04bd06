/*
 * console.h - text from outside the runner (what a loop prints, its
 * name, a scenario's id, title and path, an expectation's reason) made
 * safe to print on a terminal.
 *
 * A terminal obeys what it is sent: ESC and CSI sequences retitle the
 * window, clear the screen or paint a fake "ok"; a carriage return
 * overwrites the runner's own words; a bidi override reverses what
 * follows.  Every such character is shown instead in a visible notation
 * (\x1b, \r, \u009b, \u202e), and so is every byte that is not UTF-8.
 * The runner's own escape sequences (its colours) never pass through
 * here.  Prefix con_.  This is the escaping only: what is printed, and
 * when, is show.c's.
 */
#ifndef EVCONF_CONSOLE_H
#define EVCONF_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

/* s (NULL reads as ""), made visible.  The string lives until this is
 * called CON_SLOTS more times: enough for the arguments of one printf. */
#define CON_SLOTS 16
const char *con_esc(const char *s);
/* The same for the first n bytes of s (fewer if a NUL comes first). */
const char *con_escn(const char *s, size_t n);
/* The same into buf (len >= 1), cut at a character, never inside one or
 * inside a notation; returns buf. */
char *con_esc_into(char *buf, size_t len, const char *s);
/* Whether code point cp, though valid UTF-8, acts on a terminal or on
 * how the text around it reads (C1 controls, bidi overrides, invisible
 * formatting): the reports show these too (report.c). */
bool con_is_hidden(unsigned cp);

/* s as one shell word, for a rerun line: s itself if it is safe, else
 * single-quoted into buf. */
const char *con_shell_word(const char *s, char *buf, size_t len);

#endif
