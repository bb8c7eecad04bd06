/*
 * support.h - what the reference loop's tests share.
 *
 * Virtual time: vt_install() routes the loop's clock and poll through a fake
 * whose clock moves only when the loop would wait.  A wait first polls the
 * real fds with a zero timeout; if nothing is ready, the clock jumps to the
 * end of the wait (or to the limit set by vt_run_until_ms) and poll returns
 * 0.  A wait with no timeout and nothing ready could never end: outside
 * vt_run_until_ms it returns 0 at once without moving the clock, and is
 * counted in vt_idle_waits.
 *
 * Recording: rec_handle_cb, rec_timer_cb and rec_ff append one record per
 * call to recs[], with the virtual time, the iteration and whether an
 * operation of the loop was on the stack (op_* wrappers set that flag).
 */
#ifndef EVREF_TEST_SUPPORT_H
#define EVREF_TEST_SUPPORT_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>

#include "evref-seam.h"

/* ---- virtual time ---- */
void vt_install(void);               /* clock at 0 ms, iterations at 0 */
int64_t vt_now_ms(void);
void vt_advance_ms(int64_t ms);      /* e.g. a callback that "takes" time */
void vt_run_once(void);              /* one iteration, asserted to succeed */
void vt_run(int iterations);
void vt_run_until_ms(int64_t ms);    /* iterate until the clock reaches ms */
extern int vt_iterations;            /* iterations run so far */
extern int vt_idle_waits;            /* waits that would have been forever */

/* ---- recording ---- */
enum rec_kind { REC_HANDLE, REC_TIMER, REC_FREE };
struct rec {
    enum rec_kind kind;
    int id;                          /* watch or timer; 0 for REC_FREE */
    int fd, events;                  /* REC_HANDLE only */
    void *opaque;
    int64_t at_ms;
    int iter;                        /* vt_iterations when it happened */
    bool in_op;                      /* an op_* call was on the stack */
};
#define REC_MAX 4096
extern struct rec recs[REC_MAX];
extern int nrecs;

void rec_reset(void);
void rec_handle_cb(int watch, int fd, int events, void *opaque);
void rec_timer_cb(int timer, void *opaque);
void rec_ff(void *opaque);
int rec_count(enum rec_kind kind, int id);   /* calls for id */
int rec_count_free(void *opaque);            /* ff calls with opaque */
int rec_count_in_op(void);                   /* records made inside an op */
const struct rec *rec_last(enum rec_kind kind, int id);

/* Distinct opaque pointers without allocating. */
#define TAG(n) ((void *)(intptr_t)(0x1000 + (n)))

/* ---- operations that mark themselves on the stack (R27, R35) ---- */
extern bool op_busy;
int  op_add_handle(int fd, int events, virEventHandleCallback cb,
                   void *opaque, virFreeCallback ff);
void op_update_handle(int watch, int events);
int  op_remove_handle(int watch);
int  op_add_timeout(int ms, virEventTimeoutCallback cb, void *opaque,
                    virFreeCallback ff);
void op_update_timeout(int timer, int ms);
int  op_remove_timeout(int timer);

/* ---- fds ---- */
void make_pipe(int fds[2]);          /* blocking pipe, asserted */
void make_socketpair(int fds[2]);    /* AF_UNIX stream, asserted */
void write_byte(int fd);
void read_byte(int fd);

/* ---- allocation failure (the test binary wraps calloc and realloc) ---- */
void alloc_fail_after(int n);        /* the n+1-th allocation fails; -1 never */

/* ---- per-test fixture: a fresh loop in virtual time ---- */
void fixture_setup(void);
void fixture_teardown(void);
/* Add a test as a test case of its own, named after it, with the fixture,
 * so that CK_RUN_CASE=<test name> reruns exactly that test. */
void add_test(Suite *s, const TTest *test);

#endif
