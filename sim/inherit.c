/*
 * inherit.c - the loop's ends of scripted fds are inheritable, yet never
 * reach a program the harness starts.
 *
 * libvirt's own fds are not all close-on-exec (one it hands to a child is
 * not), so the loop's end is created without FD_CLOEXEC: a loop that sets
 * it then changes what the runner reads back with F_GETFD (R17).  Such a
 * descriptor would leak into anything exec'd meanwhile (the private
 * libvirtd a scenario starts), so in the child of every fork(2) these
 * numbers are marked close-on-exec.  The flag belongs to the descriptor
 * table, which the child has a copy of: the parent's, and what the runner
 * checks there, stay as they were.
 */
#include <fcntl.h>
#include <pthread.h>

#include "internal.h"

#define INHERIT_MAX 1024

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int shared[INHERIT_MAX];
static int nshared;

/* The table is held across fork(2), so the child sees it whole. */
static void before_fork(void)
{
    pthread_mutex_lock(&lock);
}

static void in_parent(void)
{
    pthread_mutex_unlock(&lock);
}

/* fcntl(2) is async-signal-safe, as a child of a threaded process needs. */
static void in_child(void)
{
    for (int i = 0; i < nshared; i++)
        fcntl(shared[i], F_SETFD, FD_CLOEXEC);
    pthread_mutex_unlock(&lock);
}

static void install(void)
{
    pthread_atfork(before_fork, in_parent, in_child);
}

static int find_locked(int fd)
{
    for (int i = 0; i < nshared; i++)
        if (shared[i] == fd)
            return i;
    return -1;
}

/* Clear FD_CLOEXEC on fd, the loop's end: recorded first, so that no fork
 * in between sees it inheritable and unrecorded.  Returns 0 or -1. */
int sim__fd_share(int fd)
{
    int rc = -1;

    pthread_once(&once, install);
    pthread_mutex_lock(&lock);
    if (find_locked(fd) >= 0 || nshared < INHERIT_MAX) {
        if (find_locked(fd) < 0)
            shared[nshared++] = fd;
        rc = fcntl(fd, F_SETFD, 0) < 0 ? -1 : 0;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

/* fd is closed (or about to be): its number is no longer the loop's end. */
void sim__fd_unshare(int fd)
{
    int i;

    pthread_mutex_lock(&lock);
    if ((i = find_locked(fd)) >= 0)
        shared[i] = shared[--nshared];
    pthread_mutex_unlock(&lock);
}
