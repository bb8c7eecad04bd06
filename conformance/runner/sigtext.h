/* sigtext.h - appending to a fixed buffer with neither malloc nor stdio,
 * so that a signal handler may (crash.c's report of a dying process,
 * blame.c's clause on it).  Prefix sig_. */
#ifndef EVCONF_SIGTEXT_H
#define EVCONF_SIGTEXT_H

#include <stddef.h>

/* Append s (NULL: nothing) to buf, which holds *n bytes and room for
 * cap; what does not fit is cut, and buf stays NUL-terminated. */
void sig_put(char *buf, size_t cap, size_t *n, const char *s);
/* The same with v in decimal. */
void sig_put_long(char *buf, size_t cap, size_t *n, long v);

#endif
