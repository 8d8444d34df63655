/* SPDX-License-Identifier: MIT */
#include "report/fmt.h"

#include <math.h>
#include <stdio.h>

#include "base/strbuf.h"
#include "inventory/inventory.h"
#include "plan/plan.h"
#include "report/planfmt.h"
#include "report/report.h"

void
gp_rfmt_count(struct gp_strbuf *o, uint64_t v)
{
    char d[32];
    int n = snprintf(d, sizeof(d), "%llu", (unsigned long long)v), i;

    for (i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            gp_strbuf_putc(o, ',');
        gp_strbuf_putc(o, d[i]);
    }
}

void
gp_rfmt_money(struct gp_strbuf *o, double v)
{
    double a = fabs(v);
    /* cents as an integer: the value is already rounded to 2 decimals */
    unsigned long long cents = (unsigned long long)llround(a * 100);

    if (v < 0 && cents)
        gp_strbuf_putc(o, '-');
    gp_strbuf_putc(o, '$');
    gp_rfmt_count(o, cents / 100);
    gp_strbuf_printf(o, ".%02llu", cents % 100);
}

void
gp_rfmt_pct(struct gp_strbuf *o, double share)
{
    gp_strbuf_printf(o, "%.0f%%", share * 100);
}

void
gp_rfmt_secs(struct gp_strbuf *o, double s)
{
    char b[32];

    gp_planfmt_seconds(b, sizeof(b), s);
    gp_strbuf_puts(o, b);
}

void
gp_rfmt_mib(struct gp_strbuf *o, uint64_t mib)
{
    gp_rfmt_count(o, mib);
    gp_strbuf_puts(o, " MiB");
}

void
gp_rfmt_target(struct gp_strbuf *o, const struct gp_workload *w)
{
    if (w->target_p99_s > 0) {
        gp_strbuf_puts(o, "p99 \xe2\x89\xa4 ");
        gp_rfmt_secs(o, w->target_p99_s);
    } else if (w->target_throughput > 0) {
        gp_strbuf_printf(o, "throughput \xe2\x89\xa5 %.1f/s",
                         w->target_throughput);
    } else {
        gp_strbuf_puts(o, "none");
    }
}

void
gp_rfmt_vs_target(struct gp_strbuf *o, const struct gp_report_load *l)
{
    if (l->p99_of_target > 0) {
        gp_rfmt_pct(o, l->p99_of_target);
        gp_strbuf_puts(o, " of target");
    } else if (l->tput_of_target > 0) {
        gp_rfmt_pct(o, l->tput_of_target);
        gp_strbuf_puts(o, " of target");
    } else {
        gp_strbuf_puts(o, "-");
    }
}

void
gp_rfmt_status(struct gp_strbuf *o, const struct gp_report_load *l)
{
    if (!l->as->stable)
        gp_strbuf_puts(o, "unstable");
    else if (!l->as->meets_target)
        gp_strbuf_puts(o, "target missed");
    else
        gp_strbuf_puts(o, "ok");
}

void
gp_rfmt_gpus_change(struct gp_strbuf *o, const struct gp_report *r)
{
    int64_t s = r->gpus_saved;
    uint64_t m = (uint64_t)(s < 0 ? -s : s);

    if (s == 0) {
        gp_strbuf_puts(o, "no change");
        return;
    }
    gp_rfmt_count(o, m);
    gp_strbuf_puts(o, s > 0 ? " saved" : " more");
    if (r->gpus_before)
        gp_strbuf_printf(o, ", %.0f%% %s", (double)m * 100 / r->gpus_before,
                         s > 0 ? "fewer" : "more");
}

void
gp_rfmt_money_change(struct gp_strbuf *o, double saved)
{
    if (llround(saved * 100) == 0) {
        gp_strbuf_puts(o, "no change");
        return;
    }
    gp_rfmt_money(o, fabs(saved));
    gp_strbuf_puts(o, saved > 0 ? " saved" : " more");
}

void
gp_rfmt_room(struct gp_strbuf *o, const struct gp_report_load *l,
             uint32_t idle_nodes)
{
    gp_rfmt_count(o, l->room);
    gp_strbuf_puts(o, " more");
    if (idle_nodes && l->room_idle) {
        gp_strbuf_puts(o, "; ");
        gp_rfmt_count(o, l->room + l->room_idle);
        gp_strbuf_printf(o, " with the pool's %u idle node%s", idle_nodes,
                         idle_nodes == 1 ? "" : "s");
    }
}

void
gp_report_summary_text(struct gp_strbuf *o, const struct gp_report *r)
{
    gp_strbuf_printf(o, "report %s: GPUs provisioned ", r->inventory);
    gp_rfmt_count(o, r->gpus_before);
    gp_strbuf_puts(o, " -> ");
    gp_rfmt_count(o, r->gpus_after);
    gp_strbuf_puts(o, " (");
    gp_rfmt_gpus_change(o, r);
    gp_strbuf_puts(o, "), cost per day ");
    gp_rfmt_money(o, r->cost_day_before);
    gp_strbuf_puts(o, " -> ");
    gp_rfmt_money(o, r->cost_day_after);
    gp_strbuf_puts(o, " (");
    gp_rfmt_money_change(o, r->cost_day_saved);
    gp_strbuf_puts(o, ")\n");
    gp_strbuf_printf(o,
                     "  findings: %zu target%s missed, %zu workload%s not "
                     "placed, %zu pool%s over capacity; %zu placement%s "
                     "flagged\n",
                     r->n_missed, r->n_missed == 1 ? "" : "s", r->n_unplaced,
                     r->n_unplaced == 1 ? "" : "s", r->n_over_capacity,
                     r->n_over_capacity == 1 ? "" : "s", r->n_flagged,
                     r->n_flagged == 1 ? "" : "s");
}
