/* iterate.h - one iteration of the loop under test and its checks
 * (iterate.c; prefix iter_). */
#ifndef EVCONF_ITERATE_H
#define EVCONF_ITERATE_H

/* Run one iteration (evconf_run_once) and check what it left behind. */
void iter_once(void);
/* Make the k-th allocation of the iterations to come fail (0: none). */
void iter_fail_allocations(int k);
/* Report the sim's verdict (spin, idle, missed wake-up) once. */
void iter_verdict_check(void);
/* For sim_on_failed_wait(): end the scenario after a failed wait. */
void iter_end_after_failed_wait(void);

#endif
