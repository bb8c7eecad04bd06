/* lingers.c - libvirt's own loop, whose registration first leaves a
 * helper behind in a session of its own that holds every fd the scenario
 * process had (it never execs) for 20 s, and writes the helper's pid to
 * the file named by EVCONF_TEST_PIDFILE.  Whatever it holds, a runner
 * killed outright must leave nothing of its private libvirtd. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

#include "evconf.h"

int evconf_register(void)
{
    pid_t pid = fork();

    if (pid == 0) {
        setsid();
        sleep(20);
        _exit(0);
    }
    if (pid > 0 && getenv("EVCONF_TEST_PIDFILE")) {
        FILE *f = fopen(getenv("EVCONF_TEST_PIDFILE"), "a");
        if (f) {
            fprintf(f, "%d\n", (int)pid);
            fclose(f);
        }
    }
    return virEventRegisterDefaultImpl();
}

int evconf_run_once(void)
{
    return virEventRunDefaultImpl();
}
