/*
 * scratch.h - where the private libvirtds live: one base dir per run, no
 * one else's to read or write, and a reaper that outlives the runner to
 * kill a daemon left behind and remove the base, however the runner dies.
 */
#ifndef EVCONF_SCRATCH_H
#define EVCONF_SCRATCH_H

#include <sys/types.h>

/* In the runner, before a scenario that starts a daemon: make the base
 * dir and start the reaper, once per run.  0, or -1 (the daemon steps
 * then skip the scenario, saying scratch_error()). */
int scratch_prepare(void);
/* The base dir as the scenario child inherits it: fd (-1 when there is
 * none) and path. */
int scratch_fd(void);
const char *scratch_path(void);
const char *scratch_error(void);
/* The user the daemons run as: the run's own uid when the runner is
 * root, else the runner's. */
uid_t scratch_uid(void);
/* In the scenario child: note daemon pid under name (its dir's name),
 * so that the reaper finds it. */
void scratch_record(const char *name, pid_t pid);
/* In the runner: remove what scenario process pid left in the base. */
void scratch_remove(int pid);
/* Remove a daemon's dir, name in the base, and its record. */
void scratch_remove_daemon(const char *name);

#endif
