/* SPDX-License-Identifier: MIT */
/* inventory/inventory.c: load inventories. Each loader function records every
 * problem it sees and keeps going, so one run reports all errors in all
 * files; a field that failed to load is left at its zero value and never
 * reaches a caller, because the whole load fails. */
#include "inventory/inventory.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/fs.h"
#include "base/str.h"
#include "base/strbuf.h"
#include "mig/geometry.h"
#include "yaml/yget.h"

const char *
gp_share_mode_name(enum gp_share_mode m)
{
    static const char *const n[] = {"none", "time-slicing", "mps", "mig"};

    return n[m];
}

const char *
gp_traffic_name(enum gp_traffic t)
{
    static const char *const n[] = {"poisson", "closed-loop", "continuous"};

    return n[t];
}

const char *
gp_isolation_name(enum gp_isolation i)
{
    static const char *const n[] = {"none", "tenant", "hard"};

    return n[i];
}

double
gp_workload_duty(const struct gp_workload *w)
{
    switch (w->traffic) {
    case GP_TRAFFIC_POISSON:
        return w->rps / (double)w->replicas * w->service_time_s;
    case GP_TRAFFIC_CLOSED_LOOP: {
        double one = w->service_time_s / (w->service_time_s + w->think_time_s);
        double d = one * (double)w->clients;

        return d > 1 ? 1 : d;
    }
    case GP_TRAFFIC_CONTINUOUS:
        return 1;
    }
    return 1;
}

struct vec {
    void *v;
    size_t n, cap;
};

static void *
vec_push(struct gp_arena *a, struct vec *v, size_t size)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;

        v->v = gp_arena_grow(a, v->v, v->n, cap, size);
        v->cap = cap;
    }
    return (char *)v->v + size * v->n++;
}

struct loader {
    struct gp_arena *a;
    struct gp_diags *d;
    size_t errors_before; /* any error recorded since then fails the load */
    const struct gp_catalog *cat;
    struct vec pools, loads;
    const char *name;
    uint64_t total_gpus, total_replicas;
    bool gpus_over, replicas_over;
    int rc;
};

/* Records a failure of a field loader without stopping. */
static void
fail(struct loader *L)
{
    L->rc = -1;
}

static const char *
get_name(struct loader *L, const struct gp_ynode *v, const char *key)
{
    const char *s, *why;

    if (!v)
        return NULL;
    if (gp_yget_str(v, key, &s, L->d) < 0) {
        fail(L);
        return NULL;
    }
    if (!gp_k8s_dns_label(s, &why)) {
        gp_error_at(L->d, gp_ynode_loc(v), "invalid %s '%.100s': %s", key, s,
                    why);
        gp_diag_hint(L->d, "use a Kubernetes name such as 'bert-serving': "
                           "lower case letters, digits and '-'");
        fail(L);
        return NULL;
    }
    return s;
}

static void
load_labels(struct loader *L, const struct gp_ynode *n, struct gp_node_pool *p)
{
    size_t i;

    if (!n || gp_ynode_is_null(n))
        return;
    if (n->kind != GP_YMAP) {
        gp_error_at(L->d, n->loc, "'labels' must be a mapping of label keys "
                                  "to values, got a %s",
                    gp_ynode_describe(n));
        fail(L);
        return;
    }
    p->labels = gp_arena_calloc(L->a, n->n_pairs, sizeof(*p->labels));
    for (i = 0; i < n->n_pairs; i++) {
        const struct gp_ynode *k = n->pairs[i].key, *v = n->pairs[i].value;
        struct gp_label *l = &p->labels[p->n_labels];
        const char *why;

        if (!gp_k8s_label_key(k->str, &why)) {
            gp_error_at(L->d, k->loc, "invalid label key '%.100s': %s",
                        k->str, why);
            fail(L);
            continue;
        }
        if (gp_yget_str(v, k->str, &l->value, L->d) < 0) {
            fail(L);
            continue;
        }
        if (!gp_k8s_label_value(l->value, &why)) {
            gp_error_at(L->d, v->loc, "invalid value '%.100s' for label "
                                      "'%s': %s",
                        l->value, k->str, why);
            fail(L);
            continue;
        }
        l->key = k->str;
        l->loc = k->loc;
        p->n_labels++;
    }
}

static void
load_mig_devices(struct loader *L, const struct gp_ynode *n,
                 struct gp_node_pool *p)
{
    struct gp_sharing *s = &p->sharing;
    const struct gp_mig_spec *mig = p->gpu ? p->gpu->mig : NULL;
    struct gp_strbuf why = GP_STRBUF_INIT;
    struct gp_mig_check chk;
    size_t i;
    bool ok = true;

    if (n->kind != GP_YMAP || n->n_pairs == 0) {
        gp_error_at(L->d, n->loc, "'migDevices' must map MIG profiles to "
                                  "instance counts, e.g. {\"3g.40gb\": 2}");
        fail(L);
        return;
    }
    if (p->gpu && !mig) {
        gp_error_at(L->d, n->loc, "GPU model '%s' does not support MIG",
                    p->gpu->id);
        fail(L);
        return;
    }
    for (i = 0; i < n->n_pairs; i++) {
        const struct gp_ynode *k = n->pairs[i].key, *v = n->pairs[i].value;
        const struct gp_mig_profile *prof = NULL;
        uint64_t cnt;
        uint32_t c;

        if (mig) {
            prof = gp_mig_find_profile(mig, k->str);
            if (!prof) {
                const struct gp_mig_profile *sug =
                    gp_mig_suggest_profile(mig, k->str);
                struct gp_loc at = k->loc;

                at.len = (uint32_t)(k->len ? k->len : 1);
                gp_error_at(L->d, at, "MIG profile '%.64s' does not exist on "
                                      "%s",
                            k->str, p->gpu->id);
                if (sug)
                    gp_diag_hint(L->d, "did you mean '%s'?", sug->name);
                ok = false;
            }
        }
        if (gp_yget_uint(v, k->str, 0, GP_MIG_MAX_SLICES, &cnt, L->d) < 0) {
            ok = false;
            continue;
        }
        if (!prof)
            continue;
        for (c = 0; c < cnt && s->n_mig < GP_MIG_MAX_SLICES; c++)
            s->mig[s->n_mig++] = prof;
    }
    if (!ok || !mig) {
        fail(L);
        goto out;
    }
    if (s->n_mig == 0) {
        gp_error_at(L->d, n->loc, "'migDevices' creates no MIG instance (all "
                                  "counts are 0)");
        fail(L);
        goto out;
    }
    gp_mig_check(&chk, mig, s->mig, s->n_mig, &why);
    if (chk.verdict != GP_MIG_FITS) {
        gp_error_at(L->d, n->loc, "this MIG layout does not fit %s: %s",
                    p->gpu->id, why.buf);
        fail(L);
        goto out;
    }
    for (i = 0; i < chk.placed.n; i++)
        s->mig[i] = chk.placed.inst[i].profile;
    if (s->mig_strategy == GP_MIG_STRATEGY_SINGLE) {
        for (i = 1; i < s->n_mig; i++) {
            if (s->mig[i] != s->mig[0]) {
                gp_error_at(L->d, n->loc,
                            "migStrategy 'single' needs one profile on every "
                            "GPU; this layout mixes '%s' and '%s'",
                            s->mig[0]->name, s->mig[i]->name);
                gp_diag_hint(L->d, "set 'migStrategy: mixed'");
                fail(L);
                break;
            }
        }
    }
out:
    gp_strbuf_release(&why);
}

static void
load_sharing(struct loader *L, const struct gp_ynode *n, struct gp_node_pool *p)
{
    static const char *const keys[] = {"strategy", "replicas", "migStrategy",
                                       "migDevices", NULL};
    static const char *const req[] = {"strategy", NULL};
    static const char *const modes[] = {"none", "time-slicing", "mps", "mig",
                                        NULL};
    static const char *const strategies[] = {"single", "mixed", NULL};
    struct gp_sharing *s = &p->sharing;
    const struct gp_ynode *v;
    size_t idx;
    uint64_t x;

    if (gp_ymap_expect(n, "sharing", keys, req, L->d) < 0) {
        fail(L);
        return;
    }
    p->has_sharing = true;
    s->loc = n->loc;
    if (!(v = gp_ymap_get(n, "strategy")) ||
        gp_yget_enum(v, "strategy", modes, &idx, L->d) < 0) {
        fail(L);
        return;
    }
    s->mode = (enum gp_share_mode)idx;
    v = gp_ymap_get(n, "replicas");
    if (s->mode == GP_SHARE_TIME_SLICING || s->mode == GP_SHARE_MPS) {
        /* The device plugin's own limits: replicas >= 2, and MPS allows at
         * most 48 clients (16 before compute capability 7.5). */
        uint64_t max = s->mode == GP_SHARE_MPS ? 48 : 1024;

        if (s->mode == GP_SHARE_MPS && p->gpu &&
            !gp_model_cc_at_least(p->gpu, 7, 5))
            max = 16;
        if (!v) {
            gp_error_at(L->d, n->loc, "strategy '%s' needs 'replicas'",
                        modes[idx]);
            fail(L);
        } else if (gp_yget_uint(v, "replicas", 2, max, &x, L->d) < 0) {
            if (max == 16)
                gp_diag_hint(L->d, "the NVIDIA device plugin allows at most "
                                   "16 MPS clients below compute capability "
                                   "7.5 (%s has %s)",
                             p->gpu->id, p->gpu->compute_capability);
            fail(L);
        } else {
            s->replicas = (uint32_t)x;
        }
    } else if (s->mode == GP_SHARE_MIG) {
        if (v) {
            if (gp_yget_uint(v, "replicas", 2, 1024, &x, L->d) < 0)
                fail(L);
            else
                s->mig_time_slicing_replicas = (uint32_t)x;
        }
    } else if (v) {
        gp_error_at(L->d, v->loc, "'replicas' has no meaning with strategy "
                                  "'none'");
        fail(L);
    }
    v = gp_ymap_get(n, "migStrategy");
    if (v) {
        if (s->mode != GP_SHARE_MIG) {
            gp_error_at(L->d, v->loc, "'migStrategy' needs strategy 'mig'");
            fail(L);
        } else if (gp_yget_enum(v, "migStrategy", strategies, &idx, L->d) < 0) {
            fail(L);
        } else {
            s->mig_strategy = (enum gp_mig_strategy)idx;
        }
    } else {
        s->mig_strategy = GP_MIG_STRATEGY_MIXED;
    }
    v = gp_ymap_get(n, "migDevices");
    if (s->mode == GP_SHARE_MIG) {
        if (!v) {
            gp_error_at(L->d, n->loc, "strategy 'mig' needs 'migDevices'");
            fail(L);
        } else {
            load_mig_devices(L, v, p);
        }
    } else if (v) {
        gp_error_at(L->d, v->loc, "'migDevices' needs strategy 'mig'");
        fail(L);
    }
}

static void
limit_error(struct loader *L, struct gp_loc at, const char *what,
            unsigned long long have, unsigned long long limit)
{
    gp_error_at(L->d, at,
                "the inventory has more than %llu %s here (%llu so far); "
                "gpuplan plans at most %llu",
                limit, what, have, limit);
    gp_diag_hint(L->d, "split the inventory, or plan one cluster at a time "
                       "(docs/limits.md)");
    fail(L);
}

static void
load_pool(struct loader *L, const struct gp_ynode *n)
{
    static const char *const keys[] = {"name", "nodeCount", "gpu",
                                       "pricePerGPUHour", "labels", "sharing",
                                       NULL};
    static const char *const req[] = {"name", "nodeCount", "gpu", NULL};
    static const char *const gkeys[] = {"model", "count", NULL};
    struct gp_node_pool *p;
    const struct gp_ynode *v, *g;
    uint64_t x;

    if (gp_ymap_expect(n, "node pool", keys, req, L->d) < 0) {
        fail(L);
        return;
    }
    p = vec_push(L->a, &L->pools, sizeof(*p));
    memset(p, 0, sizeof(*p));
    p->loc = n->loc;
    p->name = get_name(L, gp_ymap_get(n, "name"), "name");
    if ((v = gp_ymap_get(n, "nodeCount"))) {
        if (gp_yget_uint(v, "nodeCount", 1, 100000, &x, L->d) < 0)
            fail(L);
        else
            p->nodes = (uint32_t)x;
    }
    g = gp_ymap_get(n, "gpu");
    if (g && gp_ymap_expect(g, "gpu", gkeys, gkeys, L->d) == 0) {
        const char *model;

        if ((v = gp_ymap_get(g, "model")) &&
            gp_yget_str(v, "model", &model, L->d) == 0) {
            p->gpu = gp_catalog_find(L->cat, model);
            if (!p->gpu) {
                const char *sug = gp_catalog_suggest(L->cat, model);

                gp_error_at(L->d, v->loc, "unknown GPU model '%.100s'", model);
                if (sug)
                    gp_diag_hint(L->d, "did you mean '%s'?", sug);
                else
                    gp_diag_hint(L->d, "'gpuplan models' lists the known "
                                       "models; add one with --models DIR");
                fail(L);
            }
        } else if (v) {
            fail(L);
        }
        if ((v = gp_ymap_get(g, "count"))) {
            if (gp_yget_uint(v, "count", 1, 16, &x, L->d) < 0)
                fail(L);
            else
                p->gpus_per_node = (uint32_t)x;
        }
    } else if (g) {
        fail(L);
    }
    if ((v = gp_ymap_get(n, "pricePerGPUHour")) &&
        gp_yget_double(v, "pricePerGPUHour", 0, 10000, &p->price_per_gpu_hour,
                       L->d) < 0)
        fail(L);
    load_labels(L, gp_ymap_get(n, "labels"), p);
    if ((v = gp_ymap_get(n, "sharing")) && !gp_ynode_is_null(v))
        load_sharing(L, v, p);
    L->total_gpus += (uint64_t)p->nodes * p->gpus_per_node;
    /* Each limit is reported once, where the inventory crosses it. */
    if (L->pools.n == GP_MAX_POOLS + 1)
        limit_error(L, n->loc, "node pools", L->pools.n, GP_MAX_POOLS);
    if (L->total_gpus > GP_MAX_TOTAL_GPUS && !L->gpus_over) {
        L->gpus_over = true;
        limit_error(L, n->loc, "GPUs", L->total_gpus, GP_MAX_TOTAL_GPUS);
    }
}

static void
load_compute(struct loader *L, const struct gp_ynode *n, struct gp_workload *w)
{
    static const char *const keys[] = {"serviceTime", "smFraction",
                                       "memoryBound", "kernelTime",
                                       "syncsPerRequest", "serviceTimeCV",
                                       NULL};
    static const char *const req[] = {"serviceTime", NULL};
    const struct gp_ynode *v;

    if (gp_ymap_expect(n, "compute", keys, req, L->d) < 0) {
        fail(L);
        return;
    }
    if ((v = gp_ymap_get(n, "serviceTime")) &&
        gp_yget_duration(v, "serviceTime", 0, true, 3600, &w->service_time_s,
                         L->d) < 0)
        fail(L);
    if ((v = gp_ymap_get(n, "smFraction")) &&
        gp_yget_fraction(v, "smFraction", 0, true, 1, &w->sm_fraction, L->d) <
            0)
        fail(L);
    if ((v = gp_ymap_get(n, "memoryBound")) &&
        gp_yget_fraction(v, "memoryBound", 0, false, 1, &w->memory_bound,
                         L->d) < 0)
        fail(L);
    if ((v = gp_ymap_get(n, "kernelTime")) &&
        gp_yget_duration(v, "kernelTime", 1e-7, false, 3600, &w->kernel_time_s,
                         L->d) < 0)
        fail(L);
    if ((v = gp_ymap_get(n, "syncsPerRequest"))) {
        uint64_t x;

        if (gp_yget_uint(v, "syncsPerRequest", 1, 100000, &x, L->d) < 0)
            fail(L);
        else
            w->syncs = (uint32_t)x;
    }
    if ((v = gp_ymap_get(n, "serviceTimeCV")) &&
        gp_yget_double(v, "serviceTimeCV", 0, 4, &w->service_cv, L->d) < 0)
        fail(L);
}

static void
load_traffic(struct loader *L, const struct gp_ynode *n, struct gp_workload *w)
{
    static const char *const keys[] = {"pattern", "requestsPerSecond",
                                       "clients", "thinkTime", "dutyCycle",
                                       NULL};
    static const char *const req[] = {"pattern", NULL};
    static const char *const patterns[] = {"poisson", "closed-loop",
                                           "continuous", NULL};
    const struct gp_ynode *v, *rps, *think, *duty, *clients;
    size_t idx;
    uint64_t x;

    if (gp_ymap_expect(n, "traffic", keys, req, L->d) < 0) {
        fail(L);
        return;
    }
    if (!(v = gp_ymap_get(n, "pattern")) ||
        gp_yget_enum(v, "pattern", patterns, &idx, L->d) < 0) {
        fail(L);
        return;
    }
    w->traffic = (enum gp_traffic)idx;
    rps = gp_ymap_get(n, "requestsPerSecond");
    think = gp_ymap_get(n, "thinkTime");
    duty = gp_ymap_get(n, "dutyCycle");
    clients = gp_ymap_get(n, "clients");
    if (w->traffic == GP_TRAFFIC_POISSON) {
        if (!rps) {
            gp_error_at(L->d, n->loc, "pattern 'poisson' needs "
                                      "'requestsPerSecond'");
            fail(L);
        } else if (gp_yget_double(rps, "requestsPerSecond", 0, 1e7, &w->rps,
                                  L->d) < 0) {
            fail(L);
        }
    } else if (rps) {
        gp_error_at(L->d, rps->loc, "'requestsPerSecond' needs pattern "
                                    "'poisson'");
        fail(L);
    }
    w->clients = 1;
    if (w->traffic == GP_TRAFFIC_CLOSED_LOOP) {
        if (clients) {
            if (gp_yget_uint(clients, "clients", 1, 4096, &x, L->d) < 0)
                fail(L);
            else
                w->clients = (uint32_t)x;
        }
        if (!think == !duty) {
            gp_error_at(L->d, n->loc, "pattern 'closed-loop' needs exactly "
                                      "one of 'thinkTime' and 'dutyCycle'");
            fail(L);
        } else if (think) {
            if (gp_yget_duration(think, "thinkTime", 0, false, 86400,
                                 &w->think_time_s, L->d) < 0)
                fail(L);
        } else {
            double d;

            if (gp_yget_fraction(duty, "dutyCycle", 0, true, 1, &d, L->d) < 0)
                fail(L);
            else
                /* Resolved once the service time is known (load_workload). */
                w->think_time_s = -d;
        }
    } else {
        const struct gp_ynode *bad = clients ? clients : think ? think : duty;

        if (bad) {
            gp_error_at(L->d, bad->loc, "'clients', 'thinkTime' and "
                                        "'dutyCycle' need pattern "
                                        "'closed-loop'");
            fail(L);
        }
    }
}

static void
load_target(struct loader *L, const struct gp_ynode *n, struct gp_workload *w)
{
    static const char *const keys[] = {"p99Latency", "throughput", NULL};
    const struct gp_ynode *v;

    if (gp_ymap_expect(n, "target", keys, NULL, L->d) < 0) {
        fail(L);
        return;
    }
    if ((v = gp_ymap_get(n, "p99Latency")) &&
        gp_yget_duration(v, "p99Latency", 0, true, 3600, &w->target_p99_s,
                         L->d) < 0)
        fail(L);
    if ((v = gp_ymap_get(n, "throughput")) &&
        gp_yget_double(v, "throughput", 0, 1e7, &w->target_throughput, L->d) <
            0)
        fail(L);
    if (n->n_pairs == 0)
        gp_warning_at(L->d, n->loc, "'target' is empty");
}

static void
load_workload(struct loader *L, const struct gp_ynode *n)
{
    static const char *const keys[] = {"name",    "namespace", "tenant",
                                       "replicas", "gpuMemory", "compute",
                                       "traffic", "target",    "isolation",
                                       NULL};
    static const char *const req[] = {"name", "gpuMemory", "compute",
                                      "traffic", NULL};
    static const char *const isolations[] = {"none", "tenant", "hard", NULL};
    struct gp_workload *w;
    const struct gp_ynode *v;
    uint64_t x;
    size_t idx;

    if (gp_ymap_expect(n, "workload", keys, req, L->d) < 0) {
        fail(L);
        return;
    }
    w = vec_push(L->a, &L->loads, sizeof(*w));
    memset(w, 0, sizeof(*w));
    w->loc = n->loc;
    w->replicas = 1;
    w->sm_fraction = 1.0;
    w->memory_bound = 0.5;
    w->syncs = 1;
    w->name = get_name(L, gp_ymap_get(n, "name"), "name");
    w->namespace_ = "default";
    if ((v = gp_ymap_get(n, "namespace")))
        w->namespace_ = get_name(L, v, "namespace");
    w->tenant = w->namespace_;
    if ((v = gp_ymap_get(n, "tenant")))
        w->tenant = get_name(L, v, "tenant");
    if ((v = gp_ymap_get(n, "replicas"))) {
        if (gp_yget_uint(v, "replicas", 1, 1000000, &x, L->d) < 0)
            fail(L);
        else
            w->replicas = (uint32_t)x;
    }
    if ((v = gp_ymap_get(n, "gpuMemory")) &&
        gp_yget_bytes(v, "gpuMemory", 1ull << 20, 1ull << 40, &w->memory_bytes,
                      L->d) < 0)
        fail(L);
    if ((v = gp_ymap_get(n, "compute")))
        load_compute(L, v, w);
    if ((v = gp_ymap_get(n, "traffic")))
        load_traffic(L, v, w);
    if ((v = gp_ymap_get(n, "target")) && !gp_ynode_is_null(v))
        load_target(L, v, w);
    if ((v = gp_ymap_get(n, "isolation"))) {
        if (gp_yget_enum(v, "isolation", isolations, &idx, L->d) < 0)
            fail(L);
        else
            w->isolation = (enum gp_isolation)idx;
    }
    if (w->think_time_s < 0 && w->service_time_s > 0) {
        double duty = -w->think_time_s;

        w->think_time_s = w->service_time_s * (1 - duty) / duty;
    }
    /* Kernels default to 100 us (typical of inference graphs), never longer
     * than the request; each burst holds at least one kernel. */
    if (w->kernel_time_s == 0)
        w->kernel_time_s = 100e-6;
    if (w->service_time_s > 0) {
        double burst = w->service_time_s / (double)w->syncs;

        if (w->kernel_time_s > burst)
            w->kernel_time_s = burst;
    }
    if (w->target_p99_s > 0 && w->traffic == GP_TRAFFIC_CONTINUOUS) {
        gp_error_at(L->d, gp_ymap_get(gp_ymap_get(n, "target"),
                                      "p99Latency")->loc,
                    "'p99Latency' needs requests (pattern 'poisson' or "
                    "'closed-loop'); 'continuous' work takes a 'throughput' "
                    "target instead");
        fail(L);
    }
    if (w->target_p99_s > 0 && w->service_time_s > 0 &&
        w->target_p99_s < w->service_time_s) {
        gp_error_at(L->d, gp_ymap_get(gp_ymap_get(n, "target"),
                                      "p99Latency")->loc,
                    "p99Latency is shorter than the service time on a full "
                    "GPU; no placement can meet it");
        fail(L);
    }
    L->total_replicas += w->replicas;
    if (L->loads.n == GP_MAX_WORKLOADS + 1)
        limit_error(L, n->loc, "workloads", L->loads.n, GP_MAX_WORKLOADS);
    if (L->total_replicas > GP_MAX_TOTAL_REPLICAS && !L->replicas_over) {
        L->replicas_over = true;
        limit_error(L, n->loc, "replicas", L->total_replicas,
                    GP_MAX_TOTAL_REPLICAS);
    }
}

int
gp_workload_parse(struct gp_workload *out, struct gp_arena *a,
                  const struct gp_ynode *n, struct gp_diags *d)
{
    struct loader L;

    memset(&L, 0, sizeof(L));
    L.a = a;
    L.d = d;
    L.errors_before = gp_diags_errors(d);
    load_workload(&L, n);
    if (L.loads.n == 0 || gp_diags_errors(d) > L.errors_before)
        return -1;
    *out = *(struct gp_workload *)L.loads.v;
    return L.rc;
}

struct named {
    const char *ns, *name;
    const struct gp_loc *loc;
};

static int
cmp_named(const void *pa, const void *pb)
{
    const struct named *x = pa, *y = pb;
    int c = strcmp(x->ns, y->ns);

    if (c)
        return c;
    if ((c = strcmp(x->name, y->name)) != 0)
        return c;
    /* Equal names: the earlier definition first, so it is named as first. */
    if ((c = strcmp(x->loc->file, y->loc->file)) != 0)
        return c;
    return x->loc->line < y->loc->line ? -1 : x->loc->line > y->loc->line;
}

/* Sorting finds duplicates in O(n log n): inventories reach 10^5 entries. */
static void
report_duplicates(struct loader *L, struct named *v, size_t n,
                  const char *what)
{
    size_t i;

    if (n > 1)
        qsort(v, n, sizeof(*v), cmp_named);
    for (i = 1; i < n; i++) {
        if (strcmp(v[i].ns, v[i - 1].ns) != 0 ||
            strcmp(v[i].name, v[i - 1].name) != 0)
            continue;
        gp_error_at(L->d, *v[i].loc, "%s '%s%s%s' is defined twice (first at "
                                     "%s:%u)",
                    what, v[i].ns, *v[i].ns ? "/" : "", v[i].name,
                    v[i - 1].loc->file, v[i - 1].loc->line);
        fail(L);
    }
}

static void
check_duplicates(struct loader *L)
{
    struct gp_node_pool *p = L->pools.v;
    struct gp_workload *w = L->loads.v;
    struct named *v;
    size_t i, n = 0;

    v = gp_arena_calloc(L->a, L->pools.n + L->loads.n + 1, sizeof(*v));
    for (i = 0; i < L->pools.n; i++) {
        if (p[i].name)
            v[n++] = (struct named){"", p[i].name, &p[i].loc};
    }
    report_duplicates(L, v, n, "node pool");
    n = 0;
    for (i = 0; i < L->loads.n; i++) {
        if (w[i].name && w[i].namespace_)
            v[n++] = (struct named){w[i].namespace_, w[i].name, &w[i].loc};
    }
    report_duplicates(L, v, n, "workload");
}

int
gp_doc_head(const struct gp_ynode *root, const char *file, const char *what,
            const char *const *keys, const char *const *req,
            const char *kind, const struct gp_ynode **name,
            struct gp_diags *d)
{
    const char *const kinds[] = {kind, NULL};
    static const char *const mkeys[] = {"name", NULL};
    const struct gp_ynode *v;
    const char *s;
    size_t idx;
    int rc = 0;

    *name = NULL;
    if (!root || gp_ynode_is_null(root)) {
        gp_error_at(d, (struct gp_loc){file, 0, 0, 0}, "file is empty");
        return -1;
    }
    if (gp_ymap_expect(root, what, keys, req, d) < 0)
        return -1;
    if ((v = gp_ymap_get(root, "apiVersion")) != NULL) {
        if (gp_yget_str(v, "apiVersion", &s, d) < 0)
            rc = 1;
        else if (strcmp(s, GP_API_VERSION) != 0) {
            gp_error_at(d, v->loc,
                        "unsupported apiVersion '%.100s' (expected '%s')", s,
                        GP_API_VERSION);
            rc = 1;
        }
    }
    if ((v = gp_ymap_get(root, "kind")) &&
        gp_yget_enum(v, "kind", kinds, &idx, d) < 0)
        rc = 1;
    if ((v = gp_ymap_get(root, "metadata")) &&
        gp_ymap_expect(v, "metadata", mkeys, NULL, d) == 0)
        *name = gp_ymap_get(v, "name");
    return rc;
}

static void
load_doc(struct loader *L, const char *file, const struct gp_ynode *root)
{
    static const char *const keys[] = {"apiVersion", "kind", "metadata",
                                       "nodePools", "workloads", NULL};
    static const char *const req[] = {"apiVersion", "kind", NULL};
    const struct gp_ynode *v, *list;
    size_t i;
    int head = gp_doc_head(root, file, "inventory", keys, req, "Inventory",
                           &v, L->d);

    if (head != 0)
        fail(L);
    if (head < 0)
        return;
    if (v) {
        const char *nm = get_name(L, v, "name");

        if (nm && !L->name)
            L->name = nm;
    }
    list = gp_ymap_get(root, "nodePools");
    if (list && gp_yseq_expect(list, "nodePools", L->d) < 0)
        fail(L);
    else if (list && list->kind == GP_YSEQ)
        for (i = 0; i < list->n_items; i++)
            load_pool(L, list->items[i]);
    list = gp_ymap_get(root, "workloads");
    if (list && gp_yseq_expect(list, "workloads", L->d) < 0)
        fail(L);
    else if (list && list->kind == GP_YSEQ)
        for (i = 0; i < list->n_items; i++)
            load_workload(L, list->items[i]);
}

static int
parse_text(struct loader *L, const char *file, const char *text, size_t len)
{
    struct gp_ystream *s;
    size_t i;

    if (gp_yaml_parse(&s, L->a, file, text, len, NULL, L->d) < 0) {
        fail(L);
        return -1;
    }
    if (s->n_docs == 0) {
        gp_error_at(L->d, (struct gp_loc){file, 0, 0, 0}, "file is empty");
        fail(L);
        return -1;
    }
    for (i = 0; i < s->n_docs; i++) {
        /* An empty document (a trailing '---', common in Kubernetes
         * manifests) is skipped unless the file has nothing else. */
        if (!s->docs[i] || gp_ynode_is_null(s->docs[i])) {
            size_t j, real = 0;

            for (j = 0; j < s->n_docs; j++)
                real += s->docs[j] && !gp_ynode_is_null(s->docs[j]);
            if (real)
                continue;
        }
        load_doc(L, file, s->docs[i]);
    }
    return 0;
}

/* Warnings, not errors: the input is well-formed, but no plan can satisfy
 * it, and the user should hear that before a planner says "unplaceable". */
static void
check_feasibility(struct loader *L)
{
    const struct gp_node_pool *p = L->pools.v;
    const struct gp_workload *w = L->loads.v;
    uint64_t biggest = 0;
    size_t i;

    for (i = 0; i < L->pools.n; i++) {
        if (p[i].gpu && p[i].gpu->memory_mib > biggest)
            biggest = p[i].gpu->memory_mib;
    }
    for (i = 0; i < L->loads.n; i++) {
        double duty = gp_workload_duty(&w[i]);

        if (w[i].traffic == GP_TRAFFIC_POISSON && duty >= 1) {
            gp_warning_at(L->d, w[i].loc,
                          "workload '%s' offers %.3g s of GPU work per "
                          "second to each replica: unstable even on a "
                          "whole GPU",
                          w[i].name, duty);
            gp_diag_hint(L->d, "raise 'replicas' to at least %.0f",
                         ceil(w[i].rps * w[i].service_time_s * 1.25));
        }
        if (w[i].target_throughput > 0 && w[i].traffic != GP_TRAFFIC_POISSON &&
            w[i].target_throughput * w[i].service_time_s >
                (double)w[i].clients) {
            gp_warning_at(L->d, w[i].loc,
                          "workload '%s' asks for %.3g/s per replica, more "
                          "than %.3g/s that a whole GPU gives it",
                          w[i].name, w[i].target_throughput,
                          (double)w[i].clients / w[i].service_time_s);
        }
        if (L->pools.n && w[i].memory_bytes > biggest << 20)
            gp_warning_at(L->d, w[i].loc,
                          "workload '%s' needs %llu MiB of GPU memory; no "
                          "GPU in the inventory has that much",
                          w[i].name,
                          (unsigned long long)((w[i].memory_bytes + (1u << 20) - 1) >> 20));
    }
}

static int
finish(struct gp_inventory **out, struct loader *L)
{
    struct gp_inventory *inv;

    check_duplicates(L);
    if (gp_diags_errors(L->d) > L->errors_before)
        fail(L);
    if (L->rc < 0)
        return -1;
    check_feasibility(L);
    inv = gp_arena_alloc(L->a, sizeof(*inv));
    inv->name = L->name ? L->name : "inventory";
    inv->pools = L->pools.v;
    inv->n_pools = L->pools.n;
    inv->loads = L->loads.v;
    inv->n_loads = L->loads.n;
    *out = inv;
    return 0;
}

int
gp_inventory_parse(struct gp_inventory **out, struct gp_arena *a,
                   const char *file, const char *text, size_t len,
                   const struct gp_catalog *cat, struct gp_diags *d)
{
    struct loader L;

    memset(&L, 0, sizeof(L));
    L.a = a;
    L.d = d;
    L.cat = cat;
    L.errors_before = gp_diags_errors(d);
    parse_text(&L, file, text, len);
    return finish(out, &L);
}

int
gp_inventory_load(struct gp_inventory **out, struct gp_arena *a,
                  const char *const *files, size_t n_files,
                  const struct gp_catalog *cat, struct gp_diags *d)
{
    struct loader L;
    size_t i;

    memset(&L, 0, sizeof(L));
    L.a = a;
    L.d = d;
    L.cat = cat;
    L.errors_before = gp_diags_errors(d);
    for (i = 0; i < n_files; i++) {
        const char *text;
        size_t len;

        if (gp_file_read(&text, &len, a, files[i], GP_MAX_INPUT_BYTES, d) < 0) {
            fail(&L);
            continue;
        }
        parse_text(&L, strcmp(files[i], "-") == 0 ? "<stdin>" : files[i], text,
                   len);
    }
    return finish(out, &L);
}
