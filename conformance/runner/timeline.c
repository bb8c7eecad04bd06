/*
 * timeline.c - a failing scenario's trace drawn as an inline SVG timeline
 * (timeline.h) for results.html.  Prefix timeline_.  It reads the trace
 * as sim/trace.c writes it ("MS.US it=N in=OP KIND REST"); lines it does
 * not know (stderr, the client's) are left out of the picture, not out of
 * the report, which shows the trace as text beside it.  Every piece of
 * text from the trace goes through encode.c.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "scenario.h"
#include "timeline.h"

#define MAX_LANES   24              /* the loop's and 23 registrations' */
#define MAX_MARKS   1500            /* a long trace is cut short */
#define MAX_WINDOWS 8
#define WIDTH       960
#define LEFT        110             /* lane names */
#define LANE_H      20
#define TOP         14

/* One mark on a lane: K is its kind (a add, u update, r remove, c
 * callback, f free callback, x a failure found, m a mark, w a failed
 * wait, i an iteration begins, s a wait: t to t2). */
struct mark {
    double t, t2;
    int it, lane;
    char kind;
    char *line;
};

struct window {
    int lane;
    double from, to;
};

struct picture {
    struct mark marks[MAX_MARKS];
    int nmarks;
    char *lanes[MAX_LANES];         /* lanes[0] is the loop */
    int nlanes;
    bool cut;                       /* marks or lanes left out */
    double tmax;
    int itmax;
    bool by_iteration;              /* virtual time stood still */
    struct window windows[MAX_WINDOWS];
    int nwindows;
};

/* The lane of registration name (added if new), or -1 if there are too
 * many. */
static int lane_of(struct picture *p, const char *name, size_t len)
{
    for (int i = 1; i < p->nlanes; i++)
        if (strlen(p->lanes[i]) == len && !strncmp(p->lanes[i], name, len))
            return i;
    if (p->nlanes == MAX_LANES) {
        p->cut = true;
        return -1;
    }
    p->lanes[p->nlanes] = strndup(name, len);
    return p->lanes[p->nlanes] ? p->nlanes++ : -1;
}

static void add_mark(struct picture *p, const struct mark *m, const char *line,
                     size_t len)
{
    if (p->nmarks == MAX_MARKS) {
        p->cut = true;
        return;
    }
    p->marks[p->nmarks] = *m;
    p->marks[p->nmarks++].line = strndup(line, len);
}

/* The kind of mark a trace line's KIND and REST make, and the lane it
 * goes on (*name, *nlen: the registration's name; none for the loop's). */
static char kind_of(const char *kind, size_t klen, const char *rest,
                    const char **name, size_t *nlen)
{
    static const struct { const char *word, *op; char k; } kinds[] = {
        { "cb", NULL, 'c' }, { "ff", NULL, 'f' }, { "op", "add_", 'a' },
        { "op", "update_", 'u' }, { "op", "remove_", 'r' },
        { "FAIL", NULL, 'x' }, { "mark", NULL, 'm' }, { "wait", NULL, 'w' },
    };

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strlen(kinds[i].word) != klen || strncmp(kind, kinds[i].word, klen) ||
            (kinds[i].op && strncmp(rest, kinds[i].op, strlen(kinds[i].op))))
            continue;
        *name = rest;
        if (kinds[i].op)                        /* "add_timeout T 5 => 1" */
            *name = rest + strcspn(rest, " ") + (rest[strcspn(rest, " ")] == ' ');
        *nlen = strcspn(*name, " \n");
        return kinds[i].k;
    }
    return 0;
}

/* One trace line into p: its mark, an iteration's start, a wait. */
static void take_line(struct picture *p, const char *line, size_t len,
                      double *last_t, int *last_it)
{
    struct mark m = { .lane = 0 };
    const char *name = NULL, *rest;
    size_t nlen = 0;
    int klen = 0, at = 0;

    if (sscanf(line, "%lf it=%d in=%*s %n%*s%n", &m.t, &m.it, &at, &klen) < 2 ||
        !at || klen <= at)
        return;
    rest = line + klen + (line[klen] == ' ');
    m.kind = kind_of(line + at, (size_t)(klen - at), rest, &name, &nlen);
    if (m.t > *last_t) {                        /* the loop waited */
        struct mark w = { *last_t, m.t, m.it, 0, 's', NULL };
        add_mark(p, &w, "", 0);
    }
    if (m.it > *last_it) {
        struct mark it = { m.t, m.t, m.it, 0, 'i', NULL };
        add_mark(p, &it, "", 0);
    }
    *last_t = m.t > *last_t ? m.t : *last_t;
    *last_it = m.it > *last_it ? m.it : *last_it;
    p->tmax = *last_t;
    p->itmax = *last_it;
    if (!m.kind)
        return;
    if (strchr("acfur", m.kind) && (m.lane = lane_of(p, name, nlen)) < 0)
        return;
    add_mark(p, &m, line, len);
}

/* Whether mark m is what anchor names: "A" a mark A; "update(T)" (open
 * at its '(') an update of T; add( and remove( alike. */
static bool is_anchor(const struct picture *p, const struct mark *m,
                      const char *anchor, const char *open)
{
    const char *w = m->line ? strstr(m->line, open ? " op " : " mark ") : NULL;
    size_t nl = open ? strcspn(open + 1, ")") : 0;

    if (!w)
        return false;
    if (!open)
        return m->kind == 'm' && !strcmp(w + 6, anchor);
    return strchr("aur", m->kind) && !strncmp(w + 4, anchor, (size_t)(open - anchor)) &&
           strlen(p->lanes[m->lane]) == nl && !strncmp(p->lanes[m->lane], open + 1, nl);
}

/* The time of a window's end VALUE: a number, a mark, add(X), update(X)
 * or remove(X) (the last such call in the trace), +N or -N after it;
 * false if the trace does not say. */
static bool value_time(const struct picture *p, const char *v, size_t len,
                       double *t)
{
    char buf[96], *sign;
    double off = 0;

    if (len >= sizeof(buf))
        return false;
    snprintf(buf, sizeof(buf), "%.*s", (int)len, v);
    if ((buf[0] >= '0' && buf[0] <= '9') || buf[0] == '-')
        return (*t = atof(buf)), true;
    if ((sign = strpbrk(buf, "+-"))) {
        off = atof(sign);
        *sign = '\0';
    }
    for (int i = p->nmarks - 1; i >= 0; i--)
        if (is_anchor(p, &p->marks[i], buf, strchr(buf, '('))) {
            *t = p->marks[i].t + off;
            return true;
        }
    return false;
}

/* The window a failure line expected a callback or free callback of some
 * registration in ("line 9: expect call T #1 at ~U+50; but ..."), into
 * p->windows. */
static void take_window(struct picture *p, const char *msg)
{
    const char *x = strstr(msg, "expect "), *at, *name, *end, *dots;
    struct window w;
    double a, b;
    size_t vlen;

    if (!x || p->nwindows == MAX_WINDOWS || !(at = strstr(x, " at ")) ||
        (strncmp(x + 7, "call ", 5) && strncmp(x + 7, "free ", 5)))
        return;
    name = x + 12;
    if ((w.lane = lane_of(p, name, strcspn(name, " "))) < 0)
        return;
    at += 4;
    end = at + strcspn(at, ";[");
    while (end > at && end[-1] == ' ')
        end--;
    vlen = (size_t)(end - at);
    if (*at == '~' && value_time(p, at + 1, vlen - 1, &a))
        w.from = a - SCENARIO_EARLY_MS, w.to = a + SCENARIO_LATE_MS;
    else if ((dots = strstr(at, "..")) && dots < end && value_time(p, at, (size_t)(dots - at), &a) &&
             value_time(p, dots + 2, (size_t)(end - dots - 2), &b))
        w.from = a, w.to = b;
    else if (*at == '<' && value_time(p, at + 2 + (at[1] == '='), vlen - 2 - (at[1] == '='), &b))
        w.from = 0, w.to = b;
    else if (*at == '>' && value_time(p, at + 2 + (at[1] == '='), vlen - 2 - (at[1] == '='), &a))
        w.from = a, w.to = a > p->tmax ? a : p->tmax;
    else if (*at == '=' && value_time(p, at + 2, vlen - 2, &a))
        w.from = w.to = a;
    else if (value_time(p, at, vlen, &a))
        w.from = w.to = a;
    else
        return;
    p->windows[p->nwindows++] = w;
}

/* The x of time t (iteration it when time stood still). */
static double x_of(const struct picture *p, double t, int it)
{
    double span = p->by_iteration ? (p->itmax ? p->itmax : 1)
                                  : (p->tmax > 0 ? p->tmax : 1);
    double v = p->by_iteration ? it : t;

    return LEFT + (WIDTH - LEFT - 20) * (v < 0 ? 0 : v > span ? span : v) / span;
}

/* The lanes, their names and the axis with its ends. */
static void draw_frame(FILE *f, const struct picture *p, int height)
{
    fprintf(f, "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" "
            "width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
            "font-size=\"11\">\n", WIDTH, height);
    for (int i = 0; i < p->nlanes; i++) {
        int y = TOP + i * LANE_H;
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
                "<text x=\"4\" y=\"%d\">", LEFT, y, WIDTH - LEFT - 20, LANE_H,
                i % 2 ? "#f4f4f4" : "#fafafa", y + 14);
        enc_html(f, p->lanes[i]);
        fputs("</text>\n", f);
    }
    for (int q = 0; q < 4; q++) {           /* the axis in quarters */
        double v = (p->by_iteration ? p->itmax : p->tmax) * q / 4;
        double x = p->by_iteration ? x_of(p, 0, (int)v) : x_of(p, v, 0);
        if (p->by_iteration && q && (int)v == (int)(p->itmax * (q - 1) / 4.0))
            continue;                       /* whole iterations, once each */
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
                "stroke=\"#ccc\"/><text x=\"%.1f\" y=\"%d\">%.*f</text>\n", x, TOP,
                x, height - 14, x, height - 3, p->by_iteration ? 0 : 1,
                p->by_iteration ? (int)v : v);
    }
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s %.*f%s</text>\n",
            WIDTH - 20, height - 3, p->by_iteration ? "iteration" : "",
            p->by_iteration ? 0 : 1, p->by_iteration ? p->itmax : p->tmax,
            p->by_iteration ? " (virtual time stood still)" : " ms virtual time");
}

/* A mark as its shape, with its trace line as a tooltip. */
static void draw_mark(FILE *f, const struct picture *p, const struct mark *m)
{
    double x = x_of(p, m->t, m->it);
    int y = TOP + m->lane * LANE_H + LANE_H / 2, bottom = TOP + p->nlanes * LANE_H;

    if (m->kind == 's')
        fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"6\" "
                "fill=\"#9ab\"><title>wait</title></rect>\n", x, y - 3,
                x_of(p, m->t2, m->it) - x);
    else if (m->kind == 'i')
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
                "stroke=\"#555\"/>\n", x, y - 7, x, y + 7);
    if (m->kind == 's' || m->kind == 'i')
        return;
    fputs("<g><title>", f);
    enc_html(f, m->line);
    fputs("</title>", f);
    if (m->kind == 'x' || m->kind == 'm')
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
                "stroke-dasharray=\"%s\"/>", x, TOP, x, bottom,
                m->kind == 'x' ? "#d00" : "#888", m->kind == 'x' ? "none" : "3,3");
    else if (m->kind == 'c')
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%d\" r=\"4\" fill=\"#16c\"/>", x, y);
    else if (m->kind == 'f')
        fprintf(f, "<path d=\"M%.1f %dl5 5l-5 5l-5 -5z\" fill=\"none\" "
                "stroke=\"#a0a\" stroke-width=\"1.5\"/>", x, y - 5);
    else if (m->kind == 'w')
        fprintf(f, "<path d=\"M%.1f %dl5 9h-10z\" fill=\"#e80\"/>", x, y - 5);
    else
        fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"6\" height=\"8\" fill=\"%s\"/>",
                x - 3, y - 4,
                m->kind == 'a' ? "#2a2" : m->kind == 'u' ? "#cc0" : "#d00");
    fputs("</g>\n", f);
}

/* The legend under the picture. */
static void draw_legend(FILE *f, const struct picture *p)
{
    fputs("<p class=\"legend\"><span style=\"color:#2a2\">&#9632;</span> add "
          "<span style=\"color:#cc0\">&#9632;</span> update "
          "<span style=\"color:#d00\">&#9632;</span> remove "
          "<span style=\"color:#16c\">&#9679;</span> callback "
          "<span style=\"color:#a0a\">&#9671;</span> free callback "
          "<span style=\"color:#9ab\">&#9644;</span> the loop waits, | an "
          "iteration begins, <span style=\"color:#e80\">&#9650;</span> a wait "
          "fails, <span style=\"color:#d00\">|</span> a failure found, "
          "<span style=\"background:#fc9\">&#160;&#160;</span> the window a "
          "failure line expected", f);
    fputs(p->cut ? "; the trace is longer than the picture.</p>\n" : ".</p>\n", f);
}

static void free_picture(struct picture *p)
{
    for (int i = 0; i < p->nmarks; i++)
        free(p->marks[i].line);
    for (int i = 1; i < p->nlanes; i++)
        free(p->lanes[i]);
    free(p);
}

void timeline_svg(FILE *f, const struct result *r, int k)
{
    struct picture *p;
    double last_t = 0;
    int last_it = 0, height;

    if (r->trace && *r->trace && k >= TIMELINE_PAGE_MAX)
        fprintf(f, "<p>(no timeline: the page draws the first %d failing "
                "scenarios' only)</p>\n", TIMELINE_PAGE_MAX);
    if (!r->trace || !*r->trace || k >= TIMELINE_PAGE_MAX ||
        !(p = calloc(1, sizeof(*p))))
        return;
    p->lanes[0] = "loop";
    p->nlanes = 1;
    for (const char *l = r->trace; *l;) {
        size_t len = strcspn(l, "\n");
        take_line(p, l, len, &last_t, &last_it);
        l += len + (l[len] == '\n');
    }
    p->by_iteration = p->tmax <= 0;
    for (int k = 0; k < r->nfailures; k++)
        take_window(p, r->failures[k].message);
    height = TOP + p->nlanes * LANE_H + 16;
    draw_frame(f, p, height);
    for (int i = 0; i < p->nwindows && !p->by_iteration; i++) {
        double x1 = x_of(p, p->windows[i].from, 0), x2 = x_of(p, p->windows[i].to, 0);
        fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                "fill=\"#fc9\" opacity=\"0.8\"><title>expected here</title></rect>\n",
                x1 - 1, TOP + p->windows[i].lane * LANE_H, x2 - x1 + 2, LANE_H);
    }
    for (int i = 0; i < p->nmarks; i++)
        draw_mark(f, p, &p->marks[i]);
    fputs("</svg>\n", f);
    draw_legend(f, p);
    free_picture(p);
}
