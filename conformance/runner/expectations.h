/*
 * expectations.h - a scenario's expect lines, checked where they stand
 * (expectations.c, prefix expectation_).
 */
#ifndef EVCONF_EXPECTATIONS_H
#define EVCONF_EXPECTATIONS_H

#include "scenario.h"

/* Expect step st, against everything observed so far: a failure is the
 * loop's, at the line's level (or the scenario's). */
void expectation_check(const struct step *st);

#endif
