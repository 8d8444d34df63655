/* SPDX-License-Identifier: MIT */
/* tests/unit/test_import.c: JSON input with positions, and the importers:
 * nvidia-smi tables against the catalogue, DCGM statistics, pod owners,
 * and the kubectl fixtures end to end. */
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "harness.h"
#include "import/import.h"
#include "import/internal.h"
#include "inventory/inventory.h"
#include "json/json.h"
#include "model/gpu.h"
#include "tests.h"

static struct gp_import_src
src_of(const char *file, const char *text)
{
    struct gp_import_src s = {file, text, strlen(text)};

    return s;
}

static struct gp_import_src
fixture(struct gp_arena *a, struct gp_diags *d, const char *name)
{
    struct gp_import_src s = {NULL, "", 0};
    const char *path = gp_arena_printf(a, "%s/tests/import/%s", GP_SOURCE_DIR,
                                       name);

    if (gp_file_read(&s.text, &s.len, a, path, 64u << 20, d) == 0)
        s.file = name;
    OK(s.file != NULL);
    return s;
}

static const struct gp_diag *
first_diag(struct gp_diags *d, enum gp_severity sev)
{
    const struct gp_diag *v;
    size_t n, i;

    v = gp_diags_sorted(d, &n);
    for (i = 0; i < n; i++) {
        if (v[i].sev == sev)
            return &v[i];
    }
    return NULL;
}

/* ---- JSON --------------------------------------------------------------- */

struct seen {
    size_t n;
    uint32_t lines[8], cols[8];
    struct gp_loc key;
    const char *names[8];
    struct gp_arena *a;
};

static int
collect(void *ctx, const struct gp_json_item *it)
{
    struct seen *s = ctx;
    const char *name = gp_json_str(gp_json_get(it->value, "name"));

    if (s->n < 8) {
        s->lines[s->n] = it->loc.line;
        s->cols[s->n] = it->loc.col;
        s->names[s->n] = name ? gp_arena_strdup(s->a, name) : NULL;
    }
    if (s->n == 1)
        s->key = gp_json_item_loc(it, "size");
    s->n++;
    return 0;
}

void
json_scan_items_positions(void)
{
    static const char doc[] = "{\n"
                              "  \"kind\": \"List\",\n"
                              "  \"items\": [\n"
                              "    {\"name\": \"a\"},\n"
                              "    {\"name\": \"b\",\n"
                              "     \"size\": 3}\n"
                              "  ],\n"
                              "  \"metadata\": {\"resourceVersion\": \"\"}\n"
                              "}\n";
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_json *top = NULL;
    struct seen s;

    memset(&s, 0, sizeof(s));
    s.a = a;
    OK(gp_json_scan(&top, "l.json", doc, strlen(doc), "items", NULL,
                    collect, &s, d) == 0);
    INT_EQ(s.n, 2);
    INT_EQ(s.lines[0], 4);
    INT_EQ(s.cols[0], 5);
    INT_EQ(s.lines[1], 5);
    STR_EQ(s.names[1], "b");
    INT_EQ(s.key.line, 6);
    INT_EQ(s.key.col, 6);
    INT_EQ(s.key.len, 6);
    STR_EQ(gp_json_str(gp_json_get(top, "kind")), "List");
    OK(gp_json_get(top, "items") == NULL);
    OK(gp_json_get(top, "metadata") != NULL);
    gp_json_free(top);
    gp_arena_free(a);
}

void
json_scan_errors_resume_and_truncation(void)
{
    /* Two broken items among good ones: both reported, the good ones
     * still read; then a cut-off file. */
    static const char bad[] = "{\"items\": [\n"
                              "  {\"name\": \"a\"},\n"
                              "  {\"name\": \"b\" \"x\": 1},\n"
                              "  {\"name\": tru},\n"
                              "  {\"name\": \"d\"}\n"
                              "]}\n";
    static const char cut[] = "{\"items\": [\n  {\"name\": \"a\"},\n  "
                              "{\"name\": \"b";
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_json *top = NULL;
    const struct gp_diag *v;
    struct seen s;
    size_t n;

    memset(&s, 0, sizeof(s));
    s.a = a;
    OK(gp_json_scan(&top, "b.json", bad, strlen(bad), "items", NULL,
                    collect, &s, d) < 0);
    OK(top == NULL);
    INT_EQ(s.n, 2);
    STR_EQ(s.names[1], "d");
    INT_EQ(gp_diags_errors(d), 2);
    v = gp_diags_sorted(d, &n);
    INT_EQ(v[0].loc.line, 3);
    INT_EQ(v[0].loc.col, 16);
    STR_EQ(v[0].hint, "a ',' is missing before it?");
    INT_EQ(v[1].loc.line, 4);
    STR_EQ(v[1].msg, "invalid JSON: unexpected 'tru'");

    d = gp_diags_new(a);
    memset(&s, 0, sizeof(s));
    s.a = a;
    OK(gp_json_scan(&top, "c.json", cut, strlen(cut), "items", NULL,
                    collect, &s, d) < 0);
    INT_EQ(s.n, 1);
    v = first_diag(d, GP_SEV_ERROR);
    OK(v && strstr(v->msg, "the file ends inside item 2, which starts at "
                           "line 3") != NULL);
    OK(v && v->loc.line == 3);

    d = gp_diags_new(a);
    OK(gp_json_parse(&top, "e.json", "  \n", 3, d) < 0);
    v = first_diag(d, GP_SEV_ERROR);
    OK(v && strstr(v->msg, "file is empty") != NULL);
    d = gp_diags_new(a);
    OK(gp_json_parse(&top, "t.json", "{} x", 4, d) < 0);
    v = first_diag(d, GP_SEV_ERROR);
    OK(v && strstr(v->msg, "after the end of the document") != NULL);
    gp_arena_free(a);
}

/* ---- nvidia-smi --------------------------------------------------------- */

static void
same_model(const struct gp_gpu_model *got, const struct gp_gpu_model *want)
{
    size_t i, k;

    STR_EQ(got->id, want->id);
    INT_EQ(got->memory_mib, want->memory_mib);
    INT_EQ(got->sm_count, want->sm_count);
    STR_EQ(got->architecture, want->architecture);
    STR_EQ(got->compute_capability, want->compute_capability);
    DBL_NEAR(got->memory_bandwidth_gbps, want->memory_bandwidth_gbps, 1e-9);
    STR_EQ(got->nvidia_smi.v[0], want->nvidia_smi.v[0]);
    STR_EQ(got->gfd_product.v[0], want->gfd_product.v[0]);
    STR_EQ(got->pci_ids.v[0], want->pci_ids.v[0]);
    OK(got->mig && want->mig);
    if (!got->mig || !want->mig)
        return;
    INT_EQ(got->mig->memory_slices, want->mig->memory_slices);
    INT_EQ(got->mig->compute_slices, want->mig->compute_slices);
    INT_EQ(got->mig->max_instances, want->mig->max_instances);
    INT_EQ(got->mig->sm_count, want->mig->sm_count);
    INT_EQ(got->mig->budget.dec, want->mig->budget.dec);
    INT_EQ(got->mig->budget.enc, want->mig->budget.enc);
    INT_EQ(got->mig->budget.jpeg, want->mig->budget.jpeg);
    INT_EQ(got->mig->budget.ofa, want->mig->budget.ofa);
    INT_EQ(got->mig->n_profiles, want->mig->n_profiles);
    for (i = 0; i < got->mig->n_profiles && i < want->mig->n_profiles; i++) {
        const struct gp_mig_profile *g = &got->mig->profiles[i];
        const struct gp_mig_profile *w = &want->mig->profiles[i];

        INT_EQ(g->id, w->id);
        STR_EQ(g->name, w->name);
        STR_EQ(g->attr, w->attr);
        INT_EQ(g->memory_mib, w->memory_mib);
        INT_EQ(g->memory_slices, w->memory_slices);
        INT_EQ(g->compute_slices, w->compute_slices);
        INT_EQ(g->sm_count, w->sm_count);
        INT_EQ(g->engines.ce, w->engines.ce);
        INT_EQ(g->engines.dec, w->engines.dec);
        INT_EQ(g->engines.enc, w->engines.enc);
        INT_EQ(g->engines.jpeg, w->engines.jpeg);
        INT_EQ(g->engines.ofa, w->engines.ofa);
        INT_EQ(g->max_count, w->max_count);
        INT_EQ(g->n_starts, w->n_starts);
        for (k = 0; k < g->n_starts && k < w->n_starts; k++)
            INT_EQ(g->starts[k], w->starts[k]);
    }
}

static void
smi_case(const char *prefix, const char *id, uint32_t sms, double bw)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_catalog *cat = NULL;
    struct gp_strbuf out = GP_STRBUF_INIT;
    struct gp_smi_opts o = {id, sms, bw, NULL};
    struct gp_import_src lgip, lgipp, q;
    const struct gp_gpu_model *got = NULL;

    OK(gp_catalog_load(&cat, a, NULL, d) == 0);
    lgip = fixture(a, d, gp_arena_printf(a, "%s-lgip.txt", prefix));
    lgipp = fixture(a, d, gp_arena_printf(a, "%s-lgipp.txt", prefix));
    q = fixture(a, d, gp_arena_printf(a, "%s-q.txt", prefix));
    OK(gp_import_nvidia_smi(&out, a, &lgip, &lgipp, &q, &o, cat, d) == 0);
    INT_EQ(gp_diags_errors(d), 0);
    INT_EQ(gp_diags_warnings(d), 0);
    gp_diags_print(d, stderr);
    OK(gp_model_parse(&got, a, "imported.yaml", out.buf, out.len, d) == 0);
    if (got && cat)
        same_model(got, gp_catalog_find(cat, id));
    gp_strbuf_release(&out);
    gp_arena_free(a);
}

void
import_smi_reproduces_catalogue(void)
{
    /* The NVIDIA MIG user guide's A100-40GB tables and an H100's real
     * ones give back the catalogue's entries, field for field. */
    smi_case("a100-40gb", "A100-SXM4-40GB", 108, 1555);
    smi_case("h100", "H100-SXM5-80GB", 132, 3350);
}

void
import_smi_placeholders_and_errors(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_strbuf out = GP_STRBUF_INIT;
    struct gp_smi_opts o = {NULL, 0, 0, NULL};
    struct gp_import_src lgip, lgipp, bad;
    const struct gp_gpu_model *got = NULL;

    lgip = fixture(a, d, "h100-lgip.txt");
    lgipp = fixture(a, d, "h100-lgipp.txt");
    /* No -q and no id: an error naming the way out. */
    OK(gp_import_nvidia_smi(&out, a, &lgip, &lgipp, NULL, &o, NULL, d) < 0);
    OK(strstr(first_diag(d, GP_SEV_ERROR)->msg, "--id") != NULL);
    /* With an id: placeholders, each with a warning, and a file that
     * loads. */
    d = gp_diags_new(a);
    o.id = "NEW-GPU";
    OK(gp_import_nvidia_smi(&out, a, &lgip, &lgipp, NULL, &o, NULL, d) == 0);
    INT_EQ(gp_diags_errors(d), 0);
    INT_EQ(gp_diags_warnings(d), 4); /* memory, SMs, bandwidth, CC */
    OK(strstr(out.buf, "FILL IN sm_count") != NULL);
    OK(gp_model_parse(&got, a, "new.yaml", out.buf, out.len, d) == 0);
    OK(got && got->memory_mib == 81920);
    /* A profile row without its second line. */
    d = gp_diags_new(a);
    gp_strbuf_reset(&out);
    bad = src_of("cut.txt",
                 "| GPU instance profiles: |\n"
                 "|   0  MIG 1g.10gb       19     7/7        9.75       No "
                 "    16     1     0   |\n");
    OK(gp_import_nvidia_smi(&out, a, &bad, &lgipp, NULL, &o, NULL, d) < 0);
    OK(strstr(first_diag(d, GP_SEV_ERROR)->msg, "the table ends inside "
                                                "profile '1g.10gb'") != NULL);
    INT_EQ(out.len, 0);
    gp_strbuf_release(&out);
    gp_arena_free(a);
}

/* ---- DCGM --------------------------------------------------------------- */

void
import_dcgm_statistics(void)
{
    static const char m[] =
        "# HELP DCGM_FI_DEV_FB_USED Framebuffer memory used (in MiB).\n"
        "# TYPE DCGM_FI_DEV_FB_USED gauge\n"
        "DCGM_FI_DEV_FB_USED{gpu=\"0\",UUID=\"GPU-a\",Hostname=\"n1\","
        "container=\"c\",namespace=\"ns\",pod=\"p1\"} 100\n"
        "DCGM_FI_DEV_FB_USED{gpu=\"0\",UUID=\"GPU-a\",Hostname=\"n1\","
        "container=\"c\",namespace=\"ns\",pod=\"p2\"} 100\n"
        "DCGM_FI_DEV_FB_USED{gpu=\"1\",UUID=\"GPU-b\",Hostname=\"n1\","
        "container=\"\",namespace=\"\",pod=\"\"} 0\n"
        "# TYPE DCGM_FI_DEV_GPU_UTIL gauge\n"
        "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-a\",Hostname=\"n1\","
        "namespace=\"ns\",pod=\"p1\"} 40\n"
        "# TYPE DCGM_FI_DEV_FB_USED gauge\n"
        "DCGM_FI_DEV_FB_USED{gpu=\"0\",UUID=\"GPU-a\",Hostname=\"n1\","
        "namespace=\"ns\",pod=\"p1\"} 300\n"
        "DCGM_FI_DEV_FB_USED{gpu=\"2\",UUID=\"GPU-c\",Hostname=\"n1\","
        "exported_namespace=\"ns\",exported_pod=\"p3\",namespace=\"gpu\","
        "pod=\"dcgm-x\"} 50 1718186400000\n"
        "DCGM_FI_DEV_FB_USED{gpu=\"3\",UUID=\"GPU-d\",Hostname=\"n1\","
        "namespace=\"gpu-operator\",pod=\"nvidia-dcgm-exporter-x7b2q\"} 9\n"
        "# TYPE DCGM_FI_DEV_GPU_UTIL gauge\n"
        "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-a\",Hostname=\"n1\","
        "namespace=\"ns\",pod=\"p1\"} 80\n"
        "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-a\",Hostname=\"n1\","
        "namespace=\"ns\",pod=\"p1\"} NaN\n"
        "DCGM_FI_PROF_SM_ACTIVE{gpu=\"0\",modelName=\"a \\\"quoted\\\" "
        "name\",namespace=\"ns\",pod=\"p1\"} 0.5\n";
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_import_src s = src_of("m.txt", m);
    struct gp_imp_dcgm M;
    const struct gp_imp_dcgm_pod *p1, *p2, *p3;
    char key[520];
    uint32_t *slot;

    OK(gp_imp_dcgm_load(&M, a, &s, 1, d) == 0);
    gp_diags_print(d, stderr);
    INT_EQ(M.scrapes, 2);
    INT_EQ(M.n, 3);
    INT_EQ(M.unattributed, 2); /* an idle GPU, and the exporter's own pod */
    INT_EQ(M.seen[GP_M_FB_USED], 6);
    slot = gp_imp_map_find(&M.by_pod, key, gp_imp_key2(key, "ns", "p1"));
    OK(slot != NULL);
    if (!slot)
        goto out;
    p1 = &M.v[*slot];
    DBL_NEAR(p1->fb_mib.max, 300, 0);
    INT_EQ(p1->fb_mib.n, 2);
    INT_EQ(p1->scrapes, 2);
    DBL_NEAR(p1->util.max, 0.8, 1e-12);
    DBL_NEAR(p1->util.sum, 1.2, 1e-12);
    INT_EQ(p1->util.n, 2); /* NaN is not a sample */
    DBL_NEAR(p1->sm_active.max, 0.5, 0);
    STR_EQ(p1->model_name, "a \"quoted\" name");
    OK(p1->shared); /* p2 on the same device in the same scrape */
    p2 = &M.v[*gp_imp_map_find(&M.by_pod, key, gp_imp_key2(key, "ns", "p2"))];
    OK(p2->shared);
    slot = gp_imp_map_find(&M.by_pod, key, gp_imp_key2(key, "ns", "p3"));
    OK(slot != NULL);
    p3 = slot ? &M.v[*slot] : NULL;
    OK(p3 && !p3->shared && p3->fb_mib.max == 50);
out:
    gp_imp_dcgm_release(&M);
    gp_arena_free(a);
}

/* ---- pods --------------------------------------------------------------- */

void
import_pod_owners_and_requests(void)
{
    static const char pods[] =
        "{\"kind\": \"List\", \"items\": [\n"
        /* Deployment, from a ReplicaSet named <deployment>-<hash> */
        "{\"kind\": \"Pod\", \"metadata\": {\"name\": \"web-6c9f7-abcde\", "
        "\"namespace\": \"a\", \"labels\": {\"pod-template-hash\": \"6c9f7\"},"
        " \"ownerReferences\": [{\"kind\": \"ReplicaSet\", \"name\": "
        "\"web-6c9f7\", \"controller\": true}]}, \"spec\": {\"nodeName\": "
        "\"n1\", \"containers\": [{\"name\": \"c\", \"resources\": "
        "{\"limits\": {\"nvidia.com/gpu\": \"2\"}}}]}, \"status\": "
        "{\"phase\": \"Running\"}},\n"
        /* a ReplicaSet of its own */
        "{\"kind\": \"Pod\", \"metadata\": {\"name\": \"rs-x\", \"namespace\":"
        " \"a\", \"ownerReferences\": [{\"kind\": \"ReplicaSet\", \"name\": "
        "\"rs\", \"controller\": true}]}, \"spec\": {\"containers\": "
        "[{\"name\": \"c\", \"resources\": {\"requests\": "
        "{\"nvidia.com/mig-1g.10gb\": 1}, \"limits\": "
        "{\"nvidia.com/mig-1g.10gb\": 1}}}]}, \"status\": {\"phase\": "
        "\"Pending\"}},\n"
        /* a CronJob's Job; an init container asking more than the app */
        "{\"kind\": \"Pod\", \"metadata\": {\"name\": \"nightly-28632960-q\","
        " \"namespace\": \"b\", \"ownerReferences\": [{\"kind\": \"Job\", "
        "\"name\": \"nightly-28632960\", \"controller\": true}]}, \"spec\": "
        "{\"initContainers\": [{\"name\": \"i\", \"resources\": {\"limits\": "
        "{\"nvidia.com/gpu\": \"3\"}}}, {\"name\": \"side\", "
        "\"restartPolicy\": \"Always\", \"resources\": {\"limits\": "
        "{\"nvidia.com/gpu\": \"1\"}}}], \"containers\": [{\"name\": \"c\", "
        "\"resources\": {\"limits\": {\"nvidia.com/gpu\": \"1\", "
        "\"nvidia.com/gpumem\": \"10\"}}}]}, \"status\": {\"phase\": "
        "\"Succeeded\"}},\n"
        /* a bare pod, and a pod without GPUs */
        "{\"kind\": \"Pod\", \"metadata\": {\"name\": \"solo\"}, \"spec\": "
        "{\"containers\": [{\"name\": \"c\", \"resources\": {\"limits\": "
        "{\"nvidia.com/gpu.shared\": \"1\"}}}]}, \"status\": {\"phase\": "
        "\"Unknown\"}},\n"
        "{\"kind\": \"Pod\", \"metadata\": {\"name\": \"cpu\"}, \"spec\": "
        "{\"containers\": [{\"name\": \"c\"}]}}\n"
        "]}\n";
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_import_src s = src_of("pods.json", pods);
    struct gp_imp_pods P;

    OK(gp_imp_pods_load(&P, a, &s, d) == 0);
    INT_EQ(P.total, 5);
    INT_EQ(P.n, 4);
    INT_EQ(P.non_gpu, 1);
    INT_EQ(gp_diags_warnings(d), 1); /* nvidia.com/gpumem is not imported */
    if (P.n == 4) {
        STR_EQ(P.v[0].kind, "Deployment");
        STR_EQ(P.v[0].owner, "web");
        INT_EQ(P.v[0].units, 2);
        STR_EQ(P.v[0].node, "n1");
        STR_EQ(P.v[1].kind, "ReplicaSet");
        STR_EQ(P.v[1].owner, "rs");
        STR_EQ(P.v[1].reqs[0].resource, "nvidia.com/mig-1g.10gb");
        INT_EQ(P.v[1].phase, GP_PHASE_PENDING);
        STR_EQ(P.v[2].kind, "CronJob");
        STR_EQ(P.v[2].owner, "nightly");
        INT_EQ(P.v[2].units, 3); /* max(init 3, app 1 + sidecar 1) */
        INT_EQ(P.v[2].phase, GP_PHASE_SUCCEEDED);
        STR_EQ(P.v[3].kind, "Pod");
        STR_EQ(P.v[3].ns, "default");
        INT_EQ(P.v[3].phase, GP_PHASE_UNKNOWN);
    }
    gp_imp_pods_release(&P);
    gp_arena_free(a);
}

void
import_dns_labels(void)
{
    struct gp_arena *a = gp_arena_new();
    const char *s;

    STR_EQ(gp_imp_dns_label(a, "asr.whisper-large"), "asr-whisper-large");
    STR_EQ(gp_imp_dns_label(a, "H100-SXM5-80GB-x8"), "h100-sxm5-80gb-x8");
    STR_EQ(gp_imp_dns_label(a, "--a..b--"), "a-b");
    s = gp_imp_dns_label(a, "a-very-long-name-that-goes-on-and-on-well-"
                            "past-the-sixty-three-characters-of-a-label");
    INT_EQ(strlen(s), 63);
    OK(strncmp(s, "a-very-long-name", 16) == 0);
    OK(strcmp(s, gp_imp_dns_label(a, "a-very-long-name-that-goes-on-and-on-"
                                     "well-past-the-sixty-three-characters-"
                                     "of-a-label-too")) != 0);
    gp_arena_free(a);
}

/* ---- kubectl end to end ------------------------------------------------- */

void
import_kubectl_fixtures(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_catalog *cat = NULL;
    struct gp_strbuf out = GP_STRBUF_INIT;
    struct gp_import_opts o = {"fixture", 10, false};
    struct gp_import_summary sum;
    struct gp_import_src nodes, pods, metrics;
    struct gp_inventory *inv = NULL;
    size_t i;

    OK(gp_catalog_load(&cat, a, NULL, d) == 0);
    nodes = fixture(a, d, "nodes.json");
    pods = fixture(a, d, "pods.json");
    metrics = fixture(a, d, "metrics.txt");
    OK(gp_import_kubectl(&out, a, &nodes, &pods, &metrics, 1, &o, cat, &sum,
                         d) == 0);
    INT_EQ(gp_diags_errors(d), 0);
    INT_EQ(sum.pools, 5);
    INT_EQ(sum.nodes, 8);
    INT_EQ(sum.gpus, 52);
    INT_EQ(sum.workloads, 8);
    INT_EQ(sum.replicas, 20);
    OK(gp_inventory_parse(&inv, a, "imported.yaml", out.buf, out.len, cat,
                          d) == 0);
    for (i = 0; inv && i < inv->n_loads; i++) {
        const struct gp_workload *w = &inv->loads[i];

        if (strcmp(w->name, "llm-70b") == 0) {
            /* peak 75489 MiB + 10% is more than an H100 holds: capped. */
            INT_EQ(w->memory_bytes, 81559ull << 20);
            INT_EQ(w->replicas, 8);
            INT_EQ(w->traffic, GP_TRAFFIC_CLOSED_LOOP);
        } else if (strcmp(w->name, "sweep-lr") == 0) {
            INT_EQ(w->memory_bytes, 4422ull << 20); /* ceil(4020 x 1.1) */
            INT_EQ(w->replicas, 2);                 /* 2 finished */
        } else if (strcmp(w->name, "embedder") == 0) {
            /* no series: the MPS share, 23028 MiB / 4 */
            INT_EQ(w->memory_bytes, 5757ull << 20);
            INT_EQ(w->traffic, GP_TRAFFIC_CONTINUOUS);
        }
    }
    for (i = 0; inv && i < inv->n_pools; i++) {
        const struct gp_node_pool *p = &inv->pools[i];

        if (strcmp(p->name, "h100-sxm5-80gb-x8-mig-all-1g-10gb") == 0) {
            INT_EQ(p->gpus_per_node, 8);
            INT_EQ(p->sharing.mode, GP_SHARE_MIG);
            INT_EQ(p->sharing.mig_strategy, GP_MIG_STRATEGY_SINGLE);
            INT_EQ(p->sharing.n_mig, 7);
        } else if (strcmp(p->name, "l40s-x4-ts4") == 0) {
            INT_EQ(p->nodes, 2);
            INT_EQ(p->sharing.mode, GP_SHARE_TIME_SLICING);
            INT_EQ(p->sharing.replicas, 4);
        }
    }
    gp_strbuf_release(&out);
    gp_arena_free(a);
}

void
import_kubectl_unusable_nodes(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_catalog *cat = NULL;
    struct gp_strbuf out = GP_STRBUF_INIT;
    struct gp_import_opts o = {NULL, 10, false};
    struct gp_import_src nodes;

    OK(gp_catalog_load(&cat, a, NULL, d) == 0);
    nodes = fixture(a, d, "nodes-unusable.json");
    /* Fails, one error per distinct problem, nothing written. */
    OK(gp_import_kubectl(&out, a, &nodes, NULL, NULL, 0, &o, cat, NULL, d) <
       0);
    INT_EQ(gp_diags_errors(d), 5);
    INT_EQ(out.len, 0);
    /* --skip-unusable: the same as warnings, and the rest imported. */
    d = gp_diags_new(a);
    o.skip_unusable = true;
    OK(gp_import_kubectl(&out, a, &nodes, NULL, NULL, 0, &o, cat, NULL, d) ==
       0);
    INT_EQ(gp_diags_errors(d), 0);
    INT_EQ(gp_diags_warnings(d), 5);
    OK(strstr(out.buf, "6 left out (--skip-unusable)") != NULL);
    gp_strbuf_release(&out);
    gp_arena_free(a);
}

static const char *
node_json(struct gp_arena *a, const char *name, const char *labels,
          const char *capacity)
{
    return gp_arena_printf(a,
                           "{\"kind\": \"Node\", \"metadata\": {\"name\": "
                           "\"%s\", \"labels\": {%s}}, \"status\": "
                           "{\"capacity\": {%s}}}",
                           name, labels, capacity);
}

void
import_node_sharing_shapes(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_catalog *cat = NULL;
    struct gp_imp_nodes N;
    struct gp_import_src s;
    const char *doc;
    size_t i;

    OK(gp_catalog_load(&cat, a, NULL, d) == 0);
    doc = gp_arena_printf(
        a, "{\"kind\": \"NodeList\", \"items\": [%s, %s, %s, %s]}",
        /* MIG devices time-sliced two ways (mixed strategy) */
        node_json(a, "mig-ts",
                  "\"nvidia.com/gpu.product\": \"NVIDIA-H100-80GB-HBM3\", "
                  "\"nvidia.com/gpu.count\": \"2\", "
                  "\"nvidia.com/mig.strategy\": \"mixed\", "
                  "\"nvidia.com/mig-3g.40gb.replicas\": \"2\"",
                  "\"nvidia.com/mig-3g.40gb\": \"8\""),
        /* shared GPUs renamed to nvidia.com/gpu.shared, no -SHARED */
        node_json(a, "renamed",
                  "\"nvidia.com/gpu.product\": \"NVIDIA-L4\", "
                  "\"nvidia.com/gpu.count\": \"1\", "
                  "\"nvidia.com/gpu.replicas\": \"8\", "
                  "\"nvidia.com/gpu.sharing-strategy\": \"time-slicing\"",
                  "\"nvidia.com/gpu.shared\": \"8\""),
        /* single strategy with a config that does not say the count */
        node_json(a, "custom",
                  "\"nvidia.com/gpu.product\": "
                  "\"NVIDIA-H100-80GB-HBM3-MIG-2g.20gb\", "
                  "\"nvidia.com/gpu.count\": \"6\", "
                  "\"nvidia.com/mig.strategy\": \"single\", "
                  "\"nvidia.com/mig.config\": \"my-layout\"",
                  "\"nvidia.com/gpu\": \"6\""),
        /* a node without GPUs */
        node_json(a, "cpu", "\"kubernetes.io/os\": \"linux\"",
                  "\"cpu\": \"8\""));
    s = src_of("nodes.json", doc);
    OK(gp_imp_nodes_load(&N, a, &s, cat, true, d) == 0);
    INT_EQ(N.total, 4);
    INT_EQ(N.non_gpu, 1);
    INT_EQ(N.skipped, 1);
    INT_EQ(gp_diags_warnings(d), 1);
    OK(strstr(first_diag(d, GP_SEV_WARNING)->msg, "mig.config 'my-layout'") !=
       NULL);
    INT_EQ(N.n_pools, 2);
    for (i = 0; i < N.n_pools; i++) {
        const struct gp_imp_pool *p = &N.pools[i];

        if (p->mode == GP_SHARE_MIG) {
            INT_EQ(p->gpus, 2);
            INT_EQ(p->n_lay, 1);
            STR_EQ(p->lay[0]->name, "3g.40gb");
            INT_EQ(p->lay_n[0], 2); /* 8 devices / 2 replicas / 2 GPUs */
            INT_EQ(p->mig_ts, 2);
        } else {
            INT_EQ(p->mode, GP_SHARE_TIME_SLICING);
            INT_EQ(p->replicas, 8);
            INT_EQ(p->gpus, 1);
            STR_EQ(p->model->id, "L4");
        }
    }
    gp_imp_nodes_release(&N);
    gp_arena_free(a);
}

struct kept {
    size_t n;
    bool ok;
};

static int
check_kept(void *ctx, const struct gp_json_item *it)
{
    struct kept *k = ctx;
    const struct gp_json *spec = gp_json_get(it->value, "spec");
    const struct gp_json *c = gp_json_first(gp_json_get(spec, "containers"));

    k->n++;
    k->ok = gp_json_get(it->value, "status") == NULL &&  /* skipped */
            gp_json_get(spec, "volumes") == NULL &&      /* skipped */
            gp_json_get(c, "env") == NULL &&             /* skipped */
            gp_json_get(c, "resources") != NULL &&       /* kept */
            strcmp(gp_json_str(gp_json_get(spec, "nodeName")), "n\"1") == 0;
    return 0;
}

void
json_scan_keep_projection(void)
{
    /* The skipped parts hold what a checker must get right: escaped
     * quotes and backslashes, nested arrays, numbers, literals. */
    static const char doc[] =
        "{\"items\": [{\"spec\": {\"containers\": [{\"env\": [{\"name\": "
        "\"A\", \"value\": \"say \\\"hi\\\" \\\\\"}], \"resources\": "
        "{\"limits\": {\"nvidia.com/gpu\": \"1\"}}}], \"nodeName\": "
        "\"n\\\"1\", \"volumes\": [[1, -2.5e3, true, false, null, {}], []]},"
        " \"status\": {\"phase\": \"Running\", \"x\": {\"y\": [\"}\", "
        "\"]\"]}}}]}";
    static const char *const keep[] = {"spec.containers.resources",
                                       "spec.nodeName", NULL};
    static const char bad_literal[] =
        "{\"items\": [{\"spec\": {\"volumes\": [nul]}}]}";
    static const char cut_in_string[] =
        "{\"items\": [{\"status\": {\"message\": \"half a sen";
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_json *top = NULL;
    const struct gp_diag *v;
    struct kept k = {0, false};

    OK(gp_json_scan(&top, "k.json", doc, strlen(doc), "items", keep,
                    check_kept, &k, d) == 0);
    INT_EQ(gp_diags_errors(d), 0);
    INT_EQ(k.n, 1);
    OK(k.ok);
    gp_json_free(top);

    k.n = 0;
    OK(gp_json_scan(&top, "b.json", bad_literal, strlen(bad_literal),
                    "items", keep, check_kept, &k, d) < 0);
    INT_EQ(k.n, 0);
    v = first_diag(d, GP_SEV_ERROR);
    OK(v && strcmp(v->msg, "invalid JSON: unexpected 'nul'") == 0);
    OK(v && v->loc.col == 34);

    d = gp_diags_new(a);
    OK(gp_json_scan(&top, "c.json", cut_in_string, strlen(cut_in_string),
                    "items", keep, check_kept, &k, d) < 0);
    v = first_diag(d, GP_SEV_ERROR);
    OK(v && strstr(v->msg, "the file ends inside item 1") != NULL);
    gp_arena_free(a);
}
