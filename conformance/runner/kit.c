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
#ifndef EVCONF_SOURCE_DIR
#define EVCONF_SOURCE_DIR "."
#endif

/* Set once by kit_find(), read only here. */
static char self_dir[PATH_MAX];
static char adapter_dir[PATH_MAX + 32];     /* the built-in adapters */
static char installed_scenarios[PATH_MAX + 32];
static char reference_twin[PATH_MAX + 64];  /* --sanitizer's reference */

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
        { "reference", "libevconf-reference.so" },  /* kit_use_sanitizer */
        { "libvirt-default", "libevconf-libvirt-default.so" },
        { "libvirt-glib", "libevconf-libvirt-glib.so" },
        /* integrations/ builds beside adapters/ (issue 24) */
        { "libuv", "../integrations/libevconf-libuv.so" },
        { "libevent", "../integrations/libevconf-libevent.so" },
        { "sd-event", "../integrations/libevconf-sd-event.so" },
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
    if (!strcmp(impl, "reference") && reference_twin[0]) {
        snprintf(buf, len, "%s", reference_twin);
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

/* path without its "bin/.." when it is there: the path a person reads. */
static char *canonical(char *path)
{
    char real[PATH_MAX];

    if (realpath(path, real) && strlen(real) < strlen(path))
        strcpy(path, real);
    return path;
}

int kit_installed(void)
{
    return installed_scenarios[0] != '\0';
}

/* Once installed, the documents are in PREFIX/share/doc/evconf; in the
 * source tree, the catalogue is beside the scenarios, the rest in docs/.
 * Three paths live at once, for one printf. */
const char *kit_doc(const char *name)
{
    static char paths[3][PATH_MAX + 64];
    static int next;
    char *path = paths[next++ % 3];

    if (kit_installed())
        snprintf(path, sizeof(paths[0]), "%s/../share/doc/evconf/%s", self_dir, name);
    else
        snprintf(path, sizeof(paths[0]), "%s/%s/%s", EVCONF_SOURCE_DIR,
                 !strcmp(name, "CATALOGUE.md") ? "conformance" : "docs", name);
    return canonical(path);
}

const char *kit_data(const char *name)
{
    static char path[PATH_MAX + 64];

    if (kit_installed())
        snprintf(path, sizeof(path), "%s/../share/evconf/%s", self_dir, name);
    else
        snprintf(path, sizeof(path), "%s/conformance/%s", EVCONF_SOURCE_DIR, name);
    return canonical(path);
}

/* The sanitizer builds of the reference: PREFIX/lib/evconf/asan/ and
 * .../tsan/ once installed; in a build tree where the Makefile builds
 * them, BUILD/asan/adapters/ and BUILD/tsan/. */
const char *kit_use_sanitizer(const char *kind)
{
    bool thread = kind && !strcmp(kind, "thread");

    if (!kind) {
        reference_twin[0] = '\0';
        return NULL;
    }
    if (kit_installed())
        snprintf(reference_twin, sizeof(reference_twin),
                 "%s/../lib/evconf/%s/libevconf-reference.so", self_dir,
                 thread ? "tsan" : "asan");
    else
        snprintf(reference_twin, sizeof(reference_twin), "%s/%s/libevconf-reference.so",
                 self_dir, thread ? "tsan" : "asan/adapters");
    return reference_twin;
}

/* docs/contract.md, installed or in the source tree (kit_doc); the
 * report's rule summary quotes it. */
const char *kit_contract_path(void)
{
    return kit_doc("contract.md");
}
