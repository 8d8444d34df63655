/* SPDX-License-Identifier: MIT */
/* report/planfmt.h: how a plan is spelled in text and JSON, shared by
 * 'gpuplan recommend' (plan.txt, plan.json) and 'gpuplan report' (which
 * embeds the same plan.json in report.json), so the two never drift. */
#ifndef GPUPLAN_REPORT_PLANFMT_H
#define GPUPLAN_REPORT_PLANFMT_H

#include <stddef.h>

struct gp_json;
struct gp_plan;
struct gp_plan_group;
struct gp_strbuf;

/* A group's sharing config: "exclusive", "time-slicing x4", "mps x3",
 * "mig 3g.40gb@0 3g.40gb@4 | off | ...". Appends to 'sb'. */
void gp_planfmt_config(struct gp_strbuf *sb, const struct gp_plan_group *g);

/* Seconds as recommend prints them: "3.47ms" below 10 ms, "222.1ms" below
 * 10 s, else "12.00s". */
void gp_planfmt_seconds(char *buf, size_t n, double s);

/* The plan as plan.json holds it. Free with gp_json_free(). */
struct gp_json *gp_planfmt_json(const struct gp_plan *p);

#endif
