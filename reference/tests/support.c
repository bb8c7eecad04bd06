/*
 * support.c - virtual time, recording and fixtures for the reference tests.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support.h"

/* ---- virtual time ---- */

#define NS_PER_MS INT64_C(1000000)
#define NO_LIMIT INT64_MAX
#define MAX_ITERATIONS 1000000

static int64_t vt_ns;
static int64_t vt_limit_ns = NO_LIMIT;
int vt_iterations;
int vt_idle_waits;

static int64_t vt_clock(void *ctx)
{
    (void)ctx;
    return vt_ns;
}

static int vt_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    int ready;
    int64_t target;

    (void)ctx;
    ready = poll(fds, nfds, 0);
    if (ready != 0 || timeout_ms == 0)
        return ready;
    if (timeout_ms < 0 && vt_limit_ns == NO_LIMIT) {
        vt_idle_waits++;     /* nothing could ever wake it: end the wait */
        return 0;
    }
    target = timeout_ms < 0 ? NO_LIMIT : vt_ns + timeout_ms * NS_PER_MS;
    vt_ns = target < vt_limit_ns ? target : vt_limit_ns;
    return 0;
}

void vt_install(void)
{
    static const struct evref_sys sys = { vt_clock, vt_poll, NULL };

    vt_ns = 0;
    vt_limit_ns = NO_LIMIT;
    vt_iterations = 0;
    vt_idle_waits = 0;
    evref_set_sys(&sys);
}

int64_t vt_now_ms(void)
{
    return vt_ns / NS_PER_MS;
}

void vt_advance_ms(int64_t ms)
{
    vt_ns += ms * NS_PER_MS;
}

void vt_run_once(void)
{
    int rc = evref_run_once();

    ck_assert_msg(rc == 0, "evref_run_once() returned %d in iteration %d",
                  rc, vt_iterations);
    vt_iterations++;
}

void vt_run(int iterations)
{
    for (int i = 0; i < iterations; i++)
        vt_run_once();
}

void vt_run_until_ms(int64_t ms)
{
    int start = vt_iterations;

    vt_limit_ns = ms * NS_PER_MS;
    while (vt_ns < vt_limit_ns) {
        ck_assert_msg(vt_iterations - start < MAX_ITERATIONS,
                      "loop spins: %d iterations without reaching %lld ms",
                      MAX_ITERATIONS, (long long)ms);
        vt_run_once();
    }
    vt_limit_ns = NO_LIMIT;
}

/* ---- recording ---- */

struct rec recs[REC_MAX];
int nrecs;
bool op_busy;

static void record(enum rec_kind kind, int id, int fd, int events, void *opaque)
{
    ck_assert_msg(nrecs < REC_MAX, "too many callbacks recorded");
    recs[nrecs++] = (struct rec){
        .kind = kind, .id = id, .fd = fd, .events = events, .opaque = opaque,
        .at_ms = vt_now_ms(), .iter = vt_iterations, .in_op = op_busy,
    };
}

void rec_reset(void)
{
    nrecs = 0;
}

void rec_handle_cb(int watch, int fd, int events, void *opaque)
{
    record(REC_HANDLE, watch, fd, events, opaque);
}

void rec_timer_cb(int timer, void *opaque)
{
    record(REC_TIMER, timer, -1, 0, opaque);
}

void rec_ff(void *opaque)
{
    record(REC_FREE, 0, -1, 0, opaque);
}

int rec_count(enum rec_kind kind, int id)
{
    int n = 0;

    for (int i = 0; i < nrecs; i++)
        n += recs[i].kind == kind && recs[i].id == id;
    return n;
}

int rec_count_free(void *opaque)
{
    int n = 0;

    for (int i = 0; i < nrecs; i++)
        n += recs[i].kind == REC_FREE && recs[i].opaque == opaque;
    return n;
}

int rec_count_in_op(void)
{
    int n = 0;

    for (int i = 0; i < nrecs; i++)
        n += recs[i].in_op;
    return n;
}

const struct rec *rec_last(enum rec_kind kind, int id)
{
    for (int i = nrecs - 1; i >= 0; i--)
        if (recs[i].kind == kind && recs[i].id == id)
            return &recs[i];
    return NULL;
}

/* ---- operations marked on the stack ---- */

#define MARKED(expr) do { bool was = op_busy; op_busy = true; expr; op_busy = was; } while (0)

int op_add_handle(int fd, int events, virEventHandleCallback cb, void *opaque,
                  virFreeCallback ff)
{
    int id;
    MARKED(id = evref_add_handle(fd, events, cb, opaque, ff));
    return id;
}

void op_update_handle(int watch, int events)
{
    MARKED(evref_update_handle(watch, events));
}

int op_remove_handle(int watch)
{
    int rc;
    MARKED(rc = evref_remove_handle(watch));
    return rc;
}

int op_add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                   virFreeCallback ff)
{
    int id;
    MARKED(id = evref_add_timeout(ms, cb, opaque, ff));
    return id;
}

void op_update_timeout(int timer, int ms)
{
    MARKED(evref_update_timeout(timer, ms));
}

int op_remove_timeout(int timer)
{
    int rc;
    MARKED(rc = evref_remove_timeout(timer));
    return rc;
}

/* ---- fds ---- */

void make_pipe(int fds[2])
{
    ck_assert_int_eq(pipe(fds), 0);
}

void make_socketpair(int fds[2])
{
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
}

void write_byte(int fd)
{
    ck_assert_int_eq(write(fd, "x", 1), 1);
}

void read_byte(int fd)
{
    char c;
    ck_assert_int_eq(read(fd, &c, 1), 1);
}

/* ---- allocation failure ---- */

static int alloc_countdown = -1;

void alloc_fail_after(int n)
{
    alloc_countdown = n;
}

static bool alloc_should_fail(void)
{
    if (alloc_countdown < 0)
        return false;
    if (alloc_countdown == 0) {
        alloc_countdown = -1;
        errno = ENOMEM;
        return true;
    }
    alloc_countdown--;
    return false;
}

void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);

void *__wrap_calloc(size_t n, size_t size)
{
    return alloc_should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    return alloc_should_fail() ? NULL : __real_realloc(p, size);
}

/* ---- fixture ---- */

void fixture_setup(void)
{
    evref_reset();
    vt_install();
    rec_reset();
    op_busy = false;
    alloc_fail_after(-1);
}

void fixture_teardown(void)
{
    alloc_fail_after(-1);
    evref_reset();
}

void add_test(Suite *s, const TTest *test)
{
    TCase *tc = tcase_create(test->name);

    tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
    tcase_add_test(tc, test);
    suite_add_tcase(s, tc);
}
