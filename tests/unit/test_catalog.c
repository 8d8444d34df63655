/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "harness.h"
#include "model/gpu.h"
#include "tests.h"

static struct gp_catalog *
load(struct gp_arena *a)
{
    struct gp_diags *d = gp_diags_new(a);
    struct gp_catalog *c = NULL;

    if (gp_catalog_load(&c, a, NULL, d) < 0)
        gp_diags_print(d, stderr);
    return c;
}

void
catalog_builtin_loads(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_catalog *c = load(a);
    size_t i, mig = 0;

    OK(c != NULL);
    if (!c)
        goto out;
    OK(c->n >= 25);
    for (i = 0; i < c->n; i++) {
        mig += c->v[i]->mig != NULL;
        OK(c->v[i]->n_sources > 0);
        OK(c->v[i]->memory_bandwidth_gbps > 0);
    }
    OK(mig >= 16);
    {
        struct gp_diags *d = gp_diags_new(a);

        /* No name may resolve to two built-in models. */
        OK(gp_catalog_check_names(c, d) == 0);
        gp_diags_print(d, stderr);
    }
out:
    gp_arena_free(a);
}

void
catalog_resolves_every_name_form(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_catalog *c = load(a);
    const struct {
        const char *name, *id;
    } cases[] = {
        {"A100-SXM4-40GB", "A100-SXM4-40GB"},
        {"nvidia-a100-sxm4-40gb", "A100-SXM4-40GB"},
        {"NVIDIA A100-SXM4-40GB", "A100-SXM4-40GB"},
        {"0x20B010DE", "A100-SXM4-40GB"},
        {"0x20b0", "A100-SXM4-40GB"},
        {"10de:2330", "H100-SXM5-80GB"},
        {"NVIDIA-H100-80GB-HBM3", "H100-SXM5-80GB"},
        {"NVIDIA-H100-80GB-HBM3-MIG-1g.10gb", "H100-SXM5-80GB"},
        {"NVIDIA-A100-80GB-PCIe-MIG-1g.10gb", "A100-PCIE-80GB"},
        {"NVIDIA-L40S-SHARED", "L40S"},
        {"Tesla T4", "T4"},
        {"NVIDIA H200", "H200-SXM-141GB"},
    };
    size_t i;

    if (!c)
        goto out;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct gp_gpu_model *m = gp_catalog_find(c, cases[i].name);

        STR_EQ(m ? m->id : "(not found)", cases[i].id);
    }
    OK(gp_catalog_find(c, "NVIDIA-Q100") == NULL);
    OK(gp_catalog_suggest(c, "A100-SXM4-40G") != NULL);
out:
    gp_arena_free(a);
}

static size_t
model_errors(const char *text, const char **msg)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    const struct gp_gpu_model *m;
    const struct gp_diag *v;
    size_t n, e;
    static char buf[256];

    gp_model_parse(&m, a, "m.yaml", text, strlen(text), d);
    e = gp_diags_errors(d);
    v = gp_diags_sorted(d, &n);
    snprintf(buf, sizeof(buf), "%s", n ? v[0].msg : "");
    *msg = buf;
    gp_arena_free(a);
    return e;
}

void
catalog_rejects_bad_model_files(void)
{
    const char *head = "id: X1\nmemory_mib: 8192\nsm_count: 10\n"
                       "memory_bandwidth_gbps: 100\nnames: {}\n"
                       "sources: {S1: a}\n";
    char buf[1024];
    const char *msg;

    snprintf(buf, sizeof(buf), "%s", head);
    INT_EQ(model_errors(buf, &msg), 0);
    snprintf(buf, sizeof(buf), "%smemroy: 1\n", head);
    INT_EQ(model_errors(buf, &msg), 1);
    STR_EQ(msg, "unknown key 'memroy' in GPU model");
    snprintf(buf, sizeof(buf), "%ssource: [S9]\n", head);
    INT_EQ(model_errors(buf, &msg), 1);
    STR_EQ(msg, "source 'S9' is not defined under 'sources'");
    snprintf(buf, sizeof(buf),
             "%smig:\n  memory_slices: 4\n  compute_slices: 4\n"
             "  max_instances: 4\n  profiles:\n"
             "    - {id: 1, name: 2g.4gb, memory_mib: 4096, memory_slices: 2,"
             " compute_slices: 2, sm_count: 5, max_count: 2,"
             " placements: [0, 3]}\n",
             head);
    INT_EQ(model_errors(buf, &msg), 1);
    STR_EQ(msg, "placement 3+2 runs past the 4 memory slices of the GPU");
    snprintf(buf, sizeof(buf),
             "%smig:\n  memory_slices: 4\n  compute_slices: 4\n"
             "  max_instances: 4\n  profiles:\n"
             "    - {id: 1, name: 2g4gb, memory_mib: 4096, memory_slices: 2,"
             " compute_slices: 2, sm_count: 5, max_count: 2,"
             " placements: [0, 2]}\n",
             head);
    INT_EQ(model_errors(buf, &msg), 1);
}
