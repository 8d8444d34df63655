/* SPDX-License-Identifier: MIT */
/* check/check.h: 'gpuplan check', a linter for proposed GPU-sharing configs.
 * It reads Kubernetes YAML as users keep it in git - ConfigMaps holding
 * NVIDIA device-plugin and mig-parted configs, the GPU Operator's
 * ClusterPolicy, Node objects and gpuplan's NodeLabels files, workloads and
 * workload patches - and reports, with a stable rule id and the position in
 * the user's file, every rule the real components apply
 * (shared/reference/config-formats.md) and what they accept but get wrong.
 * With an inventory it also checks the configs against the GPU models of the
 * nodes and the workloads that can land on them (memory, simulated targets,
 * isolation). The rules are listed in docs/check.md. No I/O besides reading
 * the named files; no printing. */
#ifndef GPUPLAN_CHECK_CHECK_H
#define GPUPLAN_CHECK_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"

struct gp_arena;
struct gp_catalog;
struct gp_inventory;

struct gp_check_rule {
    const char *id;         /* stable: tools and CI suppressions key on it */
    enum gp_severity sev;   /* GP_SEV_ERROR or GP_SEV_WARNING */
    const char *summary;    /* one line: what the rule finds */
    const char *source;     /* the component and file whose behaviour it
                             * mirrors, or "gpuplan" for our own rules */
};

/* Every rule, sorted by id. OUT: *n. */
const struct gp_check_rule *gp_check_rules(size_t *n);
/* The rule called 'id', or NULL. */
const struct gp_check_rule *gp_check_rule_find(const char *id);

struct gp_check_opts {
    const struct gp_catalog *cat;   /* required */
    const struct gp_inventory *inv; /* NULL: no inventory rules */
    bool engine_only;               /* every prediction by the event engine */
    uint64_t seed;                  /* of the event engine */
};

/* Checks 'files' together (a label in one may name a config in another).
 * Every finding is recorded in 'd' with its rule id; a finding that the same
 * config earns on many nodes is recorded once. Returns 0 when every file
 * could be read,
 * or -1 when one could not (missing, too large, or not YAML): those problems
 * are in 'd' too, and the other files are still checked. */
int gp_check_files(struct gp_arena *a, const char *const *files, size_t n,
                   const struct gp_check_opts *o, struct gp_diags *d);

/* A file's text already in memory; 'file' names it in diagnostics. */
struct gp_check_text {
    const char *file;
    const char *text;
    size_t len;
};

/* Same as gp_check_files, on texts in memory (tests, fuzzing). The texts
 * are copied into 'a'. */
int gp_check_texts(struct gp_arena *a, const struct gp_check_text *in,
                   size_t n, const struct gp_check_opts *o,
                   struct gp_diags *d);

#endif
