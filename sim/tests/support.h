/*
 * support.h - what sim's tests share: loops to drive, and callbacks that
 * trace themselves.
 */
#ifndef EVSIM_TEST_SUPPORT_H
#define EVSIM_TEST_SUPPORT_H

#include <check.h>
#include <libvirt/libvirt.h>

#include "sim.h"

/* A loop under test, as the conformance ABI sees one. */
struct loop {
    const char *name;
    int (*register_fn)(void);
    int (*run_once)(void);
};
/* The reference, linked in and run through its seam. */
extern const struct loop reference_seam;
/* libvirt's own default loop (GLib), through interposition. */
extern const struct loop libvirt_default;
/* A shared object exporting evconf_register/evconf_run_once, loaded with
 * dlopen and run through interposition; path relative to the build
 * directory ($EVCONF_BUILD, default "build"). */
struct loop load_loop(const char *relpath);

/* Start a simulation (seed 1) and register the loop. */
void start_loop(const struct loop *l, uint64_t seed);
/* Run up to n iterations, telling sim about each; stops at a failed
 * verdict.  Returns the number run. */
int run_iterations(const struct loop *l, int n);
/* Run until virtual time reaches ms (or a failed verdict, or a bound on
 * iterations). */
void run_until_ms(const struct loop *l, int64_t ms);

/* Callbacks that trace ("cb"/"ff" lines) and count.  opaque is a small
 * integer tag, printed as such, so traces do not depend on addresses. */
void traced_handle_cb(int watch, int fd, int events, void *opaque);
void traced_timer_cb(int timer, void *opaque);
void traced_ff(void *opaque);
extern int handle_calls, timer_calls, ff_calls;
#define TAG(n) ((void *)(intptr_t)(n))

/* Each test in a test case of its own, named after it. */
void add_test(Suite *s, const TTest *test);

/* A child process of this binary running one named scenario mode; returns
 * its stdout (malloc'd) and exit status. */
char *run_self(const char *const env[], int *status);

/* True in a scenario-mode child, where Check's asserts cannot be used. */
extern bool scenario_mode;

/* Scenario modes main() runs instead of the tests (see main.c). */
int scenario_main(const char *mode);
/* Modes "faketime*", run under libfaketime (test_faketime.c). */
int faketime_scenario(const char *mode);

#endif
