/* exits.c - an implementation that calls exit() in the middle of a
 * scenario. */
#include <stdlib.h>

#include "evconf.h"

int evconf_register(void)
{
    return 0;
}

int evconf_run_once(void)
{
    exit(7);
}
