/*
 * client.c - a libvirt client over the loop under test (prefix client_,
 * client.h): connections, domain events and domains, the close callback,
 * keepalive, and which sockets a connection opened.  Private daemons are
 * daemon.c's; checking the events is expectations.c's.
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
#include "daemon.h"
#include "words.h"
#include "observe.h"
#include "records.h"
#include "protocol.h"
#include "scratch.h"

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
void client_out_of_order(const struct step *st, const char *fmt, ...)
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

/* The URI a connect step names: daemon:D is D's test driver. */
static const char *connect_uri(const struct step *st, char *buf, size_t len)
{
    const char *dir = st->fd_name >= 0 ? daemon_dir(st->fd_name) : NULL;

    if (st->fd_name < 0)
        return st->str;
    if (!dir)
        return NULL;
    snprintf(buf, len, "test+unix:///default?socket=%s/sock/libvirt-sock", dir);
    return buf;
}

/* The connection step st asks for: a new one, under st's name. */
static void connect_step(const struct step *st)
{
    struct socket_scan before;
    virConnectPtr conn;
    char buf[200];
    const char *uri = connect_uri(st, buf, sizeof(buf));

    if (find(st->name) >= 0) {
        client_out_of_order(st, "'%s' is already connected", state_name(st->name));
        return;
    }
    if (nconns == MAX_CONNECTIONS) {
        check_scenario_error(st, "more than %d connections", MAX_CONNECTIONS);
        return;
    }
    if (!uri) {
        client_out_of_order(st, "no daemon for %s", st->str);
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
        client_out_of_order(st, "'%s' is not connected", state_name(st->name));
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
    bool daemon = words_class(st->kind) == WORD_DAEMON;

    if (st == scn.sc->steps && scn.sc->realtime && scenario_setup_end(scn.sc) > 0)
        sim_hold_events();      /* 'at' steps count from the set-up's end */
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
    daemon_stop_all();
}
