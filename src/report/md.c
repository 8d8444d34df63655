/* SPDX-License-Identifier: MIT */
/* report/md.c: report.md, the report as GitHub-flavoured Markdown tables
 * (the charts are in report.html; MIG layouts are drawn as text). User
 * strings are escaped (report/markup.c) so that they can neither break a
 * table nor start markup. */
#include "report/report.h"

#include <string.h>

#include "base/strbuf.h"
#include "mig/geometry.h"
#include "model/gpu.h"
#include "report/fmt.h"
#include "report/markup.h"
#include "report/sections.h"

#define SLICE_W 12      /* characters per memory slice in the MIG pictures */

static void
summary(struct gp_markup *m, const struct gp_report *r)
{
    struct gp_strbuf *o = m->o;

    gp_strbuf_puts(o, "## Summary\n\n");
    gp_rsec_summary(m, r);
    gp_strbuf_puts(o, "\nGPUs hosting pods: ");
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
    gp_markup_list_open(m);
    gp_rsec_findings(m, r);
    if (r->n_missed > GP_RSEC_FINDINGS_MAX)
        gp_strbuf_printf(o,
                         "- %zu more placements miss their target (see "
                         "Workloads).\n",
                         r->n_missed - GP_RSEC_FINDINGS_MAX);
    if (r->n_unplaced)
        gp_strbuf_printf(o, "- Not placed: %zu workload%s (see below).\n",
                         r->n_unplaced, r->n_unplaced == 1 ? "" : "s");
    gp_markup_list_close(m);
    if (r->n_flagged)
        gp_strbuf_printf(o,
                         "\n%zu of %zu placements carry a risk flag (see "
                         "Workloads).\n",
                         r->n_flagged, r->n_loads);
    gp_strbuf_puts(o, "\n");
}

static void
pools(struct gp_markup *m, const struct gp_report *r)
{
    size_t i;

    gp_strbuf_puts(m->o, "## Node pools\n\n");
    gp_rsec_pools(m, r);
    for (i = 0; i < r->n_pools; i++) {
        const struct gp_report_pool *p = &r->pools[i];

        gp_strbuf_puts(m->o, "\n### ");
        gp_rsec_pool_title(m, p);
        gp_strbuf_puts(m->o, "\n\n");
        if (!p->n_groups) {
            gp_strbuf_puts(m->o, "The plan places nothing in this pool.\n");
            continue;
        }
        gp_rsec_groups(m, r, p);
        gp_strbuf_puts(m->o, "\nWhat-if headroom (same configs, no new "
                             "nodes unless said):\n\n");
        gp_rsec_room(m, r, p);
    }
    gp_strbuf_puts(m->o, "\n");
}

static void
workloads(struct gp_markup *m, const struct gp_report *r)
{
    gp_strbuf_puts(m->o, "## Workloads\n\n");
    gp_rsec_workloads(m, r);
    gp_strbuf_puts(m->o, "\n");
    gp_rsec_risk_note(m);
    gp_strbuf_puts(m->o, "\n\n");
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
migs(struct gp_markup *m, const struct gp_report *r)
{
    struct gp_strbuf *o = m->o;
    size_t i, j;

    gp_strbuf_puts(o, "## MIG layouts\n\n");
    if (!r->n_migs)
        gp_strbuf_puts(o, "The plan uses no MIG layout.\n\n");
    for (i = 0; i < r->n_migs; i++) {
        const struct gp_report_mig *mig = &r->migs[i];

        gp_strbuf_puts(o, "### ");
        gp_markup_text(m, mig->model->id);
        gp_strbuf_puts(o, ": ");
        gp_markup_text(m, mig->text);
        gp_strbuf_puts(o, "\n\n");
        gp_rfmt_count(o, mig->gpus);
        gp_strbuf_printf(o, " GPU%s in node group%s ",
                         mig->gpus == 1 ? "" : "s",
                         mig->n_groups == 1 ? "" : "s");
        for (j = 0; j < mig->n_groups; j++) {
            gp_strbuf_puts(o, j ? ", " : "");
            gp_markup_text(m, mig->groups[j]);
        }
        gp_strbuf_puts(o, ".\n\n");
        mig_picture(o, mig);
        gp_strbuf_puts(o, "\n");
    }
}

static void
unplaced(struct gp_markup *m, const struct gp_report *r)
{
    gp_strbuf_puts(m->o, "## Not placed\n\n");
    if (!r->n_unplaced) {
        gp_strbuf_puts(m->o, "Every workload is placed.\n\n");
        return;
    }
    gp_rsec_unplaced(m, r);
    gp_strbuf_puts(m->o, "\n");
}

void
gp_report_markdown(struct gp_strbuf *o, const struct gp_report *r)
{
    struct gp_markup m;

    gp_markup_init(&m, o, GP_MARKUP_MD);
    gp_strbuf_puts(o, "# GPU sharing plan: ");
    gp_markup_text(&m, r->inventory);
    gp_strbuf_puts(o, "\n\nCapacity report by gpuplan ");
    gp_markup_text(&m, r->version);
    gp_strbuf_puts(o, ". The same figures are in report.json, and with "
                      "charts in report.html. Predictions come from "
                      "gpuplan's contention simulator; see Assumptions.\n\n");
    summary(&m, r);
    pools(&m, r);
    workloads(&m, r);
    migs(&m, r);
    unplaced(&m, r);
    gp_strbuf_puts(o, "## Assumptions\n\n");
    gp_rsec_assumptions(&m, r);
}
