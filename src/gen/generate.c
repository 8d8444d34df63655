/* SPDX-License-Identifier: MIT */
/* gen/generate.c: seeded synthetic inventories. Randomness comes only from
 * one GSL mt19937 stream seeded from the options, drawn in a fixed order, so
 * the output is a pure function of (opts, catalogue). YAML is written only
 * through yaml/yemit.h.
 *
 * How a fleet is made:
 *
 *  1. Node pools. About sqrt(nodes) pools (jittered), sized by a multinomial
 *     split of the node total over lognormal weights, so the sizes are
 *     skewed the way real clusters are (a few big pools, many small ones)
 *     and sum exactly to the total. Each pool draws a GPU model, a region
 *     and a zone; data-centre parts come 8 to a node, inference cards 1, 4
 *     or 8; prices come from the table below, with a regional uplift and a
 *     little jitter.
 *
 *  2. Workloads. About one per 8 replicas (fewer, relatively, past 200,000
 *     replicas, so the file stays under the loader's 32 MiB input cap), each
 *     drawn from an archetype with lognormal memory and service time, a
 *     beta-distributed load, and a p99 target a log-uniform 4x..20x its
 *     service time (LLMs 4x..10x). Replica counts are a multinomial split
 *     of the replica total over archetype-scaled lognormal weights.
 *     Archetypes whose smallest memory exceeds every generated GPU are never
 *     drawn, and memory is clamped to 95% of the largest GPU, so every
 *     workload fits somewhere.
 *
 *  3. Headroom. Each replica gets an estimated need in GPUs: the larger of
 *     its compute share (Poisson: rate x service time per replica; closed
 *     loop: clients x duty; continuous: 1) and its memory share of the GPUs
 *     that fit it; 'hard' isolation rounds up to a MIG slice (1/7) where a
 *     MIG-capable GPU fits it, else to a whole GPU. Because the GPUs that
 *     fit a workload are exactly those with at least its memory, the sets
 *     are nested, and the fleet can carry the demand (fractionally) when,
 *     for every memory level, the workloads that fit only GPUs at that level
 *     or above need at most GP_GEN_MAX_LOAD of those GPUs. Where a level is
 *     over, the heaviest workloads there are redrawn, once each, as the
 *     lightest archetype (CTR scoring, never 'hard') until it is not; a
 *     redraw that would not lighten the level is undone. The estimate
 *     ignores that GPU models differ in speed: service times are "on a
 *     whole GPU", as in docs/inventory.md. */
#include "gen/generate.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "base/diag.h"
#include "base/str.h"
#include "base/strbuf.h"
#include "base/units.h"
#include "base/xalloc.h"
#include "model/gpu.h"
#include "yaml/yemit.h"

/* The loader's limits (docs/inventory.md) on one pool and one workload. */
#define MAX_POOL_NODES 100000u
#define MAX_WORKLOAD_REPLICAS 1000000u
/* Poisson rates above this per workload are not realistic for one
 * Deployment; the loader allows 1e7. */
#define MAX_RPS 1e6

/* GPU models the pools are drawn from, and what one GPU-hour costs.
 *
 * Prices are approximate AWS on-demand list prices (us-east-1, Linux), USD
 * per GPU-hour: the instance's hourly price divided by its GPU count. The
 * P4 and P5 rows are approximately the prices after AWS's mid-2025
 * reduction of P4/P5 on-demand prices (before it, p5.48xlarge listed at
 * $98.32/h, $12.29 per GPU). They are meant to be realistic in proportion,
 * not exact: list prices change, and other clouds and smaller instance sizes
 * differ by tens of percent.
 *
 *   model            instance (GPUs)      USD/instance-h   USD/GPU-h
 *   H100-SXM5-80GB   p5.48xlarge (8)           ~55.0          6.88
 *   H200-SXM-141GB   p5en.48xlarge (8)         ~63.3          7.91
 *   A100-SXM4-80GB   p4de.24xlarge (8)         ~27.4          3.43
 *   A100-SXM4-40GB   p4d.24xlarge (8)          ~22.0          2.75
 *   L40S             g6e.xlarge (1)             1.861         1.86
 *   A10G             g5.xlarge (1)              1.006         1.01
 *   L4               g6.xlarge (1)              0.805         0.80
 *   T4               g4dn.xlarge (1)            0.526         0.53
 */
enum counts { COUNT_8, COUNT_4_8, COUNT_1_4_8 };

struct gpu_kind {
    const char *id;          /* catalogue id (gp_catalog_find) */
    const char *slug;        /* pool-name prefix */
    double weight;           /* share of pools */
    double price;            /* USD per GPU-hour, table above */
    enum counts counts;      /* GPUs per node */
    const char *inst[3];     /* AWS instance type with 1, 4 and 8 GPUs */
};

static const struct gpu_kind kinds[] = {
    {"H100-SXM5-80GB", "h100", 0.22, 6.88, COUNT_8,
     {NULL, NULL, "p5.48xlarge"}},
    {"H200-SXM-141GB", "h200", 0.08, 7.91, COUNT_8,
     {NULL, NULL, "p5en.48xlarge"}},
    {"A100-SXM4-80GB", "a100-80", 0.18, 3.43, COUNT_8,
     {NULL, NULL, "p4de.24xlarge"}},
    {"A100-SXM4-40GB", "a100-40", 0.08, 2.75, COUNT_8,
     {NULL, NULL, "p4d.24xlarge"}},
    {"L40S", "l40s", 0.10, 1.86, COUNT_4_8,
     {"g6e.xlarge", "g6e.12xlarge", "g6e.48xlarge"}},
    {"A10G", "a10g", 0.12, 1.01, COUNT_1_4_8,
     {"g5.xlarge", "g5.12xlarge", "g5.48xlarge"}},
    {"L4", "l4", 0.14, 0.80, COUNT_1_4_8,
     {"g6.xlarge", "g6.12xlarge", "g6.48xlarge"}},
    {"T4", "t4", 0.08, 0.53, COUNT_1_4_8,
     {"g4dn.xlarge", "g4dn.12xlarge", "g4dn.metal"}},
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

/* Regions, with the approximate uplift of EC2 GPU prices over us-east-1. */
struct region {
    const char *name, *slug;
    double weight, price_factor;
};

static const struct region regions[] = {
    {"us-east-1", "use1", 0.45, 1.00},
    {"us-west-2", "usw2", 0.25, 1.00},
    {"eu-west-1", "euw1", 0.20, 1.10},
    {"ap-northeast-1", "apne1", 0.10, 1.25},
};
#define N_REGIONS (sizeof(regions) / sizeof(regions[0]))

enum traffic { TR_POISSON, TR_BATCH, TR_NOTEBOOK, TR_TRAIN };
enum iso { ISO_NONE, ISO_TENANT, ISO_HARD };

/* Workload archetypes. Memory is the peak of one replica; service time is
 * one request (or step) on a whole GPU. The figures are typical of the
 * models named, not measurements: fp16 weights take 2 bytes a parameter
 * (7B: 14 GB, 13B: 26 GB; 70B needs 4- or 8-bit weights, 35-70 GB, to fit
 * one GPU), plus KV cache or activations. */
struct arch {
    const char *slug;        /* workload-name prefix */
    const char *teams[4];    /* who runs it (tenant names), NULL-ended */
    double weight;           /* share of workloads */
    double rep_scale;        /* relative replica count */
    enum traffic traffic;
    double mem_gib, mem_sigma, mem_lo, mem_hi;
    double svc_s, svc_sigma;
    double sm_lo, sm_hi, mb_lo, mb_hi;
    double duty_a, duty_b;   /* beta: per replica (Poisson) or per client */
    double p99_lo, p99_hi;   /* target p99 / service time; 0: none */
    double p_tenant, p_hard;
};

enum { ARCH_LIGHT = 0 };    /* what heavy workloads are redrawn as */

static const struct arch archs[] = {
    /* DLRM-style click-through scoring: small dense part, bandwidth-bound */
    {"ctr-ranker", {"ads", "shop", "growth", NULL}, 0.14, 1.6, TR_POISSON,
     3, 0.4, 1, 8, 1.5e-3, 0.35, 0.15, 0.35, 0.70, 0.90, 2, 10, 5, 20,
     0.40, 0.05},
    /* BERT-base / sentence embeddings, sequence 128 */
    {"text-embed", {"search", "shop", "assistant", NULL}, 0.14, 1.5,
     TR_POISSON, 2.5, 0.35, 1, 8, 3e-3, 0.35, 0.25, 0.50, 0.35, 0.50, 2, 8,
     4, 20, 0.35, 0.05},
    /* BERT-large classifiers and cross-encoder rerankers */
    {"bert-classify", {"trust", "search", "i18n", NULL}, 0.10, 1.2,
     TR_POISSON, 5, 0.4, 2, 12, 8e-3, 0.4, 0.40, 0.75, 0.40, 0.50, 2, 8, 4,
     20, 0.35, 0.05},
    /* payment risk scoring under PCI rules: mostly hard isolation */
    {"fraud-score", {"payments", "fraud", NULL, NULL}, 0.04, 1.0, TR_POISSON,
     2, 0.3, 1, 6, 0.8e-3, 0.3, 0.15, 0.30, 0.45, 0.55, 2, 10, 5, 20, 0.30,
     0.60},
    /* ResNet-50, YOLO, CLIP image towers at batch 1..8 */
    {"vision-detect", {"media", "vision", "trust", "maps"}, 0.10, 1.2,
     TR_POISSON, 5, 0.45, 2, 16, 6e-3, 0.5, 0.40, 0.80, 0.30, 0.45, 2, 8, 4,
     20, 0.30, 0.05},
    /* Whisper small/medium on 10..30 s chunks */
    {"speech-asr", {"speech", "media", NULL, NULL}, 0.06, 1.0, TR_POISSON, 9,
     0.35, 4, 20, 45e-3, 0.4, 0.60, 0.90, 0.45, 0.55, 2, 6, 4, 15, 0.30,
     0.05},
    /* 7B chat model, fp16, ~200 output tokens a request */
    {"chat-7b", {"assistant", "search", "support", NULL}, 0.08, 0.8,
     TR_POISSON, 30, 0.25, 16, 44, 1.0, 0.3, 1, 1, 0.80, 0.90, 2, 6, 4, 10,
     0.60, 0.05},
    /* 13B code model, fp16 */
    {"code-13b", {"assistant", "devtools", NULL, NULL}, 0.05, 0.6,
     TR_POISSON, 48, 0.2, 30, 72, 1.6, 0.3, 1, 1, 0.80, 0.90, 2, 6, 4, 10,
     0.60, 0.05},
    /* 70B at 4 or 8 bits */
    {"llm-70b", {"assistant", "research", NULL, NULL}, 0.02, 0.5, TR_POISSON,
     70, 0.2, 42, 130, 2.8, 0.25, 1, 1, 0.85, 0.92, 2, 6, 4, 8, 0.70, 0.05},
    /* offline embedding and scoring jobs: closed loop with a throughput
     * target */
    {"batch-infer", {"search", "ads", "research", NULL}, 0.08, 0.8, TR_BATCH,
     10, 0.5, 3, 30, 20e-3, 0.6, 0.60, 1.00, 0.35, 0.50, 4, 4, 0, 0, 0.40,
     0},
    /* interactive notebooks: the GPU busy 1..30% of the time */
    {"notebook", {"research", "vision", "speech", NULL}, 0.06, 0.3,
     TR_NOTEBOOK, 8, 0.5, 2, 24, 50e-3, 0.7, 0.30, 0.80, 0.40, 0.60, 1.5, 20,
     0, 0, 0.10, 0},
    /* fine-tuning and training: continuous, with a step-rate target */
    {"trainer", {"research", "platform", "ads", NULL}, 0.03, 0.6, TR_TRAIN,
     40, 0.4, 12, 76, 0.4, 0.5, 0.90, 1.00, 0.30, 0.50, 0, 0, 0, 0, 0.70, 0},
};
#define N_ARCHS (sizeof(archs) / sizeof(archs[0]))

static const char *const envs[] = {"prod", "staging", "dev"};

struct pool {
    uint32_t kind, region, zone, gpus_per_node, nodes;
    double price;
};

struct wl {
    uint32_t arch, replicas, team, group, env, clients;
    enum iso iso;
    uint64_t mem_mib;
    double svc_s, sm, mb;
    double duty;      /* Poisson: per replica; closed loop: per client */
    double think_s;   /* batch: host time between requests */
    double p99_s;     /* 0: no latency target */
    double tput;      /* per replica; 0: no throughput target */
    double rps;       /* Poisson: total, as written */
    double need;      /* estimated GPUs one replica needs */
    uint32_t level;   /* smallest memory level that fits it */
    bool light;       /* redrawn as ARCH_LIGHT (at most once) */
};

/* GPUs grouped by memory size, largest first. */
struct level {
    uint64_t mem_mib, gpus;
    bool mig;
};

struct gen {
    gsl_rng *r;
    const struct gp_gpu_model *model[N_KINDS];
    struct pool *pools;
    size_t n_pools;
    struct level lv[N_KINDS];
    size_t n_lv;
    double cap[N_KINDS];      /* GP_GEN_MAX_LOAD x GPUs at levels 0..k */
    double mean_mem[N_KINDS]; /* GPU-weighted mean MiB at levels 0..k */
    bool mig_upto[N_KINDS];   /* a MIG-capable GPU at levels 0..k */
    uint64_t gpus;
    struct wl *w;
    size_t n_w;
    uint32_t groups;          /* tenant groups per team */
    double demand;            /* estimated GPUs, all replicas */
    bool over;                /* demand above the cap after redrawing */
};

/* GSL's mt19937 keeps only the low 32 bits of its seed; mixing first makes
 * every bit of a 64-bit seed matter (splitmix64's finaliser). */
static unsigned long
mix_seed(uint64_t s)
{
    s += 0x9e3779b97f4a7c15ull;
    s = (s ^ (s >> 30)) * 0xbf58476d1ce4e5b9ull;
    s = (s ^ (s >> 27)) * 0x94d049bb133111ebull;
    s ^= s >> 31;
    return (unsigned long)((s ^ (s >> 32)) & 0xffffffffull);
}

static double
clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Decimals that keep 4 significant digits (at most 6). */
static int
sig_decimals(double v)
{
    int d = 3 - (int)floor(log10(v));

    return d < 0 ? 0 : d > 6 ? 6 : d;
}

static double
round_to(double v, int decimals)
{
    double f = pow(10, decimals);

    return round(v * f) / f;
}

static double
round_sig(double v)
{
    return round_to(v, sig_decimals(v));
}

/* Rounded down, so that a rate never offers more than was drawn. */
static double
floor_sig(double v)
{
    double f = pow(10, sig_decimals(v));

    return floor(v * f) / f;
}

/* The duration as it will be written, so every derived figure is computed
 * from what a reader gets back. */
static double
round_duration(double s)
{
    char buf[32];
    const char *why;
    double v;

    gp_format_duration(s, buf);
    if (gp_parse_duration(buf, &v, &why) < 0)
        abort(); /* gp_format_duration writes what the parser reads */
    return v;
}

static gsl_ran_discrete_t *
discrete_new(const double *w, size_t n)
{
    gsl_ran_discrete_t *t = gsl_ran_discrete_preproc(n, w);

    if (!t)
        gp_xoom(0); /* the weights are valid: only allocation can fail */
    return t;
}

/* Splits 'total' into n parts (n <= total), each from 1 to 'cap', in
 * proportion to the weights: a multinomial draw, with whatever a part gets
 * beyond 'cap' handed to the next parts with room (n x cap >= total). */
static void
split(gsl_rng *r, uint64_t total, size_t n, const double *w, uint32_t cap,
      uint32_t *out)
{
    unsigned int *k = gp_xcalloc(n, sizeof(*k));
    uint64_t spill = 0;
    size_t i;

    assert(n >= 1 && n <= total && (uint64_t)n * cap >= total);
    gsl_ran_multinomial(r, n, (unsigned int)(total - n), w, k);
    for (i = 0; i < n; i++) {
        uint64_t v = 1 + (uint64_t)k[i];

        if (v > cap) {
            spill += v - cap;
            v = cap;
        }
        out[i] = (uint32_t)v;
    }
    for (i = 0; spill && i < n; i++) {
        uint64_t take = cap - out[i];

        if (take > spill)
            take = spill;
        out[i] += (uint32_t)take;
        spill -= take;
    }
    free(k);
}

static uint32_t
gpus_per_node(gsl_rng *r, enum counts c)
{
    double u = gsl_rng_uniform(r);

    switch (c) {
    case COUNT_8:
        return 8;
    case COUNT_4_8:
        return u < 0.3 ? 4 : 8;
    case COUNT_1_4_8:
        return u < 0.1 ? 1 : u < 0.3 ? 4 : 8;
    }
    return 8;
}

static void
make_pools(struct gen *g, uint32_t nodes)
{
    double kw[N_KINDS], rw[N_REGIONS], *sw;
    gsl_ran_discrete_t *kt, *rt;
    uint32_t *sizes;
    size_t n, min_n, i;

    for (i = 0; i < N_KINDS; i++)
        kw[i] = g->model[i] ? kinds[i].weight : 0;
    for (i = 0; i < N_REGIONS; i++)
        rw[i] = regions[i].weight;
    kt = discrete_new(kw, N_KINDS);
    rt = discrete_new(rw, N_REGIONS);

    n = (size_t)lround(sqrt((double)nodes) * gsl_ran_flat(g->r, 0.8, 1.25));
    min_n = (nodes + MAX_POOL_NODES - 1) / MAX_POOL_NODES;
    if (n < min_n)
        n = min_n;
    if (n < 1)
        n = 1;
    if (n > nodes)
        n = nodes;
    sw = gp_xcalloc(n, sizeof(*sw));
    sizes = gp_xcalloc(n, sizeof(*sizes));
    for (i = 0; i < n; i++)
        sw[i] = gsl_ran_lognormal(g->r, 0, 0.9);
    split(g->r, nodes, n, sw, MAX_POOL_NODES, sizes);

    g->pools = gp_xcalloc(n, sizeof(*g->pools));
    g->n_pools = n;
    for (i = 0; i < n; i++) {
        struct pool *p = &g->pools[i];
        double jitter = clamp(gsl_ran_gaussian(g->r, 0.02), -0.05, 0.05);

        p->nodes = sizes[i];
        p->kind = (uint32_t)gsl_ran_discrete(g->r, kt);
        p->region = (uint32_t)gsl_ran_discrete(g->r, rt);
        p->zone = (uint32_t)gsl_rng_uniform_int(g->r, 3);
        p->gpus_per_node = gpus_per_node(g->r, kinds[p->kind].counts);
        p->price = round_to(kinds[p->kind].price *
                                regions[p->region].price_factor *
                                (1 + jitter),
                            2);
    }
    free(sizes);
    free(sw);
    gsl_ran_discrete_free(rt);
    gsl_ran_discrete_free(kt);
}

static int
cmp_level(const void *pa, const void *pb)
{
    const struct level *a = pa, *b = pb;

    return a->mem_mib < b->mem_mib ? 1 : a->mem_mib > b->mem_mib ? -1 : 0;
}

static void
make_levels(struct gen *g)
{
    double gpus = 0, mem = 0;
    size_t i, k;

    for (i = 0; i < g->n_pools; i++) {
        const struct pool *p = &g->pools[i];
        const struct gp_gpu_model *m = g->model[p->kind];
        uint64_t n = (uint64_t)p->nodes * p->gpus_per_node;

        for (k = 0; k < g->n_lv && g->lv[k].mem_mib != m->memory_mib; k++)
            ;
        if (k == g->n_lv) {
            g->lv[k].mem_mib = m->memory_mib;
            g->n_lv++;
        }
        g->lv[k].gpus += n;
        g->lv[k].mig = g->lv[k].mig || m->mig != NULL;
        g->gpus += n;
    }
    qsort(g->lv, g->n_lv, sizeof(g->lv[0]), cmp_level);
    for (k = 0; k < g->n_lv; k++) {
        gpus += (double)g->lv[k].gpus;
        mem += (double)g->lv[k].gpus * (double)g->lv[k].mem_mib;
        g->cap[k] = GP_GEN_MAX_LOAD * gpus;
        g->mean_mem[k] = mem / gpus;
        g->mig_upto[k] = g->lv[k].mig || (k > 0 && g->mig_upto[k - 1]);
    }
}

/* Draws everything about a workload but its replica count. */
static void
draw(struct gen *g, struct wl *w, uint32_t a)
{
    const struct arch *A = &archs[a];
    gsl_rng *r = g->r;
    double cap_gib = 0.95 * (double)g->lv[0].mem_mib / 1024;
    double mem, u, d;
    size_t n_teams = 0;

    while (n_teams < 4 && A->teams[n_teams])
        n_teams++;
    w->arch = a;
    w->clients = 1;
    w->think_s = w->p99_s = w->tput = w->rps = 0;
    mem = clamp(gsl_ran_lognormal(r, log(A->mem_gib), A->mem_sigma),
                A->mem_lo, A->mem_hi);
    if (mem > cap_gib)
        mem = cap_gib;
    /* Whole 256 MiB steps, as memory requests are usually written. */
    w->mem_mib = (uint64_t)(mem * 4) * 256;
    if (w->mem_mib < 512)
        w->mem_mib = 512;
    w->svc_s = round_duration(clamp(gsl_ran_lognormal(r, log(A->svc_s),
                                                      A->svc_sigma),
                                    A->svc_s / 10, A->svc_s * 10));
    w->sm = round_to(gsl_ran_flat(r, A->sm_lo, A->sm_hi), 2);
    w->mb = round_to(gsl_ran_flat(r, A->mb_lo, A->mb_hi), 2);
    w->team = (uint32_t)gsl_rng_uniform_int(r, n_teams);
    w->group = (uint32_t)gsl_rng_uniform_int(r, g->groups);
    u = gsl_rng_uniform(r);
    w->env = A->traffic == TR_NOTEBOOK ? 2 : u < 0.7 ? 0 : u < 0.9 ? 1 : 2;
    u = gsl_rng_uniform(r);
    w->iso = u < A->p_hard ? ISO_HARD
             : u < A->p_hard + A->p_tenant ? ISO_TENANT
                                           : ISO_NONE;
    switch (A->traffic) {
    case TR_POISSON:
        /* At most 35% busy alone, so that a p99 of 4x the service time
         * holds on a whole GPU (M/D/1 at 0.35 has a p99 of about 3.2x). */
        w->duty = clamp(gsl_ran_beta(r, A->duty_a, A->duty_b), 0.01, 0.35);
        w->p99_s = round_duration(
            w->svc_s * exp(gsl_ran_flat(r, log(A->p99_lo), log(A->p99_hi))));
        break;
    case TR_BATCH:
        w->clients = 1 + (uint32_t)gsl_rng_uniform_int(r, 4);
        d = clamp(gsl_ran_beta(r, A->duty_a, A->duty_b), 0.1,
                  0.9 / w->clients);
        w->think_s = round_duration(w->svc_s * (1 - d) / d);
        w->duty = w->svc_s / (w->svc_s + w->think_s);
        /* A share of what the clients get from a whole GPU alone. */
        w->tput = round_sig(gsl_ran_flat(r, 0.5, 0.85) * w->clients /
                            (w->svc_s + w->think_s));
        break;
    case TR_NOTEBOOK:
        w->duty = round_to(clamp(gsl_ran_beta(r, A->duty_a, A->duty_b), 0.01,
                                 0.3),
                           3);
        break;
    case TR_TRAIN:
        w->duty = 1;
        w->tput = round_sig(gsl_ran_flat(r, 0.6, 0.95) / w->svc_s);
        break;
    }
}

/* What follows from the replica count: the Poisson rate, the memory level
 * and the estimated need. */
static void
settle(struct gen *g, struct wl *w)
{
    double compute = 1, need;
    uint32_t k;

    switch (archs[w->arch].traffic) {
    case TR_POISSON:
        w->rps = w->duty * w->replicas / w->svc_s;
        if (w->rps > MAX_RPS)
            w->rps = MAX_RPS;
        w->rps = floor_sig(w->rps);
        compute = w->rps * w->svc_s / w->replicas;
        break;
    case TR_BATCH:
        compute = w->clients * w->duty;
        break;
    case TR_NOTEBOOK:
        compute = w->duty;
        break;
    case TR_TRAIN:
        compute = 1;
        break;
    }
    for (k = 0; k + 1 < g->n_lv && g->lv[k + 1].mem_mib >= w->mem_mib; k++)
        ;
    w->level = k;
    need = (double)w->mem_mib / g->mean_mem[k];
    if (compute > need)
        need = compute;
    if (need < 0.02)
        need = 0.02;
    if (w->iso == ISO_HARD)
        need = g->mig_upto[k] ? fmax(1.0 / 7, ceil(need * 7 - 1e-9) / 7) : 1;
    w->need = need > 1 ? 1 : need;
}

static void
make_workloads(struct gen *g, uint64_t replicas)
{
    double aw[N_ARCHS], *rw, mean = fmax(8, (double)replicas / 25000);
    double cap_gib = 0.95 * (double)g->lv[0].mem_mib / 1024;
    gsl_ran_discrete_t *at;
    uint32_t *reps;
    size_t n, i;

    for (i = 0; i < N_ARCHS; i++)
        aw[i] = archs[i].mem_lo <= cap_gib ? archs[i].weight : 0;
    at = discrete_new(aw, N_ARCHS);
    n = (size_t)llround((double)replicas / mean);
    if (n < 1)
        n = 1;
    if (n > replicas)
        n = (size_t)replicas;
    g->groups = 1 + (uint32_t)(n / 250);
    if (g->groups > 999)
        g->groups = 999;
    g->w = gp_xcalloc(n, sizeof(*g->w));
    g->n_w = n;
    rw = gp_xcalloc(n, sizeof(*rw));
    reps = gp_xcalloc(n, sizeof(*reps));
    for (i = 0; i < n; i++) {
        draw(g, &g->w[i], (uint32_t)gsl_ran_discrete(g->r, at));
        rw[i] = archs[g->w[i].arch].rep_scale * gsl_ran_lognormal(g->r, 0, 0.8);
    }
    split(g->r, replicas, n, rw, MAX_WORKLOAD_REPLICAS, reps);
    for (i = 0; i < n; i++) {
        g->w[i].replicas = reps[i];
        settle(g, &g->w[i]);
    }
    free(reps);
    free(rw);
    gsl_ran_discrete_free(at);
}

struct heavy {
    double load;
    size_t i;
};

static int
cmp_heavy(const void *pa, const void *pb)
{
    const struct heavy *a = pa, *b = pb;

    if (a->load != b->load)
        return a->load < b->load ? 1 : -1;
    return a->i < b->i ? -1 : a->i > b->i;
}

static double
upto(const double *dem, size_t k)
{
    double s = 0;
    size_t j;

    for (j = 0; j <= k; j++)
        s += dem[j];
    return s;
}

/* Step 3 of the essay at the top: redraw the heaviest workloads of any
 * memory level whose demand is over its cap. */
static void
fit_capacity(struct gen *g)
{
    double dem[N_KINDS] = {0};
    struct heavy *h = gp_xcalloc(g->n_w, sizeof(*h));
    size_t i, k;

    for (i = 0; i < g->n_w; i++) {
        h[i].load = g->w[i].need * g->w[i].replicas;
        h[i].i = i;
        dem[g->w[i].level] += h[i].load;
    }
    qsort(h, g->n_w, sizeof(*h), cmp_heavy);
    for (k = 0; k < g->n_lv; k++) {
        size_t c = 0;

        while (upto(dem, k) > g->cap[k]) {
            struct wl *w, saved;
            double before;

            while (c < g->n_w && (g->w[h[c].i].light ||
                                  g->w[h[c].i].level > k))
                c++;
            if (c == g->n_w)
                break;
            w = &g->w[h[c].i];
            saved = *w;
            before = upto(dem, k);
            dem[w->level] -= w->need * w->replicas;
            draw(g, w, ARCH_LIGHT);
            /* Hard isolation can cost a whole GPU: not light. */
            if (w->iso == ISO_HARD)
                w->iso = ISO_TENANT;
            settle(g, w);
            w->light = true;
            dem[w->level] += w->need * w->replicas;
            if (upto(dem, k) >= before) {
                /* Light is not lighter here (a notebook, say): keep it. */
                dem[w->level] -= w->need * w->replicas;
                *w = saved;
                w->light = true;
                dem[w->level] += w->need * w->replicas;
            }
        }
    }
    g->over = false;
    for (k = 0; k < g->n_lv; k++)
        g->over = g->over || upto(dem, k) > g->cap[k] * (1 + 1e-9);
    g->demand = upto(dem, g->n_lv - 1);
    free(h);
}

/* "<slug>-<i+1>", the number zero-padded to the width of n (at least 3),
 * so that names sort in generation order. */
static void
name_of(char *buf, size_t size, const char *slug, size_t i, size_t n)
{
    char num[24];
    size_t len, width = 3;

    for (; n >= 1000; n /= 10)
        width++;
    len = (size_t)snprintf(num, sizeof(num), "%zu", i + 1);
    if (len < width) {
        memmove(num + (width - len), num, len + 1);
        memset(num, '0', width - len);
    }
    snprintf(buf, size, "%s-%s", slug, num);
}

static void
tenant_of(char *buf, size_t size, const struct wl *w)
{
    const char *team = archs[w->arch].teams[w->team];

    if (w->group)
        snprintf(buf, size, "%s-%u", team, w->group);
    else
        snprintf(buf, size, "%s", team);
}

static void
kv_duration(struct gp_yemit *e, const char *k, double s)
{
    char buf[32];

    gp_yemit_kv_str(e, k, gp_format_duration(s, buf));
}

static void
kv_sig(struct gp_yemit *e, const char *k, double v)
{
    gp_yemit_kv_num(e, k, v, sig_decimals(v));
}

static void
emit_pool(struct gen *g, struct gp_yemit *e, size_t i)
{
    const struct pool *p = &g->pools[i];
    const struct gpu_kind *K = &kinds[p->kind];
    const struct gp_gpu_model *m = g->model[p->kind];
    const struct region *R = &regions[p->region];
    const char *inst = K->inst[p->gpus_per_node == 1   ? 0
                               : p->gpus_per_node == 4 ? 1
                                                       : 2];
    char name[64], slug[32], zone[32], count[8];
    const char *why;

    snprintf(slug, sizeof(slug), "%s-%s", K->slug, R->slug);
    name_of(name, sizeof(name), slug, i, g->n_pools);
    snprintf(zone, sizeof(zone), "%s%c", R->name, 'a' + (int)p->zone);
    snprintf(count, sizeof(count), "%u", p->gpus_per_node);
    gp_yemit_map_start(e, false);
    gp_yemit_kv_str(e, "name", name);
    gp_yemit_kv_int(e, "nodeCount", p->nodes);
    gp_yemit_str(e, "gpu");
    gp_yemit_map_start(e, true);
    gp_yemit_kv_str(e, "model", K->id);
    gp_yemit_kv_int(e, "count", p->gpus_per_node);
    gp_yemit_map_end(e);
    gp_yemit_kv_num(e, "pricePerGPUHour", p->price, 2);
    gp_yemit_str(e, "labels");
    gp_yemit_map_start(e, false);
    gp_yemit_kv_str(e, "topology.kubernetes.io/region", R->name);
    gp_yemit_kv_str(e, "topology.kubernetes.io/zone", zone);
    if (inst)
        gp_yemit_kv_str(e, "node.kubernetes.io/instance-type", inst);
    /* What GPU feature discovery would put on the node, when the model
     * file names it in a form Kubernetes accepts as a label value. */
    if (m->gfd_product.n && gp_k8s_label_value(m->gfd_product.v[0], &why))
        gp_yemit_kv_str(e, "nvidia.com/gpu.product", m->gfd_product.v[0]);
    gp_yemit_kv_str_q(e, "nvidia.com/gpu.count", count);
    gp_yemit_map_end(e);
    gp_yemit_str(e, "sharing");
    gp_yemit_map_start(e, true);
    gp_yemit_kv_str(e, "strategy", "none");
    gp_yemit_map_end(e);
    gp_yemit_map_end(e);
}

static void
emit_workload(struct gen *g, struct gp_yemit *e, size_t i)
{
    static const char *const iso_names[] = {"none", "tenant", "hard"};
    const struct wl *w = &g->w[i];
    const struct arch *A = &archs[w->arch];
    char name[64], tenant[48], ns[64], mem[32];

    name_of(name, sizeof(name), A->slug, i, g->n_w);
    tenant_of(tenant, sizeof(tenant), w);
    snprintf(ns, sizeof(ns), "%s-%s", tenant, envs[w->env]);
    gp_yemit_map_start(e, false);
    gp_yemit_kv_str(e, "name", name);
    gp_yemit_kv_str(e, "namespace", ns);
    gp_yemit_kv_str(e, "tenant", tenant);
    gp_yemit_kv_int(e, "replicas", w->replicas);
    gp_yemit_kv_str(e, "gpuMemory", gp_format_bytes(w->mem_mib << 20, mem));

    gp_yemit_str(e, "compute");
    gp_yemit_map_start(e, true);
    kv_duration(e, "serviceTime", w->svc_s);
    gp_yemit_kv_num(e, "smFraction", w->sm, 2);
    gp_yemit_kv_num(e, "memoryBound", w->mb, 2);
    gp_yemit_map_end(e);

    gp_yemit_str(e, "traffic");
    gp_yemit_map_start(e, true);
    switch (A->traffic) {
    case TR_POISSON:
        gp_yemit_kv_str(e, "pattern", "poisson");
        kv_sig(e, "requestsPerSecond", w->rps);
        break;
    case TR_BATCH:
        gp_yemit_kv_str(e, "pattern", "closed-loop");
        gp_yemit_kv_int(e, "clients", w->clients);
        kv_duration(e, "thinkTime", w->think_s);
        break;
    case TR_NOTEBOOK:
        gp_yemit_kv_str(e, "pattern", "closed-loop");
        gp_yemit_kv_num(e, "dutyCycle", w->duty, 3);
        break;
    case TR_TRAIN:
        gp_yemit_kv_str(e, "pattern", "continuous");
        break;
    }
    gp_yemit_map_end(e);

    if (w->p99_s > 0 || w->tput > 0) {
        gp_yemit_str(e, "target");
        gp_yemit_map_start(e, true);
        if (w->p99_s > 0)
            kv_duration(e, "p99Latency", w->p99_s);
        if (w->tput > 0)
            kv_sig(e, "throughput", w->tput);
        gp_yemit_map_end(e);
    }
    if (w->iso != ISO_NONE)
        gp_yemit_kv_str(e, "isolation", iso_names[w->iso]);
    gp_yemit_map_end(e);
}

static void
emit(struct gen *g, const struct gp_gen_opts *o, struct gp_strbuf *out)
{
    struct gp_strbuf c = GP_STRBUF_INIT;
    struct gp_yemit *e;
    char name[96];
    size_t i;
    int rc;

    gp_strbuf_printf(&c,
                     "Synthetic inventory: gpuplan generate --seed %llu "
                     "--nodes %u --replicas %llu\n"
                     "node pools: %zu (%u nodes, %llu GPUs); workloads: %zu "
                     "(%llu replicas)\n"
                     "estimated demand: %.1f GPUs, %.1f%% of the fleet "
                     "(the generator aims at most at %.0f%%)\n"
                     "prices: approximate AWS on-demand list prices per "
                     "GPU-hour, with regional\n"
                     "uplift and jitter (table in src/gen/generate.c)",
                     (unsigned long long)o->seed, o->nodes,
                     (unsigned long long)o->replicas, g->n_pools, o->nodes,
                     (unsigned long long)g->gpus, g->n_w,
                     (unsigned long long)o->replicas, g->demand,
                     100 * g->demand / (double)g->gpus,
                     100 * GP_GEN_MAX_LOAD);
    snprintf(name, sizeof(name), "gen-%un-%llur-%llu", o->nodes,
             (unsigned long long)o->replicas, (unsigned long long)o->seed);

    e = gp_yemit_new(out);
    gp_yemit_comment(e, c.buf);
    gp_yemit_doc_start(e);
    gp_yemit_map_start(e, false);
    gp_yemit_kv_str(e, "apiVersion", "gpuplan.dev/v1alpha1");
    gp_yemit_kv_str(e, "kind", "Inventory");
    gp_yemit_str(e, "metadata");
    gp_yemit_map_start(e, false);
    gp_yemit_kv_str(e, "name", name);
    gp_yemit_map_end(e);
    gp_yemit_str(e, "nodePools");
    gp_yemit_seq_start(e, false);
    for (i = 0; i < g->n_pools; i++)
        emit_pool(g, e, i);
    gp_yemit_seq_end(e);
    gp_yemit_str(e, "workloads");
    gp_yemit_seq_start(e, false);
    for (i = 0; i < g->n_w; i++)
        emit_workload(g, e, i);
    gp_yemit_seq_end(e);
    gp_yemit_map_end(e);
    gp_yemit_doc_end(e);
    rc = gp_yemit_free(e);
    assert(rc == 0); /* the calls above nest */
    (void)rc;
    gp_strbuf_release(&c);
}

int
gp_generate_inventory(const struct gp_gen_opts *o,
                      const struct gp_catalog *cat, struct gp_strbuf *out,
                      struct gp_diags *d)
{
    const struct gp_loc nowhere = {NULL, 0, 0, 0};
    struct gen g;
    size_t i, found = 0;
    int rc = 0;

    if (o->nodes < 1 || o->nodes > GP_GEN_MAX_NODES)
        rc = gp_error_at(d, nowhere, "node count %u is out of range (1 to %u)",
                         o->nodes, GP_GEN_MAX_NODES);
    if (o->replicas < 1 || o->replicas > GP_GEN_MAX_REPLICAS)
        rc = gp_error_at(d, nowhere,
                         "replica count %llu is out of range (1 to %llu)",
                         (unsigned long long)o->replicas,
                         (unsigned long long)GP_GEN_MAX_REPLICAS);
    memset(&g, 0, sizeof(g));
    for (i = 0; i < N_KINDS; i++) {
        g.model[i] = gp_catalog_find(cat, kinds[i].id);
        found += g.model[i] != NULL;
    }
    if (!found)
        rc = gp_error_at(d, nowhere, "the GPU catalogue has none of the "
                                     "models the generator uses (%s, ...)",
                         kinds[0].id);
    if (rc < 0)
        return -1;

    g.r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!g.r)
        gp_xoom(0);
    gsl_rng_set(g.r, mix_seed(o->seed));
    make_pools(&g, o->nodes);
    make_levels(&g);
    make_workloads(&g, o->replicas);
    fit_capacity(&g);
    if (g.over) {
        gp_warning_at(d, nowhere,
                      "%llu replicas need about %.0f GPUs even at their "
                      "lightest, over %.0f%% of the %llu GPUs of %u "
                      "node(s); a planner may not place them all",
                      (unsigned long long)o->replicas, g.demand,
                      100 * GP_GEN_MAX_LOAD, (unsigned long long)g.gpus,
                      o->nodes);
        gp_diag_hint(d, "give more nodes or fewer replicas");
    }
    emit(&g, o, out);
    gsl_rng_free(g.r);
    free(g.pools);
    free(g.w);
    return 0;
}
