/*
 * timerfd.h - virtual timerfds: what sim's wait and the interposed
 * timerfd_*() functions share (timerfd.c, timerfd-interpose.c).
 *
 * A virtual timerfd is a real eventfd, so that poll(2) and epoll can
 * watch it; sim writes its expiration count into it when virtual time
 * passes its expiry, and read(2) of the eventfd then returns that count
 * and resets it, or fails with EAGAIN, as a timerfd's read does.
 */
#ifndef EVSIM_TIMERFD_H
#define EVSIM_TIMERFD_H

#include <stdbool.h>
#include <poll.h>
#include <stdint.h>
#include <sys/timerfd.h>

/* At most this many virtual timerfds are open at once (a loop has one per
 * clock it times by); timerfd_create() fails with EMFILE past it. */
#define SIM_TIMERFD_MAX 64

/* Whether a timerfd made now is sim's: during a simulation (in real
 * time, it counts on the real clocks).  Outside one, timerfds are the
 * kernel's. */
bool sim__timerfd_virtual_now(void);
/* timerfd_create(2) for a virtual timerfd: the fd, or -1 with errno. */
int sim__timerfd_create(int clockid, int flags);
/* Whether fd is an open virtual timerfd. */
bool sim__timerfd_is(int fd);
/* timerfd_settime(2) and timerfd_gettime(2) on a virtual timerfd. */
int sim__timerfd_settime(int fd, int flags, const struct itimerspec *value,
                         struct itimerspec *old);
int sim__timerfd_gettime(int fd, struct itimerspec *cur);
/* fd is being closed: it is no longer a virtual timerfd.  Takes no lock
 * (close(2) may be called in a child of fork(2)); a child's close, made
 * in a vfork(2) child that shares the table, changes nothing. */
void sim__timerfd_forget(int fd);
/* The earliest expiry of an armed virtual timerfd, in sim_now_ns() terms,
 * or INT64_MAX if none is armed. */
int64_t sim__timerfd_next_ns(void);
/* The same, for the timerfds a wait on fds sees become readable:
 * directly, or through the epoll sets it waits on.  The wait ends there
 * by itself, so a change made meanwhile for later needs no wake-up. */
int64_t sim__timerfd_next_watched_ns(const struct pollfd *fds, nfds_t nfds);
/* Make every virtual timerfd whose expiry the clocks have reached
 * readable (sim calls it whenever virtual time moves); interval timers
 * are re-armed past now, counting each period passed. */
void sim__timerfd_expire(void);

#endif
