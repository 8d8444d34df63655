/* SPDX-License-Identifier: MIT */
/* report/markup.c: the HTML and Markdown spellings of the report's tables,
 * lists and inline marks. */
#include "report/markup.h"

#include <assert.h>
#include <string.h>

#include "base/strbuf.h"
#include "report/report.h"
#include "report/svg.h"

/* Opening and closing text of each span, per format. */
static const char *const spans[][2][2] = {
    [GP_MARKUP_STRONG] = {{"<b>", "</b>"}, {"", ""}},
    [GP_MARKUP_CODE] = {{"<code>", "</code>"}, {"", ""}},
    [GP_MARKUP_SUB] = {{"<span class=\"sub\">", "</span>"}, {"", ""}},
    [GP_MARKUP_ALERT] = {{"<span class=\"flag bad\">", "</span>"}, {"(", ")"}},
};

void
gp_markup_init(struct gp_markup *m, struct gp_strbuf *o,
               enum gp_markup_format fmt)
{
    m->o = o;
    m->fmt = fmt;
    m->depth = 0;
    m->line_open = false;
    m->table = NULL;
    m->col = 0;
}

/* Escapes with a backslash what could start markup or end a table cell
 * anywhere but at the start of a line (user strings never start one);
 * line breaks become spaces, other control characters '?'. */
static void
md_escape(struct gp_strbuf *o, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '\n' || c == '\r' || c == '\t') {
            gp_strbuf_putc(o, ' ');
        } else if (c < 0x20 || c == 0x7f) {
            gp_strbuf_putc(o, '?');
        } else if (strchr("\\`*_[]<>|~&", c)) {
            gp_strbuf_putc(o, '\\');
            gp_strbuf_putc(o, (char)c);
        } else {
            gp_strbuf_putc(o, (char)c);
        }
    }
}

void
gp_markup_text(struct gp_markup *m, const char *s)
{
    if (m->fmt == GP_MARKUP_HTML)
        gp_svg_escape(m->o, s);
    else
        md_escape(m->o, s);
}

void
gp_markup_open(struct gp_markup *m, enum gp_markup_span s)
{
    gp_strbuf_puts(m->o, spans[s][m->fmt][0]);
}

void
gp_markup_close(struct gp_markup *m, enum gp_markup_span s)
{
    gp_strbuf_puts(m->o, spans[s][m->fmt][1]);
}

void
gp_markup_span(struct gp_markup *m, enum gp_markup_span s, const char *text)
{
    gp_markup_open(m, s);
    gp_markup_text(m, text);
    gp_markup_close(m, s);
}

void
gp_markup_link(struct gp_markup *m, const char *anchor, const char *text)
{
    if (m->fmt == GP_MARKUP_HTML)
        gp_strbuf_printf(m->o, "<a href=\"#%s\">", anchor);
    gp_markup_text(m, text);
    if (m->fmt == GP_MARKUP_HTML)
        gp_strbuf_puts(m->o, "</a>");
}

void
gp_markup_br(struct gp_markup *m)
{
    gp_strbuf_puts(m->o, m->fmt == GP_MARKUP_HTML ? "<br>" : "; ");
}

void
gp_markup_flags(struct gp_markup *m, unsigned flags)
{
    unsigned f;

    if (!flags) {
        gp_strbuf_puts(m->o, "none");
        return;
    }
    if (m->fmt == GP_MARKUP_MD) {
        gp_report_flags_text(m->o, flags);
        return;
    }
    for (f = 1; f <= GP_REPORT_UNSTABLE; f <<= 1)
        if (flags & f)
            gp_strbuf_printf(m->o, "<span class=\"flag%s\">%s</span>",
                             f >= GP_REPORT_TARGET_MISSED ? " bad" : "",
                             gp_report_flag_name((enum gp_report_flag)f));
}

/* Markdown: ends the line of the item last opened, if still open. */
static void
end_line(struct gp_markup *m)
{
    if (m->line_open)
        gp_strbuf_puts(m->o, "\n");
    m->line_open = false;
}

void
gp_markup_list_open(struct gp_markup *m)
{
    if (m->fmt == GP_MARKUP_HTML)
        gp_strbuf_puts(m->o, "<ul>\n");
    else
        end_line(m);
    m->depth++;
}

void
gp_markup_list_close(struct gp_markup *m)
{
    if (m->fmt == GP_MARKUP_HTML)
        gp_strbuf_puts(m->o, "</ul>");
    m->depth--;
}

void
gp_markup_item_open(struct gp_markup *m)
{
    if (m->fmt == GP_MARKUP_HTML) {
        gp_strbuf_puts(m->o, "<li>");
        return;
    }
    assert(m->depth > 0);
    gp_strbuf_pad(m->o, ' ', 2 * (m->depth - 1));
    gp_strbuf_puts(m->o, "- ");
    m->line_open = true;
}

void
gp_markup_item_close(struct gp_markup *m)
{
    if (m->fmt == GP_MARKUP_HTML)
        gp_strbuf_puts(m->o, "</li>\n");
    else
        end_line(m);
}

static void
head_html(struct gp_strbuf *o, const struct gp_markup_table *t)
{
    size_t c;

    gp_strbuf_puts(o, "<div class=\"scroll\"><table");
    if (t->html_class)
        gp_strbuf_printf(o, " class=\"%s\"", t->html_class);
    gp_strbuf_puts(o, ">\n<thead><tr>");
    for (c = 0; c < t->n_cols; c++)
        gp_strbuf_printf(o, "<th scope=\"col\"%s>%s</th>",
                         t->cols[c].num ? " class=\"n\"" : "", t->cols[c].head);
    gp_strbuf_puts(o, "</tr></thead>\n<tbody>\n");
}

static void
head_md(struct gp_strbuf *o, const struct gp_markup_table *t)
{
    size_t c;

    gp_strbuf_puts(o, "|");
    for (c = 0; c < t->n_cols; c++)
        gp_strbuf_printf(o, " %s |", t->cols[c].head);
    gp_strbuf_puts(o, "\n|");
    for (c = 0; c < t->n_cols; c++)
        gp_strbuf_puts(o, t->cols[c].num ? "---:|" : "---|");
    gp_strbuf_puts(o, "\n");
}

/* The row's start or the previous cell's end, then this cell's start,
 * in one write: a table's cells are most of what the report writes. */
struct gp_strbuf *
gp_markup_cell(struct gp_markup *m)
{
    static const char *const html[2][2] = {
        {"<tr><td>", "<tr><td class=\"n\">"},
        {"</td><td>", "</td><td class=\"n\">"},
    };
    size_t c = m->col++;

    assert(m->table && c < m->table->n_cols);
    if (m->fmt == GP_MARKUP_MD)
        gp_strbuf_puts(m->o, c ? " | " : "| ");
    else
        gp_strbuf_puts(m->o, html[c > 0][m->table->cols[c].num]);
    return m->o;
}

void
gp_markup_table(struct gp_markup *m, const struct gp_markup_table *t,
                const struct gp_report *r, const size_t *rows, size_t n)
{
    bool html = m->fmt == GP_MARKUP_HTML;
    size_t i;

    if (html)
        head_html(m->o, t);
    else
        head_md(m->o, t);
    m->table = t;
    for (i = 0; i < n; i++) {
        m->col = 0;
        t->row(m, r, rows ? rows[i] : i);
        assert(m->col == t->n_cols);
        gp_strbuf_puts(m->o, html ? "</td></tr>\n" : " |\n");
    }
    m->table = NULL;
    if (html)
        gp_strbuf_puts(m->o, "</tbody></table></div>");
}
