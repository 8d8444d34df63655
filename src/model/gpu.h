/* SPDX-License-Identifier: MIT */
/* model/gpu.h: the GPU catalogue. Plain, read-only data once loaded: GPU
 * models with the names they go by, and for MIG-capable models every GPU
 * instance profile with its placements. Loaded from models/ files (built in)
 * and from a user directory given with --models. */
#ifndef GPUPLAN_MODEL_GPU_H
#define GPUPLAN_MODEL_GPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"

struct gp_arena;

#define GP_MIG_MAX_SLICES 16
#define GP_MIG_MAX_PROFILES 32

enum gp_confidence {
    GP_CONF_OBSERVED,
    GP_CONF_DOCUMENTED,
    GP_CONF_INFERRED,
    GP_CONF_ESTIMATED,
};

struct gp_engines {
    uint32_t ce, dec, enc, jpeg, ofa;
};

struct gp_mig_profile {
    uint32_t id;                /* NVIDIA GI profile id (nvidia-smi -lgip) */
    const char *name;           /* "1g.10gb+me" */
    const char *attr;           /* "", "+me", "+me.all", "+gfx" or "-me" */
    uint64_t memory_mib;
    uint32_t memory_slices;     /* placement size */
    uint32_t compute_slices;
    uint32_t sm_count;
    struct gp_engines engines;
    uint32_t max_count;
    uint32_t starts[GP_MIG_MAX_SLICES]; /* allowed start slices, ascending */
    uint32_t n_starts;
    const char *min_driver;     /* "R525" or NULL */
    enum gp_confidence confidence;
    const char *note;
    struct gp_loc loc;
};

struct gp_mig_spec {
    uint32_t memory_slices;
    uint32_t compute_slices;
    uint32_t max_instances;
    uint32_t sm_count;
    struct gp_engines budget;
    const char *driver_observed;
    enum gp_confidence placements_confidence;
    const struct gp_mig_profile *profiles;
    size_t n_profiles;
};

struct gp_source_ref {
    const char *id;
    const char *cite;
};

struct gp_strlist {
    const char **v;
    size_t n;
};

struct gp_gpu_model {
    const char *id;
    const char *display_name;
    const char *architecture;
    const char *compute_capability;
    uint64_t memory_mib;
    uint32_t sm_count;
    double memory_bandwidth_gbps;
    struct gp_strlist nvidia_smi, gfd_product, pci_ids, aliases;
    const struct gp_source_ref *sources;
    size_t n_sources;
    const struct gp_mig_spec *mig; /* NULL when the GPU has no MIG */
    const char *file;
    bool builtin;
    struct gp_loc loc;
};

struct gp_catalog {
    const struct gp_gpu_model **v; /* sorted by id */
    size_t n;
};

/* Loads the built-in catalogue, then every *.yaml in 'user_dir' (may be
 * NULL); a user model replaces a built-in one with the same id. Every problem
 * in every file is reported. OUT: *out, valid while 'a' lives. */
int gp_catalog_load(struct gp_catalog **out, struct gp_arena *a,
                    const char *user_dir, struct gp_diags *d);

/* Reports any name (id, alias, nvidia-smi name, product label, PCI id) that
 * resolves to two models. Returns 0, or -1 with errors in 'd'. */
int gp_catalog_check_names(const struct gp_catalog *c, struct gp_diags *d);

/* Loads one model file's text (used by tests and by the loader). */
int gp_model_parse(const struct gp_gpu_model **out, struct gp_arena *a,
                   const char *file, const char *text, size_t len,
                   struct gp_diags *d);

/* Resolves any name a model goes by, case-insensitively: id, alias,
 * nvidia-smi name, GPU feature discovery product label (also with the
 * "-SHARED" and "-MIG-<profile>" suffixes GFD adds) and PCI device id. */
const struct gp_gpu_model *gp_catalog_find(const struct gp_catalog *c,
                                           const char *name);
/* The closest known name, for "did you mean", or NULL. */
const char *gp_catalog_suggest(const struct gp_catalog *c, const char *name);

/* The profile called 'name' ("3g.40gb", also "MIG 3g.40gb" and the
 * Kubernetes resource spelling "3g.40gb.me" or "mig-3g.40gb"), or NULL. */
const struct gp_mig_profile *gp_mig_find_profile(const struct gp_mig_spec *m,
                                                 const char *name);
/* For a profile name this model lacks, the profile a user most likely meant
 * (same compute slices and suffix: '2g.10gb' on an 80GB card gives
 * '2g.20gb'), or NULL. */
const struct gp_mig_profile *gp_mig_suggest_profile(const struct gp_mig_spec *m,
                                                    const char *name);

const char *gp_confidence_name(enum gp_confidence c);

/* True when the model's compute capability is at least major.minor (false
 * when unknown). Compares numbers: "10.0" is above "7.5". */
bool gp_model_cc_at_least(const struct gp_gpu_model *m, unsigned major,
                          unsigned minor);

#endif
