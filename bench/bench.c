/*
 * bench.c - evconf-bench: benchmark event-loop implementations.
 *
 *   evconf-bench [--impl NAME]... [--rounds K] [--sizes LIST] [--timers T]
 *                [--only A|B|C] [--quick] [--no-callgrind] [--json FILE]
 *
 * The parent measures nothing itself: it plans, runs children (child.c),
 * prints the tables and the goals, and writes the JSON.  bench/README.md
 * says what every figure means and how it is measured.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

/* The executable's own path and directory: children are this binary again,
 * and built-in implementation names live beside it. */
static int find_self(struct bench_run *run)
{
    ssize_t n = readlink("/proc/self/exe", run->self, sizeof(run->self) - 1);
    char dir[sizeof(run->self)];

    if (n <= 0)
        return -1;
    run->self[n] = '\0';
    memcpy(dir, run->self, sizeof(dir));
    snprintf(run->build_dir, sizeof(run->build_dir), "%s", dirname(dir));
    return 0;
}

/* The default results file is BUILD/bench/results.json; its directory is
 * made if need be.  A file given with --json is taken as it is. */
static const char *json_path(struct bench_run *run, char *buf, size_t len)
{
    if (run->opts.json)
        return run->opts.json;
    snprintf(buf, len, "%s/bench", run->build_dir);
    if (mkdir(buf, 0777) < 0 && errno != EEXIST)
        return NULL;
    snprintf(buf, len, "%s/bench/results.json", run->build_dir);
    return buf;
}

static void remove_tmpdir(struct bench_run *run)
{
    if (run->tmpdir[0])
        rmdir(run->tmpdir);
}

static int setup(struct bench_run *run)
{
    const char *tmp = getenv("TMPDIR");

    if (find_self(run) < 0) {
        fprintf(stderr, "bench: cannot find my own executable\n");
        return -1;
    }
    bench_params_init(&run->params, run->opts.quick);
    if (run->opts.no_callgrind)
        run->callgrind_why = "--no-callgrind";
    else
        run->callgrind = bench_callgrind_available(run->valgrind, sizeof(run->valgrind),
                                                   &run->callgrind_why);
    snprintf(run->tmpdir, sizeof(run->tmpdir), "%s/evconf-bench.XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(run->tmpdir)) {
        fprintf(stderr, "bench: cannot make a temporary directory: %s\n", strerror(errno));
        run->tmpdir[0] = '\0';
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static struct bench_run run;
    char jbuf[4200];
    const char *json;
    int rc, bad;

    if (argc > 1 && !strcmp(argv[1], "--child"))
        return bench_child_main(argc, argv);
    rc = bench_options_parse(argc, argv, &run.opts);
    if (rc)
        return rc == 1 ? 0 : 2;
    setvbuf(stdout, NULL, _IOLBF, 0);     /* tables and progress stay in order */
    bench_raise_nofile();
    if (setup(&run) < 0)
        return 2;
    bad = bench_run_all(&run);
    bench_report(&run, stdout);
    json = json_path(&run, jbuf, sizeof(jbuf));
    if (!json || bench_json_write(&run, json) < 0) {
        fprintf(stderr, "bench: cannot write %s: %s\n", json ? json : "results", strerror(errno));
        bad++;
    } else {
        printf("\nresults: %s (%d children, %.1f s)\n", json, run.children, run.seconds);
    }
    remove_tmpdir(&run);
    bench_results_free(&run.results);
    return bad ? 1 : 0;
}
