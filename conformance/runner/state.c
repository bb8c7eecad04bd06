/*
 * state.c - the one scenario run of this process (prefix state_): the
 * global scn and the state of each thread that state.h declares, and the
 * text of a name.  Nothing here changes them: each part's owner does
 * (state.h lists them).
 */
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
