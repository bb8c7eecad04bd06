/* nosym.c - a shared object that is not an implementation: it exports
 * evconf_run_once but not evconf_register. */
#include "evconf.h"

int evconf_run_once(void)
{
    return 0;
}
