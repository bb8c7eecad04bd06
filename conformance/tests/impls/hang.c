/* hang.c - an implementation whose iteration never returns, in a way no
 * virtual clock can see (a deadlock on its own mutex). */
#include <pthread.h>

#include "evconf.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int evconf_register(void)
{
    return 0;
}

int evconf_run_once(void)
{
    pthread_mutex_lock(&lock);
    pthread_mutex_lock(&lock);      /* non-recursive: blocks forever */
    return 0;
}
