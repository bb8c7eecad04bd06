/*
 * runner.c - evconf-run: the conformance suite's command line.
 *
 * Each scenario runs in a child process of its own, in virtual time, with
 * a real-time watchdog, so that an implementation that crashes, exits,
 * hangs or deadlocks fails that scenario and the run goes on.  The parent
 * never runs the implementation: it reads the child's result lines
 * ("T trace", "F failure", "R done") and writes the reports.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <glob.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "evconf.h"
#include "exec.h"
#include "generate.h"
#include "results.h"
#include "sim.h"
#include "stress.h"

#ifndef EVCONF_SCENARIO_DIR
#define EVCONF_SCENARIO_DIR "conformance/scenarios"
#endif

static const char usage[] =
"usage: evconf-run [OPTION]...\n"
"Run the evconf conformance scenarios against a libvirt event-loop\n"
"implementation loaded as a shared object.\n"
"\n"
"  -i, --impl IMPL        the implementation: a path to a shared object that\n"
"                         exports evconf_register and evconf_run_once, or one\n"
"                         of: reference (default), libvirt-default, libvirt-glib\n"
"  -s, --scenarios PATH   a scenario file, a directory of *.scn files, or a\n"
"                         glob; may be repeated (default: the built-in suite)\n"
"  -f, --filter GLOB      run only scenarios whose id matches (comma-separated)\n"
"  -S, --seed N           seed for everything random (default 1)\n"
"  -r, --report-dir DIR   where TAP, JUnit XML and JSON go\n"
"                         (default build/conformance-report)\n"
"      --strict           SHOULD failures fail the run (default: warnings)\n"
"      --fail-fast        stop at the first scenario that fails the run\n"
"      --generate N       also run N programs generated from the seed, with\n"
"                         no expectation lines: judged by the checks every\n"
"                         scenario gets; a failing one is shrunk to a minimal\n"
"                         .scn in REPORT_DIR/generated/\n"
"                         (the reports then hold the scenarios run so far)\n"
"  -t, --timeout SEC      real-time watchdog per scenario (default 10)\n"
"  -w, --wake-timeout MS  real time a loop has to wake up after another\n"
"                         thread's change (default 2000)\n"
"      --realtime         run in real time instead of virtual time, for loops\n"
"                         that cannot be virtualised; meant to run under\n"
"                         faketime with a speed-up (make conformance-realtime)\n"
"      --tolerance MS     slack on expected times (default 0; 50 with --realtime)\n"
"      --stress           instead of the scenarios, run worker threads that\n"
"                         add, update and remove registrations while the\n"
"                         loop iterates, in real time, checking R29, R34,\n"
"                         R37, R42 and R43 online\n"
"      --threads N        worker threads for --stress (default 4)\n"
"      --stress-ms MS     how long they run (default 2000)\n"
"  -l, --list             list the scenarios and exit\n"
"      --can-fail-allocations  exit 0 if this runner can make the loop's\n"
"                         allocations fail (alloc-fails=K), 1 if not (a\n"
"                         runner built with a sanitizer cannot)\n"
"  -q, --quiet            no progress lines\n"
"  -h, --help             this help\n"
"\n"
"Exit status: 0 if no MUST scenario failed (and, with --strict, no SHOULD\n"
"one); 1 if one did; 2 for bad input (IMPL, options, malformed scenarios).\n";

struct options {
    const char *impl, *filter, *report_dir;
    const char **paths;
    int npaths;
    uint64_t seed;
    bool strict, list, quiet, fail_fast;
    int generate;               /* --generate N: generated programs to add */
    int timeout_s;
    int wake_timeout_ms;
    bool realtime;
    int tolerance_ms;
    bool stress;
    struct stress_opts st;
};

static char self_dir[PATH_MAX];

/* Built-in implementation names, resolved next to this binary. */
static const char *resolve_impl(const char *impl, char *buf, size_t len)
{
    static const struct { const char *name, *file; } builtin[] = {
        { "reference", "adapters/libevconf-reference.so" },
        { "libvirt-default", "adapters/libevconf-libvirt-default.so" },
        { "libvirt-glib", "adapters/libevconf-libvirt-glib.so" },
    };

    for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
        if (!strcmp(impl, builtin[i].name)) {
            if (snprintf(buf, len, "%s/%s", self_dir, builtin[i].file) >= (int)len)
                return impl;
            return buf;
        }
    if (!strchr(impl, '/')) {        /* dlopen would search the library path */
        snprintf(buf, len, "./%s", impl);
        return buf;
    }
    return impl;
}

static int load_impl(const char *path, struct impl *impl, char *err, size_t errlen)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

    memset(impl, 0, sizeof(*impl));
    impl->path = path;
    if (!h) {
        snprintf(err, errlen, "cannot load it: %s", dlerror());
        return -1;
    }
    *(void **)&impl->register_fn = dlsym(h, "evconf_register");
    *(void **)&impl->run_once = dlsym(h, "evconf_run_once");
    *(void **)&impl->name = dlsym(h, "evconf_name");
    if (!impl->register_fn || !impl->run_once) {
        snprintf(err, errlen, "it does not export %s%s%s (see conformance/evconf.h)",
                 impl->register_fn ? "" : "evconf_register",
                 !impl->register_fn && !impl->run_once ? " and " : "",
                 impl->run_once ? "" : "evconf_run_once");
        return -1;
    }
    return 0;
}

/* Load the implementation in a child first: a broken one (a constructor
 * that crashes, a missing symbol) must not take the runner down.  Returns
 * its display name, or NULL after printing one line. */
static char *check_impl(const char *arg, const char *path)
{
    int p[2];
    pid_t pid;
    char buf[1024] = "";
    ssize_t n = 0, got;
    int status;
    struct stat stbuf;

    if (stat(path, &stbuf) < 0) {
        fprintf(stderr, "evconf-run: IMPL %s: %s: %s\n", arg, path, strerror(errno));
        return NULL;
    }
    if (pipe(p) < 0)
        return NULL;
    pid = fork();
    if (pid == 0) {
        struct impl impl;
        char err[900];
        close(p[0]);
        if (load_impl(path, &impl, err, sizeof(err)) < 0) {
            dprintf(p[1], "E%s", err);
            _exit(3);
        }
        dprintf(p[1], "N%s", impl.name ? impl.name() : path);
        _exit(0);
    }
    close(p[1]);
    while (n < (ssize_t)sizeof(buf) - 1 &&
           (got = read(p[0], buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
        n += got;
    buf[n] = '\0';
    close(p[0]);
    waitpid(pid, &status, 0);
    if (buf[0] == 'N' && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return strdup(buf + 1);
    if (buf[0] == 'E')
        fprintf(stderr, "evconf-run: IMPL %s (%s): %s\n", arg, path, buf + 1);
    else if (WIFSIGNALED(status))
        fprintf(stderr, "evconf-run: IMPL %s (%s): crashed while loading (%s)\n",
                arg, path, strsignal(WTERMSIG(status)));
    else
        fprintf(stderr, "evconf-run: IMPL %s (%s): failed while loading\n", arg, path);
    return NULL;
}

/* ---- scenario files ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_path(char ***files, int *n, const char *path)
{
    *files = realloc(*files, (size_t)(*n + 1) * sizeof(**files));
    (*files)[(*n)++] = strdup(path);
}

static int collect(const char *arg, char ***files, int *n)
{
    struct stat st;
    glob_t g;

    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
        DIR *d = opendir(arg);
        struct dirent *e;
        int first = *n;
        if (!d)
            return -1;
        while ((e = readdir(d))) {
            size_t len = strlen(e->d_name);
            char path[PATH_MAX];
            if (len > 4 && !strcmp(e->d_name + len - 4, ".scn")) {
                snprintf(path, sizeof(path), "%s/%s", arg, e->d_name);
                add_path(files, n, path);
            }
        }
        closedir(d);
        qsort(*files + first, (size_t)(*n - first), sizeof(**files), cmp_str);
        return 0;
    }
    if (stat(arg, &st) == 0) {
        add_path(files, n, arg);
        return 0;
    }
    if (glob(arg, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++)
            add_path(files, n, g.gl_pathv[i]);
        globfree(&g);
        return 0;
    }
    return -1;
}

static bool matches(const char *filter, const char *id)
{
    char buf[1024], *save = NULL;

    if (!filter)
        return true;
    snprintf(buf, sizeof(buf), "%s", filter);
    for (char *pat = strtok_r(buf, ",", &save); pat; pat = strtok_r(NULL, ",", &save))
        if (fnmatch(pat, id, 0) == 0)
            return true;
    return false;
}

/* ---- running one scenario ---- */

static uint64_t scenario_seed(uint64_t seed, const char *id)
{
    uint64_t h = 1469598103934665603ULL ^ seed;

    for (; *id; id++)
        h = (h ^ (unsigned char)*id) * 1099511628211ULL;
    return h;
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void add_failure(struct result *r, const char *line)
{
    char level[16] = "", rules[64] = "";
    int off = 0;

    if (sscanf(line, "%15s %63s %n", level, rules, &off) < 2)
        return;
    r->failures = realloc(r->failures, (size_t)(r->nfailures + 1) * sizeof(*r->failures));
    r->failures[r->nfailures++] = (struct failure){
        !strcmp(level, "MUST") ? LEVEL_MUST : !strcmp(level, "SHOULD") ?
        LEVEL_SHOULD : LEVEL_INFO, strdup(rules), strdup(line + off),
    };
}

static void append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *buf = realloc(*buf, *cap);
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
}

static void child(const struct scenario *sc, const char *impl_path,
                  const struct exec_opts *opts, int fd)
{
    struct impl impl;
    char err[900];

    if (load_impl(impl_path, &impl, err, sizeof(err)) < 0) {
        dprintf(fd, "F MUST - the implementation did not load: %s\n", err);
        _exit(3);
    }
    exec_scenario(sc, &impl, opts, fd);
    dprintf(fd, "R done\n");
    exit(0);            /* not _exit: coverage builds write their data at exit */
}

static void run_one(const struct options *o, const char *impl_path,
                    const struct scenario *sc, struct result *r)
{
    int p[2], status = 0;
    pid_t pid;
    char chunk[4096], *buf = NULL, *trace = NULL;
    size_t len = 0, cap = 0, tlen = 0, tcap = 0;
    bool done = false, timed_out = false;
    double t0 = now_ms(), deadline = t0 + o->timeout_s * 1000.0;

    fflush(stdout);
    fflush(stderr);
    if (pipe(p) < 0 || (pid = fork()) < 0) {
        r->outcome = OUT_ERROR;
        r->error = strdup("cannot start a child process");
        return;
    }
    if (pid == 0) {
        close(p[0]);
        dup2(p[1], 2);        /* the loop's own messages join the trace */
        setpgid(0, 0);
        struct exec_opts eo = { scenario_seed(o->seed, sc->id), o->wake_timeout_ms,
                                o->realtime, o->tolerance_ms };
        child(sc, impl_path, &eo, p[1]);
    }
    close(p[1]);
    for (;;) {
        struct pollfd pfd = { .fd = p[0], .events = POLLIN };
        int wait_ms = (int)(deadline - now_ms());
        ssize_t n;
        if (wait_ms <= 0 || poll(&pfd, 1, wait_ms) == 0) {
            timed_out = true;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            break;
        }
        n = read(p[0], chunk, sizeof(chunk));
        if (n <= 0)
            break;
        append(&buf, &len, &cap, chunk, (size_t)n);
    }
    close(p[0]);
    waitpid(pid, &status, 0);
    r->ms = now_ms() - t0;

    for (char *line = buf, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (!strncmp(line, "T ", 2)) {
            append(&trace, &tlen, &tcap, line + 2, strlen(line + 2));
            append(&trace, &tlen, &tcap, "\n", 1);
        } else if (!strncmp(line, "F ", 2)) {
            add_failure(r, line + 2);
        } else if (!strcmp(line, "R done")) {
            done = true;
        } else if (*line) {
            append(&trace, &tlen, &tcap, "stderr: ", 8);
            append(&trace, &tlen, &tcap, line, strlen(line));
            append(&trace, &tlen, &tcap, "\n", 1);
        }
    }
    free(buf);
    r->trace = trace;
    if (!done) {
        char why[200];
        if (timed_out)
            snprintf(why, sizeof(why), "hang: no result within %d s of real "
                     "time (deadlock, or a wait sim could not see)", o->timeout_s);
        else if (WIFSIGNALED(status))
            snprintf(why, sizeof(why), "crash: the implementation died of %s",
                     strsignal(WTERMSIG(status)));
        else
            snprintf(why, sizeof(why), "exit: the implementation exited with "
                     "status %d in the middle of the scenario", WEXITSTATUS(status));
        r->error = strdup(why);
        r->outcome = OUT_ERROR;
        return;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        /* The scenario ran to its end, and then the process did not exit
         * cleanly: a sanitizer's report at exit (leaks), or a crash in a
         * destructor.  Either is the implementation's. */
        char why[300];
        const char *report = trace ? strstr(trace, "Sanitizer") : NULL;
        const char *eol = report ? strchr(report, '\n') : NULL;
        while (report && report > trace && report[-1] != '\n')
            report--;           /* the whole line: "stderr: ==1==ERROR: ..." */
        snprintf(why, sizeof(why), "MUST - after the scenario the process %s %d%s%.*s",
                 WIFSIGNALED(status) ? "died of signal" : "exited with status",
                 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
                 report ? ": " : " (see the trace)",
                 report ? (int)(eol ? eol - report : (ptrdiff_t)strlen(report)) : 0,
                 report ? report : "");
        add_failure(r, why);
    }
    r->outcome = OUT_PASS;
    for (int k = 0; k < r->nfailures; k++) {
        if (r->failures[k].level == LEVEL_MUST ||
            (r->failures[k].level == LEVEL_SHOULD && o->strict))
            r->outcome = OUT_FAIL;
        else if (r->failures[k].level == LEVEL_SHOULD && r->outcome == OUT_PASS)
            r->outcome = OUT_WARN;
    }
}

static void free_results(struct result *res, int n, char **files, int nfiles)
{
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < res[i].nfailures; k++) {
            free(res[i].failures[k].rules);
            free(res[i].failures[k].message);
        }
        free(res[i].failures);
        free(res[i].trace);
        free(res[i].error);
        scenario_free((struct scenario *)res[i].sc);
    }
    free(res);
    for (int i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
}

/* ---- output ---- */

static void print_details(const struct options *o, const char *impl_arg,
                          const struct result *r)
{
    const struct scenario *sc = r->sc;
    int lines = 0;
    const char *start;

    printf("\n%s %s: %s\n", r->outcome == OUT_WARN ? "WARNING" : "FAILED",
           r->id, sc ? sc->title : "");
    if (sc)
        printf("  rules: %s (%s)\n  file:  %s\n  why:   %s\n", sc->rules,
               level_name(sc->level), r->path, sc->why);
    if (r->error)
        printf("  %s\n", r->error);
    for (int k = 0; k < r->nfailures; k++)
        printf("  [%s %s] %s\n", level_name(r->failures[k].level),
               r->failures[k].rules, r->failures[k].message);
    if (r->trace && *r->trace) {
        start = r->trace + strlen(r->trace);
        while (start > r->trace && lines <= 40)
            if (*--start == '\n')
                lines++;
        if (start > r->trace)
            start++;
        printf("  trace%s:\n", start > r->trace ? " (last 40 lines)" : "");
        for (const char *l = start; *l; ) {
            const char *e = strchr(l, '\n');
            int n = e ? (int)(e - l) : (int)strlen(l);
            printf("    %.*s\n", n, l);
            l += n + (e ? 1 : 0);
        }
    }
    if (sc)
        printf("  seed: %llu\n  rerun: make conformance IMPL=%s SCENARIOS=%s SEED=%llu\n",
               (unsigned long long)o->seed, impl_arg, r->path,
               (unsigned long long)o->seed);
}

/* ---- generated programs (--generate) ---- */

static bool generated(const struct scenario *sc)
{
    return !strncmp(sc->id, "gen-", 4);
}

/* Write the programs into REPORT_DIR/generated/ and add them to the run. */
static int generate_files(const struct options *o, char ***files, int *n)
{
    char dir[PATH_MAX], path[PATH_MAX + 64];

    snprintf(dir, sizeof(dir), "%s/generated", o->report_dir);
    if (report_mkdirs(dir) < 0) {
        fprintf(stderr, "evconf-run: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    for (int k = 1; k <= o->generate; k++) {
        char *text = generate_program(o->seed, k);
        FILE *f;
        snprintf(path, sizeof(path), "%s/gen-%llu-%d.scn", dir,
                 (unsigned long long)o->seed, k);
        f = fopen(path, "w");
        if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
            fprintf(stderr, "evconf-run: cannot write %s\n", path);
            free(text);
            return -1;
        }
        free(text);
        add_path(files, n, path);
    }
    return 0;
}

/* How a generated program failed, for telling whether a smaller one fails
 * the same way: the rules of its first failure and what its message says
 * up to the first colon, without numbers (times and iterations move as
 * lines go), or its error.  The rules alone would not do: the runner's
 * own verdicts are filed under every rule a generated program names, so
 * "did not wake up" would shrink into "spins". */
static void failure_key(const struct result *r, char *key, size_t len)
{
    const char *m;
    size_t n;

    if (r->outcome == OUT_ERROR || r->nfailures == 0) {
        snprintf(key, len, "error");
        return;
    }
    n = (size_t)snprintf(key, len, "%s|", r->failures[0].rules);
    for (m = r->failures[0].message; m && *m && *m != ':' && n + 1 < len; m++)
        if (*m < '0' || *m > '9')
            key[n++] = *m;
    key[n < len ? n : len - 1] = '\0';
}

struct shrink_ctx {
    const struct options *o;
    const char *impl_path;
    char key[160];
    int runs;
};

static bool still_fails(const char *path, void *arg)
{
    struct shrink_ctx *c = arg;
    char err[1024], key[160];
    struct scenario *sc = scenario_parse(path, err, sizeof(err));
    struct result r = { 0 };
    bool same;

    if (!sc)
        return false;
    c->runs++;
    run_one(c->o, c->impl_path, sc, &r);
    failure_key(&r, key, sizeof(key));
    same = (r.outcome == OUT_FAIL || r.outcome == OUT_ERROR ||
            (r.outcome == OUT_WARN && c->o->strict)) && !strcmp(key, c->key);
    for (int k = 0; k < r.nfailures; k++) {
        free(r.failures[k].rules);
        free(r.failures[k].message);
    }
    free(r.failures);
    free(r.trace);
    free(r.error);
    scenario_free(sc);
    return same;
}

/* Shrink a failing generated program to a minimal one, written beside it
 * as .min.scn, and say where it is in the result. */
static void shrink_result(const struct options *o, const char *impl_path, struct result *r)
{
    struct shrink_ctx c = { o, impl_path, "", 0 };
    char out[PATH_MAX], *line = NULL, *text = NULL;
    size_t cap = 0;
    FILE *f = fopen(r->path, "r");
    ssize_t got;
    int left;

    if (!f)
        return;
    got = getdelim(&text, &cap, '\0', f);
    fclose(f);
    if (got <= 0) {
        free(text);
        return;
    }
    failure_key(r, c.key, sizeof(c.key));
    snprintf(out, sizeof(out), "%.*s.min.scn", (int)strlen(r->path) - 4, r->path);
    if (!o->quiet)
        printf("shrinking %s (%s)...\n", r->id, c.key);
    left = shrink_program(text, out, still_fails, &c);
    free(text);
    if (asprintf(&line, "INFO - shrunk to %d step lines in %d runs: %s (rerun: "
                 "evconf-run --impl %s --scenarios %s)", left, c.runs, out,
                 o->impl, out) > 0)
        add_failure(r, line);
    free(line);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "impl", required_argument, NULL, 'i' },
        { "scenarios", required_argument, NULL, 's' },
        { "filter", required_argument, NULL, 'f' },
        { "seed", required_argument, NULL, 'S' },
        { "report-dir", required_argument, NULL, 'r' },
        { "strict", no_argument, NULL, 'X' },
        { "timeout", required_argument, NULL, 't' },
        { "wake-timeout", required_argument, NULL, 'w' },
        { "realtime", no_argument, NULL, 'R' },
        { "tolerance", required_argument, NULL, 'T' },
        { "stress", no_argument, NULL, 'Z' },
        { "threads", required_argument, NULL, 'N' },
        { "stress-ms", required_argument, NULL, 'M' },
        { "list", no_argument, NULL, 'l' },
        { "can-fail-allocations", no_argument, NULL, 'A' },
        { "quiet", no_argument, NULL, 'q' },
        { "fail-fast", no_argument, NULL, 'F' },
        { "generate", required_argument, NULL, 'G' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct options o = { .impl = "reference", .report_dir = "build/conformance-report",
                         .seed = 1, .timeout_s = 10, .wake_timeout_ms = 2000,
                         .tolerance_ms = -1,
                         .st = { .threads = 4, .ms = 2000, .bound_ms = 500 } };
    char implbuf[2 * PATH_MAX], **files = NULL, *impl_name, *end, err[1024];
    const char *impl_path;
    struct result *res;
    int nfiles = 0, nres = 0, c, count[5] = {0}, bad_input = 0, rc;
    static const char *default_path = EVCONF_SCENARIO_DIR;
    ssize_t sl;

    while ((c = getopt_long(argc, argv, "i:s:f:S:r:t:w:lqh", longopts, NULL)) != -1) {
        switch (c) {
        case 'i': o.impl = optarg; break;
        case 's':
            o.paths = realloc(o.paths, (size_t)(o.npaths + 1) * sizeof(*o.paths));
            o.paths[o.npaths++] = optarg;
            break;
        case 'f': o.filter = optarg; break;
        case 'S':
            errno = 0;
            o.seed = strtoull(optarg, &end, 0);
            if (errno || *end || !*optarg) {
                fprintf(stderr, "evconf-run: --seed takes a number, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'r': o.report_dir = optarg; break;
        case 'X': o.strict = true; break;
        case 't':
            o.timeout_s = atoi(optarg);
            if (o.timeout_s <= 0) {
                fprintf(stderr, "evconf-run: --timeout takes a number of seconds > 0\n");
                return 2;
            }
            break;
        case 'w':
            o.wake_timeout_ms = atoi(optarg);
            if (o.wake_timeout_ms <= 0) {
                fprintf(stderr, "evconf-run: --wake-timeout takes a number of ms > 0\n");
                return 2;
            }
            break;
        case 'R': o.realtime = true; break;
        case 'T':
            o.tolerance_ms = atoi(optarg);
            if (o.tolerance_ms < 0) {
                fprintf(stderr, "evconf-run: --tolerance takes a number of ms >= 0\n");
                return 2;
            }
            break;
        case 'Z': o.stress = true; break;
        case 'N':
        case 'M': {
            int v = atoi(optarg);
            if (v <= 0 || (c == 'N' && v > 16) || (c == 'M' && v > 600000)) {
                fprintf(stderr, "evconf-run: --%s takes a number from 1 to %s\n",
                        c == 'N' ? "threads" : "stress-ms", c == 'N' ? "16" : "600000");
                return 2;
            }
            *(c == 'N' ? &o.st.threads : &o.st.ms) = v;
            break;
        }
        case 'l': o.list = true; break;
        case 'A': return sim_alloc_failures_available() ? 0 : 1;
        case 'q': o.quiet = true; break;
        case 'F': o.fail_fast = true; break;
        case 'G':
            o.generate = atoi(optarg);
            if (o.generate <= 0 || o.generate > 100000) {
                fprintf(stderr, "evconf-run: --generate takes a number from 1 to 100000\n");
                return 2;
            }
            break;
        case 'h': fputs(usage, stdout); return 0;
        default:
            fputs("evconf-run: see --help\n", stderr);
            return 2;
        }
    }
    if (o.tolerance_ms < 0)
        o.tolerance_ms = o.realtime ? 50 : 0;
    if (optind < argc) {
        fprintf(stderr, "evconf-run: unexpected argument '%s' (see --help)\n", argv[optind]);
        return 2;
    }
    sl = readlink("/proc/self/exe", self_dir, sizeof(self_dir) - 1);
    self_dir[sl > 0 ? sl : 0] = '\0';
    if (strrchr(self_dir, '/'))
        *strrchr(self_dir, '/') = '\0';

    if (o.stress) {
        impl_path = resolve_impl(o.impl, implbuf, sizeof(implbuf));
        impl_name = check_impl(o.impl, impl_path);
        if (!impl_name)
            return 2;
        rc = stress_run(impl_path, impl_name, &o.st);
        free(impl_name);
        return rc;
    }
    if (o.npaths == 0) {
        o.paths = &default_path;
        o.npaths = 1;
    }
    for (int i = 0; i < o.npaths; i++)
        if (collect(o.paths[i], &files, &nfiles) < 0) {
            fprintf(stderr, "evconf-run: no scenarios at '%s'\n", o.paths[i]);
            free_results(NULL, 0, files, nfiles);
            if (o.paths != &default_path)
                free(o.paths);
            return 2;
        }
    if (o.generate && !o.list && generate_files(&o, &files, &nfiles) < 0) {
        free_results(NULL, 0, files, nfiles);
        if (o.paths != &default_path)
            free(o.paths);
        return 2;
    }
    res = calloc((size_t)nfiles + 1, sizeof(*res));
    for (int i = 0; i < nfiles; i++) {
        struct scenario *sc = scenario_parse(files[i], err, sizeof(err));
        if (!sc) {
            fprintf(stderr, "evconf-run: %s\n", err);
            res[nres++] = (struct result){ .path = files[i], .id = files[i],
                                           .outcome = OUT_ERROR, .error = strdup(err) };
            bad_input = 1;
            continue;
        }
        for (int k = 0; k < nres; k++)
            if (res[k].sc && !strcmp(res[k].sc->id, sc->id)) {
                fprintf(stderr, "evconf-run: %s:1: id '%s' is already used by %s\n",
                        files[i], sc->id, res[k].path);
                bad_input = 1;
            }
        if (!matches(o.filter, sc->id)) {
            scenario_free(sc);
            continue;
        }
        res[nres++] = (struct result){ .sc = sc, .path = files[i], .id = sc->id };
    }
    if (o.list) {
        for (int i = 0; i < nres; i++)
            if (res[i].sc)
                printf("%-44s %-6s %-12s %s\n", res[i].id, level_name(res[i].sc->level),
                       res[i].sc->rules, res[i].sc->title);
        rc = bad_input ? 2 : 0;
        goto out;
    }
    if (nres == 0) {
        fprintf(stderr, "evconf-run: no scenario matches%s%s\n",
                o.filter ? " --filter " : "", o.filter ? o.filter : "");
        rc = 2;
        goto out;
    }
    impl_path = resolve_impl(o.impl, implbuf, sizeof(implbuf));
    impl_name = check_impl(o.impl, impl_path);
    if (!impl_name) {
        rc = 2;
        goto out;
    }
    if (!o.quiet)
        printf("evconf: %d scenarios against %s (seed %llu%s)\n", nres, impl_name,
               (unsigned long long)o.seed, o.realtime ? ", real time" : "");
    for (int i = 0; i < nres; i++) {
        if (res[i].sc)
            run_one(&o, impl_path, res[i].sc, &res[i]);
        count[res[i].outcome]++;
        if (!o.quiet)
            printf("[%3d/%d] %-5s %s\n", i + 1, nres,
                   res[i].outcome == OUT_PASS ? "ok" : outcome_name(res[i].outcome),
                   res[i].id);
        if (o.fail_fast && (res[i].outcome == OUT_FAIL || res[i].outcome == OUT_ERROR ||
                            (res[i].outcome == OUT_WARN && o.strict))) {
            for (int k = i + 1; k < nres; k++) {
                scenario_free((struct scenario *)res[k].sc);
                free(res[k].error);
            }
            nres = i + 1;
            break;
        }
    }
    for (int i = 0; i < nres; i++)
        if (res[i].sc && generated(res[i].sc) &&
            (res[i].outcome == OUT_FAIL || res[i].outcome == OUT_ERROR ||
             (res[i].outcome == OUT_WARN && o.strict)))
            shrink_result(&o, impl_path, &res[i]);
    for (int i = 0; i < nres; i++)
        if (res[i].outcome != OUT_PASS && res[i].outcome != OUT_SKIP)
            print_details(&o, o.impl, &res[i]);
    {
        struct run_info ri = { impl_path, impl_name, o.report_dir, o.seed, o.strict };
        if (write_reports(&ri, res, nres) == 0 && !o.quiet)
            printf("\nreports: %s/results.tap, junit.xml, results.json\n", o.report_dir);
    }
    printf("%d passed, %d failed, %d warnings, %d skipped\n", count[OUT_PASS],
           count[OUT_FAIL] + count[OUT_ERROR], count[OUT_WARN], count[OUT_SKIP]);
    free(impl_name);
    rc = bad_input ? 2 : count[OUT_FAIL] + count[OUT_ERROR] > 0 ? 1 : 0;
out:
    free_results(res, nres, files, nfiles);
    if (o.paths != &default_path)
        free(o.paths);
    return rc;
}
