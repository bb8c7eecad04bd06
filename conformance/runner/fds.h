/*
 * fds.h - the script's fd steps (fds.c, prefix fds_): pipe, socket,
 * readable, drain, fill, close-peer...
 */
#ifndef EVCONF_FDS_H
#define EVCONF_FDS_H

#include "scenario.h"

/* Run fd step st: a failure of the fd layer, or data that cannot be
 * written, is reported here (as the scenario's or the loop's). */
void fds_run(const struct step *st);

#endif
