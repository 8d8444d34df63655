/* SPDX-License-Identifier: MIT */
/* report/planfmt.c: the plan's text and JSON spellings (moved here from
 * cli/cmd_recommend.c so that recommend and report share them). */
#include "report/planfmt.h"

#include <stdio.h>

#include "base/strbuf.h"
#include "json/json.h"
#include "mig/geometry.h"
#include "plan/plan.h"

void
gp_planfmt_config(struct gp_strbuf *sb, const struct gp_plan_group *g)
{
    uint32_t i;

    switch (g->mode) {
    case GP_PLAN_EXCLUSIVE:
        gp_strbuf_puts(sb, "exclusive");
        break;
    case GP_PLAN_TIME_SLICING:
        gp_strbuf_printf(sb, "time-slicing x%u", g->replicas);
        break;
    case GP_PLAN_MPS:
        gp_strbuf_printf(sb, "mps x%u", g->replicas);
        break;
    case GP_PLAN_MIG:
        gp_strbuf_puts(sb, "mig");
        for (i = 0; i < g->pool->gpus_per_node; i++) {
            gp_strbuf_puts(sb, i ? " | " : " ");
            if (g->layouts[i].n)
                gp_mig_layout_format(&g->layouts[i], sb);
            else
                gp_strbuf_puts(sb, "off");
        }
        for (i = 0; i < g->n_mig_shares; i++)
            gp_strbuf_printf(sb, "%s %s x%u", i ? "," : "; time-slicing",
                             g->mig_shares[i].profile->name,
                             g->mig_shares[i].replicas);
        break;
    }
}

void
gp_planfmt_seconds(char *buf, size_t n, double s)
{
    if (s < 10e-3)
        snprintf(buf, n, "%.2fms", s * 1e3);
    else if (s < 10)
        snprintf(buf, n, "%.1fms", s * 1e3);
    else
        snprintf(buf, n, "%.2fs", s);
}

struct gp_json *
gp_planfmt_json(const struct gp_plan *p)
{
    struct gp_json *root = gp_json_object(), *ga = gp_json_array(),
                   *ua = gp_json_array(), *pa = gp_json_array();
    size_t i, j;

    gp_json_set_str(root, "inventory", p->inv->name);
    gp_json_set_int(root, "nodes", p->nodes_used);
    gp_json_set_int(root, "gpusProvisioned", p->gpus_provisioned);
    gp_json_set_int(root, "gpusHostingPods", p->gpus_used);
    gp_json_set_int(root, "baselineGpus", p->baseline_gpus);
    gp_json_set_num(root, "gpusLowerBound", p->gpus_lower_bound, 2);
    gp_json_set_num(root, "gpusSpentToFreeNodes", p->gpus_for_nodes, 2);
    gp_json_set_num(root, "costPerDay", p->cost_per_day, 2);
    gp_json_set_num(root, "baselineCostPerDay", p->baseline_cost_per_day, 2);
    gp_json_set_bool(root, "allTargetsMet", p->all_targets_met);
    for (i = 0; i < p->n_pools; i++) {
        struct gp_json *po = gp_json_object();

        gp_json_set_str(po, "name", p->pools[i].pool->name);
        gp_json_set_str(po, "gpu", p->pools[i].pool->gpu->id);
        gp_json_set_int(po, "nodesAvailable", p->pools[i].pool->nodes);
        gp_json_set_int(po, "nodesUsed", p->pools[i].nodes_used);
        gp_json_set_int(po, "gpusHostingPods", p->pools[i].gpus_used);
        gp_json_set_int(po, "baselineGpus", p->pools[i].baseline_gpus);
        gp_json_set_bool(po, "overCapacity", p->pools[i].over_capacity);
        gp_json_push(pa, po);
    }
    gp_json_set(root, "pools", pa);
    for (i = 0; i < p->n_groups; i++) {
        const struct gp_plan_group *g = &p->groups[i];
        struct gp_json *go = gp_json_object(), *aa = gp_json_array();
        struct gp_strbuf cfg = GP_STRBUF_INIT;

        gp_planfmt_config(&cfg, g);
        gp_json_set_str(go, "name", g->name);
        gp_json_set_str(go, "steeringLabel", g->steer);
        gp_json_set_str(go, "pool", g->pool->name);
        gp_json_set_str(go, "mode", gp_plan_mode_name(g->mode));
        gp_json_set_int(go, "replicasPerGpu", g->replicas);
        gp_json_set_str(go, "config", cfg.buf);
        if (g->tenant)
            gp_json_set_str(go, "tenant", g->tenant);
        if (g->n_mig_shares) {
            struct gp_json *sa = gp_json_array();

            for (j = 0; j < g->n_mig_shares; j++) {
                struct gp_json *so = gp_json_object();

                gp_json_set_str(so, "profile", g->mig_shares[j].profile->name);
                gp_json_set_str(so, "resource", g->mig_shares[j].resource);
                gp_json_set_int(so, "podsPerInstance",
                                g->mig_shares[j].replicas);
                gp_json_push(sa, so);
            }
            gp_json_set(go, "migTimeSlicing", sa);
        }
        gp_json_set_int(go, "nodes", g->nodes);
        gp_json_set_int(go, "gpusHostingPods", g->gpus_used);
        gp_json_set_num(go, "utilisation", g->utilisation, 4);
        gp_json_set_int(go, "worstMemoryMiB", (long long)g->worst_mem_mib);
        gp_json_set_int(go, "memoryLimitMiB", (long long)g->gpu_mem_mib);
        for (j = 0; j < g->n_assigns; j++) {
            const struct gp_plan_assign *as = &g->assigns[j];
            struct gp_json *ao = gp_json_object();

            gp_json_set_str(ao, "workload", as->w->name);
            gp_json_set_str(ao, "namespace", as->w->namespace_);
            gp_json_set_int(ao, "replicas", as->replicas);
            gp_json_set_str(ao, "resource", as->resource);
            gp_json_set_num(ao, "throughput", as->throughput, 3);
            if (as->has_latency) {
                gp_json_set_num(ao, "p50Seconds", as->p50, 6);
                gp_json_set_num(ao, "p99Seconds", as->p99, 6);
            }
            gp_json_set_bool(ao, "stable", as->stable);
            gp_json_set_bool(ao, "meetsTarget", as->meets_target);
            gp_json_set_str(ao, "predictedBy",
                            as->by_engine ? "discrete-event" : "analytic");
            gp_json_set_int(ao, "memoryMiB", (long long)as->mem_need_mib);
            gp_json_set_int(ao, "memoryLimitMiB", (long long)as->mem_limit_mib);
            gp_json_push(aa, ao);
        }
        gp_json_set(go, "workloads", aa);
        gp_json_push(ga, go);
        gp_strbuf_release(&cfg);
    }
    gp_json_set(root, "nodeGroups", ga);
    for (i = 0; i < p->n_unplaced; i++) {
        struct gp_json *uo = gp_json_object();

        gp_json_set_str(uo, "workload", p->unplaced[i].w->name);
        gp_json_set_int(uo, "replicas", p->unplaced[i].replicas);
        gp_json_set_str(uo, "reason", p->unplaced[i].why);
        gp_json_push(ua, uo);
    }
    gp_json_set(root, "unplaced", ua);
    return root;
}
