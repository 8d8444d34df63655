/* SPDX-License-Identifier: MIT */
/* import/nodes.c: GPU nodes of 'kubectl get nodes -o json' grouped into
 * node pools. A node is read through the labels GPU feature discovery puts
 * on it (nvidia.com/gpu.product, gpu.count, gpu.memory, gpu.replicas,
 * gpu.sharing-strategy, mig.strategy, mig.config) and the device plugin's
 * capacity (nvidia.com/gpu, nvidia.com/gpu.shared, nvidia.com/mig-*):
 *
 *  - no MIG: gpu.count GPUs, shared by time-slicing or MPS when
 *    gpu.sharing-strategy says so, gpu.replicas per GPU (GFD appends
 *    -SHARED to the product then);
 *  - MIG, mixed strategy: gpu.count physical GPUs and nvidia.com/mig-<p>
 *    devices (times the per-profile replicas when MIG devices are
 *    time-sliced); the devices must divide evenly over the GPUs, because an
 *    inventory pool has one layout on every GPU;
 *  - MIG, single strategy: the product reads <model>-MIG-<profile> and
 *    gpu.count counts MIG devices; the GPUs are that count over the devices
 *    per GPU, which mig-parted's 'all-<profile>' configs set to the most
 *    that fit.
 *
 * Nodes with the same model, GPU count, GPU memory, sharing, MIG layout,
 * mig.config and instance type form one pool. A node that cannot be read
 * (unknown product, no GFD labels, layouts that differ between its GPUs) is
 * an error, or with skip_unusable a warning and the node is left out; one
 * diagnostic per distinct problem names the nodes it concerns. */
#include "import/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/str.h"
#include "base/strbuf.h"
#include "base/units.h"
#include "base/xalloc.h"
#include "json/json.h"
#include "mig/geometry.h"
#include "model/gpu.h"

const char *const gp_imp_stable_labels[GP_IMP_N_STABLE] = {
    "node.kubernetes.io/instance-type", "cloud.google.com/gke-nodepool",
    "eks.amazonaws.com/nodegroup",      "karpenter.sh/nodepool",
    "kubernetes.azure.com/agentpool",   "agentpool",
};

#define GFD "nvidia.com/"

struct problem {
    const char *reason; /* one line; the same text groups nodes */
    const char *hint;
    const char *node;
    struct gp_loc loc;
};

struct nodes_ctx {
    struct gp_imp_quota quota;  /* d: the caller's sink, then scratch */
    struct gp_imp_nodes *N;
    struct gp_arena *a;
    struct gp_diags *d;
    const struct gp_catalog *cat;
    struct gp_imp_strays strays; /* items of another kind */
    struct problem *probs;
    size_t n_probs, cap_probs;
};

static void
problem(struct nodes_ctx *C, struct gp_imp_node *n, struct gp_loc loc,
        const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Records why node n cannot be imported; n is then left out. */
static void
problem(struct nodes_ctx *C, struct gp_imp_node *n, struct gp_loc loc,
        const char *hint, const char *fmt, ...)
{
    struct gp_strbuf sb = GP_STRBUF_INIT;
    struct problem *p;
    va_list ap;

    va_start(ap, fmt);
    gp_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    if (C->n_probs == C->cap_probs) {
        size_t cap = C->cap_probs ? C->cap_probs * 2 : 16;

        C->probs = gp_arena_grow(C->a, C->probs, C->n_probs, cap,
                                 sizeof(*C->probs));
        C->cap_probs = cap;
    }
    p = &C->probs[C->n_probs++];
    p->reason = gp_arena_strndup(C->a, sb.buf, sb.len);
    p->hint = hint;
    p->node = n->name;
    p->loc = loc;
    n->failed = true;
    gp_strbuf_release(&sb);
}

/* A label holding a whole number. Returns the value, -1 when absent, or -2
 * after an error. */
static long long
label_uint(struct nodes_ctx *C, const struct gp_json_item *it,
           const char *node, const char *key, const char *v, uint64_t max)
{
    uint64_t x;
    const char *why;

    if (!v)
        return -1;
    if (gp_parse_uint(v, max, &x, &why) < 0) {
        gp_error_at(C->d, gp_json_item_loc(it, key),
                    "node '%s': label '%s' is '%s': %s", node, key, v, why);
        return -2;
    }
    return (long long)x;
}

/* A capacity quantity of a device resource. */
static int
cap_uint(struct nodes_ctx *C, const struct gp_json_item *it, const char *node,
         const struct gp_json *m, uint64_t *out)
{
    const char *s = gp_json_str(m), *why = "expected a whole number";
    double x;

    if (s && gp_parse_uint(s, 1u << 20, out, &why) == 0)
        return 0;
    if (!s && gp_json_num(m, &x) == 0 && x >= 0 && x <= (double)(1u << 20) &&
        x == (double)(uint64_t)x) {
        *out = (uint64_t)x;
        return 0;
    }
    gp_error_at(C->d, gp_json_item_loc(it, gp_json_key(m)),
                "node '%s': capacity '%s' must be a whole number of devices: "
                "%s",
                node, gp_json_key(m), why);
    return -1;
}

static const char *
label_str(struct nodes_ctx *C, const struct gp_json *labels, const char *key)
{
    const char *s = gp_json_str(gp_json_get(labels, key));

    return s ? gp_arena_strdup(C->a, s) : NULL;
}

static int
node_item(void *ctx, const struct gp_json_item *it)
{
    struct nodes_ctx *C = ctx;
    struct gp_imp_nodes *N = C->N;
    const struct gp_json *v = it->value, *meta, *labels, *cap, *m;
    const char *name;
    struct gp_imp_node n;
    bool gpu = false;
    size_t errors = gp_diags_errors(C->d), i;

    N->total++;
    gp_imp_quota_check(&C->quota, &C->d);
    name = gp_imp_item_head(C->d, C->a, it, "Node", &C->strays, &meta);
    if (!name)
        return -1;
    memset(&n, 0, sizeof(n));
    n.name = gp_arena_strdup(C->a, name);
    n.loc = it->loc;
    labels = gp_json_get(meta, "labels");
    n.product = label_str(C, labels, GFD "gpu.product");
    n.product_loc = n.product ? gp_json_item_loc(it, GFD "gpu.product")
                              : it->loc;
    n.sharing = label_str(C, labels, GFD "gpu.sharing-strategy");
    n.mig_strategy = label_str(C, labels, GFD "mig.strategy");
    n.mig_config = label_str(C, labels, GFD "mig.config");
    n.mig_state = label_str(C, labels, GFD "mig.config.state");
    n.count = label_uint(C, it, name, GFD "gpu.count",
                         gp_json_str(gp_json_get(labels, GFD "gpu.count")),
                         4096);
    n.memory_mib = label_uint(
        C, it, name, GFD "gpu.memory",
        gp_json_str(gp_json_get(labels, GFD "gpu.memory")), 1ull << 24);
    n.replicas = label_uint(
        C, it, name, GFD "gpu.replicas",
        gp_json_str(gp_json_get(labels, GFD "gpu.replicas")), 1u << 20);
    for (i = 0; i < GP_IMP_N_STABLE; i++)
        n.stable[i] = label_str(C, labels, gp_imp_stable_labels[i]);
    n.cordoned = gp_json_is_true(
        gp_json_get(gp_json_get(v, "spec"), "unschedulable"));
    cap = gp_json_get(gp_json_get(v, "status"), "capacity");
    n.cap_loc = cap ? gp_json_item_loc(it, "capacity") : it->loc;
    for (m = gp_json_first(cap); m; m = gp_json_next(m)) {
        const char *res = gp_json_key(m);
        uint64_t q;

        if (!gp_str_has_prefix(res, GFD))
            continue;
        if (strcmp(res, GFD "gpu") == 0) {
            if (cap_uint(C, it, name, m, &q) == 0)
                n.cap_gpu = q;
        } else if (strcmp(res, GFD "gpu.shared") == 0) {
            if (cap_uint(C, it, name, m, &q) == 0)
                n.cap_shared = q;
        } else if (gp_str_has_prefix(res, GFD "mig-")) {
            struct gp_imp_migcap *mc;
            char key[200];
            long long r;

            if (cap_uint(C, it, name, m, &q) < 0 || q == 0)
                continue;
            if (n.n_mig == GP_IMP_MAX_MIGCAPS) {
                gp_error_at(C->d, gp_json_item_loc(it, res),
                            "node '%s' has more than %d MIG resources", name,
                            GP_IMP_MAX_MIGCAPS);
                continue;
            }
            mc = &n.mig[n.n_mig++];
            mc->profile = gp_arena_strdup(C->a, res + strlen(GFD "mig-"));
            mc->qty = q;
            snprintf(key, sizeof(key), "%s.replicas", res);
            r = label_uint(C, it, name, key,
                           gp_json_str(gp_json_get(labels, key)), 1u << 20);
            mc->replicas = r > 0 ? (uint32_t)r : 1;
        }
    }
    if (gp_diags_errors(C->d) > errors)
        return -1;
    gpu = n.product || n.cap_gpu || n.cap_shared || n.n_mig;
    if (!gpu) {
        N->non_gpu++;
        return 0;
    }
    if (N->n == N->cap) {
        N->cap = N->cap ? N->cap * 2 : 64;
        N->v = gp_xrealloc(N->v, N->cap * sizeof(*N->v));
    }
    {
        bool created;
        uint32_t *slot = gp_imp_map_put(&N->by_name, n.name, strlen(n.name),
                                        (uint32_t)N->n, &created);

        if (!created) {
            gp_error_at(C->d, it->loc,
                        "node '%s' is listed twice (first at line %u)",
                        n.name, N->v[*slot].loc.line);
            return -1;
        }
    }
    N->v[N->n++] = n;
    return 0;
}

/* ---- what each node has --------------------------------------------- */

static bool
has_suffix_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && gp_str_casecmp(s + n - m, suffix) == 0;
}

/* The MIG profile in a single-strategy product "<model>-MIG-<profile>",
 * without a "-SHARED" suffix, or NULL. buf holds 64. */
static const char *
single_profile(const char *product, char *buf, size_t cap)
{
    const char *p = strstr(product, "-MIG-");
    size_t n;

    if (!p)
        return NULL;
    p += 5;
    n = strlen(p);
    if (has_suffix_ci(p, "-SHARED"))
        n -= 7;
    if (n == 0 || n >= cap)
        return NULL;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return buf;
}

static void
layout_add(struct gp_imp_node *n, const struct gp_mig_profile *p, uint32_t k)
{
    uint32_t i;

    for (i = 0; i < n->n_lay; i++) {
        if (n->lay[i] == p) {
            n->lay_n[i] += k;
            return;
        }
    }
    n->lay[n->n_lay] = p;
    n->lay_n[n->n_lay++] = k;
}

/* Whether the node's per-GPU MIG layout fits its model. */
static bool
layout_fits(const struct gp_imp_node *n, struct gp_strbuf *why)
{
    const struct gp_mig_profile *want[GP_MIG_MAX_SLICES];
    struct gp_mig_check chk;
    size_t k = 0;
    uint32_t i, j;

    for (i = 0; i < n->n_lay; i++) {
        for (j = 0; j < n->lay_n[i]; j++) {
            if (k == GP_MIG_MAX_SLICES) {
                gp_strbuf_puts(why, "more instances than any GPU holds");
                return false;
            }
            want[k++] = n->lay[i];
        }
    }
    gp_mig_check(&chk, n->model->mig, want, k, why);
    return chk.verdict == GP_MIG_FITS;
}

static void
mig_single(struct nodes_ctx *C, struct gp_imp_node *n, const char *pname)
{
    const struct gp_mig_profile *p = gp_mig_find_profile(n->model->mig, pname);
    long long devices;
    uint32_t per_gpu;
    char want[80], *c;
    struct gp_loc at = n->product_loc;

    if (!p) {
        problem(C, n, n->product_loc, NULL,
                "product '%s' names MIG profile '%s', which %s does not have",
                n->product, pname, n->model->id);
        return;
    }
    devices = n->count >= 0 ? n->count
                            : (long long)(n->cap_gpu + n->cap_shared) /
                                  (n->replicas > 0 ? n->replicas : 1);
    per_gpu = p->max_count;
    /* mig-parted spells '+' as '.' in config names (all-1g.10gb.me). */
    snprintf(want, sizeof(want), "all-%s", pname);
    for (c = want; *c; c++) {
        if (*c == '+')
            *c = '.';
    }
    if (n->mig_config && strcmp(n->mig_config, want) != 0) {
        problem(C, n, at,
                "use mig-parted's 'all-<profile>' configs with the single "
                "strategy, or give the layout in the inventory by hand",
                "the single MIG strategy with mig.config '%s' does not tell "
                "how many %s instances each GPU has",
                n->mig_config, p->name);
        return;
    }
    if (devices <= 0 || devices % per_gpu != 0) {
        problem(C, n, at, NULL,
                "%lld %s devices (nvidia.com/gpu.count) do not make whole "
                "GPUs of %u each",
                devices, p->name, per_gpu);
        return;
    }
    n->gpus = (uint32_t)(devices / per_gpu);
    n->mode = GP_SHARE_MIG;
    n->mig_strat = GP_MIG_STRATEGY_SINGLE;
    layout_add(n, p, per_gpu);
    if (n->replicas > 1)
        n->mig_ts = (uint32_t)n->replicas;
}

static void
mig_mixed(struct nodes_ctx *C, struct gp_imp_node *n)
{
    struct gp_strbuf why = GP_STRBUF_INIT;
    uint32_t i, ts = 0;

    if (n->count <= 0) {
        problem(C, n, n->cap_loc, "is GPU feature discovery running on it?",
                "MIG devices but no nvidia.com/gpu.count label");
        return;
    }
    if (n->cap_gpu || n->cap_shared) {
        problem(C, n, n->cap_loc,
                "gpuplan pools have one layout on every GPU; split such "
                "nodes by hand",
                "whole GPUs and MIG devices side by side");
        return;
    }
    n->gpus = (uint32_t)n->count;
    for (i = 0; i < n->n_mig; i++) {
        const struct gp_imp_migcap *mc = &n->mig[i];
        const struct gp_mig_profile *p =
            gp_mig_find_profile(n->model->mig, mc->profile);
        uint64_t inst;

        if (!p) {
            problem(C, n, n->cap_loc, NULL,
                    "MIG resource 'nvidia.com/mig-%s' names a profile %s "
                    "does not have",
                    mc->profile, n->model->id);
            goto out;
        }
        if (mc->qty % mc->replicas != 0 ||
            (inst = mc->qty / mc->replicas) % n->gpus != 0) {
            problem(C, n, n->cap_loc,
                    "gpuplan pools have one layout on every GPU; split such "
                    "nodes by hand",
                    "MIG devices that differ between the node's GPUs "
                    "(nvidia.com/mig-%s: %llu over %u GPUs)",
                    mc->profile, (unsigned long long)mc->qty, n->gpus);
            goto out;
        }
        if (ts && mc->replicas != ts) {
            problem(C, n, n->cap_loc, NULL,
                    "MIG profiles time-sliced with different replicas");
            goto out;
        }
        ts = mc->replicas;
        layout_add(n, p, (uint32_t)(inst / n->gpus));
    }
    if (!layout_fits(n, &why)) {
        problem(C, n, n->cap_loc, NULL, "its MIG devices do not fit one %s: %s",
                n->model->id, why.buf);
        goto out;
    }
    n->mode = GP_SHARE_MIG;
    n->mig_strat = GP_MIG_STRATEGY_MIXED;
    n->mig_ts = ts > 1 ? ts : 0;
out:
    gp_strbuf_release(&why);
}

static void
node_shape(struct nodes_ctx *C, struct gp_imp_node *n)
{
    const char *prod = n->product;
    char pbuf[64];
    const char *pname;
    uint64_t devices;
    uint32_t r;

    if (!prod) {
        problem(C, n, n->cap_loc,
                "gpuplan needs the labels of GPU feature discovery "
                "(part of the NVIDIA GPU Operator and device plugin)",
                "GPU capacity but no nvidia.com/gpu.product label");
        return;
    }
    if (has_suffix_ci(prod, "-MIG-INVALID")) {
        problem(C, n, n->product_loc,
                "the single strategy needs one MIG profile on every GPU",
                "GPU feature discovery reports an invalid MIG config "
                "(product '%s')",
                prod);
        return;
    }
    n->model = gp_catalog_find(C->cat, prod);
    if (!n->model) {
        const char *sug = gp_catalog_suggest(C->cat, prod);

        problem(C, n, n->product_loc,
                sug ? gp_arena_printf(C->a, "did you mean '%s'? A model "
                                            "file for a new GPU: 'gpuplan "
                                            "import nvidia-smi', then "
                                            "--models DIR",
                                      sug)
                    : "'gpuplan models' lists the known GPUs; write a model "
                      "file for a new one with 'gpuplan import nvidia-smi' "
                      "and pass --models DIR",
                "unknown GPU product '%s'", prod);
        return;
    }
    pname = single_profile(prod, pbuf, sizeof(pbuf));
    if (pname || n->n_mig) {
        if (!n->model->mig) {
            problem(C, n, n->product_loc, NULL,
                    "MIG devices on %s, which has no MIG in the catalogue",
                    n->model->id);
            return;
        }
        if (n->sharing && strcmp(n->sharing, "mps") == 0) {
            problem(C, n, n->product_loc, NULL,
                    "MPS on MIG devices, which the NVIDIA device plugin does "
                    "not support");
            return;
        }
        if (pname)
            mig_single(C, n, pname);
        else
            mig_mixed(C, n);
        goto check;
    }
    /* Whole GPUs, perhaps shared. */
    r = n->replicas > 1 ? (uint32_t)n->replicas : 1;
    devices = n->cap_gpu + n->cap_shared;
    if (n->count > 0)
        n->gpus = (uint32_t)n->count;
    else if (devices % r == 0 && devices > 0)
        n->gpus = (uint32_t)(devices / r);
    if (n->gpus == 0) {
        problem(C, n, n->loc, "is GPU feature discovery running on it?",
                "no nvidia.com/gpu.count label and no GPU capacity");
        return;
    }
    n->mode = GP_SHARE_EXCLUSIVE;
    if (r > 1) {
        if (n->sharing && strcmp(n->sharing, "mps") == 0)
            n->mode = GP_SHARE_MPS;
        else if (!n->sharing || strcmp(n->sharing, "time-slicing") == 0 ||
                 has_suffix_ci(prod, "-SHARED"))
            n->mode = GP_SHARE_TIME_SLICING;
        else {
            problem(C, n, n->loc, NULL,
                    "gpu.replicas %lld with sharing strategy '%s'",
                    n->replicas, n->sharing);
            return;
        }
        n->replicas_eff = r;
        if (n->mode == GP_SHARE_MPS &&
            (r > 48 || (r > 16 && !gp_model_cc_at_least(n->model, 7, 5)))) {
            problem(C, n, n->loc, NULL,
                    "%u MPS clients per GPU, more than the device plugin "
                    "allows",
                    r);
            return;
        }
    }
    if (devices && devices != (uint64_t)n->gpus * r)
        gp_warning_at(C->d, n->loc,
                      "node '%s': capacity of %llu GPU devices, but %u GPUs "
                      "x %u replicas; using the labels",
                      n->name, (unsigned long long)devices, n->gpus, r);
check:
    if (n->gpus > 16) {
        problem(C, n, n->loc, NULL,
                "%u GPUs on one node; inventories allow 1 to 16", n->gpus);
        return;
    }
    n->usable = !n->failed && n->gpus > 0 &&
                (n->mode != GP_SHARE_MIG || n->n_lay > 0);
}

/* ---- pools -------------------------------------------------------------- */

const char *
gp_imp_layout_text(const struct gp_imp_pool *p, char *buf, size_t cap)
{
    size_t o = 0;
    uint32_t i;

    buf[0] = '\0';
    for (i = 0; i < p->n_lay && o + 1 < cap; i++) {
        int w = snprintf(buf + o, cap - o, "%s%ux %s", i ? " + " : "",
                         p->lay_n[i], p->lay[i]->name);

        if (w < 0)
            break;
        o += (size_t)w;
    }
    return buf;
}

const char *
gp_imp_dns_label(struct gp_arena *a, const char *s)
{
    char buf[64];
    size_t n = 0, i, len = strlen(s);
    uint64_t h = 0xcbf29ce484222325ull;
    bool too_long = false; /* cut, with a hash of the whole */

    for (i = 0; i < len; i++) {
        char c = s[i];

        h = (h ^ (unsigned char)c) * 0x100000001b3ull;
        if (too_long)
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            c = '-';
        if (c == '-' && (n == 0 || buf[n - 1] == '-'))
            continue;
        if (n < 63)
            buf[n++] = c;
        else
            too_long = true;
    }
    if (too_long) {
        n = 54;
        while (n > 0 && buf[n - 1] == '-')
            n--;
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "-%08llx",
                              (unsigned long long)(h & 0xffffffffu));
    }
    while (n > 0 && buf[n - 1] == '-')
        n--;
    if (n == 0)
        return "x";
    return gp_arena_strndup(a, buf, n);
}

static const char *
node_key(struct nodes_ctx *C, const struct gp_imp_node *n)
{
    struct gp_strbuf sb = GP_STRBUF_INIT;
    const char *k;
    uint32_t i;

    gp_strbuf_printf(&sb, "%s|%u|%lld|%d|%u|%d|%u|%s|%s|", n->model->id,
                     n->gpus, n->memory_mib, (int)n->mode, n->replicas_eff,
                     (int)n->mig_strat, n->mig_ts,
                     n->mig_config ? n->mig_config : "",
                     n->stable[0] ? n->stable[0] : "");
    for (i = 0; i < n->n_lay; i++)
        gp_strbuf_printf(&sb, "%s=%u,", n->lay[i]->name, n->lay_n[i]);
    k = gp_arena_strndup(C->a, sb.buf, sb.len);
    gp_strbuf_release(&sb);
    return k;
}

static int
cmp_lay(const void *pa, const void *pb)
{
    const struct gp_mig_profile *const *x = pa, *const *y = pb;

    /* Largest first, as mig-parted configs and NVIDIA's advice order
     * them; then by name. */
    if ((*x)->memory_slices != (*y)->memory_slices)
        return (*x)->memory_slices > (*y)->memory_slices ? -1 : 1;
    if ((*x)->compute_slices != (*y)->compute_slices)
        return (*x)->compute_slices > (*y)->compute_slices ? -1 : 1;
    return strcmp((*x)->name, (*y)->name);
}

static void
sort_layout(struct gp_imp_node *n)
{
    uint32_t i, j;

    /* Tiny arrays: insertion sort keeps the counts beside their profiles. */
    for (i = 1; i < n->n_lay; i++) {
        for (j = i; j > 0 && cmp_lay(&n->lay[j], &n->lay[j - 1]) < 0; j--) {
            const struct gp_mig_profile *p = n->lay[j];
            uint32_t k = n->lay_n[j];

            n->lay[j] = n->lay[j - 1];
            n->lay_n[j] = n->lay_n[j - 1];
            n->lay[j - 1] = p;
            n->lay_n[j - 1] = k;
        }
    }
}

static const char *
pool_base_name(struct nodes_ctx *C, const struct gp_imp_pool *p)
{
    struct gp_strbuf sb = GP_STRBUF_INIT;
    const char *s;

    gp_strbuf_printf(&sb, "%s-x%u", p->model->id, p->gpus);
    switch (p->mode) {
    case GP_SHARE_TIME_SLICING:
        gp_strbuf_printf(&sb, "-ts%u", p->replicas);
        break;
    case GP_SHARE_MPS:
        gp_strbuf_printf(&sb, "-mps%u", p->replicas);
        break;
    case GP_SHARE_MIG:
        gp_strbuf_printf(&sb, "-mig-%s",
                         p->mig_config ? p->mig_config
                         : p->mig_strat == GP_MIG_STRATEGY_SINGLE ? "single"
                                                                  : "mixed");
        if (p->mig_ts)
            gp_strbuf_printf(&sb, "-ts%u", p->mig_ts);
        break;
    case GP_SHARE_EXCLUSIVE:
        break;
    }
    s = gp_imp_dns_label(C->a, sb.buf);
    gp_strbuf_release(&sb);
    return s;
}

struct keyed {
    const char *key;
    const char *name;
    uint32_t node;
};

static int
cmp_keyed(const void *pa, const void *pb)
{
    const struct keyed *x = pa, *y = pb;
    int c = strcmp(x->key, y->key);

    return c ? c : strcmp(x->name, y->name);
}

static int
cmp_pool_name(const void *pa, const void *pb)
{
    const struct gp_imp_pool *x = pa, *y = pb;

    return strcmp(x->name, y->name);
}

static void
make_pools(struct nodes_ctx *C)
{
    struct gp_imp_nodes *N = C->N;
    struct keyed *k = gp_arena_calloc(C->a, N->n + 1, sizeof(*k));
    size_t n = 0, i, j, np = 0;

    for (i = 0; i < N->n; i++) {
        if (!N->v[i].usable)
            continue;
        sort_layout(&N->v[i]);
        k[n].key = node_key(C, &N->v[i]);
        k[n].name = N->v[i].name;
        k[n].node = (uint32_t)i;
        n++;
    }
    if (n > 1)
        qsort(k, n, sizeof(*k), cmp_keyed);
    N->pools = gp_arena_calloc(C->a, n + 1, sizeof(*N->pools));
    for (i = 0; i < n; i = j) {
        struct gp_imp_pool *p = &N->pools[np];
        const struct gp_imp_node *f = &N->v[k[i].node];
        size_t l;

        for (j = i; j < n && strcmp(k[j].key, k[i].key) == 0; j++)
            ;
        p->key = k[i].key;
        p->model = f->model;
        p->gpus = f->gpus;
        /* Under the single MIG strategy gpu.memory is the MIG device's. */
        p->memory_from_label = f->memory_mib > 0 &&
                               !(f->mode == GP_SHARE_MIG &&
                                 f->mig_strat == GP_MIG_STRATEGY_SINGLE);
        p->memory_mib = p->memory_from_label ? (uint64_t)f->memory_mib
                                             : f->model->memory_mib;
        p->mode = f->mode;
        p->replicas = f->replicas_eff;
        p->mig_strat = f->mig_strat;
        memcpy(p->lay, f->lay, sizeof(p->lay));
        memcpy(p->lay_n, f->lay_n, sizeof(p->lay_n));
        p->n_lay = f->n_lay;
        p->mig_ts = f->mig_ts;
        p->mig_config = f->mig_config;
        p->product = f->product;
        p->n_nodes = j - i;
        p->nodes = gp_arena_calloc(C->a, p->n_nodes, sizeof(*p->nodes));
        for (l = i; l < j; l++) {
            const struct gp_imp_node *nd = &N->v[k[l].node];
            size_t s;

            p->nodes[l - i] = k[l].node;
            p->cordoned += nd->cordoned;
            for (s = 0; s < GP_IMP_N_STABLE; s++) {
                const char *val = nd->stable[s];

                if (l == i)
                    p->labels[s] = val;
                else if (p->labels[s] &&
                         (!val || strcmp(val, p->labels[s]) != 0))
                    p->labels[s] = NULL;
            }
        }
        p->name = pool_base_name(C, p);
        np++;
    }
    /* Pools that would share a name: add the instance type, then a
     * number, in key order (deterministic). */
    for (i = 0; i < np; i++) {
        size_t same = 0;

        for (j = 0; j < np; j++)
            same += j != i && strcmp(N->pools[j].name, N->pools[i].name) == 0;
        if (same && N->pools[i].labels[0])
            N->pools[i].name = gp_imp_dns_label(
                C->a, gp_arena_printf(C->a, "%s-%s", N->pools[i].name,
                                      N->pools[i].labels[0]));
    }
    for (i = 0; i < np; i++) {
        unsigned seq = 1;

        for (j = i + 1; j < np; j++) {
            if (strcmp(N->pools[j].name, N->pools[i].name) == 0)
                N->pools[j].name = gp_imp_dns_label(
                    C->a, gp_arena_printf(C->a, "%s-%u", N->pools[j].name,
                                          ++seq));
        }
    }
    /* A label selector must not match another pool's nodes. */
    for (i = 0; i < np; i++) {
        for (j = 0; j < np; j++) {
            size_t s;
            bool same = true;

            if (i == j)
                continue;
            for (s = 0; s < GP_IMP_N_STABLE && same; s++) {
                const char *x = N->pools[i].labels[s];

                if (x && (!N->pools[j].labels[s] ||
                          strcmp(x, N->pools[j].labels[s]) != 0))
                    same = false;
            }
            if (same)
                N->pools[i].labels_ambiguous = true;
        }
    }
    qsort(N->pools, np, sizeof(*N->pools), cmp_pool_name);
    N->n_pools = np;
    for (i = 0; i < np; i++) {
        for (j = 0; j < N->pools[i].n_nodes; j++)
            N->v[N->pools[i].nodes[j]].pool = (uint32_t)i;
    }
}

static int
cmp_problem(const void *pa, const void *pb)
{
    const struct problem *x = pa, *y = pb;
    int c = strcmp(x->reason, y->reason);

    return c ? c : strcmp(x->node, y->node);
}

/* One diagnostic per distinct problem, naming its nodes. */
static void
report_problems(struct nodes_ctx *C, bool skip)
{
    size_t i, j;

    if (C->n_probs > 1)
        qsort(C->probs, C->n_probs, sizeof(*C->probs), cmp_problem);
    for (i = 0; i < C->n_probs; i = j) {
        struct gp_strbuf names = GP_STRBUF_INIT;
        size_t k;

        for (j = i; j < C->n_probs &&
                    strcmp(C->probs[j].reason, C->probs[i].reason) == 0;
             j++)
            ;
        for (k = i; k < j && k < i + 3; k++)
            gp_strbuf_printf(&names, "%s'%s'", k > i ? ", " : "",
                             C->probs[k].node);
        if (j - i > 3)
            gp_strbuf_printf(&names, " and %zu more", j - i - 3);
        if (skip)
            gp_warning_at(C->d, C->probs[i].loc,
                          "%s on %zu node%s (%s); left out", C->probs[i].reason,
                          j - i, j - i == 1 ? "" : "s", names.buf);
        else
            gp_error_at(C->d, C->probs[i].loc, "%s on %zu node%s (%s)",
                        C->probs[i].reason, j - i, j - i == 1 ? "" : "s",
                        names.buf);
        if (C->probs[i].hint)
            gp_diag_hint(C->d, "%s", C->probs[i].hint);
        else if (!skip)
            gp_diag_hint(C->d, "--skip-unusable leaves such nodes out");
        gp_strbuf_release(&names);
    }
}

/* mig-manager marks a node whose MIG change is under way or failed: its
 * capacity, which the layout is read from, is then not what mig.config
 * asks for. One warning names such nodes. */
static void
report_mig_state(struct nodes_ctx *C)
{
    const struct gp_imp_node *first = NULL;
    size_t i, n = 0;

    for (i = 0; i < C->N->n; i++) {
        const struct gp_imp_node *nd = &C->N->v[i];

        if (!nd->usable || !nd->mig_state ||
            strcmp(nd->mig_state, "success") == 0)
            continue;
        if (!first)
            first = nd;
        n++;
    }
    if (!first)
        return;
    gp_warning_at(C->d, first->product_loc,
                  "nvidia.com/mig.config.state is not 'success' on %zu "
                  "node%s (e.g. '%s': '%s'): the MIG layout imported is what "
                  "a node has now, which may not be what its mig.config asks "
                  "for",
                  n, n == 1 ? "" : "s", first->name, first->mig_state);
}

/* The members of a Node this file reads; the rest (images, conditions,
 * annotations, node info) is checked and skipped. */
static const char *const node_keep[] = {
    "kind", "metadata.name", "metadata.labels", "spec.unschedulable",
    "status.capacity", NULL};

void
gp_imp_nodes_release(struct gp_imp_nodes *N)
{
    free(N->v);
    N->v = NULL;
    N->n = N->cap = 0;
    gp_imp_map_release(&N->by_name);
}

int
gp_imp_nodes_load(struct gp_imp_nodes *out, struct gp_arena *a,
                  const struct gp_import_src *src,
                  const struct gp_catalog *cat, bool skip_unusable,
                  struct gp_diags *d)
{
    struct nodes_ctx C;
    struct gp_json *top = NULL;
    size_t errors = gp_diags_errors(d), i;
    int rc;

    memset(out, 0, sizeof(*out));
    gp_imp_map_init(&out->by_name, a);
    memset(&C, 0, sizeof(C));
    C.N = out;
    C.a = a;
    C.d = d;
    gp_imp_quota_init(&C.quota, a, d);
    C.cat = cat;
    rc = gp_json_scan(&top, src->file, src->text, src->len, "items", node_keep,
                      node_item, &C, d);
    if (gp_imp_quota_end(&C.quota, &C.d, src->file))
        rc = -1;
    if (rc < 0 && !gp_imp_looks_like_json(src))
        gp_diag_hint(d, "export nodes as JSON: 'kubectl get nodes -o json'");
    gp_imp_list_end(a, d, src, top, "Node",
                    "export nodes with 'kubectl get nodes -o json'", node_item,
                    &C, &C.strays);
    gp_json_free(top);
    /* The nodes that were read are checked even when others were not, so
     * one run reports every problem. */
    for (i = 0; i < out->n; i++)
        node_shape(&C, &out->v[i]);
    report_problems(&C, skip_unusable);
    for (i = 0; i < out->n; i++)
        out->skipped += !out->v[i].usable;
    report_mig_state(&C);
    if (rc < 0 || gp_diags_errors(d) > errors)
        return -1;
    make_pools(&C);
    return 0;
}
