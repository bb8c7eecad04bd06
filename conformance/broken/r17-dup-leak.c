/*
 * r17-dup-leak.c - breaks R17: each callback is handed the watch's fd, but
 * the loop first dup()s it "to be safe" and never closes the copy.  One
 * descriptor leaks per callback; the daemon runs out of them.
 */
#include <unistd.h>

#include "wrap.h"

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    (void)dup(fd);
    wrap_call_handle(w, fd, events);
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: dup-leak (breaks R17)",
    .handle_dispatch = handle_dispatch,
};
