/* escapes.c - an implementation that starts a helper in a session of its
 * own (out of the runner's reach by process group), holding the
 * scenario's stdout and stderr open, and writes the helper's pid to the
 * file named by EVCONF_TEST_PIDFILE (before it returns).  Its
 * registration then fails.  The
 * runner must not wait for the helper, and must leave it dead. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "evconf.h"

int evconf_register(void)
{
    int ready[2];
    char byte;

    if (pipe(ready) < 0)
        return -1;
    if (fork() == 0) {
        setsid();
        if (fork() == 0) {          /* a grandchild, in the new session */
            const char *pidfile = getenv("EVCONF_TEST_PIDFILE");
            FILE *f = pidfile ? fopen(pidfile, "a") : NULL;

            if (f) {
                fprintf(f, "%d\n", (int)getpid());
                fclose(f);
            }
            if (write(ready[1], "x", 1) < 0)
                _exit(1);
            execl("/bin/sleep", "sleep", "300", (char *)NULL);
            _exit(127);
        }
        _exit(0);
    }
    close(ready[1]);
    if (read(ready[0], &byte, 1) < 0)   /* the pid is written */
        byte = 0;
    close(ready[0]);
    return -1;
}

int evconf_run_once(void)
{
    return 0;
}
