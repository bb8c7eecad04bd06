/*
 * encode.c - text from outside (a trace, a name, a message) written into
 * the report files (encode.h): valid UTF-8 whatever its bytes, quoted as
 * each format wants it.  Prefix enc_.  The same for the terminal is
 * console.c's; the reports themselves are report.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "encode.h"

#define REPLACEMENT "\xef\xbf\xbd"        /* U+FFFD */

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0 if the
 * bytes there are not one: overlong forms, surrogates and code points
 * above U+10FFFF included. */
static int utf8_len(const unsigned char *s)
{
    unsigned cp;
    int n;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2, cp = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3, cp = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4, cp = s[0] & 0x07;
    else
        return 0;
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    if (cp == 0xfffe || cp == 0xffff)           /* not characters in XML */
        return 0;
    return n;
}

/* The code point of the valid UTF-8 sequence of n bytes at s. */
static unsigned utf8_cp(const unsigned char *s, int n)
{
    unsigned cp = s[0] & (0x7f >> n);

    for (int i = 1; i < n; i++)
        cp = cp << 6 | (s[i] & 0x3f);
    return cp;
}

/* One ASCII character c, as dialect d takes it. */
static void put_ascii(FILE *f, unsigned char c, enum enc_dialect d)
{
    switch (d) {
    case ENC_JSON:
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c < 0x20 || c == 0x7f)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
        break;
    case ENC_XML:
    case ENC_HTML:
        if (c == '&')
            fputs("&amp;", f);
        else if (c == '<')
            fputs("&lt;", f);
        else if (c == '>')
            fputs("&gt;", f);
        else if (c == '"')
            fputs("&quot;", f);
        else if (c == '\'')
            fputs("&#39;", f);
        else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            fputs(REPLACEMENT, f);
        else
            fputc(c, f);
        break;
    case ENC_YAML:
    case ENC_YAML_BLOCK:
    case ENC_TAP_LINE:
        if (c == '\'' && d == ENC_YAML)
            fputs("''", f);
        else if (c == '#' && d == ENC_TAP_LINE)
            fputs("\\#", f);          /* else TAP reads a directive */
        else if (c == '\n' || c == '\t' || c == '\r')
            fputc(' ', f);
        else if (c < 0x20 || c == 0x7f)
            fputs(REPLACEMENT, f);
        else
            fputc(c, f);
        break;
    }
}

/* A code point that acts on a terminal or on how the text around it reads
 * (console.h: C1 controls such as U+009B, a CSI; bidi overrides such as
 * U+202E): JSON carries it as an escape and XML as a character reference,
 * which their readers decode as they were; a page and TAP, read by a
 * person, show its notation instead. */
static void put_hidden(FILE *f, unsigned cp, enum enc_dialect d)
{
    if (d == ENC_JSON && cp > 0xffff)
        fprintf(f, "\\u%04x\\u%04x", 0xd800 + ((cp - 0x10000) >> 10),
                0xdc00 + ((cp - 0x10000) & 0x3ff));
    else if (d == ENC_JSON)
        fprintf(f, "\\u%04x", cp);
    else if (d == ENC_XML)
        fprintf(f, "&#x%x;", cp);
    else
        fprintf(f, cp > 0xffff ? "\\U%08x" : "\\u%04x", cp);
}

/* text (NULL reads as "") as dialect d takes it: valid UTF-8 kept,
 * other bytes replaced, hidden code points escaped or shown. */
void enc_text(FILE *f, const char *text, enum enc_dialect d)
{
    const unsigned char *s = (const unsigned char *)(text ? text : "");

    while (*s) {
        unsigned char c = *s;
        int n = utf8_len(s);

        if (n == 0) {                   /* a byte that is not UTF-8 */
            fputs(d == ENC_JSON ? "\\ufffd" : REPLACEMENT, f);
            s++;
            continue;
        }
        s += n;
        if (n > 1 && con_is_hidden(utf8_cp(s - n, n))) {
            put_hidden(f, utf8_cp(s - n, n), d);
            continue;
        }
        if (n > 1) {
            fwrite(s - n, 1, (size_t)n, f);
            continue;
        }
        put_ascii(f, c, d);
    }
}

void enc_json(FILE *f, const char *s)
{
    fputc('"', f);
    enc_text(f, s, ENC_JSON);
    fputc('"', f);
}

void enc_xml(FILE *f, const char *s)
{
    enc_text(f, s, ENC_XML);
}

/* At most n bytes of s, as XML. */
void enc_xmln(FILE *f, const char *s, size_t n)
{
    char *part = strndup(s, n);

    enc_text(f, part ? part : "", ENC_XML);
    free(part);
}

void enc_html(FILE *f, const char *s)
{
    enc_text(f, s, ENC_HTML);
}

