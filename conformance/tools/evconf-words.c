/*
 * evconf-words - the scenario language's reference tables, from the one
 * table of words (conformance/runner/words.c).
 *
 *   evconf-words [SECTION]       print a section's table (all if none)
 *   evconf-words --all           every row: word, arguments, kind, trace
 *                                name, description
 *   evconf-words --check FILE    exit 1 if a table between FILE's markers
 *                                differs from the words', or a step or
 *                                expectation kind has no word
 *   evconf-words --update FILE   rewrite the tables between its markers
 *
 * A marked table in a Markdown file is the lines between
 * "<!-- words: SECTION -->" and "<!-- /words -->" (make words-doc).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "words.h"

#define OPEN_MARK  "<!-- words: "
#define CLOSE_MARK "<!-- /words -->"

/* Every kind the parser can produce has a word it is found by, and that
 * word names that kind: a new kind without a word fails here. */
static int check_kinds(void)
{
    int bad = 0;

    for (int k = 0; k <= S_EXPECT; k++) {
        const struct word *w = words_step(words_name((enum step_kind)k));
        if (!w || w->kind != k) {
            fprintf(stderr, "evconf-words: step kind %d has no word\n", k);
            bad = 1;
        }
    }
    for (int k = 0; k <= X_RELEASED; k++) {
        bool found = false;
        for (int i = 0; i < words_count; i++)
            if (words_table[i].cls == WORD_EXPECT && words_table[i].kind == k &&
                words_expect(words_table[i].text, words_table[i].sub) == &words_table[i])
                found = true;
        if (!found) {
            fprintf(stderr, "evconf-words: expectation kind %d has no word\n", k);
            bad = 1;
        }
    }
    return bad;
}

/* text with each marked table replaced by the words' own, into *out;
 * -1 if a table is not closed or names no section. */
static int render(const char *path, char *text, char **out, size_t *outlen)
{
    FILE *f = open_memstream(out, outlen);
    bool skipping = false;

    for (char *line = text, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        if (!nl)
            nl = line + strlen(line) - 1;   /* a last line without '\n' */
        else
            *nl = '\0';
        if (skipping && strcmp(line, CLOSE_MARK))
            continue;
        skipping = false;
        fprintf(f, "%s\n", line);
        if (!strncmp(line, OPEN_MARK, strlen(OPEN_MARK))) {
            char name[64];
            int s = sscanf(line + strlen(OPEN_MARK), "%63[a-z]", name) == 1 ?
                    words_section_by_name(name) : -1;
            if (s < 0) {
                fprintf(stderr, "%s: unknown words section in '%s'\n", path, line);
                skipping = true;
                break;
            }
            fputc('\n', f);        /* blank lines keep the table a block of its own */
            words_print_section(f, (enum words_section)s);
            fputc('\n', f);
            skipping = true;
        }
    }
    fclose(f);
    return skipping ? -1 : 0;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t cap = 0, n;

    if (!f)
        return NULL;
    *len = 0;
    do {
        if (*len + 4097 > cap)
            buf = realloc(buf, cap = (cap + 4097) * 2);
        n = fread(buf + *len, 1, cap - *len - 1, f);
        *len += n;
    } while (n);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* --check (0: the same, 1: differs) and --update (rewrite if it differs). */
static int doc(const char *path, bool update)
{
    size_t len, outlen;
    char *text = slurp(path, &len), *copy, *out = NULL;
    int rc;

    if (!text || !(copy = strdup(text))) {
        perror(path);
        return 2;
    }
    if (render(path, copy, &out, &outlen) < 0) {
        fprintf(stderr, "%s: a words table is not closed by '%s'\n", path, CLOSE_MARK);
        return 2;
    }
    rc = outlen != len || memcmp(out, text, len);
    if (update && rc) {
        FILE *f = fopen(path, "w");
        if (!f || fwrite(out, 1, outlen, f) != outlen || fclose(f))
            return perror(path), 2;
        rc = 0;
    } else if (rc) {
        fprintf(stderr, "%s: the language's tables differ from the words' "
                "(make words-doc rewrites them)\n", path);
    }
    free(text);
    free(copy);
    free(out);
    return rc | check_kinds();
}

/* Every row of the table, with what the reference's tables leave out. */
static int print_all(void)
{
    static const char *const classes[] = {
        [WORD_FD] = "fd", [WORD_OP] = "operation", [WORD_RUN] = "run",
        [WORD_CLIENT] = "client", [WORD_DAEMON] = "daemon",
        [WORD_EXPECT] = "expectation",
    };

    printf("| word | arguments | kind | trace | description |\n"
           "| --- | --- | --- | --- | --- |\n");
    for (int i = 0; i < words_count; i++) {
        const struct word *w = &words_table[i];
        printf("| `%s%s` | %s%s%s | %s%s | %s | %s |\n",
               w->cls == WORD_EXPECT ? "expect " : "", w->text,
               *w->args ? "`" : "", w->args, *w->args ? "`" : "",
               classes[w->cls], w->variant ? " (variant)" : "",
               w->trace ? w->trace : "", w->doc ? w->doc : "(with the next row)");
    }
    return check_kinds();
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--all"))
        return print_all();
    if (argc == 3 && (!strcmp(argv[1], "--check") || !strcmp(argv[1], "--update")))
        return doc(argv[2], argv[1][2] == 'u');
    if (argc == 2) {
        int s = words_section_by_name(argv[1]);
        if (s < 0) {
            fprintf(stderr, "evconf-words: sections are steps, expectations, client, "
                    "daemon\n");
            return 2;
        }
        words_print_section(stdout, (enum words_section)s);
        return 0;
    }
    if (argc != 1) {
        fprintf(stderr, "usage: evconf-words [SECTION] | --all | --check FILE | "
                "--update FILE\n");
        return 2;
    }
    for (int s = 0; s < WORDS_NSECTIONS; s++) {
        printf("%s### %s\n\n", s ? "\n" : "", s == WORDS_STEPS ? "steps" :
               s == WORDS_EXPECTATIONS ? "expectations" : s == WORDS_CLIENT ?
               "client" : "daemon");
        words_print_section(stdout, (enum words_section)s);
    }
    return check_kinds();
}
