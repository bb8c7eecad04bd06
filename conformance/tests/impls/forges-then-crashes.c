/* forges-then-crashes.c - an implementation that says on stderr that the
 * scenario is done and then dies: a crash, whatever it printed. */
#include <signal.h>
#include <unistd.h>

#include "evconf.h"

int evconf_register(void)
{
    return 0;
}

int evconf_run_once(void)
{
    static const char lie[] = "R done\n";

    if (write(2, lie, sizeof(lie) - 1) < 0)
        return -1;
    raise(SIGSEGV);
    return 0;
}
