/* internal.h - sim's shared state and its route to the real libc. */
#ifndef EVSIM_INTERNAL_H
#define EVSIM_INTERNAL_H

#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>

#include "sim.h"

/* The real functions, found with dlsym(RTLD_NEXT): the next definition after
 * the executable's own interposers (libc, or libfaketime when preloaded). */
struct sim__libc {
    int (*clock_gettime)(clockid_t, struct timespec *);
    int (*gettimeofday)(struct timeval *, void *);
    time_t (*time)(time_t *);
    int (*poll)(struct pollfd *, nfds_t, int);
    int (*ppoll)(struct pollfd *, nfds_t, const struct timespec *,
                 const sigset_t *);
    int (*select)(int, fd_set *, fd_set *, fd_set *, struct timeval *);
    int (*pselect)(int, fd_set *, fd_set *, fd_set *, const struct timespec *,
                   const sigset_t *);
    int (*epoll_wait)(int, struct epoll_event *, int, int);
    int (*epoll_pwait)(int, struct epoll_event *, int, int, const sigset_t *);
};
const struct sim__libc *sim__libc(void);
/* The next definition of a libc function (the real one below sim's
 * wrapper); aborts, saying which, when there is none. */
void *sim__need_real(const char *name);

/* The system call a loop waits with: each can fail or end only in the ways
 * the kernel lets it (sim__wait). */
enum sim__wait_call { SIM__WAIT_POLL, SIM__WAIT_SELECT, SIM__WAIT_EPOLL };
/* sim_poll() for a wait made with call. */
int sim__wait(struct pollfd *fds, nfds_t nfds, int timeout_ms,
              enum sim__wait_call call);

/* Real monotonic time in ms, for the watchdog. */
int64_t sim__real_ms(void);
/* Record a failure; the first one wins. */
void sim__fail(enum sim_verdict v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Reset the trace (sim_start). */
void sim__trace_reset(void);
void sim__note_work(void);
/* The loop's end of a scripted fd: inheritable here, close-on-exec in any
 * child of fork(2) (inherit.c).  share returns 0 or -1. */
int sim__fd_share(int fd);
void sim__fd_unshare(int fd);

#endif
