/*
 * modes.c - the runtimes a run needs beneath it (modes.h): a sanitizer's
 * (--sanitizer=address|thread) and libfaketime (--realtime=SPEEDUP).
 *
 * Each must be in the process from its start: AddressSanitizer insists on
 * coming first in the list of libraries, ThreadSanitizer must see every
 * thread from the first, libfaketime must own the clocks before anything
 * reads them.  So the runner starts itself again, the same command line,
 * with them in LD_PRELOAD and their options in the environment; a mark in
 * the environment says it has.  There is one way to run each mode, from
 * the checkout (make conformance-asan and the others call these options)
 * or from an installed kit.  Prefix mode_.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "kit.h"
#include "modes.h"

/* The sanitizers' runtimes, as the compiler that built the kit named
 * them (the Makefile resolves its symlinks). */
#ifndef EVCONF_LIBASAN
#define EVCONF_LIBASAN "libasan.so"
#endif
#ifndef EVCONF_LIBTSAN
#define EVCONF_LIBTSAN "libtsan.so"
#endif
#ifndef EVCONF_MULTIARCH
#define EVCONF_MULTIARCH "x86_64-linux-gnu"
#endif

#define MODE_MARK "EVCONF_MODE_ENTERED"

/* libfaketime, where distributions put it ($EVCONF_LIBFAKETIME first):
 * Debian's /usr/lib/<multiarch>/faketime/, others' /usr/lib64 or
 * /usr/local/lib.  NULL if none is there. */
static const char *faketime_lib(void)
{
    static const char *const dirs[] = {
        "/usr/lib/" EVCONF_MULTIARCH "/faketime", "/usr/lib/faketime",
        "/usr/lib64/faketime", "/usr/local/lib/faketime", "/usr/lib",
        "/usr/lib64", "/usr/local/lib",
    };
    static char path[PATH_MAX];
    const char *env = getenv("EVCONF_LIBFAKETIME");

    if (env && *env)
        return access(env, R_OK) == 0 ? env : NULL;
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(path, sizeof(path), "%s/libfaketime.so.1", dirs[i]);
        if (access(path, R_OK) == 0)
            return path;
    }
    return NULL;
}

/* name=ours, then what the user had, which the runtimes read last and
 * so let win: the user's options refine the mode's. */
static void set_options(const char *name, const char *ours, char sep)
{
    const char *user = getenv(name);
    char *both = NULL;

    if (asprintf(&both, "%s%c%s", ours, sep, user ? user : "") < 0)
        return;
    if (!user || !*user)
        both[strlen(ours)] = '\0';
    setenv(name, both, 1);
    free(both);
}

/* A sanitizer's runtime and options; its path, or NULL after one line. */
static const char *sanitizer_env(const struct options *o)
{
    bool thread = !strcmp(o->sanitizer, "thread");
    const char *lib = thread ? EVCONF_LIBTSAN : EVCONF_LIBASAN;
    char supp[PATH_MAX + 32];

    if (access(lib, R_OK) != 0) {
        fprintf(stderr, "evconf-run: --sanitizer=%s: no %s runtime at %s (Debian: "
                "package %s)\n", o->sanitizer, thread ? "ThreadSanitizer" :
                "AddressSanitizer", lib, thread ? "libtsan2" : "libasan8");
        return NULL;
    }
    if (thread) {
        /* A report does not stop the process: each kind is a failure of
         * the stress run; the kit's suppressions are the reports that are
         * not the loop's (conformance/tsan.supp says why). */
        snprintf(supp, sizeof(supp), "halt_on_error=0 exitcode=66 suppressions=%s",
                 kit_data("tsan.supp"));
        set_options("TSAN_OPTIONS", supp, ' ');
    } else {
        set_options("ASAN_OPTIONS", "detect_leaks=1", ':');
        /* The loader's own allocations (conformance/lsan.supp says why). */
        snprintf(supp, sizeof(supp), "suppressions=%s", kit_data("lsan.supp"));
        set_options("LSAN_OPTIONS", supp, ':');
        set_options("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1", ':');
    }
    return lib;
}

/* What o asks for that cannot run here, in one line; 0 if all can. */
static int check_mode(const struct options *o)
{
    const char *twin;

    if (o->sanitizer && !strcmp(o->sanitizer, "thread") && !o->stress) {
        fprintf(stderr, "evconf-run: --sanitizer=thread is for --stress, where threads "
                "race; the scenarios run one action at a time\n");
        return 2;
    }
    twin = kit_use_sanitizer(o->sanitizer);
    if (twin && !strcmp(o->impl, "reference") && access(twin, R_OK) != 0) {
        fprintf(stderr, "evconf-run: --sanitizer=%s --impl reference: the reference "
                "built with that sanitizer is not at %s (%s)\n", o->sanitizer,
                con_esc(twin), kit_installed() ? "the kit was installed without it: "
                "built with a sanitizer, or without that one's runtime" :
                "make sanitizer-twins");
        return 2;
    }
    return 0;
}

int mode_enter(const struct options *o, char **argv)
{
    const char *san = NULL, *ft = NULL, *old = getenv("LD_PRELOAD");
    char *preload = NULL, speed[32];

    kit_find();
    if (check_mode(o))
        return 2;
    if (getenv(MODE_MARK)) {        /* started again: the runtimes are in */
        unsetenv(MODE_MARK);
        return -1;
    }
    if (!o->sanitizer && o->speedup <= 1)
        return -1;
    if (o->sanitizer && !(san = sanitizer_env(o)))
        return 2;
    if (o->speedup > 1 && !(ft = faketime_lib())) {
        fprintf(stderr, "evconf-run: --realtime=%d: libfaketime.so.1 not found (Debian: "
                "package libfaketime; or set EVCONF_LIBFAKETIME to its path)\n", o->speedup);
        return 2;
    }
    if (ft) {
        snprintf(speed, sizeof(speed), "+0 x%d", o->speedup);
        setenv("FAKETIME", speed, 1);
    }
    /* A runner built with ASan (make sanitize) then has libfaketime
     * before ASan's runtime, which ASan accepts only when told to. */
    if (ft && !san)
        set_options("ASAN_OPTIONS", "verify_asan_link_order=0", ':');
    /* The sanitizer's runtime first: ASan refuses to come later. */
    if (asprintf(&preload, "%s%s%s%s%s", san ? san : "", san && ft ? ":" : "",
                 ft ? ft : "", old && *old ? ":" : "", old ? old : "") < 0)
        return 2;
    setenv("LD_PRELOAD", preload, 1);
    setenv(MODE_MARK, "1", 1);
    free(preload);
    execv("/proc/self/exe", argv);
    fprintf(stderr, "evconf-run: cannot start again with %s preloaded: %m\n",
            san ? san : ft);
    return 2;
}
