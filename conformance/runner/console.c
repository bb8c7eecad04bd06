/*
 * console.c - text from outside, shown on a terminal as it is, never
 * obeyed, or pasted into a shell as one word (console.h).  Prefix con_.
 * What the runner prints with it (failures, progress, the summary) is
 * show.c's.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"

/* Code points a terminal acts on or that change how the text around them
 * reads, though they are valid UTF-8: C1 controls (U+009B is a CSI of its
 * own), bidi marks, embeddings, overrides and isolates, zero-width and
 * invisible formatting characters, line and paragraph separators,
 * interlinear annotations, the BOM and the tag characters. */
static const struct { unsigned lo, hi; } hidden[] = {
    { 0x80, 0x9f }, { 0xad, 0xad }, { 0x61c, 0x61c }, { 0x180e, 0x180e },
    { 0x200b, 0x200f }, { 0x2028, 0x202e }, { 0x2060, 0x206f },
    { 0xfeff, 0xfeff }, { 0xfff9, 0xfffb }, { 0xe0000, 0xe007f },
};

/* ASCII controls with a name of their own in C; the rest are \xHH. */
static const char *const c_names[0x20] = {
    ['\a'] = "\\a", ['\b'] = "\\b", ['\t'] = "\\t", ['\n'] = "\\n",
    ['\v'] = "\\v", ['\f'] = "\\f", ['\r'] = "\\r",
};

/* The length (1 to 4) of the valid UTF-8 sequence at s, at most n bytes
 * long, and its code point; 0 if the bytes there are not one (overlong
 * forms and surrogates included). */
static int utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
    int len = s[0] < 0x80                    ? 1
              : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
              : s[0] >= 0xe0 && s[0] <= 0xef ? 3
              : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
                                             : 0;

    if (len == 0 || (size_t)len > n)
        return 0;
    *cp = len == 1 ? s[0] : s[0] & (0x7f >> len);
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        *cp = *cp << 6 | (s[i] & 0x3f);
    }
    if ((len == 3 && (*cp < 0x800 || (*cp >= 0xd800 && *cp <= 0xdfff))) ||
        (len == 4 && (*cp < 0x10000 || *cp > 0x10ffff)))
        return 0;
    return len;
}

bool con_is_hidden(unsigned cp)
{
    for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
        if (cp >= hidden[i].lo && cp <= hidden[i].hi)
            return true;
    return false;
}

/* How the character at s shows: its notation in note (NUL-terminated)
 * and the bytes it takes in *used; or note empty and the bytes copied as
 * they are. */
static void notation(const unsigned char *s, size_t n, char note[16],
                     size_t *used)
{
    unsigned cp = 0;
    int len = utf8_decode(s, n, &cp);
    bool control = len == 1 && (cp < 0x20 || cp == 0x7f) && cp != '\t';

    note[0] = '\0';
    *used = len ? (size_t)len : 1;
    if (len == 0)
        snprintf(note, 16, "\\x%02x", s[0]);
    else if (control && cp < 0x20 && c_names[cp])
        snprintf(note, 16, "%s", c_names[cp]);
    else if (control)
        snprintf(note, 16, "\\x%02x", cp);
    else if (len > 1 && con_is_hidden(cp))
        snprintf(note, 16, cp > 0xffff ? "\\U%08x" : "\\u%04x", cp);
}

/* Escape n bytes of s into buf of len bytes; stops before a character
 * that would not fit whole. */
static void escape(char *buf, size_t len, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    size_t out = 0;

    while (p < end && *p) {
        char note[16];
        size_t used, w;
        size_t avail = (size_t)(end - p);
        notation(p, avail, note, &used);
        w = note[0] ? strlen(note) : used;
        if (out + w + 1 > len)
            break;
        memcpy(buf + out, note[0] ? (const unsigned char *)note : p, w);
        out += w;
        p += used;
    }
    buf[out] = '\0';
}

char *con_esc_into(char *buf, size_t len, const char *s)
{
    escape(buf, len, s ? s : "", s ? strlen(s) : 0);
    return buf;
}

const char *con_escn(const char *s, size_t n)
{
    static char *slot[CON_SLOTS];
    static unsigned next;
    size_t len;
    char *buf;

    if (!s)
        s = "", n = 0;
    n = strnlen(s, n);
    len = n * 10 + 1;                   /* \U000e0001 from 4 bytes; \xff from 1 */
    buf = malloc(len);
    if (!buf)
        return "(out of memory)";
    escape(buf, len, s, n);
    free(slot[next]);
    slot[next] = buf;
    next = (next + 1) % CON_SLOTS;
    return buf;
}

const char *con_esc(const char *s)
{
    return con_escn(s, s ? strlen(s) : 0);
}

/* s as one shell word: as it is if that is safe, else single-quoted, so
 * that a rerun line pastes into a shell whatever the paths hold. */
const char *con_shell_word(const char *s, char *buf, size_t len)
{
    size_t n = 0;

    if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "0123456789_./:=+,@%-") == strlen(s))
        return s;
    buf[n++] = '\'';
    for (; *s && n + 5 < len; s++) {
        if (*s == '\'') {
            memcpy(buf + n, "'\\''", 4);
            n += 4;
        } else {
            buf[n++] = *s;
        }
    }
    buf[n++] = '\'';
    buf[n] = '\0';
    return buf;
}
