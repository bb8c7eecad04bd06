/*
 * child.c - one measurement of one loop, in a process of its own.
 *
 * libvirt keeps only the first virEventRegisterImpl() of a process, and a
 * loop's state (its heap, its GMainContext) would carry over from one
 * measurement to the next, so the parent runs every measurement as
 *
 *   evconf-bench --child KIND --child-impl PATH|floor --n N [--quick]
 *
 * and reads lines from fd 3: "fig NAME N VALUE", "name TEXT" and, before a
 * non-zero exit, "error TEXT".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

static FILE *result_out(void)
{
    static FILE *out;

    if (!out) {
        out = fdopen(BENCH_RESULT_FD, "w");
        if (!out)
            out = stderr;       /* run by hand: figures on stderr */
    }
    return out;
}

void bench_emit(const char *figure, long n, double value)
{
    fprintf(result_out(), "fig %s %ld %.17g\n", figure, n, value);
}

void bench_emit_text(const char *key, const char *text)
{
    char line[512];

    snprintf(line, sizeof(line), "%s", text);
    for (char *c = line; *c; c++)
        if (*c == '\n')
            *c = ' ';
    fprintf(result_out(), "%s %s\n", key, line);
}

/* A child that cannot measure says why on its result fd, for the parent's
 * one-line report, and leaves without running exit handlers: a loop's
 * destructors are not what is measured, and may hang. */
void bench_die(const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    bench_emit_text("error", msg);
    fflush(result_out());
    _exit(3);
}

static void on_probe_timer(int timer, void *opaque)
{
    (void)timer;
    *(int *)opaque += 1;
}

/* Is the loop usable at all?  One 0 ms timer must fire within a few
 * iterations; its display name goes back to the parent. */
static void probe(const struct bench_loop *loop, const char *path)
{
    static int fired;
    int timer = loop->add_timeout(0, on_probe_timer, &fired, NULL);

    if (timer < 0)
        bench_die("virEventAddTimeout failed");
    for (int i = 0; i < 10 && !fired; i++)
        if (loop->run_once() < 0)
            bench_die("evconf_run_once() failed");
    if (!fired)
        bench_die("a 0 ms timer did not fire in 10 iterations");
    loop->remove_timeout(timer);
    bench_emit_text("name", loop->name ? loop->name : path);
}

static void measure(enum bench_kind kind, const struct bench_loop *loop,
                    const struct bench_params *p, long n, const char *path)
{
    switch (kind) {
    case BENCH_PROBE:    probe(loop, path); break;
    case BENCH_A_TIME:   bench_fds_time(loop, p, n); break;
    case BENCH_A_INSTR:  bench_fds_instructions(loop, p, n); break;
    case BENCH_B_ITER:   bench_timers_iter(loop, p, n); break;
    case BENCH_B_UPDATE: bench_timers_update(loop, p, n); break;
    case BENCH_B_REMOVE: bench_timers_remove(loop, p, n); break;
    case BENCH_B_CHURN:  bench_timers_churn(loop, p, n); break;
    case BENCH_C_WAKE:   bench_wake_loop(loop, p); break;
    case BENCH_NKINDS:   break;
    }
}

int bench_child_main(int argc, char **argv)
{
    const char *path = NULL;
    int kind = -1;
    long n = 0;
    bool quick = false;
    struct bench_params p;
    struct bench_loop loop;
    char err[600];

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--child") && i + 1 < argc)
            kind = bench_kind_parse(argv[++i]);
        else if (!strcmp(argv[i], "--child-impl") && i + 1 < argc)
            path = argv[++i];
        else if (!strcmp(argv[i], "--n") && i + 1 < argc)
            n = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--quick"))
            quick = true;
        else
            bench_die("unknown child argument '%s'", argv[i]);
    }
    if (kind < 0 || !path)
        bench_die("--child needs a known KIND and --child-impl");
    bench_raise_nofile();
    bench_params_init(&p, quick);
    if (!strcmp(path, BENCH_FLOOR)) {
        if (kind == BENCH_C_WAKE) {
            bench_wake_floor(&p);
            goto out;
        }
        bench_floor_open(&loop);
    } else if (bench_loop_open(path, &loop, err, sizeof(err)) < 0) {
        bench_die("%s", err);
    }
    measure((enum bench_kind)kind, &loop, &p, n, path);
out:
    fflush(result_out());
    _exit(0);
}
