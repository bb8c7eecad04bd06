/* ctor-blocks.c - a shared object whose constructor never returns: loading
 * it blocks.  The runner must give up on it within its timeout. */
#include <pthread.h>

#include "evconf.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

__attribute__((constructor)) static void block(void)
{
    pthread_mutex_lock(&lock);
    pthread_mutex_lock(&lock);
}

int evconf_register(void)
{
    return 0;
}

int evconf_run_once(void)
{
    return 0;
}
