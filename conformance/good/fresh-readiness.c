/*
 * fresh-readiness.c - keeps every rule, and asks the kernel again just
 * before it calls each watch.
 *
 * The wait says which watches may be ready; before each call this loop
 * polls that watch's fd once more, with timeout 0, and passes what it
 * finds now, cut to the watch's events plus ERROR and HANGUP (R11, R12).
 * A watch whose data an earlier callback of the same iteration consumed is
 * then not called: the condition no longer holds, and R14 asks for a call
 * only while it does.  A fd closed behind the loop's back reads as NVAL,
 * passed on as ERROR (R18).  Nothing is called that the wait did not
 * find, so what was added or enabled during dispatch still waits for the
 * next iteration (R30).  A suite that expects the stale result of the
 * wait to be delivered fails this loop wrongly.
 */
#include "wrap.h"

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    int mask = wrap_ready_mask(fd, w->events);

    (void)events;
    if (mask)
        wrap_call_handle(w, fd, mask);
}

const struct wrap_hooks wrap_hooks = {
    .name = "good: each watch's readiness read again just before its call "
            "(keeps every rule)",
    .handle_dispatch = handle_dispatch,
};
