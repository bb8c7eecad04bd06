/*
 * ops.c - the six operations on the loop under test (prefix ops_):
 * virEventAddHandle, virEventUpdateHandle, virEventRemoveHandle and their
 * timeout twins, called as a step says, with the registration's state
 * (state.h, struct reg_op) recorded around each call.
 *
 * Each call is marked on this thread's stack (ops_enter), so that a
 * callback the loop makes from inside it is seen (R27, R35).  What the
 * loop then does with a registration is observe.c's to check; when a step
 * runs is script.c's.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include <libvirt/libvirt.h>

#include "blame.h"
#include "observe.h"
#include "records.h"
#include "ops.h"
#include "words.h"


void ops_enter(const char *op)
{
    blame_op_begins();
    op_on_stack = op;
    sim_op_enter(op);
}

void ops_leave(void)
{
    op_on_stack = NULL;
    sim_op_leave();
}

void ops_anchor(struct anchor_point *a)
{
    a->set = true;
    a->iter = scn.loop.iter;
    a->ns = sim_now_ns();
    a->seq = atomic_fetch_add(&scn.seen.seq, 1) + 1;
}

/* The id a step names: a registration's, or a literal.  -1000000 when the
 * named registration was never added (then the call is still made, with an
 * id that cannot exist). */
int ops_target_id(const struct step *st)
{
    if (st->name < 0)
        return st->literal_id;
    return scn.regs[st->name].op.added ? scn.regs[st->name].op.id : -1000000;
}

/* The registration of this kind that is live with this id, if any. */
int ops_live_by_id(enum name_kind kind, int id)
{
    for (int i = 0; i < scn.sc->nnames; i++)
        if (scn.sc->kinds[i] == kind && scn.regs[i].op.added &&
            !scn.regs[i].op.removed && scn.regs[i].op.id == id)
            return i;
    return -1;
}

/* In real time the loop reads its clock somewhere inside the call that
 * arms a timer, and a loaded machine may hold the call up at any point:
 * the latest start of the period the contract allows (what liveness.c
 * owes the timer from) is the call's return, unless a fire restarted it
 * meanwhile.  In virtual time the two are the same moment. */
static void restart_after_call(struct reg *r, int64_t armed_ns)
{
    pthread_mutex_lock(&scn.lock);
    if (sim_realtime() && r->op.restart_ns == armed_ns)
        r->op.restart_ns = sim_now_ns();
    pthread_mutex_unlock(&scn.lock);
}

/* The add itself: alloc-fails=each fails each allocation of the add in
 * turn, one per attempt, until an attempt needs fewer and succeeds.
 * Every attempt has this name's opaque: a callback or free callback that
 * a failed attempt left behind shows up as one for a name not yet added,
 * added with another id, or freed twice.  The id it returned. */
static int add_attempts(const struct step *st, int fd, void *opaque, virFreeCallback ff)
{
    bool handle = st->kind == S_ADD_HANDLE;
    int id;

    for (int k = st->alloc_fails == ALLOC_FAILS_EACH ? 1 : st->alloc_fails; ; k++) {
        ops_enter(words_trace(st->kind));
        sim_fail_alloc(k);
        if (handle)
            id = virEventAddHandle(fd, (int)st->arg, check_handle_cb, opaque, ff);
        else
            id = virEventAddTimeout((int)st->arg, check_timer_cb, opaque, ff);
        sim_fail_alloc(0);
        ops_leave();
        if (id >= 0 || st->alloc_fails != ALLOC_FAILS_EACH || k == ALLOC_FAILS_EACH_MAX)
            return id;
        sim_trace("op", "%s %s => %d (allocation %d failed)", words_trace(st->kind),
                  state_name(st->name), id, k);
    }
}

void ops_add(const struct step *st)
{
    struct reg *r = &scn.regs[st->name];
    bool handle = st->kind == S_ADD_HANDLE;
    void *opaque = st->opaque_null ? NULL : &scn.cookies[st->name];
    virFreeCallback ff = st->ff_none ? NULL : check_ff;
    int64_t armed_ns = sim_now_ns();
    int fd = -1, id;

    if (r->op.add_tried) {
        check_step_again(st);
        return;
    }
    r->op.add_tried = true;
    if (handle)
        fd = st->fd_name >= 0 ? scn.regs[st->fd_name].file.fd.fd : st->fd_literal;
    pthread_mutex_lock(&scn.lock);
    r->file.fd_num = fd;
    r->op.fd_name = handle ? st->fd_name : -1;
    r->op.events = handle ? (int)st->arg : 0;
    r->op.timeout = handle ? 0 : (int)st->arg;
    r->op.has_ff = ff != NULL;
    r->op.null_opaque = opaque == NULL;
    r->op.changed_iter = scn.loop.in_iteration ? scn.loop.iter : -1;
    r->op.enabled_iter = callback_depth > 0 && (handle ? st->arg != 0 : st->arg >= 0) ?
                      scn.loop.iter : -1;
    r->op.enabled_by_add = true;
    r->op.armed_ns = r->op.restart_ns = armed_ns;
    r->op.armed_by_fire = false;
    if (!scn.loop.opening_added) {
        scn.loop.opening_added = true;
        scn.loop.opening_late_ns = sim_late_ns();
    }
    pthread_mutex_unlock(&scn.lock);

    id = add_attempts(st, fd, opaque, ff);
    restart_after_call(r, armed_ns);

    pthread_mutex_lock(&scn.lock);
    r->op.id = id;
    r->op.added = id >= 0;
    r->op.add_failed = id < 0;
    ops_anchor(&r->op.add_at);
    pthread_mutex_unlock(&scn.lock);
    sim_trace("op", "%s %s => %d", words_trace(st->kind), state_name(st->name), id);
    check_new_id(st, id);
}

void ops_update(const struct step *st)
{
    bool handle = st->kind == S_UPDATE_HANDLE;
    int id = ops_target_id(st);
    int target = ops_live_by_id(handle ? NAME_HANDLE : NAME_TIMER, id);
    int64_t armed_ns = sim_now_ns();

    /* Record the new state before the call: a loop may dispatch on another
     * thread the moment it has it. */
    pthread_mutex_lock(&scn.lock);
    if (target >= 0) {
        struct reg *r = &scn.regs[target];
        bool was_off = handle ? r->op.events == 0 : r->op.timeout < 0;
        bool now_on = handle ? st->arg != 0 : st->arg >= 0;
        if (callback_depth > 0 && was_off && now_on) {
            r->op.enabled_iter = scn.loop.iter;
            r->op.enabled_by_add = false;
        }
        if (handle)
            r->op.events = (int)st->arg;
        else
            r->op.timeout = (int)st->arg;
        r->op.armed_ns = r->op.restart_ns = armed_ns;
        r->op.armed_by_fire = false;
        r->op.changed_iter = scn.loop.in_iteration ? scn.loop.iter : -1;
        ops_anchor(&r->op.update_at);
    }
    pthread_mutex_unlock(&scn.lock);
    ops_enter(words_trace(st->kind));
    if (handle)
        virEventUpdateHandle(id, (int)st->arg);
    else
        virEventUpdateTimeout(id, (int)st->arg);
    ops_leave();
    if (target >= 0)
        restart_after_call(&scn.regs[target], armed_ns);
    sim_trace("op", "%s %s %lld", words_trace(st->kind),
              st->name >= 0 ? state_name(st->name) : "#", (long long)st->arg);
}

void ops_remove(const struct step *st)
{
    bool handle = st->kind == S_REMOVE_HANDLE;
    int id = ops_target_id(st);
    int target = ops_live_by_id(handle ? NAME_HANDLE : NAME_TIMER, id);
    int rc;

    pthread_mutex_lock(&scn.lock);
    if (target >= 0)
        scn.regs[target].op.removing = true;
    pthread_mutex_unlock(&scn.lock);
    ops_enter(words_trace(st->kind));
    rc = handle ? virEventRemoveHandle(id) : virEventRemoveTimeout(id);
    ops_leave();
    pthread_mutex_lock(&scn.lock);
    if (target >= 0) {
        scn.regs[target].op.removing = false;
        if (rc == 0) {
            scn.regs[target].op.removed = true;
            ops_anchor(&scn.regs[target].op.remove_at);
        }
    }
    pthread_mutex_unlock(&scn.lock);
    sim_trace("op", "%s %s => %d", words_trace(st->kind),
              st->name >= 0 ? state_name(st->name) : "#", rc);
    check_remove_rc(st, target, rc);
    pthread_mutex_lock(&scn.lock);
    if (handle && target >= 0)
        check_fd_kept(target, "after remove-handle");
    pthread_mutex_unlock(&scn.lock);
}

