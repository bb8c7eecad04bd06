/*
 * lex.c - the words of a scenario line (prefix lex_): errors against
 * their line, numbers in their ranges, event masks, #K, and the names of
 * levels, close reasons and domain events (scenario_*, scenario.h).
 *
 * Nothing here knows a step: words are found in words.c, names in
 * names.c, and steps are read by parse-steps.c and parse-expect.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

bool lex_fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (p->failed)
        return false;
    p->failed = true;
    n = snprintf(p->err, p->errlen, "%s:%d: ", p->path, p->line);
    if (n < 0 || (size_t)n >= p->errlen)    /* a path as long as the buffer */
        return false;
    va_start(ap, fmt);
    vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

const char *scenario_level_name(enum level l)
{
    return l == LEVEL_MUST ? "MUST" : l == LEVEL_SHOULD ? "SHOULD" : "INFO";
}

static const char *const mask_names[] = { "READABLE", "WRITABLE", "ERROR", "HANGUP" };

void scenario_mask_format(int mask, char *buf, size_t len)
{
    size_t n = 0;

    buf[0] = '\0';
    if (!mask) {
        snprintf(buf, len, "0");
        return;
    }
    for (int i = 0; i < 4; i++)
        if (mask & (1 << i))
            n += (size_t)snprintf(buf + n, len > n ? len - n : 0, "%s%s",
                                  n ? "|" : "", mask_names[i]);
}

/* A number from min to max: every number the language takes has a range
 * that the runner and sim can hold without overflow, and a mistake in a
 * scenario is reported here, against its line, not charged to the loop. */
bool lex_num(struct parser *p, const char *s, int64_t *out, const char *what,
                      int64_t min, int64_t max)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (!*s || *end || errno == ERANGE || v < min || v > max)
        return lex_fail(p, "expected %s (a number from %lld to %lld), found '%s'", what,
                        (long long)min, (long long)max, s);
    *out = v;
    return true;
}

/* Any int: ids, fds, timeouts, return values. */
bool lex_int(struct parser *p, const char *s, int64_t *out, const char *what)
{
    return lex_num(p, s, out, what, INT_MIN, INT_MAX);
}

bool lex_mask(struct parser *p, const char *s, int *out)
{
    char buf[128], *save = NULL, *tok;
    int mask = 0;

    if (!strcmp(s, "0")) {
        *out = 0;
        return true;
    }
    snprintf(buf, sizeof(buf), "%s", s);
    for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
        int bit = -1;
        for (int i = 0; i < 4; i++)
            if (!strcmp(tok, mask_names[i]))
                bit = i;
        if (bit < 0)
            return lex_fail(p, "expected an event mask (READABLE|WRITABLE|ERROR|"
                            "HANGUP, or 0), found '%s'", s);
        mask |= 1 << bit;
    }
    *out = mask;
    return true;
}

bool lex_nth(struct parser *p, const char *s, int *nth)
{
    int64_t v;

    if (!strcmp(s, "#last")) {
        *nth = -1;
        return true;
    }
    if (s[0] != '#' || !lex_num(p, s + 1, &v, "a call number after '#'", 1, INT_MAX))
        return lex_fail(p, "expected #K (K >= 1) or #last, found '%s'", s);
    *nth = (int)v;
    return true;
}

static const char *const event_names[] = {
    "DEFINED", "UNDEFINED", "STARTED", "SUSPENDED", "RESUMED", "STOPPED",
    "SHUTDOWN", "PMSUSPENDED", "CRASHED",
};

int scenario_event_type(const char *name)
{
    for (size_t i = 0; i < sizeof(event_names) / sizeof(event_names[0]); i++)
        if (!strcmp(name, event_names[i]))
            return (int)i;
    return -1;
}

static const char *const close_reasons[] = { "ERROR", "EOF", "KEEPALIVE", "CLIENT" };

int scenario_close_reason(const char *name)
{
    for (size_t i = 0; i < sizeof(close_reasons) / sizeof(close_reasons[0]); i++)
        if (!strcmp(name, close_reasons[i]))
            return (int)i;
    return -1;
}

const char *scenario_close_reason_name(int reason)
{
    return reason >= 0 && reason < 4 ? close_reasons[reason] : "?";
}

const char *scenario_event_name(int type)
{
    return type >= 0 && type < (int)(sizeof(event_names) / sizeof(event_names[0])) ?
           event_names[type] : "?";
}

bool lex_split(struct parser *p, char *line, char **tok, int max, int *ntok)
{
    char *save = NULL;

    *ntok = 0;
    for (char *s = strtok_r(line, " \t", &save); s; s = strtok_r(NULL, " \t", &save)) {
        if (*ntok == max)
            return lex_fail(p, "too many words on one line (at most %d)", max);
        tok[(*ntok)++] = s;
    }
    return true;
}
