/*
 * failure-wakes-all.c - keeps every rule, and reports a hang-up or an
 * error together with every direction the watch asked for.
 *
 * libevent's poll and select backends turn POLLHUP and POLLERR into
 * "readable and writable", and select(2) itself folds a hang-up into
 * "readable": an integration over them learns of a dead peer as READABLE
 * (and WRITABLE) besides HANGUP or ERROR.  R12 bounds a call's mask by
 * what the watch requested plus ERROR and HANGUP, and these bits are
 * requested; R11 and R13 still get HANGUP/ERROR, in one call.  A watch at
 * events 0 gets nothing (R10).  A suite that expects a hung-up watch's
 * mask to be exactly HANGUP (or the kernel's bits) fails this loop
 * wrongly.
 */
#include "wrap.h"

#define FAILURE (VIR_EVENT_HANDLE_HANGUP | VIR_EVENT_HANDLE_ERROR)
#define DIRECTIONS (VIR_EVENT_HANDLE_READABLE | VIR_EVENT_HANDLE_WRITABLE)

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    if (events & FAILURE)
        events |= w->events & DIRECTIONS;
    wrap_call_handle(w, fd, events);
}

const struct wrap_hooks wrap_hooks = {
    .name = "good: a hang-up or error also reports the directions asked "
            "for (keeps every rule)",
    .handle_dispatch = handle_dispatch,
};
