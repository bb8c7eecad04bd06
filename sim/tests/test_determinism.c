/*
 * test_determinism.c - the same scenario and seed give a byte-identical
 * trace in another process; another seed gives another trace.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "suites.h"
#include "evref-seam.h"
#include "support.h"

static struct sim_fd fds[3];
static int watch_ids[3];

static void make_ready(void *arg)
{
    struct sim_fd *f = arg;

    sim_fd_make_readable(f, 1 + sim_rand_below(3));
}

static void drain_cb(int watch, int fd, int events, void *opaque)
{
    traced_handle_cb(watch, fd, events, opaque);
    for (int i = 0; i < 3; i++)
        if (fds[i].fd == fd)
            sim_fd_drain(&fds[i]);
}

/* Timers with periods from the PRNG, added in an order from the PRNG, and
 * three pipes made readable at PRNG-chosen times; 10 s of virtual time. */
static void mixed_scenario(const struct loop *l, uint64_t seed)
{
    int order[6] = { 0, 1, 2, 3, 4, 5 };

    start_loop(l, seed);
    for (int i = 5; i > 0; i--) {
        int j = (int)sim_rand_below((uint32_t)i + 1), tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }
    for (int i = 0; i < 6; i++)
        virEventAddTimeout(50 + (int)sim_rand_below(950), traced_timer_cb,
                           TAG(order[i]), traced_ff);
    for (int i = 0; i < 3; i++) {
        sim_fd_pipe(&fds[i]);
        watch_ids[i] = virEventAddHandle(fds[i].fd, VIR_EVENT_HANDLE_READABLE,
                                         drain_cb, TAG(10 + i), traced_ff);
        for (int k = 0; k < 5; k++)
            sim_at(sim_rand_below(10000), make_ready, &fds[i], "make readable");
    }
    run_until_ms(l, 10000);
    for (int i = 0; i < 3; i++)
        virEventRemoveHandle(watch_ids[i]);
    run_iterations(l, 1);              /* free callbacks, in the trace too */
}

static void close_fds(void)
{
    for (int i = 0; i < 3; i++)
        sim_fd_close(&fds[i]);
}

int determinism_scenario(uint64_t seed)
{
    mixed_scenario(&reference_seam, seed);
    fputs(sim_trace_text(), stdout);
    close_fds();
    return sim_verdict() == SIM_OK ? 0 : 1;
}

/* The line of a where a and b start to differ. */
static const char *first_difference(const char *a, const char *b)
{
    const char *line = a;

    for (; *a && *a == *b; a++, b++)
        if (*a == '\n')
            line = a + 1;
    return line;
}

static char *trace_in_child(const char *seed_env)
{
    const char *env[] = { "EVSIM_SCENARIO=trace", seed_env, NULL };
    int status;
    char *out = run_self(env, &status);

    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "scenario child failed (status %d): %.200s", status, out);
    return out;
}

START_TEST(same_seed_same_trace_across_processes)
{
    char *a = trace_in_child("EVSIM_SEED=42");
    char *b = trace_in_child("EVSIM_SEED=42");

    ck_assert_msg(strlen(a) > 1000, "trace too short to mean anything: %.200s", a);
    ck_assert_msg(strcmp(a, b) == 0, "traces differ for seed 42, from: %.200s",
                  first_difference(a, b));
    free(a);
    free(b);
}
END_TEST

START_TEST(other_seed_other_trace)
{
    char *a = trace_in_child("EVSIM_SEED=42");
    char *b = trace_in_child("EVSIM_SEED=43");

    ck_assert_msg(strcmp(a, b) != 0, "seeds 42 and 43 gave the same trace");
    free(a);
    free(b);
}
END_TEST

/* Within one process too: run, keep the trace, run again. */
START_TEST(same_seed_same_trace_in_process)
{
    char *first;

    mixed_scenario(&reference_seam, 7);
    first = strdup(sim_trace_text());
    sim_stop();
    close_fds();
    evref_reset();
    mixed_scenario(&reference_seam, 7);
    ck_assert_msg(strcmp(first, sim_trace_text()) == 0,
                  "second run of seed 7 differs, from: %.200s",
                  first_difference(first, sim_trace_text()));
    free(first);
    sim_stop();
}
END_TEST

Suite *determinism_suite(void)
{
    Suite *s = suite_create("determinism");

    add_test(s, same_seed_same_trace_across_processes);
    add_test(s, other_seed_other_trace);
    add_test(s, same_seed_same_trace_in_process);
    return s;
}
