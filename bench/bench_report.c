/* SPDX-License-Identifier: MIT */
/* bench/bench_report.c: time the report alone (gp_report_build, then
 * report.html, report.md and report.json rendered in memory) on a plan
 * for the 10,000-node inventory of 'gpuplan generate --nodes 10000
 * --replicas 100000' (121 pools, 12,500 workloads). Target (the report
 * issue): under 2 s.
 *
 * The planner cannot plan that inventory in time yet, so the plan is made
 * here: each pool gets one shared group (time-slicing, MPS or, on MIG
 * GPUs, the smallest MIG profile on every GPU) and one exclusive group,
 * the workloads are dealt to the pools in turn (every fifth exclusive),
 * and predictions are made up from the profiles. The report only reads
 * the plan, so its cost depends on the plan's size, not on its quality.
 * With an argument N, the inventory has N nodes and 10 N replicas. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The smallest base profile, as many times as fit one GPU. */
static const struct gp_mig_profile *
mig_fill(const struct gp_mig_spec *m, struct gp_mig_layout *out)
{
    const struct gp_mig_profile *profs[GP_MIG_MAX_PROFILES];
    const struct gp_mig_profile *want[GP_MIG_MAX_SLICES];
    const struct gp_mig_profile *p;
    struct gp_mig_check chk;
    size_t n = gp_mig_base_profiles(m, profs, false), k, i;

    if (!n)
        return NULL;
    p = profs[0];
    for (i = 1; i < n; i++)
        if (profs[i]->memory_slices < p->memory_slices)
            p = profs[i];
    for (k = p->max_count < GP_MIG_MAX_SLICES ? p->max_count
                                              : GP_MIG_MAX_SLICES;
         k > 0; k--) {
        for (i = 0; i < k; i++)
            want[i] = p;
        gp_mig_check(&chk, m, want, k, NULL);
        if (chk.verdict == GP_MIG_FITS) {
            *out = chk.placed;
            return p;
        }
    }
    return NULL;
}

struct pool_groups {
    struct gp_plan_group *shared, *excl;
    const struct gp_mig_profile *mig;
    size_t n_shared, n_excl, i_shared, i_excl;
    uint64_t r_shared, r_excl;
};

static struct gp_plan *
synth_plan(struct gp_arena *a, const struct gp_inventory *inv)
{
    struct gp_plan *p = gp_arena_calloc(a, 1, sizeof(*p));
    struct pool_groups *pg = gp_arena_calloc(a, inv->n_pools, sizeof(*pg));
    size_t i, n_un = 0, ng = 0;

    p->inv = inv;
    p->groups = gp_arena_calloc(a, 2 * inv->n_pools, sizeof(*p->groups));
    p->pools = gp_arena_calloc(a, inv->n_pools, sizeof(*p->pools));
    p->n_pools = inv->n_pools;
    p->unplaced =
        gp_arena_calloc(a, inv->n_loads / 1000 + 1, sizeof(*p->unplaced));
    /* count placements per group */
    for (i = 0; i < inv->n_loads; i++) {
        struct pool_groups *g = &pg[i % inv->n_pools];

        if (i % 1000 == 999)
            continue;
        if (i % 5 == 0) {
            g->n_excl++;
            g->r_excl += inv->loads[i].replicas;
        } else {
            g->n_shared++;
            g->r_shared += inv->loads[i].replicas;
        }
    }
    for (i = 0; i < inv->n_pools; i++) {
        const struct gp_node_pool *np = &inv->pools[i];
        struct pool_groups *g = &pg[i];
        struct gp_plan_group *s = &p->groups[ng++], *e = &p->groups[ng++];
        uint64_t per_node;

        p->pools[i].pool = np;
        s->pool = e->pool = np;
        s->name = gp_arena_printf(a, "%s-shared", np->name);
        e->name = gp_arena_printf(a, "%s-exclusive", np->name);
        s->steer = s->name;
        e->steer = e->name;
        e->mode = GP_PLAN_EXCLUSIVE;
        e->replicas = 1;
        s->replicas = 4;
        s->mode = i % 2 ? GP_PLAN_MPS : GP_PLAN_TIME_SLICING;
        if (np->gpu->mig && i % 3 == 0) {
            struct gp_mig_layout *lay =
                gp_arena_calloc(a, np->gpus_per_node, sizeof(*lay));
            uint32_t k;

            g->mig = mig_fill(np->gpu->mig, &lay[0]);
            if (g->mig) {
                for (k = 1; k < np->gpus_per_node; k++)
                    lay[k] = lay[0];
                s->mode = GP_PLAN_MIG;
                s->replicas = 1;
                s->layouts = lay;
            }
        }
        if (s->mode == GP_PLAN_MPS)
            s->tenant = "team";
        per_node = (uint64_t)np->gpus_per_node *
                   (s->mode == GP_PLAN_MIG ? s->layouts[0].n : s->replicas);
        s->nodes = (uint32_t)((g->r_shared + per_node - 1) / per_node);
        e->nodes =
            (uint32_t)((g->r_excl + np->gpus_per_node - 1) / np->gpus_per_node);
        s->gpus_used = s->nodes * np->gpus_per_node;
        e->gpus_used = (uint32_t)g->r_excl;
        s->gpu_mem_mib = e->gpu_mem_mib = np->gpu->memory_mib;
        s->utilisation = 0.5;
        e->utilisation = 0.7;
        s->assigns = gp_arena_calloc(a, g->n_shared + 1, sizeof(*s->assigns));
        e->assigns = gp_arena_calloc(a, g->n_excl + 1, sizeof(*e->assigns));
        g->shared = s;
        g->excl = e;
        p->pools[i].nodes_used = s->nodes + e->nodes;
        p->pools[i].gpus_used = s->gpus_used + e->gpus_used;
        p->pools[i].over_capacity = p->pools[i].nodes_used > np->nodes;
    }
    p->n_groups = ng;
    for (i = 0; i < inv->n_loads; i++) {
        const struct gp_workload *w = &inv->loads[i];
        struct pool_groups *g = &pg[i % inv->n_pools];
        struct gp_plan_group *grp;
        struct gp_plan_assign *as;

        if (i % 1000 == 999) {
            p->unplaced[n_un].w = w;
            p->unplaced[n_un].replicas = w->replicas;
            p->unplaced[n_un].why = "no GPU model of the inventory fits its "
                                    "memory";
            n_un++;
            continue;
        }
        grp = i % 5 == 0 ? g->excl : g->shared;
        as = &grp->assigns[grp->n_assigns++];
        as->w = w;
        as->replicas = w->replicas;
        as->resource = "nvidia.com/gpu";
        if (grp->mode == GP_PLAN_MIG) {
            as->mig = g->mig;
            as->resource =
                gp_arena_printf(a, "nvidia.com/mig-%s", g->mig->name);
        }
        as->offered = w->rps > 0 ? w->rps / w->replicas : 0;
        as->throughput = as->offered > 0 ? as->offered : 10;
        as->has_latency = true;
        as->p50 = w->service_time_s * 1.5;
        as->p99 = w->service_time_s * 3;
        as->stable = true;
        as->meets_target = i % 97 != 0;
        as->by_engine = i % 3 == 0;
        as->mem_need_mib = w->memory_bytes >> 20;
        as->mem_limit_mib = grp->gpu_mem_mib / grp->replicas;
        if (as->mem_need_mib * grp->replicas > grp->worst_mem_mib)
            grp->worst_mem_mib = as->mem_need_mib * grp->replicas;
        p->pools[i % inv->n_pools].baseline_gpus += w->replicas;
    }
    p->n_unplaced = n_un;
    p->evals = 123456;
    p->engine_evals = 4567;
    return p;
}

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
    double best = 1e9, t_build = 0, t_html = 0, t_md = 0, t_json = 0;
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
    plan = synth_plan(a, inv);
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
        double t0 = now(), t1, t2, t3, t4;

        if (gp_report_build(&r, ra, plan, &ro, rd) < 0) {
            gp_diags_print(rd, stderr);
            return 1;
        }
        t1 = now();
        gp_report_html(&html, r);
        t2 = now();
        gp_report_markdown(&md, r);
        t3 = now();
        js = gp_report_json(r);
        jtext = gp_json_render(js, &json_len);
        gp_json_free(js);
        t4 = now();
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
    printf("  sizes: report.html %zu bytes, report.md %zu, report.json %zu\n",
           html_len, md_len, json_len);
    gp_strbuf_release(&yaml);
    gp_arena_free(a);
    return best < 2.0 ? 0 : 1;
}
