/*
 * scenarios.c - the modes main() runs when EVSIM_SCENARIO is set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

int determinism_scenario(uint64_t seed);

int scenario_main(const char *mode)
{
    const char *seed = getenv("EVSIM_SEED");

    scenario_mode = true;
    if (!strcmp(mode, "trace"))
        return determinism_scenario(seed ? strtoull(seed, NULL, 10) : 1);
    if (!strncmp(mode, "faketime", 8))
        return faketime_scenario(mode);
    fprintf(stderr, "unknown EVSIM_SCENARIO '%s'\n", mode);
    return 2;
}
