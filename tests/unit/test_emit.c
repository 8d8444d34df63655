/* SPDX-License-Identifier: MIT */
/* Emitter tests: yemit's quoting, block scalars and comments read back
 * through gp_yaml_parse; then a hand-built plan with one node group per
 * sharing mode, whose every emitted file is parsed back and held to the
 * rules the NVIDIA device plugin and mig-parted enforce (config-formats.md
 * 1 and 2); label-nodes.sh run against a fake kubectl; and the all-or-
 * nothing behaviour of gp_emit_plan_files. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/str.h"
#include "base/strbuf.h"
#include "emit/emit.h"
#include "harness.h"
#include "inventory/inventory.h"
#include "mig/geometry.h"
#include "model/gpu.h"
#include "plan/plan.h"
#include "tests.h"
#include "yaml/ydoc.h"
#include "yaml/yemit.h"

#define MIG_LABEL_KEY "nvidia.com/mig.config"

/* ---- helpers -------------------------------------------------------- */

static struct gp_ystream *
parse(struct gp_arena *a, const char *text, size_t len)
{
    struct gp_diags *d = gp_diags_new(a);
    struct gp_ystream *s = NULL;

    if (gp_yaml_parse(&s, a, "emitted.yaml", text, len, NULL, d) < 0) {
        gp_diags_print(d, stderr);
        fprintf(stderr, "--- text ---\n%.*s\n", (int)len, text);
        return NULL;
    }
    return s;
}

/* The node under a path of mapping keys (NULL-terminated), or NULL. */
static const struct gp_ynode *
at(const struct gp_ynode *n, ...)
{
    va_list ap;
    const char *k;

    va_start(ap, n);
    while (n && (k = va_arg(ap, const char *)) != NULL)
        n = n->kind == GP_YMAP ? gp_ymap_get(n, k) : NULL;
    va_end(ap);
    return n;
}

static const char *
str_of(const struct gp_ynode *n)
{
    return n && n->kind == GP_YSCALAR ? n->str : NULL;
}

/* A plain (unquoted) integer scalar's value, or -1. */
static long
int_of(const struct gp_ynode *n)
{
    char *end;
    long v;

    if (!n || n->kind != GP_YSCALAR || n->quoted || !*n->str)
        return -1;
    v = strtol(n->str, &end, 10);
    return *end ? -1 : v;
}

static bool
is_true(const struct gp_ynode *n)
{
    return n && n->kind == GP_YSCALAR && !n->quoted &&
           strcmp(n->str, "true") == 0;
}

/* ---- yemit ---------------------------------------------------------- */

static const char *const tricky[] = {
    "true", "4", "", "1g.10gb", "no", "~", "null", "-1", "0x1F", "1e3",
    "<<", "a: b", "#x", "- item", "plain", "x'y\"z", "nvidia.com/gpu",
};

void
emit_yemit_quotes_what_reads_as_non_string(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_strbuf sb = GP_STRBUF_INIT;
    struct gp_yemit *e = gp_yemit_new(&sb);
    struct gp_ystream *s;
    const struct gp_ynode *root;
    size_t i;

    gp_yemit_doc_start(e);
    gp_yemit_map_start(e, false);
    for (i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++) {
        char key[16];

        snprintf(key, sizeof(key), "k%zu", i);
        gp_yemit_kv_str(e, key, tricky[i]);
    }
    gp_yemit_kv_str(e, "<<", "merge?");  /* a key, not a merge */
    gp_yemit_kv_int(e, "int", 4);
    gp_yemit_kv_bool(e, "bool", true);
    gp_yemit_kv_num(e, "num", -0.001, 2);
    gp_yemit_str(e, "nul");
    gp_yemit_null(e);
    gp_yemit_kv_str_q(e, "forced", "abc");
    gp_yemit_map_end(e);
    gp_yemit_doc_end(e);
    INT_EQ(gp_yemit_free(e), 0);

    s = parse(a, sb.buf, sb.len);
    OK(s != NULL && s->n_docs == 1);
    root = s && s->n_docs == 1 ? s->docs[0] : NULL;
    for (i = 0; root && i < sizeof(tricky) / sizeof(tricky[0]); i++) {
        char key[16];
        const struct gp_ynode *v;

        snprintf(key, sizeof(key), "k%zu", i);
        v = gp_ymap_get(root, key);
        STR_EQ(str_of(v), tricky[i]);
        /* everything but the two safe words must come back quoted */
        if (v && strcmp(tricky[i], "plain") != 0 &&
            strcmp(tricky[i], "x'y\"z") != 0 &&
            strcmp(tricky[i], "nvidia.com/gpu") != 0)
            OK(v->quoted);
    }
    OK(strstr(sb.buf, "k14: plain\n") != NULL);
    OK(strstr(sb.buf, "k16: nvidia.com/gpu\n") != NULL);
    STR_EQ(str_of(at(root, "<<", NULL)), "merge?");
    INT_EQ(int_of(at(root, "int", NULL)), 4);
    OK(is_true(at(root, "bool", NULL)));
    STR_EQ(str_of(at(root, "num", NULL)), "0.00");
    OK(gp_ynode_is_null(at(root, "nul", NULL)));
    OK(at(root, "forced", NULL) && at(root, "forced", NULL)->quoted);
    gp_strbuf_release(&sb);
    gp_arena_free(a);
}

static const char *const blocks[] = {
    "line1\nline2\n",
    "  indented first\nsecond\n",
    "no final newline",
    "two final newlines\n\n",
    "version: v1\n# not a comment\n---\nkey: \"q\"\n",
};

void
emit_yemit_block_scalars_and_comments(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_strbuf sb = GP_STRBUF_INIT;
    struct gp_yemit *e = gp_yemit_new(&sb);
    struct gp_ystream *s;
    size_t i;

    gp_yemit_comment(e, "first\n\nthird line");
    gp_yemit_doc_start(e);
    gp_yemit_map_start(e, false);
    for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
        char key[16];

        snprintf(key, sizeof(key), "b%zu", i);
        gp_yemit_str(e, key);
        gp_yemit_block(e, blocks[i]);
    }
    gp_yemit_map_end(e);
    gp_yemit_doc_end(e);
    gp_yemit_comment(e, "between documents");
    gp_yemit_doc_start(e);
    gp_yemit_seq_start(e, true);
    gp_yemit_int(e, 1);
    gp_yemit_str(e, "two");
    gp_yemit_seq_end(e);
    gp_yemit_doc_end(e);
    gp_yemit_comment(e, "trailing");
    INT_EQ(gp_yemit_free(e), 0);

    OK(gp_str_has_prefix(sb.buf, "# first\n#\n# third line\n---"));
    OK(strstr(sb.buf, "\n# between documents\n---") != NULL);
    OK(strstr(sb.buf, "b0: |\n") != NULL);
    s = parse(a, sb.buf, sb.len);
    OK(s != NULL && s->n_docs == 2);
    if (s && s->n_docs == 2) {
        for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
            char key[16];

            snprintf(key, sizeof(key), "b%zu", i);
            STR_EQ(str_of(at(s->docs[0], key, NULL)), blocks[i]);
        }
        OK(s->docs[1]->kind == GP_YSEQ && s->docs[1]->n_items == 2);
        INT_EQ(int_of(s->docs[1]->items[0]), 1);
    }
    gp_strbuf_release(&sb);
    gp_arena_free(a);
}

void
emit_yemit_misuse_fails(void)
{
    struct gp_strbuf sb = GP_STRBUF_INIT;
    struct gp_yemit *e;

    /* a comment inside a document cannot be placed */
    e = gp_yemit_new(&sb);
    gp_yemit_doc_start(e);
    gp_yemit_map_start(e, false);
    gp_yemit_comment(e, "inside");
    gp_yemit_map_end(e);
    INT_EQ(gp_yemit_free(e), -1);
    /* a mapping left open */
    gp_strbuf_reset(&sb);
    e = gp_yemit_new(&sb);
    gp_yemit_doc_start(e);
    gp_yemit_map_start(e, false);
    gp_yemit_kv_int(e, "a", 1);
    INT_EQ(gp_yemit_free(e), -1);
    /* not UTF-8: an error, not an out-of-memory exit */
    gp_strbuf_reset(&sb);
    e = gp_yemit_new(&sb);
    gp_yemit_doc_start(e);
    gp_yemit_str(e, "bad \xff\xfe");
    INT_EQ(gp_yemit_free(e), -1);
    gp_strbuf_release(&sb);
}

/* ---- a plan with every mode ----------------------------------------- */

static const char inventory[] =
    "apiVersion: gpuplan.dev/v1alpha1\n"
    "kind: Inventory\n"
    "nodePools:\n"
    "  - name: h100\n"
    "    nodeCount: 4\n"
    "    gpu: {model: H100-SXM5-80GB, count: 8}\n"
    "    labels: {pool: h100, example.com/zone: z1}\n"
    "  - name: l4\n"
    "    nodeCount: 2\n"
    "    gpu: {model: L4, count: 4}\n"
    "workloads:\n"
    "  - {name: batch, namespace: ml, replicas: 2, gpuMemory: 10Gi,\n"
    "     compute: {serviceTime: 100ms}, traffic: {pattern: continuous}}\n"
    "  - {name: web, namespace: team-a, replicas: 4, gpuMemory: 4Gi,\n"
    "     compute: {serviceTime: 5ms},\n"
    "     traffic: {pattern: poisson, requestsPerSecond: 40}}\n"
    "  - {name: chat, namespace: team-a, replicas: 3, gpuMemory: 20Gi,\n"
    "     compute: {serviceTime: 5ms},\n"
    "     traffic: {pattern: poisson, requestsPerSecond: 30}}\n"
    "  - {name: big, namespace: ml, replicas: 8, gpuMemory: 30Gi,\n"
    "     compute: {serviceTime: 5ms},\n"
    "     traffic: {pattern: poisson, requestsPerSecond: 30}}\n"
    "  - {name: small, namespace: ml, replicas: 8, gpuMemory: 6Gi,\n"
    "     compute: {serviceTime: 5ms},\n"
    "     traffic: {pattern: poisson, requestsPerSecond: 30}}\n"
    "  - {name: huge, namespace: ml, replicas: 1, gpuMemory: 200Gi,\n"
    "     compute: {serviceTime: 5ms}, traffic: {pattern: continuous}}\n";

/* Layout A on even GPUs, B on odd ones: two mig-parted items. */
static const char *const layout_a[] = {"3g.40gb", "2g.20gb", "1g.10gb",
                                       "1g.10gb"};
static const char *const layout_b[] = {"4g.40gb", "2g.20gb", "1g.10gb+me"};

struct fixture {
    struct gp_arena *a;
    struct gp_diags *d;
    struct gp_catalog *cat;
    struct gp_inventory *inv;
    struct gp_plan plan;
    struct gp_mig_layout *layouts;  /* of h100-mig, writable */
    const struct gp_mig_spec *h100;
};

static const struct gp_workload *
load(const struct fixture *f, const char *name)
{
    size_t i;

    for (i = 0; i < f->inv->n_loads; i++)
        if (strcmp(f->inv->loads[i].name, name) == 0)
            return &f->inv->loads[i];
    abort();
}

static void
place(const struct gp_mig_spec *m, struct gp_mig_layout *out,
      const char *const *names, size_t n)
{
    const struct gp_mig_profile *want[GP_MIG_MAX_SLICES];
    struct gp_mig_check chk;
    size_t i;

    for (i = 0; i < n; i++) {
        want[i] = gp_mig_find_profile(m, names[i]);
        OK(want[i] != NULL);
        if (!want[i])
            abort();
    }
    gp_mig_check(&chk, m, want, n, NULL);
    INT_EQ(chk.verdict, GP_MIG_FITS);
    *out = chk.placed;
}

static struct gp_plan_assign *
assign(struct fixture *f, const char *w, uint32_t replicas,
       const char *resource)
{
    struct gp_plan_assign *as = gp_arena_calloc(f->a, 1, sizeof(*as));

    as->w = load(f, w);
    as->replicas = replicas;
    as->resource = resource;
    return as;
}

/* Groups deliberately out of order: the emitter sorts. */
static void
fixture_init(struct fixture *f)
{
    struct gp_plan_group *g;
    struct gp_mig_layout *lay;
    struct gp_plan_assign *mig_as;
    struct gp_plan_unplaced *u;
    uint32_t i;

    memset(f, 0, sizeof(*f));
    f->a = gp_arena_new();
    f->d = gp_diags_new(f->a);
    if (gp_catalog_load(&f->cat, f->a, NULL, f->d) < 0 ||
        gp_inventory_parse(&f->inv, f->a, "inv.yaml", inventory,
                           strlen(inventory), f->cat, f->d) < 0) {
        gp_diags_print(f->d, stderr);
        abort();
    }
    f->h100 = f->inv->pools[0].gpu->mig;
    g = gp_arena_calloc(f->a, 4, sizeof(*g));
    f->plan.inv = f->inv;
    f->plan.groups = g;
    f->plan.n_groups = 4;

    g[0].name = "h100-mig";
    g[0].pool = &f->inv->pools[0];
    g[0].nodes = 2;
    g[0].mode = GP_PLAN_MIG;
    g[0].replicas = 1;
    lay = gp_arena_calloc(f->a, 8, sizeof(*lay));
    for (i = 0; i < 8; i++) {
        if (i % 2 == 0)
            place(f->h100, &lay[i], layout_a, 4);
        else
            place(f->h100, &lay[i], layout_b, 3);
    }
    g[0].layouts = lay;
    f->layouts = lay;
    mig_as = gp_arena_calloc(f->a, 2, sizeof(*mig_as));
    mig_as[0] = *assign(f, "big", 8, "nvidia.com/mig-3g.40gb");
    mig_as[1] = *assign(f, "small", 8, "nvidia.com/mig-1g.10gb.me");
    g[0].assigns = mig_as;
    g[0].n_assigns = 2;

    g[1].name = "l4-ts4";
    g[1].pool = &f->inv->pools[1];
    g[1].nodes = 1;
    g[1].mode = GP_PLAN_TIME_SLICING;
    g[1].replicas = 4;
    g[1].assigns = assign(f, "web", 4, "nvidia.com/gpu");
    g[1].n_assigns = 1;

    g[2].name = "h100-mps3";
    g[2].pool = &f->inv->pools[0];
    g[2].nodes = 1;
    g[2].mode = GP_PLAN_MPS;
    g[2].replicas = 3;
    g[2].tenant = "team-a";
    g[2].assigns = assign(f, "chat", 3, "nvidia.com/gpu");
    g[2].n_assigns = 1;

    g[3].name = "l4-exclusive";
    g[3].pool = &f->inv->pools[1];
    g[3].nodes = 1;
    g[3].mode = GP_PLAN_EXCLUSIVE;
    g[3].replicas = 1;
    g[3].assigns = assign(f, "batch", 2, "nvidia.com/gpu");
    g[3].n_assigns = 1;

    u = gp_arena_calloc(f->a, 1, sizeof(*u));
    u->w = load(f, "huge");
    u->replicas = 1;
    u->why = "200Gi does not fit any GPU";
    f->plan.unplaced = u;
    f->plan.n_unplaced = 1;
}

static void
fixture_release(struct fixture *f)
{
    gp_arena_free(f->a);
}

static const char *const sorted_names[] = {"h100-mig", "h100-mps3",
                                           "l4-exclusive", "l4-ts4"};

static const struct gp_plan_group *
group(const struct fixture *f, const char *name)
{
    size_t i;

    for (i = 0; i < f->plan.n_groups; i++)
        if (strcmp(f->plan.groups[i].name, name) == 0)
            return &f->plan.groups[i];
    return NULL;
}

static void
check_configmap(const struct gp_ynode *doc, const char *name)
{
    const char *why;

    STR_EQ(str_of(at(doc, "apiVersion", NULL)), "v1");
    STR_EQ(str_of(at(doc, "kind", NULL)), "ConfigMap");
    STR_EQ(str_of(at(doc, "metadata", "name", NULL)), name);
    STR_EQ(str_of(at(doc, "metadata", "namespace", NULL)), "gpu-operator");
    OK(gp_k8s_dns_subdomain(name, &why));
}

/* ---- device-plugin-config.yaml -------------------------------------- */

/* One embedded device-plugin config against the plugin's rules. */
static void
check_dp_config(struct gp_arena *a, const struct gp_ynode *v,
                const struct gp_plan_group *g)
{
    struct gp_ystream *s;
    const struct gp_ynode *doc, *ts, *mps, *res;
    const char *strategy;

    OK(v && v->kind == GP_YSCALAR);
    if (!v || v->kind != GP_YSCALAR)
        return;
    s = parse(a, v->str, v->len);
    OK(s && s->n_docs == 1);
    if (!s || s->n_docs != 1)
        return;
    doc = s->docs[0];
    STR_EQ(str_of(at(doc, "version", NULL)), "v1");
    strategy = str_of(at(doc, "flags", "migStrategy", NULL));
    ts = at(doc, "sharing", "timeSlicing", NULL);
    mps = at(doc, "sharing", "mps", NULL);
    /* MPS never with mixed (S6), never both sharing kinds */
    OK(!(mps && strategy && strcmp(strategy, "mixed") == 0));
    OK(!(mps && ts));
    res = at(ts ? ts : mps, "resources", NULL);
    if (ts || mps) {
        OK(res && res->kind == GP_YSEQ && res->n_items == 1);
        if (res && res->n_items == 1) {
            STR_EQ(str_of(at(res->items[0], "name", NULL)), "nvidia.com/gpu");
            OK(int_of(at(res->items[0], "replicas", NULL)) >= 2);
            INT_EQ(int_of(at(res->items[0], "replicas", NULL)), g->replicas);
        }
        OK(is_true(at(ts ? ts : mps, "failRequestsGreaterThanOne", NULL)));
        /* the resource stays nvidia.com/gpu */
        OK(at(ts ? ts : mps, "renameByDefault", NULL) == NULL);
    }
    switch (g->mode) {
    case GP_PLAN_EXCLUSIVE:
        STR_EQ(strategy, "none");
        OK(at(doc, "sharing", NULL) == NULL);
        break;
    case GP_PLAN_TIME_SLICING:
        STR_EQ(strategy, "none");
        OK(ts != NULL && mps == NULL);
        break;
    case GP_PLAN_MPS:
        STR_EQ(strategy, "none");
        OK(mps != NULL && ts == NULL);
        break;
    case GP_PLAN_MIG:
        STR_EQ(strategy, "mixed");
        OK(at(doc, "sharing", NULL) == NULL);
        break;
    }
}

void
emit_device_plugin_config(void)
{
    struct fixture f;
    struct gp_strbuf sb = GP_STRBUF_INIT;
    struct gp_ystream *s;
    const struct gp_ynode *data;
    size_t i;

    fixture_init(&f);
    INT_EQ(gp_emit_device_plugin(&sb, &f.plan, f.d), 0);
    OK(strstr(sb.buf, "spec.devicePlugin.config.name: "
                      "gpuplan-device-plugin-config") != NULL);
    OK(strstr(sb.buf, "nvidia.com/device-plugin.config=<key>") != NULL);
    OK(strstr(sb.buf, "not supported with MPS") != NULL); /* MIG + MPS */
    s = parse(f.a, sb.buf, sb.len);
    OK(s && s->n_docs == 1);
    if (!s || s->n_docs != 1)
        goto out;
    check_configmap(s->docs[0], "gpuplan-device-plugin-config");
    data = at(s->docs[0], "data", NULL);
    OK(data && data->kind == GP_YMAP && data->n_pairs == 4);
    for (i = 0; data && i < data->n_pairs && i < 4; i++) {
        const char *key = data->pairs[i].key->str;

        STR_EQ(key, sorted_names[i]);
        OK(gp_emit_label_value_ok(key));
        check_dp_config(f.a, data->pairs[i].value, group(&f, key));
    }
    /* the tenant is said where an operator reads the config */
    OK(strstr(sb.buf, "tenant team-a only") != NULL);
out:
    gp_strbuf_release(&sb);
    fixture_release(&f);
}

/* ---- mig-parted-config.yaml ----------------------------------------- */

/* One mig-parted item: profiles valid on the model, counts positive, the
 * layout fits; OUT: per GPU index, the multiset it asks for. */
static void
check_mig_item(const struct gp_ynode *it, const struct gp_mig_spec *m,
               int *seen, const struct gp_mig_layout *plan_layouts)
{
    const struct gp_ynode *dev = at(it, "devices", NULL),
                          *en = at(it, "mig-enabled", NULL),
                          *md = at(it, "mig-devices", NULL);
    const struct gp_mig_profile *want[GP_MIG_MAX_SLICES];
    struct gp_mig_check chk;
    size_t n = 0, i, k;

    OK(it->kind == GP_YMAP && it->n_pairs <= 3);
    OK(dev && dev->kind == GP_YSEQ && dev->n_items > 0);
    OK(en && en->kind == GP_YSCALAR && !en->quoted);
    if (!dev || dev->kind != GP_YSEQ || !en)
        return;
    if (strcmp(en->str, "false") == 0) {
        OK(md == NULL);
    } else {
        STR_EQ(en->str, "true");
        OK(md && md->kind == GP_YMAP && md->n_pairs > 0);
        for (i = 0; md && i < md->n_pairs; i++) {
            const struct gp_ynode *key = md->pairs[i].key;
            const struct gp_mig_profile *p = gp_mig_find_profile(m, key->str);
            long c = int_of(md->pairs[i].value);

            OK(key->quoted);
            /* the exact catalogue spelling, '+' kept (mig-parted grammar) */
            OK(p && strcmp(p->name, key->str) == 0);
            OK(c > 0);
            for (k = 0; p && c > 0 && k < (size_t)c && n < GP_MIG_MAX_SLICES;
                 k++)
                want[n++] = p;
        }
        gp_mig_check(&chk, m, want, n, NULL);
        INT_EQ(chk.verdict, GP_MIG_FITS);
    }
    for (i = 0; i < dev->n_items; i++) {
        long g = int_of(dev->items[i]);

        OK(g >= 0 && g < 8);
        if (g < 0 || g >= 8)
            continue;
        seen[g]++;
        /* the same instances as the plan's layout of that GPU */
        INT_EQ(plan_layouts[g].n, n);
    }
}

void
emit_mig_parted_config(void)
{
    struct fixture f;
    struct gp_strbuf sb = GP_STRBUF_INIT;
    struct gp_ystream *s, *in;
    const struct gp_ynode *data, *cfg, *configs, *dis, *mig;
    int seen[8] = {0};
    size_t i;

    fixture_init(&f);
    INT_EQ(gp_emit_mig_parted(&sb, &f.plan, f.d), 0);
    OK(strstr(sb.buf, "spec.migManager.config.name: "
                      "gpuplan-mig-parted-config") != NULL);
    OK(strstr(sb.buf, "nvidia.com/mig.config=<config>") != NULL);
    s = parse(f.a, sb.buf, sb.len);
    OK(s && s->n_docs == 1);
    if (!s || s->n_docs != 1)
        goto out;
    check_configmap(s->docs[0], "gpuplan-mig-parted-config");
    data = at(s->docs[0], "data", NULL);
    OK(data && data->kind == GP_YMAP && data->n_pairs == 1);
    cfg = at(data, "config.yaml", NULL);
    OK(cfg && cfg->kind == GP_YSCALAR);
    if (!cfg || cfg->kind != GP_YSCALAR)
        goto out;
    in = parse(f.a, cfg->str, cfg->len);
    OK(in && in->n_docs == 1);
    if (!in || in->n_docs != 1)
        goto out;
    OK(in->docs[0]->n_pairs == 2);  /* mig-parted rejects unknown keys */
    STR_EQ(str_of(at(in->docs[0], "version", NULL)), "v1");
    configs = at(in->docs[0], "mig-configs", NULL);
    OK(configs && configs->kind == GP_YMAP && configs->n_pairs == 2);
    if (!configs || configs->n_pairs != 2)
        goto out;
    STR_EQ(configs->pairs[0].key->str, "all-disabled");
    STR_EQ(configs->pairs[1].key->str, "h100-mig");
    dis = configs->pairs[0].value;
    OK(dis->kind == GP_YSEQ && dis->n_items == 1);
    STR_EQ(str_of(at(dis->items[0], "devices", NULL)), "all");
    STR_EQ(str_of(at(dis->items[0], "mig-enabled", NULL)), "false");
    mig = configs->pairs[1].value;
    /* two layouts: GPUs 0,2,4,6 and 1,3,5,7 */
    OK(mig->kind == GP_YSEQ && mig->n_items == 2);
    for (i = 0; i < mig->n_items; i++)
        check_mig_item(mig->items[i], f.h100, seen,
                       group(&f, "h100-mig")->layouts);
    for (i = 0; i < 8; i++)
        INT_EQ(seen[i], 1);
    INT_EQ(int_of(at(mig->items[0], "devices", NULL)->items[1]), 2);
    STR_EQ(str_of(at(mig->items[1], "mig-devices", "1g.10gb+me", NULL)), "1");
out:
    gp_strbuf_release(&sb);
    fixture_release(&f);
}

void
emit_mig_parted_empty_layouts_and_no_mig(void)
{
    struct fixture f;
    struct gp_strbuf sb = GP_STRBUF_INIT;
    struct gp_ystream *s, *in;
    const struct gp_ynode *cfg, *configs, *mig;

    fixture_init(&f);
    /* GPU 7 left whole: an item with mig-enabled false */
    f.layouts[7].n = 0;
    INT_EQ(gp_emit_mig_parted(&sb, &f.plan, f.d), 0);
    s = parse(f.a, sb.buf, sb.len);
    cfg = s && s->n_docs == 1 ? at(s->docs[0], "data", "config.yaml", NULL)
                              : NULL;
    in = cfg ? parse(f.a, cfg->str, cfg->len) : NULL;
    configs = in && in->n_docs == 1 ? at(in->docs[0], "mig-configs", NULL)
                                    : NULL;
    mig = at(configs, "h100-mig", NULL);
    OK(mig && mig->kind == GP_YSEQ && mig->n_items == 3);
    if (mig && mig->n_items == 3) {
        const struct gp_ynode *last = mig->items[2];

        STR_EQ(str_of(at(last, "mig-enabled", NULL)), "false");
        OK(at(last, "mig-devices", NULL) == NULL);
        INT_EQ(int_of(at(last, "devices", NULL)->items[0]), 7);
        INT_EQ(at(last, "devices", NULL)->n_items, 1);
    }
    /* no MIG group: the file still exists, with all-disabled alone */
    f.plan.n_groups = 0;
    gp_strbuf_reset(&sb);
    INT_EQ(gp_emit_mig_parted(&sb, &f.plan, f.d), 0);
    s = parse(f.a, sb.buf, sb.len);
    cfg = s && s->n_docs == 1 ? at(s->docs[0], "data", "config.yaml", NULL)
                              : NULL;
    in = cfg ? parse(f.a, cfg->str, cfg->len) : NULL;
    configs = in && in->n_docs == 1 ? at(in->docs[0], "mig-configs", NULL)
                                    : NULL;
    OK(configs && configs->n_pairs == 1 &&
       strcmp(configs->pairs[0].key->str, "all-disabled") == 0);
    gp_strbuf_release(&sb);
    fixture_release(&f);
}

/* ---- node-labels.yaml ----------------------------------------------- */

void
emit_node_labels(void)
{
    static const char *const by_pool[] = {"h100-mig", "h100-mps3",
                                          "l4-exclusive", "l4-ts4"};
    struct fixture f;
    struct gp_strbuf sb = GP_STRBUF_INIT, dp = GP_STRBUF_INIT,
                     mp = GP_STRBUF_INIT;
    struct gp_ystream *s;
    const struct gp_ynode *groups;
    size_t i, k;
    const char *why;

    fixture_init(&f);
    INT_EQ(gp_emit_node_labels(&sb, &f.plan, f.d), 0);
    INT_EQ(gp_emit_device_plugin(&dp, &f.plan, f.d), 0);
    INT_EQ(gp_emit_mig_parted(&mp, &f.plan, f.d), 0);
    s = parse(f.a, sb.buf, sb.len);
    OK(s && s->n_docs == 1);
    if (!s || s->n_docs != 1)
        goto out;
    STR_EQ(str_of(at(s->docs[0], "apiVersion", NULL)), GP_API_VERSION);
    STR_EQ(str_of(at(s->docs[0], "kind", NULL)), "NodeLabels");
    groups = at(s->docs[0], "groups", NULL);
    OK(groups && groups->kind == GP_YSEQ && groups->n_items == 4);
    for (i = 0; groups && i < groups->n_items && i < 4; i++) {
        const struct gp_ynode *g = groups->items[i],
                              *labels = at(g, "labels", NULL);
        const struct gp_plan_group *pg = group(&f, by_pool[i]);
        const char *mig_cfg = str_of(at(labels, MIG_LABEL_KEY, NULL));
        char key[80];

        STR_EQ(str_of(at(g, "name", NULL)), by_pool[i]);
        INT_EQ(int_of(at(g, "nodes", NULL)), pg->nodes);
        STR_EQ(str_of(at(g, "pool", NULL)), pg->pool->name);
        OK(labels && labels->kind == GP_YMAP);
        for (k = 0; labels && k < labels->n_pairs; k++) {
            OK(gp_k8s_label_key(labels->pairs[k].key->str, &why));
            OK(gp_emit_label_value_ok(labels->pairs[k].value->str));
            OK(gp_k8s_label_value(labels->pairs[k].value->str, &why));
        }
        STR_EQ(str_of(at(labels, GP_PLAN_GROUP_LABEL, NULL)), by_pool[i]);
        STR_EQ(str_of(at(labels, "nvidia.com/device-plugin.config", NULL)),
               by_pool[i]);
        /* every value names a key of the ConfigMap it selects from */
        snprintf(key, sizeof(key), "\n  %s: |", by_pool[i]);
        OK(strstr(dp.buf, key) != NULL);
        if (pg->pool->gpu->mig) {
            OK(mig_cfg != NULL);
            snprintf(key, sizeof(key), "\n      %s:\n",
                     mig_cfg ? mig_cfg : "?");
            OK(strstr(mp.buf, key) != NULL);
            STR_EQ(mig_cfg, pg->mode == GP_PLAN_MIG ? pg->name
                                                    : "all-disabled");
        } else {
            OK(mig_cfg == NULL);
        }
    }
    if (groups && groups->n_items == 4) {
        const struct gp_ynode *ml = at(groups->items[0], "selector",
                                       "matchLabels", NULL),
                              *me = at(groups->items[2], "selector",
                                       "matchExpressions", NULL);

        /* the inventory's labels, sorted */
        OK(ml && ml->n_pairs == 2);
        STR_EQ(str_of(at(ml, "example.com/zone", NULL)), "z1");
        STR_EQ(str_of(at(ml, "pool", NULL)), "h100");
        /* no labels: the GPU product, shared or not */
        OK(me && me->kind == GP_YSEQ && me->n_items == 1);
        if (me && me->n_items == 1) {
            const struct gp_ynode *vals = at(me->items[0], "values", NULL);

            STR_EQ(str_of(at(me->items[0], "key", NULL)),
                   "nvidia.com/gpu.product");
            STR_EQ(str_of(at(me->items[0], "operator", NULL)), "In");
            OK(vals && vals->n_items == 2);
            if (vals && vals->n_items == 2) {
                STR_EQ(vals->items[0]->str, "NVIDIA-L4");
                STR_EQ(vals->items[1]->str, "NVIDIA-L4-SHARED");
            }
        }
    }
out:
    gp_strbuf_release(&sb);
    gp_strbuf_release(&dp);
    gp_strbuf_release(&mp);
    fixture_release(&f);
}

/* ---- label-nodes.sh ------------------------------------------------- */

/* kubectl over a table of nodes, one a line: "node/NAME key=value ...".
 * Knows 'get nodes -l SELECTOR -o name' (=, existence and 'in (...)'
 * requirements) and 'label [--overwrite] NODE key=value|key- ...'. */
static const char fake_kubectl[] =
    "#!/bin/sh\n"
    "set -eu\n"
    "case \"$1\" in\n"
    "get)\n"
    "    awk -v sel=\"$4\" '\n"
    "    BEGIN { n = 0; depth = 0; cur = \"\"\n"
    "        for (i = 1; i <= length(sel); i++) {\n"
    "            c = substr(sel, i, 1)\n"
    "            if (c == \"(\") depth++\n"
    "            if (c == \")\") depth--\n"
    "            if (c == \",\" && depth == 0) { req[++n] = cur; cur = \"\"; "
    "continue }\n"
    "            cur = cur c\n"
    "        }\n"
    "        req[++n] = cur }\n"
    "    { line = \" \" $0 \" \"; ok = 1\n"
    "      for (r = 1; r <= n; r++) {\n"
    "          q = req[r]; p = index(q, \" in (\")\n"
    "          if (p) {\n"
    "              key = substr(q, 1, p - 1); vals = substr(q, p + 5)\n"
    "              sub(/\\)$/, \"\", vals)\n"
    "              m = split(vals, vv, \",\"); hit = 0\n"
    "              for (j = 1; j <= m; j++)\n"
    "                  if (index(line, \" \" key \"=\" vv[j] \" \")) hit = 1\n"
    "              if (!hit) ok = 0\n"
    "          } else if (index(q, \"=\")) {\n"
    "              if (!index(line, \" \" q \" \")) ok = 0\n"
    "          } else if (!index(line, \" \" q \"=\")) ok = 0\n"
    "      }\n"
    "      if (ok) print $1 }' \"$FAKE_DB\"\n"
    "    ;;\n"
    "label)\n"
    "    shift\n"
    "    [ \"$1\" = --overwrite ] && shift\n"
    "    node=$1\n"
    "    shift\n"
    "    echo \"$node $*\" >>\"$FAKE_LOG\"\n"
    "    awk -v node=\"$node\" -v ch=\"$*\" '\n"
    "    BEGIN { nc = split(ch, c, \" \") }\n"
    "    $1 == node { for (i = 1; i <= nc; i++) {\n"
    "        rm = c[i] ~ /-$/\n"
    "        key = rm ? substr(c[i], 1, length(c[i]) - 1) "
    ": substr(c[i], 1, index(c[i], \"=\") - 1)\n"
    "        out = $1\n"
    "        for (f = 2; f <= NF; f++) if (index($f, key \"=\") != 1) "
    "out = out \" \" $f\n"
    "        if (!rm) out = out \" \" c[i]\n"
    "        $0 = out } }\n"
    "    { print }' \"$FAKE_DB\" >\"$FAKE_DB.new\"\n"
    "    mv \"$FAKE_DB.new\" \"$FAKE_DB\"\n"
    "    ;;\n"
    "*) exit 2 ;;\n"
    "esac\n";

static const char fake_nodes[] =
    "node/h-1 pool=h100 example.com/zone=z1\n"
    "node/h-2 pool=h100 example.com/zone=z1\n"
    "node/h-3 pool=h100 example.com/zone=z1 gpuplan.dev/node-group=old\n"
    "node/h-4 pool=h100 example.com/zone=z1 gpuplan.dev/node-group=h100-mps3\n"
    "node/h-5 pool=h100\n"
    "node/l-1 nvidia.com/gpu.product=NVIDIA-L4\n"
    "node/l-2 nvidia.com/gpu.product=NVIDIA-L4-SHARED\n"
    "node/t-1 nvidia.com/gpu.product=NVIDIA-T4\n";

static void
write_text(const char *dir, const char *name, const char *text, size_t len)
{
    char path[512];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fp = fopen(path, "w");
    OK(fp != NULL);
    if (!fp)
        return;
    fwrite(text, 1, len, fp);
    fclose(fp);
}

static char *
read_text(const char *dir, const char *name)
{
    char path[512];
    struct gp_strbuf sb = GP_STRBUF_INIT;
    char buf[4096];
    size_t n;
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fp = fopen(path, "r");
    if (fp) {
        while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
            gp_strbuf_add(&sb, buf, n);
        fclose(fp);
    }
    return gp_strbuf_detach(&sb, NULL);
}

/* Does the table line of 'node' hold the word 'kv'? */
static bool
node_has(const char *db, const char *node, const char *kv)
{
    size_t nl = strlen(node), kl = strlen(kv);
    const char *line;

    for (line = db; *line; line = strchr(line, '\n') + 1) {
        const char *end = strchr(line, '\n'), *p;

        if (!end)
            return false;
        if (strncmp(line, node, nl) != 0 || line[nl] != ' ')
            continue;
        for (p = line + nl; p < end; p++)
            if (p[0] == ' ' && strncmp(p + 1, kv, kl) == 0 &&
                (p[1 + kl] == ' ' || p[1 + kl] == '\n'))
                return true;
        return false;
    }
    return false;
}

static int
run_script(const char *dir, const char *env)
{
    char cmd[1024];

    snprintf(cmd, sizeof(cmd),
             "cd '%s' && FAKE_DB='%s/nodes' FAKE_LOG='%s/log' "
             "KUBECTL='sh %s/kubectl' %s sh label-nodes.sh >out 2>err",
             dir, dir, dir, dir, env);
    return system(cmd);
}

static void
make_tmpdir(char *dir, size_t n)
{
    snprintf(dir, n, "/tmp/gpuplan-test-emit-XXXXXX");
    if (!mkdtemp(dir))
        abort();
}

static void
remove_tmpdir(const char *dir)
{
    char cmd[600];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

void
emit_label_script_runs(void)
{
    struct fixture f;
    struct gp_strbuf sb = GP_STRBUF_INIT;
    char dir[64], *db, *log, *db2;
    struct stat st;

    fixture_init(&f);
    make_tmpdir(dir, sizeof(dir));
    INT_EQ(gp_emit_label_script(&sb, &f.plan, f.d), 0);
    OK(strncmp(sb.buf, "#!/bin/sh\n", 10) == 0);
    OK(strstr(sb.buf, "\nset -eu\n") != NULL);
    write_text(dir, "label-nodes.sh", sb.buf, sb.len);
    write_text(dir, "kubectl", fake_kubectl, strlen(fake_kubectl));
    write_text(dir, "nodes", fake_nodes, strlen(fake_nodes));
    write_text(dir, "log", "", 0);

    INT_EQ(run_script(dir, ""), 0);
    db = read_text(dir, "nodes");
    /* h-4 already was in h100-mps3 and stays; h100-mig takes the first
     * free nodes by name; h-3 is left over and loses its stale group */
    OK(node_has(db, "node/h-4", "gpuplan.dev/node-group=h100-mps3"));
    OK(node_has(db, "node/h-4", "nvidia.com/device-plugin.config=h100-mps3"));
    OK(node_has(db, "node/h-4", "nvidia.com/mig.config=all-disabled"));
    OK(node_has(db, "node/h-1", "gpuplan.dev/node-group=h100-mig"));
    OK(node_has(db, "node/h-2", "nvidia.com/mig.config=h100-mig"));
    OK(node_has(db, "node/h-2", "nvidia.com/device-plugin.config=h100-mig"));
    OK(!node_has(db, "node/h-3", "gpuplan.dev/node-group=old"));
    OK(!strstr(db, "node/h-5 pool=h100 "));  /* not in the pool: untouched */
    OK(node_has(db, "node/l-1", "gpuplan.dev/node-group=l4-exclusive"));
    OK(node_has(db, "node/l-2", "nvidia.com/device-plugin.config=l4-ts4"));
    OK(!strstr(db, "l-1 nvidia.com/gpu.product=NVIDIA-L4 nvidia.com/mig"));
    OK(!node_has(db, "node/l-1", "nvidia.com/mig.config=all-disabled"));
    OK(strstr(db, "node/t-1 nvidia.com/gpu.product=NVIDIA-T4\n") != NULL);

    /* a second run keeps every node where it is */
    write_text(dir, "log", "", 0);
    INT_EQ(run_script(dir, ""), 0);
    db2 = read_text(dir, "nodes");
    OK(node_has(db2, "node/h-1", "gpuplan.dev/node-group=h100-mig"));
    OK(node_has(db2, "node/h-2", "gpuplan.dev/node-group=h100-mig"));
    OK(node_has(db2, "node/h-4", "gpuplan.dev/node-group=h100-mps3"));
    OK(node_has(db2, "node/l-1", "gpuplan.dev/node-group=l4-exclusive"));
    OK(node_has(db2, "node/l-2", "gpuplan.dev/node-group=l4-ts4"));
    log = read_text(dir, "log");
    OK(strstr(log, "gpuplan.dev/node-group-") == NULL);
    free(log);
    free(db2);
    free(db);

    /* too few nodes: nothing is labelled, and a hostile pool name in the
     * message stays text */
    f.plan.groups[0].nodes = 5;
    f.inv->pools[0].name = "h'$(touch pwned)`touch pwned2`\n";
    gp_strbuf_reset(&sb);
    INT_EQ(gp_emit_label_script(&sb, &f.plan, f.d), 0);
    write_text(dir, "label-nodes.sh", sb.buf, sb.len);
    write_text(dir, "log", "", 0);
    OK(run_script(dir, "") != 0);
    log = read_text(dir, "log");
    STR_EQ(log, "");
    free(log);
    log = read_text(dir, "err");
    OK(strstr(log, "node group h100-mig needs 5 nodes") != NULL);
    free(log);
    {
        char path[128];

        snprintf(path, sizeof(path), "%s/pwned", dir);
        OK(stat(path, &st) < 0);
        snprintf(path, sizeof(path), "%s/pwned2", dir);
        OK(stat(path, &st) < 0);
    }
    remove_tmpdir(dir);
    gp_strbuf_release(&sb);
    fixture_release(&f);
}

/* ---- workload-patches.yaml ------------------------------------------ */

void
emit_workload_patches(void)
{
    /* by namespace, then name */
    static const char *const order[][3] = {
        {"batch", "l4-exclusive", "nvidia.com/gpu"},
        {"big", "h100-mig", "nvidia.com/mig-3g.40gb"},
        {"small", "h100-mig", "nvidia.com/mig-1g.10gb.me"},
        {"chat", "h100-mps3", "nvidia.com/gpu"},
        {"web", "l4-ts4", "nvidia.com/gpu"},
    };
    struct fixture f;
    struct gp_strbuf sb = GP_STRBUF_INIT;
    struct gp_ystream *s;
    size_t i;

    fixture_init(&f);
    INT_EQ(gp_emit_workload_patches(&sb, &f.plan, f.d), 0);
    s = parse(f.a, sb.buf, sb.len);
    OK(s && s->n_docs == 5);
    OK(strstr(sb.buf, "# kubectl patch deployment chat -n team-a "
                      "--patch-file PATCH\n---") != NULL);
    OK(strstr(sb.buf, "ml/huge, 1 replica: 200Gi does not fit") != NULL);
    for (i = 0; s && s->n_docs == 5 && i < 5; i++) {
        const struct gp_ynode *spec = at(s->docs[i], "spec", "template",
                                         "spec", NULL),
                              *cs = at(spec, "containers", NULL), *lim;
        bool mig = strcmp(order[i][2], "nvidia.com/gpu") != 0;

        OK(s->docs[i]->n_pairs == 1);
        STR_EQ(str_of(at(spec, "nodeSelector", GP_PLAN_GROUP_LABEL, NULL)),
               order[i][1]);
        OK(at(spec, "nodeSelector", NULL)->n_pairs == 1);
        OK(cs && cs->kind == GP_YSEQ && cs->n_items == 1);
        if (!cs || cs->n_items != 1)
            continue;
        STR_EQ(str_of(at(cs->items[0], "name", NULL)), order[i][0]);
        lim = at(cs->items[0], "resources", "limits", NULL);
        INT_EQ(int_of(at(lim, order[i][2], NULL)), 1);
        INT_EQ(lim ? lim->n_pairs : 0, mig ? 2 : 1);
        if (mig) {
            OK(gp_ynode_is_null(at(lim, "nvidia.com/gpu", NULL)));
            OK(gp_ynode_is_null(at(cs->items[0], "resources", "requests",
                                   "nvidia.com/gpu", NULL)));
        }
        /* not split: the Deployment's replicas are left alone */
        OK(at(s->docs[i], "spec", "replicas", NULL) == NULL);
    }
    gp_strbuf_release(&sb);
    fixture_release(&f);
}

void
emit_split_workload_warns(void)
{
    struct fixture f;
    struct gp_strbuf sb = GP_STRBUF_INIT;
    struct gp_ystream *s;
    struct gp_plan_assign *two;
    char dir[64], out[128];
    size_t warnings, i, n_web = 0;

    fixture_init(&f);
    /* 'web' also runs 2 replicas in h100-mps3 */
    two = gp_arena_calloc(f.a, 2, sizeof(*two));
    two[0] = f.plan.groups[2].assigns[0];
    two[1] = *assign(&f, "web", 2, "nvidia.com/gpu");
    f.plan.groups[2].assigns = two;
    f.plan.groups[2].n_assigns = 2;
    INT_EQ(gp_emit_workload_patches(&sb, &f.plan, f.d), 0);
    OK(strstr(sb.buf, "split over 2 node groups") != NULL);
    s = parse(f.a, sb.buf, sb.len);
    OK(s && s->n_docs == 6);
    for (i = 0; s && i < s->n_docs; i++) {
        const struct gp_ynode *spec = at(s->docs[i], "spec", NULL),
                              *cs = at(spec, "template", "spec",
                                       "containers", NULL);

        if (!cs || cs->n_items != 1 ||
            strcmp(str_of(at(cs->items[0], "name", NULL)), "web") != 0)
            continue;
        n_web++;
        /* each copy says its own replicas */
        INT_EQ(int_of(at(spec, "replicas", NULL)), n_web == 1 ? 2 : 4);
    }
    INT_EQ(n_web, 2);
    make_tmpdir(dir, sizeof(dir));
    snprintf(out, sizeof(out), "%s/out", dir);
    warnings = gp_diags_warnings(f.d);
    INT_EQ(gp_emit_plan_files(&f.plan, out, NULL, 0, f.d), 0);
    INT_EQ(gp_diags_warnings(f.d), warnings + 2);  /* split; MIG + MPS */
    remove_tmpdir(dir);
    gp_strbuf_release(&sb);
    fixture_release(&f);
}

/* ---- whole runs ----------------------------------------------------- */

typedef int (*renderer)(struct gp_strbuf *, const struct gp_plan *,
                        struct gp_diags *);

void
emit_output_is_deterministic(void)
{
    static const renderer fns[] = {
        gp_emit_device_plugin, gp_emit_mig_parted, gp_emit_node_labels,
        gp_emit_label_script, gp_emit_workload_patches,
    };
    struct fixture f, g;
    size_t i;

    fixture_init(&f);
    fixture_init(&g);
    /* the second plan lists its groups in another order */
    {
        struct gp_plan_group t = g.plan.groups[0];

        g.plan.groups[0] = g.plan.groups[3];
        g.plan.groups[3] = t;
    }
    for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        struct gp_strbuf a = GP_STRBUF_INIT, b = GP_STRBUF_INIT,
                         c = GP_STRBUF_INIT;

        INT_EQ(fns[i](&a, &f.plan, f.d), 0);
        INT_EQ(fns[i](&b, &f.plan, f.d), 0);
        INT_EQ(fns[i](&c, &g.plan, g.d), 0);
        OK(a.len > 0 && a.len == b.len && memcmp(a.buf, b.buf, a.len) == 0);
        OK(a.len == c.len && memcmp(a.buf, c.buf, a.len) == 0);
        /* no host paths or times */
        OK(strstr(a.buf, "/tmp") == NULL && strstr(a.buf, "/home") == NULL);
        gp_strbuf_release(&a);
        gp_strbuf_release(&b);
        gp_strbuf_release(&c);
    }
    INT_EQ(gp_diags_errors(f.d), 0);
    fixture_release(&f);
    fixture_release(&g);
}

/* The sorted names in 'dir', joined by spaces. */
static void
list_dir(struct gp_strbuf *out, const char *dir)
{
    DIR *dp = opendir(dir);
    struct dirent *de;
    char *names[32];
    size_t n = 0, i, j;

    if (!dp)
        return;
    while ((de = readdir(dp)) != NULL && n < 32)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            names[n++] = strdup(de->d_name);
    closedir(dp);
    for (i = 1; i < n; i++)
        for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];

            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    for (i = 0; i < n; i++) {
        gp_strbuf_printf(out, "%s%s", i ? " " : "", names[i]);
        free(names[i]);
    }
}

void
emit_plan_files_writes_every_file(void)
{
    struct fixture f;
    struct gp_strbuf names = GP_STRBUF_INIT;
    char dir[64], out[128], out2[128];
    size_t i, warnings;

    fixture_init(&f);
    warnings = gp_diags_warnings(f.d);  /* the inventory's own */
    make_tmpdir(dir, sizeof(dir));
    snprintf(out, sizeof(out), "%s/plan", dir);
    snprintf(out2, sizeof(out2), "%s/plan2/", dir);
    INT_EQ(gp_emit_plan_files(&f.plan, out, NULL, 0, f.d), 0);
    list_dir(&names, out);
    STR_EQ(names.buf, "device-plugin-config.yaml label-nodes.sh "
                      "mig-parted-config.yaml node-labels.yaml "
                      "workload-patches.yaml");
    /* warned once: MIG and MPS groups in one plan */
    INT_EQ(gp_diags_errors(f.d), 0);
    INT_EQ(gp_diags_warnings(f.d), warnings + 1);
    /* an existing directory is fine; a trailing slash too; same bytes */
    INT_EQ(gp_emit_plan_files(&f.plan, out, NULL, 0, f.d), 0);
    INT_EQ(gp_emit_plan_files(&f.plan, out2, NULL, 0, f.d), 0);
    for (i = 0; gp_emit_files[i]; i++) {
        char *a = read_text(out, gp_emit_files[i]),
             *b = read_text(out2, gp_emit_files[i]);

        OK(*a && strcmp(a, b) == 0);
        free(a);
        free(b);
    }
    gp_strbuf_reset(&names);
    list_dir(&names, out);
    INT_EQ(strlen(names.buf), strlen("device-plugin-config.yaml "
                                     "label-nodes.sh mig-parted-config.yaml "
                                     "node-labels.yaml "
                                     "workload-patches.yaml"));
    remove_tmpdir(dir);
    gp_strbuf_release(&names);
    fixture_release(&f);
}

void
emit_plan_files_failures_write_nothing(void)
{
    struct fixture f;
    struct gp_strbuf names = GP_STRBUF_INIT;
    char dir[64], path[128];
    char *text;
    struct stat st;

    fixture_init(&f);
    make_tmpdir(dir, sizeof(dir));
    /* the output path is a regular file */
    write_text(dir, "file", "keep me\n", 8);
    snprintf(path, sizeof(path), "%s/file", dir);
    INT_EQ(gp_emit_plan_files(&f.plan, path, NULL, 0, f.d), -1);
    INT_EQ(gp_diags_errors(f.d), 1);
    text = read_text(dir, "file");
    STR_EQ(text, "keep me\n");
    free(text);
    list_dir(&names, dir);
    STR_EQ(names.buf, "file");     /* no temporary files either */

    /* a group name that is no label value: nothing, not even the dir */
    snprintf(path, sizeof(path), "%s/out", dir);
    f.plan.groups[1].name = "l4-ts4-";
    INT_EQ(gp_emit_plan_files(&f.plan, path, NULL, 0, f.d), -1);
    OK(stat(path, &st) < 0);
    f.plan.groups[1].name = "l4-ts4";

    /* replicas below 2; MPS over the plugin's 48; duplicate names */
    f.plan.groups[1].replicas = 1;
    INT_EQ(gp_emit_plan_files(&f.plan, path, NULL, 0, f.d), -1);
    f.plan.groups[1].replicas = 4;
    f.plan.groups[2].replicas = 49;
    INT_EQ(gp_emit_plan_files(&f.plan, path, NULL, 0, f.d), -1);
    f.plan.groups[2].replicas = 3;
    f.plan.groups[3].name = "l4-ts4";
    INT_EQ(gp_emit_plan_files(&f.plan, path, NULL, 0, f.d), -1);
    OK(stat(path, &st) < 0);
    INT_EQ(gp_diags_errors(f.d), 5);
    remove_tmpdir(dir);
    gp_strbuf_release(&names);
    fixture_release(&f);
}

void
emit_label_values(void)
{
    static const char *const good[] = {
        "a", "h100-mig", "A.b_c-9", "all-disabled",
        "123456789012345678901234567890123456789012345678901234567890123",
    };
    static const char *const bad[] = {
        "", "-a", "a-", "a b", "a/b", "é", ".a", "a_",
        "1234567890123456789012345678901234567890123456789012345678901234",
    };
    size_t i;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        OK(gp_emit_label_value_ok(good[i]));
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        OK(!gp_emit_label_value_ok(bad[i]));
    OK(!gp_emit_label_value_ok(NULL));
}
