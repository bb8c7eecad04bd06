/*
 * client.c - a libvirt client over the loop under test (client.h).
 *
 * A connection is a name of the script; each domain lifecycle event its
 * callback gets is recorded as a call of that name (with the event type
 * where a handle's call has its events), so that calls, times and
 * iterations are expected as for any registration, and `expect event C
 * #K TYPE` looks at the type.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
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
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "client.h"
#include "observe.h"
#include "records.h"
#include "protocol.h"
#include "scratch.h"

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

#define MAX_CONNECTIONS 16
#define MAX_SOCKETS 4

/* A socket as this process holds it: closed once no fd refers to it. */
struct socket_ref {
    int fd;
    ino_t ino;
};

struct connection {
    int name;
    virConnectPtr conn;             /* NULL once closed */
    int callback_id;                /* domain events, or -1 */
    struct socket_ref sockets[MAX_SOCKETS];   /* those its open created */
    int nsockets;
};

static struct connection conns[MAX_CONNECTIONS];
static int nconns;

static void silent(void *opaque, virErrorPtr err)
{
    (void)opaque;
    (void)err;
}

static int find(int name)
{
    for (int i = 0; i < nconns; i++)
        if (conns[i].name == name && conns[i].conn)
            return i;
    return -1;
}

/* The sockets open at one moment, as fd and inode (refs malloc'd). */
struct socket_scan {
    struct socket_ref *refs;
    int n, cap;
};

static void scan_add(struct socket_scan *s, int fd)
{
    struct stat sb;

    if (fstat(fd, &sb) != 0 || !S_ISSOCK(sb.st_mode))
        return;
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 64;
        struct socket_ref *r = realloc(s->refs, (size_t)cap * sizeof(*r));
        if (!r)
            return;
        s->refs = r;
        s->cap = cap;
    }
    s->refs[s->n++] = (struct socket_ref){ fd, sb.st_ino };
}

/* The sockets this process holds, every one of them: /proc/self/fd lists
 * each open fd whatever its number (a process may hold thousands, and a
 * scan of the first 1024 missed a connection's socket); where /proc is not
 * mounted, every fd below the limit is tried. */
static struct socket_scan socket_fds(void)
{
    struct socket_scan s = { NULL, 0, 0 };
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;

    if (!d) {
        struct rlimit rl;
        long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ?
                   (long)rl.rlim_cur : sysconf(_SC_OPEN_MAX);
        for (long fd = 0; fd < max && fd <= INT_MAX; fd++)
            scan_add(&s, (int)fd);
        return s;
    }
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
            scan_add(&s, atoi(e->d_name));
    closedir(d);
    return s;
}

static bool scan_has(const struct socket_scan *s, struct socket_ref ref)
{
    for (int i = 0; i < s->n; i++)
        if (s->refs[i].fd == ref.fd && s->refs[i].ino == ref.ino)
            return true;
    return false;
}

/* Remember the sockets virConnectOpen() created: those open after it that
 * were not before.  Only the loop thread opens fds while a step runs. */
static void note_sockets(struct connection *c, struct socket_scan *before)
{
    struct socket_scan after = socket_fds();

    for (int i = 0; i < after.n && c->nsockets < MAX_SOCKETS; i++)
        if (!scan_has(before, after.refs[i]))
            c->sockets[c->nsockets++] = after.refs[i];
    free(after.refs);
    free(before->refs);
}

int client_released(int name, char *got, size_t len)
{
    struct stat sb;

    for (int i = 0; i < nconns; i++) {
        if (conns[i].name != name)
            continue;
        for (int k = 0; k < conns[i].nsockets; k++) {
            const struct socket_ref *s = &conns[i].sockets[k];
            if (fstat(s->fd, &sb) == 0 && S_ISSOCK(sb.st_mode) && sb.st_ino == s->ino) {
                snprintf(got, len, "its socket (fd %d) is still open%s", s->fd,
                         conns[i].conn ? ", and the connection too" : "");
                return 0;
            }
        }
        if (conns[i].nsockets == 0) {
            snprintf(got, len, "'expect released' needs a daemon's connection: %s opened "
                     "no socket", state_name(name));
            return -1;
        }
        return 1;
    }
    snprintf(got, len, "'expect released' before %s was connected", state_name(name));
    return -1;
}

static const char *last_error(void)
{
    virErrorPtr e = virGetLastError();
    return e && e->message ? e->message : "unknown error";
}

/* libvirt refused a client step: with a loop that keeps the contract it
 * does not (libvirt needs the loop's adds to succeed), so this is the
 * loop's failure, under the scenario's rules, and the script stops. */
static void refused(const struct step *st, const char *what)
{
    check_fail(scn.sc->level, scn.sc->rules, "line %d: '%s': %s: %s", st->line, st->text,
               what, last_error());
    scn.loop.stopped = true;
}

/* A client step the run made impossible: a connection gone, a daemon
 * stopped, when a step scheduled at a time or attached to a callback came.
 * The script's order is right as written (client-order.c checks it before
 * the run), so what the loop did made it so: the loop's failure, under the
 * scenario's rules, and the script stops. */
static void out_of_order(const struct step *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void out_of_order(const struct step *st, const char *fmt, ...)
{
    char what[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    check_fail(scn.sc->level, scn.sc->rules, "line %d: '%s': %s when the step came",
               st->line, st->text, what);
    scn.loop.stopped = true;
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail,
                        void *opaque)
{
    int name = ((struct cookie *)opaque)->name;

    (void)conn;
    sim_trace("event", "%s: domain %s %s (detail %d)", state_name(name),
              virDomainGetName(dom), scenario_event_name(event), detail);
    check_record_event(name, event);
    return 0;
}

/* The test driver's smallest domain, named DOMAIN. */
static const char *domain_xml(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "<domain type='test'><name>%s</name><memory>8192</memory>"
             "<os><type>hvm</type></os></domain>", name);
    return buf;
}

static void domain_step(const struct step *st, virConnectPtr conn)
{
    char xml[512];
    virDomainPtr dom = st->kind == S_DEFINE_DOMAIN ?
        virDomainDefineXML(conn, domain_xml(st->str, xml, sizeof(xml))) :
        virDomainLookupByName(conn, st->str);
    int rc = dom ? 0 : -1;

    if (dom && st->kind == S_START_DOMAIN)
        rc = virDomainCreate(dom);
    else if (dom && st->kind == S_DESTROY_DOMAIN)
        rc = virDomainDestroy(dom);
    else if (dom && st->kind == S_UNDEFINE_DOMAIN)
        rc = virDomainUndefine(dom);
    if (rc < 0)
        refused(st, "libvirt refused it");
    if (dom)
        virDomainFree(dom);
}

static void on_close(virConnectPtr conn, int reason, void *opaque)
{
    int name = ((struct cookie *)opaque)->name;

    (void)conn;
    sim_trace("closed", "%s: %s", state_name(name), scenario_close_reason_name(reason));
    check_record_close(name, reason);
}

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
    char path[128];
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

void client_prepare(const struct scenario *sc)
{
    for (int i = 0; i < sc->nsteps; i++)
        if (sc->steps[i].kind == S_DAEMON) {
            scratch_prepare();
            return;
        }
}

void client_remove_scratch(int pid)
{
    scratch_remove(pid);
}

static void daemon_step(const struct step *st)
{
    struct daemon *d = find_daemon(st->name);

    if (st->kind == S_DAEMON) {
        if (d)
            out_of_order(st, "'%s' is already started", state_name(st->name));
        else
            start_daemon(st);
        return;
    }
    if (!d || d->pid <= 0) {
        out_of_order(st, "'%s' is not running", state_name(st->name));
        return;
    }
    if (st->kind == S_STOP_DAEMON)
        stop_daemon(d);
    else
        kill(d->pid, st->kind == S_PAUSE_DAEMON ? SIGSTOP : SIGCONT);
}

/* The URI a connect step names: daemon:D is D's test driver. */
static const char *connect_uri(const struct step *st, char *buf, size_t len)
{
    struct daemon *d = st->fd_name >= 0 ? find_daemon(st->fd_name) : NULL;

    if (st->fd_name < 0)
        return st->str;
    if (!d)
        return NULL;
    snprintf(buf, len, "test+unix:///default?socket=%s/sock/libvirt-sock", d->dir);
    return buf;
}

/* The connection step st asks for: a new one, under st's name. */
static void connect_step(const struct step *st)
{
    struct socket_scan before;
    virConnectPtr conn;
    char buf[160];
    const char *uri = connect_uri(st, buf, sizeof(buf));

    if (find(st->name) >= 0) {
        out_of_order(st, "'%s' is already connected", state_name(st->name));
        return;
    }
    if (nconns == MAX_CONNECTIONS) {
        check_scenario_error(st, "more than %d connections", MAX_CONNECTIONS);
        return;
    }
    if (!uri) {
        out_of_order(st, "no daemon for %s", st->str);
        return;
    }
    /* libvirt writes to its sockets with write(2) and leaves SIGPIPE
     * alone: an application with a remote connection must ignore it, or
     * die when its daemon does (embedded Python already ignores it). */
    if (st->fd_name >= 0)
        signal(SIGPIPE, SIG_IGN);
    before = socket_fds();
    if (!(conn = virConnectOpen(uri))) {
        free(before.refs);
        refused(st, "cannot connect");
        return;
    }
    conns[nconns] = (struct connection){ .name = st->name, .conn = conn,
                                         .callback_id = -1 };
    note_sockets(&conns[nconns++], &before);
}

/* As an application does: a close callback holds a reference. */
static void close_connection(const struct step *st, struct connection *c)
{
    int refs;

    if (c->callback_id >= 0)
        virConnectDomainEventDeregisterAny(c->conn, c->callback_id);
    virConnectUnregisterCloseCallback(c->conn, on_close);
    refs = virConnectClose(c->conn);
    sim_trace("client", "%s closed, %d references left", state_name(st->name), refs);
    c->conn = NULL;
}

/* A step on an open connection. */
static void connection_step(const struct step *st)
{
    int i = find(st->name);

    if (i < 0) {
        out_of_order(st, "'%s' is not connected", state_name(st->name));
        return;
    }
    switch (st->kind) {
    case S_DOMAIN_EVENTS:
        conns[i].callback_id = virConnectDomainEventRegisterAny(
            conns[i].conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
            VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), &scn.cookies[st->name], NULL);
        if (conns[i].callback_id < 0)
            refused(st, "cannot register for domain events");
        break;
    case S_KEEPALIVE:
        if (virConnectSetKeepAlive(conns[i].conn, (int)st->arg, (unsigned)st->literal_id) < 0)
            refused(st, "keepalive refused");
        break;
    case S_CLOSE_CALLBACK:
        if (virConnectRegisterCloseCallback(conns[i].conn, on_close,
                                            &scn.cookies[st->name], NULL) < 0)
            refused(st, "cannot register a close callback");
        break;
    case S_CLOSE_CONNECTION:
        close_connection(st, &conns[i]);
        break;
    default:
        domain_step(st, conns[i].conn);
        break;
    }
}

/* In real time, the scenario's clock starts when its set-up is done: the
 * last of the steps that open the script (daemons accepting connections,
 * connections open: scenario_setup_end()) has run.  A daemon's start takes
 * real time no loop is responsible for (87 ms was seen on a loaded
 * machine), and timers, 'at' steps and expected times count from the
 * moment the loop has its work, not from before (R20 judges lateness). */
static void start_clock_after_setup(const struct step *st)
{
    const struct scenario *sc = scn.sc;
    long index = st - sc->steps;

    if (!sc->realtime || scn.loop.stopped || index < 0 || index >= sc->nsteps ||
        index + 1 != scenario_setup_end(sc))
        return;
    sim_restart_clock();
    sim_trace("clock", "set-up done: the scenario's clock starts now");
}

void client_step(const struct step *st)
{
    static const enum step_kind daemon_kinds[] = {
        S_DAEMON, S_STOP_DAEMON, S_PAUSE_DAEMON, S_RESUME_DAEMON,
    };
    bool daemon = false;

    for (size_t k = 0; k < sizeof(daemon_kinds) / sizeof(daemon_kinds[0]); k++)
        daemon |= st->kind == daemon_kinds[k];
    sim_trace("client", "%s", st->text);
    virSetErrorFunc(NULL, silent);
    if (daemon)
        daemon_step(st);
    else if (st->kind == S_CONNECT)
        connect_step(st);
    else
        connection_step(st);
    start_clock_after_setup(st);
}

void client_close_all(void)
{
    for (int i = 0; i < nconns; i++)
        if (conns[i].conn) {
            if (conns[i].callback_id >= 0)
                virConnectDomainEventDeregisterAny(conns[i].conn, conns[i].callback_id);
            virConnectUnregisterCloseCallback(conns[i].conn, on_close);
            virConnectClose(conns[i].conn);
            conns[i].conn = NULL;
        }
}

void client_stop_daemons(void)
{
    for (int i = 0; i < ndaemons; i++) {
        stop_daemon(&daemons[i]);
        scratch_remove_daemon(daemons[i].dir_name);
    }
    ndaemons = 0;
}
