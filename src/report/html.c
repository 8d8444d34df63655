/* SPDX-License-Identifier: MIT */
/* report/html.c: report.html, one self-contained page: inline CSS, inline
 * SVG charts (report/svg.c), no script, no external asset (a Content
 * Security Policy forbids loading any). Light and dark through
 * prefers-color-scheme. Every user string goes through gp_svg_escape(). */
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
#include "report/svg.h"

#define esc gp_svg_escape

/* Findings listed one by one; past this, a count. */
#define FINDINGS_MAX 20

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

static void
num(struct gp_strbuf *o, uint64_t v)
{
    gp_rfmt_count(o, v);
}

static void
th(struct gp_strbuf *o, const char *const *cols, const char *numeric)
{
    size_t i;

    gp_strbuf_puts(o, "<thead><tr>");
    for (i = 0; cols[i]; i++)
        gp_strbuf_printf(o, "<th scope=\"col\"%s>%s</th>",
                         numeric[i] == 'n' ? " class=\"n\"" : "", cols[i]);
    gp_strbuf_puts(o, "</tr></thead>\n<tbody>\n");
}

static void
td_s(struct gp_strbuf *o, const char *s)
{
    gp_strbuf_puts(o, "<td>");
    esc(o, s);
    gp_strbuf_puts(o, "</td>");
}

static void
td_n(struct gp_strbuf *o, uint64_t v)
{
    gp_strbuf_puts(o, "<td class=\"n\">");
    num(o, v);
    gp_strbuf_puts(o, "</td>");
}

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
        rows[i].bar[0].value = p->gpus_before;
        rows[i].bar[0].style = GP_SVG_HATCH;
        gp_strbuf_puts(&t, "before ");
        num(&t, p->gpus_before);
        rows[i].bar[0].text = dup_text(a, &t);
        rows[i].bar[1].value = p->gpus_after;
        rows[i].bar[1].style = GP_SVG_SOLID;
        gp_strbuf_puts(&t, "after ");
        num(&t, p->gpus_after);
        if (p->over_capacity)
            gp_strbuf_puts(&t, " (over capacity)");
        rows[i].bar[1].text = dup_text(a, &t);
    }
    memset(&c, 0, sizeof(c));
    c.id = "chart-gpus";
    c.title = "GPUs provisioned per node pool, before and after the plan";
    gp_strbuf_puts(&t, "Total: ");
    num(&t, r->gpus_before);
    gp_strbuf_puts(&t, " GPUs before, ");
    num(&t, r->gpus_after);
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
    figure_open(o, "gpus");
    gp_svg_bar_chart(o, &c);
    gp_strbuf_printf(&cap, "GPUs provisioned per node pool. %s", c.desc);
    if (n < r->n_pools) {
        gp_strbuf_printf(&cap,
                         " The %zu largest of %zu pools; the table "
                         "lists all.",
                         n, r->n_pools);
    }
    figure_close(o, cap.buf);
    gp_strbuf_release(&t);
    gp_strbuf_release(&cap);
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
    rows[0].label = "before (one pod per GPU)";
    rows[0].n_bars = 1;
    rows[0].bar[0].value = r->cost_day_before;
    rows[0].bar[0].style = GP_SVG_HATCH;
    gp_rfmt_money(&t, r->cost_day_before);
    gp_strbuf_puts(&t, "/day, ");
    gp_rfmt_money(&t, r->cost_month_before);
    gp_strbuf_puts(&t, "/month");
    rows[0].bar[0].text = dup_text(a, &t);
    rows[1].label = "after (plan)";
    rows[1].n_bars = 1;
    rows[1].bar[0].value = r->cost_day_after;
    rows[1].bar[0].style = GP_SVG_SOLID;
    gp_rfmt_money(&t, r->cost_day_after);
    gp_strbuf_puts(&t, "/day, ");
    gp_rfmt_money(&t, r->cost_month_after);
    gp_strbuf_puts(&t, "/month");
    rows[1].bar[0].text = dup_text(a, &t);
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
    figure_open(o, "cost");
    gp_svg_bar_chart(o, &c);
    gp_strbuf_printf(&t, "GPU cost before and after. %s", c.desc);
    figure_close(o, t.buf);
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
        rows[i].bar[0].value = p->load_hosting * 100;
        rows[i].bar[0].style = GP_SVG_SOLID;
        if (p->gpus_hosting) {
            gp_rfmt_pct(&t, p->load_hosting);
            gp_strbuf_puts(&t, " of ");
            num(&t, p->gpus_hosting);
            gp_strbuf_puts(&t, " hosting");
        } else {
            gp_strbuf_puts(&t, "no pods");
        }
        rows[i].bar[0].text = dup_text(a, &t);
        rows[i].bar[1].value = p->load_provisioned * 100;
        rows[i].bar[1].style = GP_SVG_DOTS;
        gp_rfmt_pct(&t, p->load_provisioned);
        gp_strbuf_puts(&t, " of ");
        num(&t, p->gpus_after);
        gp_strbuf_puts(&t, " provisioned");
        rows[i].bar[1].text = dup_text(a, &t);
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
    figure_open(o, "load");
    gp_svg_bar_chart(o, &c);
    gp_strbuf_puts(&t, c.desc);
    if (n < r->n_pools)
        gp_strbuf_printf(&t, " The %zu largest of %zu pools.", n, r->n_pools);
    figure_close(o, t.buf);
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
        rows[i].bar[0].value = v * 100;
        rows[i].bar[0].style = load_style(l);
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
        rows[i].bar[0].text = dup_text(a, &t);
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
        figure_open(o, "latency");
    } else {
        c.id = "chart-throughput";
        c.title = "Predicted throughput against target, per workload";
        c.desc = "Each workload's predicted throughput per replica as a "
                 "percentage of its throughput target (the dashed line). "
                 "Over 100% meets the target.";
        c.x_title = "throughput (% of target; higher is better)";
        c.ref_label = "target";
        figure_open(o, "throughput");
    }
    gp_svg_bar_chart(o, &c);
    gp_strbuf_puts(&t, c.desc);
    if (n < m)
        gp_strbuf_printf(&t,
                         " The %zu placements closest to their target "
                         "of %zu; the table lists all.",
                         n, m);
    if (c.max > 0)
        gp_strbuf_puts(&t, " Bars past 300% are cut; their text gives the "
                           "value.");
    figure_close(o, t.buf);
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
        num(&d, m->gpus);
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

static void
summary(struct gp_strbuf *o, const struct gp_report *r, struct gp_arena *a)
{
    struct gp_strbuf v = GP_STRBUF_INIT, s = GP_STRBUF_INIT;
    size_t i, n;

    gp_strbuf_puts(o, "<section id=\"summary\"><h2>Summary</h2>\n"
                      "<div class=\"cards\">\n");
    num(&v, r->gpus_before);
    gp_strbuf_puts(&v, " \xe2\x86\x92 ");
    num(&v, r->gpus_after);
    gp_rfmt_gpus_change(&s, r);
    card(o, "GPUs provisioned, before \xe2\x86\x92 after", v.buf, s.buf);
    gp_strbuf_reset(&v);
    gp_strbuf_reset(&s);
    gp_rfmt_money(&v, r->cost_day_before);
    gp_strbuf_puts(&v, " \xe2\x86\x92 ");
    gp_rfmt_money(&v, r->cost_day_after);
    gp_rfmt_money_change(&s, r->cost_day_saved);
    card(o, "Cost per day", v.buf, s.buf);
    gp_strbuf_reset(&v);
    gp_strbuf_reset(&s);
    gp_rfmt_money(&v, r->cost_month_before);
    gp_strbuf_puts(&v, " \xe2\x86\x92 ");
    gp_rfmt_money(&v, r->cost_month_after);
    gp_rfmt_money_change(&s, r->cost_month_saved);
    gp_strbuf_puts(&s, " (730 hours)");
    card(o, "Cost per month", v.buf, s.buf);
    gp_strbuf_reset(&v);
    gp_strbuf_reset(&s);
    num(&v, r->gpus_hosting);
    gp_strbuf_puts(&v, " of ");
    num(&v, r->gpus_after);
    gp_strbuf_printf(&s, "lower bound for these sharing choices: %.2f GPUs",
                     r->gpus_lower_bound);
    card(o, "GPUs hosting pods", v.buf, s.buf);
    gp_strbuf_puts(o, "</div>\n");

    if (!r->findings) {
        gp_strbuf_puts(o, "<div class=\"box ok\" role=\"status\"><strong>No "
                          "findings:</strong> every workload is placed and "
                          "meets its target, and every pool has the nodes "
                          "the plan needs.</div>\n");
    } else {
        gp_strbuf_puts(o, "<div class=\"box bad\" role=\"status\">"
                          "<strong>Findings</strong> (gpuplan exits 1):"
                          "<ul>\n");
        for (i = 0; i < r->n_pools; i++)
            if (r->pools[i].over_capacity) {
                gp_strbuf_puts(o, "<li>Over capacity: pool <b>");
                esc(o, r->pools[i].name);
                gp_strbuf_printf(o, "</b> needs %u nodes and has %u.</li>\n",
                                 r->pools[i].nodes_used,
                                 r->pools[i].nodes_available);
            }
        for (i = 0, n = 0; i < r->n_loads; i++)
            if (!r->loads[i].as->meets_target && n++ < FINDINGS_MAX) {
                gp_strbuf_puts(o, "<li>Target missed: <b>");
                esc(o, r->loads[i].as->w->name);
                gp_strbuf_puts(o, "</b> in ");
                esc(o, r->loads[i].g->name);
                gp_strbuf_puts(o, ".</li>\n");
            }
        if (n > FINDINGS_MAX)
            gp_strbuf_printf(o,
                             "<li>%zu more placements miss their target; "
                             "see <a href=\"#workloads\">Workloads</a>."
                             "</li>\n",
                             n - FINDINGS_MAX);
        if (r->n_unplaced) {
            gp_strbuf_printf(o, "<li>Not placed: %zu workload%s (",
                             r->n_unplaced, r->n_unplaced == 1 ? "" : "s");
            for (i = 0; i < r->n_unplaced && i < 10; i++) {
                gp_strbuf_puts(o, i ? ", " : "");
                gp_strbuf_puts(o, "<b>");
                esc(o, r->plan->unplaced[i].w->name);
                gp_strbuf_puts(o, "</b>");
            }
            gp_strbuf_puts(o, r->n_unplaced > 10 ? ", ..." : "");
            gp_strbuf_puts(o, "); see <a href=\"#unplaced\">Not placed"
                              "</a>.</li>\n");
        }
        gp_strbuf_puts(o, "</ul></div>\n");
    }
    if (r->n_flagged)
        gp_strbuf_printf(o,
                         "<p>%zu of %zu placements carry a risk flag; see "
                         "<a href=\"#workloads\">Workloads</a>.</p>\n",
                         r->n_flagged, r->n_loads);
    chart_gpus(o, r, a);
    chart_cost(o, r, a);
    gp_strbuf_puts(o, "</section>\n");
    gp_strbuf_release(&v);
    gp_strbuf_release(&s);
}

static void
pools(struct gp_strbuf *o, const struct gp_report *r, struct gp_arena *a)
{
    static const char *const cols[] = {"Pool",
                                       "GPU",
                                       "Nodes used / available",
                                       "GPUs before",
                                       "GPUs after",
                                       "Cost/day before",
                                       "Cost/day after",
                                       "Load (hosting)",
                                       "Load (provisioned)",
                                       "Tightest memory headroom",
                                       NULL};
    static const char *const gcols[] = {"Node group",
                                        "Sharing config",
                                        "Nodes",
                                        "GPUs hosting pods",
                                        "Pod slots used",
                                        "GPU load",
                                        "Worst co-located memory / limit",
                                        "Headroom",
                                        NULL};
    size_t i, j, k;

    gp_strbuf_puts(o, "<section id=\"pools\"><h2>Node pools</h2>\n"
                      "<div class=\"scroll\"><table>\n");
    th(o, cols, "ssnnnnnnnn");
    for (i = 0; i < r->n_pools; i++) {
        const struct gp_report_pool *p = &r->pools[i];

        gp_strbuf_puts(o, "<tr>");
        gp_strbuf_printf(o, "<td><a href=\"#pool-%zu\">", i + 1);
        esc(o, p->name);
        gp_strbuf_puts(o, "</a></td>");
        td_s(o, p->gpu);
        gp_strbuf_printf(o, "<td class=\"n\">%u / %u%s</td>", p->nodes_used,
                         p->nodes_available,
                         p->over_capacity ? " <span class=\"flag bad\">over "
                                            "capacity</span>"
                                          : "");
        td_n(o, p->gpus_before);
        td_n(o, p->gpus_after);
        gp_strbuf_puts(o, "<td class=\"n\">");
        gp_rfmt_money(o, p->cost_day_before);
        gp_strbuf_puts(o, "</td><td class=\"n\">");
        gp_rfmt_money(o, p->cost_day_after);
        gp_strbuf_puts(o, "</td><td class=\"n\">");
        gp_rfmt_pct(o, p->load_hosting);
        gp_strbuf_puts(o, "</td><td class=\"n\">");
        gp_rfmt_pct(o, p->load_provisioned);
        gp_strbuf_puts(o, "</td><td class=\"n\">");
        if (p->has_mem)
            gp_rfmt_mib(o, p->min_mem_headroom_mib);
        else
            gp_strbuf_puts(o, "-");
        gp_strbuf_puts(o, "</td></tr>\n");
    }
    gp_strbuf_puts(o, "</tbody></table></div>\n");
    chart_load(o, r, a);

    for (i = 0; i < r->n_pools; i++) {
        const struct gp_report_pool *p = &r->pools[i];
        gp_strbuf_printf(o, "<h3 id=\"pool-%zu\">Pool ", i + 1);
        esc(o, p->name);
        gp_strbuf_puts(o, " <span class=\"sub\">(");
        esc(o, p->gpu);
        gp_strbuf_printf(o, ", %u of %u nodes used", p->nodes_used,
                         p->nodes_available);
        gp_strbuf_puts(o, ")</span></h3>\n");
        if (!p->n_groups) {
            gp_strbuf_puts(o, "<p class=\"note\">The plan places nothing in "
                              "this pool.</p>\n");
            continue;
        }
        gp_strbuf_puts(o, "<div class=\"scroll\"><table>\n");
        th(o, gcols, "ssnnnnnn");
        for (j = 0; j < p->n_groups; j++) {
            const struct gp_report_group *g = &r->groups[p->groups[j]];

            gp_strbuf_puts(o, "<tr>");
            td_s(o, g->g->name);
            gp_strbuf_puts(o, "<td><code>");
            esc(o, g->config);
            gp_strbuf_puts(o, "</code>");
            if (g->g->tenant) {
                gp_strbuf_puts(o, "<br>tenant ");
                esc(o, g->g->tenant);
                gp_strbuf_puts(o, " (one MPS fault domain)");
            }
            gp_strbuf_puts(o, "</td>");
            td_n(o, g->g->nodes);
            td_n(o, g->g->gpus_used);
            gp_strbuf_puts(o, "<td class=\"n\">");
            num(o, g->slots_used);
            gp_strbuf_puts(o, " / ");
            num(o, g->slots);
            gp_strbuf_puts(o, "</td><td class=\"n\">");
            gp_rfmt_pct(o, g->load);
            gp_strbuf_puts(o, "</td><td class=\"n\">");
            gp_rfmt_mib(o, g->g->worst_mem_mib);
            gp_strbuf_puts(o, " / ");
            gp_rfmt_mib(o, g->g->gpu_mem_mib);
            gp_strbuf_puts(o, "</td><td class=\"n\">");
            gp_rfmt_mib(o, g->mem_headroom_mib);
            gp_strbuf_puts(o, "</td></tr>\n");
        }
        gp_strbuf_puts(o, "</tbody></table></div>\n"
                          "<p><strong>What-if headroom</strong> (same "
                          "configs, no new nodes unless said):</p><ul>\n");
        for (j = 0; j < p->n_groups; j++) {
            const struct gp_report_group *g = &r->groups[p->groups[j]];

            for (k = g->first_load; k < g->first_load + g->n_loads; k++) {
                const struct gp_report_load *l = &r->loads[k];

                gp_strbuf_puts(o, "<li>room for <b>");
                num(o, l->room);
                gp_strbuf_puts(o, "</b> more replica");
                gp_strbuf_puts(o, l->room == 1 ? "" : "s");
                gp_strbuf_puts(o, " of <b>");
                esc(o, l->as->w->name);
                gp_strbuf_puts(o, "</b> in ");
                esc(o, l->g->name);
                if (p->idle_nodes && l->room_idle) {
                    gp_strbuf_puts(o, "; ");
                    num(o, l->room + l->room_idle);
                    gp_strbuf_printf(o,
                                     " if the pool's %u idle node%s "
                                     "join%s it",
                                     p->idle_nodes,
                                     p->idle_nodes == 1 ? "" : "s",
                                     p->idle_nodes == 1 ? "s" : "");
                }
                gp_strbuf_puts(o, "</li>\n");
            }
        }
        gp_strbuf_puts(o, "</ul>\n");
    }
    gp_strbuf_puts(o, "</section>\n");
}

static void
flags_html(struct gp_strbuf *o, unsigned flags)
{
    unsigned f;

    if (!flags) {
        gp_strbuf_puts(o, "none");
        return;
    }
    for (f = 1; f <= GP_REPORT_UNSTABLE; f <<= 1)
        if (flags & f)
            gp_strbuf_printf(o, "<span class=\"flag%s\">%s</span>",
                             f >= GP_REPORT_TARGET_MISSED ? " bad" : "",
                             gp_report_flag_name((enum gp_report_flag)f));
}

static void
workloads(struct gp_strbuf *o, const struct gp_report *r, struct gp_arena *a)
{
    static const char *const cols[] = {"Workload",
                                       "Node group",
                                       "Resource",
                                       "Replicas",
                                       "Throughput/s (offered)",
                                       "p50 / p99",
                                       "Target",
                                       "Against target",
                                       "Memory peak / limit",
                                       "Status",
                                       "Risk",
                                       "Room for more",
                                       NULL};
    size_t i;

    gp_strbuf_puts(o, "<section id=\"workloads\"><h2>Workloads</h2>\n");
    chart_targets(o, r, a, true);
    chart_targets(o, r, a, false);
    gp_strbuf_puts(o, "<div class=\"scroll\"><table class=\"wl\">\n");
    th(o, cols, "sssnnnsnnssn");
    for (i = 0; i < r->n_loads; i++) {
        const struct gp_report_load *l = &r->loads[i];
        const struct gp_plan_assign *as = l->as;
        const struct gp_report_pool *p =
            &r->pools[l->g->pool - r->plan->inv->pools];

        gp_strbuf_puts(o, "<tr><td><b>");
        esc(o, as->w->name);
        gp_strbuf_puts(o, "</b><br><span class=\"sub\">");
        esc(o, as->w->namespace_);
        gp_strbuf_puts(o, "</span></td>");
        td_s(o, l->g->name);
        td_s(o, as->resource);
        td_n(o, as->replicas);
        gp_strbuf_printf(o, "<td class=\"n\">%.2f", as->throughput);
        if (as->offered > 0)
            gp_strbuf_printf(o, " (%.2f)", as->offered);
        gp_strbuf_puts(o, "</td><td class=\"n\">");
        if (as->has_latency) {
            gp_rfmt_secs(o, as->p50);
            gp_strbuf_puts(o, " / ");
            gp_rfmt_secs(o, as->p99);
        } else {
            gp_strbuf_puts(o, "-");
        }
        gp_strbuf_puts(o, "</td><td>");
        gp_rfmt_target(o, as->w);
        gp_strbuf_puts(o, "</td><td class=\"n\">");
        gp_rfmt_vs_target(o, l);
        gp_strbuf_puts(o, "</td><td class=\"n\">");
        gp_rfmt_mib(o, as->mem_need_mib);
        gp_strbuf_puts(o, " / ");
        gp_rfmt_mib(o, as->mem_limit_mib);
        gp_strbuf_puts(o, "</td><td>");
        gp_rfmt_status(o, l);
        gp_strbuf_puts(o, as->by_engine ? " (event engine)" : " (analytic)");
        gp_strbuf_puts(o, "</td><td>");
        flags_html(o, l->flags);
        gp_strbuf_puts(o, "</td><td class=\"n\">");
        gp_rfmt_room(o, l, p->idle_nodes);
        gp_strbuf_puts(o, "</td></tr>\n");
    }
    gp_strbuf_puts(o, "</tbody></table></div>\n");
    gp_strbuf_puts(o, "<p class=\"note\">Risk flags: <b>OOM risk</b>, the "
                      "memory peak is at least 90% of its limit (for "
                      "time-slicing, also when the worst co-located peaks "
                      "fill 90% of the GPU: nothing isolates memory); "
                      "<b>shared fault domain</b>, MPS or time-slicing with "
                      "other replicas on the GPU, where one fatal fault can "
                      "end them all; <b>near saturation</b>, p99 at least "
                      "80% of its target, throughput under 110% of its "
                      "target, or under 98% of the offered load. What-if "
                      "room counts free slots of the placement's kind in its "
                      "group (replicas per GPU, whole GPUs, or MIG "
                      "instances of its profile), whose worst co-location "
                      "the plan has already checked.</p>\n"
                      "</section>\n");
}

static void
unplaced(struct gp_strbuf *o, const struct gp_report *r)
{
    static const char *const cols[] = {"Workload", "Namespace", "Replicas",
                                       "Why", NULL};
    size_t i;

    gp_strbuf_puts(o, "<section id=\"unplaced\"><h2>Not placed</h2>\n");
    if (!r->n_unplaced) {
        gp_strbuf_puts(o, "<p>Every workload is placed.</p></section>\n");
        return;
    }
    gp_strbuf_puts(o, "<div class=\"scroll\"><table>\n");
    th(o, cols, "ssns");
    for (i = 0; i < r->n_unplaced; i++) {
        const struct gp_plan_unplaced *u = &r->plan->unplaced[i];

        gp_strbuf_puts(o, "<tr>");
        td_s(o, u->w->name);
        td_s(o, u->w->namespace_);
        td_n(o, u->replicas);
        td_s(o, u->why);
        gp_strbuf_puts(o, "</tr>\n");
    }
    gp_strbuf_puts(o, "</tbody></table></div></section>\n");
}

static void
assumptions(struct gp_strbuf *o, const struct gp_report *r)
{
    size_t i;
    const struct gp_plan *p = r->plan;

    gp_strbuf_puts(o, "<section id=\"assumptions\"><h2>Assumptions</h2>\n"
                      "<ul>\n<li><b>Inputs</b>: inventory <b>");
    esc(o, r->inventory);
    gp_strbuf_puts(o, "</b> from ");
    for (i = 0; i < r->n_inputs; i++) {
        gp_strbuf_puts(o, i ? ", <code>" : "<code>");
        esc(o, r->inputs[i]);
        gp_strbuf_puts(o, "</code>");
    }
    gp_strbuf_puts(o, r->n_inputs ? "" : "memory");
    gp_strbuf_puts(o, "; gpuplan ");
    esc(o, r->version);
    gp_strbuf_puts(o, ".</li>\n<li><b>Before</b> is one pod per GPU for the "
                      "same placed workloads; <b>after</b> counts every GPU "
                      "of the nodes the plan uses (whole nodes), whether it "
                      "hosts a pod or not. Both are priced at each pool's "
                      "<code>pricePerGPUHour</code>; a month is 730 hours. "
                      "The inventory has ");
    num(o, r->gpus_capacity);
    gp_strbuf_puts(o, " GPUs in all.</li>\n");
    gp_strbuf_printf(o,
                     "<li><b>Predictions</b>: %llu co-locations "
                     "predicted, %llu by the discrete-event engine",
                     (unsigned long long)p->evals,
                     (unsigned long long)p->engine_evals);
    if (r->engine_only)
        gp_strbuf_puts(o, " (every one: <code>--engine</code>)");
    else
        gp_strbuf_puts(o, ", the others by the analytic estimate where it "
                          "trusts itself (load up to 0.7)");
    gp_strbuf_printf(o,
                     "; event-engine seed %llu. Each placement is judged "
                     "in the worst co-location its group's config "
                     "allows.</li>\n",
                     (unsigned long long)r->seed);
    gp_strbuf_puts(o, "<li><b>Calibration</b> (time-slice and MPS "
                      "constants):<ul>\n");
    for (i = 0; i < r->n_calibs; i++) {
        const struct gp_report_calib *c = &r->calibs[i];

        gp_strbuf_puts(o, "<li>");
        esc(o, c->model->id);
        gp_strbuf_puts(o, ": <code>");
        esc(o, c->file);
        gp_strbuf_puts(o, "</code>, measured on ");
        esc(o, c->measured_on);
        gp_strbuf_puts(o, " (");
        esc(o, c->date);
        gp_strbuf_puts(o, ", driver ");
        esc(o, c->driver);
        gp_strbuf_puts(o, c->exact ? ")"
                                   : "), standing in: no calibration "
                                     "was measured on this model");
        gp_strbuf_puts(o, "</li>\n");
    }
    gp_strbuf_puts(o, "</ul></li>\n<li><b>GPU models</b> (catalogue):"
                      "<ul>\n");
    for (i = 0; i < r->n_calibs; i++) {
        const struct gp_gpu_model *m = r->calibs[i].model;

        gp_strbuf_puts(o, "<li>");
        esc(o, m->id);
        gp_strbuf_puts(o, ": ");
        gp_strbuf_puts(o, m->builtin ? "built-in <code>" : "user file <code>");
        esc(o, m->file ? (strrchr(m->file, '/') && !m->builtin
                              ? strrchr(m->file, '/') + 1
                              : m->file)
                       : "?");
        gp_strbuf_printf(o, "</code>, %llu MiB, %u SMs",
                         (unsigned long long)m->memory_mib, m->sm_count);
        if (m->mig) {
            gp_strbuf_printf(o, ", MIG placements %s",
                             gp_confidence_name(m->mig->placements_confidence));
            if (m->mig->driver_observed &&
                strcmp(m->mig->driver_observed, "unknown") != 0) {
                gp_strbuf_puts(o, ", observed with driver ");
                esc(o, m->mig->driver_observed);
            }
        }
        gp_strbuf_puts(o, "</li>\n");
    }
    gp_strbuf_puts(o, "</ul></li>\n<li><b>Risk thresholds</b>: OOM risk at "
                      "90% of the memory limit; near saturation at p99 80% "
                      "of target, throughput 110% of target, or 98% of the "
                      "offered load.</li>\n</ul></section>\n");
}

void
gp_report_html(struct gp_strbuf *o, const struct gp_report *r)
{
    struct gp_arena *a = r->a;

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
    summary(o, r, a);
    pools(o, r, a);
    workloads(o, r, a);
    gp_strbuf_puts(o, "<section id=\"mig\"><h2>MIG layouts</h2>\n");
    if (r->n_migs)
        chart_migs(o, r);
    else
        gp_strbuf_puts(o, "<p>The plan uses no MIG layout.</p>\n");
    gp_strbuf_puts(o, "</section>\n");
    unplaced(o, r);
    assumptions(o, r);
    gp_strbuf_puts(o, "</main>\n<footer>Generated by gpuplan ");
    esc(o, r->version);
    gp_strbuf_puts(o, " from the plan alone: no clock, no host names.</footer>"
                      "\n</body>\n</html>\n");
}
