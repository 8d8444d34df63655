/* SPDX-License-Identifier: MIT */
/* emit/emit.h: the files 'gpuplan recommend -o DIR' writes to apply a plan
 * on a cluster run by the NVIDIA GPU Operator:
 *
 *   device-plugin-config.yaml  ConfigMap, one device-plugin config per group
 *   mig-parted-config.yaml     ConfigMap for mig-manager (key config.yaml)
 *   node-labels.yaml           the labels each group's nodes must carry
 *   label-nodes.sh             a POSIX sh script that sets those labels
 *   workload-patches.yaml      one strategic-merge patch per placement
 *
 * Every YAML byte goes through yaml/yemit.h. Output depends only on the
 * plan: everything is sorted, nothing names the host or the time. The rules
 * followed (replicas >= 2, no MPS under migStrategy mixed, label-value
 * syntax, mig-parted's profile spelling) are those of NVIDIA's device plugin
 * v0.20 and mig-parted v0.15. */
#ifndef GPUPLAN_EMIT_EMIT_H
#define GPUPLAN_EMIT_EMIT_H

#include <stdbool.h>
#include <stddef.h>

struct gp_diags;
struct gp_out_file;
struct gp_plan;
struct gp_strbuf;

#define GP_EMIT_NAMESPACE "gpu-operator"
#define GP_EMIT_DEVICE_PLUGIN_CONFIGMAP "gpuplan-device-plugin-config"
#define GP_EMIT_MIG_PARTED_CONFIGMAP "gpuplan-mig-parted-config"
/* The mig-parted config that non-MIG groups on MIG-capable GPUs select. */
#define GP_EMIT_MIG_ALL_DISABLED "all-disabled"

#define GP_EMIT_DEVICE_PLUGIN_FILE "device-plugin-config.yaml"
#define GP_EMIT_MIG_PARTED_FILE "mig-parted-config.yaml"
#define GP_EMIT_NODE_LABELS_FILE "node-labels.yaml"
#define GP_EMIT_LABEL_SCRIPT_FILE "label-nodes.sh"
#define GP_EMIT_WORKLOAD_PATCHES_FILE "workload-patches.yaml"

/* The names gp_emit_plan_files() writes, NULL-terminated, in write order. */
extern const char *const gp_emit_files[];

/* Renders every file in memory, then (only if all rendered) writes them and
 * the caller's 'extra' files (plan.txt, plan.json) into 'dir' as one unit
 * (gp_files_write_atomic: 'dir' is created when missing, and afterwards
 * holds every new file or, on failure, what it held before). Returns 0
 * (warnings allowed), or -1 with errors in 'd': a plan the emitter refuses
 * (a group name that is not a label value, replicas below 2, ...) writes
 * nothing. */
int gp_emit_plan_files(const struct gp_plan *p, const char *dir,
                       const struct gp_out_file *extra, size_t n_extra,
                       struct gp_diags *d);

/* The renderers, for tests. Each appends one file's text to 'out' and
 * returns 0, or -1 with errors in 'd' (then 'out' holds nothing usable). */
int gp_emit_device_plugin(struct gp_strbuf *out, const struct gp_plan *p,
                          struct gp_diags *d);
int gp_emit_mig_parted(struct gp_strbuf *out, const struct gp_plan *p,
                       struct gp_diags *d);
int gp_emit_node_labels(struct gp_strbuf *out, const struct gp_plan *p,
                        struct gp_diags *d);
int gp_emit_label_script(struct gp_strbuf *out, const struct gp_plan *p,
                         struct gp_diags *d);
int gp_emit_workload_patches(struct gp_strbuf *out, const struct gp_plan *p,
                             struct gp_diags *d);

/* True when 's' is usable as a ConfigMap key and as a node label value:
 * 1 to 63 characters of [A-Za-z0-9-_.], alphanumeric at both ends. */
bool gp_emit_label_value_ok(const char *s);

#endif
