/* SPDX-License-Identifier: MIT */
/* report/markup.h: one writer for report.html and report.md, so that what
 * the two files say alike (tables, lists, marked-up sentences) is written
 * once and comes out as HTML or as GitHub-flavoured Markdown. Private to
 * src/report.
 *
 * Text reaches the output three ways: user strings through
 * gp_markup_text() (escaped for the format), numbers through report/fmt.h
 * (whose text needs no escaping in either), and literal text that is
 * plain in both formats straight into 'o'. report.md marks no emphasis or
 * code: in Markdown those marks leave their text as it is. */
#ifndef GPUPLAN_REPORT_MARKUP_H
#define GPUPLAN_REPORT_MARKUP_H

#include <stdbool.h>
#include <stddef.h>

struct gp_report;
struct gp_strbuf;

enum gp_markup_format {
    GP_MARKUP_HTML,
    GP_MARKUP_MD,
};

/* Inline marks, opened and closed around text. */
enum gp_markup_span {
    GP_MARKUP_STRONG,   /* <b> */
    GP_MARKUP_CODE,     /* <code> */
    GP_MARKUP_SUB,      /* muted, as the CSS's "sub" class */
    GP_MARKUP_ALERT,    /* a warning after a figure: a red badge in HTML,
                         * in parentheses in Markdown */
};

struct gp_markup_table;

struct gp_markup {
    struct gp_strbuf *o;
    enum gp_markup_format fmt;
    unsigned depth;     /* lists open */
    bool line_open;     /* Markdown: a list item's line lacks its end */
    const struct gp_markup_table *table;    /* being written, or NULL */
    size_t col;         /* cells of its current row begun */
};

struct gp_markup_col {
    const char *head;   /* literal text */
    bool num;           /* right-aligned: a figure */
};

/* A table: its columns, and the function that writes the cells of row i
 * in column order, each begun with gp_markup_cell(). The table says what
 * i indexes (the report's pools, groups, placements, ...). */
struct gp_markup_table {
    const char *html_class;     /* of <table>, or NULL */
    const struct gp_markup_col *cols;
    size_t n_cols;
    void (*row)(struct gp_markup *m, const struct gp_report *r, size_t i);
};

void gp_markup_init(struct gp_markup *m, struct gp_strbuf *o,
                    enum gp_markup_format fmt);

/* A user string, escaped. NULL writes nothing. */
void gp_markup_text(struct gp_markup *m, const char *s);

void gp_markup_open(struct gp_markup *m, enum gp_markup_span s);
void gp_markup_close(struct gp_markup *m, enum gp_markup_span s);
/* open, gp_markup_text(text), close */
void gp_markup_span(struct gp_markup *m, enum gp_markup_span s,
                    const char *text);

/* 'text' linking to '#anchor' in the page ('anchor' is literal). */
void gp_markup_link(struct gp_markup *m, const char *anchor, const char *text);

/* A second line within a table cell; a Markdown cell has one line, so
 * there it continues after "; ". */
void gp_markup_br(struct gp_markup *m);

/* Risk flags (enum gp_report_flag): badges in HTML, the names joined by
 * ", " in Markdown; "none" without any. */
void gp_markup_flags(struct gp_markup *m, unsigned flags);

/* Bulleted lists, nested by opening one inside an item. The caller writes
 * the blank lines and elements around a top-level list. */
void gp_markup_list_open(struct gp_markup *m);
void gp_markup_list_close(struct gp_markup *m);
void gp_markup_item_open(struct gp_markup *m);
void gp_markup_item_close(struct gp_markup *m);

/* A table of n rows: row k is t->row's row rows[k], or k when rows is
 * NULL.
 * HTML: in a horizontally scrolling <div>, ending right after it, where
 * the page may go on with its own markup; Markdown: a header row and an
 * alignment row, then a line per row, each ending in a newline. */
void gp_markup_table(struct gp_markup *m, const struct gp_markup_table *t,
                     const struct gp_report *r, const size_t *rows, size_t n);
/* Begins the next cell of the row being written. Returns m->o, for the
 * cell's text. */
struct gp_strbuf *gp_markup_cell(struct gp_markup *m);

#endif
