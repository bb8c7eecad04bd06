/* support.h - helpers shared by the runner's tests (support.c). */
#ifndef EVCONF_TEST_SUPPORT_H
#define EVCONF_TEST_SUPPORT_H

#include <check.h>
#include <stdbool.h>
#include <sys/types.h>

/* A scenario's header lines, with its id for the %s. */
#define HEADER "id: %s\ntitle: t\nrules: R21\nlevel: MUST\nwhy: w.\n\n"

/* The build directory ($EVCONF_BUILD, default "build"). */
const char *build_dir(void);
/* Run evconf-run with args (NULL-terminated), behind the words of prefix
 * (e.g. faketime) if any; returns its exit status (128 + signal if it was
 * killed) with its stdout and stderr together in *out. */
int run_prefixed(char **out, const char *const prefix[], const char *const args[]);
int runner(char **out, const char *const args[]);
/* Start evconf-run with args and return at once: its pid, and in *out_fd
 * the read end of its stdout and stderr. */
pid_t runner_start(int *out_fd, const char *const args[]);
/* The same behind the words of prefix (e.g. faketime). */
pid_t runner_start_prefixed(int *out_fd, const char *const prefix[],
                            const char *const args[]);
/* Read fd to its end into a new string. */
char *read_all(int fd);
/* Wait up to ms (real time) for pid to be gone (not even a zombie of
 * ours); true if it is. */
bool process_gone(pid_t pid, int ms);

/* A temporary directory, created on first use, removed after each test. */
extern char tmpdir[];
/* Create it now, if no scenario_file() did; returns it. */
const char *make_tmpdir(void);
/* A scenario file in it; returns its path (overwritten by the next call). */
const char *scenario_file(const char *name, const char *text);
void remove_tmpdir(void);
/* build/conformance/tests/impls/lib<name>.so */
const char *impl(const char *name);
int count_lines(const char *s);
/* A scenario that passes on any loop that keeps R21: a 0 ms timer, 3
 * iterations, 3 calls. */
const char *simple(const char *id);

/* A malformed scenario body (after HEADER), the line the runner must blame
 * and what it must say there. */
struct bad_scenario {
    const char *body;
    int line;
    const char *says;
};
/* Write each as tmpdir/badI.scn, and check the runner's output names each
 * file and line and says what it must. */
void write_bad_scenarios(const struct bad_scenario *bad, size_t n);
void check_bad_scenarios(const char *out, const struct bad_scenario *bad, size_t n);
/* Both, around a run of the runner on tmpdir alone, which must exit 2. */
void refused_bad_scenarios(const struct bad_scenario *bad, size_t n);

/* Run two simple scenarios against a misbehaving test implementation with
 * the given --timeout: both must be reported as failed, and the output
 * must contain says. */
void misbehaving(const char *which, int timeout, const char *says);

/* Check has no skip: a test that cannot run here (a tool missing, a
 * sanitized runner) calls this and returns.  It prints "evconf-skip: WHY",
 * which scripts/sum-checks counts as skipped instead of passed. */
void test_skip(const char *why);

/* Each test file's tests, added to the suite one test case each. */
void add_tests(Suite *s, const TTest *const tests[], size_t n);
void add_tests_timed(Suite *s, const TTest *const tests[], size_t n, int timeout_s);
void add_runner_tests(Suite *s);
void add_supervision_tests(Suite *s);
void add_report_tests(Suite *s);
void add_expect_tests(Suite *s);
void add_scenario_tests(Suite *s);
void add_binding_tests(Suite *s);
void add_client_tests(Suite *s);
void add_daemon_guard_tests(Suite *s);
void add_limits_tests(Suite *s);
void add_stress_tests(Suite *s);
void add_modes_tests(Suite *s);
void add_attribution_tests(Suite *s);
void add_words_tests(Suite *s);
void add_glue_tests(Suite *s);
void add_wakeups_tests(Suite *s);
void add_mode_stop_tests(Suite *s);
void add_lanes_tests(Suite *s);

#endif
