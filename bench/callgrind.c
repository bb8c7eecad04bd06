/*
 * callgrind.c - the parent's side of the instruction counts: is callgrind
 * there, and what did a run count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#define HAVE_CALLGRIND 1
#endif
#endif

/* A valgrind on PATH, and a build that can talk to it: the client
 * requests need <valgrind/callgrind.h>, and a sanitizer's shadow memory
 * does not run under valgrind at all. */
bool bench_callgrind_available(char *path, size_t len, const char **why)
{
    const char *env = getenv("PATH");
    char dirs[4096], *save = NULL;

#ifndef HAVE_CALLGRIND
    *why = "built without <valgrind/callgrind.h>";
    return false;
#endif
#if defined(__SANITIZE_ADDRESS__)
    *why = "valgrind cannot run an AddressSanitizer build";
    return false;
#endif
    snprintf(dirs, sizeof(dirs), "%s", env ? env : "/usr/bin:/bin");
    for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(path, len, "%s/valgrind", d);
        if (access(path, X_OK) == 0)
            return true;
    }
    *why = "valgrind is not installed";
    return false;
}

/* The Ir total of a callgrind out file: its "totals:" line, or failing
 * that its "summary:" line (the first event is Ir by default). */
int bench_callgrind_total(const char *file, double *ir)
{
    FILE *f = fopen(file, "r");
    char line[1024];
    bool found = false;

    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        if (!strncmp(line, "totals:", 7)) {
            *ir = strtod(line + 7, NULL);
            found = true;
            break;
        }
        if (!strncmp(line, "summary:", 8)) {
            *ir = strtod(line + 8, NULL);
            found = true;
        }
    }
    fclose(f);
    return found ? 0 : -1;
}
