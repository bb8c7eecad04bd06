/* suites.h - one Check suite per group of contract rules. */
#ifndef EVREF_TEST_SUITES_H
#define EVREF_TEST_SUITES_H

#include <check.h>

Suite *ids_suite(void);        /* R4-R9: ids, return values, disabled */
Suite *handles_suite(void);    /* R10-R19: masks, hangup, shared fds */
Suite *timers_suite(void);     /* R20-R26: periods and transitions */
Suite *dispatch_suite(void);   /* R27-R33: changes during dispatch */
Suite *free_suite(void);       /* R34-R41: free callbacks */
Suite *threads_suite(void);    /* R42-R45: threads and wake-up */
Suite *register_suite(void);   /* R1-R3: registration with libvirt */
Suite *internals_suite(void);  /* heap, tables, failures of the system */

#endif
