/* SPDX-License-Identifier: MIT */
/* import/import.h: inventories and GPU model files built from what a
 * cluster's users already have, exported to files (gpuplan stays offline):
 * 'kubectl get nodes/pods -o json', dcgm-exporter's Prometheus text and
 * 'nvidia-smi mig -lgip/-lgipp' and 'nvidia-smi -q'. docs/import.md
 * describes the mapping. Pure functions of the texts they are given: the
 * caller reads the files (and keeps them readable until the diagnostics are
 * printed, since diagnostics quote them). Every problem in every input is
 * reported at file:line:col; nothing is guessed silently: what the inputs
 * cannot tell is written as a placeholder with a 'FILL IN' comment and a
 * warning. */
#ifndef GPUPLAN_IMPORT_IMPORT_H
#define GPUPLAN_IMPORT_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gp_arena;
struct gp_catalog;
struct gp_diags;
struct gp_strbuf;

/* One input: its name as diagnostics show it, and its bytes (need not be
 * NUL-terminated). */
struct gp_import_src {
    const char *file;
    const char *text;
    size_t len;
};

/* Bounds on the inputs, documented in docs/import.md. */
#define GP_IMPORT_MAX_JSON_BYTES (4ull << 30)
#define GP_IMPORT_MAX_METRICS_BYTES (4ull << 30)
#define GP_IMPORT_MAX_SMI_BYTES (16u << 20)

struct gp_import_opts {
    const char *name;       /* metadata.name; NULL: "imported" */
    uint32_t headroom_pct;  /* added to measured memory peaks, 0..100 */
    bool skip_unusable;     /* leave out nodes that cannot be imported
                             * (unknown GPU, MIG layouts that differ between
                             * a node's GPUs) with a warning, instead of
                             * failing */
};

#define GP_IMPORT_DEFAULT_HEADROOM_PCT 10u

/* What an import produced, for the command's summary line. */
struct gp_import_summary {
    size_t pools, nodes, gpus, workloads, replicas;
};

/* Builds an Inventory document (docs/inventory.md) from 'kubectl get nodes
 * -o json' ('nodes'), optionally 'kubectl get pods -A -o json' ('pods', NULL
 * for node pools only) and dcgm-exporter scrapes ('dcgm', n_dcgm of them),
 * and appends it to 'out', with '#' comments saying where every value came
 * from and what the user must fill in. The result loads with
 * gp_inventory_parse() against 'cat' (checked before returning).
 * Deterministic: sorted by name, no clock, no host paths (files are named
 * by their base names).
 *
 * Returns 0; -1 with every error in 'd' ('out' is then unchanged); -2 when
 * the result failed its own check (a bug). OUT: *sum when not NULL. */
int gp_import_kubectl(struct gp_strbuf *out, struct gp_arena *a,
                      const struct gp_import_src *nodes,
                      const struct gp_import_src *pods,
                      const struct gp_import_src *dcgm, size_t n_dcgm,
                      const struct gp_import_opts *o,
                      const struct gp_catalog *cat,
                      struct gp_import_summary *sum, struct gp_diags *d);

/* Measured profile of one pod or one workload from dcgm-exporter scrapes.
 * Ratios are 0..1 (GPU utilisation too); a stat with n == 0 was not seen. */
struct gp_dcgm_stat {
    double max, sum;
    uint64_t n;
};

struct gp_dcgm_row {
    const char *ns, *name;
    const char *kind;        /* "Pod", or the owner kind with --pods */
    uint32_t pods;           /* pods with series */
    uint32_t scrapes;        /* distinct scrapes with samples */
    struct gp_dcgm_stat fb_mib, util, gr_active, sm_active, sm_occupancy,
        dram_active;
    bool shared;             /* a device that other pods used in the same
                              * scrape: device values, upper bounds */
    const char *mig_profile; /* GPU_I_PROFILE, or NULL */
};

struct gp_dcgm_report {
    struct gp_dcgm_row *rows; /* sorted by namespace, name */
    size_t n_rows;
    uint64_t samples;         /* sample lines of the metrics used */
    uint64_t unattributed;    /* of them, without a pod */
    uint32_t scrapes;
    size_t n_files;
    const char *missing[8];   /* metric families absent from every file */
    size_t n_missing;
};

/* Reads dcgm-exporter scrapes and summarises them per pod, or per workload
 * (owner) when 'pods' is given. Returns 0, or -1 with every error in 'd'.
 * OUT: *out, valid while 'a' lives. */
int gp_import_dcgm(struct gp_dcgm_report **out, struct gp_arena *a,
                   const struct gp_import_src *dcgm, size_t n_dcgm,
                   const struct gp_import_src *pods,
                   struct gp_diags *d);

struct gp_smi_opts {
    const char *id;                 /* model id; NULL: from the product */
    uint32_t sm_count;              /* 0: not given */
    double bandwidth_gbps;          /* 0: not given */
    const char *compute_capability; /* NULL: inferred where unambiguous */
};

/* Builds a GPU model file (docs/models.md) from 'nvidia-smi mig -lgip'
 * ('lgip'), 'nvidia-smi mig -lgipp' ('lgipp') and optionally 'nvidia-smi
 * -q' ('query', NULL when not given), appends it to 'out'. Values the
 * outputs do not print (SM count of the whole GPU, memory bandwidth) come
 * from 'o' or are written as marked placeholders with a warning. The result
 * loads with gp_model_parse() (checked before returning). 'cat' (may be
 * NULL) is asked whether the GPU is known already, to warn of a name clash.
 * Returns 0, or -1 with every error in 'd'. */
int gp_import_nvidia_smi(struct gp_strbuf *out, struct gp_arena *a,
                         const struct gp_import_src *lgip,
                         const struct gp_import_src *lgipp,
                         const struct gp_import_src *query,
                         const struct gp_smi_opts *o,
                         const struct gp_catalog *cat, struct gp_diags *d);

#endif
