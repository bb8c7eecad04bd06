/*
 * daemon.h - private libvirtd daemons for a scenario's client steps
 * (daemon.c, prefix daemon_): daemon, stop-daemon, pause-daemon,
 * resume-daemon.
 */
#ifndef EVCONF_DAEMON_H
#define EVCONF_DAEMON_H

#include "scenario.h"

/* Run one daemon step. */
void daemon_step(const struct step *st);
/* D's directory (its socket is sock/libvirt-sock in it), or NULL if it
 * was never started. */
const char *daemon_dir(int name);
/* Stop every private libvirtd and remove its directory. */
void daemon_stop_all(void);

#endif
