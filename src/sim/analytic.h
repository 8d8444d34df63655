/* SPDX-License-Identifier: MIT */
/* sim/analytic.h: the fast estimate the planner calls thousands of times.
 * Same physics as the event engine (sim/perf.h, the calibrated slice and
 * switch costs), but time is averaged: each process is a queue whose
 * service time includes the waits the other processes cause, and the
 * probability that each process has work pending is solved as a fixed
 * point. Agreement with the engine is tested on a sweep (tests/unit,
 * docs/simulate.md states the tolerances). */
#ifndef GPUPLAN_SIM_ANALYTIC_H
#define GPUPLAN_SIM_ANALYTIC_H

#include "sim/engine.h"

int gp_analytic_run(struct gp_sim_result **out, struct gp_arena *a,
                    const struct gp_scenario *s);

void gp_analytic_domain(struct gp_sim_domain_result *r, struct gp_arena *a,
                        const struct gp_sim_gpu *g,
                        const struct gp_sim_domain *dom);

#endif
