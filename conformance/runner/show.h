/*
 * show.h - what the run prints on the terminal.  Prefix show_.
 */
#ifndef EVCONF_SHOW_H
#define EVCONF_SHOW_H

#include "options.h"
#include "results.h"

/* The command that reruns exactly r, as it ran (a new string). */
char *show_rerun_line(const struct options *o, const struct result *r);
/* The same for the scenario file at path (a shrunk program). */
char *show_rerun_file(const struct options *o, const char *path);
/* The same for the --stress run. */
/* A shard's rerun line with the merged run's --report-dir in place of the
 * shard's (shard_dir) (merge.c). */
char *show_rerun_merged(const struct options *o, const char *rerun, const char *shard_dir);
char *show_rerun_stress(const struct options *o);

/* "evconf: N scenarios against IMPL", unless --quiet. */
void show_start(const struct options *o, const char *impl_name, int n);
/* Scenario i of n done: "[  i/n] outcome id", unless --quiet. */
void show_progress(const struct options *o, int i, int n,
                   const struct result *r);
/* The page of each scenario that did not pass (and is not a known
 * deviation). */
void show_failures(struct options *o, const struct result *res, int n);
/* Where the reports are, the idle wake-ups of res (n of them; "n/a" in
 * real time), how many were not run and why, and the counts (count[] by
 * enum outcome). */
void show_end(const struct options *o, const int count[5], int unrun,
              const char *why, const struct result *res, int n);
/* --list: one line per scenario; and the files the --budget left unread. */
void show_list(const struct options *o, const struct result *res, int nres,
               int unloaded);

#endif
