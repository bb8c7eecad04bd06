/*
 * r13-split-delivery.c - breaks R13: each pending bit is delivered in a call
 * of its own (READABLE, then HANGUP, ...).  Nothing is lost, and delivery
 * stops once the callback removes or disables its watch, but libvirt's
 * server expects READABLE and HANGUP together on a disconnect: it closes on
 * the HANGUP call before reading the rest.
 */
#include "wrap.h"

#define ALWAYS (VIR_EVENT_HANDLE_HANGUP | VIR_EVENT_HANDLE_ERROR)

static void handle_dispatch(struct wrec *w, int fd, int events)
{
    for (int bit = 1; bit <= VIR_EVENT_HANDLE_HANGUP; bit <<= 1) {
        if (!(events & bit))
            continue;
        if (w->removed || !w->events || !(bit & (w->events | ALWAYS)))
            continue;
        wrap_call_handle(w, fd, bit);
    }
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: split-delivery (breaks R13)",
    .handle_dispatch = handle_dispatch,
};
