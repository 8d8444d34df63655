/* SPDX-License-Identifier: MIT */
/* emit/emit.c: renders a plan as the files that apply it (see emit.h).
 * Every renderer first checks the plan against the rules the NVIDIA
 * components enforce, so a planner bug becomes an error here instead of a
 * ConfigMap the device plugin rejects at 3 a.m. */
#include "emit/emit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/fs.h"
#include "base/str.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "plan/plan.h"
#include "yaml/yemit.h"

#define DP_LABEL "nvidia.com/device-plugin.config"
#define MIG_LABEL "nvidia.com/mig.config"
#define GFD_PRODUCT_LABEL "nvidia.com/gpu.product"
#define WHOLE_GPU "nvidia.com/gpu"

const char *const gp_emit_files[] = {
    GP_EMIT_DEVICE_PLUGIN_FILE, GP_EMIT_MIG_PARTED_FILE,
    GP_EMIT_NODE_LABELS_FILE, GP_EMIT_LABEL_SCRIPT_FILE,
    GP_EMIT_WORKLOAD_PATCHES_FILE, NULL,
};

static const struct gp_loc no_loc = {NULL, 0, 0, 0};

/* Kubernetes' rule (base/str), less the empty value it allows: a group's
 * label value names the group. */
bool
gp_emit_label_value_ok(const char *s)
{
    const char *why;

    return s && *s && gp_k8s_label_value(s, &why);
}

/* ---- checking the plan ---------------------------------------------- */

static struct gp_loc
group_loc(const struct gp_plan_group *g)
{
    return g->pool ? g->pool->loc : no_loc;
}

static const char *
ns_of(const struct gp_workload *w)
{
    return w->namespace_ ? w->namespace_ : "default";
}

static uint32_t
mps_max_clients(const struct gp_gpu_model *m)
{
    /* The device plugin's cap (it calls the test isAtLeastVolta but
     * compares against 7.5). */
    return gp_model_cc_at_least(m, 7, 5) ? 48 : 16;
}

static int
check_layouts(const struct gp_plan_group *g, struct gp_diags *d)
{
    uint32_t i, k;

    if (!g->pool->gpu->mig)
        return gp_error_at(d, group_loc(g),
                           "node group '%s' uses MIG on %s, which has no MIG",
                           g->name, g->pool->gpu->id);
    if (!g->layouts || g->pool->gpus_per_node == 0)
        return gp_error_at(d, group_loc(g),
                           "node group '%s' uses MIG but has no layouts",
                           g->name);
    if (strcmp(g->name, GP_EMIT_MIG_ALL_DISABLED) == 0)
        return gp_error_at(d, group_loc(g),
                           "MIG node group '%s' clashes with the mig-parted "
                           "config of the same name", g->name);
    for (i = 0; i < g->pool->gpus_per_node; i++) {
        const struct gp_mig_layout *l = &g->layouts[i];

        if (l->n > GP_MIG_MAX_SLICES)
            return gp_error_at(d, group_loc(g),
                               "node group '%s': GPU %u has %u MIG instances",
                               g->name, i, l->n);
        for (k = 0; k < l->n; k++)
            if (!l->inst[k].profile || !l->inst[k].profile->name)
                return gp_error_at(d, group_loc(g),
                                   "node group '%s': GPU %u has a MIG "
                                   "instance without a profile", g->name, i);
    }
    return 0;
}

static int
check_assigns(const struct gp_plan_group *g, struct gp_diags *d)
{
    size_t i;
    const char *why = NULL;

    for (i = 0; i < g->n_assigns; i++) {
        const struct gp_plan_assign *as = &g->assigns[i];

        if (!as->w || !as->w->name)
            return gp_error_at(d, group_loc(g), "node group '%s' has a "
                               "placement without a workload", g->name);
        if (!as->resource || !gp_k8s_label_key(as->resource, &why))
            return gp_error_at(d, as->w->loc,
                               "workload '%s' in node group '%s' has an "
                               "invalid resource name '%s'", as->w->name,
                               g->name, as->resource ? as->resource : "");
    }
    return 0;
}

static int
check_group(const struct gp_plan_group *g, struct gp_diags *d)
{
    if (!g->name || !gp_emit_label_value_ok(g->name)) {
        gp_error_at(d, group_loc(g),
                    "node group name '%s' is not a valid label value",
                    g->name ? g->name : "");
        gp_diag_hint(d, "a label value has 1 to 63 characters of "
                        "[A-Za-z0-9-_.] and starts and ends with a letter "
                        "or digit (a shorter pool name helps)");
        return -1;
    }
    if (!g->pool || !g->pool->name || !g->pool->gpu)
        return gp_error_at(d, no_loc, "node group '%s' has no node pool",
                           g->name);
    switch (g->mode) {
    case GP_PLAN_EXCLUSIVE:
        return check_assigns(g, d);
    case GP_PLAN_TIME_SLICING:
    case GP_PLAN_MPS:
        if (g->replicas < 2)
            return gp_error_at(d, group_loc(g),
                               "node group '%s' shares each GPU %u way%s; "
                               "the device plugin needs at least 2",
                               g->name, g->replicas,
                               g->replicas == 1 ? "" : "s");
        if (g->mode == GP_PLAN_MPS &&
            g->replicas > mps_max_clients(g->pool->gpu))
            return gp_error_at(d, group_loc(g),
                               "node group '%s' has %u MPS clients per GPU; "
                               "the device plugin allows at most %u on %s",
                               g->name, g->replicas,
                               mps_max_clients(g->pool->gpu),
                               g->pool->gpu->id);
        return check_assigns(g, d);
    case GP_PLAN_MIG: {
        size_t i;

        if (check_layouts(g, d) < 0)
            return -1;
        for (i = 0; i < g->n_mig_shares; i++)
            if (g->mig_shares[i].replicas < 2 ||
                !g->mig_shares[i].resource)
                return gp_error_at(d, group_loc(g),
                                   "node group '%s' time-slices a MIG "
                                   "profile %u ways; the device plugin "
                                   "needs at least 2",
                                   g->name, g->mig_shares[i].replicas);
        return check_assigns(g, d);
    }
    }
    return gp_error_at(d, group_loc(g), "node group '%s' has an unknown "
                       "sharing mode", g->name);
}

static int
cmp_group_name(const void *a, const void *b)
{
    const struct gp_plan_group *const *x = a, *const *y = b;

    return strcmp((*x)->name, (*y)->name);
}

static int
cmp_group_pool(const void *a, const void *b)
{
    const struct gp_plan_group *const *x = a, *const *y = b;
    int c = strcmp((*x)->pool->name, (*y)->pool->name);

    return c ? c : strcmp((*x)->name, (*y)->name);
}

/* The groups in a fixed order; the caller frees the array. */
static const struct gp_plan_group **
sorted_groups(const struct gp_plan *p, int (*cmp)(const void *, const void *))
{
    const struct gp_plan_group **v = gp_xcalloc(p->n_groups, sizeof(*v));
    size_t i;

    for (i = 0; i < p->n_groups; i++)
        v[i] = &p->groups[i];
    if (p->n_groups > 1)
        qsort(v, p->n_groups, sizeof(*v), cmp);
    return v;
}

static int
check_plan(const struct gp_plan *p, struct gp_diags *d)
{
    const struct gp_plan_group **v;
    size_t i;
    int rc = 0;

    for (i = 0; i < p->n_groups; i++)
        if (check_group(&p->groups[i], d) < 0)
            rc = -1;
    if (rc < 0)
        return rc;
    /* Group names are ConfigMap keys: a duplicate would silently drop a
     * config. */
    v = sorted_groups(p, cmp_group_name);
    for (i = 1; i < p->n_groups; i++)
        if (strcmp(v[i - 1]->name, v[i]->name) == 0)
            rc = gp_error_at(d, group_loc(v[i]),
                             "two node groups are named '%s'", v[i]->name);
    free(v);
    return rc;
}

static int
render_failed(struct gp_diags *d, const char *file)
{
    return gp_error_at(d, no_loc, "internal error: the YAML emitter "
                       "rejected %s (a bug in gpuplan)", file);
}

/* ---- shared text ---------------------------------------------------- */

static void
describe_group(struct gp_strbuf *sb, const struct gp_plan_group *g)
{
    gp_strbuf_printf(sb, "node group %s: pool %s, %u node%s, ", g->name,
                     g->pool->name, g->nodes, g->nodes == 1 ? "" : "s");
    switch (g->mode) {
    case GP_PLAN_EXCLUSIVE:
        gp_strbuf_puts(sb, "one pod per GPU");
        break;
    case GP_PLAN_TIME_SLICING:
        gp_strbuf_printf(sb, "time-slicing, %u pods per GPU", g->replicas);
        break;
    case GP_PLAN_MPS:
        gp_strbuf_printf(sb, "MPS, %u clients per GPU", g->replicas);
        if (g->tenant)
            gp_strbuf_printf(sb, ", tenant %s only", g->tenant);
        break;
    case GP_PLAN_MIG: {
        size_t i;

        gp_strbuf_printf(sb, "MIG, mig-parted config %s", g->name);
        for (i = 0; i < g->n_mig_shares; i++)
            gp_strbuf_printf(sb, "%s %s time-sliced, %u pods per instance",
                             i ? ";" : ",", g->mig_shares[i].profile->name,
                             g->mig_shares[i].replicas);
        break;
    }
    }
}

static bool
has_mode(const struct gp_plan *p, enum gp_plan_mode m)
{
    size_t i;

    for (i = 0; i < p->n_groups; i++)
        if (p->groups[i].mode == m)
            return true;
    return false;
}

static void
configmap_head(struct gp_yemit *e, const char *name)
{
    gp_yemit_kv_str(e, "apiVersion", "v1");
    gp_yemit_kv_str(e, "kind", "ConfigMap");
    gp_yemit_str(e, "metadata");
    gp_yemit_map_start(e, false);
    gp_yemit_kv_str(e, "name", name);
    gp_yemit_kv_str(e, "namespace", GP_EMIT_NAMESPACE);
    gp_yemit_str(e, "labels");
    gp_yemit_map_start(e, false);
    gp_yemit_kv_str(e, "app.kubernetes.io/managed-by", "gpuplan");
    gp_yemit_map_end(e);
    gp_yemit_map_end(e);
}

/* ---- device-plugin-config.yaml --------------------------------------- */

static void
dp_sharing(struct gp_yemit *e, const struct gp_plan_group *g)
{
    gp_yemit_str(e, "sharing");
    gp_yemit_map_start(e, false);
    gp_yemit_str(e, g->mode == GP_PLAN_MPS ? "mps" : "timeSlicing");
    gp_yemit_map_start(e, false);
    /* Time-slicing would otherwise hand a pod asking for 2 replicas two
     * slices of possibly the same GPU; MPS defaults to true, said here so
     * that the file does not depend on a default. */
    gp_yemit_kv_bool(e, "failRequestsGreaterThanOne", true);
    gp_yemit_str(e, "resources");
    gp_yemit_seq_start(e, false);
    if (g->mode == GP_PLAN_MIG) {
        size_t i;

        /* one entry per time-sliced profile, in name order */
        for (i = 0; i < g->n_mig_shares; i++) {
            gp_yemit_map_start(e, false);
            gp_yemit_kv_str(e, "name", g->mig_shares[i].resource);
            gp_yemit_kv_int(e, "replicas", g->mig_shares[i].replicas);
            gp_yemit_map_end(e);
        }
    } else {
        gp_yemit_map_start(e, false);
        gp_yemit_kv_str(e, "name", WHOLE_GPU);
        gp_yemit_kv_int(e, "replicas", g->replicas);
        gp_yemit_map_end(e);
    }
    gp_yemit_seq_end(e);
    gp_yemit_map_end(e);
    gp_yemit_map_end(e);
}

/* One group's config file (api/config/v1), embedded in the ConfigMap. */
static int
dp_file(struct gp_strbuf *out, const struct gp_plan_group *g)
{
    struct gp_yemit *e = gp_yemit_new(out);
    struct gp_strbuf c = GP_STRBUF_INIT;

    describe_group(&c, g);
    gp_yemit_comment(e, c.buf);
    gp_strbuf_release(&c);
    gp_yemit_doc_start(e);
    gp_yemit_map_start(e, false);
    gp_yemit_kv_str(e, "version", "v1");
    gp_yemit_str(e, "flags");
    gp_yemit_map_start(e, false);
    /* MPS refuses mixed; full-GPU groups expose only nvidia.com/gpu. */
    gp_yemit_kv_str(e, "migStrategy",
                    g->mode == GP_PLAN_MIG ? "mixed" : "none");
    gp_yemit_map_end(e);
    if (g->mode == GP_PLAN_TIME_SLICING || g->mode == GP_PLAN_MPS ||
        (g->mode == GP_PLAN_MIG && g->n_mig_shares))
        dp_sharing(e, g);
    gp_yemit_map_end(e);
    gp_yemit_doc_end(e);
    return gp_yemit_free(e);
}

static const char dp_comment[] =
    "device-plugin-config.yaml: generated by gpuplan recommend.\n"
    "One NVIDIA device-plugin config per node group (the key is the group's "
    "name).\n"
    "\n"
    "  kubectl apply -f device-plugin-config.yaml\n"
    "  ClusterPolicy: spec.devicePlugin.config.name: "
    GP_EMIT_DEVICE_PLUGIN_CONFIGMAP "\n"
    "  each node: label " DP_LABEL "=<key> (label-nodes.sh sets it)\n"
    "\n"
    "A node without the label runs without a config (one pod per GPU).";

static const char dp_mig_comment[] =
    "\n"
    "The GPU Operator overrides flags.migStrategy with ClusterPolicy\n"
    "spec.mig.strategy (default single): set it to mixed, or the MIG groups'\n"
    "resources (nvidia.com/mig-<profile>) are not advertised.";

static const char dp_mig_mps_comment[] =
    "\n"
    "WARNING: this plan has MPS and MIG groups. Under one ClusterPolicy the\n"
    "device plugin gets the same migStrategy everywhere, and it refuses MPS\n"
    "with mixed ('using --mig-strategy=mixed is not supported with MPS').\n"
    "Run the MPS groups with a separately configured device plugin.";

static int
render_device_plugin(struct gp_strbuf *out, const struct gp_plan *p)
{
    const struct gp_plan_group **v = sorted_groups(p, cmp_group_name);
    struct gp_yemit *e = gp_yemit_new(out);
    struct gp_strbuf file = GP_STRBUF_INIT;
    int rc = 0;
    size_t i;

    gp_yemit_comment(e, dp_comment);
    if (has_mode(p, GP_PLAN_MIG))
        gp_yemit_comment(e, dp_mig_comment);
    if (has_mode(p, GP_PLAN_MIG) && has_mode(p, GP_PLAN_MPS))
        gp_yemit_comment(e, dp_mig_mps_comment);
    gp_yemit_doc_start(e);
    gp_yemit_map_start(e, false);
    configmap_head(e, GP_EMIT_DEVICE_PLUGIN_CONFIGMAP);
    gp_yemit_str(e, "data");
    gp_yemit_map_start(e, false);
    for (i = 0; i < p->n_groups; i++) {
        gp_strbuf_reset(&file);
        if (dp_file(&file, v[i]) < 0)
            rc = -1;
        gp_yemit_str(e, v[i]->name);
        gp_yemit_block(e, file.buf);
    }
    gp_yemit_map_end(e);
    gp_yemit_map_end(e);
    gp_yemit_doc_end(e);
    if (gp_yemit_free(e) < 0)
        rc = -1;
    gp_strbuf_release(&file);
    free(v);
    return rc;
}

/* ---- mig-parted-config.yaml ------------------------------------------ */

/* What mig-parted sees of one GPU's layout: instances per profile (it picks
 * placements itself), by profile name. */
struct mig_counts {
    const struct gp_mig_profile *prof[GP_MIG_MAX_SLICES];
    uint32_t n[GP_MIG_MAX_SLICES];
    size_t len;
};

/* GPUs of a node that share one layout: one mig-parted list item. */
struct mig_item {
    struct mig_counts c;
    uint32_t *gpus;
    size_t n_gpus;
};

static void
layout_counts(struct mig_counts *out, const struct gp_mig_layout *l)
{
    uint32_t k;
    size_t j;

    memset(out, 0, sizeof(*out));
    for (k = 0; k < l->n; k++) {
        const struct gp_mig_profile *pr = l->inst[k].profile;

        /* insertion by name keeps the keys sorted */
        for (j = 0; j < out->len && strcmp(out->prof[j]->name, pr->name) < 0;
             j++)
            ;
        if (j < out->len && strcmp(out->prof[j]->name, pr->name) == 0) {
            out->n[j]++;
            continue;
        }
        memmove(&out->prof[j + 1], &out->prof[j],
                (out->len - j) * sizeof(out->prof[0]));
        memmove(&out->n[j + 1], &out->n[j],
                (out->len - j) * sizeof(out->n[0]));
        out->prof[j] = pr;
        out->n[j] = 1;
        out->len++;
    }
}

static bool
counts_equal(const struct mig_counts *a, const struct mig_counts *b)
{
    size_t j;

    if (a->len != b->len)
        return false;
    for (j = 0; j < a->len; j++)
        if (strcmp(a->prof[j]->name, b->prof[j]->name) != 0 ||
            a->n[j] != b->n[j])
            return false;
    return true;
}

/* Groups the GPU indices of a node by layout, in order of first index.
 * OUT: items (room for gpus_per_node, each with room for as many GPUs).
 * Returns the number of items. */
static size_t
mig_items(struct mig_item *items, uint32_t *gpus,
          const struct gp_plan_group *g)
{
    uint32_t n_gpu = g->pool->gpus_per_node, i;
    size_t n = 0, j;

    for (i = 0; i < n_gpu; i++) {
        struct mig_counts c;

        layout_counts(&c, &g->layouts[i]);
        for (j = 0; j < n && !counts_equal(&items[j].c, &c); j++)
            ;
        if (j == n) {
            items[n].c = c;
            items[n].gpus = gpus + (size_t)i * n_gpu;
            items[n].n_gpus = 0;
            n++;
        }
        items[j].gpus[items[j].n_gpus++] = i;
    }
    return n;
}

static void
mig_item_yaml(struct gp_yemit *e, const struct mig_item *it)
{
    size_t j;

    gp_yemit_map_start(e, false);
    gp_yemit_str(e, "devices");
    gp_yemit_seq_start(e, true);
    for (j = 0; j < it->n_gpus; j++)
        gp_yemit_int(e, it->gpus[j]);
    gp_yemit_seq_end(e);
    gp_yemit_kv_bool(e, "mig-enabled", it->c.len > 0);
    if (it->c.len > 0) {
        gp_yemit_str(e, "mig-devices");
        gp_yemit_map_start(e, false);
        for (j = 0; j < it->c.len; j++) {
            /* "1g.10gb" would read as a number-like plain scalar to some
             * parsers; mig-parted's own examples quote them. */
            gp_yemit_str_q(e, it->c.prof[j]->name);
            gp_yemit_int(e, it->c.n[j]);
        }
        gp_yemit_map_end(e);
    }
    gp_yemit_map_end(e);
}

static void
mig_config_yaml(struct gp_yemit *e, const struct gp_plan_group *g)
{
    uint32_t n_gpu = g->pool->gpus_per_node;
    struct mig_item *items = gp_xcalloc(n_gpu, sizeof(*items));
    uint32_t *gpus = gp_xcalloc((size_t)n_gpu * n_gpu, sizeof(*gpus));
    size_t n = mig_items(items, gpus, g), j;

    gp_yemit_str(e, g->name);
    gp_yemit_seq_start(e, false);
    for (j = 0; j < n; j++)
        mig_item_yaml(e, &items[j]);
    gp_yemit_seq_end(e);
    free(gpus);
    free(items);
}

static void
all_disabled_yaml(struct gp_yemit *e)
{
    gp_yemit_str(e, GP_EMIT_MIG_ALL_DISABLED);
    gp_yemit_seq_start(e, false);
    gp_yemit_map_start(e, false);
    gp_yemit_kv_str(e, "devices", "all");
    gp_yemit_kv_bool(e, "mig-enabled", false);
    gp_yemit_map_end(e);
    gp_yemit_seq_end(e);
}

/* config.yaml: 'all-disabled' and one config per MIG group, by name. */
static int
mig_file(struct gp_strbuf *out, const struct gp_plan *p)
{
    const struct gp_plan_group **v = sorted_groups(p, cmp_group_name);
    struct gp_yemit *e = gp_yemit_new(out);
    bool disabled_done = false;
    size_t i;
    int rc;

    gp_yemit_doc_start(e);
    gp_yemit_map_start(e, false);
    gp_yemit_kv_str(e, "version", "v1");
    gp_yemit_str(e, "mig-configs");
    gp_yemit_map_start(e, false);
    for (i = 0; i < p->n_groups; i++) {
        if (v[i]->mode != GP_PLAN_MIG)
            continue;
        if (!disabled_done &&
            strcmp(GP_EMIT_MIG_ALL_DISABLED, v[i]->name) < 0) {
            all_disabled_yaml(e);
            disabled_done = true;
        }
        mig_config_yaml(e, v[i]);
    }
    if (!disabled_done)
        all_disabled_yaml(e);
    gp_yemit_map_end(e);
    gp_yemit_map_end(e);
    gp_yemit_doc_end(e);
    rc = gp_yemit_free(e);
    free(v);
    return rc;
}

static const char mig_comment[] =
    "mig-parted-config.yaml: generated by gpuplan recommend.\n"
    "The MIG partitions of the MIG node groups, for the GPU Operator's "
    "mig-manager;\n"
    "'" GP_EMIT_MIG_ALL_DISABLED "' is for the other groups on MIG-capable "
    "GPUs.\n"
    "\n"
    "  kubectl apply -f mig-parted-config.yaml\n"
    "  ClusterPolicy: spec.migManager.config.name: "
    GP_EMIT_MIG_PARTED_CONFIGMAP "\n"
    "                 spec.mig.strategy: mixed\n"
    "  each node: label " MIG_LABEL "=<config> (label-nodes.sh sets it)\n"
    "\n"
    "Changing a node's label makes mig-manager evict its GPU pods and\n"
    "repartition its GPUs; it reports progress in "
    MIG_LABEL ".state.\n"
    "mig-parted places the instances itself; gpuplan checked that each "
    "layout fits.";

static int
render_mig_parted(struct gp_strbuf *out, const struct gp_plan *p)
{
    struct gp_strbuf file = GP_STRBUF_INIT;
    struct gp_yemit *e;
    int rc = mig_file(&file, p);

    e = gp_yemit_new(out);
    gp_yemit_comment(e, mig_comment);
    gp_yemit_doc_start(e);
    gp_yemit_map_start(e, false);
    configmap_head(e, GP_EMIT_MIG_PARTED_CONFIGMAP);
    gp_yemit_str(e, "data");
    gp_yemit_map_start(e, false);
    gp_yemit_str(e, "config.yaml");   /* the key mig-manager requires */
    gp_yemit_block(e, file.buf);
    gp_yemit_map_end(e);
    gp_yemit_map_end(e);
    gp_yemit_doc_end(e);
    if (gp_yemit_free(e) < 0)
        rc = -1;
    gp_strbuf_release(&file);
    return rc;
}

/* ---- node selection ------------------------------------------------- */

/* How a pool's nodes are found: by the labels the inventory gives it, else
 * by GPU product (GFD's label, which gains -SHARED once the node shares its
 * GPUs), else every GPU node. */
struct selector {
    const struct gp_label **labels; /* sorted by key */
    size_t n_labels;
    char **products;                /* sorted, unique */
    size_t n_products;
};

static int
cmp_label(const void *a, const void *b)
{
    const struct gp_label *const *x = a, *const *y = b;

    return strcmp((*x)->key, (*y)->key);
}

static int
cmp_str(const void *a, const void *b)
{
    const char *const *x = a, *const *y = b;

    return strcmp(*x, *y);
}

static void
add_product(struct selector *s, const char *name, const char *suffix)
{
    char *v = gp_xmalloc(strlen(name) + strlen(suffix) + 1);

    strcpy(v, name);
    strcat(v, suffix);
    if (gp_emit_label_value_ok(v))
        s->products[s->n_products++] = v;
    else
        free(v);
}

static void
selector_init(struct selector *s, const struct gp_node_pool *pool)
{
    const struct gp_strlist *gfd = &pool->gpu->gfd_product;
    size_t i, k;

    memset(s, 0, sizeof(*s));
    if (pool->n_labels > 0) {
        s->labels = gp_xcalloc(pool->n_labels, sizeof(*s->labels));
        for (i = 0; i < pool->n_labels; i++)
            s->labels[i] = &pool->labels[i];
        s->n_labels = pool->n_labels;
        qsort(s->labels, s->n_labels, sizeof(*s->labels), cmp_label);
        return;
    }
    s->products = gp_xcalloc(gfd->n * 2, sizeof(*s->products));
    for (i = 0; i < gfd->n; i++) {
        add_product(s, gfd->v[i], "");
        add_product(s, gfd->v[i], "-SHARED");
    }
    if (s->n_products > 1)
        qsort(s->products, s->n_products, sizeof(*s->products), cmp_str);
    for (i = k = 0; i < s->n_products; i++) {
        if (k > 0 && strcmp(s->products[k - 1], s->products[i]) == 0)
            free(s->products[i]);
        else
            s->products[k++] = s->products[i];
    }
    s->n_products = k;
}

static void
selector_release(struct selector *s)
{
    size_t i;

    for (i = 0; i < s->n_products; i++)
        free(s->products[i]);
    free(s->products);
    free(s->labels);
}

/* kubectl's -l syntax. Keys and values are label-syntax checked (the
 * inventory's labels by its loader, products above), so no character here
 * means anything to the selector parser beyond what is intended. */
static void
selector_string(struct gp_strbuf *sb, const struct selector *s)
{
    size_t i;

    if (s->n_labels) {
        for (i = 0; i < s->n_labels; i++)
            gp_strbuf_printf(sb, "%s%s=%s", i ? "," : "", s->labels[i]->key,
                             s->labels[i]->value);
    } else if (s->n_products) {
        gp_strbuf_puts(sb, GFD_PRODUCT_LABEL " in (");
        for (i = 0; i < s->n_products; i++)
            gp_strbuf_printf(sb, "%s%s", i ? "," : "", s->products[i]);
        gp_strbuf_putc(sb, ')');
    } else {
        gp_strbuf_puts(sb, "nvidia.com/gpu.present=true");
    }
}

/* A Kubernetes LabelSelector. */
static void
selector_yaml(struct gp_yemit *e, const struct selector *s)
{
    size_t i;

    gp_yemit_map_start(e, false);
    if (s->n_products) {
        gp_yemit_str(e, "matchExpressions");
        gp_yemit_seq_start(e, false);
        gp_yemit_map_start(e, false);
        gp_yemit_kv_str(e, "key", GFD_PRODUCT_LABEL);
        gp_yemit_kv_str(e, "operator", "In");
        gp_yemit_str(e, "values");
        gp_yemit_seq_start(e, false);
        for (i = 0; i < s->n_products; i++)
            gp_yemit_str(e, s->products[i]);
        gp_yemit_seq_end(e);
        gp_yemit_map_end(e);
        gp_yemit_seq_end(e);
    } else {
        gp_yemit_str(e, "matchLabels");
        gp_yemit_map_start(e, false);
        for (i = 0; i < s->n_labels; i++)
            gp_yemit_kv_str(e, s->labels[i]->key, s->labels[i]->value);
        if (!s->n_labels)
            gp_yemit_kv_str(e, "nvidia.com/gpu.present", "true");
        gp_yemit_map_end(e);
    }
    gp_yemit_map_end(e);
}

/* The labels every node of 'g' carries, sorted by key. OUT: kv[i][0] key,
 * kv[i][1] value. Returns the count. */
static size_t
group_labels(const char *kv[3][2], const struct gp_plan_group *g)
{
    size_t n = 0;

    kv[n][0] = GP_PLAN_GROUP_LABEL;
    kv[n++][1] = g->name;
    kv[n][0] = DP_LABEL;
    kv[n++][1] = g->name;
    if (g->mode == GP_PLAN_MIG) {
        kv[n][0] = MIG_LABEL;
        kv[n++][1] = g->name;
    } else if (g->pool->gpu->mig) {
        /* MIG-capable GPUs keep whatever partition they had unless told */
        kv[n][0] = MIG_LABEL;
        kv[n++][1] = GP_EMIT_MIG_ALL_DISABLED;
    }
    return n;
}

/* ---- node-labels.yaml ------------------------------------------------ */

static const char labels_comment[] =
    "node-labels.yaml: generated by gpuplan recommend.\n"
    "The labels every node of each node group must carry; 'selector' finds\n"
    "the nodes of the group's pool and 'nodes' says how many it takes.\n"
    "label-nodes.sh applies this file with kubectl.";

static void
labels_group_yaml(struct gp_yemit *e, const struct gp_plan_group *g)
{
    const char *kv[3][2];
    struct selector s;
    size_t n = group_labels(kv, g), i;

    selector_init(&s, g->pool);
    gp_yemit_map_start(e, false);
    gp_yemit_kv_str(e, "name", g->name);
    gp_yemit_kv_str(e, "pool", g->pool->name);
    gp_yemit_kv_int(e, "nodes", g->nodes);
    gp_yemit_str(e, "selector");
    selector_yaml(e, &s);
    gp_yemit_str(e, "labels");
    gp_yemit_map_start(e, false);
    for (i = 0; i < n; i++)
        gp_yemit_kv_str(e, kv[i][0], kv[i][1]);
    gp_yemit_map_end(e);
    gp_yemit_map_end(e);
    selector_release(&s);
}

static int
render_node_labels(struct gp_strbuf *out, const struct gp_plan *p)
{
    const struct gp_plan_group **v = sorted_groups(p, cmp_group_pool);
    struct gp_yemit *e = gp_yemit_new(out);
    size_t i;

    gp_yemit_comment(e, labels_comment);
    gp_yemit_doc_start(e);
    gp_yemit_map_start(e, false);
    gp_yemit_kv_str(e, "apiVersion", GP_API_VERSION);
    gp_yemit_kv_str(e, "kind", "NodeLabels");
    gp_yemit_str(e, "groups");
    gp_yemit_seq_start(e, false);
    for (i = 0; i < p->n_groups; i++)
        labels_group_yaml(e, v[i]);
    gp_yemit_seq_end(e);
    gp_yemit_map_end(e);
    gp_yemit_doc_end(e);
    free(v);
    return gp_yemit_free(e);
}

/* ---- label-nodes.sh -------------------------------------------------- */

/* 'text' as one shell word, inside single quotes: nothing in it expands. */
static void
sh_quote(struct gp_strbuf *sb, const char *text)
{
    const char *s;

    gp_strbuf_putc(sb, '\'');
    for (s = text; *s; s++) {
        if (*s == '\'')
            gp_strbuf_puts(sb, "'\\''");
        else
            gp_strbuf_putc(sb, *s);
    }
    gp_strbuf_putc(sb, '\'');
}

static const char script_head[] =
    "#!/bin/sh\n"
    "# label-nodes.sh: generated by gpuplan recommend. Labels the nodes of\n"
    "# every node group as node-labels.yaml says.\n"
    "#\n"
    "# Each group takes its number of nodes from its pool's nodes, in name\n"
    "# order: first nodes that already carry its group label (so a second\n"
    "# run changes nothing), then nodes no group has taken. Nothing is\n"
    "# labelled unless every group can be filled. Nodes of a pool that end\n"
    "# up in no group lose the " GP_PLAN_GROUP_LABEL " label, so planned\n"
    "# pods stop landing there.\n"
    "#\n"
    "# Changing " MIG_LABEL " makes mig-manager evict the node's GPU\n"
    "# pods and repartition its GPUs.\n"
    "#\n"
    "#   sh label-nodes.sh             label the nodes\n"
    "#   DRY_RUN=1 sh label-nodes.sh   print the kubectl label commands\n"
    "#   KUBECTL='kubectl --context prod' sh label-nodes.sh\n"
    "set -eu\n"
    "set -f # node names are never globs\n"
    "\n"
    "KUBECTL=${KUBECTL:-kubectl}\n"
    "GROUP_LABEL=" "'" GP_PLAN_GROUP_LABEL "'\n"
    "taken=''\n"
    "bad=0\n"
    "\n"
    "# unclaimed NODES: the NODES (one a line) no group has taken, sorted.\n"
    "unclaimed() {\n"
    "    printf '%s\\n' \"$1\" | LC_ALL=C sort -u | TAKEN=$taken awk '\n"
    "        BEGIN { k = split(ENVIRON[\"TAKEN\"], t, \"\\n\")\n"
    "                for (i = 1; i <= k; i++) used[t[i]] = 1 }\n"
    "        $0 != \"\" && !($0 in used)'\n"
    "}\n"
    "\n"
    "# claim COUNT NODES: the first COUNT unclaimed NODES.\n"
    "claim() {\n"
    "    unclaimed \"$2\" | awk -v n=\"$1\" 'NR <= n'\n"
    "}\n"
    "\n"
    "# count NODES\n"
    "count() {\n"
    "    printf '%s\\n' \"$1\" | awk 'NF { c++ } END { print c + 0 }'\n"
    "}\n"
    "\n"
    "# check GROUP POOL WANT NODES: complains when NODES are too few.\n"
    "check() {\n"
    "    got=$(count \"$4\")\n"
    "    if [ \"$got\" -lt \"$3\" ]; then\n"
    "        printf 'label-nodes.sh: node group %s needs %s nodes of pool "
    "%s; %s are free\\n' \\\n"
    "            \"$1\" \"$3\" \"$2\" \"$got\" >&2\n"
    "        bad=1\n"
    "    fi\n"
    "}\n"
    "\n"
    "run() {\n"
    "    if [ -n \"${DRY_RUN:-}\" ]; then\n"
    "        printf '%s\\n' \"$*\"\n"
    "    else\n"
    "        \"$@\"\n"
    "    fi\n"
    "}\n";

/* Pools (1-based, in the order of 'v') and the groups' pool indices. */
static size_t
script_pools(size_t *pool_of, const struct gp_plan_group **v, size_t n)
{
    size_t i, k = 0;

    for (i = 0; i < n; i++) {
        if (i == 0 || v[i]->pool != v[i - 1]->pool)
            k++;
        pool_of[i] = k;
    }
    return k;
}

static void
script_find(struct gp_strbuf *sb, const struct gp_plan_group **v,
            const size_t *pool_of, size_t n)
{
    size_t i;

    gp_strbuf_puts(sb, "\n# The nodes of each pool.\n");
    for (i = 0; i < n; i++) {
        struct gp_strbuf sel = GP_STRBUF_INIT;
        struct selector s;

        if (i > 0 && pool_of[i] == pool_of[i - 1])
            continue;
        selector_init(&s, v[i]->pool);
        selector_string(&sel, &s);
        gp_strbuf_printf(sb, "pool_%zu=", pool_of[i]);
        sh_quote(sb, v[i]->pool->name);
        gp_strbuf_printf(sb, "\nselector_%zu=", pool_of[i]);
        sh_quote(sb, sel.buf);
        gp_strbuf_printf(sb, "\nnodes_%zu=$($KUBECTL get nodes -l "
                         "\"$selector_%zu\" -o name)\n", pool_of[i],
                         pool_of[i]);
        gp_strbuf_release(&sel);
        selector_release(&s);
    }
    gp_strbuf_puts(sb, "\n# Nodes already in their group stay there.\n");
    for (i = 0; i < n; i++) {
        gp_strbuf_printf(sb, "group_%zu=", i + 1);
        sh_quote(sb, v[i]->name);
        gp_strbuf_printf(sb, "\nhad=$($KUBECTL get nodes -l "
                         "\"$selector_%zu,$GROUP_LABEL=$group_%zu\" -o name)\n"
                         "pick_%zu=$(claim %u \"$had\")\n"
                         "taken=\"$taken\n$pick_%zu\"\n",
                         pool_of[i], i + 1, i + 1, v[i]->nodes, i + 1);
    }
}

static void
script_fill(struct gp_strbuf *sb, const struct gp_plan_group **v,
            const size_t *pool_of, size_t n)
{
    size_t i;

    gp_strbuf_puts(sb, "\n# Then free nodes of the pool, in name order.\n");
    for (i = 0; i < n; i++)
        gp_strbuf_printf(sb,
                         "more=$(claim $((%u - $(count \"$pick_%zu\"))) "
                         "\"$nodes_%zu\")\n"
                         "pick_%zu=\"$pick_%zu\n$more\"\n"
                         "taken=\"$taken\n$more\"\n"
                         "check \"$group_%zu\" \"$pool_%zu\" %u "
                         "\"$pick_%zu\"\n",
                         v[i]->nodes, i + 1, pool_of[i], i + 1, i + 1, i + 1,
                         pool_of[i], v[i]->nodes, i + 1);
    gp_strbuf_puts(sb, "[ \"$bad\" -eq 0 ] || exit 1\n");
}

static void
script_label(struct gp_strbuf *sb, const struct gp_plan_group **v, size_t n,
             size_t n_pools)
{
    size_t i, k;

    gp_strbuf_puts(sb, "\n# Label.\n");
    for (i = 0; i < n; i++) {
        const char *kv[3][2];
        size_t n_kv = group_labels(kv, v[i]);

        gp_strbuf_printf(sb, "for node in $pick_%zu; do\n"
                         "    run $KUBECTL label --overwrite \"$node\"",
                         i + 1);
        for (k = 0; k < n_kv; k++) {
            struct gp_strbuf a = GP_STRBUF_INIT;

            gp_strbuf_printf(&a, "%s=%s", kv[k][0], kv[k][1]);
            gp_strbuf_putc(sb, ' ');
            sh_quote(sb, a.buf);
            gp_strbuf_release(&a);
        }
        gp_strbuf_puts(sb, "\ndone\n");
    }
    gp_strbuf_puts(sb, "\n# Nodes left without a group leave their old "
                       "one.\n");
    for (k = 1; k <= n_pools; k++)
        gp_strbuf_printf(sb, "stale=$($KUBECTL get nodes -l "
                         "\"$selector_%zu,$GROUP_LABEL\" -o name)\n"
                         "for node in $(unclaimed \"$stale\"); do\n"
                         "    run $KUBECTL label \"$node\" \"$GROUP_LABEL-\"\n"
                         "done\n", k);
}

static int
render_label_script(struct gp_strbuf *out, const struct gp_plan *p)
{
    const struct gp_plan_group **v = sorted_groups(p, cmp_group_pool);
    size_t *pool_of = gp_xcalloc(p->n_groups, sizeof(*pool_of));
    size_t n_pools = script_pools(pool_of, v, p->n_groups);

    gp_strbuf_puts(out, script_head);
    script_find(out, v, pool_of, p->n_groups);
    script_fill(out, v, pool_of, p->n_groups);
    script_label(out, v, p->n_groups, n_pools);
    gp_strbuf_puts(out, "\nprintf 'label-nodes.sh: %s nodes in "
                        "%s node groups\\n' \"$(count \"$taken\")\" ");
    gp_strbuf_printf(out, "%zu\n", p->n_groups);
    free(pool_of);
    free(v);
    return 0;
}

/* ---- workload-patches.yaml ------------------------------------------- */

struct placement {
    const struct gp_plan_assign *as;
    const struct gp_plan_group *g;
    size_t n_groups;        /* groups the workload is spread over */
};

static int
cmp_workload(const struct gp_workload *a, const struct gp_workload *b)
{
    int c = strcmp(ns_of(a), ns_of(b));

    return c ? c : strcmp(a->name, b->name);
}

/* A group's steering value: its name unless it shares one (MIG). */
static const char *
steer_of(const struct gp_plan_group *g)
{
    return g->steer ? g->steer : g->name;
}

static int
cmp_placement(const void *a, const void *b)
{
    const struct placement *x = a, *y = b;
    int c = cmp_workload(x->as->w, y->as->w);

    if (!c)
        c = strcmp(steer_of(x->g), steer_of(y->g));
    return c ? c : strcmp(x->g->name, y->g->name);
}

/* Every placed (workload, group) pair, sorted. OUT: *n. Caller frees. */
static struct placement *
placements(const struct gp_plan *p, size_t *n)
{
    struct placement *v;
    size_t i, j, k = 0, total = 0;

    for (i = 0; i < p->n_groups; i++)
        total += p->groups[i].n_assigns;
    v = gp_xcalloc(total, sizeof(*v));
    for (i = 0; i < p->n_groups; i++)
        for (j = 0; j < p->groups[i].n_assigns; j++) {
            if (p->groups[i].assigns[j].replicas == 0)
                continue;
            v[k].as = &p->groups[i].assigns[j];
            v[k++].g = &p->groups[i];
        }
    if (k > 1)
        qsort(v, k, sizeof(*v), cmp_placement);
    /* The MIG groups of a pool share one steering value, and pods land on
     * any of them: one placement (and one patch) per steering value. */
    for (i = 0, j = 0; i < k; i++)
        if (j == 0 || cmp_workload(v[j - 1].as->w, v[i].as->w) != 0 ||
            strcmp(steer_of(v[j - 1].g), steer_of(v[i].g)) != 0)
            v[j++] = v[i];
    k = j;
    for (i = 0; i < k; i = j) {
        size_t m;

        for (j = i + 1; j < k && cmp_workload(v[i].as->w, v[j].as->w) == 0;
             j++)
            ;
        for (m = i; m < j; m++)
            v[m].n_groups = j - i;
    }
    *n = k;
    return v;
}

static const char patches_comment[] =
    "workload-patches.yaml: generated by gpuplan recommend.\n"
    "One strategic-merge patch per workload: it pins the pods to their node\n"
    "group and makes the container named like the workload ask for one unit\n"
    "of the group's GPU resource. Save a document alone as PATCH and run the\n"
    "command above it. For a StatefulSet, patch statefulset instead; if the\n"
    "container has another name, change 'name'. 'nvidia.com/gpu: null'\n"
    "removes a whole-GPU request from a workload that moves to a MIG device.";

static void
unplaced_comment(struct gp_yemit *e, const struct gp_plan *p)
{
    struct gp_strbuf c = GP_STRBUF_INIT;
    const struct gp_plan_unplaced **v;
    size_t i;

    if (!p->n_unplaced)
        return;
    v = gp_xcalloc(p->n_unplaced, sizeof(*v));
    for (i = 0; i < p->n_unplaced; i++)
        v[i] = &p->unplaced[i];
    /* insertion sort: short list, and no qsort context for the key */
    for (i = 1; i < p->n_unplaced; i++) {
        const struct gp_plan_unplaced *x = v[i];
        size_t j = i;

        for (; j > 0 && cmp_workload(v[j - 1]->w, x->w) > 0; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
    gp_strbuf_puts(&c, "\nNot placed (no patch):");
    for (i = 0; i < p->n_unplaced; i++)
        gp_strbuf_printf(&c, "\n  %s/%s, %u replica%s: %s", ns_of(v[i]->w),
                         v[i]->w->name, v[i]->replicas,
                         v[i]->replicas == 1 ? "" : "s",
                         v[i]->why ? v[i]->why : "no node group fits");
    gp_yemit_comment(e, c.buf);
    gp_strbuf_release(&c);
    free(v);
}

static void
patch_comment(struct gp_yemit *e, const struct placement *pl)
{
    const struct gp_workload *w = pl->as->w;
    struct gp_strbuf c = GP_STRBUF_INIT;

    gp_strbuf_printf(&c, "\n%s/%s: %u replica%s in node group %s (%s)",
                     ns_of(w), w->name, pl->as->replicas,
                     pl->as->replicas == 1 ? "" : "s", pl->g->name,
                     pl->as->resource);
    if (pl->n_groups > 1)
        gp_strbuf_printf(&c, "\nsplit over %zu node groups, and a Deployment "
                         "selects one: patch a copy of it per group",
                         pl->n_groups);
    gp_strbuf_printf(&c, "\nkubectl patch deployment %s -n %s --patch-file "
                     "PATCH", w->name, ns_of(w));
    gp_yemit_comment(e, c.buf);
    gp_strbuf_release(&c);
}

static void
patch_resources(struct gp_yemit *e, const struct gp_plan_assign *as)
{
    bool whole = strcmp(as->resource, WHOLE_GPU) == 0;

    gp_yemit_str(e, "resources");
    gp_yemit_map_start(e, false);
    gp_yemit_str(e, "limits");
    gp_yemit_map_start(e, false);
    if (!whole) {
        /* a MIG pod asking for a whole GPU too would never schedule */
        gp_yemit_str(e, WHOLE_GPU);
        gp_yemit_null(e);
    }
    gp_yemit_kv_int(e, as->resource, 1);
    gp_yemit_map_end(e);
    if (!whole) {
        /* an extended resource's request must equal its limit */
        gp_yemit_str(e, "requests");
        gp_yemit_map_start(e, false);
        gp_yemit_str(e, WHOLE_GPU);
        gp_yemit_null(e);
        gp_yemit_map_end(e);
    }
    gp_yemit_map_end(e);
}

static void
patch_doc(struct gp_yemit *e, const struct placement *pl)
{
    patch_comment(e, pl);
    gp_yemit_doc_start(e);
    gp_yemit_map_start(e, false);
    gp_yemit_str(e, "spec");
    gp_yemit_map_start(e, false);
    if (pl->n_groups > 1)
        gp_yemit_kv_int(e, "replicas", pl->as->replicas);
    gp_yemit_str(e, "template");
    gp_yemit_map_start(e, false);
    gp_yemit_str(e, "spec");
    gp_yemit_map_start(e, false);
    gp_yemit_str(e, "nodeSelector");
    gp_yemit_map_start(e, false);
    gp_yemit_kv_str(e, GP_PLAN_GROUP_LABEL, pl->g->name);
    gp_yemit_map_end(e);
    gp_yemit_str(e, "containers");
    gp_yemit_seq_start(e, false);
    gp_yemit_map_start(e, false);
    gp_yemit_kv_str(e, "name", pl->as->w->name);
    patch_resources(e, pl->as);
    gp_yemit_map_end(e);
    gp_yemit_seq_end(e);
    gp_yemit_map_end(e);
    gp_yemit_map_end(e);
    gp_yemit_map_end(e);
    gp_yemit_map_end(e);
    gp_yemit_doc_end(e);
}

static int
render_workload_patches(struct gp_strbuf *out, const struct gp_plan *p)
{
    size_t n, i;
    struct placement *v = placements(p, &n);
    struct gp_yemit *e = gp_yemit_new(out);

    gp_yemit_comment(e, patches_comment);
    unplaced_comment(e, p);
    for (i = 0; i < n; i++)
        patch_doc(e, &v[i]);
    free(v);
    return gp_yemit_free(e);
}

/* ---- public renderers ------------------------------------------------ */

typedef int (*render_fn)(struct gp_strbuf *out, const struct gp_plan *p);

static int
render_checked(struct gp_strbuf *out, const struct gp_plan *p,
               struct gp_diags *d, render_fn fn, const char *file)
{
    if (check_plan(p, d) < 0)
        return -1;
    if (fn(out, p) < 0)
        return render_failed(d, file);
    return 0;
}

int
gp_emit_device_plugin(struct gp_strbuf *out, const struct gp_plan *p,
                      struct gp_diags *d)
{
    return render_checked(out, p, d, render_device_plugin,
                          GP_EMIT_DEVICE_PLUGIN_FILE);
}

int
gp_emit_mig_parted(struct gp_strbuf *out, const struct gp_plan *p,
                   struct gp_diags *d)
{
    return render_checked(out, p, d, render_mig_parted,
                          GP_EMIT_MIG_PARTED_FILE);
}

int
gp_emit_node_labels(struct gp_strbuf *out, const struct gp_plan *p,
                    struct gp_diags *d)
{
    return render_checked(out, p, d, render_node_labels,
                          GP_EMIT_NODE_LABELS_FILE);
}

int
gp_emit_label_script(struct gp_strbuf *out, const struct gp_plan *p,
                     struct gp_diags *d)
{
    return render_checked(out, p, d, render_label_script,
                          GP_EMIT_LABEL_SCRIPT_FILE);
}

int
gp_emit_workload_patches(struct gp_strbuf *out, const struct gp_plan *p,
                         struct gp_diags *d)
{
    return render_checked(out, p, d, render_workload_patches,
                          GP_EMIT_WORKLOAD_PATCHES_FILE);
}

/* ---- writing --------------------------------------------------------- */

static const render_fn renderers[] = {
    render_device_plugin, render_mig_parted, render_node_labels,
    render_label_script, render_workload_patches,
};

#define N_FILES (sizeof(renderers) / sizeof(renderers[0]))

_Static_assert(sizeof(gp_emit_files) / sizeof(gp_emit_files[0]) ==
                   N_FILES + 1, "one renderer per file name");

/* Problems that do not stop the files from being written, said once. */
static void
warn_plan(const struct gp_plan *p, struct gp_diags *d)
{
    struct placement *v;
    size_t n, i;

    if (has_mode(p, GP_PLAN_MIG) && has_mode(p, GP_PLAN_MPS)) {
        gp_warning_at(d, no_loc, "the plan has MIG and MPS node groups; the "
                      "device plugin refuses MPS under the mixed MIG "
                      "strategy the MIG groups need");
        gp_diag_hint(d, "under one GPU Operator ClusterPolicy every node "
                        "gets spec.mig.strategy; run the MPS groups' device "
                        "plugin separately");
    }
    v = placements(p, &n);
    for (i = 0; i < n; i++)
        if (v[i].n_groups > 1 &&
            (i == 0 || cmp_workload(v[i - 1].as->w, v[i].as->w) != 0))
            gp_warning_at(d, v[i].as->w->loc, "workload '%s' is split over "
                          "%zu node groups; its patches are for one copy of "
                          "the Deployment per group", v[i].as->w->name,
                          v[i].n_groups);
    free(v);
}

int
gp_emit_plan_files(const struct gp_plan *p, const char *dir,
                   const struct gp_out_file *extra, size_t n_extra,
                   struct gp_diags *d)
{
    struct gp_strbuf text[N_FILES];
    struct gp_out_file *f = NULL;
    size_t i;
    int rc = -1;

    for (i = 0; i < N_FILES; i++)
        gp_strbuf_init(&text[i]);
    if (check_plan(p, d) < 0)
        goto out;
    for (i = 0; i < N_FILES; i++)
        if (renderers[i](&text[i], p) < 0) {
            render_failed(d, gp_emit_files[i]);
            goto out;
        }
    warn_plan(p, d);
    /* All files, the caller's too, go in as one unit: the directory never
     * holds a mix of this run's files and an earlier run's. */
    f = gp_xcalloc(N_FILES + n_extra, sizeof(*f));
    for (i = 0; i < N_FILES; i++) {
        f[i].name = gp_emit_files[i];
        f[i].data = text[i].buf;
        f[i].len = text[i].len;
    }
    for (i = 0; i < n_extra; i++)
        f[N_FILES + i] = extra[i];
    rc = gp_files_write_atomic(dir, f, N_FILES + n_extra, d);
out:
    free(f);
    for (i = 0; i < N_FILES; i++)
        gp_strbuf_release(&text[i]);
    return rc;
}
