/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "harness.h"
#include "inventory/inventory.h"
#include "model/gpu.h"
#include "tests.h"

static const char good[] =
    "apiVersion: gpuplan.dev/v1alpha1\n"
    "kind: Inventory\n"
    "metadata: {name: lab}\n"
    "nodePools:\n"
    "  - name: a100\n"
    "    nodeCount: 2\n"
    "    gpu: {model: NVIDIA-A100-SXM4-40GB, count: 8}\n"
    "    pricePerGPUHour: 2.5\n"
    "    labels: {topology.kubernetes.io/zone: us-east-1a}\n"
    "    sharing: {strategy: mig, migDevices: {3g.20gb: 2}}\n"
    "workloads:\n"
    "  - name: bert\n"
    "    namespace: search\n"
    "    replicas: 3\n"
    "    gpuMemory: 9Gi\n"
    "    compute: {serviceTime: 6ms, smFraction: 300m, memoryBound: 0.6}\n"
    "    traffic: {pattern: poisson, requestsPerSecond: 150}\n"
    "    target: {p99Latency: 40ms}\n"
    "    isolation: tenant\n"
    "  - name: trainer\n"
    "    gpuMemory: 30Gi\n"
    "    compute: {serviceTime: 120ms}\n"
    "    traffic: {pattern: closed-loop, dutyCycle: 80%}\n";

void
inventory_valid_roundtrip(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_catalog *c = NULL;
    struct gp_inventory *inv = NULL;
    const struct gp_workload *w;

    OK(gp_catalog_load(&c, a, NULL, d) == 0);
    OK(gp_inventory_parse(&inv, a, "inv.yaml", good, strlen(good), c, d) ==
       0);
    gp_diags_print(d, stderr);
    if (!inv)
        goto out;
    STR_EQ(inv->name, "lab");
    INT_EQ(inv->n_pools, 1);
    STR_EQ(inv->pools[0].gpu->id, "A100-SXM4-40GB");
    INT_EQ(inv->pools[0].sharing.mode, GP_SHARE_MIG);
    INT_EQ(inv->pools[0].sharing.n_mig, 2);
    INT_EQ(inv->n_loads, 2);
    w = &inv->loads[0];
    INT_EQ(w->memory_bytes, 9ull << 30);
    DBL_NEAR(w->service_time_s, 0.006, 1e-12);
    DBL_NEAR(w->sm_fraction, 0.3, 1e-12);
    DBL_NEAR(gp_workload_duty(w), 50 * 0.006, 1e-12);
    STR_EQ(w->tenant, "search");
    w = &inv->loads[1];
    DBL_NEAR(w->think_time_s, 0.03, 1e-12);
    DBL_NEAR(gp_workload_duty(w), 0.8, 1e-12);
    STR_EQ(w->namespace_, "default");
out:
    gp_arena_free(a);
}

void
inventory_reports_all_errors(void)
{
    static const char bad[] =
        "apiVersion: gpuplan.dev/v1alpha1\n"
        "kind: Inventory\n"
        "nodePools:\n"
        "  - name: a100\n"
        "    nodeCount: 0\n"
        "    gpu: {model: A100-SXM4-40G, count: 8}\n"
        "    sharing: {strategy: mps, replicas: 64}\n"
        "workloads:\n"
        "  - name: bert\n"
        "    gpuMemroy: 9Gi\n"
        "    compute: {serviceTime: 6}\n"
        "    traffic: {pattern: poisson, requestsPerSecond: -5}\n";
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_catalog *c = NULL;
    struct gp_inventory *inv = NULL;

    OK(gp_catalog_load(&c, a, NULL, d) == 0);
    OK(gp_inventory_parse(&inv, a, "bad.yaml", bad, strlen(bad), c, d) < 0);
    OK(inv == NULL);
    /* nodeCount, model, replicas, the misspelt gpuMemory (reported once,
     * with its fix, not also as missing), serviceTime unit, negative rate. */
    INT_EQ(gp_diags_errors(d), 6);
    gp_arena_free(a);
}
