/* SPDX-License-Identifier: MIT */
/* sim/scenario.h: what to simulate. A scenario places workload processes
 * (the profiles of the inventory schema, one process per placement) on GPUs,
 * each GPU in one sharing mode. Schema: docs/simulate.md. */
#ifndef GPUPLAN_SIM_SCENARIO_H
#define GPUPLAN_SIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "inventory/inventory.h"
#include "sim/calib.h"

struct gp_arena;
struct gp_catalog;

enum gp_sim_mode {
    GP_SIM_EXCLUSIVE,
    GP_SIM_TIME_SLICING,
    GP_SIM_MPS,
    GP_SIM_MIG,
};

/* One process: a pod replica of a workload, with its own request stream. */
struct gp_sim_proc {
    const struct gp_workload *w;
    double rate;                /* Poisson: this process's requests/s */
    struct gp_loc loc;
};

/* An execution domain: a whole GPU, or one MIG instance of it. Processes in
 * one domain contend; domains never interact. */
struct gp_sim_domain {
    const struct gp_mig_profile *mig; /* NULL: the whole GPU */
    double sm_frac;             /* SMs, as a fraction of the whole GPU's */
    double bw_frac;             /* DRAM bandwidth share */
    uint64_t memory_mib;
    bool time_sliced;           /* more than one process takes turns */
    bool mps;
    struct gp_sim_proc *procs;
    size_t n_procs;
};

struct gp_sim_gpu {
    const char *name;
    const struct gp_gpu_model *model;
    enum gp_sim_mode mode;
    uint32_t replicas;          /* device-plugin replicas, 0 when not set */
    double mps_thread_pct;      /* MPS active-thread percentage (100: none) */
    uint64_t mps_mem_limit;     /* MPS pinned memory per client, 0: none */
    const struct gp_calib *calib;
    bool calib_exact;           /* measured on this model */
    struct gp_sim_domain *domains;
    size_t n_domains;
    struct gp_loc loc;
};

struct gp_scenario {
    const char *name;
    const char *file;
    double duration_s;          /* 0: chosen from the rates */
    double warmup_s;            /* <0: chosen */
    uint64_t seed;
    struct gp_workload *loads;
    size_t n_loads;
    struct gp_sim_gpu *gpus;
    size_t n_gpus;
};

#define GP_SIM_MAX_GPUS 4096u
#define GP_SIM_MAX_PROCS_PER_DOMAIN 64u

/* Loads a scenario. 'calib' (may be NULL) overrides the built-in calibration
 * of every GPU. Returns 0, or -1 with every problem in 'd'. */
int gp_scenario_load(struct gp_scenario **out, struct gp_arena *a,
                     const char *path, const struct gp_catalog *cat,
                     const struct gp_calib *calib, struct gp_diags *d);
int gp_scenario_parse(struct gp_scenario **out, struct gp_arena *a,
                      const char *file, const char *text, size_t len,
                      const struct gp_catalog *cat,
                      const struct gp_calib *calib, struct gp_diags *d);

const char *gp_sim_mode_name(enum gp_sim_mode m);

/* What the device plugin's MPS control daemon sets for 'replicas' clients
 * of g's GPU (config-formats 1.9): floor(100 / replicas)% of the threads
 * and floor(memory / replicas) pinned memory each. */
void gp_sim_mps_plugin_limits(struct gp_sim_gpu *g, uint32_t replicas);

#endif
