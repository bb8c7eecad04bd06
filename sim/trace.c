/*
 * trace.c - the trace (one line per observable event) and the PRNG.
 *
 * A line: "<ms>.<us> it=<n> in=<op> <kind> <text>".  Everything in it comes
 * from virtual time, the iteration count and the scenario's own words, so
 * the same scenario and seed give the same bytes in any process.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;
static char *buf;
static size_t len, cap, lines;
static _Thread_local const char *current_op;
static int mirror_fd = -1;
static const char *mirror_prefix = "";

void sim_trace_mirror(int fd, const char *prefix)
{
    pthread_mutex_lock(&trace_lock);
    mirror_fd = fd;
    mirror_prefix = prefix ? prefix : "";
    pthread_mutex_unlock(&trace_lock);
}

/* write(2) until done; a mirror that cannot be written is given up. */
static void mirror_locked(const char *line, size_t n)
{
    char out[600];
    int m = snprintf(out, sizeof(out), "%s%.*s", mirror_prefix, (int)n, line);
    size_t done = 0;

    if (m < 0 || (size_t)m >= sizeof(out))
        m = (int)sizeof(out) - 1;
    while (done < (size_t)m) {
        ssize_t w = write(mirror_fd, out + done, (size_t)m - done);
        if (w <= 0) {
            mirror_fd = -1;
            return;
        }
        done += (size_t)w;
    }
}

void sim__trace_reset(void)
{
    pthread_mutex_lock(&trace_lock);
    len = lines = 0;
    if (buf)
        buf[0] = '\0';
    pthread_mutex_unlock(&trace_lock);
}

void sim_op_enter(const char *op)
{
    current_op = op;
}

void sim_op_leave(void)
{
    current_op = NULL;
}

const char *sim_op_current(void)
{
    return current_op ? current_op : "-";
}

void sim_trace(const char *kind, const char *fmt, ...)
{
    char line[512];
    int64_t now = sim_now_ns();
    int n;
    va_list ap;

    n = snprintf(line, sizeof(line), "%lld.%03lld it=%d in=%s %s ",
                 (long long)(now / SIM_NS_PER_MS),
                 (long long)(now % SIM_NS_PER_MS / 1000), sim_iteration(),
                 sim_op_current(), kind);
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    strcat(line, "\n");
    n = (int)strlen(line);

    if (!strcmp(kind, "cb") || !strcmp(kind, "ff"))
        sim__note_work();
    pthread_mutex_lock(&trace_lock);
    if (mirror_fd >= 0)
        mirror_locked(line, (size_t)n);
    if (len + (size_t)n + 1 > cap) {
        size_t ncap = cap ? cap * 2 : 4096;
        char *nbuf;
        while (ncap < len + (size_t)n + 1)
            ncap *= 2;
        nbuf = realloc(buf, ncap);
        if (!nbuf) {
            pthread_mutex_unlock(&trace_lock);
            return;
        }
        buf = nbuf;
        cap = ncap;
    }
    memcpy(buf + len, line, (size_t)n + 1);
    len += (size_t)n;
    lines++;
    pthread_mutex_unlock(&trace_lock);
}

const char *sim_trace_text(void)
{
    return buf ? buf : "";
}

size_t sim_trace_lines(void)
{
    return lines;
}

/* ---- PRNG: splitmix64, the only source of variation ---- */

static uint64_t seed_value, state;

void sim__rand_seed(uint64_t seed)
{
    seed_value = state = seed;
}

uint64_t sim_seed(void)
{
    return seed_value;
}

uint64_t sim_rand(void)
{
    uint64_t z = (state += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

uint32_t sim_rand_below(uint32_t n)
{
    return n ? (uint32_t)(sim_rand() % n) : 0;
}
