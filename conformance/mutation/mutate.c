/*
 * mutate.c - source mutants of a C file, for measuring what the suite can
 * catch (make mutation).
 *
 *   evconf-mutate list FILE...        one line per mutant: ID, OPERATOR,
 *                                     FUNCTION, LINE, MUTATED LINE (tabs)
 *   evconf-mutate apply ID FILE OUT   write FILE with mutant ID applied
 *
 * An ID is "file:line:col:op" (file without its directory), stable as long
 * as the line does not move.  Every mutant changes one token, or deletes
 * one statement, in code outside comments, strings and preprocessor lines:
 *
 *   rel   < <= > >= == != : each to its neighbour (< to <=, == to !=, ...)
 *   log   && to ||, || to &&
 *   arith binary + to -, - to +, += to -=, -= to +=, ++ to --, -- to ++
 *   not   a logical ! removed
 *   const a decimal literal n to n+1, and 1 to 0
 *   bool  true to false, false to true
 *   del   a one-line expression statement (a call, an assignment, x++)
 *         replaced by an empty one
 *
 * The driver (scripts/mutation) builds each mutant of reference/ into a
 * loop and runs the suite against it.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mutant {
    int line, col;             /* 1-based; col 1 for a deletion */
    const char *op;
    char func[64];             /* the function it is in */
    size_t off, len;           /* the bytes replaced ... */
    char repl[32];             /* ... and what replaces them */
};

struct source {
    const char *name;          /* basename */
    char *text;
    size_t size;
    struct mutant *m;
    int n, cap;
    char func[64];             /* while scanning: the function we are in */
};

static void add(struct source *s, int line, int col, const char *op, size_t off,
                size_t len, const char *repl)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->m = realloc(s->m, (size_t)s->cap * sizeof(*s->m));
        if (!s->m) {
            perror("evconf-mutate");
            exit(2);
        }
    }
    s->m[s->n] = (struct mutant){ line, col, op, "", off, len, "" };
    snprintf(s->m[s->n].func, sizeof(s->m[s->n].func), "%s", s->func[0] ? s->func : "-");
    snprintf(s->m[s->n].repl, sizeof(s->m[s->n].repl), "%s", repl);
    s->n++;
}

static bool is_ident(int c)
{
    return isalnum(c) || c == '_';
}

/* Whether the + or - at off is a binary operator: what precedes it ends
 * an operand (a name, a number, ')' or ']'), and is not a keyword such as
 * return or case. */
static bool binary_at(const char *t, size_t off)
{
    size_t e = off, b;

    while (e > 0 && (t[e - 1] == ' ' || t[e - 1] == '\t'))
        e--;
    if (e == 0)
        return false;
    if (t[e - 1] == ')' || t[e - 1] == ']')
        return true;
    if (!is_ident(t[e - 1]))
        return false;
    for (b = e; b > 0 && is_ident(t[b - 1]); b--)
        ;
    return !((e - b == 6 && !strncmp(t + b, "return", 6)) ||
             (e - b == 4 && !strncmp(t + b, "case", 4)) ||
             (e - b == 6 && !strncmp(t + b, "sizeof", 6)));
}

static bool starts(const char *p, const char *w)
{
    return !strncmp(p, w, strlen(w));
}

/* A statement that can go without breaking the build: the whole line is
 * one expression statement, a call or an assignment, not a declaration,
 * a jump or a control keyword. */
static bool deletable(const char *line, size_t len)
{
    static const char *const keywords[] = {
        "return", "if", "else", "for", "while", "do", "switch", "case",
        "break", "continue", "goto", "default", "static", "const", "struct",
        "enum", "union", "typedef", "unsigned", "signed", "int", "long",
        "char", "bool", "size_t", "ssize_t", "int64_t", "uint64_t", "void",
        "nfds_t", "pthread_t", "pthread_mutex_t", "sigset_t",
    };
    size_t i = 0, end = len;
    int depth = 0;

    while (i < len && isspace((unsigned char)line[i]))
        i++;
    while (end > i && isspace((unsigned char)line[end - 1]))
        end--;
    if (end - i < 3 || line[end - 1] != ';' || !(isalpha((unsigned char)line[i]) || line[i] == '_'))
        return false;
    for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++) {
        size_t kl = strlen(keywords[k]);
        if (!strncmp(line + i, keywords[k], kl) && !is_ident(line[i + kl]))
            return false;
    }
    /* "type name ..." or "type *name": a declaration */
    {
        size_t k = i;
        while (k < end && is_ident(line[k]))
            k++;
        if (k < end && line[k] == ' ') {
            while (k < end && line[k] == ' ')
                k++;
            if (k < end && (is_ident(line[k]) || line[k] == '*'))
                return false;
        }
    }
    for (size_t k = i; k < end; k++) {
        if (line[k] == '(')
            depth++;
        else if (line[k] == ')' && --depth < 0)
            return false;
        else if (line[k] == '{' || line[k] == '}' || line[k] == '"' || line[k] == '\'')
            return false;
    }
    return depth == 0;
}

/* Skip a preprocessor line (and its continuations) starting at bol, if
 * that is what the line is; returns where scanning resumes. */
static size_t skip_directive(const struct source *s, size_t bol)
{
    size_t k = bol;

    while (k < s->size && (s->text[k] == ' ' || s->text[k] == '\t'))
        k++;
    if (k >= s->size || s->text[k] != '#')
        return bol;
    while (k < s->size && !(s->text[k] == '\n' && s->text[k - 1] != '\\'))
        k++;
    return k;
}

/* Find every mutant of s, in order of position. */
static void scan(struct source *s)
{
    const char *t = s->text;
    size_t i = skip_directive(s, 0), bol = 0;
    int line = 1, braces = 0;
    bool line_has_code = false;
    char candidate[64] = "";   /* at file scope: the last NAME( seen */

    while (i < s->size) {
        char c = t[i];

        if (c == '\n') {
            if (line_has_code && deletable(t + bol, i - bol)) {
                size_t a = bol;
                while (a < i && isspace((unsigned char)t[a]))
                    a++;
                add(s, line, 1, "del", a, i - a, ";");
            }
            line++;
            bol = ++i;
            line_has_code = false;
            i = skip_directive(s, bol);
            continue;
        }
        if (c == '/' && t[i + 1] == '*') {
            char *e = strstr(t + i + 2, "*/");
            size_t stop = e ? (size_t)(e - t) + 2 : s->size;
            for (; i < stop; i++)
                if (t[i] == '\n') {
                    line++;
                    bol = i + 1;
                    line_has_code = false;
                }
            continue;
        }
        if (c == '/' && t[i + 1] == '/') {
            while (i < s->size && t[i] != '\n')
                i++;
            continue;
        }
        if (c == '"' || c == '\'') {
            i++;
            while (i < s->size && t[i] != c) {
                if (t[i] == '\\')
                    i++;
                i++;
            }
            i++;
            line_has_code = true;
            continue;
        }
        if (isspace((unsigned char)c)) {
            i++;
            continue;
        }
        line_has_code = true;
        int col = (int)(i - bol) + 1;
        if (braces == 0 && c == ';')
            candidate[0] = '\0';
        if (c == '{' && braces++ == 0)
            snprintf(s->func, sizeof(s->func), "%s", candidate);
        if (c == '}' && --braces == 0)
            s->func[0] = candidate[0] = '\0';
        if (is_ident(c)) {
            size_t k = i, after;
            while (k < s->size && (is_ident(t[k]) || (isdigit((unsigned char)c) && t[k] == '.')))
                k++;
            for (after = k; after < s->size && isspace((unsigned char)t[after]); after++)
                ;
            if (braces == 0 && t[after] == '(' && k - i < sizeof(candidate))
                snprintf(candidate, sizeof(candidate), "%.*s", (int)(k - i), t + i);
            if (k - i == 4 && starts(t + i, "true"))
                add(s, line, col, "bool", i, 4, "false");
            else if (k - i == 5 && starts(t + i, "false"))
                add(s, line, col, "bool", i, 5, "true");
            else if (isdigit((unsigned char)c)) {
                bool decimal = true;
                char buf[32];
                for (size_t d = i; d < k; d++)
                    decimal = decimal && isdigit((unsigned char)t[d]);
                if (decimal && k - i < 10) {
                    long v = strtol(t + i, NULL, 10);
                    snprintf(buf, sizeof(buf), "%ld", v == 1 ? 0 : v + 1);
                    add(s, line, col, "const", i, k - i, buf);
                }
            }
            i = k;
            continue;
        }
        {
            static const struct { const char *from, *to, *op; } ops[] = {
                { "&&", "||", "log" }, { "||", "&&", "log" },
                { "<<=", NULL, NULL }, { ">>=", NULL, NULL },
                { "<<", NULL, NULL }, { ">>", NULL, NULL }, { "->", NULL, NULL },
                { "<=", "<", "rel" }, { ">=", ">", "rel" }, { "==", "!=", "rel" },
                { "!=", "==", "rel" }, { "++", "--", "arith" }, { "--", "++", "arith" },
                { "+=", "-=", "arith" }, { "-=", "+=", "arith" },
                { "<", "<=", "rel" }, { ">", ">=", "rel" },
                { "+", "-", "arith" }, { "-", "+", "arith" }, { "!", "", "not" },
            };
            size_t len = 1;
            for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
                if (!starts(t + i, ops[k].from))
                    continue;
                len = strlen(ops[k].from);
                if (!ops[k].to)
                    break;
                if (len == 1 && (c == '+' || c == '-') && !binary_at(t, i))
                    break;              /* unary */
                add(s, line, col, ops[k].op, i, len, ops[k].to);
                break;
            }
            i += len;
        }
    }
}

static bool load(struct source *s, const char *path)
{
    FILE *f = fopen(path, "rb");
    const char *slash = strrchr(path, '/');
    long n;

    memset(s, 0, sizeof(*s));
    s->name = slash ? slash + 1 : path;
    if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
        fprintf(stderr, "evconf-mutate: cannot read %s\n", path);
        if (f)
            fclose(f);
        return false;
    }
    s->size = (size_t)n;
    s->text = calloc(1, s->size + 2);
    if (!s->text || fread(s->text, 1, s->size, f) != s->size) {
        fprintf(stderr, "evconf-mutate: cannot read %s\n", path);
        fclose(f);
        return false;
    }
    fclose(f);
    scan(s);
    return true;
}

static void id_of(const struct source *s, const struct mutant *m, char *buf, size_t len)
{
    snprintf(buf, len, "%s:%d:%d:%s", s->name, m->line, m->col, m->op);
}

/* The line of m, trimmed, before (mutated false) or after the mutation. */
static void line_of(const struct source *s, const struct mutant *m, bool mutated,
                    char *buf, size_t len)
{
    size_t a = m->off, b = m->off, o = 0;

    while (a > 0 && s->text[a - 1] != '\n')
        a--;
    while (b < s->size && s->text[b] != '\n')
        b++;
    while (a < b && isspace((unsigned char)s->text[a]))
        a++;
    for (size_t i = a; i < b && o + 40 < len; i++) {
        if (mutated && i == m->off) {
            o += (size_t)snprintf(buf + o, len - o, "%s", m->repl);
            i += m->len - 1;
            continue;
        }
        buf[o++] = s->text[i] == '\t' ? ' ' : s->text[i];
    }
    buf[o] = '\0';
}

static int list(int argc, char **argv)
{
    char id[256], before[1024], after[1024];

    for (int f = 0; f < argc; f++) {
        struct source s;
        if (!load(&s, argv[f]))
            return 2;
        for (int k = 0; k < s.n; k++) {
            id_of(&s, &s.m[k], id, sizeof(id));
            line_of(&s, &s.m[k], false, before, sizeof(before));
            line_of(&s, &s.m[k], true, after, sizeof(after));
            printf("%s\t%s\t%s\t%s\t%s\n", id, s.m[k].op, s.m[k].func, before, after);
        }
        free(s.text);
        free(s.m);
    }
    return 0;
}

static int apply(const char *id, const char *path, const char *out)
{
    struct source s;
    char buf[256];
    FILE *f;

    if (!load(&s, path))
        return 2;
    for (int k = 0; k < s.n; k++) {
        id_of(&s, &s.m[k], buf, sizeof(buf));
        if (strcmp(buf, id))
            continue;
        f = fopen(out, "wb");
        if (!f || fwrite(s.text, 1, s.m[k].off, f) != s.m[k].off ||
            fputs(s.m[k].repl, f) < 0 ||
            fwrite(s.text + s.m[k].off + s.m[k].len, 1,
                   s.size - s.m[k].off - s.m[k].len, f) !=
                s.size - s.m[k].off - s.m[k].len || fclose(f)) {
            fprintf(stderr, "evconf-mutate: cannot write %s\n", out);
            return 2;
        }
        return 0;
    }
    fprintf(stderr, "evconf-mutate: %s has no mutant %s\n", path, id);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "list"))
        return list(argc - 2, argv + 2);
    if (argc == 5 && !strcmp(argv[1], "apply"))
        return apply(argv[2], argv[3], argv[4]);
    fprintf(stderr, "usage: evconf-mutate list FILE...\n"
                    "       evconf-mutate apply ID FILE OUT\n");
    return argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) ? 0 : 2;
}
