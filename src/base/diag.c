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

/* Messages quote user text; a crafted key must not put terminal escape
 * sequences on the user's screen. */
static void
sanitise(struct gp_strbuf *sb)
{
    size_t i;

    for (i = 0; i < sb->len; i++) {
        unsigned char c = (unsigned char)sb->buf[i];

        if (c < 0x20 || c == 0x7f)
            sb->buf[i] = '?';
    }
}

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

const char *
gp_diags_source_line(const struct gp_diags *d, const char *file, uint32_t line,
                     size_t *len)
{
    size_t i;

    if (!file || line == 0)
        return NULL;
    for (i = d->n_src; i-- > 0;) {
        const char *p, *end;
        uint32_t l = 1;

        if (strcmp(d->src[i].file, file) != 0)
            continue;
        p = d->src[i].text;
        end = p + d->src[i].len;
        while (l < line && p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));

            if (!nl)
                return NULL;
            p = nl + 1;
            l++;
        }
        if (l != line || p > end)
            return NULL;
        {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

            if (n && p[n - 1] == '\r')
                n--;
            *len = n;
        }
        return p;
    }
    return NULL;
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
    size_t off, i;
    size_t shown = n > 200 ? 200 : n;
    uint32_t width = loc->len ? loc->len : 1, w;
    /* Quote invalid UTF-8 as '?' so the terminal shows what we mean. */
    bool ascii_only;

    /* libyaml does not count a byte-order mark as a column. */
    if (loc->line == 1 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
        line += 3;
        n -= 3;
        shown = n > 200 ? 200 : n;
    }
    ascii_only = !gp_str_printable_utf8(line, n);
    off = byte_offset(line, n, loc->col);

    fprintf(out, "%5u | ", loc->line);
    for (i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)line[i];

        /* Control bytes would garble a terminal; show them as '?'. */
        if (c == '\t')
            c = ' ';
        else if (c < 0x20 || c == 0x7f || (ascii_only && c >= 0x80))
            c = '?';
        fputc(c, out);
    }
    if (shown < n)
        fputs("...", out);
    fputs("\n      | ", out);
    /* One space per character before the column: tabs were printed as one
     * space above, and a multibyte character is one column wide. */
    for (i = 0; i < off && i < shown; i++) {
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
    size_t n, i;

    v = gp_diags_sorted(d, &n);
    for (i = 0; i < n; i++) {
        const struct gp_diag *g = &v[i];
        const char *line;
        size_t len = 0;

        if (!g->loc.file)
            fprintf(out, "gpuplan: ");
        else if (g->loc.line == 0)
            fprintf(out, "%s: ", g->loc.file);
        else
            fprintf(out, "%s:%u:%u: ", g->loc.file, g->loc.line, g->loc.col);
        fprintf(out, "%s: %s", sev_name(g->sev), g->msg);
        if (g->rule)
            fprintf(out, " [%s]", g->rule);
        fputc('\n', out);
        line = gp_diags_source_line(d, g->loc.file, g->loc.line, &len);
        if (line && g->loc.col)
            print_quote(out, line, len, &g->loc);
        if (g->hint)
            fprintf(out, "      = hint: %s\n", g->hint);
    }
    if (d->dropped)
        fprintf(out, "gpuplan: note: %zu more diagnostics not shown\n",
                d->dropped);
}
