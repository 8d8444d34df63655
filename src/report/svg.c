/* SPDX-License-Identifier: MIT */
/* report/svg.c: bar charts and MIG layout pictures as inline SVG.
 *
 * A bar chart is laid out left to right: the category axis title (turned
 * upright), the row labels, the plot, then a margin for the values printed
 * after each bar. The legend sits above the plot, the value axis with its
 * ticks and title below. Everything is computed from the row count and the
 * longest label, in one pass over the rows. */
#include "report/svg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/strbuf.h"
#include "mig/geometry.h"
#include "model/gpu.h"

#define CHART_W 760.0
#define CHAR_W 7.0   /* mean advance of the 12px font */
#define LABEL_MAX 30 /* characters of a row label */
#define BAR_H 14.0

void
gp_svg_escape(struct gp_strbuf *out, const char *s)
{
    const char *run = s;

    if (!s)
        return;
    for (; *s; s++) {
        const char *rep = NULL;
        unsigned char c = (unsigned char)*s;

        switch (c) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
                rep = "\xef\xbf\xbd";
        }
        if (rep) {
            gp_strbuf_add(out, run, (size_t)(s - run));
            gp_strbuf_puts(out, rep);
            run = s + 1;
        }
    }
    gp_strbuf_add(out, run, (size_t)(s - run));
}

/* Characters (UTF-8 code points) in s. */
static size_t
chars(const char *s)
{
    size_t n = 0;

    for (; s && *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

/* Appends at most 'max' characters of s, escaped, with an ellipsis when
 * cut. Returns true when it cut. */
static bool
put_trunc(struct gp_strbuf *out, const char *s, size_t max)
{
    size_t n = 0, i;
    struct gp_strbuf tmp = GP_STRBUF_INIT;

    if (!s)
        return false;
    if (chars(s) <= max) {
        gp_svg_escape(out, s);
        return false;
    }
    for (i = 0; s[i]; i++) {
        if (((unsigned char)s[i] & 0xc0) != 0x80 && ++n > max - 1)
            break;
    }
    gp_strbuf_add(&tmp, s, i);
    gp_svg_escape(out, tmp.buf);
    gp_strbuf_puts(out, "\xe2\x80\xa6");
    gp_strbuf_release(&tmp);
    return true;
}

/* Ids keep to [a-z0-9-] (capitals lowered, anything else '-'), at most 48
 * characters. */
static void
clean_id(char *out, size_t n, const char *id)
{
    size_t i;

    for (i = 0; id && id[i] && i + 1 < n && i < 48; i++) {
        char c = id[i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        out[i] = ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
                     ? c
                     : '-';
    }
    out[i] = '\0';
    if (i == 0)
        snprintf(out, n, "chart");
}

void
gp_svg_axis(double max, double *step, double *end)
{
    double raw, mag, norm, s;

    if (!(max > 0) || !isfinite(max)) {
        *step = 1;
        *end = 1;
        return;
    }
    raw = max / 5;
    mag = pow(10, floor(log10(raw)));
    norm = raw / mag;
    if (norm <= 1)
        s = 1;
    else if (norm <= 2)
        s = 2;
    else if (norm <= 5)
        s = 5;
    else
        s = 10;
    s *= mag;
    *step = s;
    *end = ceil(max / s - 1e-9) * s;
    if (*end <= 0)
        *end = s;
}

static int
decimals_of(double step)
{
    int d = 0;

    if (step >= 1)
        return 0;
    d = (int)ceil(-log10(step) - 1e-9);
    return d > 6 ? 6 : d;
}

/* The number as a tick or value label: integers plain, else 2 decimals. */
static void
put_value(struct gp_strbuf *out, const struct gp_svg_chart *c, double v,
          int decimals)
{
    gp_svg_escape(out, c->unit_prefix);
    if (decimals < 0)
        decimals = v == floor(v) ? 0 : 2;
    gp_strbuf_printf(out, "%.*f", decimals, v);
    gp_svg_escape(out, c->unit_suffix);
}

static void
defs(struct gp_strbuf *o, const char *id)
{
    gp_strbuf_printf(
        o,
        "<defs>"
        "<pattern id=\"%s-p1\" width=\"6\" height=\"6\" "
        "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
        "<rect width=\"6\" height=\"6\" class=\"gp-f1\"/>"
        "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" class=\"gp-h\"/>"
        "</pattern>"
        "<pattern id=\"%s-p2\" width=\"6\" height=\"6\" "
        "patternUnits=\"userSpaceOnUse\">"
        "<rect width=\"6\" height=\"6\" class=\"gp-f2\"/>"
        "<circle cx=\"3\" cy=\"3\" r=\"1.4\" class=\"gp-d\"/>"
        "</pattern>"
        "<pattern id=\"%s-p3\" width=\"5\" height=\"5\" "
        "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
        "<rect width=\"5\" height=\"5\" class=\"gp-f3\"/>"
        "<path d=\"M2.5 0V5M0 2.5H5\" class=\"gp-h\"/>"
        "</pattern>"
        "</defs>",
        id, id, id);
}

static void
fill_attr(struct gp_strbuf *o, const char *id, enum gp_svg_style s)
{
    if (s == GP_SVG_SOLID || s >= GP_SVG_N_STYLES)
        gp_strbuf_puts(o, " class=\"gp-f0\"");
    else
        gp_strbuf_printf(o, " fill=\"url(#%s-p%d)\"", id, (int)s);
}

static void
open_svg(struct gp_strbuf *o, const char *id, double w, double h,
         const char *title, const char *desc)
{
    gp_strbuf_printf(o,
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                     "class=\"gp-chart\" id=\"%s\" role=\"img\" "
                     "viewBox=\"0 0 %.1f %.1f\" width=\"%.0f\" "
                     "aria-labelledby=\"%s-t %s-d\">"
                     "<title id=\"%s-t\">",
                     id, w, h, w, id, id, id);
    gp_svg_escape(o, title);
    gp_strbuf_printf(o, "</title><desc id=\"%s-d\">", id);
    gp_svg_escape(o, desc);
    gp_strbuf_puts(o, "</desc>");
}

static void
diamond(struct gp_strbuf *o, double x, double y)
{
    gp_strbuf_printf(o, "<path class=\"gp-m\" d=\"M%.1f %.1fl5 5-5 5-5-5z\"/>",
                     x, y - 5);
}

/* The legend row; returns its height. */
static double
legend(struct gp_strbuf *o, const struct gp_svg_chart *c, const char *id,
       double x)
{
    size_t i;
    double y = 8;

    if (!c->n_legend && !(c->has_ref && c->ref_label) && !c->marker_label)
        return 0;
    for (i = 0; i < c->n_legend; i++) {
        gp_strbuf_printf(o,
                         "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" "
                         "height=\"12\"",
                         x, y);
        fill_attr(o, id, c->legend[i].style);
        gp_strbuf_printf(o, " class=\"gp-sw\"/><text x=\"%.1f\" y=\"%.1f\">",
                         x + 16, y + 10);
        gp_svg_escape(o, c->legend[i].text);
        gp_strbuf_puts(o, "</text>");
        x += 16 + (double)chars(c->legend[i].text) * CHAR_W + 18;
    }
    if (c->marker_label) {
        diamond(o, x + 6, y + 6);
        gp_strbuf_printf(o, "<text x=\"%.1f\" y=\"%.1f\">", x + 16, y + 10);
        gp_svg_escape(o, c->marker_label);
        gp_strbuf_puts(o, "</text>");
        x += 16 + (double)chars(c->marker_label) * CHAR_W + 18;
    }
    if (c->has_ref && c->ref_label) {
        gp_strbuf_printf(o,
                         "<line class=\"gp-ref\" x1=\"%.1f\" y1=\"%.1f\" "
                         "x2=\"%.1f\" y2=\"%.1f\"/>",
                         x + 6, y, x + 6, y + 12);
        gp_strbuf_printf(o, "<text x=\"%.1f\" y=\"%.1f\">", x + 16, y + 10);
        gp_svg_escape(o, c->ref_label);
        gp_strbuf_puts(o, "</text>");
    }
    return 26;
}

/* The length on a plot 'pw' wide of a value in axis units, from 0 (for
 * negative values) to the axis end (where longer bars are cut). */
static double
plot_len(double v, double end, double pw)
{
    v = v > 0 ? v : 0;
    return (v > end ? end : v) / end * pw;
}

void
gp_svg_bar_chart(struct gp_strbuf *o, const struct gp_svg_chart *c)
{
    char id[64];
    size_t i, j, maxlab = 0, nb = 1, maxval = 0;
    double vmax = 0, step, end, ytw, labw, x0, pw, top, rowh, ph, h, w, k;
    double right;
    struct gp_strbuf tmp = GP_STRBUF_INIT;

    clean_id(id, sizeof(id), c->id);
    for (i = 0; i < c->n_rows; i++) {
        const struct gp_svg_row *r = &c->rows[i];
        size_t n = chars(r->label);

        if (n > maxlab)
            maxlab = n;
        if (r->n_bars > nb)
            nb = r->n_bars;
        for (j = 0; j < r->n_bars && j < GP_SVG_MAX_BARS; j++) {
            size_t tl;

            if (r->bar[j].value > vmax)
                vmax = r->bar[j].value;
            gp_strbuf_reset(&tmp);
            if (r->bar[j].text)
                gp_strbuf_puts(&tmp, r->bar[j].text);
            else
                put_value(&tmp, c, r->bar[j].value, -1);
            tl = chars(tmp.buf);
            if (tl > maxval)
                maxval = tl;
        }
        if (r->has_marker && r->marker > vmax)
            vmax = r->marker;
    }
    if (nb > GP_SVG_MAX_BARS)
        nb = GP_SVG_MAX_BARS;
    if (c->has_ref && c->ref > vmax)
        vmax = c->ref;
    gp_svg_axis(c->max > 0 ? c->max : vmax, &step, &end);
    if (maxlab > LABEL_MAX)
        maxlab = LABEL_MAX;
    ytw = c->y_title ? 20 : 0;
    labw = (double)maxlab * CHAR_W + 8;
    if (labw < 40)
        labw = 40;
    x0 = ytw + labw + 8;
    /* room after the plot for the longest value text of a full bar */
    right = (double)maxval * CHAR_W + 12;
    if (right < 40)
        right = 40;
    pw = CHART_W - x0 - right;
    if (pw < 240)
        pw = 240;
    w = x0 + pw + right;
    rowh = (double)nb * BAR_H + (double)(nb - 1) * 2 + 12;
    ph = c->n_rows ? (double)c->n_rows * rowh : 28;

    /* the legend is drawn first, so its height is known before the plot */
    {
        struct gp_strbuf leg = GP_STRBUF_INIT;

        top = 8 + legend(&leg, c, id, x0);
        h = top + ph + 46;
        open_svg(o, id, w, h, c->title, c->desc);
        defs(o, id);
        gp_strbuf_add(o, leg.buf, leg.len);
        gp_strbuf_release(&leg);
    }

    /* grid, ticks and the value axis */
    for (k = 0; k <= end / step + 1e-9; k += 1) {
        double v = k * step, x = x0 + v / end * pw;

        gp_strbuf_printf(o,
                         "<line class=\"gp-grid\" x1=\"%.1f\" y1=\"%.1f\" "
                         "x2=\"%.1f\" y2=\"%.1f\"/>"
                         "<text class=\"gp-tick\" x=\"%.1f\" y=\"%.1f\" "
                         "text-anchor=\"middle\">",
                         x, top, x, top + ph, x, top + ph + 15);
        put_value(o, c, v, decimals_of(step));
        gp_strbuf_puts(o, "</text>");
    }
    gp_strbuf_printf(o, "<path class=\"gp-axis\" d=\"M%.1f %.1fV%.1fH%.1f\"/>",
                     x0, top, top + ph, x0 + pw);
    gp_strbuf_printf(o,
                     "<text class=\"gp-at\" x=\"%.1f\" y=\"%.1f\" "
                     "text-anchor=\"middle\">",
                     x0 + pw / 2, top + ph + 36);
    gp_svg_escape(o, c->x_title);
    gp_strbuf_puts(o, "</text>");
    if (c->y_title) {
        double cy = top + ph / 2;

        gp_strbuf_printf(o,
                         "<text class=\"gp-at\" x=\"12\" y=\"%.1f\" "
                         "text-anchor=\"middle\" "
                         "transform=\"rotate(-90 12 %.1f)\">",
                         cy, cy);
        gp_svg_escape(o, c->y_title);
        gp_strbuf_puts(o, "</text>");
    }
    if (!c->n_rows)
        gp_strbuf_printf(o,
                         "<text x=\"%.1f\" y=\"%.1f\">nothing to show"
                         "</text>",
                         x0 + 8, top + 18);

    /* the bars, then the reference line over them, then the values over
     * both (with a halo in the background colour) */
    for (i = 0; i < c->n_rows; i++) {
        const struct gp_svg_row *r = &c->rows[i];
        double y = top + (double)i * rowh + 6, cy = y + (rowh - 12) / 2;

        gp_strbuf_printf(o,
                         "<text class=\"gp-lab\" x=\"%.1f\" y=\"%.1f\" "
                         "text-anchor=\"end\">",
                         x0 - 6, cy + 4);
        if (put_trunc(o, r->label, LABEL_MAX)) {
            gp_strbuf_puts(o, "<title>");
            gp_svg_escape(o, r->label);
            gp_strbuf_puts(o, "</title>");
        }
        gp_strbuf_puts(o, "</text>");
        for (j = 0; j < r->n_bars && j < GP_SVG_MAX_BARS; j++) {
            const struct gp_svg_bar *b = &r->bar[j];

            gp_strbuf_printf(o,
                             "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                             "height=\"%.1f\"",
                             x0, y + (double)j * (BAR_H + 2),
                             plot_len(b->value, end, pw), BAR_H);
            fill_attr(o, id, b->style);
            gp_strbuf_puts(o, "><title>");
            gp_svg_escape(o, r->label);
            gp_strbuf_puts(o, ": ");
            if (b->text)
                gp_svg_escape(o, b->text);
            else
                put_value(o, c, b->value, -1);
            gp_strbuf_puts(o, "</title></rect>");
        }
        if (r->has_marker)
            diamond(o, x0 + plot_len(r->marker, end, pw), cy);
    }
    if (c->has_ref) {
        double x = x0 + plot_len(c->ref, end, pw);

        gp_strbuf_printf(o,
                         "<line class=\"gp-ref\" x1=\"%.1f\" y1=\"%.1f\" "
                         "x2=\"%.1f\" y2=\"%.1f\"/>",
                         x, top - 2, x, top + ph);
    }
    for (i = 0; i < c->n_rows; i++) {
        const struct gp_svg_row *r = &c->rows[i];
        double y = top + (double)i * rowh + 6;

        for (j = 0; j < r->n_bars && j < GP_SVG_MAX_BARS; j++) {
            const struct gp_svg_bar *b = &r->bar[j];

            gp_strbuf_printf(o,
                             "<text class=\"gp-val\" x=\"%.1f\" "
                             "y=\"%.1f\">",
                             x0 + plot_len(b->value, end, pw) + 4,
                             y + (double)j * (BAR_H + 2) + 11);
            if (b->text)
                gp_svg_escape(o, b->text);
            else
                put_value(o, c, b->value, -1);
            gp_strbuf_puts(o, "</text>");
        }
    }
    gp_strbuf_puts(o, "</svg>\n");
    gp_strbuf_release(&tmp);
}

void
gp_svg_mig_layout(struct gp_strbuf *o, const char *idin, const char *title,
                  const char *desc, const struct gp_mig_spec *m,
                  const struct gp_mig_layout *l)
{
    char id[64];
    bool used[GP_MIG_MAX_SLICES] = {false};
    uint32_t slots = m && m->memory_slices ? m->memory_slices : 1, k, i;
    double left = 16, sw, top = 46, bh = 64;

    if (slots > GP_MIG_MAX_SLICES)
        slots = GP_MIG_MAX_SLICES;
    sw = (CHART_W - 2 * left) / slots;
    clean_id(id, sizeof(id), idin);
    open_svg(o, id, CHART_W, top + bh + 10, title, desc);
    defs(o, id);
    gp_strbuf_printf(o,
                     "<text class=\"gp-at\" x=\"%.1f\" y=\"13\">memory "
                     "slice (each %s of the GPU's memory)</text>",
                     left, slots == 8 ? "one eighth" : "one slot");
    for (k = 0; k < slots; k++) {
        gp_strbuf_printf(o,
                         "<rect class=\"gp-slot\" x=\"%.1f\" y=\"20\" "
                         "width=\"%.1f\" height=\"18\"/>"
                         "<text class=\"gp-tick\" x=\"%.1f\" y=\"33\" "
                         "text-anchor=\"middle\">%u</text>",
                         left + k * sw + 1, sw - 2, left + k * sw + sw / 2, k);
    }
    for (i = 0; l && i < l->n; i++) {
        const struct gp_mig_instance *in = &l->inst[i];
        const struct gp_mig_profile *p = in->profile;
        uint32_t n = p->memory_slices ? p->memory_slices : 1, e;
        double x = left + in->start * sw + 1, w;

        if (in->start >= slots)
            continue;
        if (in->start + n > slots)
            n = slots - in->start;
        for (e = in->start; e < in->start + n; e++)
            used[e] = true;
        w = n * sw - 2;
        gp_strbuf_printf(o, "<g><title>");
        gp_svg_escape(o, p->name);
        gp_strbuf_printf(o,
                         " at slice %u: slices %u-%u, %u compute slice%s, "
                         "%llu MiB, %u SMs</title>",
                         in->start, in->start, in->start + n - 1,
                         p->compute_slices, p->compute_slices == 1 ? "" : "s",
                         (unsigned long long)p->memory_mib, p->sm_count);
        gp_strbuf_printf(o,
                         "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                         "height=\"%.1f\"",
                         x, top, w, bh);
        fill_attr(o, id, (enum gp_svg_style)(i % 3));
        gp_strbuf_printf(o,
                         "/><rect class=\"gp-plate\" x=\"%.1f\" y=\"%.1f\" "
                         "width=\"%.1f\" height=\"%.1f\" rx=\"3\"/>",
                         x + 5, top + 9, w - 10, bh - 18);
        gp_strbuf_printf(o,
                         "<text class=\"gp-lab\" x=\"%.1f\" y=\"%.1f\" "
                         "text-anchor=\"middle\">",
                         x + w / 2, top + 28);
        gp_svg_escape(o, p->name);
        gp_strbuf_printf(o,
                         "</text><text class=\"gp-tick\" x=\"%.1f\" "
                         "y=\"%.1f\" text-anchor=\"middle\">@%u, %ug</text>"
                         "</g>",
                         x + w / 2, top + 44, in->start, p->compute_slices);
    }
    for (k = 0; k < slots;) {
        uint32_t e = k;

        if (used[k]) {
            k++;
            continue;
        }
        while (e < slots && !used[e])
            e++;
        gp_strbuf_printf(o,
                         "<rect class=\"gp-free\" x=\"%.1f\" y=\"%.1f\" "
                         "width=\"%.1f\" height=\"%.1f\"/>"
                         "<text class=\"gp-tick\" x=\"%.1f\" y=\"%.1f\" "
                         "text-anchor=\"middle\">free</text>",
                         left + k * sw + 1, top, (e - k) * sw - 2, bh,
                         left + (k + e) * sw / 2, top + bh / 2 + 4);
        k = e;
    }
    gp_strbuf_puts(o, "</svg>\n");
}

void
gp_svg_css(struct gp_strbuf *o)
{
    gp_strbuf_puts(
        o, "svg.gp-chart{display:block;max-width:100%;height:auto;"
           "margin:.5rem 0}\n"
           ".gp-chart text{fill:var(--fg);font-size:12px;"
           "font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,"
           "\"DejaVu Sans\",sans-serif}\n"
           ".gp-chart .gp-at{font-weight:600}\n"
           ".gp-chart .gp-tick,.gp-chart .gp-val{fill:var(--muted)}\n"
           ".gp-chart .gp-val{paint-order:stroke;stroke:var(--bg);"
           "stroke-width:3px;stroke-linejoin:round}\n"
           ".gp-f0{fill:var(--s0)}.gp-f1{fill:var(--s1)}.gp-f2{fill:var(--s2)}"
           ".gp-f3{fill:var(--fg)}\n"
           ".gp-h{stroke:var(--bg);stroke-width:1.6}.gp-d{fill:var(--bg)}\n"
           ".gp-sw{stroke:var(--muted);stroke-width:.5}\n"
           ".gp-grid{stroke:var(--grid);stroke-width:1}\n"
           ".gp-axis{stroke:var(--muted);stroke-width:1;fill:none}\n"
           ".gp-ref{stroke:var(--fg);stroke-width:1.5;stroke-dasharray:5 3}\n"
           ".gp-m{fill:var(--fg);stroke:var(--bg);stroke-width:1}\n"
           ".gp-slot{fill:var(--card);stroke:var(--grid)}\n"
           ".gp-plate{fill:var(--bg);opacity:.92}\n"
           ".gp-free{fill:none;stroke:var(--muted);stroke-dasharray:4 3}\n");
}
