/* SPDX-License-Identifier: MIT */
/* import/kubectl.c: an Inventory from exported nodes, pods and DCGM
 * metrics. Pods are grouped into workloads by owner; a workload's replicas
 * are the GPU units its Pending, Running and Unknown pods ask for
 * (Succeeded and Failed pods are reported, not counted). Its profile comes
 * from DCGM where the metrics have its pods:
 *
 *   gpuMemory          peak DCGM_FI_DEV_FB_USED over its pods and scrapes,
 *                      plus the headroom (default 10%), but not past the
 *                      device share it holds today (or its peak);
 *   traffic.dutyCycle  peak GPU utilisation (DCGM_FI_DEV_GPU_UTIL, or
 *                      DCGM_FI_PROF_GR_ENGINE_ACTIVE on MIG devices, where
 *                      the former is not reported), as a closed loop;
 *   compute.smFraction mean DCGM_FI_PROF_SM_ACTIVE over mean utilisation:
 *                      the share of the SMs busy while the GPU is; on a MIG
 *                      device scaled by the instance's SMs over the GPU's;
 *   compute.memoryBound mean DCGM_FI_PROF_DRAM_ACTIVE over mean
 *                      utilisation.
 *
 * Without metrics a workload gets the GPU share it holds today as its
 * memory and a 'continuous' load (the GPU busy all the time): what a plan
 * can at worst keep, never less. What no export can tell (the GPU time of
 * one request, latency targets, prices) is a placeholder or left out, with
 * a 'FILL IN' comment.
 *
 * Comments cannot be expressed as libyaml events, so each list item is
 * emitted through yaml/yemit.h as a fragment and the comment lines are
 * written between the fragments: every value still goes through libyaml's
 * quoting, and the text is parsed back with the inventory loader before it
 * is returned. */
#include "import/internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/str.h"
#include "base/strbuf.h"
#include "base/units.h"
#include "base/xalloc.h"
#include "inventory/inventory.h"
#include "model/gpu.h"
#include "yaml/yemit.h"

#define SERVICE_TIME_PLACEHOLDER "10ms"

/* One workload: the pods of one owner. */
struct wl {
    const char *ns, *kind, *owner;
    const char *name;             /* inventory name: DNS label, unique */
    bool inferred;
    uint32_t phases[GP_PHASE_N];
    uint32_t counted;             /* pods counted */
    uint64_t replicas;
    uint32_t units_lo, units_hi;  /* GPU units per counted pod */
    const struct gp_imp_pod *first;
    bool reqs_differ;
    uint64_t share_mib;           /* the share its scheduled pods hold */
    const char *share_why;
    uint64_t assumed_mib;         /* what its other pods would get */
    const char *assumed_why;
    uint32_t pools[3];
    uint32_t n_pools;
    bool more_pools;
    uint32_t unscheduled, lost;   /* pods without a node; on unknown nodes */
    /* DCGM, over every pod of the workload */
    struct gp_dcgm_stat fb, util, gr, sm, occ, dram;
    uint32_t dcgm_pods, scrapes;
    bool shared;
    const char *mig_profile, *model_name;
};

struct kube {
    struct gp_arena *a;
    struct gp_diags *d;
    const struct gp_catalog *cat;
    const struct gp_import_opts *o;
    struct gp_imp_nodes N;
    struct gp_imp_pods P;
    struct gp_imp_dcgm M;
    bool have_pods, have_dcgm;
    struct wl *w;
    size_t n_w;
    const char *nodes_file, *pods_file;
    const char *const *dcgm_files;
    size_t n_dcgm;
};

/* ---- comments ----------------------------------------------------------- */

static void comment(struct gp_strbuf *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One '# ' line. Text from the inputs is Kubernetes names and label values,
 * but a control character must still not break the YAML around it. */
static void
comment(struct gp_strbuf *out, const char *fmt, ...)
{
    size_t start = out->len, i;
    va_list ap;

    gp_strbuf_puts(out, "# ");
    va_start(ap, fmt);
    gp_strbuf_vprintf(out, fmt, ap);
    va_end(ap);
    for (i = start; i < out->len; i++) {
        unsigned char c = (unsigned char)out->buf[i];

        if (c < 0x20 || c == 0x7f)
            out->buf[i] = '?';
    }
    gp_strbuf_putc(out, '\n');
}

/* ---- workloads ---------------------------------------------------------- */

/* The GPU memory a pool gives one device of the resource 'res', in MiB, and
 * how. */
static uint64_t
pool_share(struct kube *K, const struct gp_imp_pool *p, const char *res,
           const char **why)
{
    const char *prof = gp_str_has_prefix(res, "nvidia.com/mig-")
                           ? res + strlen("nvidia.com/mig-")
                           : NULL;

    if (prof) {
        const struct gp_mig_profile *m =
            gp_mig_find_profile(p->model->mig, prof);

        if (!m)
            return 0;
        *why = gp_arena_printf(K->a, "a MIG %s device of %s", m->name,
                               p->model->id);
        return m->memory_mib;
    }
    switch (p->mode) {
    case GP_SHARE_MIG:
        if (p->mig_strat == GP_MIG_STRATEGY_SINGLE) {
            *why = gp_arena_printf(K->a, "a MIG %s device of %s (single "
                                         "strategy)",
                                   p->lay[0]->name, p->model->id);
            return p->lay[0]->memory_mib;
        }
        break;
    case GP_SHARE_TIME_SLICING:
    case GP_SHARE_MPS:
        *why = gp_arena_printf(
            K->a, "%llu MiB of %s over %u %s replicas",
            (unsigned long long)p->memory_mib, p->model->id, p->replicas,
            p->mode == GP_SHARE_MPS ? "MPS" : "time-slicing");
        return p->memory_mib / p->replicas;
    case GP_SHARE_EXCLUSIVE:
        break;
    }
    *why = gp_arena_printf(K->a, "a whole %s (%llu MiB)", p->model->id,
                           (unsigned long long)p->memory_mib);
    return p->memory_mib;
}

/* For a pod that runs on no known node: the largest device of 'res' any
 * pool offers, else the largest the catalogue knows for a MIG profile. */
static uint64_t
assumed_share(struct kube *K, const char *res, const char **why)
{
    uint64_t best = 0;
    const char *bw = NULL;
    size_t i;

    for (i = 0; i < K->N.n_pools; i++) {
        const struct gp_imp_pool *p = &K->N.pools[i];
        const char *w = NULL;
        uint64_t m;

        if (!gp_str_has_prefix(res, "nvidia.com/mig-") &&
            p->mode == GP_SHARE_MIG && p->mig_strat == GP_MIG_STRATEGY_MIXED)
            continue;
        m = pool_share(K, p, res, &w);
        if (m > best) {
            best = m;
            bw = w;
        }
    }
    if (!best && gp_str_has_prefix(res, "nvidia.com/mig-")) {
        const char *prof = res + strlen("nvidia.com/mig-");

        for (i = 0; i < K->cat->n; i++) {
            const struct gp_mig_profile *m =
                gp_mig_find_profile(K->cat->v[i]->mig, prof);

            if (m && m->memory_mib > best) {
                best = m->memory_mib;
                bw = gp_arena_printf(K->a, "a MIG %s device of %s", m->name,
                                     K->cat->v[i]->id);
            }
        }
    }
    if (bw)
        *why = gp_arena_printf(K->a, "not scheduled, so the largest such "
                                     "device: %s",
                               bw);
    return best;
}

static struct wl *
workload_of(struct kube *K, struct gp_imp_map *map, const struct gp_imp_pod *p,
            size_t *cap)
{
    char key[800];
    bool created;
    uint32_t *slot;
    int n;

    n = snprintf(key, sizeof(key), "%s\x1f%s\x1f%s", p->ns, p->kind,
                 p->owner);
    if (n < 0 || (size_t)n >= sizeof(key))
        n = (int)sizeof(key) - 1;
    slot = gp_imp_map_put(map, key, (size_t)n, (uint32_t)K->n_w, &created);
    if (created) {
        struct wl *w;

        if (K->n_w == *cap) {
            *cap = *cap ? *cap * 2 : 64;
            K->w = gp_xrealloc(K->w, *cap * sizeof(*K->w));
        }
        w = &K->w[K->n_w++];
        memset(w, 0, sizeof(*w));
        w->ns = p->ns;
        w->kind = p->kind;
        w->owner = p->owner;
        w->inferred = p->inferred_owner;
        w->first = p;
        w->units_lo = UINT32_MAX;
    }
    return &K->w[*slot];
}

static bool
same_reqs(const struct gp_imp_pod *a, const struct gp_imp_pod *b)
{
    uint32_t i;

    if (a->n_reqs != b->n_reqs)
        return false;
    for (i = 0; i < a->n_reqs; i++) {
        if (strcmp(a->reqs[i].resource, b->reqs[i].resource) != 0 ||
            a->reqs[i].qty != b->reqs[i].qty)
            return false;
    }
    return true;
}

static void
add_pool(struct wl *w, uint32_t pool)
{
    uint32_t i;

    for (i = 0; i < w->n_pools; i++) {
        if (w->pools[i] == pool)
            return;
    }
    if (w->n_pools < 3)
        w->pools[w->n_pools++] = pool;
    else
        w->more_pools = true;
}

static void
merge_dcgm(struct kube *K, struct wl *w, const struct gp_imp_pod *p)
{
    char key[520];
    size_t kl = gp_imp_key2(key, p->ns, p->name);
    uint32_t *slot = gp_imp_map_find(&K->M.by_pod, key, kl);
    struct gp_imp_dcgm_pod *dp;

    if (!slot) {
        /* Series without a namespace label match by name. */
        kl = gp_imp_key2(key, "", p->name);
        slot = gp_imp_map_find(&K->M.by_pod, key, kl);
    }
    if (!slot)
        return;
    dp = &K->M.v[*slot];
    dp->used = true;
    w->dcgm_pods++;
    gp_imp_stat_merge(&w->fb, &dp->fb_mib);
    gp_imp_stat_merge(&w->util, &dp->util);
    gp_imp_stat_merge(&w->gr, &dp->gr_active);
    gp_imp_stat_merge(&w->sm, &dp->sm_active);
    gp_imp_stat_merge(&w->occ, &dp->sm_occupancy);
    gp_imp_stat_merge(&w->dram, &dp->dram_active);
    if (dp->scrapes > w->scrapes)
        w->scrapes = dp->scrapes;
    w->shared |= dp->shared;
    if (!w->mig_profile)
        w->mig_profile = dp->mig_profile;
    if (!w->model_name)
        w->model_name = dp->model_name;
}

static int
cmp_wl(const void *pa, const void *pb)
{
    const struct wl *x = pa, *y = pb;
    int c = strcmp(x->ns, y->ns);

    if (c)
        return c;
    if ((c = strcmp(x->owner, y->owner)) != 0)
        return c;
    return strcmp(x->kind, y->kind);
}

static int
cmp_wl_name(const void *pa, const void *pb)
{
    const struct wl *x = pa, *y = pb;
    int c = strcmp(x->ns, y->ns);

    return c ? c : strcmp(x->name, y->name);
}

/* Inventory names: DNS labels, unique within a namespace. A clash (a
 * Deployment and a StatefulSet of one name, or names that differ only in
 * characters a label cannot hold) takes the kind, then a number. */
static void
name_workloads(struct kube *K)
{
    struct gp_imp_map names;
    size_t i;

    /* qsort takes no NULL, even for nothing (no pods with GPUs) */
    if (K->n_w > 1)
        qsort(K->w, K->n_w, sizeof(*K->w), cmp_wl);
    gp_imp_map_init(&names, K->a);
    for (i = 0; i < K->n_w; i++) {
        struct wl *w = &K->w[i];
        const char *cand = gp_imp_dns_label(K->a, w->owner);
        unsigned attempt = 0;
        char key[600];
        bool created;

        for (;;) {
            size_t kl = gp_imp_key2(key, w->ns, cand);

            gp_imp_map_put(&names, key, kl, 0, &created);
            if (created)
                break;
            /* owner, then owner-kind, then owner-kind-2, -3, ... */
            attempt++;
            cand = gp_imp_dns_label(
                K->a, attempt == 1
                          ? gp_arena_printf(K->a, "%s-%s", w->owner, w->kind)
                          : gp_arena_printf(K->a, "%s-%s-%u", w->owner,
                                            w->kind, attempt));
        }
        w->name = cand;
    }
    gp_imp_map_release(&names);
    if (K->n_w > 1)
        qsort(K->w, K->n_w, sizeof(*K->w), cmp_wl_name);
}

static void
group_pods(struct kube *K)
{
    struct gp_imp_map map;
    size_t cap = 0, i, lost = 0;
    const char *lost_eg = NULL;

    gp_imp_map_init(&map, K->a);
    for (i = 0; i < K->P.n; i++) {
        struct gp_imp_pod *p = &K->P.v[i];
        struct wl *w = workload_of(K, &map, p, &cap);
        const struct gp_imp_pool *pool = NULL;
        uint32_t r;

        w->phases[p->phase]++;
        if (!same_reqs(w->first, p))
            w->reqs_differ = true;
        if (p->node) {
            uint32_t *slot = gp_imp_map_find(&K->N.by_name, p->node,
                                             strlen(p->node));

            if (!slot) {
                if (!lost_eg)
                    lost_eg = gp_arena_printf(K->a, "%s/%s on '%s'", p->ns,
                                              p->name, p->node);
                lost++;
                w->lost++;
            } else if (K->N.v[*slot].usable) {
                pool = &K->N.pools[K->N.v[*slot].pool];
            }
        }
        if (K->have_dcgm)
            merge_dcgm(K, w, p);
        if (p->phase == GP_PHASE_SUCCEEDED || p->phase == GP_PHASE_FAILED)
            continue;
        w->counted++;
        w->replicas += p->units;
        if (p->units < w->units_lo)
            w->units_lo = p->units;
        if (p->units > w->units_hi)
            w->units_hi = p->units;
        if (pool)
            add_pool(w, (uint32_t)(pool - K->N.pools));
        else if (!p->node)
            w->unscheduled++;
        for (r = 0; r < p->n_reqs; r++) {
            const char *why = NULL;
            uint64_t m;

            if (pool) {
                m = pool_share(K, pool, p->reqs[r].resource, &why);
                if (m > w->share_mib) {
                    w->share_mib = m;
                    w->share_why = why;
                }
            } else {
                m = assumed_share(K, p->reqs[r].resource, &why);
                if (m > w->assumed_mib) {
                    w->assumed_mib = m;
                    w->assumed_why = why;
                }
            }
        }
    }
    gp_imp_map_release(&map);
    if (lost)
        gp_warning_at(K->d, (struct gp_loc){K->pods_file, 0, 0, 0},
                      "%zu pod%s on nodes that are not in %s (e.g. %s); "
                      "their pools are unknown",
                      lost, lost == 1 ? "" : "s", K->nodes_file, lost_eg);
    name_workloads(K);
}

/* ---- DCGM reductions ---------------------------------------------------- */

/* Utilisation of a workload: GPU_UTIL where reported, else the graphics
 * engine activity (MIG devices report only the latter). */
static const struct gp_dcgm_stat *
util_of(const struct wl *w, const char **name)
{
    if (w->util.n) {
        *name = "DCGM_FI_DEV_GPU_UTIL";
        return &w->util;
    }
    *name = "DCGM_FI_PROF_GR_ENGINE_ACTIVE";
    return &w->gr;
}

static double
round2(double v)
{
    return round(v * 100.0) / 100.0;
}

static double
clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* SMs of the MIG instance the workload ran on over the SMs of its GPU,
 * or 0 when unknown. */
static double
mig_sm_scale(struct kube *K, const struct wl *w, const char **inst)
{
    const struct gp_gpu_model *m = NULL;
    const struct gp_mig_profile *p;

    if (!w->mig_profile)
        return 0;
    if (w->n_pools)
        m = K->N.pools[w->pools[0]].model;
    if (!m && w->model_name)
        m = gp_catalog_find(K->cat, w->model_name);
    if (!m || !m->mig || !m->sm_count)
        return 0;
    p = gp_mig_find_profile(m->mig, w->mig_profile);
    if (!p)
        return 0;
    *inst = gp_arena_printf(K->a, "%s of %s, %u of %u SMs", p->name, m->id,
                            p->sm_count, m->sm_count);
    return (double)p->sm_count / (double)m->sm_count;
}

/* ---- emitting ----------------------------------------------------------- */

static const char *
fragment_end(struct gp_yemit *e, struct gp_strbuf *frag)
{
    gp_yemit_seq_end(e);
    gp_yemit_doc_end(e);
    gp_yemit_free(e);
    return frag->buf;
}

static void
emit_pool(struct kube *K, struct gp_strbuf *out, const struct gp_imp_pool *p)
{
    struct gp_strbuf frag = GP_STRBUF_INIT, names = GP_STRBUF_INIT;
    const struct gp_imp_node *f = &K->N.v[p->nodes[0]];
    struct gp_yemit *e;
    char lay[256];
    size_t i;
    bool any_label = false;

    for (i = 0; i < p->n_nodes && i < 3; i++)
        gp_strbuf_printf(&names, "%s%s", i ? ", " : "",
                         K->N.v[p->nodes[i]].name);
    if (p->n_nodes > 3)
        gp_strbuf_printf(&names, " and %zu more", p->n_nodes - 3);
    gp_strbuf_putc(out, '\n');
    comment(out, "%zu node%s: %s%s", p->n_nodes, p->n_nodes == 1 ? "" : "s",
            names.buf,
            p->cordoned ? gp_arena_printf(K->a, " (%zu cordoned)", p->cordoned)
                        : "");
    comment(out, "GPU feature discovery: nvidia.com/gpu.product=%s, "
                 "gpu.count=%lld%s%s",
            p->product, f->count,
            f->memory_mib >= 0
                ? gp_arena_printf(K->a, ", gpu.memory=%lld", f->memory_mib)
                : "",
            f->replicas >= 0
                ? gp_arena_printf(K->a, ", gpu.replicas=%lld", f->replicas)
                : "");
    if (f->sharing || f->mig_strategy || f->mig_config)
        comment(out, "  %s%s%s%s%s%s%s",
                f->sharing ? "gpu.sharing-strategy=" : "",
                f->sharing ? f->sharing : "",
                f->sharing && (f->mig_strategy || f->mig_config) ? ", " : "",
                f->mig_strategy ? "mig.strategy=" : "",
                f->mig_strategy ? f->mig_strategy : "",
                !f->mig_config     ? ""
                : f->mig_strategy ? ", mig.config="
                                  : "mig.config=",
                f->mig_config ? f->mig_config : "");
    switch (p->mode) {
    case GP_SHARE_EXCLUSIVE:
        comment(out, "sharing today: none, one pod per GPU");
        break;
    case GP_SHARE_TIME_SLICING:
    case GP_SHARE_MPS:
        comment(out, "sharing today: %s, %u replicas per GPU (capacity "
                     "nvidia.com/gpu%s: %llu per node)",
                p->mode == GP_SHARE_MPS ? "MPS" : "time-slicing",
                p->replicas, f->cap_shared ? ".shared" : "",
                (unsigned long long)(f->cap_gpu + f->cap_shared));
        break;
    case GP_SHARE_MIG:
        comment(out, "sharing today: MIG, %s strategy: %s on each GPU%s",
                p->mig_strat == GP_MIG_STRATEGY_SINGLE ? "single" : "mixed",
                gp_imp_layout_text(p, lay, sizeof(lay)),
                p->mig_ts ? gp_arena_printf(K->a, ", each time-sliced %u "
                                                  "ways",
                                            p->mig_ts)
                          : "");
        if (p->mig_strat == GP_MIG_STRATEGY_SINGLE)
            comment(out, "  (%lld MIG devices per node over %u each: %u "
                         "GPUs)",
                    f->count, p->lay_n[0], p->gpus);
        break;
    }
    if (!p->memory_from_label)
        comment(out, "GPU memory: %llu MiB, from the catalogue",
                (unsigned long long)p->model->memory_mib);
    if (p->labels_ambiguous)
        comment(out, "labels: none that tells these nodes apart from "
                     "another pool's");
    comment(out, "FILL IN pricePerGPUHour: the cost of one GPU for one "
                 "hour (taken as 0 when absent)");

    e = gp_yemit_new(&frag);
    gp_yemit_doc_start_bare(e);
    gp_yemit_seq_start(e, false);
    gp_yemit_map_start(e, false);
    gp_yemit_kv_str(e, "name", p->name);
    gp_yemit_kv_int(e, "nodeCount", (long long)p->n_nodes);
    gp_yemit_str(e, "gpu");
    gp_yemit_map_start(e, true);
    gp_yemit_kv_str(e, "model", p->model->id);
    gp_yemit_kv_int(e, "count", p->gpus);
    gp_yemit_map_end(e);
    for (i = 0; i < GP_IMP_N_STABLE && !p->labels_ambiguous; i++) {
        if (!p->labels[i])
            continue;
        if (!any_label) {
            gp_yemit_str(e, "labels");
            gp_yemit_map_start(e, false);
            any_label = true;
        }
        gp_yemit_kv_str(e, gp_imp_stable_labels[i], p->labels[i]);
    }
    if (any_label)
        gp_yemit_map_end(e);
    gp_yemit_str(e, "sharing");
    gp_yemit_map_start(e, true);
    switch (p->mode) {
    case GP_SHARE_EXCLUSIVE:
        gp_yemit_kv_str(e, "strategy", "none");
        break;
    case GP_SHARE_TIME_SLICING:
        gp_yemit_kv_str(e, "strategy", "time-slicing");
        gp_yemit_kv_int(e, "replicas", p->replicas);
        break;
    case GP_SHARE_MPS:
        gp_yemit_kv_str(e, "strategy", "mps");
        gp_yemit_kv_int(e, "replicas", p->replicas);
        break;
    case GP_SHARE_MIG:
        gp_yemit_kv_str(e, "strategy", "mig");
        if (p->mig_ts)
            gp_yemit_kv_int(e, "replicas", p->mig_ts);
        gp_yemit_kv_str(e, "migStrategy",
                        p->mig_strat == GP_MIG_STRATEGY_SINGLE ? "single"
                                                               : "mixed");
        gp_yemit_str(e, "migDevices");
        gp_yemit_map_start(e, true);
        for (i = 0; i < p->n_lay; i++)
            gp_yemit_kv_int(e, p->lay[i]->name, p->lay_n[i]);
        gp_yemit_map_end(e);
        break;
    }
    gp_yemit_map_end(e);
    gp_yemit_map_end(e);
    gp_strbuf_puts(out, fragment_end(e, &frag));
    gp_strbuf_release(&frag);
    gp_strbuf_release(&names);
}

static const char *
phase_text(struct kube *K, const struct wl *w)
{
    struct gp_strbuf sb = GP_STRBUF_INIT;
    static const enum gp_imp_phase counted[] = {
        GP_PHASE_RUNNING, GP_PHASE_PENDING, GP_PHASE_UNKNOWN};
    const char *s;
    size_t i, k = 0;

    for (i = 0; i < 3; i++) {
        if (w->phases[counted[i]])
            gp_strbuf_printf(&sb, "%s%u %s", k++ ? ", " : "",
                             w->phases[counted[i]],
                             gp_imp_phase_name(counted[i]));
    }
    s = gp_arena_strndup(K->a, sb.buf, sb.len);
    gp_strbuf_release(&sb);
    return s;
}

static const char *
reqs_text(struct kube *K, const struct gp_imp_pod *p)
{
    struct gp_strbuf sb = GP_STRBUF_INIT;
    const char *s;
    uint32_t i;

    for (i = 0; i < p->n_reqs; i++)
        gp_strbuf_printf(&sb, "%s%s: %u", i ? ", " : "", p->reqs[i].resource,
                         p->reqs[i].qty);
    s = gp_arena_strndup(K->a, sb.buf, sb.len);
    gp_strbuf_release(&sb);
    return s;
}

/* What was measured for a workload, turned into profile values. */
struct profile {
    uint64_t mem_mib;
    bool have_util;
    double duty;
    bool have_sm;
    double sm;
    bool have_mb;
    double mb;
};

static void
emit_workload(struct kube *K, struct gp_strbuf *out, const struct wl *w,
              uint64_t *missing)
{
    struct gp_strbuf frag = GP_STRBUF_INIT;
    struct profile pr;
    struct gp_yemit *e;
    const struct gp_dcgm_stat *u;
    const char *uname = NULL, *inst = NULL;
    uint32_t fin = w->phases[GP_PHASE_SUCCEEDED] + w->phases[GP_PHASE_FAILED];
    char mem[32];
    double scale;
    uint32_t i;

    memset(&pr, 0, sizeof(pr));
    gp_strbuf_putc(out, '\n');
    comment(out, "%s %s/%s%s: %u pod%s counted (%s)%s", w->kind, w->ns,
            w->owner,
            w->inferred ? (strcmp(w->kind, "CronJob") == 0
                               ? ", inferred from its Jobs' names"
                               : ", inferred from its ReplicaSets' names")
                        : "",
            w->counted, w->counted == 1 ? "" : "s", phase_text(K, w),
            fin ? gp_arena_printf(K->a, "; %u finished not counted (%u "
                                        "Succeeded, %u Failed)",
                                  fin, w->phases[GP_PHASE_SUCCEEDED],
                                  w->phases[GP_PHASE_FAILED])
                : "");
    if (strcmp(w->name, w->owner) != 0)
        comment(out, "named '%s': '%s' is not a DNS label or is taken in "
                     "the namespace",
                w->name, w->owner);
    comment(out, "asks %s per pod%s%s", reqs_text(K, w->first),
            w->units_hi > 1
                ? gp_arena_printf(K->a, " (%u GPU devices: %u replicas per "
                                        "pod, one per device)",
                                  w->units_hi, w->units_hi)
                : "",
            w->reqs_differ ? "; pods ask differently (a rollout?): the "
                             "larger share is used"
                           : "");
    if (w->n_pools) {
        struct gp_strbuf sb = GP_STRBUF_INIT;

        for (i = 0; i < w->n_pools; i++)
            gp_strbuf_printf(&sb, "%s%s", i ? ", " : "",
                             K->N.pools[w->pools[i]].name);
        comment(out, "runs on pool%s %s%s%s", w->n_pools > 1 ? "s" : "",
                sb.buf, w->more_pools ? " and more" : "",
                w->unscheduled ? gp_arena_printf(K->a, "; %u pod%s not "
                                                       "scheduled",
                                                 w->unscheduled,
                                                 w->unscheduled == 1 ? ""
                                                                     : "s")
                               : "");
        gp_strbuf_release(&sb);
    } else if (w->unscheduled) {
        comment(out, "not scheduled yet (Pending)");
    }

    /* Memory. */
    if (w->fb.n && w->fb.max >= 1) {
        uint64_t peak = (uint64_t)ceil(w->fb.max), want, held;

        want = (uint64_t)ceil(w->fb.max *
                              (100.0 + (double)K->o->headroom_pct) / 100.0);
        /* Headroom never asks for more than the device it holds today:
         * a whole GPU's peak plus 10% would fit no GPU. */
        held = w->share_mib > peak ? w->share_mib : peak;
        pr.mem_mib = w->share_mib && want > held ? held : want;
        comment(out, "gpuMemory: DCGM_FI_DEV_FB_USED peak %llu MiB over %u "
                     "pod%s, %llu sample%s in %u scrape%s, +%u%% "
                     "headroom%s%s",
                (unsigned long long)peak, w->dcgm_pods,
                w->dcgm_pods == 1 ? "" : "s", (unsigned long long)w->fb.n,
                w->fb.n == 1 ? "" : "s", w->scrapes,
                w->scrapes == 1 ? "" : "s", K->o->headroom_pct,
                pr.mem_mib < want
                    ? gp_arena_printf(K->a, " capped at %llu MiB, the "
                                            "share it holds (or its peak)",
                                      (unsigned long long)pr.mem_mib)
                    : "",
                w->shared ? " (a device shared with other pods: an upper "
                            "bound)"
                          : "");
    } else {
        /* What its scheduled pods hold; only when none is scheduled, what
         * a pending pod would at most get. */
        bool held = w->share_mib > 0;
        const char *why = held ? w->share_why : w->assumed_why;

        pr.mem_mib = held ? w->share_mib : w->assumed_mib;
        if (K->have_dcgm && w->fb.n)
            comment(out, "gpuMemory: DCGM saw 0 MiB used (idle during the "
                         "scrapes); the share it %s: %s",
                    held ? "holds" : "would get", why ? why : "unknown");
        else
            comment(out, "gpuMemory: not measured%s; the share it %s: %s",
                    K->have_dcgm ? " (no DCGM_FI_DEV_FB_USED series for its "
                                   "pods)"
                                 : " (no --dcgm)",
                    held ? "holds today" : "would get",
                    why ? why : "unknown");
        if (K->have_dcgm && !w->fb.n)
            (*missing)++;
    }
    if (pr.mem_mib == 0) {
        pr.mem_mib = 16384;
        comment(out, "FILL IN gpuMemory: no GPU in the inventory offers "
                     "what it asks; 16Gi is a placeholder");
        gp_warning_at(K->d, w->first->loc,
                      "%s %s/%s: no GPU share to take its memory from; "
                      "gpuMemory is a 16Gi placeholder",
                      w->kind, w->ns, w->owner);
    }
    /* Compute. */
    u = util_of(w, &uname);
    if (u->n) {
        pr.have_util = true;
        pr.duty = clamp(ceil(u->max * 100.0 - 1e-9) / 100.0, 0.01, 1);
        comment(out, "traffic.dutyCycle: %s peak %.2f (mean %.2f over %llu "
                     "sample%s)%s",
                uname, u->max, gp_imp_stat_mean(u), (unsigned long long)u->n,
                u->n == 1 ? "" : "s",
                u->max < 0.005 ? "; idle while measured, 0.01 is the least "
                                 "allowed"
                               : "");
        scale = mig_sm_scale(K, w, &inst);
        if (w->sm.n && gp_imp_stat_mean(u) > 0) {
            double raw = gp_imp_stat_mean(&w->sm) / gp_imp_stat_mean(u);

            pr.have_sm = true;
            pr.sm = clamp(round2(raw * (scale > 0 ? scale : 1)), 0.01,
                          1);
            comment(out, "compute.smFraction: DCGM_FI_PROF_SM_ACTIVE mean "
                         "%.2f / utilisation mean %.2f%s",
                    gp_imp_stat_mean(&w->sm), gp_imp_stat_mean(u),
                    scale > 0 ? gp_arena_printf(K->a, ", x %.3f for the MIG "
                                                      "instance (%s): a "
                                                      "lower bound",
                                                scale, inst)
                              : "");
        }
        if (w->occ.n)
            comment(out, "  (DCGM_FI_PROF_SM_OCCUPANCY peak %.2f, mean %.2f)",
                    w->occ.max, gp_imp_stat_mean(&w->occ));
        if (w->dram.n && gp_imp_stat_mean(u) > 0) {
            pr.have_mb = true;
            pr.mb = clamp(round2(gp_imp_stat_mean(&w->dram) /
                                     gp_imp_stat_mean(u)),
                          0, 1);
            comment(out, "compute.memoryBound: DCGM_FI_PROF_DRAM_ACTIVE mean "
                         "%.2f / utilisation mean %.2f",
                    gp_imp_stat_mean(&w->dram), gp_imp_stat_mean(u));
        }
    } else {
        comment(out, "traffic: not measured%s; 'continuous' takes the GPU "
                     "as busy all the time",
                K->have_dcgm ? " (no utilisation series for its pods)"
                             : " (no --dcgm)");
    }
    if (!pr.have_sm)
        comment(out, "compute.smFraction: not measured; 1 (all SMs) by "
                     "default");
    comment(out, "FILL IN compute.serviceTime: the GPU time of one request "
                 "(or step) on a whole GPU; %s is a placeholder",
            SERVICE_TIME_PLACEHOLDER);
    comment(out, "FILL IN target: p99Latency or throughput, if it has one; "
                 "isolation: 'hard' if it must keep MIG or a whole GPU");

    e = gp_yemit_new(&frag);
    gp_yemit_doc_start_bare(e);
    gp_yemit_seq_start(e, false);
    gp_yemit_map_start(e, false);
    gp_yemit_kv_str(e, "name", w->name);
    gp_yemit_kv_str(e, "namespace", w->ns);
    gp_yemit_kv_int(e, "replicas", (long long)w->replicas);
    gp_yemit_kv_str(e, "gpuMemory", gp_format_bytes(pr.mem_mib << 20, mem));
    gp_yemit_str(e, "compute");
    gp_yemit_map_start(e, true);
    gp_yemit_kv_str(e, "serviceTime", SERVICE_TIME_PLACEHOLDER);
    if (pr.have_sm)
        gp_yemit_kv_num(e, "smFraction", pr.sm, 2);
    if (pr.have_mb)
        gp_yemit_kv_num(e, "memoryBound", pr.mb, 2);
    gp_yemit_map_end(e);
    gp_yemit_str(e, "traffic");
    gp_yemit_map_start(e, true);
    if (pr.have_util) {
        gp_yemit_kv_str(e, "pattern", "closed-loop");
        gp_yemit_kv_num(e, "dutyCycle", pr.duty, 2);
    } else {
        gp_yemit_kv_str(e, "pattern", "continuous");
    }
    gp_yemit_map_end(e);
    gp_yemit_map_end(e);
    gp_strbuf_puts(out, fragment_end(e, &frag));
    gp_strbuf_release(&frag);
}

static void
emit_header(struct kube *K, struct gp_strbuf *out)
{
    struct gp_strbuf files = GP_STRBUF_INIT;
    size_t gpus = 0, nodes = 0, i;
    uint64_t counted = 0, fin = 0, gpu_pods = K->P.n;

    for (i = 0; i < K->N.n_pools; i++) {
        nodes += K->N.pools[i].n_nodes;
        gpus += K->N.pools[i].n_nodes * K->N.pools[i].gpus;
    }
    for (i = 0; i < K->P.n; i++) {
        enum gp_imp_phase ph = K->P.v[i].phase;

        if (ph == GP_PHASE_SUCCEEDED || ph == GP_PHASE_FAILED)
            fin++;
        else
            counted++;
    }
    gp_strbuf_printf(&files, "%s", gp_imp_basename(K->nodes_file));
    if (K->have_pods)
        gp_strbuf_printf(&files, " and %s", gp_imp_basename(K->pods_file));
    comment(out, "Inventory imported by 'gpuplan import kubectl' from %s.",
            files.buf);
    if (K->have_dcgm) {
        gp_strbuf_reset(&files);
        for (i = 0; i < K->n_dcgm; i++)
            gp_strbuf_printf(&files, "%s%s", i ? ", " : "",
                             gp_imp_basename(K->dcgm_files[i]));
        comment(out, "Workload profiles measured by dcgm-exporter: %s (%u "
                     "scrape%s, %llu samples).",
                files.buf, K->M.scrapes, K->M.scrapes == 1 ? "" : "s",
                (unsigned long long)K->M.samples);
    }
    comment(out, "What the exports cannot tell is a placeholder marked "
                 "'FILL IN': review those");
    comment(out, "lines before planning. docs/import.md explains every "
                 "value.");
    comment(out, "nodes: %zu, %zu with GPUs in %zu pool%s (%zu GPUs)%s%s",
            K->N.total, nodes, K->N.n_pools, K->N.n_pools == 1 ? "" : "s",
            gpus,
            K->N.non_gpu ? gp_arena_printf(K->a, "; %zu without GPUs",
                                           K->N.non_gpu)
                         : "",
            K->N.skipped ? gp_arena_printf(K->a, "; %zu left out "
                                                 "(--skip-unusable)",
                                           K->N.skipped)
                         : "");
    if (K->have_pods)
        comment(out, "pods: %zu, %llu asking for GPUs (%llu counted, %llu "
                     "finished and not counted), %zu without GPU requests",
                K->P.total, (unsigned long long)gpu_pods,
                (unsigned long long)counted, (unsigned long long)fin,
                K->P.non_gpu);
    gp_strbuf_release(&files);
}

static void
emit_trailer(struct kube *K, struct gp_strbuf *out)
{
    size_t i, shown = 0, total = 0;

    for (i = 0; i < K->n_w; i++)
        total += K->w[i].counted == 0;
    if (K->N.skipped) {
        gp_strbuf_putc(out, '\n');
        comment(out, "Left out (--skip-unusable): %zu GPU node%s that could "
                     "not be read; see the warnings",
                K->N.skipped, K->N.skipped == 1 ? "" : "s");
    }
    if (!total)
        return;
    gp_strbuf_putc(out, '\n');
    comment(out, "Not imported: %zu workload%s whose pods have all finished:",
            total, total == 1 ? "" : "s");
    for (i = 0; i < K->n_w && shown < 20; i++) {
        const struct wl *w = &K->w[i];

        if (w->counted)
            continue;
        comment(out, "  %s %s/%s: %u Succeeded, %u Failed", w->kind, w->ns,
                w->owner, w->phases[GP_PHASE_SUCCEEDED],
                w->phases[GP_PHASE_FAILED]);
        shown++;
    }
    if (total > shown)
        comment(out, "  and %zu more", total - shown);
}

static void
emit_all(struct kube *K, struct gp_strbuf *out, uint64_t *missing)
{
    struct gp_strbuf frag = GP_STRBUF_INIT;
    struct gp_yemit *e;
    size_t i, n = 0;

    emit_header(K, out);
    e = gp_yemit_new(&frag);
    gp_yemit_doc_start_bare(e);
    gp_yemit_map_start(e, false);
    gp_yemit_kv_str(e, "apiVersion", GP_API_VERSION);
    gp_yemit_kv_str(e, "kind", "Inventory");
    gp_yemit_str(e, "metadata");
    gp_yemit_map_start(e, false);
    gp_yemit_kv_str(e, "name", K->o->name ? K->o->name : "imported");
    gp_yemit_map_end(e);
    gp_yemit_map_end(e);
    gp_yemit_doc_end(e);
    gp_yemit_free(e);
    gp_strbuf_puts(out, frag.buf);
    gp_strbuf_release(&frag);
    gp_strbuf_puts(out, K->N.n_pools ? "nodePools:\n" : "nodePools: []\n");
    for (i = 0; i < K->N.n_pools; i++)
        emit_pool(K, out, &K->N.pools[i]);
    if (K->have_pods) {
        for (i = 0; i < K->n_w; i++)
            n += K->w[i].counted > 0;
        gp_strbuf_puts(out, n ? "workloads:\n" : "workloads: []\n");
        for (i = 0; i < K->n_w; i++) {
            if (K->w[i].counted)
                emit_workload(K, out, &K->w[i], missing);
        }
    }
    emit_trailer(K, out);
}

/* Warnings about what the metrics did not cover. */
static void
report_coverage(struct kube *K, uint64_t missing)
{
    size_t i, unknown = 0, counted = 0;
    const char *eg = NULL;

    for (i = 0; i < GP_M_N; i++) {
        static const char *const use[GP_M_N] = {
            "gpuMemory falls back to the GPU share each workload holds",
            NULL,
            NULL,
            "smFraction stays at its default, 1",
            NULL,
            "memoryBound stays at its default, 0.5",
        };

        if (K->M.seen[i] || !use[i])
            continue;
        gp_warning_at(K->d, (struct gp_loc){K->dcgm_files[0], 0, 0, 0},
                      "no %s series in the metrics: %s",
                      gp_imp_metric_names[i], use[i]);
        gp_diag_hint(K->d, "enable it in dcgm-exporter's counters CSV "
                           "(-f/--collectors)");
    }
    if (!K->M.seen[GP_M_GPU_UTIL] && !K->M.seen[GP_M_GR_ACTIVE])
        gp_warning_at(K->d, (struct gp_loc){K->dcgm_files[0], 0, 0, 0},
                      "no DCGM_FI_DEV_GPU_UTIL nor "
                      "DCGM_FI_PROF_GR_ENGINE_ACTIVE series in the metrics: "
                      "traffic stays 'continuous'");
    for (i = 0; i < K->M.n; i++) {
        if (K->M.v[i].used)
            continue;
        if (!eg)
            eg = gp_arena_printf(K->a, "%s/%s", K->M.v[i].ns, K->M.v[i].pod);
        unknown++;
    }
    if (unknown)
        gp_warning_at(K->d, (struct gp_loc){K->dcgm_files[0], 0, 0, 0},
                      "%zu pod%s in the metrics %s not in %s (e.g. %s); "
                      "their samples are not used",
                      unknown, unknown == 1 ? "" : "s",
                      unknown == 1 ? "is" : "are", K->pods_file, eg);
    for (i = 0; i < K->n_w; i++)
        counted += K->w[i].counted > 0;
    if (missing)
        gp_warning_at(K->d, (struct gp_loc){K->dcgm_files[0], 0, 0, 0},
                      "%llu of %zu workloads without DCGM_FI_DEV_FB_USED "
                      "series: gpuMemory is the GPU share held (see the "
                      "comments in the output)",
                      (unsigned long long)missing, counted);
}

/* The output must load: a failure here is a bug in this file. */
static int
self_check(struct kube *K, const struct gp_strbuf *out)
{
    struct gp_diags *scratch = gp_diags_new(K->a);
    struct gp_inventory *inv;
    const struct gp_diag *v;
    size_t n, i;

    if (gp_inventory_parse(&inv, K->a, "<import>", out->buf, out->len, K->cat,
                           scratch) == 0)
        return 0;
    v = gp_diags_sorted(scratch, &n);
    for (i = 0; i < n && i < 5; i++) {
        if (v[i].sev == GP_SEV_ERROR)
            gp_error_at(K->d, (struct gp_loc){NULL, 0, 0, 0},
                        "internal error: the imported inventory does not "
                        "load: line %u: %s",
                        v[i].loc.line, v[i].msg);
    }
    return -2;
}

int
gp_import_kubectl(struct gp_strbuf *out, struct gp_arena *a,
                  const struct gp_import_src *nodes,
                  const struct gp_import_src *pods,
                  const struct gp_import_src *dcgm, size_t n_dcgm,
                  const struct gp_import_opts *o,
                  const struct gp_catalog *cat,
                  struct gp_import_summary *sum, struct gp_diags *d)
{
    struct kube K;
    struct gp_strbuf text = GP_STRBUF_INIT;
    const char **dfiles;
    uint64_t missing = 0;
    size_t errors = gp_diags_errors(d), i;
    int rc = -1;

    memset(&K, 0, sizeof(K));
    K.a = a;
    K.d = d;
    K.cat = cat;
    K.o = o;
    K.nodes_file = nodes->file;
    K.pods_file = pods ? pods->file : NULL;
    K.have_pods = pods != NULL;
    K.have_dcgm = n_dcgm > 0;
    dfiles = gp_arena_calloc(a, n_dcgm + 1, sizeof(*dfiles));
    for (i = 0; i < n_dcgm; i++)
        dfiles[i] = dcgm[i].file;
    K.dcgm_files = dfiles;
    K.n_dcgm = n_dcgm;
    /* Every input is read, so one run reports the errors of all. */
    gp_imp_nodes_load(&K.N, a, nodes, cat, o->skip_unusable, d);
    if (pods)
        gp_imp_pods_load(&K.P, a, pods, d);
    if (n_dcgm)
        gp_imp_dcgm_load(&K.M, a, dcgm, n_dcgm, d);
    if (n_dcgm && !pods)
        gp_error_at(d, (struct gp_loc){NULL, 0, 0, 0},
                    "--dcgm needs the pods file: DCGM series name pods, and "
                    "the pods tell their workloads");
    if (gp_diags_errors(d) > errors)
        goto out;
    if (pods)
        group_pods(&K);
    emit_all(&K, &text, &missing);
    if (K.have_dcgm)
        report_coverage(&K, missing);
    if (self_check(&K, &text) < 0) {
        rc = -2;
        goto out;
    }
    gp_strbuf_add(out, text.buf, text.len);
    if (sum) {
        memset(sum, 0, sizeof(*sum));
        sum->pools = K.N.n_pools;
        for (i = 0; i < K.N.n_pools; i++) {
            sum->nodes += K.N.pools[i].n_nodes;
            sum->gpus += K.N.pools[i].n_nodes * K.N.pools[i].gpus;
        }
        for (i = 0; i < K.n_w; i++) {
            sum->workloads += K.w[i].counted > 0;
            sum->replicas += K.w[i].replicas;
        }
    }
    rc = 0;
out:
    gp_strbuf_release(&text);
    free(K.w);
    gp_imp_nodes_release(&K.N);
    gp_imp_pods_release(&K.P);
    gp_imp_dcgm_release(&K.M);
    return rc;
}

/* ---- import dcgm: the metrics on their own ------------------------------ */

static int
cmp_row(const void *pa, const void *pb)
{
    const struct gp_dcgm_row *x = pa, *y = pb;
    int c = strcmp(x->ns, y->ns);

    if (c)
        return c;
    if ((c = strcmp(x->name, y->name)) != 0)
        return c;
    return strcmp(x->kind, y->kind);
}

static void
row_from_pod(struct gp_dcgm_row *r, const struct gp_imp_dcgm_pod *p)
{
    gp_imp_stat_merge(&r->fb_mib, &p->fb_mib);
    gp_imp_stat_merge(&r->util, &p->util);
    gp_imp_stat_merge(&r->gr_active, &p->gr_active);
    gp_imp_stat_merge(&r->sm_active, &p->sm_active);
    gp_imp_stat_merge(&r->sm_occupancy, &p->sm_occupancy);
    gp_imp_stat_merge(&r->dram_active, &p->dram_active);
    if (p->scrapes > r->scrapes)
        r->scrapes = p->scrapes;
    r->shared |= p->shared;
    if (!r->mig_profile)
        r->mig_profile = p->mig_profile;
    r->pods++;
}

int
gp_import_dcgm(struct gp_dcgm_report **out, struct gp_arena *a,
               const struct gp_import_src *dcgm, size_t n_dcgm,
               const struct gp_import_src *pods, struct gp_diags *d)
{
    struct gp_dcgm_report *R = gp_arena_alloc(a, sizeof(*R));
    struct gp_imp_dcgm M;
    struct gp_imp_pods P;
    struct gp_imp_map rows;
    size_t errors = gp_diags_errors(d), i, cap = 0, unknown = 0;
    const char *eg = NULL;

    memset(&P, 0, sizeof(P));
    gp_imp_map_init(&rows, a);
    if (gp_imp_dcgm_load(&M, a, dcgm, n_dcgm, d) < 0)
        M.n = 0;
    if (pods)
        gp_imp_pods_load(&P, a, pods, d);
    if (gp_diags_errors(d) > errors) {
        gp_imp_pods_release(&P);
        gp_imp_dcgm_release(&M);
        return -1;
    }
    for (i = 0; i < M.n; i++) {
        const struct gp_imp_dcgm_pod *dp = &M.v[i];
        const char *ns = dp->ns, *name = dp->pod, *kind = "Pod";
        char key[800];
        bool created;
        uint32_t *slot;
        int n;

        if (pods) {
            size_t kl = gp_imp_key2(key, dp->ns, dp->pod);
            uint32_t *ps = gp_imp_map_find(&P.by_name, key, kl);

            if (!ps) {
                if (!eg)
                    eg = gp_arena_printf(a, "%s/%s", dp->ns, dp->pod);
                unknown++;
            } else {
                ns = P.v[*ps].ns;
                name = P.v[*ps].owner;
                kind = P.v[*ps].kind;
            }
        }
        n = snprintf(key, sizeof(key), "%s\x1f%s\x1f%s", ns, kind, name);
        if (n < 0 || (size_t)n >= sizeof(key))
            n = (int)sizeof(key) - 1;
        slot = gp_imp_map_put(&rows, key, (size_t)n, (uint32_t)R->n_rows,
                              &created);
        if (created) {
            if (R->n_rows == cap) {
                cap = cap ? cap * 2 : 64;
                R->rows = gp_arena_grow(a, R->rows, R->n_rows, cap,
                                        sizeof(*R->rows));
            }
            memset(&R->rows[R->n_rows], 0, sizeof(*R->rows));
            R->rows[R->n_rows].ns = ns;
            R->rows[R->n_rows].name = name;
            R->rows[R->n_rows].kind = kind;
            R->n_rows++;
        }
        row_from_pod(&R->rows[*slot], dp);
    }
    if (R->n_rows > 1)
        qsort(R->rows, R->n_rows, sizeof(*R->rows), cmp_row);
    if (unknown)
        gp_warning_at(d, (struct gp_loc){pods->file, 0, 0, 0},
                      "%zu pod%s in the metrics %s not in this file (e.g. "
                      "%s); shown as pods",
                      unknown, unknown == 1 ? "" : "s",
                      unknown == 1 ? "is" : "are", eg);
    R->samples = M.samples;
    R->unattributed = M.unattributed;
    R->scrapes = M.scrapes;
    R->n_files = n_dcgm;
    for (i = 0; i < GP_M_N; i++) {
        if (!M.seen[i])
            R->missing[R->n_missing++] = gp_imp_metric_names[i];
    }
    gp_imp_map_release(&rows);
    gp_imp_pods_release(&P);
    gp_imp_dcgm_release(&M);
    *out = R;
    return 0;
}
