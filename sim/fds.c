/*
 * fds.c - scripted file descriptors.
 *
 * Real pipes and socket pairs, so a third-party loop may fstat or fcntl
 * them, whose state the script sets through the end the loop does not
 * watch.  The loop's end keeps the flags it was created with (blocking,
 * and inheritable: no FD_CLOEXEC, as a libvirt fd meant for a child has
 * none): sim never changes them, so a check that the loop did not either
 * is meaningful (R17).  Reads and writes on the loop's end use FIONREAD or
 * MSG_DONTWAIT instead of O_NONBLOCK.  The script's end is close-on-exec,
 * and the loop's end is so in any forked child (inherit.c): neither leaks
 * into a program the harness starts.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

static int pair(struct sim_fd *f, enum sim_fd_kind kind)
{
    int fds[2], rc;

    if (kind == SIM_SOCKET)
        rc = socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
    else
        rc = pipe2(fds, O_CLOEXEC);
    if (rc < 0)
        return -1;
    f->kind = kind;
    f->behind = false;
    f->fd = kind == SIM_PIPE_WRITE ? fds[1] : fds[0];
    f->peer = kind == SIM_PIPE_WRITE ? fds[0] : fds[1];
    if (sim__fd_share(f->fd) < 0) {
        sim_fd_close(f);
        return -1;
    }
    return 0;
}

int sim_fd_pipe(struct sim_fd *f)
{
    return pair(f, SIM_PIPE_READ);
}

int sim_fd_pipe_writer(struct sim_fd *f)
{
    return pair(f, SIM_PIPE_WRITE);
}

int sim_fd_socket(struct sim_fd *f)
{
    return pair(f, SIM_SOCKET);
}

/* Data for the loop to read: written by the peer. */
int sim_fd_make_readable(struct sim_fd *f, size_t nbytes)
{
    char chunk[256] = {0};
    int flags, rc = 0;

    if (f->kind == SIM_PIPE_WRITE || f->peer < 0 || f->behind)
        return -1;
    /* Never block the harness: a pipe that cannot take it all is full. */
    flags = fcntl(f->peer, F_GETFL);
    if (flags < 0 || fcntl(f->peer, F_SETFL, flags | O_NONBLOCK) < 0)
        return -1;
    while (nbytes > 0 && rc == 0) {
        size_t n = nbytes < sizeof(chunk) ? nbytes : sizeof(chunk);
        ssize_t w = write(f->peer, chunk, n);
        if (w > 0)
            nbytes -= (size_t)w;
        else
            rc = w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? SIM_FD_FULL : -1;
    }
    fcntl(f->peer, F_SETFL, flags);
    return rc;
}

/* Read, on the loop's end, exactly what is pending. */
int sim_fd_drain(struct sim_fd *f)
{
    char chunk[4096];
    int pending;

    if (f->kind == SIM_PIPE_WRITE)
        return -1;
    while (ioctl(f->fd, FIONREAD, &pending) == 0 && pending > 0) {
        size_t n = (size_t)pending < sizeof(chunk) ? (size_t)pending : sizeof(chunk);
        if (read(f->fd, chunk, n) <= 0)
            return -1;
    }
    return 0;
}

/* Make the loop's end not writable: fill the buffer towards the peer. */
int sim_fd_fill(struct sim_fd *f)
{
    char chunk[4096] = {0};

    if (f->kind == SIM_PIPE_READ || f->peer < 0 || f->behind)
        return -1;
    if (f->kind == SIM_SOCKET) {
        while (send(f->fd, chunk, sizeof(chunk), MSG_DONTWAIT | MSG_NOSIGNAL) > 0)
            ;
        /* AF_UNIX accepts small writes after a large one fails. */
        while (send(f->fd, chunk, 1, MSG_DONTWAIT | MSG_NOSIGNAL) > 0)
            ;
        return errno == EAGAIN ? 0 : -1;
    }
    for (;;) {
        int space;
        struct pollfd p = { .fd = f->fd, .events = POLLOUT };
        if (sim__libc()->poll(&p, 1, 0) != 1 || !(p.revents & POLLOUT))
            return 0;
        space = (int)sizeof(chunk);
        if (write(f->fd, chunk, (size_t)space) <= 0)
            return -1;
    }
}

/* Make the loop's end writable again: the peer reads everything. */
int sim_fd_drain_writable(struct sim_fd *f)
{
    char chunk[4096];
    int pending;

    if (f->kind == SIM_PIPE_READ || f->peer < 0)
        return -1;
    while (ioctl(f->peer, FIONREAD, &pending) == 0 && pending > 0)
        if (read(f->peer, chunk, sizeof(chunk)) <= 0)
            return -1;
    return 0;
}

/* Close the script's end: a hangup for a reader or a socket, an error for a
 * pipe's writer. */
int sim_fd_close_peer(struct sim_fd *f)
{
    if (f->peer < 0)
        return -1;
    close(f->peer);
    f->peer = -1;
    return 0;
}

/* Close the loop's fd behind its back: the number is now invalid (POLLNVAL
 * for a loop that still polls it). */
int sim_fd_close_behind(struct sim_fd *f)
{
    if (f->fd < 0 || f->behind)
        return -1;
    sim__fd_unshare(f->fd);
    close(f->fd);
    f->behind = true;
    return 0;
}

/* Put a fresh, idle file on the loop's fd number (as the kernel does when
 * a number is closed and the next open reuses it).  After close_behind the
 * new pipe may itself have been given that number: if its read end got it,
 * nothing moves; if its write end did, the write end moves elsewhere first. */
/* Put the loop's end on fd number target, raising the soft fd limit if
 * the number lies beyond it: fd 0 for a loop that takes 0 to mean "none",
 * 1024 and up for one built on select(2)'s fd_set.  A descriptor already
 * at target is closed first (the child's stdin, for 0). */
int sim_fd_move(struct sim_fd *f, int target)
{
    struct rlimit rl;

    if (f->fd < 0 || target < 0)
        return -1;
    if (f->fd == target)
        return 0;
    if (target == f->peer && (f->peer = fcntl(f->peer, F_DUPFD_CLOEXEC, 0)) < 0)
        return -1;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur <= (rlim_t)target) {
        rl.rlim_cur = (rlim_t)target + 1 > rl.rlim_max ? rl.rlim_max : (rlim_t)target + 1;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (dup3(f->fd, target, O_CLOEXEC) < 0)
        return -1;
    sim__fd_unshare(f->fd);
    close(f->fd);
    f->fd = target;
    return sim__fd_share(target);
}

int sim_fd_reuse(struct sim_fd *f)
{
    int fds[2];

    if (f->fd < 0 || pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    if (fds[1] == f->fd) {
        int moved = fcntl(fds[1], F_DUPFD_CLOEXEC, 0);
        if (moved < 0) {
            close(fds[0]);
            close(fds[1]);
            return -1;
        }
        fds[1] = moved;
    }
    if (fds[0] != f->fd) {
        if (dup3(fds[0], f->fd, O_CLOEXEC) < 0) {
            close(fds[0]);
            close(fds[1]);
            return -1;
        }
        close(fds[0]);
    }
    f->behind = false;
    if (f->peer >= 0)
        close(f->peer);
    f->peer = fds[1];
    f->kind = SIM_PIPE_READ;
    return sim__fd_share(f->fd);
}

void sim_fd_close(struct sim_fd *f)
{
    if (f->fd >= 0 && !f->behind) {
        sim__fd_unshare(f->fd);
        close(f->fd);
    }
    if (f->peer >= 0)
        close(f->peer);
    f->fd = f->peer = -1;
}
