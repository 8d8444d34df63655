/* SPDX-License-Identifier: MIT */
/* report/svg.h: the charts of report.html, drawn as inline SVG by gpuplan
 * itself (no script, no external asset): horizontal bar charts with
 * labelled axes and units, and pictures of MIG layouts.
 *
 * Accessibility: every chart is an <svg role="img"> labelled by its own
 * <title> and <desc>; every bar carries its value as text and a <title>;
 * the fill styles differ by pattern as well as by colour (Okabe-Ito
 * palette, colour-blind safe), so colour is never the only cue. Colours
 * come from CSS custom properties (gp_svg_css()), which the page switches
 * with prefers-color-scheme.
 *
 * Every string is escaped for HTML and XML. Ids are made of [a-z0-9-]
 * (capitals are lowered, anything else becomes '-'). Coordinates are
 * printed with one decimal: the output is byte-stable. */
#ifndef GPUPLAN_REPORT_SVG_H
#define GPUPLAN_REPORT_SVG_H

#include <stdbool.h>
#include <stddef.h>

struct gp_mig_layout;
struct gp_mig_spec;
struct gp_strbuf;

/* Fill styles. Each has its own pattern, so they differ without colour. */
enum gp_svg_style {
    GP_SVG_SOLID,   /* blue, solid */
    GP_SVG_HATCH,   /* vermillion (orange in dark mode), diagonal stripes */
    GP_SVG_DOTS,    /* bluish green, dots */
    GP_SVG_CROSS,   /* the text colour, cross-hatched */
    GP_SVG_N_STYLES
};

#define GP_SVG_MAX_BARS 2

struct gp_svg_bar {
    double value;               /* in axis units; negative counts as 0 */
    enum gp_svg_style style;
    const char *text;           /* printed after the bar; NULL: the value */
};

struct gp_svg_row {
    const char *label;          /* the category (truncated when long; the
                                 * full text is in the bars' titles) */
    struct gp_svg_bar bar[GP_SVG_MAX_BARS];
    size_t n_bars;
    bool has_marker;            /* a diamond at 'marker' (e.g. p50) */
    double marker;
};

struct gp_svg_legend {
    enum gp_svg_style style;
    const char *text;
};

struct gp_svg_chart {
    const char *id;             /* unique in the page */
    const char *title;          /* <title>, also the aria label */
    const char *desc;           /* <desc>: what the chart shows */
    const char *x_title;        /* value axis title, with its unit */
    const char *y_title;        /* category axis title */
    const char *unit_prefix;    /* on tick labels: "$", or NULL */
    const char *unit_suffix;    /* on tick labels: "%", or NULL */
    const struct gp_svg_row *rows;
    size_t n_rows;
    const struct gp_svg_legend *legend;
    size_t n_legend;
    double max;                 /* axis end; 0: from the data. Bars past
                                 * it are cut at the end (text unchanged) */
    bool has_ref;               /* a dashed reference line */
    double ref;
    const char *ref_label;      /* its legend text */
    const char *marker_label;   /* the diamond's legend text */
};

/* Appends one chart. Linear in the number of rows. */
void gp_svg_bar_chart(struct gp_strbuf *out, const struct gp_svg_chart *c);

/* Appends a picture of one GPU's MIG layout: the memory slices as slots,
 * each instance as a block over the slices it takes, labelled with its
 * profile, start slice, compute slices and memory; free slices dashed. */
void gp_svg_mig_layout(struct gp_strbuf *out, const char *id,
                       const char *title, const char *desc,
                       const struct gp_mig_spec *m,
                       const struct gp_mig_layout *l);

/* The style sheet the charts need (light and dark). */
void gp_svg_css(struct gp_strbuf *out);

/* Appends 's' escaped for HTML text and attribute values (& < > " ' and
 * control characters, which become U+FFFD). NULL appends nothing. */
void gp_svg_escape(struct gp_strbuf *out, const char *s);

/* The axis of a chart whose largest value is 'max': a "nice" step (1, 2 or
 * 5 times a power of ten) giving at most 6 intervals, and the axis end, a
 * multiple of the step. OUT: *step, *end. */
void gp_svg_axis(double max, double *step, double *end);

#endif
