/*
 * test_daemon_guard.c - the private libvirtd lets no other local user in
 * (issue 20): its dirs, files and sockets are its user's alone, nothing
 * the runner makes there follows a planted symlink, another uid can
 * neither connect nor write, and nothing of it outlives a runner killed
 * with SIGKILL.  The tests that need a second uid run only as root (CI
 * runs the kit as root); they say "skipped" otherwise.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

#define INTRUDER 4242u          /* a second local user */
#define NOBODY 65534u

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool usable(bool need_root)
{
    if (access("/usr/sbin/libvirtd", X_OK) != 0) {
        printf("skipped: no /usr/sbin/libvirtd\n");
        return false;
    }
    if (need_root && geteuid() != 0) {
        printf("skipped: a second uid needs root\n");
        return false;
    }
    return true;
}

/* The daemons go below this test's temp dir, made like /tmp (1777). */
static void shared_tmpdir(void)
{
    chmod(make_tmpdir(), 01777);
    setenv("TMPDIR", tmpdir, 1);
}

/* A scenario that holds its daemon about ms of real time. */
static const char *hold_scenario(int ms)
{
    char text[400];

    snprintf(text, sizeof(text), "id: hold\ntitle: t\nrules: R20\nlevel: MUST\n"
             "clock: real\nwhy: w\n\ndaemon D\nconnect C daemon:D\nadd-timeout T 50\n"
             "run-until %d\nremove-timeout T\nclose-connection C\n", ms);
    return scenario_file("hold.scn", text);
}

/* The daemon's socket below dir, once it is there (10 s at most). */
static bool find_socket(const char *dir, char *sock, size_t len)
{
    static const char *const layouts[] = { "%s/evconf-libvirtd-*/*/sock/libvirt-sock",
                                           "%s/evconf-libvirtd-*/sock/libvirt-sock" };
    char pattern[300];
    glob_t g;

    for (double end = now_ms() + 10000; now_ms() < end; usleep(20000))
        for (size_t i = 0; i < 2; i++) {
            snprintf(pattern, sizeof(pattern), layouts[i], dir);
            if (glob(pattern, 0, NULL, &g) == 0) {
                snprintf(sock, len, "%s", g.gl_pathv[0]);
                globfree(&g);
                return true;
            }
        }
    return false;
}

/* The paths around a daemon's socket: its sock dir, its dir, the dir
 * that holds it. */
struct layout {
    char sock[300], sockdir[300], dir[300], base[300];
};

static void layout_of(const char *sock, struct layout *l)
{
    snprintf(l->sock, sizeof(l->sock), "%s", sock);
    snprintf(l->sockdir, sizeof(l->sockdir), "%s", sock);
    dirname(l->sockdir);
    snprintf(l->dir, sizeof(l->dir), "%s", l->sockdir);
    dirname(l->dir);
    snprintf(l->base, sizeof(l->base), "%s", l->dir);
    dirname(l->base);
}

/* The runner a test started, killed if the test ends early. */
static pid_t live_runner;

static void kill_live_runner(void)
{
    if (live_runner > 0)
        kill(live_runner, SIGKILL);
}

/* Start evconf-run with args as uid (0: as this process), at the given
 * niceness. */
static pid_t start_nice(uid_t uid, int nice_by, int *out_fd, const char *const args[])
{
    char path[512], *argv[20];
    int p[2], n = 0;
    pid_t pid;

    snprintf(path, sizeof(path), "%s/evconf-run", build_dir());
    argv[n++] = path;
    for (int i = 0; args[i] && n < 19; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    ck_assert_int_eq(pipe(p), 0);
    if ((pid = fork()) == 0) {
        if (nice(nice_by) < 0 && nice_by > 0)
            _exit(126);
        if (uid && (setgroups(0, NULL) < 0 || setgid(uid) < 0 || setuid(uid) < 0))
            _exit(126);
        dup2(p[1], 1);
        dup2(p[1], 2);
        close(p[0]);
        close(p[1]);
        execv(path, argv);
        _exit(127);
    }
    close(p[1]);
    *out_fd = p[0];
    if (!live_runner)
        atexit(kill_live_runner);
    live_runner = pid;
    return pid;
}

static pid_t start_as(uid_t uid, int *out_fd, const char *const args[])
{
    return start_nice(uid, 0, out_fd, args);
}

static int wait_runner(pid_t pid, int fd, char **out)
{
    int status;

    *out = read_all(fd);
    close(fd);
    waitpid(pid, &status, 0);
    live_runner = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* What a second user manages around the daemon, as bits: connect to its
 * socket, create a file in its dir, plant a symlink in its sock dir,
 * open its config to write, create a dir in the base.  0: nothing. */
static int intrude(const struct layout *l)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0), bits = 0;
    char path[400];

    if (strlen(l->sock) < sizeof(a.sun_path))
        memcpy(a.sun_path, l->sock, strlen(l->sock) + 1);
    bits |= connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 ? 1 : 0;
    snprintf(path, sizeof(path), "%s/planted", l->dir);
    bits |= open(path, O_WRONLY | O_CREAT | O_EXCL, 0666) >= 0 ? 2 : 0;
    snprintf(path, sizeof(path), "%s/planted", l->sockdir);
    bits |= symlink("/etc/shadow", path) == 0 ? 4 : 0;
    snprintf(path, sizeof(path), "%s/libvirtd.conf", l->dir);
    bits |= open(path, O_WRONLY) >= 0 ? 8 : 0;
    snprintf(path, sizeof(path), "%s/planted", l->base);
    bits |= strcmp(l->base, tmpdir) != 0 && mkdir(path, 0777) == 0 ? 16 : 0;
    return bits;
}

static int intrude_as(uid_t uid, const struct layout *l)
{
    int status;
    pid_t pid = fork();

    if (pid == 0) {
        if (setgroups(0, NULL) < 0 || setgid(uid) < 0 || setuid(uid) < 0)
            _exit(126);
        _exit(intrude(l));
    }
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void assert_private(const char *path, mode_t allowed, uid_t owner)
{
    struct stat sb;

    ck_assert_msg(lstat(path, &sb) == 0, "%s: %s", path, strerror(errno));
    ck_assert_msg((sb.st_mode & 07777 & ~allowed) == 0, "%s is mode %04o", path,
                  (unsigned)(sb.st_mode & 07777));
    ck_assert_msg(owner == (uid_t)-1 || sb.st_uid == owner, "%s is uid %u's, not %u's",
                  path, (unsigned)sb.st_uid, (unsigned)owner);
}

/* While a scenario runs under root: the base root's and closed to all
 * but the daemon's group, the daemon's dir, sock dir, socket and files
 * its user's alone, and that user a uid of the run's own (not root, not
 * the shared nobody, no passwd entry). */
START_TEST(daemon_files_are_private)
{
    char sock[300], *out, path[400];
    struct layout l;
    struct stat sb;
    int fd;
    pid_t pid;
    const char *args[] = { "-s", NULL, NULL };

    if (!usable(false))
        return;
    shared_tmpdir();
    args[1] = hold_scenario(3000);
    pid = start_as(0, &fd, args);
    ck_assert_msg(find_socket(tmpdir, sock, sizeof(sock)), "no daemon socket appeared");
    layout_of(sock, &l);
    ck_assert_int_eq(stat(l.dir, &sb), 0);
    ck_assert_msg(strcmp(l.base, tmpdir) != 0, "the daemon's dir is not in a base of its own");
    assert_private(l.base, geteuid() == 0 ? 0710 : 0700, geteuid());
    assert_private(l.dir, 0700, geteuid() == 0 ? sb.st_uid : geteuid());
    assert_private(l.sockdir, 0700, sb.st_uid);
    assert_private(l.sock, 0700, sb.st_uid);
    snprintf(path, sizeof(path), "%s/libvirtd.conf", l.dir);
    assert_private(path, 0600, sb.st_uid);
    snprintf(path, sizeof(path), "%s/libvirtd.out", l.dir);
    assert_private(path, 0600, sb.st_uid);
    if (geteuid() == 0)
        ck_assert_msg(sb.st_uid != 0 && sb.st_uid != NOBODY && !getpwuid(sb.st_uid),
                      "the daemon runs as uid %u", (unsigned)sb.st_uid);
    ck_assert_msg(wait_runner(pid, fd, &out) == 0, "%s", out);
    ck_assert_msg(strstr(out, "1 passed, 0 failed"), "%s", out);
    free(out);
}
END_TEST

/* Under root, a second user (any uid, nobody among them) can neither
 * connect to the daemon nor write anywhere near it. */
START_TEST(other_users_are_kept_out)
{
    static const uid_t others[] = { INTRUDER, NOBODY };
    char sock[300], *out;
    struct layout l;
    int fd;
    pid_t pid;
    const char *args[] = { "-s", NULL, NULL };

    if (!usable(true))
        return;
    shared_tmpdir();
    args[1] = hold_scenario(3000);
    pid = start_as(0, &fd, args);
    ck_assert_msg(find_socket(tmpdir, sock, sizeof(sock)), "no daemon socket appeared");
    layout_of(sock, &l);
    for (size_t i = 0; i < 2; i++) {
        int bits = intrude_as(others[i], &l);
        ck_assert_msg(bits == 0, "uid %u got in (1 connect, 2 create, 4 symlink, 8 write "
                      "the config, 16 write in the base): %d", (unsigned)others[i], bits);
    }
    ck_assert_msg(wait_runner(pid, fd, &out) == 0, "%s", out);
    free(out);
}
END_TEST

/* A user with a passwd entry other than root and nobody, for a runner
 * that is not root (libvirt's client asks for its user's record). */
static uid_t ordinary_user(void)
{
    struct passwd *pw;
    uid_t uid = 0;

    setpwent();
    while (uid == 0 && (pw = getpwent()))
        if (pw->pw_uid != 0 && pw->pw_uid != NOBODY)
            uid = pw->pw_uid;
    endpwent();
    return uid;
}

/* A runner that is not root: the daemon is that user's, 0700 all the way
 * down, and another user cannot reach it either. */
START_TEST(non_root_runner_keeps_its_daemon)
{
    char sock[300], home[300], report[320], *out;
    struct layout l;
    int fd, bits;
    pid_t pid;
    const char *args[] = { "-s", NULL, "--report-dir", report, NULL };
    uid_t user = geteuid() == 0 ? ordinary_user() : 0;

    if (!usable(true))
        return;
    if (user == 0) {
        printf("skipped: no user but root and nobody\n");
        return;
    }
    shared_tmpdir();
    args[1] = hold_scenario(3000);
    chmod(args[1], 0644);
    snprintf(home, sizeof(home), "%s/user", tmpdir);
    ck_assert_int_eq(mkdir(home, 0700), 0);
    ck_assert_int_eq(chown(home, user, user), 0);
    snprintf(report, sizeof(report), "%s/report", home);
    setenv("TMPDIR", home, 1);
    pid = start_as(user, &fd, args);
    if (!find_socket(home, sock, sizeof(sock))) {
        wait_runner(pid, fd, &out);
        ck_abort_msg("no daemon socket appeared: %s", out);
    }
    layout_of(sock, &l);
    assert_private(l.base, 0700, user);
    assert_private(l.dir, 0700, user);
    assert_private(l.sockdir, 0700, user);
    assert_private(l.sock, 0700, user);
    ck_assert_int_eq(chmod(home, 0755), 0);   /* only the kit's own dirs stand */
    bits = intrude_as(INTRUDER, &l);
    ck_assert_msg(bits == 0, "uid %u got in: %d", INTRUDER, bits);
    ck_assert_msg(wait_runner(pid, fd, &out) == 0, "%s", out);
    ck_assert_msg(strstr(out, "1 passed, 0 failed"), "%s", out);
    free(out);
}
END_TEST

/* A second user that watches $TMPDIR and plants symlinks named as the
 * runner's files (libvirtd.conf, libvirtd.out) in each dir the runner
 * makes there, as fast as it can, 3 s at most per dir. */
static void plant_symlinks(const char *secret)
{
    char buf[4096] __attribute__((aligned(8))), path[400];
    int in = inotify_init1(0);
    double end = now_ms() + 20000;

    if (in < 0 || inotify_add_watch(in, tmpdir, IN_CREATE) < 0)
        _exit(1);
    if (write(3, "r", 1) != 1)
        _exit(1);
    while (now_ms() < end) {
        ssize_t n = read(in, buf, sizeof(buf));
        for (char *p = buf; n > 0 && p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            p += sizeof(*ev) + ev->len;
            if (ev->len == 0 || strncmp(ev->name, "evconf-libvirtd-", 16) != 0)
                continue;
            for (int got = 0, k = 0; got != 3 && k < 3000000; k++) {
                snprintf(path, sizeof(path), "%s/%s/libvirtd.conf", tmpdir, ev->name);
                got |= symlink(secret, path) == 0 ? 1 : 0;
                snprintf(path, sizeof(path), "%s/%s/libvirtd.out", tmpdir, ev->name);
                got |= symlink(secret, path) == 0 ? 2 : 0;
            }
        }
    }
    _exit(0);
}

/* Under root, a symlink another user plants (inotify wins the race every
 * time there is one) is never followed: a root-only file stays as it is. */
START_TEST(planted_symlinks_are_not_followed)
{
    char secret[300], *out, got[16] = "";
    int p[2], fd;
    pid_t racer, pid;
    const char *args[] = { "-s", NULL, NULL };
    FILE *f;

    if (!usable(true))
        return;
    shared_tmpdir();
    args[1] = hold_scenario(500);
    snprintf(secret, sizeof(secret), "%s/secret", tmpdir);
    ck_assert((f = fopen(secret, "w")) != NULL);
    fputs("keep\n", f);
    fclose(f);
    chmod(secret, 0600);
    ck_assert_int_eq(pipe(p), 0);
    if ((racer = fork()) == 0) {
        dup2(p[1], 3);
        if (setgroups(0, NULL) < 0 || setgid(INTRUDER) < 0 || setuid(INTRUDER) < 0)
            _exit(126);
        plant_symlinks(secret);
    }
    close(p[1]);
    ck_assert_int_eq(read(p[0], got, 1), 1);
    close(p[0]);
    pid = start_nice(0, 19, &fd, args);       /* the second user is quicker */
    wait_runner(pid, fd, &out);
    kill(racer, SIGKILL);
    waitpid(racer, NULL, 0);
    ck_assert((f = fopen(secret, "r")) != NULL);
    memset(got, 0, sizeof(got));
    if (fread(got, 1, sizeof(got) - 1, f) == 0)
        got[0] = '\0';
    fclose(f);
    ck_assert_msg(strcmp(got, "keep\n") == 0, "the root-only file now holds '%s' (%s)",
                  got, out);
    free(out);
}
END_TEST

/* No private libvirtd of this test's and no base dir, within ms. */
static bool gone_within(int ms)
{
    char pgrep[300], pattern[300];
    glob_t g;

    snprintf(pgrep, sizeof(pgrep), "pgrep -f '^libvirtd --config %s/' >/dev/null", tmpdir);
    snprintf(pattern, sizeof(pattern), "%s/evconf-libvirtd-*", tmpdir);
    for (double end = now_ms() + ms;; usleep(20000)) {
        bool left = system(pgrep) == 0;
        if (!left && glob(pattern, 0, NULL, &g) == 0) {
            left = true;
            globfree(&g);
        }
        if (!left)
            return true;
        if (now_ms() > end)
            return false;
    }
}

/* The daemon's pid, from the pid file it writes in its dir (waited for
 * up to a second), or 0. */
static pid_t daemon_pid(const struct layout *l)
{
    char path[400];
    int pid = 0;

    snprintf(path, sizeof(path), "%s/libvirtd.pid", l->dir);
    for (int waited = 0; waited < 1000 && pid <= 1; waited += 20) {
        FILE *f = fopen(path, "r");
        if (f) {
            if (fscanf(f, "%d", &pid) != 1)
                pid = 0;
            fclose(f);
        }
        if (pid <= 1)
            usleep(20000);
    }
    return pid > 1 ? pid : 0;
}

/* kill -9 of the runner while its daemon serves: within 10 s of real
 * time (a bound on the clean-up, no verdict) neither the daemon nor its
 * dirs are left.  If they are, the test kills what it started: the daemon
 * by the pid it wrote, and the scenario's process group it ran in. */
START_TEST(killed_runner_leaves_nothing)
{
    char sock[300], *out;
    int fd;
    pid_t pid, daemon, group;
    const char *args[] = { "-s", NULL, NULL };
    struct layout l;
    bool gone;

    if (!usable(false))
        return;
    shared_tmpdir();
    args[1] = hold_scenario(8000);
    pid = start_as(0, &fd, args);
    ck_assert_msg(find_socket(tmpdir, sock, sizeof(sock)), "no daemon socket appeared");
    layout_of(sock, &l);
    daemon = daemon_pid(&l);
    group = daemon ? getpgid(daemon) : -1;
    kill(pid, SIGKILL);
    wait_runner(pid, fd, &out);
    free(out);
    gone = gone_within(10000);
    if (!gone && daemon) {
        kill(daemon, SIGKILL);
        if (group > 1 && group != getpgrp())
            kill(-group, SIGKILL);
        usleep(200000);
    }
    ck_assert_msg(daemon, "the daemon wrote no pid to %s/libvirtd.pid", l.dir);
    ck_assert_msg(gone, "a libvirtd or its dir outlived the runner by 10 s");
}
END_TEST

/* The same with a loop that leaves a process behind holding every fd the
 * scenario's process had, the runner's among them: the clean-up does not
 * wait for it. */
START_TEST(killed_runner_with_a_lingering_helper)
{
    char sock[300], pidfile[300], *out;
    int fd, helper = 0;
    pid_t pid;
    const char *args[] = { "--impl", impl("lingers"), "-s", NULL, NULL };
    bool gone;
    FILE *f;

    if (!usable(false))
        return;
    shared_tmpdir();
    args[3] = hold_scenario(8000);
    snprintf(pidfile, sizeof(pidfile), "%s/helper.pid", tmpdir);
    setenv("EVCONF_TEST_PIDFILE", pidfile, 1);
    pid = start_as(0, &fd, args);
    ck_assert_msg(find_socket(tmpdir, sock, sizeof(sock)), "no daemon socket appeared");
    kill(pid, SIGKILL);
    wait_runner(pid, fd, &out);
    free(out);
    gone = gone_within(10000);
    if ((f = fopen(pidfile, "r"))) {
        if (fscanf(f, "%d", &helper) == 1 && helper > 1)
            kill(helper, SIGKILL);
        fclose(f);
    }
    ck_assert_msg(helper > 1, "the helper did not start");
    ck_assert_msg(gone, "a libvirtd or its dir outlived the runner by 10 s");
}
END_TEST

void add_daemon_guard_tests(Suite *s)
{
    const TTest *tests[] = { daemon_files_are_private, other_users_are_kept_out,
                             non_root_runner_keeps_its_daemon,
                             planted_symlinks_are_not_followed, killed_runner_leaves_nothing,
                             killed_runner_with_a_lingering_helper };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
}
