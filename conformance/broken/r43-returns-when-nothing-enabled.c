/*
 * r43-returns-when-nothing-enabled.c - breaks R43: an iteration with no
 * registration enabled returns at once instead of waiting, as libevent's
 * event_base_loop(EVLOOP_ONCE) does without EVLOOP_NO_EXIT_ON_EMPTY and
 * libuv's uv_run() does with no active handle.  The caller's loop spins
 * until another thread enables something, and the wake-up it owes that
 * thread never has a wait to end.
 */
#include "wrap.h"

static bool anything_enabled(void)
{
    for (int i = 0, n = wrap_count(); i < n; i++) {
        struct wrec *w = wrap_at(i);
        if (!w->removed && (w->timer ? w->timeout >= 0 : w->events != 0))
            return true;
    }
    return false;
}

static int run_once(void)
{
    return anything_enabled() ? wrap_run_once() : 0;
}

const struct wrap_hooks wrap_hooks = {
    .name = "broken: r43-returns-when-nothing-enabled (breaks R43)",
    .run_once = run_once,
};
