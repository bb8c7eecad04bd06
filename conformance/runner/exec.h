/*
 * exec.h - run one scenario against a loop, in the current process, in
 * virtual time.  Meant for a child process of the runner: results go to
 * out_fd as lines ("T <trace>", "F <level> <rule> <message>", "R done").
 */
#ifndef EVCONF_EXEC_H
#define EVCONF_EXEC_H

#include <stdint.h>

#include "scenario.h"

struct impl {
    const char *path;
    int (*register_fn)(void);
    int (*run_once)(void);
    const char *(*name)(void);
};

/* Returns 0 when the script ran to its end (failures or not). */
int exec_scenario(const struct scenario *sc, const struct impl *impl,
                  uint64_t seed, int wake_timeout_ms, int out_fd);

#endif
