/* SPDX-License-Identifier: MIT */
/* sim/engine.h: the discrete-event engine, the reference for every number
 * gpuplan predicts. Each domain (a whole GPU or a MIG instance) is simulated
 * on its own, since domains do not interact; inside a domain:
 *  - time-slicing: one context owns the GPU at a time, round robin over the
 *    contexts with queued work, a calibrated slice length, a switch cost on
 *    every change of owner, and a yield when the owner runs out of work;
 *  - MPS: the clients with kernels in flight share SMs and bandwidth at
 *    once (sim/perf.h), and a kernel that finds the SMs full first waits for
 *    the running grid to drain (head-of-line blocking);
 *  - MIG: an instance is a smaller GPU (sim/perf.h), itself exclusive or
 *    time-sliced.
 * Requests are split into bursts at host synchronisations. Latency
 * distributions are streamed into histograms, so memory does not grow with
 * the simulated time. Model and constants: docs/simulate.md. */
#ifndef GPUPLAN_SIM_ENGINE_H
#define GPUPLAN_SIM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/hist.h"
#include "sim/scenario.h"

struct gp_arena;

enum gp_mem_verdict {
    GP_MEM_FITS,
    GP_MEM_OVER_LIMIT,   /* MPS client above its pinned limit; MIG above
                          * the instance: this process gets OOM */
    GP_MEM_SHARED_OOM,   /* the sum over a shared GPU exceeds it: whoever
                          * allocates last gets OOM */
};

struct gp_sim_proc_result {
    const struct gp_sim_proc *proc;
    double offered;           /* requests/s offered (Poisson), else 0 */
    uint64_t completed;       /* after warm-up */
    double throughput;        /* completed requests/s */
    double gpu_share;         /* TS: share of time owning the GPU and
                               * running; MPS: mean SM share; else busy */
    double active;            /* share of time it had GPU work pending */
    bool stable;
    double backlog_growth;    /* requests/s the queue grew, when unstable */
    uint64_t backlog_end;
    struct gp_hist *lat;      /* request latency, seconds (engine only:
                               * NULL from the analytic estimate, which
                               * would otherwise zero 10 KiB per process) */
    bool has_latency;         /* stable and measured */
    double mean, p50, p95, p99; /* latency, seconds */
    enum gp_mem_verdict mem;
    uint64_t mem_limit_mib;   /* the limit it was checked against */
};

struct gp_sim_domain_result {
    const struct gp_sim_domain *dom;
    double busy;              /* share of time a kernel ran (nvidia-smi
                               * utilisation) */
    double sm_occupancy;      /* mean share of SMs in use */
    double switch_share;      /* time-slicing: share lost to switches */
    double switches_per_s;
    double load;              /* analytic: GPU time the processes' requests
                               * take alone at full speed, per second, plus
                               * switch_share (time-slicing) */
    uint64_t mem_sum_mib;     /* sum of the processes' peaks */
    uint64_t events;
    struct gp_sim_proc_result *procs;
};

struct gp_sim_gpu_result {
    const struct gp_sim_gpu *gpu;
    struct gp_sim_domain_result *doms;
};

struct gp_sim_result {
    double duration_s, warmup_s;
    uint64_t seed;
    uint64_t events;
    struct gp_sim_gpu_result *gpus;
};

struct gp_sim_opts {
    double duration_s;   /* 0: the scenario's, else chosen */
    double warmup_s;     /* <0: the scenario's, else chosen */
    uint64_t seed;
    bool has_seed;
};

/* The simulated time used when the scenario and options give none: long
 * enough for about 20,000 requests of the slowest stream, 60 s .. 1 h. */
double gp_sim_auto_duration(const struct gp_scenario *s);

/* An empty result shaped like the scenario (GPUs and their domains). */
struct gp_sim_result *gp_sim_result_new(struct gp_arena *a,
                                        const struct gp_scenario *s);

int gp_sim_run(struct gp_sim_result **out, struct gp_arena *a,
               const struct gp_scenario *s, const struct gp_sim_opts *o);

/* One domain, for tests and benchmarks. */
void gp_sim_domain(struct gp_sim_domain_result *r, struct gp_arena *a,
                   const struct gp_sim_gpu *g, const struct gp_sim_domain *dom,
                   double duration, double warmup, uint64_t seed);

/* Fills each process's memory verdict (the rules of docs/simulate.md):
 * time-slicing and MIG: the sum of peaks against the GPU or instance; MPS:
 * each peak against the pinned per-client limit, and the sum. */
void gp_sim_memory_verdicts(struct gp_sim_domain_result *r,
                            const struct gp_sim_gpu *g,
                            const struct gp_sim_domain *dom);

const char *gp_mem_verdict_name(enum gp_mem_verdict v);

#endif
