/*
 * tablescan-quiet.c - keeps every rule: tablescan.c, which wakes a
 * blocked loop only for a change R43 says it needs before its wait ends.
 *
 * R43: "Only a change the loop needs before its current wait would end
 * must wake it, judged on the state when it is made": a watch that gains
 * events its fd is ready for, the remove of a registration with a free
 * callback, a timer set to N (this loop wakes for any enabled timer, a
 * superset).  Nothing else wakes it: a disabling, a remove without a free
 * callback, an unknown id, a watch on a fd with nothing to report (it is
 * polled from the next wait on).  A suite that expects a wake-up for one
 * of those fails this loop wrongly.
 */
#define QUIET_WAKES 1
#define LOOP_NAME "good: tablescan, waking only when R43 requires it " \
                  "(keeps every rule)"
#include "tablescan.c"
