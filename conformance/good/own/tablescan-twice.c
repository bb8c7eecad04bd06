/*
 * tablescan-twice.c - keeps every rule: tablescan.c, which looks for due
 * timers a second time once the watches' callbacks have run.
 *
 * A watch's callback may take long enough for a timer to come due; this
 * loop fires such a timer in the same iteration instead of the next.  Only
 * timers that were already set when the wait ended qualify: one added,
 * enabled or re-timed since waits for the next iteration (R30), and a
 * 0 ms timer fires once per iteration (R21).  Nothing in R20 ties a fire
 * to an iteration; a suite that expects a timer that came due during
 * dispatch in the next iteration fails this loop wrongly.
 */
#define SECOND_TIMER_PASS 1
#define LOOP_NAME "good: tablescan, due timers looked for again after the " \
                  "watches (keeps every rule)"
#include "tablescan.c"
