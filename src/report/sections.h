/* SPDX-License-Identifier: MIT */
/* report/sections.h: what report.html and report.md say alike, written
 * once through report/markup.h: the tables, the what-if and findings
 * lists, the risk-flag note and the assumptions. Each renderer places
 * them in its own page structure (sections, headings, charts). Private to
 * src/report. */
#ifndef GPUPLAN_REPORT_SECTIONS_H
#define GPUPLAN_REPORT_SECTIONS_H

#include <stddef.h>

struct gp_markup;
struct gp_report;
struct gp_report_pool;

/* The summary's figures in three rows, before, after and the change.
 * report.md shows them as the table gp_rsec_summary(), report.html as
 * cards. */
enum gp_rsec_summary_row {
    GP_RSEC_GPUS,           /* GPUs provisioned */
    GP_RSEC_COST_DAY,
    GP_RSEC_COST_MONTH,
    GP_RSEC_SUMMARY_ROWS
};
void gp_rsec_summary_before(struct gp_markup *m, const struct gp_report *r,
                            size_t row);
void gp_rsec_summary_after(struct gp_markup *m, const struct gp_report *r,
                           size_t row);
void gp_rsec_summary_change(struct gp_markup *m, const struct gp_report *r,
                            size_t row);
void gp_rsec_summary(struct gp_markup *m, const struct gp_report *r);

/* Tables: every pool; one pool's node groups; every placement; the
 * workloads not placed. */
void gp_rsec_pools(struct gp_markup *m, const struct gp_report *r);
void gp_rsec_groups(struct gp_markup *m, const struct gp_report *r,
                    const struct gp_report_pool *p);
void gp_rsec_workloads(struct gp_markup *m, const struct gp_report *r);
void gp_rsec_unplaced(struct gp_markup *m, const struct gp_report *r);

/* "Pool NAME (GPU, 1 of 2 nodes used)", the parenthesis muted. */
void gp_rsec_pool_title(struct gp_markup *m, const struct gp_report_pool *p);

/* A pool's what-if headroom list: an item per placement. */
void gp_rsec_room(struct gp_markup *m, const struct gp_report *r,
                  const struct gp_report_pool *p);

/* Findings listed one by one; past this, a count. */
#define GP_RSEC_FINDINGS_MAX 20
/* The findings items for pools over capacity and missed targets (the
 * first GP_RSEC_FINDINGS_MAX); the caller adds the count of the rest
 * and the unplaced workloads in its own words. */
void gp_rsec_findings(struct gp_markup *m, const struct gp_report *r);

/* What the risk flags and the what-if room mean (one paragraph's text). */
void gp_rsec_risk_note(struct gp_markup *m);

/* The assumptions, as a list. */
void gp_rsec_assumptions(struct gp_markup *m, const struct gp_report *r);

#endif
