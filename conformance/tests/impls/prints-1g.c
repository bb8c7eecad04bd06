/* prints-1g.c - libvirt's own loop, which writes 1 GiB to stdout in its
 * first iteration, as fast as the pipe takes it.  A loop that is busy
 * printing is not hung: the runner must drain its output as fast as a
 * pipe moves it, keep the end of it, and judge the scenario on what the
 * loop did. */
#include <string.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

#include "evconf.h"

int evconf_register(void)
{
    return virEventRegisterDefaultImpl();
}

int evconf_run_once(void)
{
    static int printed;
    static char chunk[1 << 20];

    if (!printed++) {
        memset(chunk, 'x', sizeof(chunk));
        chunk[sizeof(chunk) - 1] = '\n';
        for (int i = 0; i < 1024; i++)
            for (size_t off = 0; off < sizeof(chunk); ) {
                ssize_t n = write(1, chunk + off, sizeof(chunk) - off);
                if (n < 0)
                    return -1;
                off += (size_t)n;
            }
        /* Last, and once: the runner must keep it, last. */
        if (write(1, "the-end\n", 8) != 8)
            return -1;
    }
    return virEventRunDefaultImpl();
}
