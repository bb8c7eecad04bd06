/*
 * daemon.c - private libvirtd daemons (prefix daemon_), for the client
 * steps of a real-time scenario: each started in a directory of the run's
 * scratch base (scratch.c) with its own config, sockets and log, under
 * the run's own uid, dead with the scenario's process; waited for until
 * it accepts connections, paused, resumed and stopped as the steps say.
 *
 * A daemon that cannot start here skips the scenario; the connections to
 * it are client.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "coverage.h"
#include "daemon.h"
#include "records.h"
#include "scratch.h"
#include "state.h"

/* The daemon: Debian's, or EVCONF_LIBVIRTD's (the tests point it at
 * nothing to see a scenario skipped). */
static const char *libvirtd(void)
{
    const char *path = getenv("EVCONF_LIBVIRTD");
    return path && *path ? path : "/usr/sbin/libvirtd";
}

/* A private libvirtd: its own sockets, config and logs in a dir of the
 * run's base (scratch.c), no hypervisor driver (LIBVIRT_DRIVER_DIR is
 * empty), under the run's own uid when the runner is root; it serves the
 * test driver to test+unix://, to its own user (and root) alone. */
struct daemon {
    int name;
    pid_t pid;
    char dir[128];
    char dir_name[32];              /* in the base */
};

static struct daemon daemons[4];
static int ndaemons;

static struct daemon *find_daemon(int name)
{
    for (int i = 0; i < ndaemons; i++)
        if (daemons[i].name == name)
            return &daemons[i];
    return NULL;
}

static void sleep_real_ms(int ms)
{
    struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000 };
    nanosleep(&t, NULL);
}

/* In the daemon's child: the daemon's user (setuid clears a death
 * signal, so it is asked for after), dead with the scenario's process
 * even if the runner is killed outright (issue 20), no privilege to gain
 * back; its output in a file of its own, made afresh; then exec. */
static void exec_daemon(int dfd, const char *dir, pid_t parent)
{
    char conf[160], pid[160], env[4][160];
    uid_t uid = scratch_uid();
    int fd;

    coverage_flush();
    if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setgid(uid) < 0 || setuid(uid) < 0))
        _exit(126);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
        _exit(125);
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    umask(077);
    fd = openat(dfd, "libvirtd.out", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                0600);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    snprintf(env[0], sizeof(env[0]), "HOME=%s/home", dir);
    snprintf(env[1], sizeof(env[1]), "XDG_RUNTIME_DIR=%s/run", dir);
    snprintf(env[2], sizeof(env[2]), "LIBVIRT_DRIVER_DIR=%s/drivers", dir);
    snprintf(env[3], sizeof(env[3]), "XDG_CONFIG_HOME=%s/home", dir);
    for (int i = 0; i < 4; i++)
        putenv(env[i]);
    snprintf(conf, sizeof(conf), "%s/libvirtd.conf", dir);
    snprintf(pid, sizeof(pid), "%s/libvirtd.pid", dir);
    execl(libvirtd(), "libvirtd", "--config", conf, "--pid-file", pid, (char *)NULL);
    _exit(127);
}

/* The config, made afresh in the daemon's dir: its sockets (read-write,
 * read-only, admin) its own user's alone, 0700; with that, no other user
 * reaches them, so that no authentication is asked of the scenario. */
static int write_config(int dfd, const char *dir)
{
    char text[1024];
    int fd, n;

    n = snprintf(text, sizeof(text), "unix_sock_dir = \"%s/sock\"\nauth_unix_rw = \"none\"\n"
                 "auth_unix_ro = \"none\"\nunix_sock_rw_perms = \"0700\"\n"
                 "unix_sock_ro_perms = \"0700\"\nunix_sock_admin_perms = \"0700\"\n"
                 "log_outputs = \"3:file:%s/libvirtd.log\"\n", dir, dir);
    fd = openat(dfd, "libvirtd.conf", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                0600);
    if (fd < 0)
        return -1;
    if (n <= 0 || (size_t)n >= sizeof(text) || write(fd, text, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    return close(fd);
}

/* The daemon's dir, BASE/PID-N, and what goes in it before the daemon
 * starts, each made here (never there before: no symlink is followed),
 * 0700 or 0600, then handed to the daemon's user.  Only the kit writes in
 * the base.  The dir's fd (O_CLOEXEC), or -1. */
static int make_daemon_dir(struct daemon *d, const char *name)
{
    static const char *const made[] = { "sock", "run", "home", "drivers", "libvirtd.conf" };
    uid_t uid = scratch_uid();
    int dfd, err;

    snprintf(d->dir, sizeof(d->dir), "%s/%s", scratch_path(), name);
    snprintf(d->dir_name, sizeof(d->dir_name), "%s", name);
    if (mkdirat(scratch_fd(), name, 0700) < 0)
        return -1;
    dfd = openat(scratch_fd(), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        return -1;
    for (size_t i = 0; i < 4; i++)
        if (mkdirat(dfd, made[i], 0700) < 0)
            goto fail;
    if (write_config(dfd, d->dir) < 0)
        goto fail;
    for (size_t i = 0; geteuid() == 0 && i < 5; i++)
        if (fchownat(dfd, made[i], uid, uid, AT_SYMLINK_NOFOLLOW) < 0)
            goto fail;
    if (geteuid() == 0 && fchown(dfd, uid, uid) < 0)
        goto fail;
    return dfd;
fail:
    err = errno;
    close(dfd);
    errno = err;
    return -1;
}

/* Whether something accepts connections on the unix socket at path: a
 * socket file alone is not enough, libvirtd creates it before it listens
 * and serves (a slow build showed "Connection refused" in between). */
static bool accepts(const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok;

    if (fd < 0 || strlen(path) >= sizeof(a.sun_path)) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    memcpy(a.sun_path, path, strlen(path) + 1);
    ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

/* Wait until the daemon accepts connections on its socket, DAEMON_START_MS
 * at most: a daemon that dies, or never listens, is reported with where
 * its log is (the harness cannot run the scenario: not the loop's fault). */
#define DAEMON_START_MS 10000

/* A private libvirtd this machine cannot give: neither the scenario's
 * mistake nor the loop's failure, so the scenario is skipped, with the
 * reason (the kill matrix still fails a scenario no broken loop fails,
 * so a daemon that never starts cannot pass CI unseen). */
__attribute__((format(printf, 2, 3)))
static void machine_cannot(const struct step *st, const char *fmt, ...)
{
    char why[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    check_scenario_skip(st, why);
}

static bool daemon_ready(struct daemon *d, const struct step *st)
{
    char path[160];
    int waited = 0;

    snprintf(path, sizeof(path), "%s/sock/libvirt-sock", d->dir);
    for (; !accepts(path); waited += 10) {
        if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
            d->pid = 0;
            machine_cannot(st, "libvirtd exited before it accepted connections on "
                           "%s (see %s/libvirtd.out)", path, d->dir);
            return false;
        }
        if (waited >= DAEMON_START_MS) {
            machine_cannot(st, "libvirtd did not accept connections on %s within "
                           "%d ms (see %s/libvirtd.out)", path, DAEMON_START_MS, d->dir);
            return false;
        }
        sleep_real_ms(10);
    }
    sim_trace("daemon", "%s accepts connections", path);
    return true;
}

static void start_daemon(const struct step *st)
{
    struct daemon *d = &daemons[ndaemons];
    char name[32];
    pid_t self = getpid();
    int dfd;

    if (access(libvirtd(), X_OK) != 0) {
        char why[300];
        snprintf(why, sizeof(why), "no %s: this scenario needs a libvirtd "
                 "(Debian: libvirt-daemon)", libvirtd());
        check_scenario_skip(st, why);
        return;
    }
    if (ndaemons == 4) {
        check_scenario_error(st, "more than 4 daemons");
        return;
    }
    if (scratch_fd() < 0) {
        machine_cannot(st, "%s", scratch_error());
        return;
    }
    /* Named after this process, so that the runner removes it even if the
     * scenario dies before its teardown (client_remove_scratch()). */
    snprintf(name, sizeof(name), "%d-%d", (int)self, ndaemons);
    if ((dfd = make_daemon_dir(d, name)) < 0) {
        machine_cannot(st, "cannot make %s: %s", d->dir, strerror(errno));
        return;
    }
    d->name = st->name;
    ndaemons++;
    if ((d->pid = fork()) == 0)
        exec_daemon(dfd, d->dir, self);
    close(dfd);
    if (d->pid < 0) {
        d->pid = 0;
        machine_cannot(st, "cannot fork libvirtd: %s", strerror(errno));
        return;
    }
    scratch_record(name, d->pid);
    if (!daemon_ready(d, st))
        return;
    sim_trace("daemon", "%s: libvirtd %d in %s", state_name(d->name), (int)d->pid, d->dir);
}

/* SIGTERM, 5 s to go, then SIGKILL. */
static void stop_daemon(struct daemon *d)
{
    if (d->pid <= 0)
        return;
    kill(d->pid, SIGCONT);
    kill(d->pid, SIGTERM);
    for (int waited = 0; waitpid(d->pid, NULL, WNOHANG) != d->pid; waited += 20) {
        if (waited >= 5000) {
            kill(d->pid, SIGKILL);
            waitpid(d->pid, NULL, 0);
            break;
        }
        sleep_real_ms(20);
    }
    d->pid = 0;
}

const char *daemon_dir(int name)
{
    struct daemon *d = find_daemon(name);

    return d ? d->dir : NULL;
}

void daemon_step(const struct step *st)
{
    struct daemon *d = find_daemon(st->name);

    if (st->kind == S_DAEMON) {
        if (d)
            client_out_of_order(st, "'%s' is already started", state_name(st->name));
        else
            start_daemon(st);
        return;
    }
    if (!d || d->pid <= 0) {
        client_out_of_order(st, "'%s' is not running", state_name(st->name));
        return;
    }
    if (st->kind == S_STOP_DAEMON)
        stop_daemon(d);
    else
        kill(d->pid, st->kind == S_PAUSE_DAEMON ? SIGSTOP : SIGCONT);
}

void daemon_stop_all(void)
{
    for (int i = 0; i < ndaemons; i++) {
        stop_daemon(&daemons[i]);
        scratch_remove_daemon(daemons[i].dir_name);
    }
    ndaemons = 0;
}
