/*
 * suite.h - the scenarios of a run, collected and parsed.  Prefix suite_.
 */
#ifndef EVCONF_SUITE_H
#define EVCONF_SUITE_H

#include "options.h"
#include "results.h"

/* The scenario files named by o->paths, and o->generate generated
 * programs (made later, in their turn), parsed into *res_out (those
 * --filter keeps and --exclude does not; files that do not parse too,
 * as errors).  Returns 0, or 2 when the paths themselves are wrong;
 * *bad_input is set for files that did not parse and for ids used twice;
 * what the --budget left unread is in res[] as not run, *unloaded says
 * how many.  *files holds the paths res[] points to. */
int suite_load(const struct options *o, char ***files, int *nfiles,
               struct result **res_out, int *nres, int *bad_input,
               int *unloaded);

/* Free the results (their scenarios too) and the paths. */
void suite_free(struct result *res, int n, char **files, int nfiles);

#endif
