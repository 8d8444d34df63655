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

/* Above this GPU load (the requests' GPU time at full speed, plus switch
 * overhead, as the estimate itself predicts it: gp_sim_domain_result.load)
 * processes sharing a GPU queue behind each other in ways the per-process
 * queues do not capture; the estimate errs, mostly optimistic, and callers
 * must run the engine instead. */
#define GP_ANALYTIC_MAX_LOAD 0.7

/* Whether the estimate of this domain is within its tested tolerance: a
 * process alone (an M/G/1 queue), or a shared GPU up to the load above. */
bool gp_analytic_trusted(const struct gp_sim_domain_result *r);

int gp_analytic_run(struct gp_sim_result **out, struct gp_arena *a,
                    const struct gp_scenario *s);

void gp_analytic_domain(struct gp_sim_domain_result *r, struct gp_arena *a,
                        const struct gp_sim_gpu *g,
                        const struct gp_sim_domain *dom);

#endif
