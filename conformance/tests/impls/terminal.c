/* terminal.c - an implementation that prints what a terminal obeys: an
 * OSC that retitles the window, a clear screen, a carriage return and a
 * fake green "[  1/1] ok" line, a C1 CSI (U+009B as UTF-8), a bidi
 * override (U+202E) and a byte that is not UTF-8, on stdout and stderr;
 * then its registration fails.  Its name is as hostile.  None of it may
 * reach the runner's terminal raw. */
#include <unistd.h>

#include "evconf.h"

static const char hostile[] =
    "\033]0;owned\007\033[2J\033[H"
    "\r[  1/1] \033[32mok   \033[0m forged\n"
    "c1 \xc2\x9b" "2J bidi \xe2\x80\xae" "reversed bad \xff byte\n";

int evconf_register(void)
{
    if (write(1, hostile, sizeof(hostile) - 1) < 0 ||
        write(2, hostile, sizeof(hostile) - 1) < 0)
        return -1;
    return -1;
}

int evconf_run_once(void)
{
    return 0;
}

const char *evconf_name(void)
{
    return "name \033]0;t\007 \xc2\x9b" "31m \xe2\x80\xae" "evil\xff";
}
