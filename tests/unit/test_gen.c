/* SPDX-License-Identifier: MIT */
/* Generator tests: what gp_generate_inventory writes loads back through
 * gp_inventory_parse without a single diagnostic, hits the node and replica
 * totals exactly, fits every workload on some GPU of its own fleet with
 * headroom, and is a pure function of its options. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "gen/generate.h"
#include "harness.h"
#include "inventory/inventory.h"
#include "model/gpu.h"
#include "tests.h"

static struct gp_arena *A;
static struct gp_catalog *CAT;

static void
setup(void)
{
    if (!A) {
        struct gp_diags *d;

        A = gp_arena_new();
        d = gp_diags_new(A);
        if (gp_catalog_load(&CAT, A, NULL, d) < 0)
            abort();
    }
}

/* Generates into 'out' and checks that the generator itself said nothing. */
static void
generate(struct gp_strbuf *out, uint64_t seed, uint32_t nodes,
         uint64_t replicas)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_gen_opts o = {seed, nodes, replicas};

    setup();
    OK(gp_generate_inventory(&o, CAT, out, d) == 0);
    INT_EQ(gp_diags_errors(d), 0);
    INT_EQ(gp_diags_warnings(d), 0);
    gp_diags_print(d, stderr);
    gp_arena_free(a);
}

/* Parses into 'a'; NULL (after a failed check) when anything was said. */
static const struct gp_inventory *
parse(struct gp_arena *a, const struct gp_strbuf *text)
{
    struct gp_diags *d = gp_diags_new(a);
    struct gp_inventory *inv = NULL;
    int rc = gp_inventory_parse(&inv, a, "gen.yaml", text->buf, text->len,
                                CAT, d);

    OK(rc == 0);
    INT_EQ(gp_diags_errors(d), 0);
    INT_EQ(gp_diags_warnings(d), 0);
    if (rc < 0 || gp_diags_errors(d) || gp_diags_warnings(d)) {
        gp_diags_print(d, stderr);
        return NULL;
    }
    return inv;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Everything a generated inventory promises, for one set of options. */
static void
check_inventory(uint64_t seed, uint32_t nodes, uint64_t replicas)
{
    struct gp_strbuf text = GP_STRBUF_INIT;
    struct gp_arena *a = gp_arena_new();
    const struct gp_inventory *inv;
    const char **names;
    uint64_t node_sum = 0, rep_sum = 0, gpus = 0, biggest = 0;
    double need = 0;
    size_t i, dups = 0, bad_mem = 0, bad_p99 = 0, bad_duty = 0;

    generate(&text, seed, nodes, replicas);
    inv = parse(a, &text);
    if (!inv) {
        fprintf(stderr, "  (seed %llu, %u nodes, %llu replicas)\n",
                (unsigned long long)seed, nodes,
                (unsigned long long)replicas);
        goto out;
    }
    for (i = 0; i < inv->n_pools; i++) {
        const struct gp_node_pool *p = &inv->pools[i];

        node_sum += p->nodes;
        gpus += (uint64_t)p->nodes * p->gpus_per_node;
        if (p->gpu->memory_mib > biggest)
            biggest = p->gpu->memory_mib;
        OK(p->gpus_per_node == 1 || p->gpus_per_node == 4 ||
           p->gpus_per_node == 8);
        OK(p->price_per_gpu_hour > 0.3 && p->price_per_gpu_hour < 12);
        OK(p->has_sharing && p->sharing.mode == GP_SHARE_EXCLUSIVE);
        OK(p->n_labels >= 3);
    }
    INT_EQ(node_sum, nodes);
    names = calloc(inv->n_loads, sizeof(*names));
    for (i = 0; i < inv->n_loads; i++) {
        const struct gp_workload *w = &inv->loads[i];
        double mem = (double)w->memory_bytes / (double)(biggest << 20);
        double duty = gp_workload_duty(w);

        rep_sum += w->replicas;
        names[i] = w->name;
        bad_mem += w->memory_bytes > biggest << 20;
        /* Targets a small multiple of the service time, up to rounding. */
        if (w->target_p99_s > 0 &&
            (w->target_p99_s < 3.99 * w->service_time_s ||
             w->target_p99_s > 20.01 * w->service_time_s))
            bad_p99++;
        if (w->traffic == GP_TRAFFIC_POISSON && duty > 0.35 + 1e-9)
            bad_duty++;
        /* A loose bound on the generator's own estimate: memory measured
         * against the biggest GPU, hard isolation not rounded up. */
        need += (double)w->replicas * (duty > mem ? duty : mem);
    }
    INT_EQ(rep_sum, replicas);
    INT_EQ(bad_mem, 0);
    INT_EQ(bad_p99, 0);
    INT_EQ(bad_duty, 0);
    OK(need <= GP_GEN_MAX_LOAD * (double)gpus);
    /* Workload names are unique across namespaces too. */
    qsort(names, inv->n_loads, sizeof(*names), cmp_str);
    for (i = 1; i < inv->n_loads; i++)
        dups += strcmp(names[i - 1], names[i]) == 0;
    INT_EQ(dups, 0);
    free(names);
out:
    gp_strbuf_release(&text);
    gp_arena_free(a);
}

void
gen_inventories_parse_cleanly(void)
{
    static const uint64_t seeds[] = {1, 2, 3, 7, 42, 1234567890123ull};
    static const struct {
        uint32_t nodes;
        uint64_t replicas;
    } sizes[] = {{1, 1}, {3, 7}, {12, 40}, {50, 400}, {400, 4000},
                 {1500, 20000}};
    size_t i, j;

    for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
        for (j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++)
            check_inventory(seeds[i], sizes[j].nodes, sizes[j].replicas);
}

void
gen_benchmark_size(void)
{
    /* The recommend benchmark's fleet: 10,000 nodes, 100,000 replicas. */
    check_inventory(1, 10000, 100000);
}

void
gen_deterministic(void)
{
    struct gp_strbuf a = GP_STRBUF_INIT, b = GP_STRBUF_INIT;
    struct gp_strbuf c = GP_STRBUF_INIT, hi = GP_STRBUF_INIT;

    generate(&a, 9, 500, 5000);
    generate(&b, 9, 500, 5000);
    INT_EQ(a.len, b.len);
    OK(a.len == b.len && memcmp(a.buf, b.buf, a.len) == 0);
    generate(&c, 10, 500, 5000);
    OK(a.len != c.len || memcmp(a.buf, c.buf, a.len) != 0);
    /* Seeds that differ only above bit 31 still give other fleets. */
    generate(&hi, 9 + (1ull << 32), 500, 5000);
    OK(strstr(hi.buf, "--seed 4294967305") != NULL);
    OK(strcmp(strstr(a.buf, "---"), strstr(hi.buf, "---")) != 0);
    gp_strbuf_release(&a);
    gp_strbuf_release(&b);
    gp_strbuf_release(&c);
    gp_strbuf_release(&hi);
}

void
gen_fleet_mix(void)
{
    struct gp_strbuf text = GP_STRBUF_INIT;
    struct gp_arena *a = gp_arena_new();
    const struct gp_inventory *inv;
    const struct gp_gpu_model *models[16];
    size_t n_models = 0, i, k, traffic[3] = {0}, iso[3] = {0};
    size_t tenant_differs = 0, single_gpu_nodes = 0, big = 0;

    generate(&text, 11, 3000, 30000);
    inv = parse(a, &text);
    if (!inv)
        goto out;
    for (i = 0; i < inv->n_pools; i++) {
        const struct gp_node_pool *p = &inv->pools[i];

        for (k = 0; k < n_models && models[k] != p->gpu; k++)
            ;
        if (k == n_models && n_models < 16)
            models[n_models++] = p->gpu;
        single_gpu_nodes += p->gpus_per_node == 1;
        OK(strcmp(p->labels[0].key, "topology.kubernetes.io/region") == 0);
    }
    OK(n_models >= 5);
    OK(single_gpu_nodes > 0);
    for (i = 0; i < inv->n_loads; i++) {
        const struct gp_workload *w = &inv->loads[i];

        traffic[w->traffic]++;
        iso[w->isolation]++;
        tenant_differs += strcmp(w->tenant, w->namespace_) != 0;
        big += w->memory_bytes > (40ull << 30);
    }
    for (k = 0; k < 3; k++) {
        OK(traffic[k] > 0);
        OK(iso[k] > 0);
    }
    /* Mostly small inference, some LLMs and training. */
    OK(traffic[GP_TRAFFIC_POISSON] > inv->n_loads / 2);
    OK(big > 0 && big < inv->n_loads / 4);
    INT_EQ(tenant_differs, inv->n_loads);
    STR_EQ(inv->name, "gen-3000n-30000r-11");
out:
    gp_strbuf_release(&text);
    gp_arena_free(a);
}

void
gen_rejects_bad_opts(void)
{
    static const struct gp_gen_opts bad[] = {
        {1, 0, 10},
        {1, GP_GEN_MAX_NODES + 1, 10},
        {1, 10, 0},
        {1, 10, GP_GEN_MAX_REPLICAS + 1},
    };
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_strbuf out = GP_STRBUF_INIT;
    size_t i;

    setup();
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t before = gp_diags_errors(d);

        OK(gp_generate_inventory(&bad[i], CAT, &out, d) < 0);
        INT_EQ(gp_diags_errors(d), before + 1);
        INT_EQ(out.len, 0);
    }
    gp_arena_free(a);
}

void
gen_warns_when_overloaded(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_strbuf out = GP_STRBUF_INIT;
    struct gp_gen_opts o = {5, 1, 5000};
    const struct gp_inventory *inv;
    size_t i;
    uint64_t reps = 0;

    setup();
    OK(gp_generate_inventory(&o, CAT, &out, d) == 0);
    INT_EQ(gp_diags_errors(d), 0);
    INT_EQ(gp_diags_warnings(d), 1);
    /* Too many replicas for one node, but still a valid inventory, with
     * nothing left that needs big GPUs or whole ones. */
    inv = parse(a, &out);
    if (inv) {
        for (i = 0; i < inv->n_loads; i++) {
            reps += inv->loads[i].replicas;
            OK(inv->loads[i].memory_bytes <= 24ull << 30);
            OK(inv->loads[i].traffic != GP_TRAFFIC_CONTINUOUS);
        }
        INT_EQ(reps, 5000);
    }
    gp_strbuf_release(&out);
    gp_arena_free(a);
}
