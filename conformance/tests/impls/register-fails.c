/* register-fails.c - an implementation whose registration fails. */
#include "evconf.h"

int evconf_register(void)
{
    return -1;
}

int evconf_run_once(void)
{
    return 0;
}
