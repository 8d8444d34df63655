/* SPDX-License-Identifier: MIT */
/* check/cluster.c: what each node runs. A node's labels select a
 * device-plugin config and a mig-parted config (the GPU Operator's
 * ClusterPolicy may name the ConfigMaps, a default, and the MIG strategy);
 * together with the node's GPU model they decide each GPU's MIG layout, which
 * resources the node advertises, and whether the device plugin starts at all
 * (config-formats.md 1.6, 1.7, 1.10, 2.5, 6). */
#include "check/check_int.h"

#include <string.h>

#include "base/arena.h"
#include "base/str.h"
#include "base/strbuf.h"

#define DP_LABEL "nvidia.com/device-plugin.config"
#define MIG_LABEL "nvidia.com/mig.config"

static const char *
str_of(const struct gp_ynode *n)
{
    return n && n->kind == GP_YSCALAR && !gp_ynode_is_null(n) ? n->str : NULL;
}

static struct gp_loc
target_loc(const struct ck_target *t, const struct gp_ynode *at)
{
    if (at)
        return ck_loc(&t->src, at);
    if (t->node)
        return ck_loc(&t->src, t->node);
    return t->pool->loc;
}

const char *
ck_target_what(struct ck *ck, const struct ck_target *t)
{
    switch (t->kind) {
    case CK_TARGET_NODE:
        return gp_arena_printf(ck->a, "node '%s'", t->name);
    case CK_TARGET_GROUP:
        return gp_arena_printf(ck->a, "node group '%s'", t->name);
    case CK_TARGET_POOL:
        break;
    }
    return gp_arena_printf(ck->a, "the other nodes of pool '%s'", t->name);
}

/* ---- ClusterPolicy ------------------------------------------------------- */

static const struct ck_cm *
find_cm(const struct ck *ck, const char *name, bool mig)
{
    size_t i;

    for (i = 0; name && i < ck->cms.n; i++) {
        const struct ck_cm *cm = ck->cms.v[i];

        if (cm->name && strcmp(cm->name, name) == 0 && (mig ? cm->mig : cm->dp))
            return cm;
    }
    return NULL;
}

/* The name a label selects the i-th device-plugin (or mig-parted) config
 * by, or NULL when no label can: a device-plugin config file of its own,
 * or a config outside the ConfigMap the ClusterPolicy names (when that one
 * is among the inputs). */
static const char *
selectable(const struct ck *ck, size_t i, bool mig)
{
    const struct gp_ynode *ref = NULL;
    const char *cm, *name, *want;

    if (mig) {
        const struct ck_mig *m = ck->migs.v[i];

        cm = m->cm;
        name = m->name;
        ref = ck->policy ? ck->policy->mig_cm : NULL;
    } else {
        const struct ck_dp *dp = ck->dps.v[i];

        if (dp->bare)
            return NULL;
        cm = dp->cm;
        name = dp->key;
        ref = ck->policy ? ck->policy->dp_cm : NULL;
    }
    want = str_of(ref);
    if (want && find_cm(ck, want, mig) && !(cm && strcmp(cm, want) == 0))
        return NULL;
    return name;
}

/* The first selectable config called 'name', or NULL. OUT: *n_scope, how
 * many are selectable (0: the configs are not among the inputs). */
static const void *
find_config(const struct ck *ck, const char *name, bool mig, size_t *n_scope)
{
    const struct ck_vec *v = mig ? &ck->migs : &ck->dps;
    const void *found = NULL;
    size_t i;

    *n_scope = 0;
    for (i = 0; i < v->n; i++) {
        const char *s = selectable(ck, i, mig);

        if (!s)
            continue;
        (*n_scope)++;
        if (!found && name && strcmp(s, name) == 0)
            found = v->v[i];
    }
    return found;
}

static const struct ck_dp *
find_dp(struct ck *ck, const char *key, size_t *n_scope)
{
    return find_config(ck, key, false, n_scope);
}

static const struct ck_mig *
find_mig(struct ck *ck, const char *name, size_t *n_scope)
{
    return find_config(ck, name, true, n_scope);
}

/* "did you mean" over the selectable config names. */
static void
hint_names(struct ck *ck, const char *value, bool mig)
{
    size_t total = mig ? ck->migs.n : ck->dps.n;
    const char **names = gp_arena_calloc(ck->a, total + 1, sizeof(*names));
    struct gp_strbuf sb = GP_STRBUF_INIT;
    const char *sugg;
    size_t n = 0, i;

    for (i = 0; i < total; i++) {
        if (selectable(ck, i, mig))
            names[n++] = selectable(ck, i, mig);
    }
    sugg = gp_did_you_mean(value, names, n);
    if (sugg) {
        ck_hint(ck, "did you mean '%s'?", sugg);
        return;
    }
    for (i = 0; i < n && i < 8; i++)
        gp_strbuf_printf(&sb, "%s'%s'", i ? ", " : "", names[i]);
    if (n > 8)
        gp_strbuf_puts(&sb, ", ...");
    ck_hint(ck, "the configs are %s", sb.buf);
    gp_strbuf_release(&sb);
}

static void
check_policy(struct ck *ck)
{
    const struct ck_policy *p = ck->policy;
    const char *s;
    size_t n;

    if (!p)
        return;
    s = str_of(p->strategy);
    if (p->strategy && (!s || (strcmp(s, "single") && strcmp(s, "mixed")))) {
        ck_report(ck, &p->src, p->strategy, "cp-mig-strategy",
                  "unknown MIG strategy: %.100s", ck_jtext(p->strategy));
        ck_hint(ck, "the ClusterPolicy takes single or mixed");
    }
    s = str_of(p->mig_default);
    if (s && strcmp(s, "all-disabled") != 0) {
        ck_report(ck, &p->src, p->mig_default, "cp-mig-default",
                  "spec.migManager.config.default must be 'all-disabled' or "
                  "empty, not '%.100s'",
                  s);
        ck_hint(ck, "label the nodes nvidia.com/mig.config=%s instead", s);
    }
    s = str_of(p->dp_cm);
    if (s && !find_cm(ck, s, false)) {
        ck_report(ck, &p->src, p->dp_cm, "cp-configmap-missing",
                  "device-plugin ConfigMap '%.100s' is not among the inputs: "
                  "its configs and the node labels that name them are not "
                  "checked",
                  s);
        ck_hint(ck, "add the file that holds it to the files checked");
    } else if (s && str_of(p->dp_default) &&
               !find_dp(ck, str_of(p->dp_default), &n)) {
        ck_report(ck, &p->src, p->dp_default, "cp-default-missing",
                  "specified config %.100s does not exist",
                  str_of(p->dp_default));
        hint_names(ck, str_of(p->dp_default), false);
    }
    s = str_of(p->mig_cm);
    if (s && !find_cm(ck, s, true)) {
        ck_report(ck, &p->src, p->mig_cm, "cp-configmap-missing",
                  "mig-parted ConfigMap '%.100s' is not among the inputs: the "
                  "mig.config labels that name its configs are not checked",
                  s);
        ck_hint(ck, "add the file that holds it to the files checked");
    }
}

/* ---- the GPU Operator's default mig-configs ------------------------------ */

static void
add_prof(struct ck *ck, struct ck_mig_item *it, const struct gp_mig_profile *p,
         long long count, const struct gp_ynode *at)
{
    struct ck_mig_prof *q;

    it->prof = gp_arena_grow(ck->a, it->prof, it->n_prof, it->n_prof + 1,
                             sizeof(*it->prof));
    q = &it->prof[it->n_prof++];
    memset(q, 0, sizeof(*q));
    q->name = p->name;
    q->key = q->value = at;
    q->count = count;
    q->parsed = ck_parse_profile(ck, p->name, &q->c, &q->g, &q->gb,
                                 &q->attr) == NULL;
}

/* all-balanced (config-formats 2.5): two of the smallest 1g profile, one 2g
 * and one 3g, or without the 3g where it does not fit (the A30). */
static bool
balanced_layout(struct ck *ck, struct ck_mig_item *it,
                const struct gp_gpu_model *m, const struct gp_ynode *at)
{
    const struct gp_mig_profile *base[GP_MIG_MAX_PROFILES], *by_g[4] = {NULL};
    const struct gp_mig_profile *want[4];
    struct gp_mig_check res;
    size_t n = gp_mig_base_profiles(m->mig, base, false), i;

    for (i = 0; i < n; i++) {
        uint32_t g = base[i]->compute_slices;

        if (g >= 1 && g <= 3 &&
            (!by_g[g] || base[i]->memory_slices < by_g[g]->memory_slices))
            by_g[g] = base[i];
    }
    if (!by_g[1] || !by_g[2])
        return false;
    want[0] = want[1] = by_g[1];
    want[2] = by_g[2];
    want[3] = by_g[3];
    gp_mig_check(&res, m->mig, want, by_g[3] ? 4 : 3, NULL);
    if (by_g[3] && res.verdict != GP_MIG_FITS)
        gp_mig_check(&res, m->mig, want, 3, NULL);
    if (res.verdict != GP_MIG_FITS)
        return false;
    add_prof(ck, it, by_g[1], 2, at);
    add_prof(ck, it, by_g[2], 1, at);
    if (res.placed.n == 4)
        add_prof(ck, it, by_g[3], 1, at);
    return true;
}

/* Without a mig-parted config among the inputs, a label names one of the
 * configs the GPU Operator ships or generates: all-disabled, all-enabled,
 * all-balanced, or all-<profile> ('+' spelt '.') at the profile's maximum
 * count. */
static const struct ck_mig *
builtin_mig(struct ck *ck, const struct ck_target *t, const char *name)
{
    struct ck_mig *m;
    struct ck_mig_item *it;
    const struct gp_mig_profile *p = NULL;
    const char *rest;

    if (!gp_str_has_prefix(name, "all-"))
        return NULL;
    rest = name + 4;
    if (strcmp(rest, "disabled") && strcmp(rest, "enabled") &&
        strcmp(rest, "balanced")) {
        if (t->model && !t->model->mig)
            return NULL;
        if (t->model) {
            p = gp_mig_find_profile(t->model->mig, rest);
            if (!p || strchr(rest, '+'))
                return NULL;
        }
    }
    m = gp_arena_alloc(ck->a, sizeof(*m));
    it = gp_arena_alloc(ck->a, sizeof(*it));
    m->name = name;
    m->src = t->src;
    m->key = t->mig_label;
    m->items = it;
    m->n_items = 1;
    m->ok = true;
    it->ok = true;
    it->all = true;
    it->devices_node = it->enabled_node = it->mig_devices_node = t->mig_label;
    it->enabled = strcmp(rest, "disabled") != 0;
    if (p)
        add_prof(ck, it, p, p->max_count, t->mig_label);
    else if (strcmp(rest, "balanced") == 0)
        it->balanced = !t->model ||
                       (t->model->mig &&
                        !balanced_layout(ck, it, t->model, t->mig_label));
    else
        it->opaque = it->enabled && strcmp(rest, "enabled") != 0;
    return m;
}

/* ---- labels -------------------------------------------------------------- */

static bool
label_ok(struct ck *ck, const struct ck_target *t, const struct gp_ynode *v,
         const char *key)
{
    const char *why;
    const char *s = ck_jtext(v);

    if (gp_k8s_label_value(s, &why))
        return true;
    ck_report_loc(ck, target_loc(t, v), "label-value",
                  "invalid value '%.100s' for label %s: %s", s, key, why);
    ck_hint(ck, "label values are up to 63 of [A-Za-z0-9-_.], starting and "
                "ending alphanumeric");
    return false;
}

static void
select_configs(struct ck *ck, struct ck_target *t)
{
    const struct ck_policy *pol = ck->policy;
    size_t n, i;

    /* A label no config can match stops config-manager or mig-manager:
     * what the node then runs is not known. */
    if (t->dp_label && !label_ok(ck, t, t->dp_label, DP_LABEL)) {
        t->unknown = true;
    } else if (t->dp_label) {
        const char *v = ck_jtext(t->dp_label);

        t->dp = find_dp(ck, v, &n);
        t->unknown = t->unknown || !t->dp;
        if (!t->dp && n) {
            ck_report_loc(ck, target_loc(t, t->dp_label),
                          "label-dp-config-missing",
                          "specified config %.100s does not exist", v);
            hint_names(ck, v, false);
        }
    } else if (!t->dp_label && pol && str_of(pol->dp_default)) {
        t->dp = find_dp(ck, str_of(pol->dp_default), &n);
        t->unknown = t->unknown || !n;
    } else if (!t->dp_label && !pol) {
        /* The Helm chart's fallbacks: a config named 'default', else the
         * only one. */
        t->dp = find_dp(ck, "default", &n);
        for (i = 0; !t->dp && n == 1 && i < ck->dps.n; i++) {
            if (selectable(ck, i, false))
                t->dp = ck->dps.v[i];
        }
    }
    if (t->mig_label && !label_ok(ck, t, t->mig_label, MIG_LABEL)) {
        t->unknown = true;
    } else if (t->mig_label) {
        const char *v = ck_jtext(t->mig_label);

        t->mig = find_mig(ck, v, &n);
        if (!t->mig && !n)
            t->mig = builtin_mig(ck, t, v);
        if (!t->mig) {
            t->unknown = true;
            ck_report_loc(ck, target_loc(t, t->mig_label),
                          "label-mig-config-missing",
                          "selected mig-config not present: %.100s", v);
            if (n)
                hint_names(ck, v, true);
            else if (t->model)
                ck_hint(ck, "without a mig-parted config among the inputs, "
                            "the GPU Operator's defaults apply: all-disabled, "
                            "all-enabled, all-balanced and all-<profile> for "
                            "the profiles of %s",
                        t->model->id);
            else
                ck_hint(ck, "without a mig-parted config among the inputs, "
                            "the GPU Operator's defaults apply: all-disabled, "
                            "all-enabled, all-balanced and all-<profile>");
        }
    }
}

/* ---- GPUs ---------------------------------------------------------------- */

static bool
filter_matches(const struct ck_mig_item *it, const struct gp_gpu_model *m)
{
    size_t i;

    if (!it->has_filter || !m)
        return true;
    for (i = 0; i < it->n_filter; i++) {
        if (ck_model_has_pci(m, it->filter[i]))
            return true;
    }
    return false;
}

static bool
item_has_gpu(const struct ck_mig_item *it, uint32_t g)
{
    size_t i;

    if (it->all)
        return true;
    for (i = 0; i < it->n_idx; i++) {
        if (it->idx[i] == (long long)g)
            return true;
    }
    return false;
}

/* A layout known only by profile names (no GPU model to place them on). */
static void
unplaced_layout(const struct ck_mig_item *it, struct ck_gpu *out)
{
    size_t i;
    long long k;

    memset(out, 0, sizeof(*out));
    out->mig = true;
    out->balanced = it->balanced;
    out->opaque = it->opaque;
    for (i = 0; i < it->n_prof; i++) {
        for (k = 0; k < it->prof[i].count && out->n < GP_MIG_MAX_SLICES; k++)
            out->src[out->n++] = &it->prof[i];
    }
}

static void
apply_mig(struct ck *ck, struct ck_target *t)
{
    const struct ck_mig *m = t->mig;
    uint32_t g, top = 0;
    size_t i, j;
    bool any = false;

    /* Without the node's GPU count, the GPUs the config names. */
    for (i = 0; m && i < m->n_items; i++) {
        for (j = 0; j < m->items[i].n_idx; j++) {
            if (m->items[i].idx[j] >= 0 &&
                m->items[i].idx[j] < (long long)CK_MAX_GPUS &&
                (uint32_t)m->items[i].idx[j] + 1 > top)
                top = (uint32_t)m->items[i].idx[j] + 1;
        }
    }
    t->n_gpu = t->gpus ? t->gpus : top ? top : 1;
    memset(t->gpu, 0, sizeof(t->gpu));
    if (!m)
        return;
    for (i = 0; i < m->n_items; i++) {
        const struct ck_mig_item *it = &m->items[i];

        if (!filter_matches(it, t->model))
            continue;
        any = true;
        for (j = 0; t->gpus && j < it->n_idx; j++) {
            if (it->idx[j] < 0 || it->idx[j] >= (long long)t->gpus) {
                ck_report(ck, &m->src, it->idx_node[j], "mig-device-index",
                          "GPU index %lld does not exist on %s (%u GPUs per "
                          "node): mig-parted skips it",
                          it->idx[j], ck_target_what(ck, t), t->gpus);
                ck_hint(ck, "GPU indexes run from 0 to %u", t->gpus - 1);
            }
        }
        if (it->enabled && t->model && !t->model->mig) {
            if (!it->all) {
                ck_report(ck, &m->src, it->enabled_node, "mig-not-capable",
                          "cannot set MIG config on non MIG-capable GPU (%s "
                          "of %s)",
                          t->model->id, ck_target_what(ck, t));
                ck_hint(ck, "%s has no MIG: select a config with "
                            "mig-enabled: false for these nodes",
                        t->model->id);
            }
            continue;
        }
        for (g = 0; g < t->n_gpu; g++) {
            if (!item_has_gpu(it, g))
                continue;
            if (!it->enabled) {
                memset(&t->gpu[g], 0, sizeof(t->gpu[g]));
            } else if (t->model && !it->balanced && !it->opaque) {
                if (!ck_mig_layout(ck, m, it, t->model, &t->gpu[g])) {
                    /* mig-parted fails on this GPU; judge nothing more. */
                    memset(&t->gpu[g], 0, sizeof(t->gpu[g]));
                    t->gpu[g].mig = true;
                    t->gpu[g].opaque = true;
                }
            } else {
                unplaced_layout(it, &t->gpu[g]);
            }
        }
    }
    for (g = 0; g < t->n_gpu; g++) {
        if (t->gpu[g].opaque || (t->gpu[g].balanced && !t->gpu[g].n))
            t->unknown = true;
    }
    if (any || !t->model || !m->n_items)
        return;
    ck_report(ck, &m->src, m->key, "mig-device-filter-nomatch",
              "no entry of mig-config '%s' matches the %s GPUs of %s: it "
              "changes nothing there",
              m->name, t->model->id, ck_target_what(ck, t));
    if (t->model->pci_ids.n)
        ck_hint(ck, "add an entry with device-filter \"%s\", or select "
                    "another config",
                t->model->pci_ids.v[0]);
}

static const char *
prof_name(const struct ck_gpu *g, uint32_t i)
{
    return g->prof[i] ? g->prof[i]->name : g->src[i]->name;
}

/* internal/rm/device_map.go: what the device plugin makes of the node's
 * GPUs under its MIG strategy (R1-R5). Returns false when the plugin
 * refuses to start there. */
static bool
strategy_rules(struct ck *ck, struct ck_target *t)
{
    const char *st = t->strategy;
    const struct gp_ynode *at = t->mig_label;
    const char *first = NULL;
    uint32_t g, i, enabled = 0;
    bool types = false;

    for (g = 0; g < t->n_gpu; g++)
        enabled += t->gpu[g].mig;
    if (enabled && t->dp && t->dp->share == CK_SHARE_MPS) {
        ck_report(ck, &t->dp->src, t->dp->share_node, "node-mps-mig",
                  "sharing using MPS is not supported for MIG devices (%s has "
                  "MIG enabled)",
                  ck_target_what(ck, t));
        ck_hint(ck, "select mig-config all-disabled for MPS nodes, or share "
                    "MIG devices by time-slicing");
    }
    if (strcmp(st, "none") == 0 && enabled) {
        ck_report_loc(ck, target_loc(t, at), "node-mig-hidden",
                      "%s enables MIG under migStrategy none: its MIG devices "
                      "are not advertised",
                      ck_target_what(ck, t));
        ck_hint(ck, "set migStrategy single or mixed in the device-plugin "
                    "config (or the ClusterPolicy's spec.mig.strategy)");
    }
    if (strcmp(st, "none") == 0)
        return true;
    for (g = 0; g < t->n_gpu; g++) {
        const struct ck_gpu *gp = &t->gpu[g];

        if (!gp->mig || gp->opaque)
            continue;
        if (gp->n == 0 && !gp->balanced) {
            ck_report_loc(ck, target_loc(t, at),
                          strcmp(st, "single") == 0 ? "node-mig-empty"
                                                    : "node-mig-empty-mixed",
                          "device %u has no MIG devices configured (%s)", g,
                          ck_target_what(ck, t));
            ck_hint(ck, "give the GPU MIG instances, or disable MIG on it");
        }
        types = types || gp->balanced;
        for (i = 0; i < gp->n; i++) {
            const struct ck_mig_prof *src = gp->src[i];

            if (!first)
                first = prof_name(gp, i);
            else if (strcmp(first, prof_name(gp, i)) != 0)
                types = true;
            if (strcmp(st, "mixed") != 0 || !src || !src->parsed ||
                src->c == src->g)
                continue;
            ck_report(ck, &t->mig->src, src->key, "node-mig-pattern",
                      "MIG profile '%s' does not match any resource patterns",
                      src->name);
            ck_hint(ck, "under mixed only whole GPU instances (%dg.%dgb) "
                        "become resources",
                    src->g, src->gb);
        }
    }
    if (strcmp(st, "single") != 0)
        return true;
    if (enabled && enabled < t->n_gpu) {
        ck_report_loc(ck, target_loc(t, at), "node-mig-mixed-enabled",
                      "all devices on the node must be configured with the "
                      "same migEnabled value (%s: %u of %u GPUs have MIG)",
                      ck_target_what(ck, t), enabled, t->n_gpu);
        ck_hint(ck, "under migStrategy single enable MIG on every GPU or "
                    "none; or use mixed");
    }
    if (types) {
        ck_report_loc(ck, target_loc(t, at), "node-mig-types",
                      "more than one MIG device type present on node (%s)",
                      ck_target_what(ck, t));
        ck_hint(ck, "migStrategy single needs one profile on every GPU (as "
                    "all-1g.10gb); use mixed for mixed layouts");
    }
    return !types && !(enabled && enabled < t->n_gpu);
}

/* ---- advertised resources ------------------------------------------------ */

static struct ck_domain *
add_domain(struct ck *ck, struct ck_target *t, const char *resource,
           const struct gp_mig_profile *mig, const struct ck_mig_prof *prof)
{
    struct ck_domain *d;
    size_t i;

    for (i = 0; i < t->n_dom; i++) {
        if (strcmp(t->dom[i].resource, resource) == 0 && t->dom[i].mig == mig)
            return &t->dom[i];
    }
    t->dom = gp_arena_grow(ck->a, t->dom, t->n_dom, t->n_dom + 1,
                           sizeof(*t->dom));
    d = &t->dom[t->n_dom++];
    memset(d, 0, sizeof(*d));
    d->resource = resource;
    d->mig = mig;
    d->prof = prof;
    d->replicas = 1;
    return d;
}

static void
advertise(struct ck *ck, struct ck_target *t)
{
    const char *st = t->strategy;
    uint32_t g, i, enabled = 0;
    size_t k, r;

    for (g = 0; g < t->n_gpu; g++)
        enabled += t->gpu[g].mig;
    for (g = 0; g < t->n_gpu; g++) {
        const struct ck_gpu *gp = &t->gpu[g];

        if (!gp->mig || strcmp(st, "none") == 0) {
            if (strcmp(st, "single") == 0 && enabled)
                continue;
            add_domain(ck, t, "nvidia.com/gpu", NULL, NULL)->devices++;
            continue;
        }
        for (i = 0; i < gp->n; i++) {
            const struct ck_mig_prof *src = gp->src[i];
            const char *name = prof_name(gp, i);
            struct ck_domain *d;

            if (strcmp(st, "single") == 0) {
                d = add_domain(ck, t, "nvidia.com/gpu", gp->prof[i], src);
            } else {
                if (src && src->parsed && src->c != src->g)
                    continue;
                d = add_domain(ck, t, ck_mig_resource(ck, name), gp->prof[i],
                               src);
            }
            d->devices++;
        }
    }
    if (!t->dp || t->dp->share == CK_SHARE_NONE)
        return;
    for (r = 0; r < t->dp->n_res; r++) {
        const struct ck_dp_res *res = &t->dp->res[r];
        bool hit = false;

        for (k = 0; k < t->n_dom; k++) {
            struct ck_domain *d = &t->dom[k];

            if (strcmp(d->resource, res->name) != 0)
                continue;
            if (t->dp->share == CK_SHARE_MPS && d->mig)
                continue;
            hit = true;
            d->share = t->dp->share;
            d->replicas = res->replicas;
            d->fail_gt_one = t->dp->fail_gt_one;
            d->res = res;
            if (t->dp->rename_by_default)
                d->resource = gp_arena_printf(ck->a, "%s.shared", res->name);
        }
        if (hit || !t->mig ||
            !gp_str_has_prefix(res->name, "nvidia.com/mig-") ||
            strcmp(st, "mixed") != 0)
            continue;
        ck_report(ck, &t->dp->src, res->node, "dp-resource-unadvertised",
                  "%s advertises no '%s' (mig-config '%s' creates no such "
                  "instance): the device plugin skips this entry",
                  ck_target_what(ck, t), res->name, t->mig->name);
        ck_hint(ck, "share a profile the layout creates, or add it to the "
                    "layout");
    }
}

/* GFD's nvidia.com/gpu.product: the model, '-MIG-<profile>' under the single
 * strategy, '-SHARED' when shared without renaming (config-formats 1.8). */
static void
product_label(struct ck *ck, struct ck_target *t)
{
    const char *base;
    bool shared = false;
    size_t i;

    if (!t->model || !t->model->gfd_product.n)
        return;
    base = t->model->gfd_product.v[0];
    if (strcmp(t->strategy, "single") == 0 && t->n_gpu && t->gpu[0].mig &&
        t->gpu[0].n)
        base = gp_arena_printf(ck->a, "%s-MIG-%s", base, prof_name(&t->gpu[0],
                                                                   0));
    for (i = 0; i < t->n_dom; i++)
        shared = shared || (t->dom[i].share != CK_SHARE_NONE &&
                            !t->dp->rename_by_default);
    t->product = shared ? gp_arena_printf(ck->a, "%s-SHARED", base) : base;
}

static void
mps_cap(struct ck *ck, const struct ck_target *t)
{
    size_t i;

    if (!t->dp || t->dp->share != CK_SHARE_MPS || !t->model ||
        gp_model_cc_at_least(t->model, 7, 5))
        return;
    for (i = 0; i < t->dp->n_res; i++) {
        const struct ck_dp_res *r = &t->dp->res[i];

        if (r->replicas > 16 && r->replicas <= 48) {
            ck_report(ck, &t->dp->src, r->replicas_node,
                      "dp-mps-replicas-max",
                      "invalid MPS configuration: invalid device maximum "
                      "allowed replicas exceeded: %u > 16 (%s, compute "
                      "capability %s, on %s)",
                      r->replicas, t->model->id,
                      t->model->compute_capability, ck_target_what(ck, t));
            ck_hint(ck, "give these nodes a config with at most 16 MPS "
                        "replicas");
        }
    }
}

/* ---- inventory pools ----------------------------------------------------- */

static bool
has_labels(const struct ck_target *t, const struct gp_node_pool *p)
{
    size_t i, j;

    if (!p->n_labels)
        return false;
    for (i = 0; i < p->n_labels; i++) {
        for (j = 0; j < t->n_labels; j++) {
            if (strcmp(t->labels[j].key, p->labels[i].key) == 0 &&
                strcmp(t->labels[j].value, p->labels[i].value) == 0)
                break;
        }
        if (j == t->n_labels)
            return false;
    }
    return true;
}

static void
match_pool(struct ck *ck, struct ck_target *t)
{
    const struct gp_inventory *inv = ck->o->inv;
    const char *want = str_of(t->pool_node);
    size_t i;

    if (want) {
        const char **names = gp_arena_calloc(ck->a, inv->n_pools + 1,
                                             sizeof(*names));
        const char *sugg;

        for (i = 0; i < inv->n_pools; i++) {
            names[i] = inv->pools[i].name;
            if (strcmp(inv->pools[i].name, want) == 0)
                t->pool = &inv->pools[i];
        }
        if (!t->pool) {
            ck_report(ck, &t->src, t->pool_node, "inv-pool-unknown",
                      "node group '%s' names pool '%.100s', which the "
                      "inventory does not have",
                      t->name, want);
            sugg = gp_did_you_mean(want, names, inv->n_pools);
            if (sugg)
                ck_hint(ck, "did you mean '%s'?", sugg);
        }
    }
    for (i = 0; !t->pool && !want && i < inv->n_pools; i++) {
        if (has_labels(t, &inv->pools[i]))
            t->pool = &inv->pools[i];
    }
    for (i = 0; !t->pool && !want && t->model && i < inv->n_pools; i++) {
        if (!inv->pools[i].n_labels && inv->pools[i].gpu == t->model)
            t->pool = &inv->pools[i];
    }
    if (t->pool) {
        t->model = t->pool->gpu;
        if (!t->gpus)
            t->gpus = t->pool->gpus_per_node > CK_MAX_GPUS
                          ? CK_MAX_GPUS
                          : t->pool->gpus_per_node;
    }
}

/* Node groups against pool sizes, and the nodes of each pool no group or
 * Node object takes: they run the default config. */
static void
pools(struct ck *ck)
{
    const struct gp_inventory *inv = ck->o->inv;
    size_t n_targets = ck->targets.n, i, p;

    if (!inv)
        return;
    for (i = 0; i < n_targets; i++)
        match_pool(ck, ck->targets.v[i]);
    for (p = 0; p < inv->n_pools; p++) {
        const struct gp_node_pool *pool = &inv->pools[p];
        uint64_t used = 0;
        struct ck_target *t;

        for (i = 0; i < n_targets; i++) {
            const struct ck_target *x = ck->targets.v[i];

            if (x->pool != pool)
                continue;
            used += x->nodes;
            if (used > pool->nodes && used - x->nodes <= pool->nodes) {
                ck_report_loc(ck, target_loc(x, x->pool_node),
                              "inv-pool-capacity",
                              "%s takes pool '%s' to %llu nodes; it has %u",
                              ck_target_what(ck, x), pool->name,
                              (unsigned long long)used, pool->nodes);
                ck_hint(ck, "some of the groups' nodes will not exist: their "
                            "pods stay Pending");
            }
        }
        if (used >= pool->nodes)
            continue;
        t = gp_arena_alloc(ck->a, sizeof(*t));
        t->kind = CK_TARGET_POOL;
        t->name = pool->name;
        t->pool = pool;
        t->nodes = pool->nodes - (uint32_t)used;
        t->model = pool->gpu;
        t->gpus = pool->gpus_per_node > CK_MAX_GPUS ? CK_MAX_GPUS
                                                    : pool->gpus_per_node;
        t->labels = gp_arena_calloc(ck->a, pool->n_labels + 1,
                                    sizeof(*t->labels));
        for (i = 0; i < pool->n_labels; i++) {
            t->labels[i].key = pool->labels[i].key;
            t->labels[i].value = pool->labels[i].value;
        }
        t->n_labels = pool->n_labels;
        t->src.file = pool->loc.file;
        ck_vec_push(ck->a, &ck->targets, t);
    }
}

void
ck_cluster(struct ck *ck)
{
    size_t i;

    check_policy(ck);
    for (i = 0; i < ck->dps.n; i++)
        ck_check_dp(ck, ck->dps.v[i]);
    pools(ck);
    for (i = 0; i < ck->targets.n; i++) {
        struct ck_target *t = ck->targets.v[i];

        select_configs(ck, t);
        if (t->dp && !t->dp->ok)
            t->dp = NULL;
        t->strategy = ck->policy ? ck->policy->strategy_value
                      : t->dp && t->dp->mig_strategy ? t->dp->mig_strategy
                                                     : "none";
        if (t->mig && !t->mig->ok)
            t->mig = NULL;
        apply_mig(ck, t);
        mps_cap(ck, t);
        /* A node whose device plugin does not start advertises nothing. */
        if (!strategy_rules(ck, t))
            continue;
        advertise(ck, t);
        product_label(ck, t);
    }
}
