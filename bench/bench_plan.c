/* SPDX-License-Identifier: MIT */
/* bench/bench_plan.c: the planner against its lower bound and against the
 * simple baselines of issue 4, on the scenarios and on generated fleets.
 *
 *   bench_plan [--quick] [INVENTORY...]
 *
 * With no files: the scenarios (run from the repository root) and
 * generated fleets of 1,000 and 10,000 nodes (--quick: 1,000 only).
 *
 * Baselines, each on the cheapest pool whose GPU holds the workload, with
 * memory as the only check (they ignore latency; their rows say how many
 * replicas they could not place or would put past GPU memory):
 *   one-pod    one replica per GPU;
 *   ts4        time-slicing x4 everywhere: ceil(replicas / 4) per pool,
 *              replicas whose 4 copies exceed GPU memory counted as OOM risk;
 *   mig-1g     every replica on the smallest MIG instance of its pool's GPU
 *              (non-MIG GPUs: one per GPU), replicas larger than it counted;
 *   first-fit  replicas by memory, largest first, first fit into GPUs by
 *              memory alone (time-slicing without a replica limit).
 * Target (issue 4): the plan within 3% of the lower bound in GPUs hosting
 * pods; a 10,000-node recommend in under 2 s. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "base/arena.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "gen/generate.h"
#include "inventory/inventory.h"
#include "model/gpu.h"
#include "plan/plan.h"

static uint64_t
mib(uint64_t bytes)
{
    return (bytes + (1u << 20) - 1) >> 20;
}

/* the cheapest pool whose GPU holds w, or SIZE_MAX */
static size_t
pool_for(const struct gp_inventory *inv, const struct gp_workload *w)
{
    size_t i, best = SIZE_MAX;

    for (i = 0; i < inv->n_pools; i++)
        if (inv->pools[i].gpu->memory_mib >= mib(w->memory_bytes) &&
            (best == SIZE_MAX || inv->pools[i].price_per_gpu_hour <
                                     inv->pools[best].price_per_gpu_hour))
            best = i;
    return best;
}

static const struct gp_mig_profile *
smallest_mig(const struct gp_gpu_model *m)
{
    const struct gp_mig_profile *best = NULL;
    size_t i;

    if (!m->mig)
        return NULL;
    for (i = 0; i < m->mig->n_profiles; i++) {
        const struct gp_mig_profile *p = &m->mig->profiles[i];

        if (p->attr[0] == '\0' && p->max_count &&
            (!best || p->memory_slices < best->memory_slices))
            best = p;
    }
    return best;
}

static int
by_mem_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? 1 : x > y ? -1 : 0;
}

struct base {
    uint64_t one_pod, ts4, ts4_oom, mig, mig_misfit, ff;
};

static void
baselines(const struct gp_inventory *inv, struct base *b)
{
    uint64_t *per_pool = calloc(inv->n_pools + 1, sizeof(*per_pool));
    uint64_t *mig_inst = calloc(inv->n_pools + 1, sizeof(*mig_inst));
    size_t i, p;

    memset(b, 0, sizeof(*b));
    for (i = 0; i < inv->n_loads; i++) {
        const struct gp_workload *w = &inv->loads[i];
        const struct gp_mig_profile *s;

        if ((p = pool_for(inv, w)) == SIZE_MAX)
            continue;
        b->one_pod += w->replicas;
        per_pool[p] += w->replicas;
        if (4 * mib(w->memory_bytes) > inv->pools[p].gpu->memory_mib)
            b->ts4_oom += w->replicas;
        s = smallest_mig(inv->pools[p].gpu);
        if (s && mib(w->memory_bytes) > s->memory_mib)
            b->mig_misfit += w->replicas;
        mig_inst[p] += w->replicas;
    }
    for (p = 0; p < inv->n_pools; p++) {
        const struct gp_mig_profile *s = smallest_mig(inv->pools[p].gpu);
        uint64_t per_gpu = s ? s->max_count : 1;

        b->ts4 += (per_pool[p] + 3) / 4;
        b->mig += (mig_inst[p] + per_gpu - 1) / per_gpu;
    }
    /* first fit by memory, per pool */
    for (p = 0; p < inv->n_pools; p++) {
        uint64_t cap = inv->pools[p].gpu->memory_mib, *mem, *free_mem;
        size_t n = 0, gpus = 0, k, g;

        if (!per_pool[p])
            continue;
        mem = calloc(per_pool[p], sizeof(*mem));
        free_mem = calloc(per_pool[p], sizeof(*free_mem));
        for (i = 0; i < inv->n_loads; i++) {
            const struct gp_workload *w = &inv->loads[i];

            if (pool_for(inv, w) != p)
                continue;
            for (k = 0; k < w->replicas; k++)
                mem[n++] = mib(w->memory_bytes);
        }
        qsort(mem, n, sizeof(*mem), by_mem_desc);
        for (k = 0; k < n; k++) {
            for (g = 0; g < gpus && free_mem[g] < mem[k]; g++)
                ;
            if (g == gpus)
                free_mem[gpus++] = cap;
            free_mem[g] -= mem[k];
        }
        b->ff += gpus;
        free(mem);
        free(free_mem);
    }
    free(per_pool);
    free(mig_inst);
}

static int
run(const char *name, const char *file, const char *text, size_t len,
    const struct gp_catalog *cat)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_inventory *inv;
    struct gp_plan *p;
    struct gp_plan_opts o = {false, 1, GP_PLAN_ENGINE_BUDGET};
    struct base b;
    double t0, t1, t2;
    int rc;

    t0 = bench_now();
    rc = text ? gp_inventory_parse(&inv, a, file, text, len, cat, d)
              : gp_inventory_load(&inv, a, &file, 1, cat, d);
    if (rc < 0) {
        gp_diags_print(d, stderr);
        gp_arena_free(a);
        return -1;
    }
    t1 = bench_now();
    if (gp_plan_make(&p, a, inv, &o, d) < 0) {
        gp_diags_print(d, stderr);
        gp_arena_free(a);
        return -1;
    }
    t2 = bench_now();
    baselines(inv, &b);
    printf("%-18s plan %6u GPUs (bound %9.1f, gap %5.1f%%; %.1f to free "
           "nodes, gap without %4.1f%%) %5u nodes $%.0f/day, %s; one-pod %6llu  ts4 %6llu (%llu OOM)  mig-1g "
           "%6llu (%llu too big)  first-fit %6llu; parse %.2f s, plan "
           "%.2f s, %llu predictions (%llu engine)\n",
           name, p->gpus_used, p->gpus_lower_bound,
           p->gpus_lower_bound > 0
               ? 100.0 * (p->gpus_used - p->gpus_lower_bound) /
                     p->gpus_lower_bound
               : 0.0,
           p->gpus_for_nodes,
           p->gpus_lower_bound > 0
               ? 100.0 * (p->gpus_used - p->gpus_for_nodes -
                          p->gpus_lower_bound) /
                     p->gpus_lower_bound
               : 0.0,
           p->nodes_used, p->cost_per_day,
           p->all_targets_met ? "targets met" : "TARGET MISSED",
           (unsigned long long)b.one_pod, (unsigned long long)b.ts4,
           (unsigned long long)b.ts4_oom, (unsigned long long)b.mig,
           (unsigned long long)b.mig_misfit, (unsigned long long)b.ff,
           t1 - t0, t2 - t1, (unsigned long long)p->evals,
           (unsigned long long)p->engine_evals);
    gp_arena_free(a);
    return 0;
}

int
main(int argc, char **argv)
{
    static const char *const scen[] = {"scenarios/inference-fleet.yaml",
                                       "scenarios/small-lab.yaml",
                                       "scenarios/mixed-cluster.yaml",
                                       "scenarios/tenant-isolation.yaml",
                                       "scenarios/shared-mig.yaml"};
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_catalog *cat;
    bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    int i, first = quick ? 2 : 1, status = 0;

    if (gp_catalog_load(&cat, a, NULL, d) < 0) {
        gp_diags_print(d, stderr);
        return 1;
    }
    if (argc > first) {
        for (i = first; i < argc; i++)
            status |= run(argv[i], argv[i], NULL, 0, cat) < 0;
    } else {
        static const uint32_t nodes[] = {1000, 10000};
        size_t k;

        for (k = 0; k < sizeof(scen) / sizeof(scen[0]); k++)
            status |= run(strrchr(scen[k], '/') + 1, scen[k], NULL, 0, cat) < 0;
        for (k = 0; k < (quick ? 1u : 2u); k++) {
            struct gp_gen_opts g = {1, nodes[k], (uint64_t)nodes[k] * 10};
            struct gp_strbuf sb = GP_STRBUF_INIT;
            char name[64];

            if (gp_generate_inventory(&g, cat, &sb, d) < 0) {
                gp_diags_print(d, stderr);
                return 1;
            }
            snprintf(name, sizeof(name), "gen-%un", nodes[k]);
            status |= run(name, name, sb.buf, sb.len, cat) < 0;
            gp_strbuf_release(&sb);
        }
    }
    gp_arena_free(a);
    return status;
}
