/*
 * client.c - a libvirt client over the loop under test (client.h).
 *
 * A connection is a name of the script; each domain lifecycle event its
 * callback gets is recorded as a call of that name (with the event type
 * where a handle's call has its events), so that calls, times and
 * iterations are expected as for any registration, and `expect event C
 * #K TYPE` looks at the type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "client.h"
#include "exec-internal.h"

#define MAX_CONNECTIONS 16

struct connection {
    int name;
    virConnectPtr conn;
    int callback_id;                /* domain events, or -1 */
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

static const char *last_error(void)
{
    virErrorPtr e = virGetLastError();
    return e && e->message ? e->message : "unknown error";
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail,
                        void *opaque)
{
    int name = ((struct cookie *)opaque)->name;

    (void)conn;
    sim_trace("event", "%s: domain %s %s (detail %d)", exec_reg_name(name),
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
        exec_scenario_error(st, "'%s' failed: %s", st->text, last_error());
    if (dom)
        virDomainFree(dom);
}

void client_step(const struct step *st)
{
    int i = find(st->name);

    sim_trace("client", "%s", st->text);
    virSetErrorFunc(NULL, silent);
    if (st->kind == S_CONNECT) {
        virConnectPtr conn;
        if (i >= 0 || nconns == MAX_CONNECTIONS) {
            exec_scenario_error(st, i >= 0 ? "'%s' is already connected" :
                                "more than 16 connections", exec_reg_name(st->name));
            return;
        }
        if (!(conn = virConnectOpen(st->str))) {
            exec_scenario_error(st, "cannot connect to %s: %s", st->str, last_error());
            return;
        }
        conns[nconns++] = (struct connection){ st->name, conn, -1 };
        return;
    }
    if (i < 0) {
        exec_scenario_error(st, "'%s' is not connected", exec_reg_name(st->name));
        return;
    }
    switch (st->kind) {
    case S_DOMAIN_EVENTS:
        conns[i].callback_id = virConnectDomainEventRegisterAny(
            conns[i].conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
            VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), &scn.cookies[st->name], NULL);
        if (conns[i].callback_id < 0)
            exec_scenario_error(st, "cannot register for domain events: %s", last_error());
        break;
    case S_CLOSE_CONNECTION:
        if (conns[i].callback_id >= 0)
            virConnectDomainEventDeregisterAny(conns[i].conn, conns[i].callback_id);
        virConnectClose(conns[i].conn);
        conns[i].conn = NULL;
        break;
    default:
        domain_step(st, conns[i].conn);
        break;
    }
}

void client_close_all(void)
{
    for (int i = 0; i < nconns; i++)
        if (conns[i].conn) {
            if (conns[i].callback_id >= 0)
                virConnectDomainEventDeregisterAny(conns[i].conn, conns[i].callback_id);
            virConnectClose(conns[i].conn);
            conns[i].conn = NULL;
        }
}
