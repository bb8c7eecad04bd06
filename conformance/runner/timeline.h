/*
 * timeline.h - a picture of a scenario's trace for the HTML report: an
 * inline SVG timeline.  Prefix timeline_.
 */
#ifndef EVCONF_TIMELINE_H
#define EVCONF_TIMELINE_H

#include <stdio.h>

#include "results.h"

/* r's trace, the k-th failing scenario's, as an SVG element (nothing
 * without a trace): a lane for the loop (its iterations and waits) and
 * one per registration (its add, update and remove calls, callbacks and
 * free callback) along virtual time, or along iterations when time stood
 * still; the moments failures were found; and, for a failure line that
 * expected a callback at a time, that window shaded on the registration's
 * lane. */
void timeline_svg(FILE *f, const struct result *r, int k);

/* A page draws the timelines of its first TIMELINE_PAGE_MAX failing
 * scenarios (k counts them from 0), so that a run with thousands of
 * failures does not make a page too big to open; the others say so. */
#define TIMELINE_PAGE_MAX 200

#endif
