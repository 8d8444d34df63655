/* SPDX-License-Identifier: MIT */
/* plan/plan.h: the recommendation. From an inventory (node pools, workload
 * profiles) the planner decides, per node pool, node groups with one sharing
 * config each (exclusive, time-slicing xN, MPS xN, a MIG layout per GPU) and
 * which workload runs in which group, so that every workload's memory fits
 * and its target holds for every co-location the config allows, at the
 * lowest GPU cost. Plain data; emitters (src/emit/) and reports read it.
 *
 * Steering: every node of a group carries the label
 * GP_PLAN_GROUP_LABEL=<steer>; a workload's pods select it and request one
 * unit of 'resource'. 'steer' is the group's name, except for MIG: the MIG
 * groups of a pool differ only in how many instances of each profile their
 * nodes hold, so they share one steering value and pods find their profile
 * by resource name. The device-plugin config key of a group is its name;
 * MIG groups also name a mig-parted config (their name). */
#ifndef GPUPLAN_PLAN_PLAN_H
#define GPUPLAN_PLAN_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "inventory/inventory.h"
#include "mig/geometry.h"

struct gp_arena;

#define GP_PLAN_GROUP_LABEL "gpuplan.dev/node-group"

enum gp_plan_mode {
    GP_PLAN_EXCLUSIVE,
    GP_PLAN_TIME_SLICING,
    GP_PLAN_MPS,
    GP_PLAN_MIG,
};

/* A workload's replicas in a group, with what the simulator predicts for
 * one replica in the worst co-location the group's config allows. */
struct gp_plan_assign {
    const struct gp_workload *w;
    uint32_t replicas;
    const char *resource;               /* "nvidia.com/gpu",
                                         * "nvidia.com/mig-3g.40gb" */
    const struct gp_mig_profile *mig;   /* MIG: its instance's profile */
    double throughput;                  /* requests/s per replica */
    double offered;                     /* Poisson: requests/s per replica */
    double p50, p99;                    /* seconds, when has_latency */
    bool has_latency;
    bool stable;
    bool meets_target;
    bool by_engine;                     /* discrete-event engine, else the
                                         * analytic estimate */
    uint64_t mem_need_mib;              /* its peak */
    uint64_t mem_limit_mib;             /* what the peak is checked against:
                                         * MPS per-client limit, MIG slice,
                                         * or the GPU (time-slicing: GPU
                                         * memory less the worst co-tenants'
                                         * peaks) */
};

/* A MIG profile whose instances a group time-slices: 'replicas' pods share
 * one instance (device-plugin timeSlicing on nvidia.com/mig-<profile>). */
struct gp_plan_mig_share {
    const struct gp_mig_profile *profile;
    const char *resource;       /* "nvidia.com/mig-1g.10gb" */
    uint32_t replicas;
};

struct gp_plan_group {
    const char *name;           /* device-plugin (and mig-parted) config
                                 * key: "<pool>-<mode>[-<k>]", a valid
                                 * label value */
    const char *steer;          /* GP_PLAN_GROUP_LABEL value */
    const struct gp_node_pool *pool;
    uint32_t nodes;
    enum gp_plan_mode mode;
    uint32_t replicas;          /* time-slicing and MPS: per GPU; else 1 */
    const char *tenant;         /* MPS: the only tenant it serves */
    /* MIG: the layout of each GPU index of a node (pool->gpus_per_node
     * entries), and the mig-parted config name (the group name). */
    const struct gp_mig_layout *layouts;
    /* MIG: the profiles whose instances are time-sliced, by profile name
     * (the same for every MIG group of a pool: pods land on any of them) */
    const struct gp_plan_mig_share *mig_shares;
    size_t n_mig_shares;
    uint32_t gpus_used;         /* GPUs that host a pod */
    uint64_t worst_mem_mib;     /* worst co-located peak sum on one GPU
                                 * (MIG: on the fullest instance) */
    uint64_t gpu_mem_mib;       /* what that is checked against */
    double utilisation;         /* mean GPU busy share over its GPUs */
    struct gp_plan_assign *assigns;
    size_t n_assigns;
    size_t assigns_cap;         /* (the planner's, while it adds) */
};

struct gp_plan_unplaced {
    const struct gp_workload *w;
    uint32_t replicas;
    const char *why;
};

struct gp_plan_pool {
    const struct gp_node_pool *pool;
    uint32_t nodes_used;
    uint32_t gpus_used;         /* GPUs hosting a pod */
    uint32_t baseline_gpus;     /* one pod per GPU, same workloads */
    bool over_capacity;         /* the groups need more nodes than the pool
                                 * has (node rounding; a known gap) */
};

struct gp_plan {
    const struct gp_inventory *inv;
    struct gp_plan_group *groups;   /* sorted by pool, then name */
    size_t n_groups;
    struct gp_plan_pool *pools;     /* inventory order */
    size_t n_pools;
    struct gp_plan_unplaced *unplaced;
    size_t n_unplaced;
    /* totals */
    uint32_t nodes_used;
    uint32_t gpus_provisioned;      /* nodes_used x GPUs per node */
    uint32_t gpus_used;             /* GPUs hosting a pod */
    double gpus_lower_bound;        /* no plan needs fewer GPUs (LP bound) */
    double gpus_for_nodes;          /* of gpus_used, beyond the bound's
                                     * share: replicas that could share,
                                     * on exclusive GPUs to free nodes */
    uint32_t baseline_gpus;         /* one pod per GPU */
    double cost_per_day;            /* provisioned GPUs x price x 24 */
    double baseline_cost_per_day;
    bool all_targets_met;
    bool over_capacity;             /* some pool's groups need more nodes
                                     * than it has */
    uint64_t evals;                 /* co-locations predicted */
    uint64_t engine_evals;          /* of which by the event engine */
    uint64_t engine_events;         /* events those simulated */
};

struct gp_plan_opts {
    bool engine_only;               /* check every co-location with the
                                     * discrete-event engine */
    uint64_t seed;
    /* events the engine may simulate for co-locations past the analytic
     * estimate's trusted load; 0 refuses them all */
    uint64_t engine_budget;
};

/* About a third of a second of the event engine on one core (some 136
 * instructions an event, callgrind): enough to verify every co-location
 * past the trusted load in the scenarios (inference-fleet takes 21.8 M),
 * while a 10,000-node plan stays within its 2 s. */
#define GP_PLAN_ENGINE_BUDGET 25000000u

/* Returns 0, or -1 with errors in 'd' (an inventory the planner cannot
 * work with). Workloads that cannot be placed are not errors: they are in
 * plan->unplaced with the reason. */
int gp_plan_make(struct gp_plan **out, struct gp_arena *a,
                 const struct gp_inventory *inv, const struct gp_plan_opts *o,
                 struct gp_diags *d);

const char *gp_plan_mode_name(enum gp_plan_mode m);
/* Pods that share one instance of p in a MIG group (1: not time-sliced). */
uint32_t gp_plan_mig_pods_per_instance(const struct gp_plan_group *g,
                                       const struct gp_mig_profile *p);

#endif
