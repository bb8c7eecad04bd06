/*
 * sigtext.c - text for a signal handler (sigtext.h): only memcpy, strlen
 * and arithmetic, which are async-signal-safe where snprintf is not.
 */
#include <string.h>

#include "sigtext.h"

void sig_put(char *buf, size_t cap, size_t *n, const char *s)
{
    size_t k = s ? strlen(s) : 0;

    if (*n + k > cap - 1)
        k = cap - 1 - *n;
    memcpy(buf + *n, s, k);
    *n += k;
    buf[*n] = '\0';
}

void sig_put_long(char *buf, size_t cap, size_t *n, long v)
{
    char d[24];
    int i = (int)sizeof(d);
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;

    d[--i] = '\0';
    do {
        d[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u && i > 1);
    if (v < 0)
        d[--i] = '-';
    sig_put(buf, cap, n, d + i);
}
