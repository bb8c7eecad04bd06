/*
 * supervise.h - running an implementation in a child process, within a
 * deadline, and leaving nothing of it behind.
 *
 * The child gets a process group of its own and two pipes: its result
 * channel (protocol.h) and its stdout and stderr.  The runner reads both
 * as they fill, keeps a bounded amount of each, stops at the child's
 * exit (not at end-of-file: a helper may hold the pipes open), and then
 * kills whatever the child left: its process group, and every process
 * reparented to the runner, which is a child subreaper for that purpose.
 * SIGINT, SIGTERM and SIGHUP to the runner end the child in progress at
 * once and are then reported by sup_stop_signal(); under faketime(1),
 * which passes no signal on, its death counts as a SIGTERM.
 *
 * Prefix sup_.  What runs in the child is its caller's (run.c: a
 * scenario; impl.c: the probe; stress.c); what its lines mean, too.
 */
#ifndef EVCONF_SUPERVISE_H
#define EVCONF_SUPERVISE_H

#include <stdbool.h>
#include <stddef.h>

/* Runs in the child, with the result channel's descriptor; must not
 * return (it ends with exit or _exit). */
typedef void (*sup_body_fn)(int result_fd, void *arg);
/* Called in the runner for each complete line of the result channel,
 * without its newline. */
typedef void (*sup_record_fn)(const char *line, void *arg);

struct sup_outcome {
    int pid;                    /* the child's, for what it left behind */
    int status;                 /* as waitpid() gives it */
    bool timed_out;             /* killed at the deadline */
    bool interrupted;           /* killed because the runner was told to stop */
    char *output;               /* the child's stdout and stderr, bounded;
                                   NUL bytes shown as ^@ */
    double ms;                  /* real time it took */
};

/* Once, before any child: makes the runner a child subreaper and routes
 * SIGINT, SIGTERM and SIGHUP to sup_stop_signal(). */
void sup_init(void);

/* Once, after the last child: the stop signals end the runner at once
 * from then on (its exit handlers included). */
void sup_fini(void);

/* Run body(result_fd, body_arg) in a child for at most timeout_ms of real
 * time; each line it writes on the result channel goes to on_record.
 * Returns 0 with *out filled in (free out->output), or -1 if no child
 * could be started. */
int sup_run(sup_body_fn body, void *body_arg, sup_record_fn on_record,
            void *record_arg, double timeout_ms, struct sup_outcome *out);

/* The signal that asked the runner to stop (SIGINT, SIGTERM, SIGHUP), or
 * 0. */
int sup_stop_signal(void);

/* Kill every process left among the runner's children. */
void sup_sweep(void);

/* Real time in ms, monotonic. */
double sup_now_ms(void);

/* A bounded text buffer: keeps the first head_max and the last tail_max
 * bytes of what is appended, and counts the rest. */
struct sup_capture {
    char *head, *tail;
    size_t head_max, tail_max, nhead, tail_at;
    unsigned long long total;
};

void sup_capture_init(struct sup_capture *c, size_t head_max, size_t tail_max);
void sup_capture_add(struct sup_capture *c, const char *s, size_t n);
/* The text kept, with a line saying how many bytes of what (e.g.
 * "stderr") were dropped, if any; a new string.  Frees the buffers. */
char *sup_capture_finish(struct sup_capture *c, const char *what);

#endif
