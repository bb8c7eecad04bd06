/*
 * supervise.c - one child process per scenario, and nothing left of it.
 * See supervise.h for what it promises.  Prefix sup_.  What the child
 * runs is run.c's and impl.c's; what its records mean is run.c's and
 * verdict.c's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"
#include "supervise.h"

/* What is kept of a child's stdout and stderr, and of a result line. */
#define OUTPUT_HEAD (16 * 1024)
#define OUTPUT_TAIL (48 * 1024)
#define RECORD_MAX  (64 * 1024)

static volatile sig_atomic_t stop_signal;
static sigset_t stop_signals;       /* SIGINT, SIGTERM, SIGHUP */

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

double sup_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* What the runner's parent left open (a make jobserver's pipe, a shell's
 * descriptors) is closed: a loop under test sees the same descriptors
 * wherever the kit runs, so its traces name the same fd numbers (the
 * generated docs are checked against them), and nothing of the parent's
 * reaches it.  Below the soft limit only: a tool the runner runs under
 * (valgrind) keeps its own descriptors above it. */
static void close_inherited(void)
{
    struct rlimit rl;
    unsigned top;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur <= 3)
        return;
    top = rl.rlim_cur > 1u << 20 ? 1u << 20 : (unsigned)rl.rlim_cur;
    if (close_range(3, top - 1, 0) == 0)
        return;
    for (unsigned fd = 3; fd < top; fd++)
        close((int)fd);
}

/* faketime(1) runs the runner as its child and waits for it, but passes
 * no signal on: a SIGTERM to it (a CI job's end, a stopped make) would
 * leave the runner and its scenario running, orphaned.  Under it, the
 * runner takes its parent's death as a SIGTERM of its own. */
static void stop_with_wrapper(void)
{
    char path[64], exe[PATH_MAX];
    pid_t parent = getppid();
    const char *base;
    ssize_t n;

    snprintf(path, sizeof(path), "/proc/%d/exe", (int)parent);
    if ((n = readlink(path, exe, sizeof(exe) - 1)) <= 0)
        return;
    exe[n] = '\0';
    base = strrchr(exe, '/');
    if (strcmp(base ? base + 1 : exe, "faketime") != 0)
        return;
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)        /* it died before the prctl */
        raise(SIGTERM);
}

/* The stop signals stay blocked except inside ppoll(), so that one that
 * arrives between two checks is not missed: it waits for the next wait. */
void sup_init(void)
{
    struct sigaction sa = { .sa_handler = on_stop_signal };

    close_inherited();
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGHUP);
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigprocmask(SIG_BLOCK, &stop_signals, NULL);
    stop_with_wrapper();
}

/* After the run nothing is left to stop in order: a stop signal ends the
 * process at once, wherever it is.  Libraries' exit handlers run next
 * (p11-kit's, under libvirt), and one that deadlocks (a lock left
 * corrupted by two sanitizer runtimes preloaded together) would otherwise
 * hold a SIGTERM blocked for ever. */
void sup_fini(void)
{
    struct sigaction dfl = { .sa_handler = SIG_DFL };

    sigemptyset(&dfl.sa_mask);
    sigaction(SIGINT, &dfl, NULL);
    sigaction(SIGTERM, &dfl, NULL);
    sigaction(SIGHUP, &dfl, NULL);
    sigprocmask(SIG_UNBLOCK, &stop_signals, NULL);
}

int sup_stop_signal(void)
{
    sigset_t pending;
    struct timespec zero = { 0, 0 };

    if (!stop_signal && sigpending(&pending) == 0)
        for (int sig = 1; sig < NSIG && !stop_signal; sig++)
            if (sigismember(&stop_signals, sig) && sigismember(&pending, sig)) {
                sigset_t one;
                sigemptyset(&one);
                sigaddset(&one, sig);
                if (sigtimedwait(&one, NULL, &zero) == sig)
                    stop_signal = sig;
            }
    return stop_signal;
}

/* ---- bounded capture ---- */

void sup_capture_init(struct sup_capture *c, size_t head_max, size_t tail_max)
{
    memset(c, 0, sizeof(*c));
    c->head_max = head_max;
    c->tail_max = tail_max;
}

void sup_capture_add(struct sup_capture *c, const char *s, size_t n)
{
    c->total += n;
    if (c->nhead < c->head_max) {
        size_t take = c->head_max - c->nhead < n ? c->head_max - c->nhead : n;
        if (!c->head && !(c->head = malloc(c->head_max)))
            return;
        memcpy(c->head + c->nhead, s, take);
        c->nhead += take;
        s += take;
        n -= take;
    }
    if (n == 0 || c->tail_max == 0)
        return;
    if (!c->tail && !(c->tail = malloc(c->tail_max)))
        return;
    if (n > c->tail_max) {          /* only the last tail_max bytes matter */
        s += n - c->tail_max;
        n = c->tail_max;
    }
    /* A ring, tail_at its next slot: at most two copies, to the end of the
     * ring and from its start, so that draining keeps up with a pipe. */
    while (n > 0) {
        size_t room = c->tail_max - c->tail_at, take = n < room ? n : room;
        memcpy(c->tail + c->tail_at, s, take);
        c->tail_at = (c->tail_at + take) % c->tail_max;
        s += take;
        n -= take;
    }
}

char *sup_capture_finish(struct sup_capture *c, const char *what)
{
    unsigned long long in_tail = c->total - c->nhead, dropped = 0;
    size_t ntail = in_tail < c->tail_max ? (size_t)in_tail : c->tail_max;
    char note[128] = "";
    size_t nnote, len;
    char *out;

    if (in_tail > ntail) {
        dropped = in_tail - ntail;
        snprintf(note, sizeof(note), "\n[... %llu bytes of %s not kept ...]\n",
                 dropped, what);
    }
    nnote = strlen(note);
    len = c->nhead + nnote + ntail;
    out = malloc(len + 1);
    if (out) {
        memcpy(out, c->head ? c->head : "", c->nhead);
        memcpy(out + c->nhead, note, nnote);
        if (ntail) {
            /* Oldest first: from tail_at if the ring wrapped, else from 0. */
            size_t start = in_tail >= c->tail_max ? c->tail_at : 0;
            for (size_t i = 0; i < ntail; i++)
                out[c->nhead + nnote + i] = c->tail[(start + i) % c->tail_max];
        }
        out[len] = '\0';
    }
    free(c->head);
    free(c->tail);
    memset(c, 0, sizeof(*c));
    return out;
}

/* ---- the child ---- */

/* In the child: a process group of its own (the runner kills the group),
 * default signal handling, the result channel at PROTO_RESULT_FD or
 * above, stdout and stderr into the output pipe. */
static void child_setup(int result_w, int output_w, int *result_fd)
{
    struct sigaction dfl = { .sa_handler = SIG_DFL };

    setpgid(0, 0);
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGINT, &dfl, NULL);
    sigaction(SIGTERM, &dfl, NULL);
    sigaction(SIGHUP, &dfl, NULL);
    sigprocmask(SIG_UNBLOCK, &stop_signals, NULL);
    prctl(PR_SET_PDEATHSIG, SIGKILL);   /* a runner killed outright */
    *result_fd = fcntl(result_w, F_DUPFD_CLOEXEC, PROTO_RESULT_FD);
    if (*result_fd < 0)
        *result_fd = result_w;
    else
        close(result_w);
    dup2(output_w, 1);
    dup2(output_w, 2);
    close(output_w);
}

/* ---- reading what the child says ---- */

struct reader {
    int fd;
    bool records;               /* the result channel (else output) */
    char *line;                 /* records: the line so far */
    size_t nline;
    bool line_cut;              /* the line outgrew RECORD_MAX */
    sup_record_fn on_record;
    void *arg;
    struct sup_capture output;
};

static void take_records(struct reader *r, const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            r->line[r->nline] = '\0';
            r->on_record(r->line, r->arg);
            r->nline = 0;
            r->line_cut = false;
        } else if (r->nline < RECORD_MAX - 1) {
            r->line[r->nline++] = buf[i] ? buf[i] : ' ';
        } else {
            r->line_cut = true;
        }
    }
}

/* Output as it comes, a NUL byte shown as ^@; memchr, not a loop per
 * byte: a loop may print as fast as the pipe moves. */
static void take_output(struct reader *r, const char *buf, size_t n)
{
    const char *end = buf + n, *nul;

    while ((nul = memchr(buf, '\0', (size_t)(end - buf)))) {
        sup_capture_add(&r->output, buf, (size_t)(nul - buf));
        sup_capture_add(&r->output, "^@", 2);
        buf = nul + 1;
    }
    sup_capture_add(&r->output, buf, (size_t)(end - buf));
}

/* Read what is there now; false at end-of-file or on an error. */
static bool read_some(struct reader *r)
{
    char buf[64 * 1024];        /* a pipe's worth: one read() empties it */

    for (;;) {
        ssize_t n = read(r->fd, buf, sizeof(buf));
        if (n > 0) {
            if (r->records)
                take_records(r, buf, (size_t)n);
            else
                take_output(r, buf, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
}

static void close_reader(struct reader *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
}

/* ---- cleaning up ---- */

/* The pids of the runner's children, from /proc; returns how many. */
static int children(pid_t *pids, int max)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    pid_t self = getpid();
    int n = 0;

    if (!d)
        return 0;
    while (n < max && (e = readdir(d))) {
        char path[300], buf[512], *paren;
        FILE *f;
        int ppid;
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
        if (!(f = fopen(path, "r")))
            continue;
        if (fgets(buf, sizeof(buf), f) && (paren = strrchr(buf, ')')) &&
            sscanf(paren + 1, " %*c %d", &ppid) == 1 && ppid == self)
            pids[n++] = (pid_t)atoi(e->d_name);
        fclose(f);
    }
    closedir(d);
    return n;
}

/* Kill and reap every child of the runner, and what their deaths hand
 * over to it (the runner is a subreaper), until none is left. */
void sup_sweep(void)
{
    for (int round = 0; round < 200; round++) {
        pid_t pids[256];
        int n = children(pids, 256);

        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (n == 0)
            return;
        for (int i = 0; i < n; i++)
            kill(pids[i], SIGKILL);
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (round > 0)
            usleep(5000);
    }
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    return fd;
#else
    (void)pid;
    return -1;
#endif
}

/* ---- running one child ---- */

/* Whether the child has ended, without reaping it: while it is a zombie
 * its pid, and so its process group's id, cannot be given to another
 * process, so the group kill that follows reaches only what it left
 * behind (a reaped pid can lead someone else's group by then). */
static bool ended(pid_t pid)
{
    siginfo_t si = { 0 };

    return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           si.si_pid == pid;
}

/* Wait for the child to exit, reading both pipes meanwhile.  Returns true
 * if it exited (left unreaped: see ended()), false at the deadline or on
 * a stop signal. */
static bool watch_child(pid_t pid, struct reader rd[2], double deadline,
                        bool *interrupted)
{
    int pidfd = open_pidfd(pid);
    sigset_t during;
    bool exited = false;

    sigprocmask(SIG_SETMASK, NULL, &during);
    for (int s = 1; s < NSIG; s++)
        if (sigismember(&stop_signals, s))
            sigdelset(&during, s);
    while (!exited) {
        struct pollfd pfd[3];
        nfds_t n = 0;
        double left = deadline - sup_now_ms();
        struct timespec ts;
        int slice;

        if (left <= 0)
            break;
        /* Without a pidfd, look at the child every 20 ms. */
        slice = pidfd >= 0 ? (int)left + 1 : (left < 20 ? (int)left + 1 : 20);
        ts.tv_sec = slice / 1000;
        ts.tv_nsec = (long)(slice % 1000) * 1000000;
        for (int i = 0; i < 2; i++)
            if (rd[i].fd >= 0)
                pfd[n++] = (struct pollfd){ .fd = rd[i].fd, .events = POLLIN };
        if (pidfd >= 0)
            pfd[n++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
        if (ppoll(pfd, n, &ts, &during) < 0 && errno != EINTR)
            break;
        if (sup_stop_signal()) {
            *interrupted = true;
            break;
        }
        for (int i = 0; i < 2; i++)
            if (rd[i].fd >= 0 && !read_some(&rd[i]))
                close_reader(&rd[i]);
        exited = ended(pid);
    }
    if (pidfd >= 0)
        close(pidfd);
    return exited;
}

/* The child, in a process group of its own, with its two pipes: their
 * read ends in *res_r (the result channel) and *out_r (its stdout and
 * stderr).  Returns its pid, or -1 with nothing left open. */
static pid_t spawn(sup_body_fn body, void *body_arg, int *res_r, int *out_r)
{
    int res[2], outp[2], result_fd;
    pid_t pid;

    if (pipe(res) < 0)
        return -1;
    if (pipe(outp) < 0) {
        close(res[0]);
        close(res[1]);
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
        close(res[0]); close(res[1]); close(outp[0]); close(outp[1]);
        return -1;
    }
    if (pid == 0) {
        close(res[0]);
        close(outp[0]);
        child_setup(res[1], outp[1], &result_fd);
        body(result_fd, body_arg);
        _exit(127);
    }
    setpgid(pid, pid);              /* whichever of the two runs first */
    close(res[1]);
    close(outp[1]);
    *res_r = res[0];
    *out_r = outp[0];
    return pid;
}

/* The child started, read while it runs, killed at the deadline, reaped
 * with whatever it left (supervise.h). */
int sup_run(sup_body_fn body, void *body_arg, sup_record_fn on_record,
            void *record_arg, double timeout_ms, struct sup_outcome *out)
{
    double t0 = sup_now_ms();
    struct reader rd[2];
    int res_r, out_r;
    pid_t pid;

    memset(out, 0, sizeof(*out));
    if ((pid = spawn(body, body_arg, &res_r, &out_r)) < 0)
        return -1;
    out->pid = (int)pid;
    rd[0] = (struct reader){ .fd = res_r,
                             .records = true,
                             .on_record = on_record,
                             .arg = record_arg,
                             .line = malloc(RECORD_MAX) };
    rd[1] = (struct reader){ .fd = out_r };
    sup_capture_init(&rd[1].output, OUTPUT_HEAD, OUTPUT_TAIL);
    for (int i = 0; i < 2; i++)
        fcntl(rd[i].fd, F_SETFL, fcntl(rd[i].fd, F_GETFL) | O_NONBLOCK);

    if (!watch_child(pid, rd, t0 + timeout_ms, &out->interrupted)) {
        out->timed_out = !out->interrupted;
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
    }
    /* What it wrote before it ended is in the pipes; a helper that holds
     * them open is not waited for. */
    for (int i = 0; i < 2; i++) {
        if (rd[i].fd >= 0)
            read_some(&rd[i]);
        close_reader(&rd[i]);
    }
    /* The group's id is still the child's own: it is reaped only now. */
    kill(-pid, SIGKILL);
    waitpid(pid, &out->status, 0);
    sup_sweep();
    free(rd[0].line);
    out->output = sup_capture_finish(&rd[1].output, "stderr");
    out->ms = sup_now_ms() - t0;
    return 0;
}
