/*
 * bench.h - shared declarations of evconf-bench, the event-loop benchmark.
 *
 * The parent (bench.c, options.c, run.c, spawn.c, callgrind.c, results.c,
 * report.c, goals.c, json.c) plans rounds and runs every measurement in a
 * child process of its own; the child (child.c, loop.c, floor.c, ready.c,
 * fds.c, timers.c, wake.c) loads one loop, measures one thing and writes
 * its figures on fd 3.  bench/README.md describes every figure.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <libvirt/libvirt.h>

#define BENCH_MAX_ROUNDS 99
#define BENCH_MAX_IMPLS 16          /* the floor included */
#define BENCH_MAX_SIZES 16
#define BENCH_RESULT_FD 3           /* where a child writes its figures */
#define BENCH_FLOOR "floor"

/* ---- what a child measures ------------------------------------------- */

enum bench_kind {
    BENCH_PROBE,        /* load, register, fire one timer: is the loop usable? */
    BENCH_A_TIME,       /* A: time and iterations per event, N fds */
    BENCH_A_INSTR,      /* A: instructions per iteration, under callgrind */
    BENCH_B_ITER,       /* B: iteration cost with n idle timers */
    BENCH_B_UPDATE,     /* B: one update at n timers */
    BENCH_B_REMOVE,     /* B: one remove (and its reclamation) at n timers */
    BENCH_B_CHURN,      /* B: memory and iteration after n adds + n removes */
    BENCH_C_WAKE,       /* C: cross-thread wake-up latency */
    BENCH_NKINDS
};

const char *bench_kind_name(enum bench_kind kind);
int bench_kind_parse(const char *name);
char bench_kind_section(enum bench_kind kind);

/* How long and how often a child measures; --quick shrinks everything. */
struct bench_params {
    int64_t sample_ns;          /* timed part of one A or B timing sample */
    int64_t diff_ns;            /* timed part of a differential B figure */
    int callgrind_warmup;       /* steps before collection starts */
    int callgrind_iters;        /* collected steps at N <= 1000 */
    int wake_warmup;            /* C samples thrown away */
    int wake_samples;           /* C samples kept */
    int64_t wake_pause_ns;      /* sleep before each C sample */
};

void bench_params_init(struct bench_params *p, bool quick);
long bench_callgrind_iters(const struct bench_params *p, long n);

/* ---- the loop under measurement (loop.c, floor.c) --------------------- */

/* The six operations and one iteration.  For an implementation these are
 * libvirt's public virEvent*() functions and the IMPL's evconf_run_once();
 * for the floor, the benchmark's own bare poll(2) loop. */
struct bench_loop {
    int (*add_handle)(int fd, int events, virEventHandleCallback cb,
                      void *opaque, virFreeCallback ff);
    void (*update_handle)(int watch, int events);
    int (*remove_handle)(int watch);
    int (*add_timeout)(int timeout_ms, virEventTimeoutCallback cb,
                       void *opaque, virFreeCallback ff);
    void (*update_timeout)(int timer, int timeout_ms);
    int (*remove_timeout)(int timer);
    int (*run_once)(void);
    const char *name;
};

int bench_loop_open(const char *path, struct bench_loop *loop,
                    char *err, size_t errlen);
void bench_floor_open(struct bench_loop *loop);

/* ---- child side -------------------------------------------------------- */

int bench_child_main(int argc, char **argv);
void bench_emit(const char *figure, long n, double value);
void bench_emit_text(const char *key, const char *text);
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* n eventfds with a READABLE watch each; a "step" makes the next one ready
 * (round-robin) and iterates the loop until its callback has run. */
struct bench_ready {
    const struct bench_loop *loop;
    int *fds;
    long n, next;
    long callbacks;             /* callbacks delivered */
    long runs;                  /* run_once() calls */
};

void bench_ready_open(struct bench_ready *r, const struct bench_loop *loop, long n);
void bench_ready_step(struct bench_ready *r);
double bench_ready_estimate(struct bench_ready *r, int64_t budget_ns);
double bench_ready_time(struct bench_ready *r, int64_t budget_ns,
                        double *iters_per_event);

void bench_fds_time(const struct bench_loop *loop, const struct bench_params *p, long n);
void bench_fds_instructions(const struct bench_loop *loop,
                            const struct bench_params *p, long n);
void bench_timers_iter(const struct bench_loop *loop, const struct bench_params *p, long n);
void bench_timers_update(const struct bench_loop *loop, const struct bench_params *p, long n);
void bench_timers_remove(const struct bench_loop *loop, const struct bench_params *p, long n);
void bench_timers_churn(const struct bench_loop *loop, const struct bench_params *p, long n);
void bench_wake_loop(const struct bench_loop *loop, const struct bench_params *p);
void bench_wake_floor(const struct bench_params *p);

/* ---- utilities (util.c) ------------------------------------------------ */

struct bench_mem {
    double rss;                 /* resident bytes, /proc/self/statm */
    double inuse;               /* malloc: uordblks + hblkhd */
    double uordblks;            /* malloc: uordblks alone */
};

int64_t bench_now_ns(void);
int64_t bench_cpu_ns(void);
void bench_sleep_ns(int64_t ns);
void bench_raise_nofile(void);
void bench_mem_read(struct bench_mem *m);
double bench_median(double *v, size_t n);
double bench_percentile(double *v, size_t n, double q);
void *bench_xcalloc(size_t n, size_t size);
char *bench_strdup(const char *s);

/* ---- parent side ------------------------------------------------------- */

struct bench_opts {
    const char *impls[BENCH_MAX_IMPLS];
    int nimpls;
    int rounds;
    long sizes[BENCH_MAX_SIZES];
    int nsizes;
    long timers;
    bool quick, no_callgrind;
    int timeout_s;              /* a child's watchdog; 5x under callgrind */
    const char *json;
    bool section[3];            /* A, B, C */
};

int bench_options_parse(int argc, char **argv, struct bench_opts *o);
void bench_usage(FILE *out);

/* One implementation (index 0 is always the floor). */
struct bench_impl {
    const char *label;          /* as given: "reference", "./libfoo.so" */
    char path[4096];            /* resolved file, or "floor" */
    char name[160];             /* evconf_name(), or the label */
    bool ok;
    char error[320];
};

/* The figures a child may report, with their section and unit. */
struct bench_figure {
    const char *name;
    char section;
    const char *unit;           /* "ns", "Ir", "iterations", "bytes", "calls" */
    enum bench_kind kind;       /* the measurement that produces it */
};

const struct bench_figure *bench_figure_find(const char *name);

struct bench_series {
    int impl;
    const struct bench_figure *fig;
    long n;
    double v[BENCH_MAX_ROUNDS];
    int nv;
};

struct bench_failure {
    int impl;
    enum bench_kind kind;
    long n;
    int round;
    char reason[320];
};

struct bench_results {
    struct bench_series *series;
    size_t len, cap;
    struct bench_failure *fail;
    size_t nfail, failcap;
};

void bench_results_add(struct bench_results *r, int impl,
                       const struct bench_figure *fig, long n, double v);
void bench_results_fail(struct bench_results *r, int impl, enum bench_kind kind,
                        long n, int round, const char *reason);
const struct bench_series *bench_results_find(const struct bench_results *r,
                                              int impl, const char *fig, long n);
double bench_results_median(const struct bench_results *r, int impl,
                            const char *fig, long n);
double bench_results_ratio(const struct bench_results *r, int impl,
                           const char *fig, long n);
bool bench_results_failed(const struct bench_results *r, int impl,
                          const struct bench_figure *fig, long n);
void bench_results_free(struct bench_results *r);

/* What a finished child said. */
#define BENCH_MAX_FIGS 32
struct bench_child {
    bool ok;
    char reason[320];           /* why not ok */
    struct { char fig[32]; long n; double v; } figs[BENCH_MAX_FIGS];
    int nfigs;
    char name[160];
};

int bench_spawn(char *const argv[], int timeout_s, struct bench_child *c);

bool bench_callgrind_available(char *path, size_t len, const char **why);
int bench_callgrind_total(const char *file, double *ir);

/* Everything a run knows, for the report and the JSON. */
struct bench_run {
    struct bench_opts opts;
    struct bench_params params;
    struct bench_impl impls[BENCH_MAX_IMPLS];
    int nimpls;
    struct bench_results results;
    char self[4096];            /* this executable */
    char build_dir[4096];       /* its directory */
    char valgrind[4096];
    bool callgrind;
    const char *callgrind_why;  /* why not, when !callgrind */
    char tmpdir[4096];
    int children;
    double seconds;
};

int bench_run_all(struct bench_run *run);
void bench_report(const struct bench_run *run, FILE *out);

enum bench_goal_status { BENCH_GOAL_NA, BENCH_GOAL_PASS, BENCH_GOAL_MISS };
struct bench_goal {
    char text[160];
    double value, limit;
    const char *unit;           /* "x" for a ratio */
    enum bench_goal_status status;
};

#define BENCH_MAX_GOALS 12
int bench_goals(const struct bench_run *run, struct bench_goal *g);
void bench_goals_print(const struct bench_goal *g, int n, FILE *out);
int bench_json_write(const struct bench_run *run, const char *file);

#endif /* BENCH_H */
