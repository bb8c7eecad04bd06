/* crash.c - an implementation that dies of SIGSEGV in its first iteration. */
#include <signal.h>

#include "evconf.h"

int evconf_register(void)
{
    return 0;
}

int evconf_run_once(void)
{
    raise(SIGSEGV);
    return 0;
}
