/* SPDX-License-Identifier: MIT */
/* check/check_int.h: what the files of src/check/ share and nothing else
 * includes. The checker runs in passes over one 'struct ck':
 *
 *   load.c       reads the files, sorts documents by kind, parses the
 *                configs embedded in ConfigMap strings (positions mapped
 *                back to the user's file)
 *   devplugin.c  device-plugin configs, alone        (dp-*)
 *   migparted.c  mig-parted configs, alone           (mig-*)
 *   cluster.c    ClusterPolicy, node labels, what each node runs and
 *                advertises                          (cp-*, label-*, node-*)
 *   fit.c        with an inventory: the workloads that can land on each
 *                node against memory, targets and isolation (inv-*, pod-*)
 *
 * Each pass only reads what earlier passes built. Findings go through
 * ck_report(), which takes the severity from the rule table (rules.c), maps
 * positions out of embedded documents and drops exact repeats (a config used
 * by many nodes reports a problem once). */
#ifndef GPUPLAN_CHECK_CHECK_INT_H
#define GPUPLAN_CHECK_CHECK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/check.h"
#include "inventory/inventory.h"
#include "mig/geometry.h"
#include "model/gpu.h"
#include "yaml/ydoc.h"

/* GPUs per node the checker models; the inventory allows no more. */
#define CK_MAX_GPUS 16u

/* A growable array of pointers, allocated from the run's arena. */
struct ck_vec {
    void **v;
    size_t n, cap;
};

void ck_vec_push(struct gp_arena *a, struct ck_vec *v, void *item);

/* Where the nodes of a document come from: a file, and when the document is
 * a config embedded in a ConfigMap string, that string's node in the file. */
struct ck_src {
    const char *file;
    const char *text;
    size_t len;
    const struct gp_ynode *host; /* NULL: the nodes are the file's own */
    const struct gp_ylocator *at; /* positions inside host, indexed once */
};

struct ck_label {
    const char *key, *value;
    const struct gp_ynode *node; /* the value, for findings; may be NULL */
};

/* ---- device-plugin configs (devplugin.c) --------------------------------- */

enum ck_share { CK_SHARE_NONE, CK_SHARE_TS, CK_SHARE_MPS };

struct ck_dp_res {
    const char *name;             /* fully qualified: nvidia.com/... */
    uint32_t replicas;
    const struct gp_ynode *node;  /* the resources[] entry */
    const struct gp_ynode *replicas_node;
};

/* Flags the GPU Operator overrides with environment variables. */
struct ck_dp_flag {
    const char *name;
    const struct gp_ynode *node;
};

struct ck_dp {
    const char *key;              /* ConfigMap key; NULL for a bare file */
    const char *cm;               /* ConfigMap name, or NULL */
    struct ck_src src;            /* of the config's own nodes */
    struct ck_src outer;          /* of key_node */
    const struct gp_ynode *key_node; /* ConfigMap key, or the document */
    const struct gp_ynode *root;
    bool bare;                    /* a file of its own, not in a ConfigMap */
    bool ok;                      /* the plugin would load it */
    const char *mig_strategy;     /* flags.migStrategy; NULL: not set */
    const struct gp_ynode *mig_strategy_node;
    enum ck_share share;          /* what the plugin runs (MPS wins) */
    const struct gp_ynode *share_node;
    bool rename_by_default;
    bool fail_gt_one;             /* effective failRequestsGreaterThanOne */
    struct ck_dp_res *res;        /* of the effective sharing block */
    size_t n_res;
    struct ck_dp_flag over[8];
    size_t n_over;
};

/* ---- mig-parted configs (migparted.c) ------------------------------------ */

struct ck_mig_prof {
    const char *name;             /* as written */
    const struct gp_ynode *key, *value;
    long long count;
    bool parsed;                  /* go-nvlib's grammar accepts it */
    int c, g, gb;
    const char *attr;             /* "", "+me", "-me", "+me.all", ... */
};

struct ck_mig_item {
    bool ok;
    bool all;                     /* devices: all */
    long long *idx;
    const struct gp_ynode **idx_node;
    size_t n_idx;
    const struct gp_ynode *devices_node;
    bool has_filter;
    uint32_t *filter;             /* valid PCI ids (device << 16 | vendor) */
    size_t n_filter;
    bool enabled;
    const struct gp_ynode *enabled_node;
    struct ck_mig_prof *prof;
    size_t n_prof;
    bool prof_ok;                 /* mig-devices and mig-enabled parse */
    const struct gp_ynode *mig_devices_node;
    bool balanced;                /* the GPU Operator's all-balanced */
    bool opaque;                  /* a default config whose instances
                                   * depend on a GPU model not known */
};

struct ck_mig {
    const char *name;
    const char *cm;               /* ConfigMap name, or NULL */
    struct ck_src src;
    const struct gp_ynode *key;   /* the name in mig-configs */
    struct ck_mig_item *items;
    size_t n_items;
    bool ok;
};

/* ---- cluster objects (load.c, cluster.c) --------------------------------- */

struct ck_cm {                    /* a ConfigMap as read */
    const char *name;
    struct ck_src src;
    const struct gp_ynode *node;
    const struct gp_ynode *data;  /* mapping, or NULL */
    bool dp, mig;                 /* what it holds, once classified */
};

struct ck_policy {
    struct ck_src src;
    const struct gp_ynode *dp_cm, *dp_default, *mig_cm, *mig_default,
        *strategy;
    const char *strategy_value;   /* effective: "single" when not given */
};

/* What one physical GPU of a node runs. */
struct ck_gpu {
    bool mig;
    bool balanced;                /* several profiles (all-balanced) */
    bool opaque;                  /* instances not known: judge nothing */
    const struct gp_mig_profile *prof[GP_MIG_MAX_SLICES];
    const struct ck_mig_prof *src[GP_MIG_MAX_SLICES];
    uint32_t n;
};

/* A resource a node advertises, per physical device kind. */
struct ck_domain {
    const char *resource;
    const struct gp_mig_profile *mig; /* NULL: a whole GPU */
    enum ck_share share;
    uint32_t replicas;            /* 1 when not shared */
    uint32_t devices;             /* physical devices per node */
    bool fail_gt_one;
    const struct ck_dp_res *res;  /* the sharing entry, when shared */
    const struct ck_mig_prof *prof; /* MIG: the profile that makes it */
};

enum ck_target_kind { CK_TARGET_NODE, CK_TARGET_GROUP, CK_TARGET_POOL };

/* A set of nodes that carry the same labels: a Node object, a NodeLabels
 * group, or the rest of an inventory pool. */
struct ck_target {
    enum ck_target_kind kind;
    const char *name;
    struct ck_src src;
    const struct gp_ynode *node;
    struct ck_label *labels;
    size_t n_labels;
    const struct gp_ynode *dp_label, *mig_label;
    uint32_t nodes;
    const struct gp_gpu_model *model;
    uint32_t gpus;                /* per node; 0: unknown */
    const struct gp_node_pool *pool;
    const struct gp_ynode *pool_node;
    /* resolved by cluster.c */
    const struct ck_dp *dp;
    const struct ck_mig *mig;
    const char *strategy;
    struct ck_gpu gpu[CK_MAX_GPUS];
    uint32_t n_gpu;
    struct ck_domain *dom;
    size_t n_dom;
    const char *product;          /* nvidia.com/gpu.product as GFD sets it */
    bool unknown;                 /* its configs are not among the inputs:
                                   * what it advertises is not known */
};

struct ck_req {
    const char *resource;
    long long count;
    const struct gp_ynode *node;  /* the limit's value */
};

/* A pod template: a workload object, a Pod, or a patch of one. */
struct ck_pod {
    const char *kind;             /* "Deployment", ..., or "patch" */
    const char *name, *ns;
    struct ck_src src;
    struct ck_label *sel;         /* nodeSelector */
    size_t n_sel;
    struct ck_req *req;
    size_t n_req;
    const char **containers;
    size_t n_containers;
};

struct ck {
    struct gp_arena *a;
    struct gp_diags *d;
    const struct gp_check_opts *o;
    struct ck_vec cms;            /* struct ck_cm */
    struct ck_vec dps;            /* struct ck_dp */
    struct ck_vec migs;           /* struct ck_mig */
    struct ck_vec targets;        /* struct ck_target */
    struct ck_vec pods;           /* struct ck_pod */
    const struct ck_policy *policy; /* the first ClusterPolicy, or NULL:
                                     * a cluster runs one */
    /* ck_report's record of what it reported, to drop repeats */
    uint64_t *seen;
    size_t n_seen, cap_seen;
    bool last_dropped;
    /* Bounds on the configs embedded in ConfigMap strings, for the whole
     * run (docs/limits.md): how many are parsed, and their YAML nodes. */
    size_t n_embedded;
    struct gp_ybudget embedded_nodes;
};

/* Configs embedded in ConfigMaps that one run parses, and the YAML nodes
 * they hold in all. */
#define CK_MAX_EMBEDDED 10000u
#define CK_MAX_EMBEDDED_NODES 500000u

/* ---- rules.c: reporting and YAML-as-JSON typing -------------------------- */

/* The location of 'at' in the user's file. */
struct gp_loc ck_loc(const struct ck_src *s, const struct gp_ynode *at);
struct gp_loc ck_map_loc(const struct ck_src *s, struct gp_loc inner);

/* Records a finding of 'rule' at 'at' (NULL: the whole file). Returns -1
 * for an error, 0 for a warning. A finding identical to one already
 * reported is dropped, and so is a hint that follows it. */
int ck_report(struct ck *ck, const struct ck_src *s, const struct gp_ynode *at,
              const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int ck_report_loc(struct ck *ck, struct gp_loc at, const char *rule,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void ck_hint(struct ck *ck, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The JSON types sigs.k8s.io/yaml turns a YAML node into (YAML 1.1 scalars:
 * yes/no/on/off are booleans, 0x1F is a number). */
enum ck_jtype { CK_JNULL, CK_JBOOL, CK_JINT, CK_JFLOAT, CK_JSTRING,
                CK_JOBJECT, CK_JARRAY };

enum ck_jtype ck_jtype(const struct gp_ynode *n);
/* encoding/json's word for it in "cannot unmarshal X into ...": "string",
 * "number", "number 2.5", "bool", "array", "object". */
const char *ck_jword(struct ck *ck, const struct gp_ynode *n);
bool ck_jint(const struct gp_ynode *n, long long *out);
bool ck_jbool(const struct gp_ynode *n, bool *out);
/* The scalar as JSON text ("true" for yes), for messages that print it. */
const char *ck_jtext(const struct gp_ynode *n);

/* A key of a mapping, exactly or (encoding/json's rule for plain struct
 * fields) ignoring ASCII case. NULL when absent. */
const struct gp_ypair *ck_key(const struct gp_ynode *map, const char *key,
                              bool fold_case);

/* Parses a mig-parted / go-nvlib profile name. Returns NULL when valid,
 * else go-nvlib's error text. */
const char *ck_parse_profile(struct ck *ck, const char *s, int *c, int *g,
                             int *gb, const char **attr);
/* The catalogue profile of 'm' that a parsed profile names, or NULL. */
const struct gp_mig_profile *ck_match_profile(struct ck *ck,
                                              const struct gp_gpu_model *m,
                                              const struct ck_mig_prof *p);
/* Go's strconv.ParseUint(s, 0, 32). */
bool ck_parse_pci(const char *s, uint32_t *out);
/* Whether model m has PCI id 'id' (device << 16 | vendor). */
bool ck_model_has_pci(const struct gp_gpu_model *m, uint32_t id);
/* The resource name a profile gets under the mixed strategy. */
const char *ck_mig_resource(struct ck *ck, const char *profile);

/* ---- the passes ---------------------------------------------------------- */

int ck_load(struct ck *ck, const char *const *files, size_t n);
int ck_load_texts(struct ck *ck, const struct gp_check_text *in, size_t n);
void ck_check_dp(struct ck *ck, struct ck_dp *dp);
bool ck_mig_layout(struct ck *ck, const struct ck_mig *m,
                   const struct ck_mig_item *it,
                   const struct gp_gpu_model *model, struct ck_gpu *out);
int ck_parse_mig_doc(struct ck *ck, const char *cm, const struct ck_src *s,
                     const struct gp_ynode *root);
void ck_cluster(struct ck *ck);
/* "node 'x'", "node group 'x'" or "the other nodes of pool 'x'". */
const char *ck_target_what(struct ck *ck, const struct ck_target *t);
void ck_fit(struct ck *ck);

#endif
