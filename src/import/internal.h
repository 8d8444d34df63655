/* SPDX-License-Identifier: MIT */
/* import/internal.h: what the files of src/import/ share: a string-keyed
 * hash map, the parsed pods and their owners, and the per-pod DCGM
 * statistics. Not part of the module's interface. */
#ifndef GPUPLAN_IMPORT_INTERNAL_H
#define GPUPLAN_IMPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "import/import.h"
#include "json/json.h"
#include "inventory/inventory.h"

struct gp_arena;

/* ---- string map ---------------------------------------------------------
 * Open addressing, keys copied into the arena, values are uint32_t. Sized
 * for hundreds of thousands of keys (pods, devices, scrapes). */
struct gp_imp_slot {
    uint64_t hash;
    const char *key;
    uint32_t klen;
    uint32_t val;
};

struct gp_imp_map {
    struct gp_imp_slot *s;
    size_t cap, n;
    struct gp_arena *a;
};

void gp_imp_map_init(struct gp_imp_map *m, struct gp_arena *a);
void gp_imp_map_release(struct gp_imp_map *m);
/* The value slot of 'key', or NULL when absent. */
uint32_t *gp_imp_map_find(const struct gp_imp_map *m, const char *key,
                          size_t len);
/* The value slot of 'key', inserted with value 'init' when absent (then
 * *created is true). */
uint32_t *gp_imp_map_put(struct gp_imp_map *m, const char *key, size_t len,
                         uint32_t init, bool *created);

/* "a" "\x1f" "b": the key of a (namespace, name) pair; buf holds 512. */
size_t gp_imp_key2(char *buf, const char *a, const char *b);

/* The base name of a path, for output that must not carry host paths. */
const char *gp_imp_basename(const char *path);

/* ---- nodes and node pools ----------------------------------------------- */

/* Node labels that name a group of nodes and that gpuplan's own changes
 * (sharing configs, MIG layouts) leave alone: what a pool's 'labels'
 * selector may use. */
#define GP_IMP_N_STABLE 6
extern const char *const gp_imp_stable_labels[GP_IMP_N_STABLE];

struct gp_imp_migcap {
    const char *profile;  /* as in the resource name: "1g.10gb", "1g.10gb.me" */
    uint64_t qty;         /* capacity */
    uint32_t replicas;    /* nvidia.com/mig-<profile>.replicas, 1 if none */
};

#define GP_IMP_MAX_MIGCAPS 16

struct gp_imp_node {
    const char *name;
    struct gp_loc loc;             /* the item */
    struct gp_loc product_loc;     /* its gpu.product label, or the item */
    struct gp_loc cap_loc;         /* its status.capacity, or the item */
    /* GPU feature discovery labels (NULL / -1 when absent) */
    const char *product, *sharing, *mig_strategy, *mig_config, *mig_state;
    long long count, memory_mib, replicas;
    const char *stable[GP_IMP_N_STABLE];
    uint64_t cap_gpu, cap_shared;
    struct gp_imp_migcap mig[GP_IMP_MAX_MIGCAPS];
    uint32_t n_mig;
    bool cordoned;
    /* derived */
    const struct gp_gpu_model *model;
    uint32_t gpus;                 /* physical GPUs */
    enum gp_share_mode mode;
    uint32_t replicas_eff;         /* time-slicing / MPS replicas per GPU */
    enum gp_mig_strategy mig_strat;
    const struct gp_mig_profile *lay[GP_MIG_MAX_PROFILES];
    uint32_t lay_n[GP_MIG_MAX_PROFILES];
    uint32_t n_lay;
    uint32_t mig_ts;               /* time-slicing replicas on MIG, or 0 */
    bool failed;                   /* a problem was reported */
    bool usable;
    uint32_t pool;                 /* index into pools when usable */
};

struct gp_imp_pool {
    const char *name;
    const char *key;
    const struct gp_gpu_model *model;
    uint32_t gpus;
    uint64_t memory_mib;           /* per GPU */
    bool memory_from_label;
    enum gp_share_mode mode;
    uint32_t replicas;
    enum gp_mig_strategy mig_strat;
    const struct gp_mig_profile *lay[GP_MIG_MAX_PROFILES];
    uint32_t lay_n[GP_MIG_MAX_PROFILES];
    uint32_t n_lay;
    uint32_t mig_ts;
    const char *mig_config, *product;
    const char *labels[GP_IMP_N_STABLE]; /* values every node shares */
    bool labels_ambiguous;         /* another pool has the same ones */
    uint32_t *nodes;               /* indexes into the node array, sorted */
    size_t n_nodes, cordoned;
};

struct gp_imp_nodes {
    struct gp_imp_node *v;         /* GPU nodes (usable or not) */
    size_t n, cap;
    size_t total, non_gpu, skipped;
    struct gp_imp_pool *pools;     /* sorted by name */
    size_t n_pools;
    struct gp_imp_map by_name;     /* node name -> index in v */
};

/* Reads 'kubectl get nodes -o json' (a List, or one Node) and groups the
 * GPU nodes into pools. Returns 0, or -1 with every error in 'd'. */
int gp_imp_nodes_load(struct gp_imp_nodes *out, struct gp_arena *a,
                      const struct gp_import_src *src,
                      const struct gp_catalog *cat, bool skip_unusable,
                      struct gp_diags *d);

/* Frees what gp_imp_nodes_load() allocated outside the arena. */
void gp_imp_nodes_release(struct gp_imp_nodes *N);

/* A pool's MIG layout as "2x 1g.5gb + 1x 3g.20gb". buf holds 256. */
const char *gp_imp_layout_text(const struct gp_imp_pool *p, char *buf,
                               size_t cap);

/* A DNS-1123 label from any name: lower case, [a-z0-9-], at most 63
 * characters (a longer name keeps 54 and gains a hash of the rest). */
const char *gp_imp_dns_label(struct gp_arena *a, const char *s);

/* ---- pods --------------------------------------------------------------- */

enum gp_imp_phase {
    GP_PHASE_PENDING,
    GP_PHASE_RUNNING,
    GP_PHASE_SUCCEEDED,
    GP_PHASE_FAILED,
    GP_PHASE_UNKNOWN,
    GP_PHASE_N
};

#define GP_IMP_MAX_REQS 4

struct gp_imp_req {
    const char *resource; /* "nvidia.com/gpu", "nvidia.com/mig-1g.10gb" */
    uint32_t qty;
};

/* A pod that asks for NVIDIA GPU resources. */
struct gp_imp_pod {
    const char *ns, *name, *node; /* node NULL when not scheduled */
    const char *kind, *owner;     /* the workload that owns it */
    bool inferred_owner;          /* Deployment from a ReplicaSet name,
                                   * CronJob from a Job name */
    enum gp_imp_phase phase;
    struct gp_imp_req reqs[GP_IMP_MAX_REQS];
    uint32_t n_reqs;
    uint32_t units;               /* GPU resource units in all */
    struct gp_loc loc;
    uint32_t workload;            /* index, set by the grouping */
};

struct gp_imp_pods {
    struct gp_imp_pod *v;
    size_t n, cap;
    size_t non_gpu;               /* pods without NVIDIA GPU requests */
    size_t total;                 /* pods in the file */
    struct gp_imp_map by_name;    /* ns \x1f name -> index */
};

/* Reads 'kubectl get pods -A -o json' (a List, or one Pod). Returns 0, or
 * -1 with every error in 'd'. */
int gp_imp_pods_load(struct gp_imp_pods *out, struct gp_arena *a,
                     const struct gp_import_src *src, struct gp_diags *d);
/* Frees what gp_imp_pods_load() allocated outside the arena. */
void gp_imp_pods_release(struct gp_imp_pods *P);

const char *gp_imp_phase_name(enum gp_imp_phase p);

/* ---- DCGM --------------------------------------------------------------- */

/* Per-pod statistics from every sample of every scrape. */
struct gp_imp_dcgm_pod {
    const char *ns, *pod;
    struct gp_dcgm_stat fb_mib, util, gr_active, sm_active, sm_occupancy,
        dram_active;
    uint32_t scrapes;      /* distinct scrapes with an FB sample */
    uint32_t last_scrape;  /* private to the parser */
    bool shared;
    bool used;             /* matched a pod of pods.json */
    const char *mig_profile, *model_name;
};

enum gp_imp_metric {
    GP_M_FB_USED,
    GP_M_GPU_UTIL,
    GP_M_GR_ACTIVE,
    GP_M_SM_ACTIVE,
    GP_M_SM_OCCUPANCY,
    GP_M_DRAM_ACTIVE,
    GP_M_N
};

struct gp_imp_dcgm {
    struct gp_imp_dcgm_pod *v;
    size_t n, cap;
    struct gp_imp_map by_pod;   /* ns \x1f pod -> index */
    uint64_t samples, unattributed;
    uint32_t scrapes;
    uint64_t seen[GP_M_N];      /* samples per metric family */
    size_t n_files;
};

extern const char *const gp_imp_metric_names[GP_M_N];

/* Reads dcgm-exporter scrapes (Prometheus text exposition format 0.0.4,
 * one or more scrapes per file). Returns 0, or -1 with every error at
 * file:line:col in 'd'. */
int gp_imp_dcgm_load(struct gp_imp_dcgm *out, struct gp_arena *a,
                     const struct gp_import_src *src, size_t n,
                     struct gp_diags *d);
void gp_imp_dcgm_release(struct gp_imp_dcgm *m);

void gp_imp_stat_merge(struct gp_dcgm_stat *into,
                       const struct gp_dcgm_stat *from);
double gp_imp_stat_mean(const struct gp_dcgm_stat *s);

/* After this many errors in the items of one file, further ones are
 * counted, not shown: each quote searches a file of hundreds of megabytes
 * for its line, and the first few tell what is wrong. */
#define GP_IMP_MAX_ITEM_ERRORS 50

/* The diagnostics sink of one file's items: the caller's until it holds
 * GP_IMP_MAX_ITEM_ERRORS more errors, a scratch one after that. */
struct gp_imp_quota {
    struct gp_arena *a;
    struct gp_diags *real_d;   /* the caller's sink */
    size_t errors_before;      /* its errors before this file */
    bool muted;                /* d is a scratch sink */
};

/* Starts with the caller's sink 'd'; the sink to use is *cur. */
void gp_imp_quota_init(struct gp_imp_quota *q, struct gp_arena *a,
                       struct gp_diags *d);
/* Called before each item: switches *cur to a scratch sink once the
 * caller's has taken its share of errors. */
void gp_imp_quota_check(struct gp_imp_quota *q, struct gp_diags **cur);
/* Back to the caller's sink, with one error saying how many were not
 * shown; returns that count. */
size_t gp_imp_quota_end(struct gp_imp_quota *q, struct gp_diags **cur,
                        const char *file);

/* Items of another kind in a kubectl list (a Pod among Nodes): counted,
 * and reported once, at the first of them. */
struct gp_imp_strays {
    size_t n;
    const char *first;
    struct gp_loc loc;
    size_t index;
};

void gp_imp_stray(struct gp_imp_strays *s, struct gp_arena *a,
                  const struct gp_json_item *it, const char *kind);

/* The head of a list item of 'kind' ("Node"): an object of that kind
 * with a metadata.name. Returns the name and sets *meta, or returns NULL:
 * an error is reported, or an item of another kind counted in 'strays'. */
const char *gp_imp_item_head(struct gp_diags *d, struct gp_arena *a,
                             const struct gp_json_item *it, const char *kind,
                             struct gp_imp_strays *strays,
                             const struct gp_json **meta);

/* True when the text could be JSON (or is blank): a YAML export fails at
 * its first character, and the hint says what was meant. */
bool gp_imp_looks_like_json(const struct gp_import_src *src);

/* What gp_json_scan left of a kubectl export of 'kind' ("Node"): a
 * document without 'items' that is one such object goes to 'each' as the
 * only item; any other shape, and the strays, are errors with 'hint'
 * ("export nodes with ..."). 'top' may be NULL. */
void gp_imp_list_end(struct gp_arena *a, struct gp_diags *d,
                     const struct gp_import_src *src,
                     const struct gp_json *top, const char *kind,
                     const char *hint, gp_json_item_fn each, void *ctx,
                     const struct gp_imp_strays *strays);

#endif
