/* SPDX-License-Identifier: MIT */
/* inventory/inventory.h: what the cluster has (node pools of GPU nodes) and
 * what runs on it (workload profiles). The schema is documented in
 * docs/inventory.md; this module loads and validates it, reporting every
 * problem with its file:line:col. Plain data once loaded. */
#ifndef GPUPLAN_INVENTORY_INVENTORY_H
#define GPUPLAN_INVENTORY_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "model/gpu.h"

struct gp_ynode;

struct gp_arena;

#define GP_API_VERSION "gpuplan.dev/v1alpha1"

enum gp_share_mode {
    GP_SHARE_EXCLUSIVE,
    GP_SHARE_TIME_SLICING,
    GP_SHARE_MPS,
    GP_SHARE_MIG,
};

enum gp_mig_strategy { GP_MIG_STRATEGY_SINGLE, GP_MIG_STRATEGY_MIXED };

enum gp_traffic { GP_TRAFFIC_POISSON, GP_TRAFFIC_CLOSED_LOOP,
                  GP_TRAFFIC_CONTINUOUS };

enum gp_isolation { GP_ISOLATION_NONE, GP_ISOLATION_TENANT,
                    GP_ISOLATION_HARD };

struct gp_label {
    const char *key, *value;
    struct gp_loc loc;
};

struct gp_sharing {
    enum gp_share_mode mode;
    uint32_t replicas;          /* time-slicing and MPS: per GPU */
    enum gp_mig_strategy mig_strategy;
    /* The MIG layout of every GPU in the pool: instances, placed. */
    const struct gp_mig_profile *mig[GP_MIG_MAX_SLICES];
    uint32_t n_mig;
    uint32_t mig_time_slicing_replicas; /* MIG with time-slicing, or 0 */
    struct gp_loc loc;
};

struct gp_node_pool {
    const char *name;
    uint32_t nodes;
    const struct gp_gpu_model *gpu;
    uint32_t gpus_per_node;
    double price_per_gpu_hour;   /* USD */
    struct gp_label *labels;
    size_t n_labels;
    bool has_sharing;            /* what the pool runs today, when given */
    struct gp_sharing sharing;
    struct gp_loc loc;
};

struct gp_workload {
    const char *name;
    const char *namespace_;
    const char *tenant;          /* defaults to the namespace */
    uint32_t replicas;
    uint64_t memory_bytes;       /* peak GPU memory of one replica */
    double service_time_s;       /* GPU time per request on a full GPU */
    double sm_fraction;          /* share of SMs its kernels occupy */
    double memory_bound;         /* 0 compute-bound .. 1 bandwidth-bound */
    double kernel_time_s;        /* typical kernel length on a full GPU */
    uint32_t syncs;              /* host synchronisations per request */
    double service_cv;           /* coefficient of variation of the GPU
                                  * time per request (0: constant) */
    enum gp_traffic traffic;
    double rps;                  /* Poisson: total over all replicas */
    uint32_t clients;            /* closed loop: clients per replica */
    double think_time_s;         /* closed loop: host time between requests */
    double target_p99_s;         /* 0 when not set */
    double target_throughput;    /* per replica, requests/s; 0 when not set */
    enum gp_isolation isolation;
    struct gp_loc loc;
};

struct gp_inventory {
    const char *name;
    struct gp_node_pool *pools;
    size_t n_pools;
    struct gp_workload *loads;
    size_t n_loads;
};

/* Limits that keep hostile input bounded; why these values: docs/limits.md
 * (Kubernetes supports 5,000 nodes and 150,000 pods per cluster). */
#define GP_MAX_POOLS 10000u
#define GP_MAX_WORKLOADS 100000u
#define GP_MAX_TOTAL_GPUS 1000000ull
#define GP_MAX_TOTAL_REPLICAS 1000000ull

/* Loads and merges the given files (node pools and workloads may be split
 * across them). Returns 0, or -1 when any file has an error; every error is
 * in 'd'. OUT: *out valid while 'a' lives. */
int gp_inventory_load(struct gp_inventory **out, struct gp_arena *a,
                      const char *const *files, size_t n_files,
                      const struct gp_catalog *cat, struct gp_diags *d);

/* Same, from text already in memory (tests, fuzzing). */
int gp_inventory_parse(struct gp_inventory **out, struct gp_arena *a,
                       const char *file, const char *text, size_t len,
                       const struct gp_catalog *cat, struct gp_diags *d);

/* Loads one workload mapping (the schema of an inventory's 'workloads'
 * entries) for documents that embed workload profiles, such as simulation
 * scenarios. Returns 0, or -1 with every problem in 'd'. */
int gp_workload_parse(struct gp_workload *out, struct gp_arena *a,
                      const struct gp_ynode *n, struct gp_diags *d);

/* The head every gpuplan document kind shares: a mapping of 'keys' (those
 * in 'req' required), 'apiVersion' GP_API_VERSION, 'kind' 'kind', and
 * 'metadata' with at most a name, whose node goes to *name (NULL when
 * absent). Returns -1 when the document cannot be read further (empty, or
 * not such a mapping), 1 when the head has errors but the rest can still
 * be checked, else 0; every problem goes to 'd'. 'what' names the
 * document in messages ("inventory"). */
int gp_doc_head(const struct gp_ynode *root, const char *file,
                const char *what, const char *const *keys,
                const char *const *req, const char *kind,
                const struct gp_ynode **name, struct gp_diags *d);

const char *gp_share_mode_name(enum gp_share_mode m);
const char *gp_traffic_name(enum gp_traffic t);
const char *gp_isolation_name(enum gp_isolation i);

/* Mean GPU busy fraction of one replica running alone on a full GPU
 * (Poisson: rate x service time; closed loop: S/(S+Z) per client). */
double gp_workload_duty(const struct gp_workload *w);

#endif
