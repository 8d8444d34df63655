/* SPDX-License-Identifier: MIT */
/* report/html.c: report.html, one self-contained page: inline CSS, inline
 * SVG charts (report/svg.c), no script, no external asset (a Content
 * Security Policy forbids loading any). Light and dark through
 * prefers-color-scheme. The tables and lists it shares with report.md are
 * in report/sections.c. Every user string goes through gp_svg_escape(). */
#include "report/report.h"

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/strbuf.h"
#include "inventory/inventory.h"
#include "mig/geometry.h"
#include "model/gpu.h"
#include "plan/plan.h"
#include "report/fmt.h"
#include "report/markup.h"
#include "report/sections.h"
#include "report/svg.h"

#define esc gp_svg_escape

static const char css[] =
    ":root{color-scheme:light dark;--bg:#ffffff;--fg:#1b1f24;"
    "--muted:#57606a;--grid:#d8dee4;--card:#f6f8fa;--border:#d0d7de;"
    "--s0:#0072B2;--s1:#D55E00;--s2:#009E73;--warn-bg:#fff4e5;"
    "--bad-bg:#ffebe9;--ok-bg:#e9f7ef}\n"
    "@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;"
    "--muted:#9da7b3;--grid:#30363d;--card:#161b22;--border:#3d444d;"
    "--s0:#56B4E9;--s1:#E69F00;--s2:#5FD4AE;--warn-bg:#3a2a10;"
    "--bad-bg:#3d1418;--ok-bg:#12301f}}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:var(--bg);color:var(--fg);"
    "font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,"
    "\"DejaVu Sans\",sans-serif}\n"
    "header,main,footer{max-width:1120px;margin:0 auto;padding:0 1rem}\n"
    "header{padding-top:1.2rem}\n"
    "h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.3rem;"
    "margin-top:2rem;border-bottom:1px solid var(--border)}\n"
    "h3{font-size:1.05rem;margin-top:1.4rem}\n"
    ".sub,.note,figcaption{color:var(--muted)}\n"
    "a{color:inherit}nav ul{display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;"
    "list-style:none;padding:0}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,"
    "minmax(220px,1fr));gap:.8rem}\n"
    ".card{background:var(--card);border:1px solid var(--border);"
    "border-radius:6px;padding:.7rem .9rem}\n"
    ".card .k{color:var(--muted);font-size:.85rem}"
    ".card .v{font-size:1.25rem;font-weight:600}\n"
    ".box{border:1px solid var(--border);border-left-width:5px;"
    "border-radius:6px;padding:.5rem 1rem;margin:1rem 0}\n"
    ".box.bad{background:var(--bad-bg)}.box.ok{background:var(--ok-bg)}\n"
    ".scroll{overflow-x:auto}\n"
    "table{border-collapse:collapse;margin:.5rem 0;font-size:.88rem}\n"
    "td:first-child{white-space:nowrap}\n"
    "table.wl td{white-space:nowrap}\n"
    "th,td{border:1px solid var(--border);padding:.25rem .5rem;"
    "text-align:left;vertical-align:top}\n"
    "th{background:var(--card)}td.n,th.n{text-align:right;"
    "font-variant-numeric:tabular-nums}\n"
    ".flag{display:inline-block;border:1px solid var(--border);"
    "border-radius:4px;padding:0 .3rem;margin:0 .2rem .1rem 0;"
    "font-size:.8rem;white-space:nowrap;background:var(--warn-bg)}\n"
    ".flag.bad{background:var(--bad-bg);font-weight:600}\n"
    "figure{margin:1rem 0}figcaption{font-size:.9rem}\n"
    "code{font-size:.9em}\n"
    "footer{color:var(--muted);padding-bottom:2rem;margin-top:2rem}\n";

/* ---- charts ---------------------------------------------------------- */

/* At most GP_REPORT_CHART_ROWS of n items: all of them in order when they
 * fit, else the highest by key (ties: the earlier), highest first. One
 * pass, keeping a sorted list of K: linear in n. OUT: idx. Returns the
 * count. */
static size_t
top_rows(size_t *idx, size_t n, const double *key)
{
    size_t k = 0, i, j;

    if (n <= GP_REPORT_CHART_ROWS) {
        for (i = 0; i < n; i++)
            idx[i] = i;
        return n;
    }
    for (i = 0; i < n; i++) {
        if (k == GP_REPORT_CHART_ROWS && key[i] <= key[idx[k - 1]])
            continue;
        j = k < GP_REPORT_CHART_ROWS ? k++ : k - 1;
        while (j > 0 && key[idx[j - 1]] < key[i]) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = i;
    }
    return k;
}

struct chart_buf {
    struct gp_arena *a;
    struct gp_svg_row *rows;
    size_t n;
};

static const char *
dup_text(struct gp_arena *a, struct gp_strbuf *sb)
{
    const char *s = gp_arena_strdup(a, sb->buf);

    gp_strbuf_reset(sb);
    return s;
}

/* One bar, labelled with the text in 't' (then emptied). */
static void
set_bar(struct gp_svg_bar *b, double value, enum gp_svg_style style,
        struct gp_arena *a, struct gp_strbuf *t)
{
    b->value = value;
    b->style = style;
    b->text = dup_text(a, t);
}

static void
figure_open(struct gp_strbuf *o, const char *kind)
{
    gp_strbuf_printf(o, "<figure class=\"chart\" data-chart=\"%s\">\n", kind);
}

static void
figure_close(struct gp_strbuf *o, const char *caption)
{
    gp_strbuf_puts(o, "<figcaption>");
    esc(o, caption);
    gp_strbuf_puts(o, "</figcaption></figure>\n");
}

static void
bar_figure(struct gp_strbuf *o, const char *kind, const struct gp_svg_chart *c,
           const char *caption)
{
    figure_open(o, kind);
    gp_svg_bar_chart(o, c);
    figure_close(o, caption);
}

static void
chart_gpus(struct gp_strbuf *o, const struct gp_report *r, struct gp_arena *a)
{
    size_t *idx = gp_arena_calloc(a, r->n_pools + 1, sizeof(*idx)), n, i;
    double *key = gp_arena_calloc(a, r->n_pools + 1, sizeof(*key));
    struct gp_svg_row *rows;
    struct gp_strbuf t = GP_STRBUF_INIT, cap = GP_STRBUF_INIT;
    static const struct gp_svg_legend leg[] = {
        {GP_SVG_HATCH, "before: one pod per GPU"},
        {GP_SVG_SOLID, "after: GPUs of the nodes the plan uses"},
    };
    struct gp_svg_chart c;

    for (i = 0; i < r->n_pools; i++)
        key[i] = (double)r->pools[i].gpus_before + r->pools[i].gpus_after;
    n = top_rows(idx, r->n_pools, key);
    rows = gp_arena_calloc(a, n + 1, sizeof(*rows));
    for (i = 0; i < n; i++) {
        const struct gp_report_pool *p = &r->pools[idx[i]];

        rows[i].label = p->name;
        rows[i].n_bars = 2;
        gp_strbuf_puts(&t, "before ");
        gp_rfmt_count(&t, p->gpus_before);
        set_bar(&rows[i].bar[0], p->gpus_before, GP_SVG_HATCH, a, &t);
        gp_strbuf_puts(&t, "after ");
        gp_rfmt_count(&t, p->gpus_after);
        if (p->over_capacity)
            gp_strbuf_puts(&t, " (over capacity)");
        set_bar(&rows[i].bar[1], p->gpus_after, GP_SVG_SOLID, a, &t);
    }
    memset(&c, 0, sizeof(c));
    c.id = "chart-gpus";
    c.title = "GPUs provisioned per node pool, before and after the plan";
    gp_strbuf_puts(&t, "Total: ");
    gp_rfmt_count(&t, r->gpus_before);
    gp_strbuf_puts(&t, " GPUs before, ");
    gp_rfmt_count(&t, r->gpus_after);
    gp_strbuf_puts(&t, " after (");
    gp_rfmt_gpus_change(&t, r);
    gp_strbuf_puts(&t, ").");
    c.desc = dup_text(a, &t);
    c.x_title = "GPUs provisioned (count)";
    c.y_title = "node pool";
    c.rows = rows;
    c.n_rows = n;
    c.legend = leg;
    c.n_legend = 2;
    gp_strbuf_printf(&cap, "GPUs provisioned per node pool. %s", c.desc);
    if (n < r->n_pools) {
        gp_strbuf_printf(&cap,
                         " The %zu largest of %zu pools; the table "
                         "lists all.",
                         n, r->n_pools);
    }
    bar_figure(o, "gpus", &c, cap.buf);
    gp_strbuf_release(&t);
    gp_strbuf_release(&cap);
}

static void
cost_row(struct gp_svg_row *row, const char *label, enum gp_svg_style style,
         double day, double month, struct gp_arena *a, struct gp_strbuf *t)
{
    row->label = label;
    row->n_bars = 1;
    gp_rfmt_money(t, day);
    gp_strbuf_puts(t, "/day, ");
    gp_rfmt_money(t, month);
    gp_strbuf_puts(t, "/month");
    set_bar(&row->bar[0], day, style, a, t);
}

static void
chart_cost(struct gp_strbuf *o, const struct gp_report *r, struct gp_arena *a)
{
    struct gp_svg_row rows[2];
    struct gp_strbuf t = GP_STRBUF_INIT;
    struct gp_svg_chart c;
    static const struct gp_svg_legend leg[] = {
        {GP_SVG_HATCH, "before"},
        {GP_SVG_SOLID, "after"},
    };

    memset(rows, 0, sizeof(rows));
    cost_row(&rows[0], "before (one pod per GPU)", GP_SVG_HATCH,
             r->cost_day_before, r->cost_month_before, a, &t);
    cost_row(&rows[1], "after (plan)", GP_SVG_SOLID, r->cost_day_after,
             r->cost_month_after, a, &t);
    memset(&c, 0, sizeof(c));
    c.id = "chart-cost";
    c.title = "GPU cost per day, before and after the plan";
    gp_strbuf_puts(&t, "Per day: ");
    gp_rfmt_money_change(&t, r->cost_day_saved);
    gp_strbuf_puts(&t, "; per month (730 hours): ");
    gp_rfmt_money_change(&t, r->cost_month_saved);
    gp_strbuf_puts(&t, ".");
    c.desc = dup_text(a, &t);
    c.x_title = "cost per day (USD)";
    c.unit_prefix = "$";
    c.rows = rows;
    c.n_rows = 2;
    c.legend = leg;
    c.n_legend = 2;
    gp_strbuf_printf(&t, "GPU cost before and after. %s", c.desc);
    bar_figure(o, "cost", &c, t.buf);
    gp_strbuf_release(&t);
}

static void
chart_load(struct gp_strbuf *o, const struct gp_report *r, struct gp_arena *a)
{
    size_t *idx = gp_arena_calloc(a, r->n_pools + 1, sizeof(*idx)), n, i;
    double *key = gp_arena_calloc(a, r->n_pools + 1, sizeof(*key));
    struct gp_svg_row *rows;
    struct gp_strbuf t = GP_STRBUF_INIT;
    struct gp_svg_chart c;
    static const struct gp_svg_legend leg[] = {
        {GP_SVG_SOLID, "over GPUs hosting pods"},
        {GP_SVG_DOTS, "over every GPU provisioned"},
    };

    for (i = 0; i < r->n_pools; i++)
        key[i] = r->pools[i].gpus_after;
    n = top_rows(idx, r->n_pools, key);
    rows = gp_arena_calloc(a, n + 1, sizeof(*rows));
    for (i = 0; i < n; i++) {
        const struct gp_report_pool *p = &r->pools[idx[i]];

        rows[i].label = p->name;
        rows[i].n_bars = 2;
        if (p->gpus_hosting) {
            gp_rfmt_pct(&t, p->load_hosting);
            gp_strbuf_puts(&t, " of ");
            gp_rfmt_count(&t, p->gpus_hosting);
            gp_strbuf_puts(&t, " hosting");
        } else {
            gp_strbuf_puts(&t, "no pods");
        }
        set_bar(&rows[i].bar[0], p->load_hosting * 100, GP_SVG_SOLID, a, &t);
        gp_rfmt_pct(&t, p->load_provisioned);
        gp_strbuf_puts(&t, " of ");
        gp_rfmt_count(&t, p->gpus_after);
        gp_strbuf_puts(&t, " provisioned");
        set_bar(&rows[i].bar[1], p->load_provisioned * 100, GP_SVG_DOTS, a, &t);
    }
    memset(&c, 0, sizeof(c));
    c.id = "chart-load";
    c.title = "GPU load per node pool";
    c.desc = "Mean GPU busy time predicted per node pool, over the GPUs that "
             "host pods and over every GPU the plan provisions. 100% is one "
             "GPU busy all the time; MPS can exceed it by overlapping "
             "kernels.";
    c.x_title = "GPU load (% of one GPU's time)";
    c.y_title = "node pool";
    c.unit_suffix = "%";
    c.rows = rows;
    c.n_rows = n;
    c.legend = leg;
    c.n_legend = 2;
    c.has_ref = true;
    c.ref = 100;
    c.ref_label = "100%: fully busy";
    gp_strbuf_puts(&t, c.desc);
    if (n < r->n_pools)
        gp_strbuf_printf(&t, " The %zu largest of %zu pools.", n, r->n_pools);
    bar_figure(o, "load", &c, t.buf);
    gp_strbuf_release(&t);
}

static enum gp_svg_style
load_style(const struct gp_report_load *l)
{
    if (l->flags & (GP_REPORT_TARGET_MISSED | GP_REPORT_UNSTABLE))
        return GP_SVG_CROSS;
    if (l->flags & GP_REPORT_NEAR_SATURATION)
        return GP_SVG_HATCH;
    return GP_SVG_SOLID;
}

static const char *
load_label(const struct gp_report_load *l, struct gp_arena *a)
{
    /* a workload split over groups is named with its group */
    if (l->split)
        return gp_arena_printf(a, "%s (%s)", l->as->w->name, l->g->name);
    return l->as->w->name;
}

/* Latency (p99 against target) or throughput against target. */
static void
chart_targets(struct gp_strbuf *o, const struct gp_report *r,
              struct gp_arena *a, bool latency)
{
    size_t *map = gp_arena_calloc(a, r->n_loads + 1, sizeof(*map));
    double *key = gp_arena_calloc(a, r->n_loads + 1, sizeof(*key));
    size_t *idx = gp_arena_calloc(a, r->n_loads + 1, sizeof(*idx));
    size_t m = 0, n, i;
    struct gp_svg_row *rows;
    struct gp_strbuf t = GP_STRBUF_INIT;
    struct gp_svg_chart c;
    double top = 0;
    static const struct gp_svg_legend leg[] = {
        {GP_SVG_SOLID, "meets target"},
        {GP_SVG_HATCH, "near saturation"},
        {GP_SVG_CROSS, "target missed"},
    };

    for (i = 0; i < r->n_loads; i++) {
        const struct gp_report_load *l = &r->loads[i];

        if (latency ? l->p99_of_target > 0 : l->tput_of_target > 0) {
            map[m] = i;
            /* latency: the closest to (or past) its target first;
             * throughput: the least margin first */
            key[m] = latency ? l->p99_of_target : 1 / l->tput_of_target;
            m++;
        }
    }
    if (!m)
        return;
    n = top_rows(idx, m, key);
    rows = gp_arena_calloc(a, n + 1, sizeof(*rows));
    for (i = 0; i < n; i++) {
        const struct gp_report_load *l = &r->loads[map[idx[i]]];
        double v = latency ? l->p99_of_target : l->tput_of_target;

        rows[i].label = load_label(l, a);
        rows[i].n_bars = 1;
        if (latency) {
            gp_strbuf_puts(&t, "p99 ");
            gp_rfmt_secs(&t, l->as->p99);
            gp_strbuf_puts(&t, " of ");
            gp_rfmt_secs(&t, l->as->w->target_p99_s);
            rows[i].has_marker = true;
            rows[i].marker = l->as->p50 / l->as->w->target_p99_s * 100;
        } else {
            gp_strbuf_printf(&t, "%.2f/s of %.1f/s", l->as->throughput,
                             l->as->w->target_throughput);
        }
        gp_strbuf_puts(&t, " (");
        gp_rfmt_pct(&t, v);
        gp_strbuf_puts(&t, ")");
        if (load_style(l) == GP_SVG_CROSS)
            gp_strbuf_puts(&t, " MISSED");
        else if (load_style(l) == GP_SVG_HATCH)
            gp_strbuf_puts(&t, " near");
        set_bar(&rows[i].bar[0], v * 100, load_style(l), a, &t);
        if (v * 100 > top)
            top = v * 100;
    }
    memset(&c, 0, sizeof(c));
    c.rows = rows;
    c.n_rows = n;
    c.legend = leg;
    c.n_legend = 3;
    c.has_ref = true;
    c.ref = 100;
    c.y_title = "workload";
    c.unit_suffix = "%";
    c.max = top > 300 ? 300 : 0;
    if (latency) {
        c.id = "chart-latency";
        c.title = "Predicted p99 latency against target, per workload";
        c.desc = "Each workload's predicted p99 latency in the worst "
                 "co-location its node group allows, as a percentage of its "
                 "p99 target (the dashed line); the diamond marks p50. Under "
                 "100% meets the target.";
        c.x_title = "p99 latency (% of target; lower is better)";
        c.ref_label = "target";
        c.marker_label = "p50";
    } else {
        c.id = "chart-throughput";
        c.title = "Predicted throughput against target, per workload";
        c.desc = "Each workload's predicted throughput per replica as a "
                 "percentage of its throughput target (the dashed line). "
                 "Over 100% meets the target.";
        c.x_title = "throughput (% of target; higher is better)";
        c.ref_label = "target";
    }
    gp_strbuf_puts(&t, c.desc);
    if (n < m)
        gp_strbuf_printf(&t,
                         " The %zu placements closest to their target "
                         "of %zu; the table lists all.",
                         n, m);
    if (c.max > 0)
        gp_strbuf_puts(&t, " Bars past 300% are cut; their text gives the "
                           "value.");
    bar_figure(o, latency ? "latency" : "throughput", &c, t.buf);
    gp_strbuf_release(&t);
}

static void
chart_migs(struct gp_strbuf *o, const struct gp_report *r)
{
    size_t i, j;
    struct gp_strbuf t = GP_STRBUF_INIT, d = GP_STRBUF_INIT;

    for (i = 0; i < r->n_migs; i++) {
        const struct gp_report_mig *m = &r->migs[i];
        char id[32];

        snprintf(id, sizeof(id), "chart-mig-%zu", i + 1);
        gp_strbuf_reset(&t);
        gp_strbuf_reset(&d);
        gp_strbuf_printf(&t, "MIG layout on %s: %s", m->model->id, m->text);
        gp_rfmt_count(&d, m->gpus);
        gp_strbuf_printf(&d, " GPU%s in node group%s ", m->gpus == 1 ? "" : "s",
                         m->n_groups == 1 ? "" : "s");
        for (j = 0; j < m->n_groups; j++) {
            gp_strbuf_puts(&d, j ? ", " : "");
            gp_strbuf_puts(&d, m->groups[j]);
        }
        gp_strbuf_puts(&d, ". Each block is one MIG instance over the memory "
                           "slices it takes.");
        gp_strbuf_puts(o, "<h3>");
        esc(o, m->model->id);
        gp_strbuf_puts(o, ": <code>");
        esc(o, m->text);
        gp_strbuf_puts(o, "</code></h3>\n");
        figure_open(o, "mig");
        gp_svg_mig_layout(o, id, t.buf, d.buf, m->model->mig, m->layout);
        figure_close(o, d.buf);
    }
    gp_strbuf_release(&t);
    gp_strbuf_release(&d);
}

/* ---- sections -------------------------------------------------------- */

static void
card(struct gp_strbuf *o, const char *k, const char *v, const char *sub)
{
    gp_strbuf_puts(o, "<div class=\"card\"><div class=\"k\">");
    esc(o, k);
    gp_strbuf_puts(o, "</div><div class=\"v\">");
    esc(o, v);
    gp_strbuf_puts(o, "</div><div class=\"k\">");
    esc(o, sub);
    gp_strbuf_puts(o, "</div></div>\n");
}

/* The summary's rows as cards: before -> after, and the change. */
static void
cards(struct gp_strbuf *o, const struct gp_report *r)
{
    static const struct {
        const char *k, *note;
    } row[GP_RSEC_SUMMARY_ROWS] = {
        [GP_RSEC_GPUS] = {"GPUs provisioned, before \xe2\x86\x92 after", ""},
        [GP_RSEC_COST_DAY] = {"Cost per day", ""},
        [GP_RSEC_COST_MONTH] = {"Cost per month", " (730 hours)"},
    };
    struct gp_strbuf v = GP_STRBUF_INIT, s = GP_STRBUF_INIT;
    struct gp_markup mv, ms;
    size_t i;

    gp_markup_init(&mv, &v, GP_MARKUP_HTML);
    gp_markup_init(&ms, &s, GP_MARKUP_HTML);
    gp_strbuf_puts(o, "<div class=\"cards\">\n");
    for (i = 0; i < GP_RSEC_SUMMARY_ROWS; i++) {
        gp_rsec_summary_before(&mv, r, i);
        gp_strbuf_puts(&v, " \xe2\x86\x92 ");
        gp_rsec_summary_after(&mv, r, i);
        gp_rsec_summary_change(&ms, r, i);
        gp_strbuf_puts(&s, row[i].note);
        card(o, row[i].k, v.buf, s.buf);
        gp_strbuf_reset(&v);
        gp_strbuf_reset(&s);
    }
    gp_rfmt_count(&v, r->gpus_hosting);
    gp_strbuf_puts(&v, " of ");
    gp_rfmt_count(&v, r->gpus_after);
    gp_strbuf_printf(&s, "lower bound for these sharing choices: %.2f GPUs",
                     r->gpus_lower_bound);
    card(o, "GPUs hosting pods", v.buf, s.buf);
    gp_strbuf_puts(o, "</div>\n");
    gp_strbuf_release(&v);
    gp_strbuf_release(&s);
}

static void
findings(struct gp_markup *m, const struct gp_report *r)
{
    struct gp_strbuf *o = m->o;
    size_t i;

    if (!r->findings) {
        gp_strbuf_puts(o, "<div class=\"box ok\" role=\"status\"><strong>No "
                          "findings:</strong> every workload is placed and "
                          "meets its target, and every pool has the nodes "
                          "the plan needs.</div>\n");
        return;
    }
    gp_strbuf_puts(o, "<div class=\"box bad\" role=\"status\">"
                      "<strong>Findings</strong> (gpuplan exits 1):");
    gp_markup_list_open(m);
    gp_rsec_findings(m, r);
    if (r->n_missed > GP_RSEC_FINDINGS_MAX)
        gp_strbuf_printf(o,
                         "<li>%zu more placements miss their target; "
                         "see <a href=\"#workloads\">Workloads</a>."
                         "</li>\n",
                         r->n_missed - GP_RSEC_FINDINGS_MAX);
    if (r->n_unplaced) {
        gp_strbuf_printf(o, "<li>Not placed: %zu workload%s (",
                         r->n_unplaced, r->n_unplaced == 1 ? "" : "s");
        for (i = 0; i < r->n_unplaced && i < 10; i++) {
            gp_strbuf_puts(o, i ? ", " : "");
            gp_markup_span(m, GP_MARKUP_STRONG, r->plan->unplaced[i].w->name);
        }
        gp_strbuf_puts(o, r->n_unplaced > 10 ? ", ..." : "");
        gp_strbuf_puts(o, "); see <a href=\"#unplaced\">Not placed"
                          "</a>.</li>\n");
    }
    gp_markup_list_close(m);
    gp_strbuf_puts(o, "</div>\n");
}

static void
summary(struct gp_markup *m, const struct gp_report *r, struct gp_arena *a)
{
    struct gp_strbuf *o = m->o;

    gp_strbuf_puts(o, "<section id=\"summary\"><h2>Summary</h2>\n");
    cards(o, r);
    findings(m, r);
    if (r->n_flagged)
        gp_strbuf_printf(o,
                         "<p>%zu of %zu placements carry a risk flag; see "
                         "<a href=\"#workloads\">Workloads</a>.</p>\n",
                         r->n_flagged, r->n_loads);
    chart_gpus(o, r, a);
    chart_cost(o, r, a);
    gp_strbuf_puts(o, "</section>\n");
}

static void
pools(struct gp_markup *m, const struct gp_report *r, struct gp_arena *a)
{
    struct gp_strbuf *o = m->o;
    size_t i;

    gp_strbuf_puts(o, "<section id=\"pools\"><h2>Node pools</h2>\n");
    gp_rsec_pools(m, r);
    gp_strbuf_puts(o, "\n");
    chart_load(o, r, a);
    for (i = 0; i < r->n_pools; i++) {
        const struct gp_report_pool *p = &r->pools[i];

        gp_strbuf_printf(o, "<h3 id=\"pool-%zu\">", i + 1);
        gp_rsec_pool_title(m, p);
        gp_strbuf_puts(o, "</h3>\n");
        if (!p->n_groups) {
            gp_strbuf_puts(o, "<p class=\"note\">The plan places nothing in "
                              "this pool.</p>\n");
            continue;
        }
        gp_rsec_groups(m, r, p);
        gp_strbuf_puts(o, "\n<p><strong>What-if headroom</strong> (same "
                          "configs, no new nodes unless said):</p>");
        gp_rsec_room(m, r, p);
        gp_strbuf_puts(o, "\n");
    }
    gp_strbuf_puts(o, "</section>\n");
}

static void
workloads(struct gp_markup *m, const struct gp_report *r, struct gp_arena *a)
{
    struct gp_strbuf *o = m->o;

    gp_strbuf_puts(o, "<section id=\"workloads\"><h2>Workloads</h2>\n");
    chart_targets(o, r, a, true);
    chart_targets(o, r, a, false);
    gp_rsec_workloads(m, r);
    gp_strbuf_puts(o, "\n<p class=\"note\">");
    gp_rsec_risk_note(m);
    gp_strbuf_puts(o, "</p>\n</section>\n");
}

static void
unplaced(struct gp_markup *m, const struct gp_report *r)
{
    gp_strbuf_puts(m->o, "<section id=\"unplaced\"><h2>Not placed</h2>\n");
    if (!r->n_unplaced) {
        gp_strbuf_puts(m->o, "<p>Every workload is placed.</p></section>\n");
        return;
    }
    gp_rsec_unplaced(m, r);
    gp_strbuf_puts(m->o, "</section>\n");
}

void
gp_report_html(struct gp_strbuf *o, const struct gp_report *r)
{
    struct gp_arena *a = r->a;
    struct gp_markup m;

    gp_markup_init(&m, o, GP_MARKUP_HTML);
    gp_strbuf_puts(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                      "<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, "
                      "initial-scale=1\">\n"
                      "<meta http-equiv=\"Content-Security-Policy\" "
                      "content=\"default-src 'none'; style-src "
                      "'unsafe-inline'\">\n"
                      "<meta name=\"color-scheme\" content=\"light dark\">\n"
                      "<meta name=\"generator\" content=\"gpuplan ");
    esc(o, r->version);
    gp_strbuf_puts(o, "\">\n<title>GPU sharing plan: ");
    esc(o, r->inventory);
    gp_strbuf_puts(o, "</title>\n<style>\n");
    gp_strbuf_puts(o, css);
    gp_svg_css(o);
    gp_strbuf_puts(o, "</style>\n</head>\n<body>\n<header>\n"
                      "<h1>GPU sharing plan: ");
    esc(o, r->inventory);
    gp_strbuf_puts(o, "</h1>\n<p class=\"sub\">Capacity report by gpuplan ");
    esc(o, r->version);
    gp_strbuf_puts(o, ". The same figures are in report.md and report.json. "
                      "Predictions come from gpuplan's contention simulator; "
                      "see <a href=\"#assumptions\">Assumptions</a>.</p>\n"
                      "<nav aria-label=\"Sections\"><ul>"
                      "<li><a href=\"#summary\">Summary</a></li>"
                      "<li><a href=\"#pools\">Node pools</a></li>"
                      "<li><a href=\"#workloads\">Workloads</a></li>"
                      "<li><a href=\"#mig\">MIG layouts</a></li>"
                      "<li><a href=\"#unplaced\">Not placed</a></li>"
                      "<li><a href=\"#assumptions\">Assumptions</a></li>"
                      "</ul></nav>\n</header>\n<main>\n");
    summary(&m, r, a);
    pools(&m, r, a);
    workloads(&m, r, a);
    gp_strbuf_puts(o, "<section id=\"mig\"><h2>MIG layouts</h2>\n");
    if (r->n_migs)
        chart_migs(o, r);
    else
        gp_strbuf_puts(o, "<p>The plan uses no MIG layout.</p>\n");
    gp_strbuf_puts(o, "</section>\n");
    unplaced(&m, r);
    gp_strbuf_puts(o, "<section id=\"assumptions\"><h2>Assumptions</h2>\n");
    gp_rsec_assumptions(&m, r);
    gp_strbuf_puts(o, "</section>\n</main>\n<footer>Generated by gpuplan ");
    esc(o, r->version);
    gp_strbuf_puts(o, " from the plan alone: no clock, no host names.</footer>"
                      "\n</body>\n</html>\n");
}
