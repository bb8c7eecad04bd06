/*
 * stress-trace.h - the stress child's threads and trace (stress-trace.c):
 * each thread by its kernel id and its part in the run, and a ring of the
 * run's last events, sent to the parent with the first failure or a
 * crash.  Prefix stress_; used by stress.c only.
 */
#ifndef EVCONF_STRESS_TRACE_H
#define EVCONF_STRESS_TRACE_H

#include <stdbool.h>
#include <stddef.h>

enum stress_ev { STRESS_EV_ADD, STRESS_EV_UPDATE, STRESS_EV_REMOVE, STRESS_EV_CALL,
                 STRESS_EV_FREE };

#define STRESS_LOOP (-1)        /* stress_thread_is(): the loop thread */

/* In the child, on its first thread (the registering thread), before any
 * other: the pipe to the parent, the number of workers; and a crash
 * (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) sends the trace first. */
void stress_trace_start(int out_fd, int nworkers);
/* If the run is still going in ms, send the trace then: the parent is
 * about to kill it as hung. */
void stress_trace_deadline(int ms);
/* The calling thread is worker w (0-based), or the loop thread. */
void stress_thread_is(int w);
/* The calling thread's kernel id. */
int stress_tid(void);
/* Thread tid's part in the run: "the loop thread (tid 12)". */
const char *stress_thread_part(int tid, char *buf, size_t len);
/* What the calling thread did: an add, update, remove, callback or free
 * callback of a timer or watch; arg: the timeout or events, or what
 * remove returned. */
void stress_note(enum stress_ev what, bool timer, int id, int arg);
/* The "threads" line, and with events, once, the last events as "trace"
 * lines (stress.h). */
void stress_send_trace(bool events);

#endif
