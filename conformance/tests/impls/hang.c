/* hang.c - an implementation whose iteration never returns, in a way no
 * virtual clock can see (a deadlock on its own mutex).  With
 * EVCONF_TEST_PIDFILE set, it first appends its pid to that file. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "evconf.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int evconf_register(void)
{
    return 0;
}

int evconf_run_once(void)
{
    const char *pidfile = getenv("EVCONF_TEST_PIDFILE");
    FILE *f = pidfile ? fopen(pidfile, "a") : NULL;

    if (f) {
        fprintf(f, "%d\n", (int)getpid());
        fclose(f);
    }
    pthread_mutex_lock(&lock);
    pthread_mutex_lock(&lock);      /* non-recursive: blocks forever */
    return 0;
}
