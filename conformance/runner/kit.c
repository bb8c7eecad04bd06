/*
 * kit.c - where the kit's own files are (kit.h): the built-in adapters,
 * the installed suite, and the IMPL words that name an adapter.  Prefix
 * kit_.  Loading what a word names, in a child, is impl.c's.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kit.h"

#ifndef EVCONF_SCENARIO_DIR
#define EVCONF_SCENARIO_DIR "conformance/scenarios"
#endif

/* Set once by kit_find(), read only here. */
static char self_dir[PATH_MAX];
static char adapter_dir[PATH_MAX + 32];     /* the built-in adapters */
static char installed_scenarios[PATH_MAX + 32];

/* Where the built-in adapters and the suite are: beside the runner in a
 * build tree (build/adapters/, the source's scenarios), or, once
 * installed, in PREFIX/lib/evconf/adapters and PREFIX/share/evconf. */
void kit_find(void)
{
    struct stat st;
    ssize_t sl = readlink("/proc/self/exe", self_dir, sizeof(self_dir) - 1);

    self_dir[sl > 0 ? sl : 0] = '\0';
    if (strrchr(self_dir, '/'))
        *strrchr(self_dir, '/') = '\0';
    snprintf(adapter_dir, sizeof(adapter_dir), "%s/../lib/evconf/adapters",
             self_dir);
    if (stat(adapter_dir, &st) != 0 || !S_ISDIR(st.st_mode))
        snprintf(adapter_dir, sizeof(adapter_dir), "%s/adapters", self_dir);
    snprintf(installed_scenarios, sizeof(installed_scenarios),
             "%s/../share/evconf/scenarios", self_dir);
    if (stat(installed_scenarios, &st) != 0 || !S_ISDIR(st.st_mode))
        installed_scenarios[0] = '\0';
}

/* Built-in implementation names, resolved next to this binary. */
const char *kit_resolve_impl(const char *impl, char *buf, size_t len)
{
    static const struct { const char *name, *file; } builtin[] = {
        { "reference", "libevconf-reference.so" },
        { "libvirt-default", "libevconf-libvirt-default.so" },
        { "libvirt-glib", "libevconf-libvirt-glib.so" },
        /* integrations/ builds beside adapters/ (issue 24) */
        { "libuv", "../integrations/libevconf-libuv.so" },
    };
    /* Words for an interpreter's adapter: the adapter, and what it is told
     * to load (in the environment variable, which a scenario's process
     * inherits).  An alias names what its prefix would have. */
    static const struct {
        const char *prefix, *file, *var, *alias_of;
    } interp[] = {
        { "python:", "libevconf-python.so", "EVCONF_PYTHON", NULL },
        { "python-libvirtaio", "libevconf-python.so", "EVCONF_PYTHON",
          "evconf_libvirtaio" },
        { "perl:", "libevconf-perl.so", "EVCONF_PERL_MODULE", NULL },
        { "ruby:", "libevconf-ruby.so", "EVCONF_RUBY", NULL },
    };

    for (size_t i = 0; i < sizeof(interp) / sizeof(interp[0]); i++) {
        size_t n = strlen(interp[i].prefix);
        bool match = interp[i].alias_of ? !strcmp(impl, interp[i].prefix)
                                        : !strncmp(impl, interp[i].prefix, n);
        if (!match)
            continue;
        setenv(interp[i].var,
               interp[i].alias_of ? interp[i].alias_of : impl + n, 1);
        snprintf(buf, len, "%s/%s", adapter_dir, interp[i].file);
        return buf;
    }
    for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
        if (!strcmp(impl, builtin[i].name)) {
            if (snprintf(buf, len, "%s/%s", adapter_dir, builtin[i].file) >=
                (int)len)
                return impl;
            return buf;
        }
    if (!strchr(impl, '/')) {        /* dlopen would search the library path */
        snprintf(buf, len, "./%s", impl);
        return buf;
    }
    return impl;
}

/* The installed suite, else the source tree's (the build's default). */
const char *kit_scenario_dir(void)
{
    return installed_scenarios[0] ? installed_scenarios : EVCONF_SCENARIO_DIR;
}
