/*
 * state.c - the one scenario run of this process (prefix state_): the
 * global scn and the state of each thread that state.h declares, and the
 * text of a name.  Nothing here changes them: each part's owner does
 * (state.h lists them).
 */
#include <pthread.h>

#include "state.h"

struct run scn;

_Thread_local const char *op_on_stack;
_Thread_local int callback_depth;
_Thread_local const struct step *step_on_stack;
_Thread_local const char *cb_kind_on_stack;
_Thread_local int cb_name_on_stack = -1;
_Thread_local const char *cb_inside_op;

const char *state_name(int name)
{
    return name >= 0 ? scn.sc->names[name] : "?";
}

/* A wait-fails step failed this iteration's wait: what the iteration does
 * next is R2's to judge (a wait cut short ends the wait, not the loop),
 * whatever rules the scenario's header lists (a generated program's list
 * every rule any of its lines may touch). */
bool state_wait_failed_now(void)
{
    bool now;

    pthread_mutex_lock(&scn.lock);
    now = scn.loop.wait_failed_iter == scn.loop.iter;
    pthread_mutex_unlock(&scn.lock);
    return now;
}
