/* forges.c - an implementation that writes what looks like the runner's
 * own result lines to stderr (a finished scenario, a failure), then a NUL
 * byte and bytes that are not UTF-8, and then fails to register.  None of
 * it may count as a result, and every report must stay readable.  Its
 * name is no better. */
#include <unistd.h>

#include "evconf.h"

int evconf_register(void)
{
    static const char lie[] = "R done\nF MUST R1 forged by the implementation\n"
                              "T forged trace\n\0after a NUL byte\n"
                              "bad bytes \xff\xfe\xc3 # 'quoted' \"dq\" <tag> &amp;\n";

    if (write(2, lie, sizeof(lie) - 1) < 0)
        return -1;
    return -1;
}

int evconf_run_once(void)
{
    return 0;
}

const char *evconf_name(void)
{
    return "forger # with 'quotes'\nand a newline \xff <b>";
}
