/* SPDX-License-Identifier: MIT */
/* report/fmt.h: how report.html and report.md spell numbers, so both print
 * the same text for the same figure. Private to src/report. Everything
 * appended is plain text free of HTML and Markdown special characters. */
#ifndef GPUPLAN_REPORT_FMT_H
#define GPUPLAN_REPORT_FMT_H

#include <stdint.h>

struct gp_report;
struct gp_report_load;
struct gp_strbuf;
struct gp_workload;

/* 12,500 */
void gp_rfmt_count(struct gp_strbuf *o, uint64_t v);
/* $1,234.56; -$3.00 */
void gp_rfmt_money(struct gp_strbuf *o, double v);
/* a share as a whole percentage: 0.554 -> "55%" */
void gp_rfmt_pct(struct gp_strbuf *o, double share);
/* seconds as recommend prints them: "9.32ms", "222.1ms", "12.00s" */
void gp_rfmt_secs(struct gp_strbuf *o, double s);
/* 36,864 MiB */
void gp_rfmt_mib(struct gp_strbuf *o, uint64_t mib);
/* "p99 <= 15.0ms", "throughput >= 3.0/s", or "none" */
void gp_rfmt_target(struct gp_strbuf *o, const struct gp_workload *w);
/* "62% of target", or "-" without a target */
void gp_rfmt_vs_target(struct gp_strbuf *o, const struct gp_report_load *l);
/* "ok", "target missed", "unstable" */
void gp_rfmt_status(struct gp_strbuf *o, const struct gp_report_load *l);
/* "3 saved, 20% fewer", "6 more, 10% more", "no change" */
void gp_rfmt_gpus_change(struct gp_strbuf *o, const struct gp_report *r);
/* "$133.20 saved", "$394.56 more", "no change" */
void gp_rfmt_money_change(struct gp_strbuf *o, double saved);
/* "14 more" and, with idle nodes, "; 24 more with the pool's 1 idle node" */
void gp_rfmt_room(struct gp_strbuf *o, const struct gp_report_load *l,
                  uint32_t idle_nodes);

#endif
