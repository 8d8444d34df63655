/* SPDX-License-Identifier: MIT */
/* report/sections.c: the tables and lists report.html and report.md share.
 * A table is its columns (header, alignment) and a function that writes
 * one row's cells from the report model. */
#include "report/sections.h"

#include <stdio.h>
#include <string.h>

#include "base/strbuf.h"
#include "inventory/inventory.h"
#include "model/gpu.h"
#include "plan/plan.h"
#include "report/fmt.h"
#include "report/markup.h"
#include "report/report.h"

#define N_OF(v) (sizeof(v) / sizeof((v)[0]))

/* ---- summary --------------------------------------------------------- */

/* A summary figure: GPUs as a count, costs in dollars. */
static void
summary_figure(struct gp_markup *m, size_t row, uint32_t gpus, double day,
               double month)
{
    if (row == GP_RSEC_GPUS)
        gp_rfmt_count(m->o, gpus);
    else
        gp_rfmt_money(m->o, row == GP_RSEC_COST_DAY ? day : month);
}

void
gp_rsec_summary_before(struct gp_markup *m, const struct gp_report *r,
                       size_t row)
{
    summary_figure(m, row, r->gpus_before, r->cost_day_before,
                   r->cost_month_before);
}

void
gp_rsec_summary_after(struct gp_markup *m, const struct gp_report *r,
                      size_t row)
{
    summary_figure(m, row, r->gpus_after, r->cost_day_after,
                   r->cost_month_after);
}

void
gp_rsec_summary_change(struct gp_markup *m, const struct gp_report *r,
                       size_t row)
{
    if (row == GP_RSEC_GPUS)
        gp_rfmt_gpus_change(m->o, r);
    else
        gp_rfmt_money_change(m->o, row == GP_RSEC_COST_DAY
                                       ? r->cost_day_saved
                                       : r->cost_month_saved);
}

static void
summary_row(struct gp_markup *m, const struct gp_report *r, size_t row)
{
    static const char *const label[GP_RSEC_SUMMARY_ROWS] = {
        [GP_RSEC_GPUS] = "GPUs provisioned",
        [GP_RSEC_COST_DAY] = "Cost per day",
        [GP_RSEC_COST_MONTH] = "Cost per month (730 hours)",
    };

    gp_strbuf_puts(gp_markup_cell(m), label[row]);
    gp_markup_cell(m);
    gp_rsec_summary_before(m, r, row);
    gp_markup_cell(m);
    gp_rsec_summary_after(m, r, row);
    gp_markup_cell(m);
    gp_rsec_summary_change(m, r, row);
}

void
gp_rsec_summary(struct gp_markup *m, const struct gp_report *r)
{
    static const struct gp_markup_col cols[] = {
        {"", false},
        {"Before (one pod per GPU)", true},
        {"After (plan)", true},
        {"Change", true},
    };
    static const struct gp_markup_table t = {NULL, cols, N_OF(cols),
                                             summary_row};

    gp_markup_table(m, &t, r, NULL, GP_RSEC_SUMMARY_ROWS);
}

/* ---- pools ----------------------------------------------------------- */

static void
pool_row(struct gp_markup *m, const struct gp_report *r, size_t i)
{
    const struct gp_report_pool *p = &r->pools[i];
    char anchor[32];

    snprintf(anchor, sizeof(anchor), "pool-%zu", i + 1);
    gp_markup_cell(m);
    gp_markup_link(m, anchor, p->name);
    gp_markup_cell(m);
    gp_markup_text(m, p->gpu);
    gp_markup_cell(m);
    gp_strbuf_printf(m->o, "%u / %u", p->nodes_used, p->nodes_available);
    if (p->over_capacity) {
        gp_strbuf_puts(m->o, " ");
        gp_markup_span(m, GP_MARKUP_ALERT, "over capacity");
    }
    gp_rfmt_count(gp_markup_cell(m), p->gpus_before);
    gp_rfmt_count(gp_markup_cell(m), p->gpus_after);
    gp_rfmt_money(gp_markup_cell(m), p->cost_day_before);
    gp_rfmt_money(gp_markup_cell(m), p->cost_day_after);
    gp_rfmt_pct(gp_markup_cell(m), p->load_hosting);
    gp_rfmt_pct(gp_markup_cell(m), p->load_provisioned);
    gp_markup_cell(m);
    if (p->has_mem)
        gp_rfmt_mib(m->o, p->min_mem_headroom_mib);
    else
        gp_strbuf_puts(m->o, "-");
}

void
gp_rsec_pools(struct gp_markup *m, const struct gp_report *r)
{
    static const struct gp_markup_col cols[] = {
        {"Pool", false},
        {"GPU", false},
        {"Nodes used / available", true},
        {"GPUs before", true},
        {"GPUs after", true},
        {"Cost/day before", true},
        {"Cost/day after", true},
        {"Load (hosting)", true},
        {"Load (provisioned)", true},
        {"Tightest memory headroom", true},
    };
    static const struct gp_markup_table t = {NULL, cols, N_OF(cols), pool_row};

    gp_markup_table(m, &t, r, NULL, r->n_pools);
}

/* ---- one pool: its node groups, its what-if room --------------------- */

static void
group_row(struct gp_markup *m, const struct gp_report *r, size_t i)
{
    const struct gp_report_group *g = &r->groups[i];

    gp_markup_cell(m);
    gp_markup_text(m, g->g->name);
    gp_markup_cell(m);
    gp_markup_span(m, GP_MARKUP_CODE, g->config);
    if (g->g->tenant) {
        gp_markup_br(m);
        gp_strbuf_puts(m->o, "tenant ");
        gp_markup_text(m, g->g->tenant);
        gp_strbuf_puts(m->o, " (one MPS fault domain)");
    }
    gp_rfmt_count(gp_markup_cell(m), g->g->nodes);
    gp_rfmt_count(gp_markup_cell(m), g->g->gpus_used);
    gp_markup_cell(m);
    gp_rfmt_count(m->o, g->slots_used);
    gp_strbuf_puts(m->o, " / ");
    gp_rfmt_count(m->o, g->slots);
    gp_rfmt_pct(gp_markup_cell(m), g->load);
    gp_markup_cell(m);
    gp_rfmt_mib(m->o, g->g->worst_mem_mib);
    gp_strbuf_puts(m->o, " / ");
    gp_rfmt_mib(m->o, g->g->gpu_mem_mib);
    gp_rfmt_mib(gp_markup_cell(m), g->mem_headroom_mib);
}

void
gp_rsec_groups(struct gp_markup *m, const struct gp_report *r,
               const struct gp_report_pool *p)
{
    static const struct gp_markup_col cols[] = {
        {"Node group", false},
        {"Sharing config", false},
        {"Nodes", true},
        {"GPUs hosting pods", true},
        {"Pod slots used", true},
        {"GPU load", true},
        {"Worst co-located memory / limit", true},
        {"Headroom", true},
    };
    static const struct gp_markup_table t = {NULL, cols, N_OF(cols), group_row};

    gp_markup_table(m, &t, r, p->groups, p->n_groups);
}

void
gp_rsec_pool_title(struct gp_markup *m, const struct gp_report_pool *p)
{
    gp_strbuf_puts(m->o, "Pool ");
    gp_markup_text(m, p->name);
    gp_strbuf_puts(m->o, " ");
    gp_markup_open(m, GP_MARKUP_SUB);
    gp_strbuf_puts(m->o, "(");
    gp_markup_text(m, p->gpu);
    gp_strbuf_printf(m->o, ", %u of %u nodes used)", p->nodes_used,
                     p->nodes_available);
    gp_markup_close(m, GP_MARKUP_SUB);
}

void
gp_rsec_room(struct gp_markup *m, const struct gp_report *r,
             const struct gp_report_pool *p)
{
    size_t j, k;

    gp_markup_list_open(m);
    for (j = 0; j < p->n_groups; j++) {
        const struct gp_report_group *g = &r->groups[p->groups[j]];

        for (k = g->first_load; k < g->first_load + g->n_loads; k++) {
            const struct gp_report_load *l = &r->loads[k];

            gp_markup_item_open(m);
            gp_strbuf_puts(m->o, "room for ");
            gp_markup_open(m, GP_MARKUP_STRONG);
            gp_rfmt_count(m->o, l->room);
            gp_markup_close(m, GP_MARKUP_STRONG);
            gp_strbuf_puts(m->o, l->room == 1 ? " more replica of "
                                              : " more replicas of ");
            gp_markup_span(m, GP_MARKUP_STRONG, l->as->w->name);
            gp_strbuf_puts(m->o, " in ");
            gp_markup_text(m, l->g->name);
            if (p->idle_nodes && l->room_idle) {
                gp_strbuf_puts(m->o, "; ");
                gp_rfmt_count(m->o, l->room + l->room_idle);
                gp_strbuf_printf(m->o,
                                 " if the pool's %u idle node%s join%s it",
                                 p->idle_nodes, p->idle_nodes == 1 ? "" : "s",
                                 p->idle_nodes == 1 ? "s" : "");
            }
            gp_markup_item_close(m);
        }
    }
    gp_markup_list_close(m);
}

/* ---- workloads ------------------------------------------------------- */

static const char *
predictor(const struct gp_report_load *l)
{
    return l->as->by_engine ? "event engine" : "analytic";
}

static void
seconds_or_dash(struct gp_markup *m, const struct gp_report_load *l, double s)
{
    if (l->as->has_latency)
        gp_rfmt_secs(m->o, s);
    else
        gp_strbuf_puts(m->o, "-");
}

/* The cells both layouts share: node group, resource, replicas. */
static void
placement_cells(struct gp_markup *m, const struct gp_report_load *l)
{
    gp_markup_cell(m);
    gp_markup_text(m, l->g->name);
    gp_markup_cell(m);
    gp_markup_text(m, l->as->resource);
    gp_rfmt_count(gp_markup_cell(m), l->as->replicas);
}

/* Target, the prediction against it, memory peak / limit. */
static void
target_cells(struct gp_markup *m, const struct gp_report_load *l)
{
    gp_rfmt_target(gp_markup_cell(m), l->as->w);
    gp_rfmt_vs_target(gp_markup_cell(m), l);
    gp_markup_cell(m);
    gp_rfmt_mib(m->o, l->as->mem_need_mib);
    gp_strbuf_puts(m->o, " / ");
    gp_rfmt_mib(m->o, l->as->mem_limit_mib);
}

/* Risk flags, room for more. */
static void
risk_cells(struct gp_markup *m, const struct gp_report *r,
           const struct gp_report_load *l)
{
    const struct gp_report_pool *p =
        &r->pools[l->g->pool - r->plan->inv->pools];

    gp_markup_cell(m);
    gp_markup_flags(m, l->flags);
    gp_rfmt_room(gp_markup_cell(m), l, p->idle_nodes);
}

static void
workload_row_html(struct gp_markup *m, const struct gp_report *r, size_t i)
{
    const struct gp_report_load *l = &r->loads[i];
    const struct gp_plan_assign *as = l->as;

    gp_markup_cell(m);
    gp_markup_span(m, GP_MARKUP_STRONG, as->w->name);
    gp_markup_br(m);
    gp_markup_span(m, GP_MARKUP_SUB, as->w->namespace_);
    placement_cells(m, l);
    gp_markup_cell(m);
    gp_strbuf_printf(m->o, "%.2f", as->throughput);
    if (as->offered > 0)
        gp_strbuf_printf(m->o, " (%.2f)", as->offered);
    gp_markup_cell(m);
    if (as->has_latency) {
        gp_rfmt_secs(m->o, as->p50);
        gp_strbuf_puts(m->o, " / ");
        gp_rfmt_secs(m->o, as->p99);
    } else {
        gp_strbuf_puts(m->o, "-");
    }
    target_cells(m, l);
    gp_markup_cell(m);
    gp_rfmt_status(m->o, l);
    gp_strbuf_puts(m->o, " (");
    gp_strbuf_puts(m->o, predictor(l));
    gp_strbuf_puts(m->o, ")");
    risk_cells(m, r, l);
}

static void
workload_row_md(struct gp_markup *m, const struct gp_report *r, size_t i)
{
    const struct gp_report_load *l = &r->loads[i];
    const struct gp_plan_assign *as = l->as;

    gp_markup_cell(m);
    gp_markup_text(m, as->w->name);
    gp_markup_cell(m);
    gp_markup_text(m, as->w->namespace_);
    placement_cells(m, l);
    gp_markup_cell(m);
    if (as->offered > 0)
        gp_strbuf_printf(m->o, "%.2f", as->offered);
    else
        gp_strbuf_puts(m->o, "-");
    gp_strbuf_printf(gp_markup_cell(m), "%.2f", as->throughput);
    gp_markup_cell(m);
    seconds_or_dash(m, l, as->p50);
    gp_markup_cell(m);
    seconds_or_dash(m, l, as->p99);
    target_cells(m, l);
    gp_rfmt_status(gp_markup_cell(m), l);
    risk_cells(m, r, l);
    gp_strbuf_puts(gp_markup_cell(m), predictor(l));
}

/* Two layouts of the same figures: the page folds the namespace, the
 * offered rate, p50 and the predictor into neighbouring cells, which
 * keeps its widest table narrower; report.md gives each its own
 * column. */
void
gp_rsec_workloads(struct gp_markup *m, const struct gp_report *r)
{
    static const struct gp_markup_col html[] = {
        {"Workload", false},
        {"Node group", false},
        {"Resource", false},
        {"Replicas", true},
        {"Throughput/s (offered)", true},
        {"p50 / p99", true},
        {"Target", false},
        {"Against target", true},
        {"Memory peak / limit", true},
        {"Status", false},
        {"Risk", false},
        {"Room for more", true},
    };
    static const struct gp_markup_col md[] = {
        {"Workload", false},
        {"Namespace", false},
        {"Node group", false},
        {"Resource", false},
        {"Replicas", true},
        {"Offered/s", true},
        {"Throughput/s", true},
        {"p50", true},
        {"p99", true},
        {"Target", false},
        {"Against target", true},
        {"Memory peak / limit", true},
        {"Status", false},
        {"Risk", false},
        {"What-if room", false},
        {"Predicted by", false},
    };
    static const struct gp_markup_table t_html = {"wl", html, N_OF(html),
                                                  workload_row_html};
    static const struct gp_markup_table t_md = {NULL, md, N_OF(md),
                                                workload_row_md};

    gp_markup_table(m, m->fmt == GP_MARKUP_HTML ? &t_html : &t_md, r, NULL,
                    r->n_loads);
}

/* ---- not placed ------------------------------------------------------ */

static void
unplaced_row(struct gp_markup *m, const struct gp_report *r, size_t i)
{
    const struct gp_plan_unplaced *u = &r->plan->unplaced[i];

    gp_markup_cell(m);
    gp_markup_text(m, u->w->name);
    gp_markup_cell(m);
    gp_markup_text(m, u->w->namespace_);
    gp_rfmt_count(gp_markup_cell(m), u->replicas);
    gp_markup_cell(m);
    gp_markup_text(m, u->why);
}

void
gp_rsec_unplaced(struct gp_markup *m, const struct gp_report *r)
{
    static const struct gp_markup_col cols[] = {
        {"Workload", false},
        {"Namespace", false},
        {"Replicas", true},
        {"Why", false},
    };
    static const struct gp_markup_table t = {NULL, cols, N_OF(cols),
                                             unplaced_row};

    gp_markup_table(m, &t, r, NULL, r->n_unplaced);
}

/* ---- prose ----------------------------------------------------------- */

void
gp_rsec_findings(struct gp_markup *m, const struct gp_report *r)
{
    size_t i, n = 0;

    for (i = 0; i < r->n_pools; i++)
        if (r->pools[i].over_capacity) {
            gp_markup_item_open(m);
            gp_strbuf_puts(m->o, "Over capacity: pool ");
            gp_markup_span(m, GP_MARKUP_STRONG, r->pools[i].name);
            gp_strbuf_printf(m->o, " needs %u nodes and has %u.",
                             r->pools[i].nodes_used,
                             r->pools[i].nodes_available);
            gp_markup_item_close(m);
        }
    for (i = 0; i < r->n_loads && n < GP_RSEC_FINDINGS_MAX; i++)
        if (!r->loads[i].as->meets_target) {
            gp_markup_item_open(m);
            gp_strbuf_puts(m->o, "Target missed: ");
            gp_markup_span(m, GP_MARKUP_STRONG, r->loads[i].as->w->name);
            gp_strbuf_puts(m->o, " in ");
            gp_markup_text(m, r->loads[i].g->name);
            gp_strbuf_puts(m->o, ".");
            gp_markup_item_close(m);
            n++;
        }
}

void
gp_rsec_risk_note(struct gp_markup *m)
{
    gp_strbuf_puts(m->o, "Risk flags: ");
    gp_markup_span(m, GP_MARKUP_STRONG, "OOM risk");
    gp_strbuf_puts(m->o, ", the memory peak is at least 90% of its limit "
                         "(for time-slicing, also when the worst "
                         "co-located peaks fill 90% of the GPU: nothing "
                         "isolates memory); ");
    gp_markup_span(m, GP_MARKUP_STRONG, "shared fault domain");
    gp_strbuf_puts(m->o, ", MPS or time-slicing with other replicas on the "
                         "GPU, where one fatal fault can end them all; ");
    gp_markup_span(m, GP_MARKUP_STRONG, "near saturation");
    gp_strbuf_puts(m->o, ", p99 at least 80% of its target, throughput "
                         "under 110% of its target, or under 98% of the "
                         "offered load. What-if room counts free slots of "
                         "the placement's kind in its group (replicas per "
                         "GPU, whole GPUs, or MIG instances of its "
                         "profile), whose worst co-location the plan has "
                         "already checked.");
}

static void
assume_inputs(struct gp_markup *m, const struct gp_report *r)
{
    size_t i;

    gp_markup_span(m, GP_MARKUP_STRONG, "Inputs");
    gp_strbuf_puts(m->o, ": inventory ");
    gp_markup_span(m, GP_MARKUP_STRONG, r->inventory);
    gp_strbuf_puts(m->o, " from ");
    for (i = 0; i < r->n_inputs; i++) {
        gp_strbuf_puts(m->o, i ? ", " : "");
        gp_markup_span(m, GP_MARKUP_CODE, r->inputs[i]);
    }
    gp_strbuf_puts(m->o, r->n_inputs ? "" : "memory");
    gp_strbuf_puts(m->o, "; gpuplan ");
    gp_markup_text(m, r->version);
    gp_strbuf_puts(m->o, ".");
}

static void
assume_prices(struct gp_markup *m, const struct gp_report *r)
{
    gp_markup_span(m, GP_MARKUP_STRONG, "Before");
    gp_strbuf_puts(m->o, " is one pod per GPU for the same placed "
                         "workloads; ");
    gp_markup_span(m, GP_MARKUP_STRONG, "after");
    gp_strbuf_puts(m->o, " counts every GPU of the nodes the plan uses "
                         "(whole nodes), whether it hosts a pod or not. "
                         "Both are priced at each pool's ");
    gp_markup_span(m, GP_MARKUP_CODE, "pricePerGPUHour");
    gp_strbuf_puts(m->o, "; a month is 730 hours. The inventory has ");
    gp_rfmt_count(m->o, r->gpus_capacity);
    gp_strbuf_puts(m->o, " GPUs in all.");
}

static void
assume_predictions(struct gp_markup *m, const struct gp_report *r)
{
    gp_markup_span(m, GP_MARKUP_STRONG, "Predictions");
    gp_strbuf_printf(m->o,
                     ": %llu co-locations predicted, %llu by the "
                     "discrete-event engine",
                     (unsigned long long)r->plan->evals,
                     (unsigned long long)r->plan->engine_evals);
    if (r->engine_only) {
        gp_strbuf_puts(m->o, " (every one: ");
        gp_markup_span(m, GP_MARKUP_CODE, "--engine");
        gp_strbuf_puts(m->o, ")");
    } else {
        gp_strbuf_puts(m->o, ", the others by the analytic estimate where "
                             "it trusts itself (load up to 0.7)");
    }
    gp_strbuf_printf(m->o,
                     "; event-engine seed %llu. Each placement is judged "
                     "in the worst co-location its group's config allows.",
                     (unsigned long long)r->seed);
}

static void
assume_calibration(struct gp_markup *m, const struct gp_report *r)
{
    size_t i;

    gp_markup_span(m, GP_MARKUP_STRONG, "Calibration");
    gp_strbuf_puts(m->o, " (time-slice and MPS constants):");
    gp_markup_list_open(m);
    for (i = 0; i < r->n_calibs; i++) {
        const struct gp_report_calib *c = &r->calibs[i];

        gp_markup_item_open(m);
        gp_markup_text(m, c->model->id);
        gp_strbuf_puts(m->o, ": ");
        gp_markup_span(m, GP_MARKUP_CODE, c->file);
        gp_strbuf_puts(m->o, ", measured on ");
        gp_markup_text(m, c->measured_on);
        gp_strbuf_puts(m->o, " (");
        gp_markup_text(m, c->date);
        gp_strbuf_puts(m->o, ", driver ");
        gp_markup_text(m, c->driver);
        gp_strbuf_puts(m->o, c->exact ? ")"
                                      : "), standing in: no calibration "
                                        "was measured on this model");
        gp_markup_item_close(m);
    }
    gp_markup_list_close(m);
}

static void
assume_models(struct gp_markup *m, const struct gp_report *r)
{
    size_t i;

    gp_markup_span(m, GP_MARKUP_STRONG, "GPU models");
    gp_strbuf_puts(m->o, " (catalogue):");
    gp_markup_list_open(m);
    for (i = 0; i < r->n_calibs; i++) {
        const struct gp_report_calib *c = &r->calibs[i];
        const struct gp_gpu_model *g = c->model;

        gp_markup_item_open(m);
        gp_markup_text(m, g->id);
        gp_strbuf_puts(m->o, g->builtin ? ": built-in " : ": user file ");
        gp_markup_span(m, GP_MARKUP_CODE, c->model_file ? c->model_file : "?");
        gp_strbuf_printf(m->o, ", %llu MiB, %u SMs",
                         (unsigned long long)g->memory_mib, g->sm_count);
        if (g->mig) {
            gp_strbuf_printf(m->o, ", MIG placements %s",
                             gp_confidence_name(g->mig->placements_confidence));
            if (g->mig->driver_observed &&
                strcmp(g->mig->driver_observed, "unknown") != 0) {
                gp_strbuf_puts(m->o, ", observed with driver ");
                gp_markup_text(m, g->mig->driver_observed);
            }
        }
        gp_markup_item_close(m);
    }
    gp_markup_list_close(m);
}

static void
assume_thresholds(struct gp_markup *m, const struct gp_report *r)
{
    (void)r;
    gp_markup_span(m, GP_MARKUP_STRONG, "Risk thresholds");
    gp_strbuf_puts(m->o, ": OOM risk at 90% of the memory limit; near "
                         "saturation at p99 80% of target, throughput 110% "
                         "of target, or 98% of the offered load.");
}

void
gp_rsec_assumptions(struct gp_markup *m, const struct gp_report *r)
{
    static void (*const item[])(struct gp_markup *,
                                const struct gp_report *) = {
        assume_inputs,      assume_prices, assume_predictions,
        assume_calibration, assume_models, assume_thresholds,
    };
    size_t i;

    gp_markup_list_open(m);
    for (i = 0; i < N_OF(item); i++) {
        gp_markup_item_open(m);
        item[i](m, r);
        gp_markup_item_close(m);
    }
    gp_markup_list_close(m);
}
