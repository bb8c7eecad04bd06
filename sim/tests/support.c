/*
 * support.c - loops, traced callbacks and child processes for sim's tests.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "evref.h"
#include "support.h"

int handle_calls, timer_calls, ff_calls;
bool scenario_mode;

/* ck_assert works only inside a test; scenario mode (a child process run
 * by a test) reports on stderr and exits instead. */
#define REQUIRE(cond, ...) do {                                         \
        if (!scenario_mode) {                                           \
            ck_assert_msg(cond, __VA_ARGS__);                           \
        } else if (!(cond)) {                                           \
            fprintf(stderr, __VA_ARGS__);                               \
            fputc('\n', stderr);                                        \
            exit(1);                                                    \
        }                                                               \
    } while (0)

static int reference_register(void)
{
    sim_attach_reference();
    return evref_register();
}

const struct loop reference_seam = {
    "reference (seam)", reference_register, evref_run_once,
};

const struct loop libvirt_default = {
    "libvirt default loop", virEventRegisterDefaultImpl, virEventRunDefaultImpl,
};

struct loop load_loop(const char *relpath)
{
    const char *build = getenv("EVCONF_BUILD");
    char path[4096];
    struct loop l = { relpath, NULL, NULL };
    void *h;

    snprintf(path, sizeof(path), "%s/%s", build ? build : "build", relpath);
    h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    ck_assert_msg(h, "cannot load %s: %s", path, dlerror());
    *(void **)&l.register_fn = dlsym(h, "evconf_register");
    *(void **)&l.run_once = dlsym(h, "evconf_run_once");
    ck_assert_msg(l.register_fn && l.run_once, "%s lacks the ABI", path);
    return l;
}

void start_loop(const struct loop *l, uint64_t seed)
{
    sim_start(seed);
    REQUIRE(l->register_fn() == 0, "%s: register failed", l->name);
}

int run_iterations(const struct loop *l, int n)
{
    int i;

    for (i = 0; i < n && sim_verdict() == SIM_OK; i++) {
        REQUIRE(l->run_once() == 0, "%s: run_once failed", l->name);
        sim_iteration_done();
    }
    return i;
}

void run_until_ms(const struct loop *l, int64_t ms)
{
    for (int i = 0; i < 1000000 && sim_verdict() == SIM_OK; i++) {
        if (sim_now_ns() >= ms * SIM_NS_PER_MS)
            return;
        run_iterations(l, 1);
    }
}

void traced_handle_cb(int watch, int fd, int events, void *opaque)
{
    handle_calls++;
    sim_trace("cb", "handle id=%d fd=%d events=%d opaque=%d", watch, fd,
              events, (int)(intptr_t)opaque);
}

void traced_timer_cb(int timer, void *opaque)
{
    timer_calls++;
    sim_trace("cb", "timer id=%d opaque=%d", timer, (int)(intptr_t)opaque);
}

void traced_ff(void *opaque)
{
    ff_calls++;
    sim_trace("ff", "opaque=%d", (int)(intptr_t)opaque);
}

void add_test(Suite *s, const TTest *test)
{
    TCase *tc = tcase_create(test->name);

    tcase_add_test(tc, test);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
}

char *run_self(const char *const env[], int *status)
{
    int out[2];
    pid_t pid;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    ssize_t n;

    ck_assert_int_eq(pipe(out), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char *argv[] = { (char *)"run-tests", NULL };
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        for (int i = 0; env[i]; i++)
            putenv((char *)env[i]);
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    close(out[1]);
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
        n = read(out[0], buf + len, 4096);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    close(out[0]);
    ck_assert_int_eq(waitpid(pid, status, 0), pid);
    return buf;
}
