/* SPDX-License-Identifier: MIT */
/* bench/bench_report.c: time the report (gp_report_build, then
 * report.html, report.md and report.json rendered in memory) on a plan
 * for the 10,000-node inventory of 'gpuplan generate --nodes 10000
 * --replicas 100000' (121 pools, 12,500 workloads). Target (the report
 * issue): under 2 s.
 *
 * The plan is recommend's own (default options), timed apart: 'gpuplan
 * report' is the plan plus the report, and the 2 s is for both.
 * With an argument N, the inventory has N nodes and 10 N replicas. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "base/arena.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "gen/generate.h"
#include "inventory/inventory.h"
#include "json/json.h"
#include "mig/geometry.h"
#include "model/gpu.h"
#include "plan/plan.h"
#include "report/report.h"

int
main(int argc, char **argv)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_catalog *cat;
    struct gp_inventory *inv;
    struct gp_gen_opts go = {1, 10000, 100000};
    struct gp_strbuf yaml = GP_STRBUF_INIT;
    struct gp_plan *plan;
    struct gp_report_opts ro;
    const char *inputs[] = {"big.yaml"};
    double best = 1e9, t_plan = 0, t_build = 0, t_html = 0, t_md = 0, t_json = 0;
    size_t html_len = 0, md_len = 0, json_len = 0, n_assigns = 0, i;
    int rep;

    if (argc > 1) {
        go.nodes = (uint32_t)strtoul(argv[1], NULL, 10);
        go.replicas = (uint64_t)go.nodes * 10;
    }
    if (gp_catalog_load(&cat, a, NULL, d) < 0 ||
        gp_generate_inventory(&go, cat, &yaml, d) < 0 ||
        gp_inventory_parse(&inv, a, "big.yaml", yaml.buf, yaml.len, cat, d) <
            0) {
        gp_diags_print(d, stderr);
        return 1;
    }
    {
        struct gp_plan_opts po = {false, 1, GP_PLAN_ENGINE_BUDGET};
        double t0 = bench_now();

        if (gp_plan_make(&plan, a, inv, &po, d) < 0) {
            gp_diags_print(d, stderr);
            return 1;
        }
        t_plan = bench_now() - t0;
    }
    for (i = 0; i < plan->n_groups; i++)
        n_assigns += plan->groups[i].n_assigns;
    memset(&ro, 0, sizeof(ro));
    ro.seed = 1;
    ro.inputs = inputs;
    ro.n_inputs = 1;
    ro.version = "bench";
    for (rep = 0; rep < 3; rep++) {
        struct gp_arena *ra = gp_arena_new();
        struct gp_diags *rd = gp_diags_new(ra);
        struct gp_strbuf html = GP_STRBUF_INIT, md = GP_STRBUF_INIT;
        struct gp_report *r;
        struct gp_json *js;
        char *jtext;
        double t0 = bench_now(), t1, t2, t3, t4;

        if (gp_report_build(&r, ra, plan, &ro, rd) < 0) {
            gp_diags_print(rd, stderr);
            return 1;
        }
        t1 = bench_now();
        gp_report_html(&html, r);
        t2 = bench_now();
        gp_report_markdown(&md, r);
        t3 = bench_now();
        js = gp_report_json(r);
        jtext = gp_json_render(js, &json_len);
        gp_json_free(js);
        t4 = bench_now();
        if (t4 - t0 < best) {
            best = t4 - t0;
            t_build = t1 - t0;
            t_html = t2 - t1;
            t_md = t3 - t2;
            t_json = t4 - t3;
        }
        html_len = html.len;
        md_len = md.len;
        free(jtext);
        gp_strbuf_release(&html);
        gp_strbuf_release(&md);
        gp_arena_free(ra);
    }
    printf("report_render: %u nodes, %zu pools, %zu node groups, %zu "
           "placements, %zu unplaced\n",
           go.nodes, inv->n_pools, plan->n_groups, n_assigns, plan->n_unplaced);
    printf("  best of 3: %.1f ms (build %.1f, html %.1f, markdown %.1f, json "
           "%.1f; target < 2000 ms)\n",
           best * 1e3, t_build * 1e3, t_html * 1e3, t_md * 1e3, t_json * 1e3);
    printf("  plan (recommend's planner): %.1f ms; plan + report %.1f ms "
           "(target < 2000 ms)\n",
           t_plan * 1e3, (t_plan + best) * 1e3);
    printf("  sizes: report.html %zu bytes, report.md %zu, report.json %zu\n",
           html_len, md_len, json_len);
    gp_strbuf_release(&yaml);
    gp_arena_free(a);
    return t_plan + best < 2.0 ? 0 : 1;
}
