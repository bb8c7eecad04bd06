/*
 * exec.h - run one scenario against a loop, in the current process, in
 * virtual time.  Meant for a child process of the runner: results go to
 * out_fd as lines ("T <trace>", "F <level> <rule> <message>", "R done").
 */
#ifndef EVCONF_EXEC_H
#define EVCONF_EXEC_H

#include <stdint.h>

#include "scenario.h"

struct evconf_glue;

struct impl {
    const char *path;
    int (*register_fn)(void);
    int (*run_once)(void);
    const char *(*name)(void);
    /* An interpreter's adapter: its record of the binding's glue, or
     * NULL (evconf.h, evconf_glue; blame.h). */
    const struct evconf_glue *glue;
};

struct exec_opts {
    uint64_t seed;
    int wake_timeout_ms;        /* for a loop to wake after a thread's change */
    bool realtime;              /* real (or libfaketime) time, not virtual */
    int tolerance_ms;           /* slack on expected times, in real time */
    bool perturb;               /* --perturb: waits cut short at random */
};

/* exec_scenario() returns 0 when the script ran to its end (failures or
 * not), EXEC_ABANDONED when a second thread stayed stuck in the loop: its
 * state is then left alone, and the process must end without running
 * exit handlers (_exit), which could meet the stuck thread. */
#define EXEC_ABANDONED 4

int exec_scenario(const struct scenario *sc, const struct impl *impl,
                  const struct exec_opts *opts, int out_fd);

#endif
