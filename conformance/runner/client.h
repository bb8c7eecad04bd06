/*
 * client.h - a libvirt client over the loop under test: connections,
 * domain lifecycle events and the test driver's domains, for the steps
 * connect, domain-events, define-domain, start-domain, destroy-domain,
 * undefine-domain and close-connection.  libvirt then uses the loop as it
 * does in real life: its event queue flushed by a timer toggled between
 * -1 and 0, its connection's socket watched (remote URIs), its keepalive
 * timer re-armed.
 */
#ifndef EVCONF_CLIENT_H
#define EVCONF_CLIENT_H

#include <stddef.h>

#include "scenario.h"

/* Run one client step (the steps above). */
void client_step(const struct step *st);
/* 1 when every socket connection name opened is closed again: the remote
 * driver's socket is released only by its watch's free callback (R34).
 * 0 when one is still open, -1 when it opened none (not a daemon's
 * connection: the scenario's mistake); got says which. */
int client_released(int name, char *got, size_t len);
/* Close every connection still open (teardown, before the loop's
 * registrations are removed). */
void client_close_all(void);
/* Stop every private libvirtd and remove its temp dir (teardown, also
 * when the script stopped early). */
void client_stop_daemons(void);
/* In the runner, before a scenario: when it starts a private libvirtd,
 * the run's scratch base and its reaper (scratch.c), once per run. */
void client_prepare(const struct scenario *sc);
/* Remove what a scenario process pid left in the run's scratch base, if
 * it died before its teardown: its private libvirtds' directories, which
 * are named after it.  Called by the runner after each scenario. */
void client_remove_scratch(int pid);
/* A client step the run made impossible (a connection gone, a daemon
 * stopped when the step came): the loop's failure, and the script stops
 * (client.c, daemon.c). */
void client_out_of_order(const struct step *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
