/* SPDX-License-Identifier: MIT */
/* report/json.c: report.json (schema gpuplan-report/1): the figures of
 * report.html and report.md, unformatted (counts, USD, shares 0..1,
 * seconds, MiB), then the plan itself as plan.json holds it. Through the
 * json/ wrapper, which rounds before cJSON prints. */
#include "report/report.h"

#include "base/strbuf.h"
#include "inventory/inventory.h"
#include "json/json.h"
#include "mig/geometry.h"
#include "model/gpu.h"
#include "plan/plan.h"
#include "report/planfmt.h"

static struct gp_json *
flags_json(unsigned flags)
{
    struct gp_json *a = gp_json_array();
    unsigned f;

    for (f = 1; f <= GP_REPORT_UNSTABLE; f <<= 1)
        if (flags & f)
            gp_json_push_str(a, gp_report_flag_name((enum gp_report_flag)f));
    return a;
}

static struct gp_json *
summary(const struct gp_report *r)
{
    struct gp_json *s = gp_json_object();

    gp_json_set_int(s, "gpusBefore", r->gpus_before);
    gp_json_set_int(s, "gpusAfter", r->gpus_after);
    gp_json_set_int(s, "gpusSaved", r->gpus_saved);
    gp_json_set_int(s, "gpusHostingPods", r->gpus_hosting);
    gp_json_set_num(s, "gpusLowerBound", r->gpus_lower_bound, 2);
    gp_json_set_int(s, "gpusInInventory", r->gpus_capacity);
    gp_json_set_num(s, "costPerDayBefore", r->cost_day_before, 2);
    gp_json_set_num(s, "costPerDayAfter", r->cost_day_after, 2);
    gp_json_set_num(s, "costPerDaySaved", r->cost_day_saved, 2);
    gp_json_set_num(s, "costPerMonthBefore", r->cost_month_before, 2);
    gp_json_set_num(s, "costPerMonthAfter", r->cost_month_after, 2);
    gp_json_set_num(s, "costPerMonthSaved", r->cost_month_saved, 2);
    gp_json_set_num(s, "hoursPerMonth", GP_REPORT_HOURS_PER_MONTH, 0);
    return s;
}

static struct gp_json *
findings(const struct gp_report *r)
{
    struct gp_json *f = gp_json_object();

    gp_json_set_bool(f, "any", r->findings);
    gp_json_set_int(f, "targetsMissed", (long long)r->n_missed);
    gp_json_set_int(f, "unplaced", (long long)r->n_unplaced);
    gp_json_set_int(f, "poolsOverCapacity", (long long)r->n_over_capacity);
    gp_json_set_int(f, "placementsFlagged", (long long)r->n_flagged);
    return f;
}

static struct gp_json *
load_json(const struct gp_report_load *l)
{
    const struct gp_plan_assign *as = l->as;
    struct gp_json *o = gp_json_object(), *room = gp_json_object();

    gp_json_set_str(o, "workload", as->w->name);
    gp_json_set_str(o, "namespace", as->w->namespace_);
    gp_json_set_str(o, "nodeGroup", l->g->name);
    gp_json_set_str(o, "config", l->config);
    gp_json_set_str(o, "resource", as->resource);
    gp_json_set_int(o, "replicas", as->replicas);
    if (as->offered > 0)
        gp_json_set_num(o, "offered", as->offered, 3);
    gp_json_set_num(o, "throughput", as->throughput, 3);
    if (as->has_latency) {
        gp_json_set_num(o, "p50Seconds", as->p50, 6);
        gp_json_set_num(o, "p99Seconds", as->p99, 6);
    }
    if (as->w->target_p99_s > 0)
        gp_json_set_num(o, "targetP99Seconds", as->w->target_p99_s, 6);
    if (as->w->target_throughput > 0)
        gp_json_set_num(o, "targetThroughput", as->w->target_throughput, 3);
    if (l->p99_of_target > 0)
        gp_json_set_num(o, "p99OfTarget", l->p99_of_target, 4);
    if (l->tput_of_target > 0)
        gp_json_set_num(o, "throughputOfTarget", l->tput_of_target, 4);
    gp_json_set_bool(o, "stable", as->stable);
    gp_json_set_bool(o, "meetsTarget", as->meets_target);
    gp_json_set_int(o, "memoryMiB", (long long)as->mem_need_mib);
    gp_json_set_int(o, "memoryLimitMiB", (long long)as->mem_limit_mib);
    gp_json_set_num(o, "memoryShare", l->mem_share, 4);
    gp_json_set(o, "risks", flags_json(l->flags));
    gp_json_set_int(room, "inGroup", (long long)l->room);
    gp_json_set_int(room, "withIdleNodes", (long long)l->room_idle);
    gp_json_set(o, "roomForMoreReplicas", room);
    gp_json_set_str(o, "predictedBy",
                    as->by_engine ? "discrete-event" : "analytic");
    return o;
}

static struct gp_json *
pool_json(const struct gp_report *r, const struct gp_report_pool *p)
{
    struct gp_json *o = gp_json_object(), *ga = gp_json_array();
    size_t j;

    gp_json_set_str(o, "name", p->name);
    gp_json_set_str(o, "gpu", p->gpu);
    gp_json_set_int(o, "nodesAvailable", p->nodes_available);
    gp_json_set_int(o, "nodesUsed", p->nodes_used);
    gp_json_set_int(o, "idleNodes", p->idle_nodes);
    gp_json_set_bool(o, "overCapacity", p->over_capacity);
    gp_json_set_int(o, "gpusBefore", p->gpus_before);
    gp_json_set_int(o, "gpusAfter", p->gpus_after);
    gp_json_set_int(o, "gpusHostingPods", p->gpus_hosting);
    gp_json_set_num(o, "costPerDayBefore", p->cost_day_before, 2);
    gp_json_set_num(o, "costPerDayAfter", p->cost_day_after, 2);
    gp_json_set_num(o, "loadOverHostingGpus", p->load_hosting, 4);
    gp_json_set_num(o, "loadOverProvisionedGpus", p->load_provisioned, 4);
    if (p->has_mem)
        gp_json_set_int(o, "minMemoryHeadroomMiB",
                        (long long)p->min_mem_headroom_mib);
    else
        gp_json_set_null(o, "minMemoryHeadroomMiB");
    for (j = 0; j < p->n_groups; j++) {
        const struct gp_report_group *g = &r->groups[p->groups[j]];
        struct gp_json *go = gp_json_object();

        gp_json_set_str(go, "name", g->g->name);
        gp_json_set_str(go, "config", g->config);
        gp_json_set_str(go, "mode", gp_plan_mode_name(g->g->mode));
        if (g->g->tenant)
            gp_json_set_str(go, "tenant", g->g->tenant);
        gp_json_set_int(go, "nodes", g->g->nodes);
        gp_json_set_int(go, "gpusHostingPods", g->g->gpus_used);
        gp_json_set_int(go, "podSlots", (long long)g->slots);
        gp_json_set_int(go, "podSlotsUsed", (long long)g->slots_used);
        gp_json_set_num(go, "load", g->load, 4);
        gp_json_set_int(go, "worstMemoryMiB", (long long)g->g->worst_mem_mib);
        gp_json_set_int(go, "memoryLimitMiB", (long long)g->g->gpu_mem_mib);
        gp_json_set_int(go, "memoryHeadroomMiB",
                        (long long)g->mem_headroom_mib);
        gp_json_push(ga, go);
    }
    gp_json_set(o, "nodeGroups", ga);
    return o;
}

static struct gp_json *
mig_json(const struct gp_report_mig *m)
{
    struct gp_json *o = gp_json_object(), *ia = gp_json_array(),
                   *ga = gp_json_array();
    size_t j;

    gp_json_set_str(o, "gpu", m->model->id);
    gp_json_set_str(o, "layout", m->text);
    gp_json_set_int(o, "memorySlices", m->model->mig->memory_slices);
    gp_json_set_int(o, "gpus", (long long)m->gpus);
    for (j = 0; j < m->layout->n; j++) {
        const struct gp_mig_instance *in = &m->layout->inst[j];
        struct gp_json *io = gp_json_object();

        gp_json_set_str(io, "profile", in->profile->name);
        gp_json_set_int(io, "start", in->start);
        gp_json_set_int(io, "memorySlices", in->profile->memory_slices);
        gp_json_set_int(io, "computeSlices", in->profile->compute_slices);
        gp_json_set_int(io, "memoryMiB", (long long)in->profile->memory_mib);
        gp_json_push(ia, io);
    }
    gp_json_set(o, "instances", ia);
    for (j = 0; j < m->n_groups; j++)
        gp_json_push_str(ga, m->groups[j]);
    gp_json_set(o, "nodeGroups", ga);
    return o;
}

static struct gp_json *
assumptions(const struct gp_report *r)
{
    struct gp_json *o = gp_json_object(), *in = gp_json_array(),
                   *ca = gp_json_array(), *ma = gp_json_array(),
                   *th = gp_json_object();
    size_t i;

    for (i = 0; i < r->n_inputs; i++)
        gp_json_push_str(in, r->inputs[i]);
    gp_json_set(o, "inputs", in);
    gp_json_set_str(o, "gpuplanVersion", r->version);
    gp_json_set_str(o, "before", "one pod per GPU, same placed workloads");
    gp_json_set_str(o, "after", "every GPU of the nodes the plan uses");
    gp_json_set_int(o, "seed", (long long)r->seed);
    gp_json_set_bool(o, "engineOnly", r->engine_only);
    gp_json_set_int(o, "predictions", (long long)r->plan->evals);
    gp_json_set_int(o, "predictionsByEngine", (long long)r->plan->engine_evals);
    for (i = 0; i < r->n_calibs; i++) {
        const struct gp_report_calib *c = &r->calibs[i];
        const struct gp_gpu_model *m = c->model;
        struct gp_json *co = gp_json_object(), *mo = gp_json_object();

        gp_json_set_str(co, "gpu", m->id);
        gp_json_set_str(co, "file", c->file);
        gp_json_set_str(co, "measuredOn", c->measured_on);
        gp_json_set_str(co, "date", c->date);
        gp_json_set_str(co, "driver", c->driver);
        gp_json_set_bool(co, "measuredOnThisModel", c->exact);
        gp_json_push(ca, co);
        gp_json_set_str(mo, "id", m->id);
        gp_json_set_str(mo, "file", c->model_file ? c->model_file : "");
        gp_json_set_bool(mo, "builtin", m->builtin);
        gp_json_set_int(mo, "memoryMiB", (long long)m->memory_mib);
        gp_json_set_int(mo, "smCount", m->sm_count);
        if (m->mig) {
            gp_json_set_str(mo, "migPlacements",
                            gp_confidence_name(m->mig->placements_confidence));
            gp_json_set_str(mo, "migDriverObserved", m->mig->driver_observed);
        }
        gp_json_push(ma, mo);
    }
    gp_json_set(o, "calibration", ca);
    gp_json_set(o, "gpuModels", ma);
    gp_json_set_num(th, "oomShare", GP_REPORT_OOM_SHARE, 2);
    gp_json_set_num(th, "nearP99Share", GP_REPORT_NEAR_P99, 2);
    gp_json_set_num(th, "nearThroughputMultiple", GP_REPORT_NEAR_TPUT, 2);
    gp_json_set_num(th, "nearOfferedShare", GP_REPORT_NEAR_OFFERED, 2);
    gp_json_set(o, "riskThresholds", th);
    return o;
}

struct gp_json *
gp_report_json(const struct gp_report *r)
{
    struct gp_json *root = gp_json_object(), *pa = gp_json_array(),
                   *la = gp_json_array(), *ma = gp_json_array(),
                   *ua = gp_json_array();
    size_t i;

    gp_json_set_str(root, "schema", GP_REPORT_SCHEMA);
    gp_json_set_str(root, "inventory", r->inventory);
    gp_json_set(root, "summary", summary(r));
    gp_json_set(root, "findings", findings(r));
    for (i = 0; i < r->n_pools; i++)
        gp_json_push(pa, pool_json(r, &r->pools[i]));
    gp_json_set(root, "pools", pa);
    for (i = 0; i < r->n_loads; i++)
        gp_json_push(la, load_json(&r->loads[i]));
    gp_json_set(root, "workloads", la);
    for (i = 0; i < r->n_unplaced; i++) {
        const struct gp_plan_unplaced *u = &r->plan->unplaced[i];
        struct gp_json *uo = gp_json_object();

        gp_json_set_str(uo, "workload", u->w->name);
        gp_json_set_str(uo, "namespace", u->w->namespace_);
        gp_json_set_int(uo, "replicas", u->replicas);
        gp_json_set_str(uo, "reason", u->why);
        gp_json_push(ua, uo);
    }
    gp_json_set(root, "unplaced", ua);
    for (i = 0; i < r->n_migs; i++)
        gp_json_push(ma, mig_json(&r->migs[i]));
    gp_json_set(root, "migLayouts", ma);
    gp_json_set(root, "assumptions", assumptions(r));
    gp_json_set(root, "plan", gp_planfmt_json(r->plan));
    return root;
}
