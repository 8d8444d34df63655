/* SPDX-License-Identifier: MIT */
/* Report tests: the SVG chart builder (escaping, ids, axes and ticks,
 * labels and titles, bars cut at the axis end, MIG pictures); the figures
 * of a real plan (small-lab) against the plan's own totals, what-if
 * headroom and risk flags; the HTML and Markdown writer (tables, lists,
 * marks); escaping of user strings in HTML and Markdown; byte-stable
 * output; and the all-or-nothing directory write. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "harness.h"
#include "inventory/inventory.h"
#include "json/json.h"
#include "mig/geometry.h"
#include "model/gpu.h"
#include "plan/plan.h"
#include "report/markup.h"
#include "report/report.h"
#include "report/svg.h"
#include "tests.h"

static size_t
count(const char *hay, const char *needle)
{
    size_t n = 0, len = strlen(needle);

    while ((hay = strstr(hay, needle)) != NULL) {
        n++;
        hay += len;
    }
    return n;
}

/* ---- the chart builder ----------------------------------------------- */

void
report_svg_axis_steps(void)
{
    double step, end;

    gp_svg_axis(29, &step, &end);
    DBL_NEAR(step, 10, 1e-12);
    DBL_NEAR(end, 30, 1e-12);
    gp_svg_axis(100, &step, &end);
    DBL_NEAR(step, 20, 1e-12);
    DBL_NEAR(end, 100, 1e-12);
    gp_svg_axis(0.37, &step, &end);
    DBL_NEAR(step, 0.1, 1e-12);
    DBL_NEAR(end, 0.4, 1e-12);
    gp_svg_axis(4208.64, &step, &end);
    DBL_NEAR(step, 1000, 1e-9);
    DBL_NEAR(end, 5000, 1e-9);
    gp_svg_axis(1, &step, &end);
    DBL_NEAR(step, 0.2, 1e-12);
    DBL_NEAR(end, 1, 1e-12);
    /* nothing to show still gives an axis */
    gp_svg_axis(0, &step, &end);
    DBL_NEAR(end, 1, 0);
    gp_svg_axis(-3, &step, &end);
    DBL_NEAR(end, 1, 0);
}

void
report_svg_chart_escapes_and_labels(void)
{
    struct gp_strbuf o = GP_STRBUF_INIT;
    struct gp_svg_row rows[2];
    static const struct gp_svg_legend leg[] = {
        {GP_SVG_HATCH, "before <b>"},
        {GP_SVG_SOLID, "after"},
    };
    struct gp_svg_chart c;

    memset(rows, 0, sizeof(rows));
    rows[0].label = "<script>alert('x')</script> & \"q\"";
    rows[0].n_bars = 2;
    rows[0].bar[0].value = 29;
    rows[0].bar[0].style = GP_SVG_HATCH;
    rows[0].bar[1].value = 24;
    rows[0].bar[1].text = "after <24>";
    rows[1].label = "pool-b";
    rows[1].n_bars = 1;
    rows[1].bar[0].value = 1000; /* past the axis end: cut */
    rows[1].has_marker = true;
    rows[1].marker = 3;
    memset(&c, 0, sizeof(c));
    c.id = "Chart One!";
    c.title = "GPUs & <cost>";
    c.desc = "desc \x01 here";
    c.x_title = "GPUs provisioned (count)";
    c.y_title = "node pool";
    c.unit_prefix = "$";
    c.rows = rows;
    c.n_rows = 2;
    c.legend = leg;
    c.n_legend = 2;
    c.max = 30;
    c.has_ref = true;
    c.ref = 25;
    c.ref_label = "target";
    c.marker_label = "p50";
    gp_svg_bar_chart(&o, &c);

    /* no raw markup from user strings, anywhere */
    OK(strstr(o.buf, "<script") == NULL);
    OK(strstr(o.buf, "<b>") == NULL);
    OK(strstr(o.buf, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; "
                     "&amp; &quot;q&quot;") != NULL);
    OK(strstr(o.buf, "after &lt;24&gt;") != NULL);
    OK(strstr(o.buf, "before &lt;b&gt;") != NULL);
    OK(strstr(o.buf, "desc \xef\xbf\xbd here") != NULL);
    /* accessible name: role, title and desc tied by ids; id cleaned */
    OK(strstr(o.buf, "<svg xmlns=\"http://www.w3.org/2000/svg\"") == o.buf);
    OK(strstr(o.buf, "id=\"chart-one-\"") != NULL);
    OK(strstr(o.buf, "role=\"img\"") != NULL);
    OK(strstr(o.buf, "aria-labelledby=\"chart-one--t chart-one--d\"") != NULL);
    OK(strstr(o.buf, "<title id=\"chart-one--t\">GPUs &amp; &lt;cost&gt;"
                     "</title>") != NULL);
    OK(strstr(o.buf, "<desc id=\"chart-one--d\">") != NULL);
    /* axes: both titles, ticks 0..30 by 10 with the unit */
    OK(strstr(o.buf, ">GPUs provisioned (count)</text>") != NULL);
    OK(strstr(o.buf, "rotate(-90") != NULL);
    OK(strstr(o.buf, ">node pool</text>") != NULL);
    OK(strstr(o.buf, ">$0</text>") != NULL);
    OK(strstr(o.buf, ">$10</text>") != NULL);
    OK(strstr(o.buf, ">$30</text>") != NULL);
    OK(strstr(o.buf, ">$40</text>") == NULL);
    INT_EQ(count(o.buf, "class=\"gp-grid\""), 4);
    /* every bar has a title and a value text; patterns per chart id */
    INT_EQ(count(o.buf, "<rect x="), 3 + 2 /* legend swatches */);
    INT_EQ(count(o.buf, "class=\"gp-val\""), 3);
    OK(strstr(o.buf, ">$1000</text>") != NULL);
    OK(strstr(o.buf, "fill=\"url(#chart-one--p1)\"") != NULL);
    OK(strstr(o.buf, "<pattern id=\"chart-one--p1\"") != NULL);
    /* the reference line and the marker, with their legend entries */
    INT_EQ(count(o.buf, "class=\"gp-ref\""), 2);
    INT_EQ(count(o.buf, "class=\"gp-m\""), 2);
    OK(strstr(o.buf, ">target</text>") != NULL);
    OK(strstr(o.buf, ">p50</text>") != NULL);
    OK(strcmp(o.buf + o.len - 7, "</svg>\n") == 0);
    gp_strbuf_release(&o);
}

/* The bar past the axis end is cut at the end of the plot. */
void
report_svg_bars_cut_at_axis_end(void)
{
    struct gp_strbuf o = GP_STRBUF_INIT;
    struct gp_svg_row r;
    struct gp_svg_chart c;
    double x = 0, w = 0, x1 = 0;
    const char *s, *g;
    int n = 0;

    memset(&r, 0, sizeof(r));
    r.label = "w";
    r.n_bars = 1;
    r.bar[0].value = 900;
    memset(&c, 0, sizeof(c));
    c.id = "cut";
    c.title = c.desc = c.x_title = "t";
    c.rows = &r;
    c.n_rows = 1;
    c.max = 300;
    gp_svg_bar_chart(&o, &c);
    s = strstr(o.buf, "<rect x=\"");
    OK(s != NULL);
    if (s)
        n = sscanf(s, "<rect x=\"%lf\" y=\"%*f\" width=\"%lf\"", &x, &w);
    INT_EQ(n, 2);
    /* the last grid line is the axis end */
    for (g = o.buf; (g = strstr(g, "class=\"gp-grid\" x1=\"")) != NULL; g++)
        sscanf(g, "class=\"gp-grid\" x1=\"%lf\"", &x1);
    DBL_NEAR(x + w, x1, 0.11);
    OK(strstr(o.buf, ">900</text>") != NULL);
    gp_strbuf_release(&o);
}

void
report_svg_mig_picture(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_catalog *cat;
    const struct gp_mig_spec *m;
    const struct gp_mig_profile *want[2];
    struct gp_mig_check chk;
    struct gp_strbuf o = GP_STRBUF_INIT;

    OK(gp_catalog_load(&cat, a, NULL, d) == 0);
    m = gp_catalog_find(cat, "A100-SXM4-40GB")->mig;
    want[0] = gp_mig_find_profile(m, "3g.20gb");
    want[1] = gp_mig_find_profile(m, "1g.5gb");
    gp_mig_check(&chk, m, want, 2, NULL);
    INT_EQ(chk.verdict, GP_MIG_FITS);
    gp_svg_mig_layout(&o, "mig-1", "A100 <layout>", "one GPU", m, &chk.placed);
    OK(strstr(o.buf, "role=\"img\"") != NULL);
    OK(strstr(o.buf, "A100 &lt;layout&gt;") != NULL);
    /* 8 memory slices as slots, numbered */
    INT_EQ(count(o.buf, "class=\"gp-slot\""), 8);
    OK(strstr(o.buf, ">7</text>") != NULL);
    /* both instances, labelled, and the free slices dashed */
    OK(strstr(o.buf, ">3g.20gb</text>") != NULL);
    OK(strstr(o.buf, ">1g.5gb</text>") != NULL);
    OK(count(o.buf, "class=\"gp-free\"") >= 1);
    OK(strstr(o.buf, ">free</text>") != NULL);
    OK(strstr(o.buf, "19968 MiB") != NULL || strstr(o.buf, "MiB") != NULL);
    gp_strbuf_release(&o);
    gp_arena_free(a);
}

/* ---- the HTML and Markdown writer ------------------------------------ */

static void
test_row(struct gp_markup *m, const struct gp_report *r, size_t i)
{
    static const char *const names[] = {"a|b <i>", "line\nbreak"};

    (void)r;
    gp_markup_cell(m);
    gp_markup_span(m, GP_MARKUP_STRONG, names[i]);
    gp_markup_br(m);
    gp_markup_span(m, GP_MARKUP_SUB, "ns");
    gp_markup_cell(m);
    gp_strbuf_printf(m->o, "%zu", i + 10);
    if (i == 1) {
        gp_strbuf_puts(m->o, " ");
        gp_markup_span(m, GP_MARKUP_ALERT, "over");
    }
}

static void
render_table(struct gp_strbuf *o, enum gp_markup_format fmt)
{
    static const struct gp_markup_col cols[] = {
        {"Name", false},
        {"N", true},
    };
    static const struct gp_markup_table t = {"wl", cols, 2, test_row};
    static const size_t rows[] = {1, 0};
    struct gp_markup m;

    gp_markup_init(&m, o, fmt);
    gp_markup_table(&m, &t, NULL, rows, 2);
}

/* Nested lists, marks, links and flags, in both formats. */
static void
render_prose(struct gp_strbuf *o, enum gp_markup_format fmt)
{
    struct gp_markup m;

    gp_markup_init(&m, o, fmt);
    gp_markup_list_open(&m);
    gp_markup_item_open(&m);
    gp_markup_link(&m, "pool-1", "p*1");
    gp_strbuf_puts(o, ": ");
    gp_markup_span(&m, GP_MARKUP_CODE, "x_y");
    gp_markup_list_open(&m);
    gp_markup_item_open(&m);
    gp_markup_flags(&m, 0);
    gp_markup_item_close(&m);
    gp_markup_item_open(&m);
    gp_markup_flags(&m, GP_REPORT_OOM_RISK | GP_REPORT_TARGET_MISSED);
    gp_markup_item_close(&m);
    gp_markup_list_close(&m);
    gp_markup_item_close(&m);
    gp_markup_item_open(&m);
    gp_strbuf_puts(o, "last");
    gp_markup_item_close(&m);
    gp_markup_list_close(&m);
}

void
report_markup_tables_and_lists(void)
{
    struct gp_strbuf o = GP_STRBUF_INIT;

    /* Markdown: header and alignment rows; rows in the order given; user
     * text escaped, one line per cell */
    render_table(&o, GP_MARKUP_MD);
    STR_EQ(o.buf, "| Name | N |\n"
                  "|---|---:|\n"
                  "| line break; ns | 11 (over) |\n"
                  "| a\\|b \\<i\\>; ns | 10 |\n");
    gp_strbuf_reset(&o);
    render_table(&o, GP_MARKUP_HTML);
    STR_EQ(o.buf, "<div class=\"scroll\"><table class=\"wl\">\n"
                  "<thead><tr><th scope=\"col\">Name</th>"
                  "<th scope=\"col\" class=\"n\">N</th></tr></thead>\n"
                  "<tbody>\n"
                  "<tr><td><b>line\nbreak</b><br><span class=\"sub\">ns"
                  "</span></td><td class=\"n\">11 <span class=\"flag "
                  "bad\">over</span></td></tr>\n"
                  "<tr><td><b>a|b &lt;i&gt;</b><br><span class=\"sub\">ns"
                  "</span></td><td class=\"n\">10</td></tr>\n"
                  "</tbody></table></div>");
    gp_strbuf_reset(&o);
    render_prose(&o, GP_MARKUP_MD);
    STR_EQ(o.buf, "- p\\*1: x\\_y\n"
                  "  - none\n"
                  "  - OOM risk, target missed\n"
                  "- last\n");
    gp_strbuf_reset(&o);
    render_prose(&o, GP_MARKUP_HTML);
    STR_EQ(o.buf, "<ul>\n<li><a href=\"#pool-1\">p*1</a>: <code>x_y</code>"
                  "<ul>\n<li>none</li>\n"
                  "<li><span class=\"flag\">OOM risk</span><span "
                  "class=\"flag bad\">target missed</span></li>\n"
                  "</ul></li>\n<li>last</li>\n</ul>");
    gp_strbuf_release(&o);
}

/* ---- a real plan ----------------------------------------------------- */

struct real {
    struct gp_arena *a;
    struct gp_diags *d;
    struct gp_inventory *inv;
    struct gp_plan *plan;
    struct gp_report *r;
};

static int
real_init(struct real *x, const char *scenario)
{
    struct gp_catalog *cat;
    struct gp_plan_opts po = {false, 1, GP_PLAN_ENGINE_BUDGET};
    struct gp_report_opts ro;
    char path[512];
    const char *files[1] = {path};

    memset(x, 0, sizeof(*x));
    x->a = gp_arena_new();
    x->d = gp_diags_new(x->a);
    snprintf(path, sizeof(path), "%s/scenarios/%s", GP_SOURCE_DIR, scenario);
    memset(&ro, 0, sizeof(ro));
    ro.seed = 1;
    ro.inputs = files;
    ro.n_inputs = 1;
    ro.version = "test";
    if (gp_catalog_load(&cat, x->a, NULL, x->d) < 0 ||
        gp_inventory_load(&x->inv, x->a, files, 1, cat, x->d) < 0 ||
        gp_plan_make(&x->plan, x->a, x->inv, &po, x->d) < 0 ||
        gp_report_build(&x->r, x->a, x->plan, &ro, x->d) < 0) {
        gp_diags_print(x->d, stderr);
        return -1;
    }
    return 0;
}

static const struct gp_report_load *
load_of(const struct gp_report *r, const char *name)
{
    size_t i;

    for (i = 0; i < r->n_loads; i++)
        if (strcmp(r->loads[i].as->w->name, name) == 0)
            return &r->loads[i];
    return NULL;
}

void
report_small_lab_figures(void)
{
    struct real x;
    const struct gp_report *r;
    const struct gp_report_load *l;
    size_t i, hosting = 0;

    if (real_init(&x, "small-lab.yaml") < 0) {
        OK(0);
        return;
    }
    r = x.r;
    /* the pools add up to the plan's own totals */
    INT_EQ(r->gpus_before, x.plan->baseline_gpus);
    INT_EQ(r->gpus_after, x.plan->gpus_provisioned);
    INT_EQ(r->gpus_hosting, x.plan->gpus_used);
    DBL_NEAR(r->cost_day_before, gp_round(x.plan->baseline_cost_per_day, 2), 0);
    DBL_NEAR(r->cost_day_after, gp_round(x.plan->cost_per_day, 2), 0);
    DBL_NEAR(r->cost_month_after, gp_round(x.plan->cost_per_day / 24 * 730, 2),
             0);
    INT_EQ(r->gpus_saved, 7);
    DBL_NEAR(r->cost_day_saved, 58.8, 1e-9);
    for (i = 0; i < r->n_pools; i++)
        hosting += r->pools[i].gpus_hosting;
    INT_EQ(hosting, r->gpus_hosting);
    /* the plan fits the inventory: one a100 node and the l4 node, the
     * other a100 node idle */
    INT_EQ(r->n_over_capacity, 0);
    OK(!r->pools[0].over_capacity && !r->pools[1].over_capacity);
    INT_EQ(r->pools[0].idle_nodes, 1);
    INT_EQ(r->pools[1].idle_nodes, 0);
    /* what-if: time-slicing x3 on the l4 node's 4 GPUs holds 12, 11 used
     * (10 notebooks, 1 demo-whisper); its pool has no idle node */
    l = load_of(r, "notebooks");
    OK(l != NULL);
    if (l) {
        INT_EQ(l->room, 1);
        INT_EQ(l->room_idle, 0);
        OK(l->flags & GP_REPORT_SHARED_FAULT);
        /* 3 x 6 GiB of 22.5 GiB: 80%, under the 90% OOM threshold */
        OK(!(l->flags & GP_REPORT_OOM_RISK));
    }
    /* an exclusive A100 40GB, 22 of 40 GiB at peak, on a node whose four
     * GPUs all host pods */
    l = load_of(r, "course-finetune");
    OK(l != NULL);
    if (l) {
        OK(!(l->flags & GP_REPORT_OOM_RISK));
        OK(!(l->flags & GP_REPORT_SHARED_FAULT));
        INT_EQ(l->room, 0);
        DBL_NEAR(l->tput_of_target, gp_round(l->as->throughput / 3, 4), 0);
    }
    /* exclusive beside course-finetune: no flag */
    l = load_of(r, "demo-classifier");
    OK(l != NULL);
    if (l)
        INT_EQ(l->flags, 0);
    INT_EQ(r->n_calibs, 2);
    OK(r->calibs[0].file && strstr(r->calibs[0].file, "calibration") != NULL);
    STR_EQ(r->inputs[0], "small-lab.yaml");
    gp_arena_free(x.a);
}

void
report_outputs_stable_and_complete(void)
{
    struct real x;
    struct gp_strbuf h1 = GP_STRBUF_INIT, h2 = GP_STRBUF_INIT;
    struct gp_strbuf m1 = GP_STRBUF_INIT, m2 = GP_STRBUF_INIT;
    struct gp_json *js;
    char *j;

    if (real_init(&x, "tenant-isolation.yaml") < 0) {
        OK(0);
        return;
    }
    gp_report_html(&h1, x.r);
    gp_report_html(&h2, x.r);
    gp_report_markdown(&m1, x.r);
    gp_report_markdown(&m2, x.r);
    OK(h1.len == h2.len && memcmp(h1.buf, h2.buf, h1.len) == 0);
    OK(m1.len == m2.len && memcmp(m1.buf, m2.buf, m1.len) == 0);
    /* every chart kind; one MIG picture per layout */
    OK(strstr(h1.buf, "data-chart=\"gpus\"") != NULL);
    OK(strstr(h1.buf, "data-chart=\"cost\"") != NULL);
    OK(strstr(h1.buf, "data-chart=\"load\"") != NULL);
    OK(strstr(h1.buf, "data-chart=\"latency\"") != NULL);
    OK(strstr(h1.buf, "data-chart=\"throughput\"") != NULL);
    INT_EQ(count(h1.buf, "data-chart=\"mig\""), x.r->n_migs);
    OK(x.r->n_migs >= 1);
    INT_EQ(count(h1.buf, "<svg "), 5 + x.r->n_migs);
    /* self-contained, dark-aware, no script */
    OK(strstr(h1.buf, "http://") == NULL ||
       strstr(h1.buf, "http://") == strstr(h1.buf, "http://www.w3.org/"));
    OK(strstr(h1.buf, "https://") == NULL);
    OK(strstr(h1.buf, "<script") == NULL);
    OK(strstr(h1.buf, "prefers-color-scheme:dark") != NULL);
    OK(strstr(h1.buf, "default-src 'none'") != NULL);
    /* the same figures in all three: the summary's cost */
    OK(strstr(h1.buf, "$1,440.00") != NULL);
    OK(strstr(m1.buf, "$1,440.00") != NULL);
    js = gp_report_json(x.r);
    j = gp_json_render(js, NULL);
    OK(strstr(j, "\"costPerDayBefore\": 1440") != NULL);
    OK(strstr(j, "\"schema\": \"gpuplan-report/1\"") != NULL);
    OK(strstr(j, "\"plan\": {") != NULL);
    free(j);
    gp_json_free(js);
    gp_strbuf_release(&h1);
    gp_strbuf_release(&h2);
    gp_strbuf_release(&m1);
    gp_strbuf_release(&m2);
    gp_arena_free(x.a);
}

/* User strings with markup reach neither the HTML nor the Markdown raw. */
void
report_escapes_user_strings(void)
{
    struct real x;
    struct gp_strbuf h = GP_STRBUF_INIT, m = GP_STRBUF_INIT;
    struct gp_workload *w;
    struct gp_plan_unplaced u;
    static const char evil[] = "<img src=x onerror=alert(1)>|*x*";

    if (real_init(&x, "small-lab.yaml") < 0) {
        OK(0);
        return;
    }
    /* names are DNS labels once loaded; the report must not rely on it */
    w = &x.inv->loads[0];
    w->name = evil;
    w->namespace_ = "ns&<>";
    x.inv->name = "inv<\"'>";
    u.w = w;
    u.replicas = 1;
    u.why = "why <b>|</b>\nsecond line";
    x.plan->unplaced = &u;
    x.plan->n_unplaced = 1;
    x.r->n_unplaced = 1;
    x.r->inventory = x.plan->inv->name;
    gp_report_html(&h, x.r);
    gp_report_markdown(&m, x.r);
    OK(strstr(h.buf, "<img") == NULL);
    OK(strstr(h.buf, "<b>|") == NULL);
    OK(strstr(h.buf, "&lt;img src=x onerror=alert(1)&gt;|*x*") != NULL);
    OK(strstr(h.buf, "ns&amp;&lt;&gt;") != NULL);
    OK(strstr(h.buf, "inv&lt;&quot;&#39;&gt;") != NULL);
    OK(count(m.buf, "<img") == count(m.buf, "\\<img"));
    OK(count(m.buf, "<b>") == 0);
    OK(strstr(m.buf, "\\<img src=x onerror=alert(1)\\>\\|\\*x\\*") != NULL);
    OK(strstr(m.buf, "why \\<b\\>\\|\\</b\\> second line") != NULL);
    OK(strstr(m.buf, "# GPU sharing plan: inv\\<\"'\\>") != NULL);
    gp_strbuf_release(&h);
    gp_strbuf_release(&m);
    gp_arena_free(x.a);
}

/* ---- writing the directory ------------------------------------------- */

static int
exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

static size_t
entries(const char *dir)
{
    DIR *dp = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    if (!dp)
        return 0;
    while ((e = readdir(dp)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(dp);
    return n;
}

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = calloc(1, 4096);

    if (f) {
        size_t n = fread(buf, 1, 4095, f);

        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

void
report_write_all_or_nothing(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    char base[] = "/tmp/gp-report-test.XXXXXX", dir[300], path[400];
    struct gp_out_file f[3] = {
        {"report.html", "<p>one</p>\n", 12},
        {"report.md", "# one\n", 6},
        {"report.json", "{}\n", 3},
    };
    char *s;

    OK(mkdtemp(base) != NULL);
    /* a new directory appears whole */
    snprintf(dir, sizeof(dir), "%s/out", base);
    INT_EQ(gp_files_write_atomic(dir, f, 3, d), 0);
    INT_EQ(entries(dir), 3);
    INT_EQ(entries(base), 1); /* no temporary directory left */
    snprintf(path, sizeof(path), "%s/report.md", dir);
    s = slurp(path);
    STR_EQ(s, "# one\n");
    free(s);
    /* an existing one: all three replaced */
    f[1].data = "# two\n";
    INT_EQ(gp_files_write_atomic(dir, f, 3, d), 0);
    s = slurp(path);
    STR_EQ(s, "# two\n");
    free(s);
    INT_EQ(entries(dir), 3);
    /* one target cannot be replaced (a directory stands there): nothing
     * changes and no temporary file is left */
    snprintf(path, sizeof(path), "%s/report.json", dir);
    OK(unlink(path) == 0);
    OK(mkdir(path, 0755) == 0);
    f[1].data = "# three\n";
    f[1].len = 8;
    INT_EQ(gp_files_write_atomic(dir, f, 3, d), -1);
    OK(gp_diags_errors(d) > 0);
    INT_EQ(entries(dir), 3);
    snprintf(path, sizeof(path), "%s/report.md", dir);
    s = slurp(path);
    STR_EQ(s, "# two\n");
    free(s);
    snprintf(path, sizeof(path), "%s/report.json", dir);
    OK(rmdir(path) == 0);
    /* a parent that does not exist: an error, nothing created */
    snprintf(dir, sizeof(dir), "%s/missing/out", base);
    INT_EQ(gp_files_write_atomic(dir, f, 3, d), -1);
    OK(!exists(dir));
    snprintf(path, sizeof(path), "%s/missing", base);
    OK(!exists(path));
    /* a file where the directory should be */
    snprintf(dir, sizeof(dir), "%s/out/report.md", base);
    INT_EQ(gp_files_write_atomic(dir, f, 3, d), -1);
    /* clean up */
    snprintf(path, sizeof(path), "%s/out/report.html", base);
    unlink(path);
    snprintf(path, sizeof(path), "%s/out/report.md", base);
    unlink(path);
    snprintf(path, sizeof(path), "%s/out", base);
    rmdir(path);
    rmdir(base);
    gp_arena_free(a);
}
