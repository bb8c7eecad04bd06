/*
 * options.c - the command line of evconf-bench.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static const char *const default_impls[] = { "reference", "libvirt-default", "libvirt-glib",
                                             "libuv", "libevent", "sd-event" };

void bench_usage(FILE *out)
{
    fputs("usage: evconf-bench [OPTION]...\n"
          "Benchmark event-loop implementations (shared objects exporting the evconf\n"
          "ABI) against a bare poll(2) floor; every measurement runs in a fresh child.\n"
          "\n"
          "  --impl NAME      implementation to measure, repeatable (default: reference,\n"
          "                   libvirt-default, libvirt-glib, libuv, libevent, sd-event); a NAME\n"
          "                   with '/' is a path\n"
          "  --rounds K       rounds, alternating between implementations (default 5)\n"
          "  --sizes LIST     section A's watched-fd counts (default 1,100,1000,10000)\n"
          "  --timers T       section B's scale (default 100000)\n"
          "  --only S         run only sections S: A, B, C or a list (A,C)\n"
          "  --quick          small sizes, short samples, one round: a smoke run\n"
          "  --no-callgrind   skip the instruction counts of section A\n"
          "  --json FILE      where to write the results (default BUILD/bench/results.json)\n"
          "  --timeout S      watchdog of one child in seconds (default 120; 5x under callgrind)\n"
          "  --help           this text\n"
          "\n"
          "Exit status: 0 when every measurement ran (a missed goal is only reported),\n"
          "1 when an implementation could not be loaded or a child failed, 2 on bad usage.\n",
          out);
}

/* A positive count; false (and a message) on anything else. */
static bool parse_count(const char *opt, const char *s, long max, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (end == s || *end || v < 1 || v > max) {
        fprintf(stderr, "bench: %s: '%s' is not a count between 1 and %ld\n", opt, s, max);
        return false;
    }
    *out = v;
    return true;
}

static bool parse_sizes(const char *s, struct bench_opts *o)
{
    char buf[256], *save = NULL;

    snprintf(buf, sizeof(buf), "%s", s);
    o->nsizes = 0;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (o->nsizes == BENCH_MAX_SIZES) {
            fprintf(stderr, "bench: --sizes: at most %d sizes\n", BENCH_MAX_SIZES);
            return false;
        }
        if (!parse_count("--sizes", tok, 1000000, &o->sizes[o->nsizes++]))
            return false;
    }
    return o->nsizes > 0;
}

static bool parse_only(const char *s, struct bench_opts *o)
{
    o->section[0] = o->section[1] = o->section[2] = false;
    for (; *s; s++) {
        if (*s == ',' || *s == ' ')
            continue;
        if ((*s | 0x20) < 'a' || (*s | 0x20) > 'c') {
            fprintf(stderr, "bench: --only: sections are A, B and C\n");
            return false;
        }
        o->section[(*s | 0x20) - 'a'] = true;
    }
    return true;
}

/* The size and timer defaults depend on --quick, wherever it stands, so
 * they are filled in after the loop unless given. */
int bench_options_parse(int argc, char **argv, struct bench_opts *o)
{
    bool sizes = false, timers = false, rounds = false;

    *o = (struct bench_opts){ .section = { true, true, true } };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;

        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            bench_usage(stdout);
            return 1;
        } else if (!strcmp(a, "--quick")) {
            o->quick = true;
        } else if (!strcmp(a, "--no-callgrind")) {
            o->no_callgrind = true;
        } else if (!v) {
            fprintf(stderr, "bench: unknown option or missing value: %s\n", a);
            return 2;
        } else if (!strcmp(a, "--impl")) {
            if (!strcmp(v, BENCH_FLOOR)) {
                fprintf(stderr, "bench: the floor is always measured\n");
            } else if (o->nimpls == BENCH_MAX_IMPLS - 1) {
                fprintf(stderr, "bench: at most %d implementations\n", BENCH_MAX_IMPLS - 1);
                return 2;
            } else {
                o->impls[o->nimpls++] = v;
            }
            i++;
        } else if (!strcmp(a, "--rounds")) {
            if (!parse_count(a, v, BENCH_MAX_ROUNDS, &n))
                return 2;
            o->rounds = (int)n;
            rounds = true;
            i++;
        } else if (!strcmp(a, "--sizes")) {
            if (!parse_sizes(v, o))
                return 2;
            sizes = true;
            i++;
        } else if (!strcmp(a, "--timers")) {
            if (!parse_count(a, v, 10000000, &o->timers))
                return 2;
            timers = true;
            i++;
        } else if (!strcmp(a, "--only")) {
            if (!parse_only(v, o))
                return 2;
            i++;
        } else if (!strcmp(a, "--timeout")) {
            if (!parse_count(a, v, 86400, &n))
                return 2;
            o->timeout_s = (int)n;
            i++;
        } else if (!strcmp(a, "--json")) {
            o->json = v;
            i++;
        } else {
            fprintf(stderr, "bench: unknown option: %s (see --help)\n", a);
            return 2;
        }
    }
    if (!o->nimpls)
        for (size_t i = 0; i < sizeof(default_impls) / sizeof(*default_impls); i++)
            o->impls[o->nimpls++] = default_impls[i];
    if (!rounds)
        o->rounds = o->quick ? 1 : 5;
    if (!sizes) {
        static const long full[] = { 1, 100, 1000, 10000 }, quick[] = { 1, 100 };
        const long *s = o->quick ? quick : full;
        o->nsizes = o->quick ? 2 : 4;
        memcpy(o->sizes, s, (size_t)o->nsizes * sizeof(*s));
    }
    if (!timers)
        o->timers = o->quick ? 1000 : 100000;
    if (!o->timeout_s)
        o->timeout_s = 120;
    return 0;
}
