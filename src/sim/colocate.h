/* SPDX-License-Identifier: MIT */
/* sim/colocate.h: one device (a whole GPU or a MIG instance) shared the way
 * NVIDIA's device plugin sets it up, predicted the way co-locations are
 * judged: the analytic estimate where it trusts itself, else the event
 * engine. */
#ifndef GPUPLAN_SIM_COLOCATE_H
#define GPUPLAN_SIM_COLOCATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/engine.h"

struct gp_arena;

struct gp_colocation {
    const struct gp_gpu_model *model;
    const struct gp_calib *calib;
    bool calib_exact;               /* measured on this model */
    const struct gp_mig_profile *mig; /* NULL: the whole GPU */
    enum gp_sim_mode sharing;       /* GP_SIM_EXCLUSIVE, _TIME_SLICING or
                                     * _MPS (MPS on a whole GPU only) */
    uint32_t replicas;              /* device-plugin replicas when shared */
    bool engine_only;               /* skip the analytic estimate */
    uint64_t seed;                  /* of the event engine */
    /* Events the engine may simulate where the estimate does not trust
     * itself; past it the result is marked untrusted instead. UINT64_MAX:
     * always run the engine there. */
    uint64_t engine_budget;
};

struct gp_colocation_how {
    bool by_engine;                 /* the event engine produced r */
    bool untrusted;                 /* the estimate only, past its trust */
    uint64_t events;                /* simulated by the engine */
};

/* Predicts one process per entry of ws[0..k) (Poisson rates split over each
 * workload's replicas) on the device c describes. MPS clients get what the
 * device plugin's MPS daemon sets: floor(100 / replicas)% of the threads and
 * floor(memory / replicas) MiB (config-formats 1.9). OUT: r (procs[i] is
 * ws[i]; r->dom is NULL; memory from 'a'), *how. */
void gp_sim_colocate(struct gp_sim_domain_result *r,
                     struct gp_colocation_how *how, struct gp_arena *a,
                     const struct gp_colocation *c,
                     const struct gp_workload *const *ws, size_t k);

/* Whether a predicted process is stable and meets w's p99 and throughput
 * targets. */
bool gp_sim_meets_targets(const struct gp_workload *w,
                          const struct gp_sim_proc_result *p);

#endif
