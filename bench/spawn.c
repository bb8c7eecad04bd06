/*
 * spawn.c - run one child with a watchdog and collect what it reported.
 *
 * The watchdog is the parent's, not an alarm() in the child: a loop may
 * block or catch signals, and under valgrind the child's own signals are
 * emulated.  A child that overstays is killed by its pid.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/* Child side of fork(): the result pipe becomes fd 3, then exec. */
static void exec_child(char *const argv[], int wr)
{
    if (wr == BENCH_RESULT_FD)
        fcntl(wr, F_SETFD, 0);
    else if (dup2(wr, BENCH_RESULT_FD) < 0)
        _exit(126);
    execv(argv[0], argv);
    fprintf(stderr, "bench: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* One line from the child: a figure, the loop's name, or why it gave up. */
static void parse_line(char *line, struct bench_child *c)
{
    char fig[32];
    long n;
    double v;

    if (!strncmp(line, "fig ", 4)) {
        if (sscanf(line + 4, "%31s %ld %lf", fig, &n, &v) == 3 && c->nfigs < BENCH_MAX_FIGS) {
            snprintf(c->figs[c->nfigs].fig, sizeof(c->figs[c->nfigs].fig), "%s", fig);
            c->figs[c->nfigs].n = n;
            c->figs[c->nfigs].v = v;
            c->nfigs++;
        }
    } else if (!strncmp(line, "name ", 5)) {
        snprintf(c->name, sizeof(c->name), "%s", line + 5);
    } else if (!strncmp(line, "error ", 6)) {
        snprintf(c->reason, sizeof(c->reason), "%s", line + 6);
    }
}

/* Splits buf[0..*len) into lines, keeps a partial last line. */
static void parse_buffer(char *buf, size_t *len, struct bench_child *c)
{
    char *start = buf, *nl;

    while ((nl = memchr(start, '\n', *len - (size_t)(start - buf)))) {
        *nl = '\0';
        parse_line(start, c);
        start = nl + 1;
    }
    *len -= (size_t)(start - buf);
    memmove(buf, start, *len);
}

static void describe_status(int status, struct bench_child *c)
{
    char why[sizeof(c->reason)];

    if (WIFSIGNALED(status)) {
        snprintf(why, sizeof(why), "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    } else if (WEXITSTATUS(status) != 0) {
        snprintf(why, sizeof(why), "exit status %d", WEXITSTATUS(status));
    } else {
        c->ok = true;
        return;
    }
    if (c->reason[0]) {
        /* the child's own message says more than its status */
        return;
    }
    memcpy(c->reason, why, sizeof(why));
}

/* Reads until the child closes fd 3 and is gone, or the deadline passes.
 * Returns 0 when the child exited 0; else c->reason says what happened. */
int bench_spawn(char *const argv[], int timeout_s, struct bench_child *c)
{
    int fds[2], status = 0;
    char buf[8192];
    size_t len = 0;
    pid_t pid;
    int64_t deadline = bench_now_ns() + (int64_t)timeout_s * 1000000000;
    bool eof = false, reaped = false;

    memset(c, 0, sizeof(*c));
    if (pipe2(fds, O_CLOEXEC) < 0) {
        snprintf(c->reason, sizeof(c->reason), "pipe: %s", strerror(errno));
        return -1;
    }
    /* never block on a pipe a grandchild may still hold open */
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    fflush(NULL);
    pid = fork();
    if (pid == 0)
        exec_child(argv, fds[1]);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        snprintf(c->reason, sizeof(c->reason), "fork: %s", strerror(errno));
        return -1;
    }
    while (!reaped) {
        struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
        int64_t left = deadline - bench_now_ns();

        if (left <= 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            close(fds[0]);
            snprintf(c->reason, sizeof(c->reason), "timed out after %d s (killed)", timeout_s);
            return -1;
        }
        if (!eof && poll(&pfd, 1, 100) > 0) {
            ssize_t got = read(fds[0], buf + len, sizeof(buf) - 1 - len);
            if (got > 0) {
                len += (size_t)got;
                parse_buffer(buf, &len, c);
                if (len == sizeof(buf) - 1)
                    len = 0;            /* an over-long line: drop it */
            } else if (got == 0) {
                eof = true;
            }
        } else if (eof) {
            usleep(2000);
        }
        if (waitpid(pid, &status, WNOHANG) == pid)
            reaped = true;
    }
    /* what the child wrote just before it went */
    for (ssize_t got; (got = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0;) {
        len += (size_t)got;
        parse_buffer(buf, &len, c);
    }
    close(fds[0]);
    describe_status(status, c);
    if (c->ok && c->reason[0])
        c->ok = false;          /* exit 0 after an error line */
    return c->ok ? 0 : -1;
}
