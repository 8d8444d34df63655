/* SPDX-License-Identifier: MIT */
/* report/md.c: report.md, the report as GitHub-flavoured Markdown tables
 * (the charts are in report.html; MIG layouts are drawn as text). User
 * strings are escaped so that they can neither break a table nor start
 * markup. */
#include "report/report.h"

#include <string.h>

#include "base/strbuf.h"
#include "inventory/inventory.h"
#include "mig/geometry.h"
#include "model/gpu.h"
#include "plan/plan.h"
#include "report/fmt.h"

#define SLICE_W 12      /* characters per memory slice in the MIG pictures */
#define FINDINGS_MAX 20 /* findings listed one by one; past this, a count */

/* Escapes with a backslash what could start markup or end a table cell
 * anywhere but at the start of a line (user strings never start one);
 * line breaks become spaces, other control characters '?'. */
static void
esc(struct gp_strbuf *o, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '\n' || c == '\r' || c == '\t') {
            gp_strbuf_putc(o, ' ');
        } else if (c < 0x20 || c == 0x7f) {
            gp_strbuf_putc(o, '?');
        } else if (strchr("\\`*_[]<>|~&", c)) {
            gp_strbuf_putc(o, '\\');
            gp_strbuf_putc(o, (char)c);
        } else {
            gp_strbuf_putc(o, (char)c);
        }
    }
}

static void
row_start(struct gp_strbuf *o)
{
    gp_strbuf_puts(o, "|");
}

static void
cell_s(struct gp_strbuf *o, const char *s)
{
    gp_strbuf_puts(o, " ");
    esc(o, s);
    gp_strbuf_puts(o, " |");
}

static void
cell_n(struct gp_strbuf *o, uint64_t v)
{
    gp_strbuf_puts(o, " ");
    gp_rfmt_count(o, v);
    gp_strbuf_puts(o, " |");
}

/* A header row and its alignment row ('n': right-aligned). */
static void
header(struct gp_strbuf *o, const char *const *cols, const char *align)
{
    size_t i;

    gp_strbuf_puts(o, "|");
    for (i = 0; cols[i]; i++)
        gp_strbuf_printf(o, " %s |", cols[i]);
    gp_strbuf_puts(o, "\n|");
    for (i = 0; cols[i]; i++)
        gp_strbuf_puts(o, align[i] == 'n' ? "---:|" : "---|");
    gp_strbuf_puts(o, "\n");
}

static void
summary(struct gp_strbuf *o, const struct gp_report *r)
{
    static const char *const cols[] = {"", "Before (one pod per GPU)",
                                       "After (plan)", "Change", NULL};
    size_t i, n;

    gp_strbuf_puts(o, "## Summary\n\n");
    header(o, cols, "snnn");
    gp_strbuf_puts(o, "| GPUs provisioned |");
    cell_n(o, r->gpus_before);
    cell_n(o, r->gpus_after);
    gp_strbuf_puts(o, " ");
    gp_rfmt_gpus_change(o, r);
    gp_strbuf_puts(o, " |\n| Cost per day | ");
    gp_rfmt_money(o, r->cost_day_before);
    gp_strbuf_puts(o, " | ");
    gp_rfmt_money(o, r->cost_day_after);
    gp_strbuf_puts(o, " | ");
    gp_rfmt_money_change(o, r->cost_day_saved);
    gp_strbuf_puts(o, " |\n| Cost per month (730 hours) | ");
    gp_rfmt_money(o, r->cost_month_before);
    gp_strbuf_puts(o, " | ");
    gp_rfmt_money(o, r->cost_month_after);
    gp_strbuf_puts(o, " | ");
    gp_rfmt_money_change(o, r->cost_month_saved);
    gp_strbuf_puts(o, " |\n\n");
    gp_strbuf_puts(o, "GPUs hosting pods: ");
    gp_rfmt_count(o, r->gpus_hosting);
    gp_strbuf_puts(o, " of ");
    gp_rfmt_count(o, r->gpus_after);
    gp_strbuf_printf(o,
                     " provisioned. No plan with these sharing choices "
                     "needs fewer than %.2f GPUs (lower bound).\n\n",
                     r->gpus_lower_bound);

    gp_strbuf_puts(o, "### Findings\n\n");
    if (!r->findings)
        gp_strbuf_puts(o, "None: every workload is placed and meets its "
                          "target, and every pool has the nodes the plan "
                          "needs.\n");
    for (i = 0; i < r->n_pools; i++)
        if (r->pools[i].over_capacity) {
            gp_strbuf_puts(o, "- Over capacity: pool ");
            esc(o, r->pools[i].name);
            gp_strbuf_printf(o, " needs %u nodes and has %u.\n",
                             r->pools[i].nodes_used,
                             r->pools[i].nodes_available);
        }
    for (i = 0, n = 0; i < r->n_loads; i++)
        if (!r->loads[i].as->meets_target && n++ < FINDINGS_MAX) {
            gp_strbuf_puts(o, "- Target missed: ");
            esc(o, r->loads[i].as->w->name);
            gp_strbuf_puts(o, " in ");
            esc(o, r->loads[i].g->name);
            gp_strbuf_puts(o, ".\n");
        }
    if (n > FINDINGS_MAX)
        gp_strbuf_printf(o,
                         "- %zu more placements miss their target (see "
                         "Workloads).\n",
                         n - FINDINGS_MAX);
    if (r->n_unplaced)
        gp_strbuf_printf(o, "- Not placed: %zu workload%s (see below).\n",
                         r->n_unplaced, r->n_unplaced == 1 ? "" : "s");
    if (r->n_flagged)
        gp_strbuf_printf(o,
                         "\n%zu of %zu placements carry a risk flag (see "
                         "Workloads).\n",
                         r->n_flagged, r->n_loads);
    gp_strbuf_puts(o, "\n");
}

static void
pools(struct gp_strbuf *o, const struct gp_report *r)
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

    gp_strbuf_puts(o, "## Node pools\n\n");
    header(o, cols, "ssnnnnnnnn");
    for (i = 0; i < r->n_pools; i++) {
        const struct gp_report_pool *p = &r->pools[i];

        row_start(o);
        cell_s(o, p->name);
        cell_s(o, p->gpu);
        gp_strbuf_printf(o, " %u / %u%s |", p->nodes_used, p->nodes_available,
                         p->over_capacity ? " (over capacity)" : "");
        cell_n(o, p->gpus_before);
        cell_n(o, p->gpus_after);
        gp_strbuf_puts(o, " ");
        gp_rfmt_money(o, p->cost_day_before);
        gp_strbuf_puts(o, " | ");
        gp_rfmt_money(o, p->cost_day_after);
        gp_strbuf_puts(o, " | ");
        gp_rfmt_pct(o, p->load_hosting);
        gp_strbuf_puts(o, " | ");
        gp_rfmt_pct(o, p->load_provisioned);
        gp_strbuf_puts(o, " | ");
        if (p->has_mem)
            gp_rfmt_mib(o, p->min_mem_headroom_mib);
        else
            gp_strbuf_puts(o, "-");
        gp_strbuf_puts(o, " |\n");
    }
    for (i = 0; i < r->n_pools; i++) {
        const struct gp_report_pool *p = &r->pools[i];

        gp_strbuf_puts(o, "\n### Pool ");
        esc(o, p->name);
        gp_strbuf_puts(o, " (");
        esc(o, p->gpu);
        gp_strbuf_printf(o, ", %u of %u nodes used)\n\n", p->nodes_used,
                         p->nodes_available);
        if (!p->n_groups) {
            gp_strbuf_puts(o, "The plan places nothing in this pool.\n");
            continue;
        }
        header(o, gcols, "ssnnnnnn");
        for (j = 0; j < p->n_groups; j++) {
            const struct gp_report_group *g = &r->groups[p->groups[j]];

            row_start(o);
            cell_s(o, g->g->name);
            gp_strbuf_puts(o, " ");
            esc(o, g->config);
            if (g->g->tenant) {
                gp_strbuf_puts(o, "; tenant ");
                esc(o, g->g->tenant);
                gp_strbuf_puts(o, " (one MPS fault domain)");
            }
            gp_strbuf_puts(o, " |");
            cell_n(o, g->g->nodes);
            cell_n(o, g->g->gpus_used);
            gp_strbuf_puts(o, " ");
            gp_rfmt_count(o, g->slots_used);
            gp_strbuf_puts(o, " / ");
            gp_rfmt_count(o, g->slots);
            gp_strbuf_puts(o, " | ");
            gp_rfmt_pct(o, g->load);
            gp_strbuf_puts(o, " | ");
            gp_rfmt_mib(o, g->g->worst_mem_mib);
            gp_strbuf_puts(o, " / ");
            gp_rfmt_mib(o, g->g->gpu_mem_mib);
            gp_strbuf_puts(o, " | ");
            gp_rfmt_mib(o, g->mem_headroom_mib);
            gp_strbuf_puts(o, " |\n");
        }
        gp_strbuf_puts(o, "\nWhat-if headroom (same configs, no new nodes "
                          "unless said):\n\n");
        for (j = 0; j < p->n_groups; j++) {
            const struct gp_report_group *g = &r->groups[p->groups[j]];

            for (k = g->first_load; k < g->first_load + g->n_loads; k++) {
                const struct gp_report_load *l = &r->loads[k];

                gp_strbuf_puts(o, "- room for ");
                gp_rfmt_count(o, l->room);
                gp_strbuf_printf(o, " more replica%s of ",
                                 l->room == 1 ? "" : "s");
                esc(o, l->as->w->name);
                gp_strbuf_puts(o, " in ");
                esc(o, l->g->name);
                if (p->idle_nodes && l->room_idle) {
                    gp_strbuf_puts(o, "; ");
                    gp_rfmt_count(o, l->room + l->room_idle);
                    gp_strbuf_printf(o,
                                     " if the pool's %u idle node%s "
                                     "join%s it",
                                     p->idle_nodes,
                                     p->idle_nodes == 1 ? "" : "s",
                                     p->idle_nodes == 1 ? "s" : "");
                }
                gp_strbuf_puts(o, "\n");
            }
        }
    }
    gp_strbuf_puts(o, "\n");
}

static void
workloads(struct gp_strbuf *o, const struct gp_report *r)
{
    static const char *const cols[] = {
        "Workload", "Namespace", "Node group",     "Resource",
        "Replicas", "Offered/s", "Throughput/s",   "p50",
        "p99",      "Target",    "Against target", "Memory peak / limit",
        "Status",   "Risk",      "What-if room",   "Predicted by",
        NULL};
    size_t i;

    gp_strbuf_puts(o, "## Workloads\n\n");
    header(o, cols, "ssssnnnnnsnnsssn");
    for (i = 0; i < r->n_loads; i++) {
        const struct gp_report_load *l = &r->loads[i];
        const struct gp_plan_assign *as = l->as;
        const struct gp_report_pool *p =
            &r->pools[l->g->pool - r->plan->inv->pools];

        row_start(o);
        cell_s(o, as->w->name);
        cell_s(o, as->w->namespace_);
        cell_s(o, l->g->name);
        cell_s(o, as->resource);
        cell_n(o, as->replicas);
        if (as->offered > 0)
            gp_strbuf_printf(o, " %.2f |", as->offered);
        else
            gp_strbuf_puts(o, " - |");
        gp_strbuf_printf(o, " %.2f | ", as->throughput);
        if (as->has_latency)
            gp_rfmt_secs(o, as->p50);
        else
            gp_strbuf_puts(o, "-");
        gp_strbuf_puts(o, " | ");
        if (as->has_latency)
            gp_rfmt_secs(o, as->p99);
        else
            gp_strbuf_puts(o, "-");
        gp_strbuf_puts(o, " | ");
        gp_rfmt_target(o, as->w);
        gp_strbuf_puts(o, " | ");
        gp_rfmt_vs_target(o, l);
        gp_strbuf_puts(o, " | ");
        gp_rfmt_mib(o, as->mem_need_mib);
        gp_strbuf_puts(o, " / ");
        gp_rfmt_mib(o, as->mem_limit_mib);
        gp_strbuf_puts(o, " | ");
        gp_rfmt_status(o, l);
        gp_strbuf_puts(o, " | ");
        if (l->flags)
            gp_report_flags_text(o, l->flags);
        else
            gp_strbuf_puts(o, "none");
        gp_strbuf_puts(o, " | ");
        gp_rfmt_room(o, l, p->idle_nodes);
        gp_strbuf_printf(o, " | %s |\n",
                         as->by_engine ? "event engine" : "analytic");
    }
    gp_strbuf_puts(o, "\nRisk flags: OOM risk, the memory peak is at least "
                      "90% of its limit (for time-slicing, also when the "
                      "worst co-located peaks fill 90% of the GPU: nothing "
                      "isolates memory); shared fault domain, MPS or "
                      "time-slicing with other replicas on the GPU, where "
                      "one fatal fault can end them all; near saturation, "
                      "p99 at least 80% of its target, throughput under 110% "
                      "of its target, or under 98% of the offered load. "
                      "What-if room counts free slots of the placement's "
                      "kind in its group (replicas per GPU, whole GPUs, or "
                      "MIG instances of its profile), whose worst "
                      "co-location the plan has already checked.\n\n");
}

/* One line of slice numbers, one of instances: [3g.40gb   ][free ...]. */
static void
mig_picture(struct gp_strbuf *o, const struct gp_report_mig *m)
{
    uint32_t slots = m->model->mig->memory_slices, k, i;
    bool used[GP_MIG_MAX_SLICES] = {false};

    if (slots > GP_MIG_MAX_SLICES)
        slots = GP_MIG_MAX_SLICES;
    gp_strbuf_puts(o, "```\nslice ");
    for (k = 0; k < slots; k++)
        gp_strbuf_printf(o, "%-*u", k + 1 < slots ? SLICE_W : 0, k);
    gp_strbuf_puts(o, "\n      ");
    for (i = 0; i < m->layout->n; i++) {
        const struct gp_mig_instance *in = &m->layout->inst[i];
        uint32_t e;

        for (e = in->start;
             e < in->start + in->profile->memory_slices && e < slots; e++)
            used[e] = true;
    }
    for (k = 0; k < slots;) {
        const struct gp_mig_instance *in = NULL;
        const char *name = "free";
        uint32_t n = 1, width;
        size_t len;

        for (i = 0; i < m->layout->n; i++)
            if (m->layout->inst[i].start == k)
                in = &m->layout->inst[i];
        if (in) {
            name = in->profile->name;
            n = in->profile->memory_slices;
            if (k + n > slots)
                n = slots - k;
        } else {
            while (k + n < slots && !used[k + n])
                n++;
        }
        width = n * SLICE_W - 2;
        len = strlen(name);
        gp_strbuf_putc(o, '[');
        if (len > width) {
            gp_strbuf_add(o, name, width - 1);
            gp_strbuf_putc(o, '~');
        } else {
            gp_strbuf_puts(o, name);
            gp_strbuf_pad(o, in ? ' ' : '.', width - len);
        }
        gp_strbuf_putc(o, ']');
        k += n;
    }
    gp_strbuf_puts(o, "\n```\n");
}

static void
migs(struct gp_strbuf *o, const struct gp_report *r)
{
    size_t i, j;

    gp_strbuf_puts(o, "## MIG layouts\n\n");
    if (!r->n_migs)
        gp_strbuf_puts(o, "The plan uses no MIG layout.\n\n");
    for (i = 0; i < r->n_migs; i++) {
        const struct gp_report_mig *m = &r->migs[i];

        gp_strbuf_puts(o, "### ");
        esc(o, m->model->id);
        gp_strbuf_puts(o, ": ");
        esc(o, m->text);
        gp_strbuf_puts(o, "\n\n");
        gp_rfmt_count(o, m->gpus);
        gp_strbuf_printf(o, " GPU%s in node group%s ", m->gpus == 1 ? "" : "s",
                         m->n_groups == 1 ? "" : "s");
        for (j = 0; j < m->n_groups; j++) {
            gp_strbuf_puts(o, j ? ", " : "");
            esc(o, m->groups[j]);
        }
        gp_strbuf_puts(o, ".\n\n");
        mig_picture(o, m);
        gp_strbuf_puts(o, "\n");
    }
}

static void
unplaced(struct gp_strbuf *o, const struct gp_report *r)
{
    static const char *const cols[] = {"Workload", "Namespace", "Replicas",
                                       "Why", NULL};
    size_t i;

    gp_strbuf_puts(o, "## Not placed\n\n");
    if (!r->n_unplaced) {
        gp_strbuf_puts(o, "Every workload is placed.\n\n");
        return;
    }
    header(o, cols, "ssns");
    for (i = 0; i < r->n_unplaced; i++) {
        const struct gp_plan_unplaced *u = &r->plan->unplaced[i];

        row_start(o);
        cell_s(o, u->w->name);
        cell_s(o, u->w->namespace_);
        cell_n(o, u->replicas);
        cell_s(o, u->why);
        gp_strbuf_puts(o, "\n");
    }
    gp_strbuf_puts(o, "\n");
}

static void
assumptions(struct gp_strbuf *o, const struct gp_report *r)
{
    const struct gp_plan *p = r->plan;
    size_t i;

    gp_strbuf_puts(o, "## Assumptions\n\n- Inputs: inventory ");
    esc(o, r->inventory);
    gp_strbuf_puts(o, " from ");
    for (i = 0; i < r->n_inputs; i++) {
        gp_strbuf_puts(o, i ? ", " : "");
        esc(o, r->inputs[i]);
    }
    gp_strbuf_puts(o, r->n_inputs ? "" : "memory");
    gp_strbuf_puts(o, "; gpuplan ");
    esc(o, r->version);
    gp_strbuf_puts(o, ".\n- Before is one pod per GPU for the same placed "
                      "workloads; after counts every GPU of the nodes the "
                      "plan uses (whole nodes), whether it hosts a pod or "
                      "not. Both are priced at each pool's pricePerGPUHour; "
                      "a month is 730 hours. The inventory has ");
    gp_rfmt_count(o, r->gpus_capacity);
    gp_strbuf_puts(o, " GPUs in all.\n");
    gp_strbuf_printf(o,
                     "- Predictions: %llu co-locations predicted, %llu by "
                     "the discrete-event engine",
                     (unsigned long long)p->evals,
                     (unsigned long long)p->engine_evals);
    if (r->engine_only)
        gp_strbuf_puts(o, " (every one: --engine)");
    else
        gp_strbuf_puts(o, ", the others by the analytic estimate where it "
                          "trusts itself (load up to 0.7)");
    gp_strbuf_printf(o,
                     "; event-engine seed %llu. Each placement is judged "
                     "in the worst co-location its group's config "
                     "allows.\n",
                     (unsigned long long)r->seed);
    gp_strbuf_puts(o, "- Calibration (time-slice and MPS constants):\n");
    for (i = 0; i < r->n_calibs; i++) {
        const struct gp_report_calib *c = &r->calibs[i];

        gp_strbuf_puts(o, "  - ");
        esc(o, c->model->id);
        gp_strbuf_puts(o, ": ");
        esc(o, c->file);
        gp_strbuf_puts(o, ", measured on ");
        esc(o, c->measured_on);
        gp_strbuf_puts(o, " (");
        esc(o, c->date);
        gp_strbuf_puts(o, ", driver ");
        esc(o, c->driver);
        gp_strbuf_puts(o, c->exact ? ")\n"
                                   : "), standing in: no calibration was "
                                     "measured on this model\n");
    }
    gp_strbuf_puts(o, "- GPU models (catalogue):\n");
    for (i = 0; i < r->n_calibs; i++) {
        const struct gp_gpu_model *m = r->calibs[i].model;
        const char *f = m->file ? m->file : "?";

        if (!m->builtin && strrchr(f, '/'))
            f = strrchr(f, '/') + 1;
        gp_strbuf_puts(o, "  - ");
        esc(o, m->id);
        gp_strbuf_puts(o, m->builtin ? ": built-in " : ": user file ");
        esc(o, f);
        gp_strbuf_printf(o, ", %llu MiB, %u SMs",
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
        gp_strbuf_puts(o, "\n");
    }
    gp_strbuf_puts(o, "- Risk thresholds: OOM risk at 90% of the memory "
                      "limit; near saturation at p99 80% of target, "
                      "throughput 110% of target, or 98% of the offered "
                      "load.\n");
}

void
gp_report_markdown(struct gp_strbuf *o, const struct gp_report *r)
{
    gp_strbuf_puts(o, "# GPU sharing plan: ");
    esc(o, r->inventory);
    gp_strbuf_puts(o, "\n\nCapacity report by gpuplan ");
    esc(o, r->version);
    gp_strbuf_puts(o, ". The same figures are in report.json, and with "
                      "charts in report.html. Predictions come from "
                      "gpuplan's contention simulator; see Assumptions.\n\n");
    summary(o, r);
    pools(o, r);
    workloads(o, r);
    migs(o, r);
    unplaced(o, r);
    assumptions(o, r);
}
