/*
 * shared-ids.c - keeps every rule, with one id counter for both kinds,
 * starting at 2^30.
 *
 * - R4 asks for ids >= 1 (a failed add returns -1), R5 for live ids unique
 *   per kind and never reused: one counter over handles and timers keeps
 *   both, and no number ever names a handle and a timer at once.
 * - R6 asks for separate namespaces "or at least a call with an id of the
 *   other kind is harmless": here a timer's id is unknown to the handle
 *   operations (remove returns -1, update does nothing), and the other
 *   way round.
 * - Ids are large: 1073741824 and up.  Nothing in the contract bounds them.
 * A suite that expects the first handle and the first timer to share an
 * id, small ids, or ids counted per kind, fails this loop wrongly.
 */
#include <stdatomic.h>

#include "wrap.h"

#define FIRST_ID (1 << 30)

static atomic_int next_id = FIRST_ID;

/* The user's id for a new registration, taken before the reference can
 * dispatch it (wrap.h); the reference's own id is never shown.  A failed
 * add returns -1 and its number is simply skipped (R4, R5). */
static int user_id(bool timer)
{
    (void)timer;
    return atomic_fetch_add(&next_id, 1);
}

/* An id this loop never gave for that kind names nothing: the reference's
 * small ids must not be reachable through it (R7, R8). */
static void update_handle(int watch, int events)
{
    if (watch >= FIRST_ID && wrap_find(watch, false))
        wrap_update_handle(watch, events);
}

static int remove_handle(int watch)
{
    return watch >= FIRST_ID && wrap_find(watch, false) ?
           wrap_remove_handle(watch) : -1;
}

static void update_timeout(int timer, int ms)
{
    if (timer >= FIRST_ID && wrap_find(timer, true))
        wrap_update_timeout(timer, ms);
}

static int remove_timeout(int timer)
{
    return timer >= FIRST_ID && wrap_find(timer, true) ?
           wrap_remove_timeout(timer) : -1;
}

const struct wrap_hooks wrap_hooks = {
    .name = "good: one id counter for both kinds, from 2^30 (keeps every rule)",
    .user_id = user_id,
    .update_handle = update_handle,
    .remove_handle = remove_handle,
    .update_timeout = update_timeout,
    .remove_timeout = remove_timeout,
};
