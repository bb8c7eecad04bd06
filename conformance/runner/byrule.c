/*
 * byrule.c - a run's results rule by rule (byrule.h): each failure line
 * counts under the rules it names, not under every rule its scenario's
 * header lists; and each rule's statement, read from docs/contract.md, so
 * that a report links a rule number to its text.  Prefix byrule_.
 */
#include <stdlib.h>
#include <string.h>

#include "byrule.h"
#include "encode.h"
#include "kit.h"

enum { ST_NONE, ST_PASS, ST_WARN, ST_FAIL };

/* Rule n's level and statement from docs/contract.md, read once. */
static struct {
    bool loaded;
    char *level[CONTRACT_RULES + 1], *statement[CONTRACT_RULES + 1];
} contract;

/* A rule word ("R29") as its number, or 0. */
static int rule_number(const char *word, size_t len)
{
    int n = 0;

    if (len < 2 || len > 3 || word[0] != 'R')
        return 0;
    for (size_t i = 1; i < len; i++) {
        if (word[i] < '0' || word[i] > '9')
            return 0;
        n = n * 10 + (word[i] - '0');
    }
    return n >= 1 && n <= CONTRACT_RULES ? n : 0;
}

/* Set st[rule] to at least to for each rule of "R29,R28"; the first
 * only if first_only. */
static void mark_rules(const char *rules, int *st, int to, bool first_only)
{
    for (const char *p = rules ? rules : ""; *p;) {
        size_t len = strcspn(p, ",");
        int r = rule_number(p, len);
        if (r && st[r] < to)
            st[r] = to;
        if (r && first_only)
            return;
        p += len + (p[len] == ',');
    }
}

/* One scenario's standing under each rule, into st[]. */
static void standing(const struct result *r, bool strict, int *st)
{
    bool named = false;

    for (int k = 0; k < r->nfailures; k++) {
        const struct failure *fl = &r->failures[k];
        if (fl->level == LEVEL_INFO)
            continue;
        named |= fl->level == LEVEL_MUST || strict;
        mark_rules(fl->rules, st,
                   fl->level == LEVEL_MUST || strict ? ST_FAIL : ST_WARN, false);
    }
    /* A crash or a hang names no rule: it counts under the scenario's
     * first, the one it is about, and passes none. */
    if (r->outcome == OUT_ERROR && !named) {
        mark_rules(r->sc->rules, st, ST_FAIL, true);
        return;
    }
    if (r->outcome != OUT_ERROR)
        mark_rules(r->sc->rules, st, ST_PASS, false);
}

void byrule_tally(const struct result *res, int n, bool strict,
                  struct byrule_count *counts)
{
    memset(counts, 0, (CONTRACT_RULES + 1) * sizeof(*counts));
    for (int i = 0; i < n; i++) {
        int st[CONTRACT_RULES + 1] = { 0 };
        if (!res[i].sc || res[i].outcome == OUT_SKIP)
            continue;
        standing(&res[i], strict, st);
        for (int r = 1; r <= CONTRACT_RULES; r++) {
            counts[r].failed += st[r] == ST_FAIL;
            counts[r].warned += st[r] == ST_WARN;
            counts[r].passed += st[r] == ST_PASS;
        }
    }
}

/* "**R4 (MUST ≥ 0, SHOULD ≥ 1) add returns ... handed out.** [doc]..."
 * (the statement may wrap onto the next lines) into contract's slots. */
static void take_rule(const char *text)
{
    const char *open = strchr(text, '('), *close, *end;
    int n = atoi(text + 3);

    if (n < 1 || n > CONTRACT_RULES || !open || !(close = strchr(open, ')')) ||
        !(end = strstr(close, "**")) || contract.level[n])
        return;
    contract.level[n] = strndup(open + 1, (size_t)(close - open - 1));
    contract.statement[n] = strndup(close + 1 + (close[1] == ' '),
                                    (size_t)(end - close - 1 - (close[1] == ' ')));
    for (char *s = contract.statement[n]; s && *s; s++)
        if (*s == '\n')
            *s = ' ';
}

/* docs/contract.md's rules, once; a rule it does not have is shown
 * without its text. */
static void load_contract(void)
{
    FILE *f;
    char *text = NULL;
    size_t cap = 0;

    if (contract.loaded)
        return;
    contract.loaded = true;
    if (!(f = fopen(kit_contract_path(), "r")))
        return;
    if (getdelim(&text, &cap, '\0', f) > 0)
        for (char *p = strstr(text, "\n**R"); p; p = strstr(p + 1, "\n**R"))
            take_rule(p + 1);
    free(text);
    fclose(f);
}

void byrule_html_links(FILE *f, const char *rules)
{
    for (const char *p = rules ? rules : ""; *p;) {
        size_t len = strcspn(p, ",");
        int r = rule_number(p, len);
        char *word = strndup(p, len);
        if (r)
            fprintf(f, "<a href=\"#rule-R%d\">R%d</a>", r, r);
        else
            enc_html(f, word);
        free(word);
        p += len;
        if (*p == ',') {
            fputc(',', f);
            p++;
        }
    }
}

/* One row of the summary by rule. */
static void html_rule_row(FILE *f, int r, const struct byrule_count *c)
{
    fprintf(f, "<tr id=\"rule-R%d\" class=\"%s\"><td>R%d</td><td>", r,
            c->failed ? "fail" : c->warned ? "warn" : "pass", r);
    enc_html(f, contract.level[r] ? contract.level[r] : "");
    fputs("</td><td>", f);
    enc_html(f, contract.statement[r] ? contract.statement[r]
                                      : "(not in docs/contract.md)");
    fprintf(f, "</td><td>%d</td><td>%d</td><td>%d</td></tr>\n", c->failed,
            c->warned, c->passed);
}

void byrule_html(FILE *f, const struct run_info *ri, const struct result *res,
                 int n)
{
    struct byrule_count c[CONTRACT_RULES + 1];
    int named[CONTRACT_RULES + 1] = { 0 };

    load_contract();
    byrule_tally(res, n, ri->strict, c);
    fputs("<h2 id=\"by-rule\">By rule</h2>\n<p>Each failure line counts under "
          "the rules it names; a scenario passes a rule its header names that "
          "no line of it failed. The rules' full text: ", f);
    enc_html(f, kit_contract_path());
    fputs(".</p>\n<table><tr><th>rule</th><th>level</th><th>statement</th>"
          "<th>failed</th><th>warned</th><th>passed</th></tr>\n", f);
    for (int i = 0; i < n; i++)     /* a skipped scenario's rules too */
        if (res[i].sc)
            mark_rules(res[i].sc->rules, named, ST_PASS, false);
    for (int r = 1; r <= CONTRACT_RULES; r++)
        if (named[r] || c[r].failed || c[r].warned || c[r].passed)
            html_rule_row(f, r, &c[r]);
    fputs("</table>\n", f);
}

void byrule_json(FILE *f, const struct run_info *ri, const struct result *res,
                 int n)
{
    struct byrule_count c[CONTRACT_RULES + 1];
    bool first = true;

    byrule_tally(res, n, ri->strict, c);
    fputs("\"by_rule\": {", f);
    for (int r = 1; r <= CONTRACT_RULES; r++) {
        if (!c[r].failed && !c[r].warned && !c[r].passed)
            continue;
        fprintf(f, "%s\"R%d\": {\"failed\": %d, \"warned\": %d, \"passed\": %d}",
                first ? "" : ", ", r, c[r].failed, c[r].warned, c[r].passed);
        first = false;
    }
    fputc('}', f);
}

void byrule_text(FILE *f, const struct result *res, int n, bool strict)
{
    struct byrule_count c[CONTRACT_RULES + 1];
    bool any = false;

    byrule_tally(res, n, strict, c);
    for (int r = 1; r <= CONTRACT_RULES; r++) {
        if (!c[r].failed && !c[r].warned)
            continue;
        fprintf(f, "%s R%d %d/%d/%d", any ? ";" : "by rule, failed/warned/passed:", r,
                c[r].failed, c[r].warned, c[r].passed);
        any = true;
    }
    if (any)
        fputc('\n', f);
}
