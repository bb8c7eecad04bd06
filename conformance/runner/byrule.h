/*
 * byrule.h - a run's results seen rule by rule: how many scenarios failed,
 * warned or passed each rule of docs/contract.md, and the rule's own
 * statement, for the reports (report.c).  Prefix byrule_.
 */
#ifndef EVCONF_BYRULE_H
#define EVCONF_BYRULE_H

#include <stdbool.h>
#include <stdio.h>

#include "results.h"

struct byrule_count {
    int failed, warned, passed;
};

/* counts[1..CONTRACT_RULES] for res[0..n); counts[0] is unused.  A
 * scenario fails (warns) a rule when one of its failure lines names that
 * rule at MUST (SHOULD; at MUST too with --strict); an error with no such
 * line fails the first rule its header names; it passes each rule its
 * header names that it neither failed nor warned. */
void byrule_tally(const struct result *res, int n, bool strict,
                  struct byrule_count *counts);

/* "R29,R28" as links to the rows of the page's summary by rule. */
void byrule_html_links(FILE *f, const char *rules);
/* The summary by rule: a row per rule with a count, its level and
 * statement from docs/contract.md, each row the target of the links. */
void byrule_html(FILE *f, const struct run_info *ri, const struct result *res,
                 int n);
/* The terminal's line of it: "by rule, failed/warned/passed: R4 0/1/0;
 * R20 1/0/1", the rules some scenario failed or warned only; nothing if
 * there are none. */
void byrule_text(FILE *f, const struct result *res, int n, bool strict);
/* results.json's "by_rule": {"R4": {"failed": 1, "warned": 0,
 * "passed": 3}, ...}, the rules with a count only; no comma around. */
void byrule_json(FILE *f, const struct run_info *ri, const struct result *res,
                 int n);

#endif
