/* suites.h - sim's test suites. */
#ifndef EVSIM_TEST_SUITES_H
#define EVSIM_TEST_SUITES_H

#include <check.h>

Suite *clock_suite(void);        /* hour-long timers in virtual time */
Suite *determinism_suite(void);  /* same seed, same trace, any process */
Suite *detect_suite(void);       /* idle and spin detectors */
Suite *threads_suite(void);      /* cross-thread actions and wake-up */
Suite *fds_suite(void);          /* the scripted fd layer */
Suite *interpose_suite(void);    /* every interposed function */
Suite *faketime_suite(void);     /* real time under libfaketime */
Suite *timerfd_suite(void);      /* timerfds in virtual time */

#endif
