/*
 * records.c - the scenario child's side of the record protocol
 * (protocol.h; prefix check_): a rule broken (F), the scenario's own
 * error (E), a skip (S), each one line on the runner's pipe, and the
 * memory of which rule each registration has broken already, so that a
 * failure is reported once, not on every call.
 *
 * It judges nothing: observe.c, liveness.c and expectations.c do.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "protocol.h"
#include "records.h"
#include "state.h"

static void emit(const char *line)
{
    size_t n = strlen(line), done = 0;

    while (done < n) {
        ssize_t w = write(scn.out_fd, line + done, n - done);
        if (w <= 0)
            return;
        done += (size_t)w;
    }
}

/* One record to the runner (protocol.h): KIND HEAD MSG, on one line. */
static void record(char kind, const char *head, char *msg)
{
    char line[900];

    for (char *c = msg; *c; c++)
        if (*c == '\n')
            *c = ' ';
    snprintf(line, sizeof(line), "%c %s%s\n", kind, head, msg);
    emit(line);
}

void check_fail(enum level level, const char *rules, const char *fmt, ...)
{
    char msg[700], head[80];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(head, sizeof(head), "%s %s ", scenario_level_name(level), rules);
    record(PROTO_FAILURE, head, msg);
    sim_trace("FAIL", "[%s] %s", rules, msg);
}

void check_scenario_error(const struct step *st, const char *fmt, ...)
{
    char msg[600], head[32];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(head, sizeof(head), "line %d: ", st->line);
    record(PROTO_SCENARIO_ERROR, head, msg);
    sim_trace("ERROR", "scenario: line %d: %s", st->line, msg);
    scn.loop.stopped = true;
}

void check_scenario_skip(const struct step *st, const char *why)
{
    char msg[400], head[32];

    snprintf(msg, sizeof(msg), "%s", why);
    snprintf(head, sizeof(head), "line %d: ", st->line);
    record(PROTO_SKIP, head, msg);
    sim_trace("SKIP", "line %d: %s", st->line, msg);
    scn.loop.stopped = true;
}

/* A rule broken by one registration is reported once, not on every call. */
bool check_first_time(const char *rule, int name)
{
    char key[40];

    snprintf(key, sizeof(key), "%s/%d", rule, name);
    for (int i = 0; i < scn.seen.nreported; i++)
        if (!strcmp(scn.seen.reported[i], key))
            return false;
    if (scn.seen.nreported < 64)
        snprintf(scn.seen.reported[scn.seen.nreported++],
                 sizeof(scn.seen.reported[0]), "%s", key);
    return true;
}
