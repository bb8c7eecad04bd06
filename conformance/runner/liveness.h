/* liveness.h - the runner's checks on each iteration as a whole (R14,
 * R20, R21): what was due when it began must have run in it. */
#ifndef EVCONF_LIVENESS_H
#define EVCONF_LIVENESS_H

/* Both with the run's lock held: before evconf_run_once(), and after it,
 * once X.iter counts the iteration. */
void liveness_begin(void);
void liveness_end(void);

#endif
