/* stderr-flood.c - an implementation that writes without end to stderr
 * from its first iteration on.  The runner must keep what it needs of it,
 * not all of it, and still give a verdict. */
#include <string.h>
#include <unistd.h>

#include "evconf.h"

int evconf_register(void)
{
    return 0;
}

int evconf_run_once(void)
{
    char line[4096];

    memset(line, 'x', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\n';
    for (;;)
        if (write(2, line, sizeof(line)) < 0)
            return -1;
}
