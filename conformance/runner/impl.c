/*
 * impl.c - loading the implementation under test (impl.h): dlopen and
 * its symbols, and, before any scenario, a probe in a child of its own.
 * Prefix impl_.  Which file an IMPL word names is kit.c's; running a
 * scenario against it is run.c's.
 */
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console.h"
#include "evconf.h"
#include "impl.h"
#include "supervise.h"

/* dlopen, and the two symbols evconf.h asks for (evconf_name and
 * evconf_glue are optional). */
int impl_load(const char *path, struct impl *impl, char *err, size_t errlen)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    evconf_glue_fn glue;

    memset(impl, 0, sizeof(*impl));
    impl->path = path;
    if (!h) {
        snprintf(err, errlen, "cannot load it: %s", dlerror());
        return -1;
    }
    *(void **)&impl->register_fn = dlsym(h, "evconf_register");
    *(void **)&impl->run_once = dlsym(h, "evconf_run_once");
    *(void **)&impl->name = dlsym(h, "evconf_name");
    *(void **)&glue = dlsym(h, "evconf_glue");
    impl->glue = glue ? glue() : NULL;
    if (!impl->register_fn || !impl->run_once) {
        snprintf(err, errlen,
                 "it does not export %s%s%s (see conformance/evconf.h)",
                 impl->register_fn ? "" : "evconf_register",
                 !impl->register_fn && !impl->run_once ? " and " : "",
                 impl->run_once ? "" : "evconf_run_once");
        return -1;
    }
    return 0;
}

/* An adapter that drives an object of its user's (an interpreter's) may
 * export evconf_check: NULL if the object can be driven, else why not, in
 * one line.  Asked here, so that an unusable object stops the run before
 * any scenario instead of failing each one under its own rule. */
static int check_usable(const char *path, char *err, size_t errlen)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    const char *(*check)(void) = NULL;
    const char *why;

    if (h)
        *(void **)&check = dlsym(h, "evconf_check");
    if (!check || !(why = check()))
        return 0;
    snprintf(err, errlen, "cannot be driven: %s", why);
    for (char *c = err; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = ' ';
    return -1;
}

/* In the child: load it, and say its name (N) or why not (E). */
static void load_child(int fd, void *arg)
{
    const char *path = arg;
    struct impl impl;
    char err[900], name[256];

    if (impl_load(path, &impl, err, sizeof(err)) < 0) {
        dprintf(fd, "E%s\n", err);
        _exit(3);
    }
    if (check_usable(path, err, sizeof(err)) < 0) {
        dprintf(fd, "E%s\n", err);
        _exit(3);
    }
    /* One line of visible text, whatever it returned: its controls, C1
     * controls, bidi overrides and bytes that are not UTF-8 shown as
     * notations (console.h), in the reports as on the terminal. */
    con_esc_into(name, sizeof(name), impl.name ? impl.name() : path);
    dprintf(fd, "N%s\n", name);
    _exit(0);
}

/* The probe's first line: "N name" or "E why". */
static void on_load_record(const char *line, void *arg)
{
    char **said = arg;

    if (!*said)
        *said = strdup(line);
}

/* IMPL names no file: a word that is no built-in, or a path. */
static void no_file(const char *arg, const char *path)
{
    if (!strchr(arg, '/'))
        fprintf(stderr, "evconf-run: IMPL %s: no such file, and not a built-in name "
                "(reference, libvirt-default, libvirt-glib, libuv, libevent, sd-event, python-libvirtaio, "
                "python:FILE.py, perl:Module::Name, perl:FILE.pl, ruby:FILE.rb)\n",
                con_esc(arg));
    else
        fprintf(stderr, "evconf-run: IMPL %s: %s: %s\n", con_esc(arg),
                con_esc(path), strerror(errno));
}

/* The probe did not say a name: why, in one line on stderr.  Returns
 * NULL, or IMPL as its name when the --budget ended it (the run then
 * says not run). */
static char *load_failed(const struct options *o, const char *arg,
                         const char *path, const struct sup_outcome *so,
                         char *said)
{
    int timeout_s = o->timeout_s;

    arg = con_esc(arg);
    path = con_esc(path);
    if (so->interrupted)
        fprintf(stderr, "evconf-run: stopped by %s\n",
                strsignal(sup_stop_signal()));
    else if (so->timed_out && opt_budget_over(o))
        return strdup(arg);     /* the --budget ended: the run says not run */
    else if (so->timed_out)
        fprintf(stderr,
                "evconf-run: IMPL %s (%s): did not finish loading within "
                "%d s\n",
                arg, path, timeout_s);
    else if (said && said[0] == 'E')
        fprintf(stderr, "evconf-run: IMPL %s (%s): %s\n", arg, path,
                con_esc(said + 1));
    else if (WIFSIGNALED(so->status))
        fprintf(stderr,
                "evconf-run: IMPL %s (%s): crashed while loading (%s)\n", arg,
                path, strsignal(WTERMSIG(so->status)));
    else
        fprintf(stderr, "evconf-run: IMPL %s (%s): failed while loading\n", arg,
                path);
    free(said);
    return NULL;
}

/* Load the implementation in a child first: a broken one (a constructor
 * that crashes or blocks, a missing symbol) must not take the runner
 * down.  Returns its display name, or NULL after printing one line. */
char *impl_check(const struct options *o, const char *path)
{
    const char *arg = o->impl;
    double timeout_ms = o->timeout_s * 1000.0 * o->clock_scale;
    struct stat stbuf;
    struct sup_outcome so;
    char *said = NULL;

    if (o->budget_end > 0 && o->budget_end - sup_now_ms() < timeout_ms)
        timeout_ms = o->budget_end - sup_now_ms();      /* within the --budget */

    if (stat(path, &stbuf) < 0) {
        no_file(arg, path);
        return NULL;
    }
    if (sup_run(load_child, (void *)path, on_load_record, &said,
                timeout_ms, &so) < 0) {
        fprintf(stderr,
                "evconf-run: IMPL %s (%s): cannot start a child process\n",
                con_esc(arg), con_esc(path));
        return NULL;
    }
    free(so.output);
    if (said && said[0] == 'N' && !so.timed_out && !so.interrupted &&
        WIFEXITED(so.status) && WEXITSTATUS(so.status) == 0) {
        char *name = strdup(said + 1);
        free(said);
        return name;
    }
    return load_failed(o, arg, path, &so, said);
}
