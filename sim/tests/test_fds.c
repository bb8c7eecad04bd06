/*
 * test_fds.c - the scripted fd layer: every action leaves the loop's fd in
 * the state it promises, as a real zero-timeout poll(2) sees it, and never
 * touches the loop's fd flags.
 *
 * The states are read with the real poll (sim__libc()->poll), so what is
 * checked is the kernel's view of the descriptors, not sim's.  The flags are
 * read with fcntl before and after each action: conformance checks of R17
 * ("the impl never changes the fd's flags") compare the same two values, so
 * a change made by sim itself would be blamed on the loop under test.
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "suites.h"
#include "support.h"

/* The kinds of scripted fd, with what the loop's end is at creation. */
struct kind {
    const char *name;
    int (*make)(struct sim_fd *f);
    enum sim_fd_kind kind;
    int accmode;          /* O_RDONLY, O_WRONLY or O_RDWR */
    short idle_events;    /* revents for POLLIN|POLLOUT while idle */
    short hangup;         /* what close_peer makes poll report */
};

static const struct kind pipe_reader = {
    "pipe reader", sim_fd_pipe, SIM_PIPE_READ, O_RDONLY, 0, POLLHUP,
};
static const struct kind pipe_writer = {
    "pipe writer", sim_fd_pipe_writer, SIM_PIPE_WRITE, O_WRONLY, POLLOUT, POLLERR,
};
static const struct kind socket_pair = {
    "socket", sim_fd_socket, SIM_SOCKET, O_RDWR, POLLOUT, POLLHUP,
};

/* The loop's fd flags, as R17 checks compare them. */
struct flags {
    int fl;               /* F_GETFL */
    int fd;               /* F_GETFD */
};

static struct flags flags_of(int fd)
{
    struct flags f = { fcntl(fd, F_GETFL), fcntl(fd, F_GETFD) };

    ck_assert_msg(f.fl >= 0 && f.fd >= 0, "fcntl(%d): %s", fd, strerror(errno));
    return f;
}

static void assert_flags_unchanged(const struct sim_fd *f, struct flags before,
                                   const char *after_what)
{
    struct flags now = flags_of(f->fd);

    ck_assert_msg(now.fl == before.fl, "F_GETFL of fd %d changed by %s: "
                  "expected %#x, got %#x", f->fd, after_what, before.fl, now.fl);
    ck_assert_msg(now.fd == before.fd, "F_GETFD of fd %d changed by %s: "
                  "expected %#x, got %#x", f->fd, after_what, before.fd, now.fd);
}

/* What a real zero-timeout poll reports for fd, asked for POLLIN|POLLOUT. */
static short revents_of(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
    int rc = sim__libc()->poll(&p, 1, 0);

    ck_assert_msg(rc >= 0, "poll(%d): %s", fd, strerror(errno));
    return rc == 0 ? 0 : p.revents;
}

static int pending_on(int fd)
{
    int n = -1;

    ck_assert_msg(ioctl(fd, FIONREAD, &n) == 0, "FIONREAD on %d: %s", fd,
                  strerror(errno));
    return n;
}

static void make(const struct kind *k, struct sim_fd *f)
{
    ck_assert_msg(k->make(f) == 0, "%s: creation failed: %s", k->name,
                  strerror(errno));
}

/* ---- creation ---- */

/* A fresh fd of each kind: the loop's end and the script's end are two
 * distinct open descriptors; the loop's end is blocking and inheritable
 * (no FD_CLOEXEC, so that a loop setting it shows), the script's end
 * close-on-exec;
 * opened for the direction the kind says, and idle (a reader has nothing to
 * read; a writer and a socket can be written to). */
static void created(const struct kind *k)
{
    struct sim_fd f;
    struct flags fl;
    short rev;

    make(k, &f);
    ck_assert_int_eq(f.kind, k->kind);
    ck_assert_msg(f.fd >= 0 && f.peer >= 0 && f.fd != f.peer,
                  "%s: fd %d, peer %d", k->name, f.fd, f.peer);
    fl = flags_of(f.fd);
    ck_assert_msg((fl.fl & O_ACCMODE) == k->accmode, "%s: access mode "
                  "expected %#x, got %#x", k->name, k->accmode, fl.fl & O_ACCMODE);
    ck_assert_msg(!(fl.fl & O_NONBLOCK), "%s: the loop's end is non-blocking",
                  k->name);
    ck_assert_msg(!(fl.fd & FD_CLOEXEC), "%s: the loop's end is close-on-exec",
                  k->name);
    ck_assert_msg(fcntl(f.peer, F_GETFD) == FD_CLOEXEC, "%s: the script's end "
                  "is not close-on-exec", k->name);
    rev = revents_of(f.fd);
    ck_assert_msg(rev == k->idle_events, "%s: idle revents expected %#x, got %#x",
                  k->name, k->idle_events, rev);
    sim_fd_close(&f);
    ck_assert_int_eq(f.fd, -1);
    ck_assert_int_eq(f.peer, -1);
}

START_TEST(create_pipe_reader)
{
    created(&pipe_reader);
}
END_TEST

START_TEST(create_pipe_writer)
{
    created(&pipe_writer);
}
END_TEST

START_TEST(create_socket)
{
    created(&socket_pair);
}
END_TEST

/* ---- make_readable and drain ---- */

/* make_readable(n) leaves exactly n bytes for the loop to read: poll says
 * POLLIN and FIONREAD says n, for sizes below, at and above the size sim
 * writes in one go (256 bytes).  Each round starts from a drained fd. */
static void make_readable(const struct kind *k)
{
    static const size_t sizes[] = { 1, 256, 300, 5000 };
    struct sim_fd f;
    struct flags fl;

    make(k, &f);
    fl = flags_of(f.fd);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        ck_assert_msg(sim_fd_make_readable(&f, sizes[i]) == 0,
                      "%s: make_readable(%zu) failed", k->name, sizes[i]);
        ck_assert_msg(revents_of(f.fd) & POLLIN, "%s: not readable after "
                      "make_readable(%zu)", k->name, sizes[i]);
        ck_assert_msg(pending_on(f.fd) == (int)sizes[i], "%s: FIONREAD after "
                      "make_readable(%zu) is %d", k->name, sizes[i],
                      pending_on(f.fd));
        assert_flags_unchanged(&f, fl, "make_readable");
        ck_assert_int_eq(sim_fd_drain(&f), 0);
    }
    sim_fd_close(&f);
}

START_TEST(make_readable_pipe)
{
    make_readable(&pipe_reader);
}
END_TEST

START_TEST(make_readable_socket)
{
    make_readable(&socket_pair);
}
END_TEST

/* drain reads what is pending, however much (here more than sim's 4 KiB
 * read buffer), and no more: afterwards poll no longer says POLLIN, FIONREAD
 * is 0, and the call did not block although the loop's end is blocking.  A
 * drain with nothing pending is a no-op that succeeds. */
static void drain(const struct kind *k)
{
    struct sim_fd f;
    struct flags fl;

    make(k, &f);
    fl = flags_of(f.fd);
    ck_assert_int_eq(sim_fd_drain(&f), 0);
    ck_assert_int_eq(sim_fd_make_readable(&f, 10000), 0);
    ck_assert_int_eq(pending_on(f.fd), 10000);
    ck_assert_int_eq(sim_fd_drain(&f), 0);
    ck_assert_msg(!(revents_of(f.fd) & POLLIN), "%s: still readable after "
                  "drain (revents %#x)", k->name, revents_of(f.fd));
    ck_assert_msg(pending_on(f.fd) == 0, "%s: %d bytes left after drain",
                  k->name, pending_on(f.fd));
    assert_flags_unchanged(&f, fl, "drain");
    sim_fd_close(&f);
}

START_TEST(drain_pipe)
{
    drain(&pipe_reader);
}
END_TEST

START_TEST(drain_socket)
{
    drain(&socket_pair);
}
END_TEST

/* ---- fill and drain_writable ---- */

/* fill leaves the loop's end not writable: poll no longer says POLLOUT
 * (and the fill itself returned, though the fd is blocking). */
static void fill(const struct kind *k)
{
    struct sim_fd f;
    struct flags fl;

    make(k, &f);
    fl = flags_of(f.fd);
    ck_assert_msg(revents_of(f.fd) & POLLOUT, "%s: not writable to start with",
                  k->name);
    ck_assert_int_eq(sim_fd_fill(&f), 0);
    ck_assert_msg(!(revents_of(f.fd) & POLLOUT), "%s: still writable after "
                  "fill (revents %#x)", k->name, revents_of(f.fd));
    assert_flags_unchanged(&f, fl, "fill");
    sim_fd_close(&f);
}

START_TEST(fill_pipe_writer)
{
    fill(&pipe_writer);
}
END_TEST

START_TEST(fill_socket)
{
    fill(&socket_pair);
}
END_TEST

/* drain_writable after fill: the peer reads everything, so the loop's end
 * is writable again and nothing is left for the peer; twice in a row, so a
 * second fill works on a drained buffer too. */
static void drain_writable(const struct kind *k)
{
    struct sim_fd f;
    struct flags fl;

    make(k, &f);
    fl = flags_of(f.fd);
    for (int round = 1; round <= 2; round++) {
        ck_assert_int_eq(sim_fd_fill(&f), 0);
        ck_assert_msg(!(revents_of(f.fd) & POLLOUT), "%s: writable after fill "
                      "(round %d)", k->name, round);
        ck_assert_int_eq(sim_fd_drain_writable(&f), 0);
        ck_assert_msg(revents_of(f.fd) & POLLOUT, "%s: not writable after "
                      "drain_writable (round %d, revents %#x)", k->name, round,
                      revents_of(f.fd));
        ck_assert_msg(pending_on(f.peer) == 0, "%s: %d bytes left for the peer "
                      "(round %d)", k->name, pending_on(f.peer), round);
        assert_flags_unchanged(&f, fl, "fill/drain_writable");
    }
    sim_fd_close(&f);
}

START_TEST(drain_writable_pipe_writer)
{
    drain_writable(&pipe_writer);
}
END_TEST

START_TEST(drain_writable_socket)
{
    drain_writable(&socket_pair);
}
END_TEST

/* ---- close_peer ---- */

/* close_peer closes the script's end: poll reports POLLHUP on a pipe's
 * read end and on a socket, POLLERR on a pipe's write end (EPIPE territory);
 * the loop's fd stays open with its flags, and the peer is marked closed so
 * a second close_peer fails instead of closing someone else's number. */
static void close_peer(const struct kind *k)
{
    struct sim_fd f;
    struct flags fl;
    short rev;

    make(k, &f);
    fl = flags_of(f.fd);
    ck_assert_int_eq(sim_fd_close_peer(&f), 0);
    ck_assert_int_eq(f.peer, -1);
    rev = revents_of(f.fd);
    ck_assert_msg(rev & k->hangup, "%s: close_peer: expected revents with %#x, "
                  "got %#x", k->name, k->hangup, rev);
    ck_assert_msg(!(rev & POLLNVAL), "%s: the loop's fd was closed too", k->name);
    assert_flags_unchanged(&f, fl, "close_peer");
    ck_assert_int_eq(sim_fd_close_peer(&f), -1);
    sim_fd_close(&f);
}

START_TEST(close_peer_pipe_reader)
{
    close_peer(&pipe_reader);
}
END_TEST

START_TEST(close_peer_pipe_writer)
{
    close_peer(&pipe_writer);
}
END_TEST

START_TEST(close_peer_socket)
{
    close_peer(&socket_pair);
}
END_TEST

/* ---- close_behind ---- */

/* close_behind closes the loop's fd under it: poll reports POLLNVAL for
 * the number, fcntl says EBADF, and the struct keeps the number (it is what
 * the loop still holds, and what reuse puts a new file on). */
static void close_behind(const struct kind *k)
{
    struct sim_fd f;
    int number;

    make(k, &f);
    number = f.fd;
    ck_assert_int_eq(sim_fd_close_behind(&f), 0);
    ck_assert_int_eq(f.fd, number);
    ck_assert_msg(revents_of(number) == POLLNVAL, "%s: close_behind: expected "
                  "POLLNVAL, got %#x", k->name, revents_of(number));
    errno = 0;
    ck_assert_int_eq(fcntl(number, F_GETFD), -1);
    ck_assert_int_eq(errno, EBADF);
    sim_fd_close(&f);
}

START_TEST(close_behind_pipe_reader)
{
    close_behind(&pipe_reader);
}
END_TEST

START_TEST(close_behind_pipe_writer)
{
    close_behind(&pipe_writer);
}
END_TEST

START_TEST(close_behind_socket)
{
    close_behind(&socket_pair);
}
END_TEST

/* ---- reuse ---- */

/* reuse puts a fresh, idle file on the loop's number, with or without a
 * close_behind first (R19: a reused number must not inherit a stale poll
 * result): same number, a different file (another inode), a pipe's read end
 * that is not readable and not closed, still blocking; and the script's new
 * peer feeds that file (make_readable(3) gives FIONREAD 3).  After a
 * close_behind the number is free, and the new pipe sim opens for the reuse
 * is itself given that number by the kernel: the fd must still end up open. */
static void reuse(const struct kind *k, bool closed_first)
{
    struct sim_fd f;
    struct stat before, after;
    int number;
    short rev;

    make(k, &f);
    number = f.fd;
    ck_assert_int_eq(fstat(f.fd, &before), 0);
    /* Something pending on the old file must not show on the new one. */
    if (k->kind != SIM_PIPE_WRITE)
        ck_assert_int_eq(sim_fd_make_readable(&f, 7), 0);
    if (closed_first)
        ck_assert_int_eq(sim_fd_close_behind(&f), 0);
    ck_assert_int_eq(sim_fd_reuse(&f), 0);
    ck_assert_int_eq(f.fd, number);
    ck_assert_int_eq(f.kind, SIM_PIPE_READ);
    ck_assert_msg(fstat(f.fd, &after) == 0, "%s: fd %d is not open after "
                  "reuse%s: %s", k->name, number,
                  closed_first ? " (after close_behind)" : "", strerror(errno));
    ck_assert_msg(after.st_ino != before.st_ino, "%s: reuse left the same "
                  "file (inode %lu) on fd %d", k->name,
                  (unsigned long)after.st_ino, number);
    ck_assert_msg(S_ISFIFO(after.st_mode), "%s: the new file is not a pipe",
                  k->name);
    rev = revents_of(f.fd);
    ck_assert_msg(rev == 0, "%s: the reused fd is not idle: revents %#x",
                  k->name, rev);
    ck_assert_int_eq(fcntl(f.fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDONLY);
    ck_assert_int_eq(sim_fd_make_readable(&f, 3), 0);
    ck_assert_int_eq(pending_on(f.fd), 3);
    sim_fd_close(&f);
}

START_TEST(reuse_pipe_reader)
{
    reuse(&pipe_reader, false);
}
END_TEST

START_TEST(reuse_pipe_writer)
{
    reuse(&pipe_writer, false);
}
END_TEST

START_TEST(reuse_socket)
{
    reuse(&socket_pair, false);
}
END_TEST

START_TEST(reuse_after_close_behind_pipe_reader)
{
    reuse(&pipe_reader, true);
}
END_TEST

START_TEST(reuse_after_close_behind_pipe_writer)
{
    reuse(&pipe_writer, true);
}
END_TEST

START_TEST(reuse_after_close_behind_socket)
{
    reuse(&socket_pair, true);
}
END_TEST

/* The fd flags belong to the number: putting a new file on it must leave
 * the loop's end as inheritable as it was (dup3 with O_CLOEXEC alone would
 * not), or its F_GETFD differs from what the loop registered. */
START_TEST(reuse_keeps_fd_flags)
{
    struct sim_fd f;
    struct flags fl;

    make(&pipe_reader, &f);
    fl = flags_of(f.fd);
    ck_assert_int_eq(sim_fd_reuse(&f), 0);
    ck_assert_msg(flags_of(f.fd).fd == fl.fd, "F_GETFD after reuse: expected "
                  "%#x, got %#x", fl.fd, flags_of(f.fd).fd);
    sim_fd_close(&f);
}
END_TEST

/* After close_behind the number may be given to the next file anyone
 * opens (here: another scripted fd).  Closing the first sim_fd must then
 * leave that file alone: closing a number twice hits whatever file got it
 * since, the very mistake R17 forbids the loop. */
START_TEST(close_after_close_behind_spares_new_owner)
{
    struct sim_fd f, g;

    make(&pipe_reader, &f);
    ck_assert_int_eq(sim_fd_close_behind(&f), 0);
    make(&pipe_reader, &g);
    ck_assert_msg(g.fd == f.fd, "precondition: the kernel reuses the lowest "
                  "free number (got %d, expected %d)", g.fd, f.fd);
    sim_fd_close(&f);
    ck_assert_msg(fcntl(g.fd, F_GETFD) >= 0, "sim_fd_close of a closed-behind "
                  "fd closed fd %d, which now belongs to another file: %s",
                  g.fd, strerror(errno));
    sim_fd_close(&g);
}
END_TEST

/* ---- wrong kinds and wrong states ---- */

/* An action that does not apply returns -1 and changes nothing: no data
 * for a pipe's writer to read, no buffer for a pipe's reader to fill, and
 * nothing for a closed peer to write or read. */
START_TEST(wrong_kind_pipe_writer)
{
    struct sim_fd f;
    struct flags fl;

    make(&pipe_writer, &f);
    fl = flags_of(f.fd);
    ck_assert_int_eq(sim_fd_make_readable(&f, 1), -1);
    ck_assert_int_eq(sim_fd_drain(&f), -1);
    ck_assert_int_eq(pending_on(f.peer), 0);
    ck_assert_int_eq(revents_of(f.fd), POLLOUT);
    assert_flags_unchanged(&f, fl, "calls of the wrong kind");
    sim_fd_close(&f);
}
END_TEST

START_TEST(wrong_kind_pipe_reader)
{
    struct sim_fd f;
    struct flags fl;

    make(&pipe_reader, &f);
    fl = flags_of(f.fd);
    ck_assert_int_eq(sim_fd_fill(&f), -1);
    ck_assert_int_eq(sim_fd_drain_writable(&f), -1);
    ck_assert_int_eq(pending_on(f.fd), 0);
    ck_assert_int_eq(revents_of(f.fd), 0);
    assert_flags_unchanged(&f, fl, "calls of the wrong kind");
    sim_fd_close(&f);
}
END_TEST

START_TEST(wrong_state_peer_closed)
{
    const struct kind *kinds[] = { &pipe_reader, &pipe_writer, &socket_pair };

    for (size_t i = 0; i < 3; i++) {
        struct sim_fd f;

        make(kinds[i], &f);
        ck_assert_int_eq(sim_fd_close_peer(&f), 0);
        ck_assert_msg(sim_fd_make_readable(&f, 1) == -1,
                      "%s: make_readable with the peer closed", kinds[i]->name);
        if (kinds[i]->kind != SIM_PIPE_READ)
            ck_assert_msg(sim_fd_drain_writable(&f) == -1,
                          "%s: drain_writable with the peer closed",
                          kinds[i]->name);
        ck_assert_int_eq(sim_fd_close_peer(&f), -1);
        sim_fd_close(&f);
    }
}
END_TEST

/* fill with the peer closed has nothing to fill towards: it refuses (-1)
 * like make_readable and drain_writable do, and does not kill the process
 * with SIGPIPE (nothing in the test process ignores SIGPIPE, just as
 * nothing in a conformance run does). */
static void fill_peer_closed(const struct kind *k)
{
    struct sim_fd f;

    make(k, &f);
    ck_assert_int_eq(sim_fd_close_peer(&f), 0);
    ck_assert_msg(sim_fd_fill(&f) == -1, "%s: fill with the peer closed",
                  k->name);
    sim_fd_close(&f);
}

START_TEST(wrong_state_fill_pipe_writer_peer_closed)
{
    fill_peer_closed(&pipe_writer);
}
END_TEST

START_TEST(wrong_state_fill_socket_peer_closed)
{
    fill_peer_closed(&socket_pair);
}
END_TEST

/* make_readable on an fd closed behind the loop has no reader to write
 * to: -1, not SIGPIPE (a script may well schedule data for an fd it also
 * closes behind the loop, to see which the loop notices). */
START_TEST(wrong_state_make_readable_closed_behind)
{
    const struct kind *kinds[] = { &pipe_reader, &socket_pair };

    for (size_t i = 0; i < 2; i++) {
        struct sim_fd f;

        make(kinds[i], &f);
        ck_assert_int_eq(sim_fd_close_behind(&f), 0);
        ck_assert_msg(sim_fd_make_readable(&f, 1) == -1, "%s: make_readable "
                      "after close_behind", kinds[i]->name);
        sim_fd_close(&f);
    }
}
END_TEST

/* After sim_fd_close both numbers are -1 and every action refuses. */
START_TEST(wrong_state_closed)
{
    struct sim_fd f;

    make(&socket_pair, &f);
    sim_fd_close(&f);
    ck_assert_int_eq(sim_fd_close_behind(&f), -1);
    ck_assert_int_eq(sim_fd_close_peer(&f), -1);
    ck_assert_int_eq(sim_fd_make_readable(&f, 1), -1);
    ck_assert_int_eq(sim_fd_drain_writable(&f), -1);
    ck_assert_int_eq(sim_fd_reuse(&f), -1);
    ck_assert_int_eq(f.fd, -1);
}
END_TEST

/* ---- flags ---- */

/* Every action, in a row, on each kind: the loop's flags are never touched,
 * even when they are not the ones sim created the fd with (a loop made it
 * non-blocking and cleared close-on-exec; sim must not restore them either,
 * or an R17 check could not see what the loop did). */
static void flags_kept(const struct kind *k, bool loop_changed_them)
{
    struct sim_fd f;
    struct flags fl;

    make(k, &f);
    if (loop_changed_them) {
        ck_assert_int_eq(fcntl(f.fd, F_SETFL, fcntl(f.fd, F_GETFL) | O_NONBLOCK), 0);
        ck_assert_int_eq(fcntl(f.fd, F_SETFD, FD_CLOEXEC), 0);
    }
    fl = flags_of(f.fd);
    if (k->kind != SIM_PIPE_WRITE) {
        ck_assert_int_eq(sim_fd_make_readable(&f, 100), 0);
        assert_flags_unchanged(&f, fl, "make_readable");
        ck_assert_int_eq(sim_fd_drain(&f), 0);
        assert_flags_unchanged(&f, fl, "drain");
    }
    if (k->kind != SIM_PIPE_READ) {
        ck_assert_int_eq(sim_fd_fill(&f), 0);
        assert_flags_unchanged(&f, fl, "fill");
        ck_assert_int_eq(sim_fd_drain_writable(&f), 0);
        assert_flags_unchanged(&f, fl, "drain_writable");
    }
    ck_assert_int_eq(sim_fd_close_peer(&f), 0);
    assert_flags_unchanged(&f, fl, "close_peer");
    if (k->kind != SIM_PIPE_WRITE) {
        ck_assert_int_eq(sim_fd_drain(&f), 0);
        assert_flags_unchanged(&f, fl, "drain after close_peer");
    }
    sim_fd_close(&f);
}

START_TEST(flags_kept_pipe_reader)
{
    flags_kept(&pipe_reader, false);
    flags_kept(&pipe_reader, true);
}
END_TEST

START_TEST(flags_kept_pipe_writer)
{
    flags_kept(&pipe_writer, false);
    flags_kept(&pipe_writer, true);
}
END_TEST

START_TEST(flags_kept_socket)
{
    flags_kept(&socket_pair, false);
    flags_kept(&socket_pair, true);
}
END_TEST

/* ---- children ---- */

/* Whether a program exec'd now sees fd open: /bin/sh tests its own fd
 * table (the shell's [ is a builtin, $$ the shell). */
static bool exec_sees(int fd)
{
    char cmd[64];
    int status;
    pid_t pid;

    snprintf(cmd, sizeof(cmd), "[ -e /proc/$$/fd/%d ]", fd);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(2);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) <= 1,
                  "sh -c '%s' did not run", cmd);
    return WEXITSTATUS(status) == 0;
}

/* The loop's end is inheritable in this process, so that a loop setting
 * FD_CLOEXEC on it shows (R17), yet a program the harness starts (a
 * private libvirtd) inherits neither end: the forked child marks the
 * loop's end close-on-exec in its own table only.  Also once moved to
 * another number, and put back after close_behind and reuse. */
static void not_inherited(const struct kind *k)
{
    struct sim_fd f;

    make(k, &f);
    ck_assert_msg(!exec_sees(f.fd), "%s: a program exec'd inherits the "
                  "loop's end", k->name);
    ck_assert_msg(!exec_sees(f.peer), "%s: a program exec'd inherits the "
                  "script's end", k->name);
    ck_assert_int_eq(fcntl(f.fd, F_GETFD), 0);
    ck_assert_int_eq(sim_fd_move(&f, 600), 0);
    ck_assert_int_eq(fcntl(f.fd, F_GETFD), 0);
    ck_assert_msg(!exec_sees(600), "%s: the moved end is inherited", k->name);
    ck_assert_int_eq(sim_fd_close_behind(&f), 0);
    ck_assert_int_eq(sim_fd_reuse(&f), 0);
    ck_assert_int_eq(fcntl(f.fd, F_GETFD), 0);
    ck_assert_msg(!exec_sees(f.fd), "%s: the reused end is inherited", k->name);
    sim_fd_close(&f);
}

START_TEST(not_inherited_pipe_reader)
{
    not_inherited(&pipe_reader);
}
END_TEST

START_TEST(not_inherited_pipe_writer)
{
    not_inherited(&pipe_writer);
}
END_TEST

START_TEST(not_inherited_socket)
{
    not_inherited(&socket_pair);
}
END_TEST

/* A descriptor closed from the script leaves the list: a later file on
 * that number (not the loop's) is inherited as its owner asked. */
START_TEST(closed_number_left_alone)
{
    struct sim_fd f;
    int fds[2], number;

    make(&pipe_reader, &f);
    number = f.fd;
    sim_fd_close(&f);
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_msg(fds[0] == number || fds[1] == number, "fd %d was not reused",
                  number);
    ck_assert_msg(exec_sees(number), "fd %d, no longer the loop's, was made "
                  "close-on-exec in the child", number);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* ---- inside a simulation ---- */

/* The actions are what scheduled events run, on the loop thread of an
 * active simulation: there they behave the same, and take no virtual time
 * (fill polls the real fd, not the virtual wait). */
static struct sim_fd sim_reader, sim_writer;
static short seen_reader, seen_writer;

static void script_actions(void *arg)
{
    (void)arg;
    sim_fd_make_readable(&sim_reader, 5);
    sim_fd_fill(&sim_writer);
    seen_reader = revents_of(sim_reader.fd);
    seen_writer = revents_of(sim_writer.fd);
    sim_fd_drain(&sim_reader);
    sim_fd_drain_writable(&sim_writer);
}

START_TEST(actions_in_a_simulation)
{
    make(&pipe_reader, &sim_reader);
    make(&pipe_writer, &sim_writer);
    sim_start(1);
    sim_at(100, script_actions, NULL, "script");
    sim_sleep_ms(100);
    ck_assert_int_eq(sim_now_ns(), 100 * SIM_NS_PER_MS);
    ck_assert_int_eq(seen_reader, POLLIN);
    ck_assert_int_eq(seen_writer, 0);
    ck_assert_int_eq(revents_of(sim_reader.fd), 0);
    ck_assert_int_eq(revents_of(sim_writer.fd), POLLOUT);
    script_actions(NULL);     /* straight from the loop thread, at 100 ms */
    ck_assert_int_eq(sim_now_ns(), 100 * SIM_NS_PER_MS);
    ck_assert_msg(sim_verdict() == SIM_OK, "%s", sim_verdict_detail());
    sim_stop();
    sim_fd_close(&sim_reader);
    sim_fd_close(&sim_writer);
}
END_TEST

Suite *fds_suite(void)
{
    Suite *s = suite_create("fds");

    add_test(s, create_pipe_reader);
    add_test(s, create_pipe_writer);
    add_test(s, create_socket);
    add_test(s, make_readable_pipe);
    add_test(s, make_readable_socket);
    add_test(s, drain_pipe);
    add_test(s, drain_socket);
    add_test(s, fill_pipe_writer);
    add_test(s, fill_socket);
    add_test(s, drain_writable_pipe_writer);
    add_test(s, drain_writable_socket);
    add_test(s, close_peer_pipe_reader);
    add_test(s, close_peer_pipe_writer);
    add_test(s, close_peer_socket);
    add_test(s, close_behind_pipe_reader);
    add_test(s, close_behind_pipe_writer);
    add_test(s, close_behind_socket);
    add_test(s, reuse_pipe_reader);
    add_test(s, reuse_pipe_writer);
    add_test(s, reuse_socket);
    add_test(s, reuse_after_close_behind_pipe_reader);
    add_test(s, reuse_after_close_behind_pipe_writer);
    add_test(s, reuse_after_close_behind_socket);
    add_test(s, reuse_keeps_fd_flags);
    add_test(s, close_after_close_behind_spares_new_owner);
    add_test(s, wrong_kind_pipe_writer);
    add_test(s, wrong_kind_pipe_reader);
    add_test(s, wrong_state_peer_closed);
    add_test(s, wrong_state_fill_pipe_writer_peer_closed);
    add_test(s, wrong_state_fill_socket_peer_closed);
    add_test(s, wrong_state_make_readable_closed_behind);
    add_test(s, wrong_state_closed);
    add_test(s, flags_kept_pipe_reader);
    add_test(s, flags_kept_pipe_writer);
    add_test(s, flags_kept_socket);
    add_test(s, not_inherited_pipe_reader);
    add_test(s, not_inherited_pipe_writer);
    add_test(s, not_inherited_socket);
    add_test(s, closed_number_left_alone);
    add_test(s, actions_in_a_simulation);
    return s;
}
