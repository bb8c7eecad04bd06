/*
 * scratch.c - the private libvirtds' base dir and its reaper (prefix
 * scratch_, scratch.h).  Starting and stopping the daemons is daemon.c's.
 *
 * CI runs the kit as root, on machines other users share (issue 20).  So:
 * - one base dir per run, $TMPDIR/evconf-libvirtd-XXXXXX, in which only
 *   the kit creates anything: 0700 when the runner is not root; root's,
 *   group the daemon's, 0710 when it is (the daemon may only pass through);
 * - when root, the daemons run under a uid of this run alone: picked at
 *   random from a range no distribution allocates, with no passwd or group
 *   entry and no process, as systemd's dynamic users are; not `nobody`,
 *   which other services share (in a user namespace, from the range it
 *   maps; nobody only when no uid can be had, still behind 0700 dirs);
 * - a reaper, forked off at the first daemon scenario and reparented away
 *   from the runner (whose sweep kills its own children), makes the base
 *   itself and says where, then waits for the runner's exit (a pidfd) or
 *   EOF on a pipe only the runner's processes hold (O_CLOEXEC: no daemon,
 *   no exec'd helper keeps it), kills the daemons the base records and
 *   every process of the run's uid, and removes the base.  A runner killed with SIGKILL at any
 *   moment, even before it heard of the base, so leaves nothing behind.
 * Every removal goes through the base's fd, never following a symlink,
 * whatever $TMPDIR allows.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "coverage.h"
#include "scratch.h"

#define BASE_NAME "evconf-libvirtd-"
#define UID_FIRST 0x70000000u       /* above every allocator's range (and subuids') */
#define UID_SPAN 0x01000000u
#define UID_NOBODY 65534u

static struct {
    int fd;                         /* the base dir, O_CLOEXEC */
    char path[96];
    uid_t uid;
    pid_t owner;                    /* the runner */
    int reaper_w;                   /* the reaper's pipe, the runner's end */
    bool tried;
    char error[160];
} scr = { .fd = -1, .reaper_w = -1 };

int scratch_fd(void) { return scr.fd; }
const char *scratch_path(void) { return scr.path; }
const char *scratch_error(void) { return scr.error[0] ? scr.error : "no scratch dir"; }
uid_t scratch_uid(void) { return scr.uid; }

static void sleep_ms(int ms)
{
    struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000 };
    nanosleep(&t, NULL);
}

static void remove_at(int dfd, const char *name);

/* Remove the entries of dir dfd whose names start with prefix. */
static void empty_dir(int dfd, const char *prefix)
{
    int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *e;

    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            remove_at(dfd, e->d_name);
    closedir(d);
}

/* Remove name in dir dfd and all below it; a symlink is removed, never
 * followed. */
static void remove_at(int dfd, const char *name)
{
    int fd;

    if (unlinkat(dfd, name, 0) == 0 || (errno != EISDIR && errno != EPERM))
        return;
    fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    for (int pass = 0; pass < 3; pass++) {
        empty_dir(fd, "");
        if (unlinkat(dfd, name, AT_REMOVEDIR) == 0 || errno != ENOTEMPTY)
            break;
    }
    close(fd);
}

/* Remove the base: its entries through its fd, then the dir (a symlink
 * put in its place is not a dir: rmdir fails). */
static void remove_base(int fd)
{
    if (fd < 0)
        return;
    empty_dir(fd, "");
    rmdir(scr.path);
}

/* Where the base goes: $TMPDIR, unless it is relative, too long for a
 * unix socket's path below it, open to others' writes without the sticky
 * bit (they could move the base), or (root) closed to the daemon's user. */
static const char *tmp_dir(void)
{
    const char *base = getenv("TMPDIR");
    struct stat sb;

    if (!base || base[0] != '/' || strlen(base) > 40 || stat(base, &sb) != 0 ||
        !S_ISDIR(sb.st_mode) || ((sb.st_mode & 0022) && !(sb.st_mode & S_ISVTX)) ||
        (geteuid() == 0 && !(sb.st_mode & 0001)))
        return "/tmp";
    return base;
}

/* Whether uid is someone's: a passwd or group entry, or a process. */
static bool uid_in_use(uid_t uid)
{
    DIR *d;
    struct dirent *e;
    struct stat sb;
    bool used = getpwuid(uid) || getgrgid((gid_t)uid);

    if (used || !(d = opendir("/proc")))
        return used;
    while (!used && (e = readdir(d)))
        used = e->d_name[0] >= '1' && e->d_name[0] <= '9' &&
               fstatat(dirfd(d), e->d_name, &sb, 0) == 0 && sb.st_uid == uid;
    closedir(d);
    return used;
}

/* Where to pick the run's uid: above every allocator's range when the
 * user namespace maps it (the first line of uid_map covers it), else the
 * upper half of the largest range it maps (a container's 65536 uids),
 * below nobody. */
static void uid_range(uid_t *first, uid_t *span)
{
    unsigned long in, out, count, best = 0;
    FILE *f = fopen("/proc/self/uid_map", "re");

    *first = UID_FIRST;
    *span = UID_SPAN;
    while (f && best != ~0UL && fscanf(f, "%lu %lu %lu", &in, &out, &count) == 3) {
        if (in <= UID_FIRST && in + count >= (unsigned long)UID_FIRST + UID_SPAN) {
            best = ~0UL;
            *first = UID_FIRST;
            *span = UID_SPAN;
        } else if (count > best && count >= 4096) {
            best = count;
            *first = (uid_t)(in + count / 2);
            *span = (uid_t)(count / 2 - 1);
        }
    }
    if (f)
        fclose(f);
}

/* The run's own uid, the base handed to it as root:uid 0710; the chown
 * proves the user namespace maps it.  Falls back to nobody. */
static uid_t pick_uid(void)
{
    uid_t first, span;

    uid_range(&first, &span);
    for (int tries = 0; tries < 16; tries++) {
        unsigned r;
        uid_t uid;
        if (getrandom(&r, sizeof(r), 0) != sizeof(r))
            break;
        uid = first + r % span;
        if (uid != UID_NOBODY && uid != (uid_t)65535 && !uid_in_use(uid) &&
            fchown(scr.fd, uid, uid) == 0 &&
            fchown(scr.fd, 0, uid) == 0)
            return uid;
    }
    fchown(scr.fd, 0, UID_NOBODY);
    return UID_NOBODY;
}

/* In the reaper: the base, its fd and its user; -1 with errno. */
static int make_base(void)
{
    snprintf(scr.path, sizeof(scr.path), "%s/" BASE_NAME "XXXXXX", tmp_dir());
    if (!mkdtemp(scr.path))
        return -1;
    scr.fd = open(scr.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (scr.fd < 0) {
        int err = errno;
        rmdir(scr.path);
        errno = err;
        return -1;
    }
    scr.uid = geteuid();
    if (scr.uid == 0) {
        scr.uid = pick_uid();
        fchmod(scr.fd, 0710);
    }
    return 0;
}

/* The daemon a record names, if it is still one of this run's (its
 * command line names the base: a pid reused since is left alone). */
static pid_t recorded_daemon(int dfd, const char *name)
{
    char buf[4096], path[64];
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    ssize_t n;
    long pid;

    if (fd < 0)
        return 0;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0 || (buf[n] = '\0', pid = strtol(buf, NULL, 10)) <= 1)
        return 0;
    snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return 0;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    for (ssize_t i = 0; i < n; i++)
        if (buf[i] == '\0')
            buf[i] = ' ';
    buf[n > 0 ? n : 0] = '\0';
    return strstr(buf, scr.path) ? (pid_t)pid : 0;
}

/* Whether pid runs: a zombie does no more (init may be slow to reap
 * what the runner's death handed it). */
static bool running(const char *pid)
{
    char path[300], buf[512], *paren;
    int fd;
    ssize_t n;

    snprintf(path, sizeof(path), "/proc/%s/stat", pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return false;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    return (paren = strrchr(buf, ')')) && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

/* Whether a process of uid other than this one still runs. */
static bool uid_runs(uid_t uid)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    struct stat sb;
    bool runs = false;

    while (d && !runs && (e = readdir(d)))
        runs = e->d_name[0] >= '1' && e->d_name[0] <= '9' && atoi(e->d_name) != getpid() &&
               fstatat(dirfd(d), e->d_name, &sb, 0) == 0 && sb.st_uid == uid &&
               running(e->d_name);
    if (d)
        closedir(d);
    return runs;
}

/* Kill the daemons the base records, and wait until none runs, 2 s at
 * most. */
static void kill_recorded(void)
{
    int fd = scr.fd >= 0 ? openat(scr.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *e;
    char pids[16][16];
    int n = 0;
    size_t len;
    pid_t pid;

    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    while ((e = readdir(d)) && n < 16)
        if ((len = strlen(e->d_name)) > 4 && strcmp(e->d_name + len - 4, ".pid") == 0 &&
            (pid = recorded_daemon(dirfd(d), e->d_name)) > 0) {
            kill(pid, SIGKILL);
            snprintf(pids[n++], sizeof(pids[0]), "%d", (int)pid);
        }
    closedir(d);
    for (int i = 0, waited = 0; i < n && waited < 2000; waited += 10)
        if (running(pids[i]))
            sleep_ms(10);
        else
            i++;
}

/* Kill every process of the run's own uid, as that uid (kill(-1) reaches
 * exactly those), until none runs, 2 s at most.  Not for nobody. */
static void kill_run_uid(void)
{
    pid_t pid;

    if (scr.owner == 0 || scr.uid == 0 || scr.uid == UID_NOBODY || scr.uid == getuid())
        return;
    if ((pid = fork()) == 0) {
        if (setgroups(0, NULL) < 0 || setgid(scr.uid) < 0 || setuid(scr.uid) < 0)
            _exit(1);
        for (int i = 0; i < 200 && kill(-1, SIGKILL) == 0 && uid_runs(scr.uid); i++)
            sleep_ms(10);
        _exit(0);
    }
    if (pid > 0)
        waitpid(pid, NULL, 0);
}

/* What the reaper says once it made the base (one write, atomic). */
struct made {
    int err;                        /* 0, or errno */
    uid_t uid;
    char path[96];
};

/* In the reaper: fds 3 (the runner's pipe) and 4 (the base) and nothing
 * else of the runner's; stdio on /dev/null. */
static void keep_fds(int rfd)
{
    int r = fcntl(rfd, F_DUPFD_CLOEXEC, 5);
    int b = scr.fd >= 0 ? fcntl(scr.fd, F_DUPFD_CLOEXEC, 5) : -1;

    if (r < 0 || dup2(r, 3) < 0)
        _exit(1);
    scr.fd = b >= 0 && dup2(b, 4) == 4 ? 4 : -1;
    close_range(5, ~0U, 0);
    for (int fd = 0; fd < 3; fd++) {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0 && null != fd) {
            dup2(null, fd);
            close(null);
        }
    }
}

/* In the reaper: until the runner is gone.  Its exit (a pidfd) or EOF on
 * the pipe, whichever comes first: a process the loop under test forked
 * may hold the pipe after the runner died.  Then up to 2 s more for the
 * scenario processes to go (they die with the runner: PDEATHSIG), so that
 * none makes a dir after the base is removed. */
static void wait_for_runner(void)
{
#ifdef SYS_pidfd_open
    int pidfd = (int)syscall(SYS_pidfd_open, scr.owner, 0);
#else
    int pidfd = -1;
#endif
    struct pollfd p[2] = { { .fd = 3, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
    char c;

    for (;;) {
        if (poll(p, pidfd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
            return;
        if ((p[0].revents & (POLLIN | POLLHUP)) && read(3, &c, 1) <= 0 && errno != EINTR)
            return;
        if (pidfd >= 0 && (p[1].revents & POLLIN))
            break;
    }
    for (double waited = 0; waited < 2000; waited += 10)
        if (poll(p, 1, 10) > 0 && read(3, &c, 1) == 0)
            return;
}

/* The reaper: its own session (no terminal's signal reaches it); makes
 * the base, says so, waits for EOF; then nothing of the run is left.  The
 * daemons die with SIGKILL and create nothing after. */
static void reaper(int rfd, int made_w)
{
    struct made m = { 0 };

    setsid();
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    m.err = make_base() < 0 ? errno : 0;
    m.uid = scr.uid;
    snprintf(m.path, sizeof(m.path), "%s", scr.path);
    if (write(made_w, &m, sizeof(m)) < 0 || m.err)    /* a runner gone: EOF below */
        _exit(m.err ? 1 : 0);
    keep_fds(rfd);
    wait_for_runner();
    kill_recorded();
    kill_run_uid();
    remove_base(scr.fd);
    coverage_flush();
    _exit(0);
}

/* The runner leaves normally: its daemons are gone (each scenario's
 * teardown, the runner's sweep), so it removes the base itself, then lets
 * the reaper go. */
static void at_exit(void)
{
    if (getpid() != scr.owner)
        return;
    remove_base(scr.fd);
    close(scr.reaper_w);
}

/* The runner's two fds of the base go to 300 and above: a scenario's
 * own descriptors get the same numbers whether a daemon scenario ran
 * before it or not (with -j, the runner makes the base as soon as the
 * first real-time scenario starts, out of suite order), so that its
 * traces are the same. */
static int high_fd(int fd)
{
    int moved = fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 300);

    if (moved < 0)
        return fd;
    close(fd);
    return moved;
}

/* Fork the reaper off, not as the runner's child: the runner is a
 * subreaper, so that is turned off while the middle process exits.  What
 * it made, in *m. */
static int start_reaper(struct made *m)
{
    int p[2], r[2], was = 0;
    pid_t mid;

    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    if (pipe2(r, O_CLOEXEC) < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    prctl(PR_GET_CHILD_SUBREAPER, &was);
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    fflush(NULL);
    if ((mid = fork()) == 0) {
        close(p[1]);
        close(r[0]);
        if (fork() == 0)
            reaper(p[0], r[1]);
        _exit(0);
    }
    close(p[0]);
    close(r[1]);
    if (mid > 0)
        waitpid(mid, NULL, 0);
    prctl(PR_SET_CHILD_SUBREAPER, was);
    scr.reaper_w = high_fd(p[1]);
    if (mid < 0 || read(r[0], m, sizeof(*m)) != (ssize_t)sizeof(*m)) {
        close(r[0]);
        return -1;
    }
    close(r[0]);
    return 0;
}

/* The base the reaper made, opened here: a dir, not a symlink, ours. */
static int open_base(const struct made *m)
{
    struct stat sb;

    snprintf(scr.path, sizeof(scr.path), "%s", m->path);
    scr.uid = m->uid;
    scr.fd = high_fd(open(scr.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (scr.fd >= 0 && fstat(scr.fd, &sb) == 0 && sb.st_uid == geteuid())
        return 0;
    if (scr.fd >= 0)
        close(scr.fd);
    scr.fd = -1;
    errno = EPERM;
    return -1;
}

int scratch_prepare(void)
{
    struct made m = { 0 };

    if (scr.tried)
        return scr.fd >= 0 ? 0 : -1;
    scr.tried = true;
    scr.owner = getpid();
    if (start_reaper(&m) < 0 || (errno = m.err) != 0 || open_base(&m) < 0) {
        snprintf(scr.error, sizeof(scr.error), "cannot make the daemons' dir in %s: %s",
                 tmp_dir(), strerror(errno));
        if (scr.reaper_w >= 0)
            close(scr.reaper_w);
        scr.reaper_w = -1;
        return -1;
    }
    atexit(at_exit);
    return 0;
}

void scratch_record(const char *name, pid_t pid)
{
    char file[64];
    int fd;

    snprintf(file, sizeof(file), "%s.pid", name);
    fd = openat(scr.fd, file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    dprintf(fd, "%d\n", (int)pid);
    close(fd);
}

void scratch_remove(int pid)
{
    char prefix[32];

    snprintf(prefix, sizeof(prefix), "%d-", pid);
    if (scr.fd >= 0)
        empty_dir(scr.fd, prefix);
}

void scratch_remove_daemon(const char *name)
{
    char record[64];

    snprintf(record, sizeof(record), "%s.pid", name);
    if (scr.fd < 0)
        return;
    remove_at(scr.fd, name);
    unlinkat(scr.fd, record, 0);
}
