/*
 * lanes.c - scenarios run side by side, -j N (lanes.h).  Prefix lanes_.
 *
 * Each scenario runs in a lane: a process forked off the runner that
 * runs it exactly as the serial run does (run.c: its own child under
 * supervise.c's watchdog), as a child subreaper of its own so that its
 * sweep reaches only what its scenario left, and sends the result back
 * on a pipe.  The runner starts lanes in suite order (the real-time
 * scenarios, which mostly wait, in lanes of their own beside the -j
 * ones, as soon as one is free), and takes the results strictly in suite
 * order: one that ends early waits until all before it are taken.  So
 * the progress lines, the failures' pages, every report and the exit
 * status are the serial run's; only the times differ.
 *
 * Which scenarios run, and what is printed, is turns.c's; the lane's
 * scenario run is run.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "lanes.h"
#include "run.h"
#include "show.h"
#include "supervise.h"

/* The pipes' ends sit at or above this fd: the loop under test sees the
 * same low descriptors in a lane as in the serial runner (traces name
 * them), and the result channel's PROTO_RESULT_FD stays below. */
#define LANE_FD_MIN 300

enum turn { WAITING, RUNNING, DONE, TAKEN, UNRUN };

struct lane {
    pid_t pid;                  /* 0: free */
    int fd;                     /* the result pipe's read end */
    int idx;                    /* the scenario, in res[] */
    char *buf;                  /* what it has sent so far */
    size_t len, cap;
};

struct run {
    const struct options *o;
    const char *impl_path;
    struct result *res;
    int n;
    const struct lanes_hooks *h;
    enum turn *turn;
    struct lane *lanes;
    int nlanes;                 /* o->jobs, then the real-time ones */
    int next[2];                /* where to look for the next of each kind */
};

/* ---- the result on the wire ---- */

static void put_str(FILE *f, const char *s)
{
    if (!s) {
        fputs("-1\n", f);
        return;
    }
    fprintf(f, "%zu\n", strlen(s));
    fwrite(s, 1, strlen(s), f);
}

/* What a lane sends: a header line, then each string as its length on
 * a line and its bytes (-1 for none). */
char *lanes_encode(const struct result *r, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);

    if (!f)
        return NULL;
    fprintf(f, "EVL2 %d %d %a %d %d %d %d\n", (int)r->outcome, r->bad_scenario,
            r->ms, r->counted, r->idle_wakeups, r->iterations, r->nfailures);
    for (int k = 0; k < r->nfailures; k++) {
        fprintf(f, "%d\n", (int)r->failures[k].level);
        put_str(f, r->failures[k].rules);
        put_str(f, r->failures[k].message);
    }
    put_str(f, r->error);
    put_str(f, r->trace);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* A number on a line of its own at *p; false past end. */
static bool get_num(const char **p, const char *end, long long *v)
{
    char *e;
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));

    if (!nl)
        return false;
    *v = strtoll(*p, &e, 10);
    if (e != nl)
        return false;
    *p = nl + 1;
    return true;
}

static bool get_str(const char **p, const char *end, char **s)
{
    long long n;

    *s = NULL;
    if (!get_num(p, end, &n) || n < -1 || n > end - *p)
        return false;
    if (n < 0)
        return true;
    if (!(*s = strndup(*p, (size_t)n)))
        abort();
    *p += n;
    return true;
}

int lanes_decode(const char *buf, size_t len, struct result *r)
{
    const char *p = buf, *end = buf + len, *nl = memchr(buf, '\n', len);
    int outcome, bad, counted, idle, iterations, nf, used = 0;
    double ms;
    bool ok;

    if (!nl || sscanf(buf, "EVL2 %d %d %la %d %d %d %d%n", &outcome, &bad, &ms,
                      &counted, &idle, &iterations, &nf, &used) != 7 ||
        p + used != nl || outcome < OUT_PASS ||
        outcome > OUT_SKIP || nf < 0 || (size_t)nf > len)
        return -1;
    p = nl + 1;
    r->failures = nf ? calloc((size_t)nf, sizeof(*r->failures)) : NULL;
    ok = !nf || r->failures;
    for (r->nfailures = 0; ok && r->nfailures < nf; r->nfailures++) {
        struct failure *fl = &r->failures[r->nfailures];
        long long level = 0;
        ok = get_num(&p, end, &level) && get_str(&p, end, &fl->rules) &&
             get_str(&p, end, &fl->message) && fl->rules && fl->message;
        fl->level = (enum level)level;
    }
    ok = ok && get_str(&p, end, &r->error) && get_str(&p, end, &r->trace) &&
         p == end;
    r->outcome = (enum outcome)outcome;
    r->bad_scenario = bad;
    r->ms = ms;
    r->counted = counted;
    r->idle_wakeups = idle;
    r->iterations = iterations;
    return ok ? 0 : -1;
}

/* ---- a lane ---- */

static void write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        buf += w;
        len -= (size_t)w;
    }
}

/* A build with --coverage has gcov's writer: a lane writes its share. */
extern void __gcov_dump(void) __attribute__((weak));

/* In the lane: the scenario run as the serial runner runs it, its
 * result sent, and _exit: the exit handlers are the runner's, and a
 * runner on LeakSanitizer's runtime would check the whole runner's heap
 * again at each lane's exit (seconds over a suite).  Coverage data is
 * written first. */
static void lane_body(struct run *ru, int idx, int wfd)
{
    struct result *r = &ru->res[idx];
    size_t len = 0;
    char *buf;

    prctl(PR_SET_PDEATHSIG, SIGKILL);   /* a runner killed outright */
    prctl(PR_SET_CHILD_SUBREAPER, 1);   /* its sweep: this scenario's */
    for (int k = 0; k < ru->nlanes; k++)
        if (ru->lanes[k].pid > 0)
            close(ru->lanes[k].fd);
    run_one(ru->o, ru->impl_path, r->sc, r, ru->o->budget_end);
    if ((buf = lanes_encode(r, &len)))
        write_all(wfd, buf, len);
    if (__gcov_dump)
        __gcov_dump();
    _exit(0);
}

/* An fd moved to LANE_FD_MIN or above, close-on-exec; left where it is
 * under a descriptor limit that low. */
static int high_fd(int fd)
{
    int moved = fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, LANE_FD_MIN);

    if (moved < 0) {
        if (fd >= 0)
            fcntl(fd, F_SETFD, FD_CLOEXEC);
        return fd;
    }
    close(fd);
    return moved;
}

/* Scenario idx started in lane l.  -1 if it could not be. */
static int start_lane(struct run *ru, struct lane *l, int idx)
{
    int p[2], rfd, wfd;
    pid_t pid;

    /* The private libvirtds' base and its reaper are the runner's, made
     * once (scratch.c): a lane that made its own would leave it behind. */
    client_prepare(ru->res[idx].sc);
    if (pipe(p) < 0)
        return -1;
    rfd = high_fd(p[0]);
    wfd = high_fd(p[1]);
    if (rfd < 0 || wfd < 0) {
        close(rfd);
        close(wfd);
        return -1;
    }
    fflush(NULL);                       /* nothing printed twice */
    if ((pid = fork()) == 0) {
        close(rfd);
        lane_body(ru, idx, wfd);
    }
    close(wfd);
    if (pid < 0) {
        close(rfd);
        return -1;
    }
    fcntl(rfd, F_SETFL, fcntl(rfd, F_GETFL) | O_NONBLOCK);
    *l = (struct lane){ .pid = pid, .fd = rfd, .idx = idx };
    return 0;
}

/* Lane l has sent all it will: its result into res[], the lane reaped. */
static void lane_done(struct run *ru, struct lane *l)
{
    struct result *r = &ru->res[l->idx];

    close(l->fd);
    waitpid(l->pid, NULL, 0);
    if (lanes_decode(l->buf ? l->buf : "", l->len, r) < 0) {
        r->outcome = OUT_ERROR;
        free(r->error);
        r->error = strdup("the runner's lane for it ended without its result");
    }
    r->rerun = show_rerun_line(ru->o, r);
    ru->turn[l->idx] = DONE;
    free(l->buf);
    *l = (struct lane){ 0 };
}

/* Read what lane l has sent; at end-of-file it is done. */
static void lane_read(struct run *ru, struct lane *l)
{
    for (;;) {
        ssize_t got;
        if (l->cap - l->len < 64 * 1024) {
            l->cap = l->cap ? l->cap * 2 : 128 * 1024;
            if (!(l->buf = realloc(l->buf, l->cap)))
                abort();
        }
        got = read(l->fd, l->buf + l->len, l->cap - l->len);
        if (got > 0) {
            l->len += (size_t)got;
            continue;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        lane_done(ru, l);
        return;
    }
}

/* Each running lane ended at once (--fail-fast): what their scenarios
 * left is swept at the end of the run. */
static void kill_lanes(struct run *ru)
{
    for (int k = 0; k < ru->nlanes; k++) {
        struct lane *l = &ru->lanes[k];
        if (l->pid <= 0)
            continue;
        kill(l->pid, SIGKILL);
        close(l->fd);
        waitpid(l->pid, NULL, 0);
        free(l->buf);
        ru->turn[l->idx] = UNRUN;
        *l = (struct lane){ 0 };
    }
}

/* ---- the turns ---- */

/* A scenario that waits on the wall clock: it takes a real-time lane. */
static bool realtime(const struct run *ru, int i)
{
    const struct scenario *sc = ru->res[i].sc;

    return sc && sc->realtime && !ru->o->realtime;
}

/* The next scenario for a lane of kind rt, made ready (prepare), or -1.
 * One that needs no run (a file that did not parse, a program that could
 * not be made) is done at once, as in the serial run. */
static int next_for(struct run *ru, bool rt)
{
    for (int *i = &ru->next[rt]; *i < ru->n; ++*i) {
        struct result *r = &ru->res[*i];
        if (ru->turn[*i] != WAITING || realtime(ru, *i) != rt)
            continue;
        if (ru->h->prepare)
            ru->h->prepare(ru->h->ctx, r);
        if (r->sc && r->outcome != OUT_ERROR)
            return (*i)++;
        ru->turn[*i] = DONE;
    }
    return -1;
}

/* Every free lane given the next scenario of its kind. */
static void fill_lanes(struct run *ru)
{
    for (int k = 0; k < ru->nlanes; k++) {
        bool rt = k >= ru->o->jobs;
        int i;
        if (ru->lanes[k].pid > 0 || (i = next_for(ru, rt)) < 0)
            continue;
        if (start_lane(ru, &ru->lanes[k], i) < 0) {
            ru->res[i].outcome = OUT_ERROR;
            ru->res[i].error = strdup("cannot start a child process");
            ru->turn[i] = DONE;
        } else {
            ru->turn[i] = RUNNING;
        }
    }
}

/* Wait for a lane to say something, a stop signal, or at most ms, and
 * read what came. */
static void wait_lanes(struct run *ru, int ms)
{
    struct pollfd pfd[ru->nlanes];
    int map[ru->nlanes], n = 0;
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
    sigset_t during;

    sigprocmask(SIG_SETMASK, NULL, &during);
    sigdelset(&during, SIGINT);
    sigdelset(&during, SIGTERM);
    sigdelset(&during, SIGHUP);
    for (int k = 0; k < ru->nlanes; k++)
        if (ru->lanes[k].pid > 0) {
            pfd[n] = (struct pollfd){ .fd = ru->lanes[k].fd, .events = POLLIN };
            map[n++] = k;
        }
    if (ppoll(pfd, (nfds_t)n, &ts, &during) <= 0)
        return;
    for (int j = 0; j < n; j++)
        if (pfd[j].revents)
            lane_read(ru, &ru->lanes[map[j]]);
}

/* Take the results that are ready, in suite order, from *taken on;
 * after a stop, one not started is not run.  True when take() stops
 * the run. */
static bool take_ready(struct run *ru, int *taken, bool stopping)
{
    for (; *taken < ru->n; ++*taken) {
        int i = *taken;
        if (stopping && ru->turn[i] == WAITING) {
            ru->turn[i] = UNRUN;
            ru->h->unrun(ru->h->ctx, i);
            continue;
        }
        if (ru->turn[i] != DONE)
            return false;
        ru->turn[i] = TAKEN;
        if (ru->h->take(ru->h->ctx, i)) {
            ++*taken;
            return true;
        }
    }
    return false;
}

/* A stop signal goes on to each running lane: its scenario ends at once
 * and is reported as the serial run reports the one it interrupts. */
static void pass_on(struct run *ru, int sig)
{
    for (int k = 0; k < ru->nlanes; k++)
        if (ru->lanes[k].pid > 0)
            kill(ru->lanes[k].pid, sig);
}

/* How long to wait for the lanes: until the --budget's end, when it is
 * near, since no scenario starts after it. */
static int wait_ms(const struct options *o, bool stopping)
{
    double left = o->budget_end - sup_now_ms();

    if (o->budget_end <= 0 || stopping || left >= 1000)
        return 1000;
    return left < 1 ? 1 : (int)left + 1;
}

int lanes_run(const struct options *o, const char *impl_path,
              struct result *res, int n, const struct lanes_hooks *h,
              int *taken)
{
    struct run ru = { o, impl_path, res, n, h, calloc((size_t)n + 1, sizeof(enum turn)),
                      NULL, o->jobs + LANES_REALTIME_MAX, { 0, 0 } };
    bool stopping = false;
    int sig = 0;

    ru.lanes = calloc((size_t)ru.nlanes, sizeof(*ru.lanes));
    if (!ru.turn || !ru.lanes)
        abort();
    *taken = 0;
    for (;;) {
        if (!stopping && ((sig = sup_stop_signal()) != 0 || opt_budget_over(o))) {
            stopping = true;
            if (sig)
                pass_on(&ru, sig);
        }
        if (!stopping)
            fill_lanes(&ru);
        if (take_ready(&ru, taken, stopping)) {
            kill_lanes(&ru);
            break;
        }
        if (*taken >= n)
            break;
        wait_lanes(&ru, wait_ms(o, stopping));
    }
    sup_sweep();
    free(ru.turn);
    free(ru.lanes);
    return sig;
}
