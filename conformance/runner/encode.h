/*
 * encode.h - text from outside written into the report files.  Prefix
 * enc_.
 */
#ifndef EVCONF_ENCODE_H
#define EVCONF_ENCODE_H

#include <stddef.h>
#include <stdio.h>

/* How text goes into each report: every report is valid UTF-8 whatever
 * bytes a trace or an implementation's name holds. */
enum enc_dialect {
    ENC_JSON,           /* inside "..." */
    ENC_XML,            /* element text or attribute value */
    ENC_HTML,           /* the same, in a page a browser lays out */
    ENC_YAML,           /* inside '...' (TAP's YAML blocks): one line */
    ENC_YAML_BLOCK,     /* a line of a literal block (|) in one: as is,
                           quotes and '#' included, controls replaced */
    ENC_TAP_LINE,       /* a test line's description or a comment: one line */
};

void enc_text(FILE *f, const char *text, enum enc_dialect d);
/* A JSON string, quotes included. */
void enc_json(FILE *f, const char *s);
/* XML element text or attribute value. */
void enc_xml(FILE *f, const char *s);
/* At most n bytes of s, as XML. */
void enc_xmln(FILE *f, const char *s, size_t n);
/* Text in an HTML page. */
void enc_html(FILE *f, const char *s);

#endif
