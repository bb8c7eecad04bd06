/*
 * records.h - what the scenario child tells the runner (records.c, the
 * child's side of protocol.h; prefix check_, after the checks that call
 * it): a rule broken, the scenario's own error, a skip.
 */
#ifndef EVCONF_RECORDS_H
#define EVCONF_RECORDS_H

#include <stdbool.h>

#include "scenario.h"

void check_fail(enum level level, const char *rules, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool check_first_time(const char *rule, int name);
/* The scenario asked for something the harness cannot do: reported as the
 * scenario's error (protocol.h, exit status 2), and the script stops.
 * Only for what does not depend on what the loop did: whatever does is
 * the loop's failure, under the rule it broke (check_fail). */
void check_scenario_error(const struct step *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The scenario cannot run here (a program it needs is missing): skipped,
 * with the reason, and the script stops. */
void check_scenario_skip(const struct step *st, const char *why);
/* A rule broken by one registration is reported once, not on every call. */
#define VIOLATION(level, rule, name, ...) do {                         \
        if (check_first_time(rule, name))                              \
            check_fail(level, rule, __VA_ARGS__);                      \
    } while (0)

#endif
