/* SPDX-License-Identifier: MIT */
#include "base/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/str.h"
#include "base/strbuf.h"

/* Past this many, further diagnostics are counted, not kept: a hostile file
 * with a million bad keys must not produce a million lines. */
#define GP_DIAGS_MAX 200

struct gp_source {
    const char *file;
    const char *text;
    size_t len;
};

struct gp_diags {
    struct gp_arena *a;
    struct gp_diag *v;
    size_t n, cap;
    size_t errors, warnings, dropped;
    struct gp_source *src;
    size_t n_src, cap_src;
    uint64_t (*inputs)[2];  /* device, inode */
    size_t n_inputs, cap_inputs;
};

struct gp_diags *
gp_diags_new(struct gp_arena *a)
{
    struct gp_diags *d = gp_arena_alloc(a, sizeof(*d));

    d->a = a;
    return d;
}

void
gp_diags_add_source(struct gp_diags *d, const char *file, const char *text,
                    size_t len)
{
    if (d->n_src == d->cap_src) {
        size_t cap = d->cap_src ? d->cap_src * 2 : 8;

        d->src = gp_arena_grow(d->a, d->src, d->n_src, cap, sizeof(*d->src));
        d->cap_src = cap;
    }
    d->src[d->n_src].file = file;
    d->src[d->n_src].text = text;
    d->src[d->n_src].len = len;
    d->n_src++;
}

void
gp_diags_add_input(struct gp_diags *d, uint64_t dev, uint64_t ino)
{
    if (gp_diags_is_input(d, dev, ino))
        return;
    if (d->n_inputs == d->cap_inputs) {
        size_t cap = d->cap_inputs ? d->cap_inputs * 2 : 8;

        d->inputs = gp_arena_grow(d->a, d->inputs, d->n_inputs, cap,
                                  sizeof(*d->inputs));
        d->cap_inputs = cap;
    }
    d->inputs[d->n_inputs][0] = dev;
    d->inputs[d->n_inputs][1] = ino;
    d->n_inputs++;
}

bool
gp_diags_is_input(const struct gp_diags *d, uint64_t dev, uint64_t ino)
{
    size_t i;

    for (i = 0; i < d->n_inputs; i++) {
        if (d->inputs[i][0] == dev && d->inputs[i][1] == ino)
            return true;
    }
    return false;
}

/* Bytes of a character at p that must not reach a terminal as it is, or
 * 0: C0 controls and DEL (escape sequences), the C1 controls U+0080 to
 * U+009F (U+009B opens an escape sequence on some terminals), and the
 * Unicode bidirectional controls that make a line read differently from
 * what it holds ("Trojan Source": U+061C, U+200E, U+200F, U+202A to U+202E,
 * U+2066 to U+2069). */
static size_t
unsafe_at(const unsigned char *p, size_t left)
{
    if (p[0] < 0x20 || p[0] == 0x7f)
        return 1;
    if (left >= 2 && p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
        return 2;
    if (left >= 2 && p[0] == 0xD8 && p[1] == 0x9C)
        return 2;
    if (left >= 3 && p[0] == 0xE2 && p[1] == 0x80 &&
        (p[2] == 0x8E || p[2] == 0x8F || (p[2] >= 0xAA && p[2] <= 0xAE)))
        return 3;
    if (left >= 3 && p[0] == 0xE2 && p[1] == 0x81 && p[2] >= 0xA6 &&
        p[2] <= 0xA9)
        return 3;
    return 0;
}

/* Messages quote user text; a crafted key must not put terminal escape
 * sequences, or text that reads backwards, on the user's screen. Each such
 * character becomes one '?'. */
static void
sanitise(struct gp_strbuf *sb)
{
    size_t i, o = 0;

    for (i = 0; i < sb->len;) {
        size_t w = unsafe_at((const unsigned char *)sb->buf + i, sb->len - i);

        if (w) {
            sb->buf[o++] = '?';
            i += w;
        } else {
            sb->buf[o++] = sb->buf[i++];
        }
    }
    sb->len = o;
    sb->buf[o] = '\0';
}

static void record(struct gp_diags *d, enum gp_severity sev,
                   struct gp_loc at, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static void
record(struct gp_diags *d, enum gp_severity sev, struct gp_loc at,
       const char *fmt, va_list ap)
{
    struct gp_strbuf sb = GP_STRBUF_INIT;
    struct gp_diag *g;

    if (sev == GP_SEV_ERROR)
        d->errors++;
    else if (sev == GP_SEV_WARNING)
        d->warnings++;
    if (d->n >= GP_DIAGS_MAX) {
        d->dropped++;
        return;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;

        d->v = gp_arena_grow(d->a, d->v, d->n, cap, sizeof(*d->v));
        d->cap = cap;
    }
    gp_strbuf_vprintf(&sb, fmt, ap);
    sanitise(&sb);
    g = &d->v[d->n];
    memset(g, 0, sizeof(*g));
    g->sev = sev;
    g->loc = at;
    /* The location's file name is copied: callers often name a file held
     * in a buffer they free before the diagnostics are printed. */
    if (at.file)
        g->loc.file = gp_arena_strdup(d->a, at.file);
    g->msg = gp_arena_strndup(d->a, sb.buf, sb.len);
    g->seq = (uint32_t)d->n;
    d->n++;
    gp_strbuf_release(&sb);
}

int
gp_error_at(struct gp_diags *d, struct gp_loc at, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    record(d, GP_SEV_ERROR, at, fmt, ap);
    va_end(ap);
    return -1;
}

int
gp_warning_at(struct gp_diags *d, struct gp_loc at, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    record(d, GP_SEV_WARNING, at, fmt, ap);
    va_end(ap);
    return 0;
}

void
gp_note_at(struct gp_diags *d, struct gp_loc at, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    record(d, GP_SEV_NOTE, at, fmt, ap);
    va_end(ap);
}

static struct gp_diag *
last(struct gp_diags *d)
{
    /* A dropped diagnostic takes its hint with it. */
    if (d->dropped || d->n == 0)
        return NULL;
    return &d->v[d->n - 1];
}

void
gp_diag_hint(struct gp_diags *d, const char *fmt, ...)
{
    struct gp_diag *g = last(d);
    struct gp_strbuf sb = GP_STRBUF_INIT;
    va_list ap;

    if (!g)
        return;
    va_start(ap, fmt);
    gp_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    sanitise(&sb);
    g->hint = gp_arena_strndup(d->a, sb.buf, sb.len);
    gp_strbuf_release(&sb);
}

void
gp_diag_rule(struct gp_diags *d, const char *rule)
{
    struct gp_diag *g = last(d);

    if (g)
        g->rule = rule;
}

void
gp_diags_reset(struct gp_diags *d)
{
    d->n = 0;
    d->errors = d->warnings = d->dropped = 0;
}

size_t
gp_diags_errors(const struct gp_diags *d)
{
    return d->errors;
}

size_t
gp_diags_warnings(const struct gp_diags *d)
{
    return d->warnings;
}

size_t
gp_diags_dropped(const struct gp_diags *d)
{
    return d->dropped;
}

static int
cmp_diag(const void *pa, const void *pb)
{
    const struct gp_diag *a = pa, *b = pb;
    int c;

    if (!a->loc.file != !b->loc.file)
        return a->loc.file ? 1 : -1;
    if (a->loc.file && (c = strcmp(a->loc.file, b->loc.file)) != 0)
        return c;
    if (a->loc.line != b->loc.line)
        return a->loc.line < b->loc.line ? -1 : 1;
    if (a->loc.col != b->loc.col)
        return a->loc.col < b->loc.col ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

const struct gp_diag *
gp_diags_sorted(struct gp_diags *d, size_t *n)
{
    if (d->n)
        qsort(d->v, d->n, sizeof(*d->v), cmp_diag);
    *n = d->n;
    return d->v;
}

/* Bytes of the line break at p, or 0. Breaks are libyaml's, so that lines
 * are counted as its positions count them: LF, CR, CRLF, and the Unicode
 * NEL, LS and PS. */
static size_t
break_at(const char *p, const char *end)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t left = (size_t)(end - p);

    if (u[0] == '\n')
        return 1;
    if (u[0] == '\r')
        return left > 1 && u[1] == '\n' ? 2 : 1;
    if (left > 1 && u[0] == 0xC2 && u[1] == 0x85)
        return 2;
    if (left > 2 && u[0] == 0xE2 && u[1] == 0x80 &&
        (u[2] == 0xA8 || u[2] == 0xA9))
        return 3;
    return 0;
}

/* The start of the line after the one at p (end when none). OUT: *n, the
 * length of the line at p, without its break. */
static const char *
next_line(const char *p, const char *end, size_t *n)
{
    const char *q;

    for (q = p; q < end; q++) {
        unsigned char c = (unsigned char)*q;
        size_t w;

        if (c != '\n' && c != '\r' && c != 0xC2 && c != 0xE2)
            continue;
        w = break_at(q, end);
        if (w) {
            *n = (size_t)(q - p);
            return q + w;
        }
    }
    *n = (size_t)(end - p);
    return NULL;
}

/* Where gp_diags_print last found a line: diagnostics come sorted, so each
 * search goes on from there and printing costs one pass over each file. */
struct line_cursor {
    const struct gp_source *src;
    const char *p;
    uint32_t line;
};

static const char *
find_line(const struct gp_diags *d, const char *file, uint32_t line,
          size_t *len, struct line_cursor *cur)
{
    const struct gp_source *src = NULL;
    const char *p, *end;
    uint32_t l = 1;
    size_t i, n;

    if (!file || line == 0)
        return NULL;
    for (i = d->n_src; i-- > 0;) {
        if (strcmp(d->src[i].file, file) == 0) {
            src = &d->src[i];
            break;
        }
    }
    if (!src)
        return NULL;
    p = src->text;
    end = p + src->len;
    if (cur && cur->src == src && cur->p && cur->line <= line) {
        p = cur->p;
        l = cur->line;
    }
    while (l < line) {
        const char *nx = next_line(p, end, &n);

        if (!nx) {
            /* No such line: the next search starts at the last one. */
            if (cur) {
                cur->src = src;
                cur->p = p;
                cur->line = l;
            }
            return NULL;
        }
        p = nx;
        l++;
    }
    if (cur) {
        cur->src = src;
        cur->p = p;
        cur->line = l;
    }
    next_line(p, end, len);
    return p;
}

const char *
gp_diags_source_line(const struct gp_diags *d, const char *file, uint32_t line,
                     size_t *len)
{
    return find_line(d, file, line, len, NULL);
}

/* Byte offset of the col-th character (1-based) of a UTF-8 line. */
static size_t
byte_offset(const char *s, size_t n, uint32_t col)
{
    size_t i = 0;
    uint32_t c = 1;

    while (i < n && c < col) {
        unsigned char ch = (unsigned char)s[i];

        if (ch < 0x80)
            i += 1;
        else if ((ch & 0xE0) == 0xC0)
            i += 2;
        else if ((ch & 0xF0) == 0xE0)
            i += 3;
        else
            i += 4;
        c++;
    }
    return i < n ? i : n;
}

/* A file name as the user may have been given it: from a directory listing
 * (--models DIR), so its characters are sanitised like messages. */
static void
print_safe(FILE *out, const char *s)
{
    size_t i, n = strlen(s);

    for (i = 0; i < n;) {
        size_t w = unsafe_at((const unsigned char *)s + i, n - i);

        if (w) {
            fputc('?', out);
            i += w;
        } else {
            fputc(s[i++], out);
        }
    }
}

static const char *
sev_name(enum gp_severity s)
{
    switch (s) {
    case GP_SEV_ERROR:
        return "error";
    case GP_SEV_WARNING:
        return "warning";
    case GP_SEV_NOTE:
        return "note";
    }
    return "error";
}

static void
print_quote(FILE *out, const char *line, size_t n, const struct gp_loc *loc)
{
    size_t off, i, start = 0, stop;
    uint32_t width = loc->len ? loc->len : 1, w;
    /* Quote invalid UTF-8 as '?' so the terminal shows what we mean. */
    bool ascii_only;

    /* libyaml does not count a byte-order mark as a column. */
    if (loc->line == 1 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
        line += 3;
        n -= 3;
    }
    ascii_only = !gp_str_printable_utf8(line, n);
    off = byte_offset(line, n, loc->col);
    /* 200 bytes of the line; far into a long line, those around the
     * column (from a character's first byte). */
    if (off > 150) {
        start = off - 100;
        while (start > 0 && !ascii_only &&
               ((unsigned char)line[start] & 0xC0) == 0x80)
            start--;
    }
    stop = n - start > 200 ? start + 200 : n;

    fprintf(out, "%5u | %s", loc->line, start ? "..." : "");
    for (i = start; i < stop; i++) {
        unsigned char c = (unsigned char)line[i];
        size_t bad = unsafe_at((const unsigned char *)line + i, n - i);

        /* Controls would garble a terminal; show them as '?' (one column,
         * as the character was). */
        if (c == '\t') {
            c = ' ';
        } else if (bad > 1 && !ascii_only) {
            fputc('?', out);
            i += bad - 1;
            continue;
        } else if (bad || (ascii_only && c >= 0x80)) {
            c = '?';
        }
        fputc(c, out);
    }
    if (stop < n)
        fputs("...", out);
    fprintf(out, "\n      | %s", start ? "   " : "");
    /* One space per character before the column: tabs were printed as one
     * space above, and a multibyte character is one column wide. */
    for (i = start; i < off && i < stop; i++) {
        if (ascii_only || ((unsigned char)line[i] & 0xC0) != 0x80)
            fputc(' ', out);
    }
    fputc('^', out);
    for (w = 1; w < width && w < 80; w++)
        fputc('~', out);
    fputc('\n', out);
}

void
gp_diags_print(struct gp_diags *d, FILE *out)
{
    const struct gp_diag *v;
    struct line_cursor cur = {NULL, NULL, 0};
    size_t n, i;

    v = gp_diags_sorted(d, &n);
    for (i = 0; i < n; i++) {
        const struct gp_diag *g = &v[i];
        const char *line;
        size_t len = 0;

        if (!g->loc.file) {
            fprintf(out, "gpuplan: ");
        } else {
            print_safe(out, g->loc.file);
            if (g->loc.line == 0)
                fprintf(out, ": ");
            else
                fprintf(out, ":%u:%u: ", g->loc.line, g->loc.col);
        }
        fprintf(out, "%s: %s", sev_name(g->sev), g->msg);
        if (g->rule)
            fprintf(out, " [%s]", g->rule);
        fputc('\n', out);
        line = find_line(d, g->loc.file, g->loc.line, &len, &cur);
        if (line && g->loc.col)
            print_quote(out, line, len, &g->loc);
        if (g->hint)
            fprintf(out, "      = hint: %s\n", g->hint);
    }
    if (d->dropped)
        fprintf(out, "gpuplan: note: %zu more diagnostics not shown\n",
                d->dropped);
}
