/* generate.h - random scenarios over the whole step language (--generate).
 *
 * A generated program has no expectation lines: it is judged by what the
 * runner checks in every scenario (observe.c, liveness.c, the leak check
 * at teardown), which is the contract's model of a trace: anything it
 * reports is a rule broken, whatever order, timing or number of
 * iterations the loop chose. */
#ifndef EVCONF_GENERATE_H
#define EVCONF_GENERATE_H

#include <stdbool.h>
#include <stdint.h>

/* The text of program k (1-based) of seed, as a .scn file; the caller
 * frees it.  The same seed and k give the same text on every machine. */
char *generate_program(uint64_t seed, int k);

/* Shrink a failing program: write to out the smallest program, by
 * deleting its body lines one at a time, for which still_fails(path) holds
 * (it is called with out, rewritten for each try).  Returns the number of
 * body lines left, or -1. */
int generate_shrink(const char *text, const char *out,
                   bool (*still_fails)(const char *path, void *ctx), void *ctx);

#endif
