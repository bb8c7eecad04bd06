/*
 * test_words.c - the language reference's tables come from the one table
 * of words (conformance/runner/words.c, build/evconf-words).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "support.h"

#define README "conformance/scenarios/README.md"

/* evconf-words with args; its exit status. */
static int words(const char *args)
{
    char cmd[1024];
    int status;

    snprintf(cmd, sizeof(cmd), "%s/evconf-words %s >/dev/null 2>&1", build_dir(), args);
    status = system(cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf;
    long n;

    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = calloc(1, (size_t)n + 1);
    ck_assert_int_eq(fread(buf, 1, (size_t)n, f), n);
    fclose(f);
    return buf;
}

/* The README's step and expectation tables are the words' own, and every
 * step and expectation kind has a word. */
START_TEST(readme_tables_current)
{
    ck_assert_int_eq(words("--check " README), 0);
}
END_TEST

/* A row edited by hand in the README is caught, and words-doc puts the
 * words' row back. */
START_TEST(readme_drift_caught)
{
    char *text = slurp(README), *row, args[512];
    const char *copy;

    row = strstr(text, "| `mark M` | remember");
    ck_assert_ptr_nonnull(row);
    memcpy(row + 13, "REMEMBER", 8);
    copy = scenario_file("README.md", text);
    snprintf(args, sizeof(args), "--check %s", copy);
    ck_assert_int_eq(words(args), 1);
    snprintf(args, sizeof(args), "--update %s", copy);
    ck_assert_int_eq(words(args), 0);
    free(text);
    text = slurp(copy);
    ck_assert_ptr_nonnull(strstr(text, "| `mark M` | remember"));
    snprintf(args, sizeof(args), "--check %s", copy);
    ck_assert_int_eq(words(args), 0);
    free(text);
}
END_TEST

void add_words_tests(Suite *s)
{
    const TTest *tests[] = { readme_tables_current, readme_drift_caught };

    add_tests(s, tests, sizeof(tests) / sizeof(tests[0]));
}
