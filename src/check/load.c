/* SPDX-License-Identifier: MIT */
/* check/load.c: reads the files, sorts their documents by what they are, and
 * parses the configs held in ConfigMap strings. Which ConfigMap holds what
 * is decided once every file is read: the ClusterPolicy that names them may
 * come in a later file. */
#include "check/check_int.h"

#include <string.h>

#include "base/arena.h"
#include "base/fs.h"
#include "base/str.h"
#include "base/units.h"

/* A ConfigMap data entry with its embedded document, parsed once. */
struct entry {
    const struct gp_ynode *key, *value;
    const struct gp_ystream *stream; /* NULL: not a string, or not YAML */
    struct gp_diags *errs;           /* the parse's problems, unmapped;
                                      * NULL: not parsed (yet) */
};

/* Re-records the problems of a scratch sink as findings of 'rule', with
 * their locations mapped through 's'. */
static void
copy_diags(struct ck *ck, struct gp_diags *from, const struct ck_src *s,
           const char *rule)
{
    const struct gp_diag *v;
    size_t n, i;

    v = gp_diags_sorted(from, &n);
    for (i = 0; i < n; i++) {
        struct gp_loc at = v[i].loc;

        /* A problem without a position inside the string is the
         * string's own (its location is in the file, not in the string). */
        if (s && at.line)
            at = ck_map_loc(s, at);
        else if (s && s->host)
            at = ck_loc(s, NULL);
        ck_report_loc(ck, at, rule, "%s", v[i].msg);
        if (v[i].hint)
            ck_hint(ck, "%s", v[i].hint);
    }
}

static const char *
str_of(const struct gp_ynode *n)
{
    return n && n->kind == GP_YSCALAR && !gp_ynode_is_null(n) ? n->str : NULL;
}

static const struct gp_ynode *
path(const struct gp_ynode *n, const char *const *keys)
{
    size_t i;

    for (i = 0; keys[i] && n; i++)
        n = gp_ymap_get(n, keys[i]);
    return n;
}

/* A top-level mapping that reads as a device-plugin config: one with
 * 'sharing' or 'flags', or whose keys are all the config's own (the plugin
 * matches them ignoring case). */
static bool
looks_dp(const struct gp_ynode *root)
{
    static const char *const keys[] = {"version", "flags", "sharing",
                                       "resources", "imex"};
    size_t i, j;

    if (!root || root->kind != GP_YMAP || !root->n_pairs)
        return false;
    if (ck_key(root, "sharing", true) || ck_key(root, "flags", true))
        return true;
    for (i = 0; i < root->n_pairs; i++) {
        for (j = 0; j < sizeof(keys) / sizeof(keys[0]); j++) {
            if (gp_str_casecmp(root->pairs[i].key->str, keys[j]) == 0)
                break;
        }
        if (j == sizeof(keys) / sizeof(keys[0]))
            return false;
    }
    return true;
}

static bool
looks_mig(const struct gp_ynode *root)
{
    return root && root->kind == GP_YMAP && gp_ymap_get(root, "mig-configs");
}

static struct ck_label *
labels_of(struct ck *ck, const struct gp_ynode *map, size_t *n)
{
    struct ck_label *v;
    size_t i, k = 0;

    *n = 0;
    if (!map || map->kind != GP_YMAP)
        return NULL;
    v = gp_arena_calloc(ck->a, map->n_pairs + 1, sizeof(*v));
    for (i = 0; i < map->n_pairs; i++) {
        const struct gp_ynode *val = map->pairs[i].value;

        if (val->kind != GP_YSCALAR)
            continue;
        v[k].key = map->pairs[i].key->str;
        v[k].value = gp_ynode_is_null(val) ? "" : ck_jtext(val);
        v[k].node = val;
        k++;
    }
    *n = k;
    return v;
}

/* ---- pod templates ------------------------------------------------------- */

static void
add_requests(struct ck *ck, struct ck_pod *p, const struct gp_ynode *res)
{
    const struct gp_ynode *lim = gp_ymap_get(res, "limits");
    size_t i;

    /* Extended resources are given as limits; requests must equal them. */
    if (!lim || lim->kind != GP_YMAP)
        lim = gp_ymap_get(res, "requests");
    if (!lim || lim->kind != GP_YMAP)
        return;
    for (i = 0; i < lim->n_pairs; i++) {
        const struct gp_ynode *k = lim->pairs[i].key;
        const struct gp_ynode *v = lim->pairs[i].value;
        long long c = 1;
        struct ck_req *r;

        if (!gp_str_has_prefix(k->str, "nvidia.com/") || gp_ynode_is_null(v))
            continue;
        if (!ck_jint(v, &c)) {
            uint64_t u;
            const char *why;

            if (v->kind != GP_YSCALAR ||
                gp_parse_uint(v->str, 1000000, &u, &why) < 0)
                continue;
            c = (long long)u;
        }
        p->req = gp_arena_grow(ck->a, p->req, p->n_req, p->n_req + 1,
                               sizeof(*p->req));
        r = &p->req[p->n_req++];
        r->resource = k->str;
        r->count = c;
        r->node = v;
    }
}

static void
add_pod(struct ck *ck, const struct ck_src *s, const struct gp_ynode *doc,
        const char *kind, const struct gp_ynode *spec)
{
    struct ck_pod *p = gp_arena_alloc(ck->a, sizeof(*p));
    const struct gp_ynode *cs = gp_ymap_get(spec, "containers");
    const char *ns = str_of(path(doc, (const char *const[]){"metadata",
                                                            "namespace",
                                                            NULL}));
    size_t i;

    p->kind = kind;
    p->name = str_of(path(doc, (const char *const[]){"metadata", "name",
                                                     NULL}));
    p->ns = ns ? ns : "default";
    p->src = *s;
    p->sel = labels_of(ck, gp_ymap_get(spec, "nodeSelector"), &p->n_sel);
    if (cs && cs->kind == GP_YSEQ) {
        p->containers = gp_arena_calloc(ck->a, cs->n_items + 1,
                                        sizeof(*p->containers));
        for (i = 0; i < cs->n_items; i++) {
            const char *name = str_of(gp_ymap_get(cs->items[i], "name"));

            if (name)
                p->containers[p->n_containers++] = name;
            add_requests(ck, p, gp_ymap_get(cs->items[i], "resources"));
        }
    }
    ck_vec_push(ck->a, &ck->pods, p);
}

static const struct gp_ynode *
pod_spec(const struct gp_ynode *doc, const char *kind)
{
    static const char *const tmpl[] = {"spec", "template", "spec", NULL};
    static const char *const cron[] = {"spec", "jobTemplate", "spec",
                                       "template", "spec", NULL};
    static const char *const workloads[] = {
        "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job",
        "ReplicationController", NULL};
    size_t i;

    if (!kind)
        return path(doc, tmpl);
    if (strcmp(kind, "Pod") == 0)
        return gp_ymap_get(doc, "spec");
    if (strcmp(kind, "CronJob") == 0)
        return path(doc, cron);
    for (i = 0; workloads[i]; i++) {
        if (strcmp(kind, workloads[i]) == 0)
            return path(doc, tmpl);
    }
    return NULL;
}

/* ---- nodes --------------------------------------------------------------- */

static const char *
label_value(const struct ck_target *t, const char *key,
            const struct gp_ynode **node)
{
    size_t i;

    for (i = 0; i < t->n_labels; i++) {
        if (strcmp(t->labels[i].key, key) == 0) {
            if (node)
                *node = t->labels[i].node;
            return t->labels[i].value;
        }
    }
    return NULL;
}

static void
finish_target(struct ck *ck, struct ck_target *t)
{
    const char *product = label_value(t, "nvidia.com/gpu.product", NULL);
    const char *count = label_value(t, "nvidia.com/gpu.count", NULL);
    uint64_t u;
    const char *why;

    label_value(t, "nvidia.com/device-plugin.config", &t->dp_label);
    label_value(t, "nvidia.com/mig.config", &t->mig_label);
    if (!t->model && product)
        t->model = gp_catalog_find(ck->o->cat, product);
    if (!t->gpus && count && gp_parse_uint(count, 1000000, &u, &why) == 0 &&
        u > 0)
        t->gpus = u > CK_MAX_GPUS ? CK_MAX_GPUS : (uint32_t)u;
    ck_vec_push(ck->a, &ck->targets, t);
}

static void
add_node(struct ck *ck, const struct ck_src *s, const struct gp_ynode *doc)
{
    struct ck_target *t = gp_arena_alloc(ck->a, sizeof(*t));
    const struct gp_ynode *cap = path(
        doc, (const char *const[]){"status", "capacity", "nvidia.com/gpu",
                                   NULL});
    long long c;

    t->kind = CK_TARGET_NODE;
    t->name = str_of(path(doc, (const char *const[]){"metadata", "name",
                                                     NULL}));
    if (!t->name)
        t->name = "(unnamed)";
    t->src = *s;
    t->node = doc;
    t->nodes = 1;
    t->labels = labels_of(ck, path(doc, (const char *const[]){"metadata",
                                                               "labels",
                                                               NULL}),
                          &t->n_labels);
    if (ck_jint(cap, &c) && c > 0)
        t->gpus = c > CK_MAX_GPUS ? CK_MAX_GPUS : (uint32_t)c;
    finish_target(ck, t);
}

/* A NodeLabels group: the nodes that 'selector' finds carry 'labels'. */
static void
add_group(struct ck *ck, const struct ck_src *s, const struct gp_ynode *g)
{
    static const char *const keys[] = {"name", "pool", "nodes", "selector",
                                       "labels", NULL};
    struct ck_target *t;
    const struct gp_ynode *sel, *exprs, *nodes;
    struct ck_label *ml, *gl;
    size_t nml = 0, ngl = 0, i;
    long long c;

    if (!g || g->kind != GP_YMAP) {
        ck_report(ck, s, g, "labels-file", "a NodeLabels group must be a "
                                           "mapping, got a %s",
                  gp_ynode_describe(g));
        return;
    }
    for (i = 0; i < g->n_pairs; i++) {
        const char *k = g->pairs[i].key->str;
        const char *sugg;
        size_t j;

        for (j = 0; keys[j] && strcmp(keys[j], k) != 0; j++)
            ;
        if (keys[j])
            continue;
        ck_report(ck, s, g->pairs[i].key, "labels-file",
                  "unknown key '%.100s' in a NodeLabels group", k);
        sugg = gp_did_you_mean(k, keys, 5);
        if (sugg)
            ck_hint(ck, "did you mean '%s'?", sugg);
    }
    t = gp_arena_alloc(ck->a, sizeof(*t));
    t->kind = CK_TARGET_GROUP;
    t->name = str_of(gp_ymap_get(g, "name"));
    if (!t->name) {
        ck_report(ck, s, g, "labels-file", "a NodeLabels group needs a "
                                           "'name'");
        t->name = "(unnamed)";
    }
    t->src = *s;
    t->node = g;
    t->pool_node = gp_ymap_get(g, "pool");
    nodes = gp_ymap_get(g, "nodes");
    t->nodes = 1;
    if (nodes && !(ck_jint(nodes, &c) && c >= 0 && c <= 1000000))
        ck_report(ck, s, nodes, "labels-file",
                  "'nodes' must be a count of nodes, got '%.40s'",
                  ck_jtext(nodes));
    else if (nodes)
        t->nodes = (uint32_t)c;
    sel = gp_ymap_get(g, "selector");
    ml = labels_of(ck, gp_ymap_get(sel, "matchLabels"), &nml);
    if (gp_ymap_get(g, "labels") &&
        gp_ymap_get(g, "labels")->kind != GP_YMAP)
        ck_report(ck, s, gp_ymap_get(g, "labels"), "labels-file",
                  "'labels' must be a mapping of label keys to values");
    gl = labels_of(ck, gp_ymap_get(g, "labels"), &ngl);
    t->labels = gp_arena_calloc(ck->a, nml + ngl + 1, sizeof(*t->labels));
    for (i = 0; i < ngl; i++)
        t->labels[t->n_labels++] = gl[i];
    for (i = 0; i < nml; i++)
        t->labels[t->n_labels++] = ml[i];
    /* matchExpressions on the GPU product name the model. */
    exprs = gp_ymap_get(sel, "matchExpressions");
    for (i = 0; exprs && exprs->kind == GP_YSEQ && i < exprs->n_items; i++) {
        const struct gp_ynode *e = exprs->items[i];
        const char *key = str_of(gp_ymap_get(e, "key"));
        const char *op = str_of(gp_ymap_get(e, "operator"));
        const struct gp_ynode *vals = gp_ymap_get(e, "values");

        if (key && op && strcmp(key, "nvidia.com/gpu.product") == 0 &&
            strcmp(op, "In") == 0 && vals && vals->kind == GP_YSEQ &&
            vals->n_items)
            t->model = gp_catalog_find(ck->o->cat, str_of(vals->items[0]));
    }
    finish_target(ck, t);
}

static void
add_node_labels(struct ck *ck, const struct ck_src *s,
                const struct gp_ynode *doc)
{
    const struct gp_ynode *groups = gp_ymap_get(doc, "groups");
    size_t i;

    if (!groups || groups->kind != GP_YSEQ) {
        ck_report(ck, s, groups ? groups : doc, "labels-file",
                  "a NodeLabels document needs 'groups', a list");
        return;
    }
    for (i = 0; i < groups->n_items; i++)
        add_group(ck, s, groups->items[i]);
}

/* ---- ClusterPolicy ------------------------------------------------------- */

static void
add_policy(struct ck *ck, const struct ck_src *s, const struct gp_ynode *doc)
{
    struct ck_policy *p;
    const struct gp_ynode *spec = gp_ymap_get(doc, "spec");

    /* The operator reconciles one ClusterPolicy; the first one read rules. */
    if (ck->policy)
        return;
    p = gp_arena_alloc(ck->a, sizeof(*p));
    p->src = *s;
    p->dp_cm = path(spec, (const char *const[]){"devicePlugin", "config",
                                                "name", NULL});
    p->dp_default = path(spec, (const char *const[]){"devicePlugin", "config",
                                                     "default", NULL});
    p->mig_cm = path(spec, (const char *const[]){"migManager", "config",
                                                 "name", NULL});
    p->mig_default = path(spec, (const char *const[]){"migManager", "config",
                                                      "default", NULL});
    p->strategy = path(spec, (const char *const[]){"mig", "strategy", NULL});
    /* The chart's default, which the operator passes as MIG_STRATEGY. */
    p->strategy_value = str_of(p->strategy) ? str_of(p->strategy) : "single";
    ck->policy = p;
}

/* ---- documents ----------------------------------------------------------- */

static void
add_bare_dp(struct ck *ck, const struct ck_src *s, const struct gp_ynode *root)
{
    struct ck_dp *dp = gp_arena_alloc(ck->a, sizeof(*dp));

    dp->src = *s;
    dp->outer = *s;
    dp->key_node = root;
    dp->root = root;
    dp->bare = true;
    ck_vec_push(ck->a, &ck->dps, dp);
}

static void
document(struct ck *ck, const struct ck_src *s, const struct gp_ynode *doc,
         bool in_list)
{
    const char *kind = str_of(gp_ymap_get(doc, "kind"));
    const struct gp_ynode *spec;

    if (!doc || doc->kind != GP_YMAP)
        return;
    if (!kind) {
        if (looks_mig(doc))
            ck_parse_mig_doc(ck, NULL, s, doc);
        else if ((spec = pod_spec(doc, NULL)) != NULL)
            add_pod(ck, s, doc, "patch", spec);
        else if (looks_dp(doc))
            add_bare_dp(ck, s, doc);
        return;
    }
    if (strcmp(kind, "ConfigMap") == 0) {
        struct ck_cm *cm = gp_arena_alloc(ck->a, sizeof(*cm));

        cm->name = str_of(path(doc, (const char *const[]){"metadata", "name",
                                                          NULL}));
        cm->src = *s;
        cm->node = doc;
        cm->data = gp_ymap_get(doc, "data");
        ck_vec_push(ck->a, &ck->cms, cm);
    } else if (strcmp(kind, "ClusterPolicy") == 0) {
        add_policy(ck, s, doc);
    } else if (strcmp(kind, "Node") == 0) {
        add_node(ck, s, doc);
    } else if (strcmp(kind, "NodeLabels") == 0) {
        add_node_labels(ck, s, doc);
    } else if (strcmp(kind, "List") == 0 && !in_list) {
        const struct gp_ynode *items = gp_ymap_get(doc, "items");
        size_t i;

        for (i = 0; items && items->kind == GP_YSEQ && i < items->n_items;
             i++)
            document(ck, s, items->items[i], true);
    } else if ((spec = pod_spec(doc, kind)) != NULL) {
        add_pod(ck, s, doc, kind, spec);
    }
}

/* Parses one file's text (NUL-terminated, in the arena) and sorts its
 * documents. */
static int
load_text(struct ck *ck, const char *file, const char *text, size_t len)
{
    struct gp_diags *scratch = gp_diags_new(ck->a);
    struct gp_ystream *st;
    struct ck_src s;
    size_t i;

    s.file = file;
    s.text = text;
    s.len = len;
    s.host = NULL;
    s.at = NULL;
    gp_diags_add_source(ck->d, s.file, text, len);
    if (gp_yaml_parse(&st, ck->a, s.file, text, len, NULL, scratch) < 0) {
        copy_diags(ck, scratch, NULL, "yaml-invalid");
        return -1;
    }
    for (i = 0; i < st->n_docs; i++)
        document(ck, &s, st->docs[i], false);
    return 0;
}

static int
load_file(struct ck *ck, const char *path_)
{
    struct gp_diags *scratch = gp_diags_new(ck->a);
    const char *text;
    size_t len;

    if (gp_file_read(&text, &len, ck->a, path_, GP_MAX_INPUT_BYTES,
                     scratch) < 0) {
        copy_diags(ck, scratch, NULL, "input-unreadable");
        return -1;
    }
    return load_text(ck, strcmp(path_, "-") == 0 ? "<stdin>" : path_, text,
                     len);
}

/* ---- ConfigMaps ---------------------------------------------------------- */

static bool
names_cm(const struct gp_ynode *ref, const struct ck_cm *cm)
{
    const char *r = str_of(ref);

    return r && cm->name && strcmp(r, cm->name) == 0;
}

/* True when a data value is a string (a finding when it is not). */
static bool
entry_is_string(struct ck *ck, const struct ck_cm *cm, const struct entry *e)
{
    if (e->value->kind == GP_YSCALAR && ck_jtype(e->value) == CK_JSTRING)
        return true;
    if (!gp_ynode_is_null(e->value)) {
        ck_report(ck, &cm->src, e->value, "cm-data-type",
                  "ConfigMap data values must be strings, got a %s",
                  gp_ynode_describe(e->value));
        ck_hint(ck, "write the config as a block string: '%s: |' and the "
                    "config indented below",
                e->key->str);
    }
    return false;
}

static bool
contains_ci(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word), i, j;

    for (i = 0; i + n <= len; i++) {
        for (j = 0; j < n; j++) {
            char c = s[i + j];

            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            if (c != word[j])
                break;
        }
        if (j == n)
            return true;
    }
    return false;
}

/* False when the text cannot be a device-plugin or mig-parted config by
 * its content: it names none of their top-level keys (which the plugin
 * matches ignoring case) nor what classify() looks for in broken text.
 * Such entries of unrelated ConfigMaps are then never parsed. */
static bool
may_hold_config(const struct gp_ynode *v)
{
    static const char *const words[] = {"version",     "flags",
                                        "sharing",     "resources",
                                        "imex",        "mig-configs",
                                        "timeslicing", "migstrategy"};
    size_t i;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (contains_ci(v->str, v->len, words[i]))
            return true;
    }
    return false;
}

/* Parses a string entry's embedded document, within the run's bounds. */
static void
parse_entry(struct ck *ck, const struct ck_cm *cm, struct entry *e)
{
    struct gp_ylimits lim = gp_ylimits_default;
    struct gp_ystream *st;

    e->errs = gp_diags_new(ck->a);
    if (ck->n_embedded >= CK_MAX_EMBEDDED) {
        gp_error_at(e->errs, (struct gp_loc){cm->src.file, 0, 0, 0},
                    "more than %u configs embedded in ConfigMaps in one "
                    "run; gpuplan check reads at most that many",
                    CK_MAX_EMBEDDED);
        return;
    }
    ck->n_embedded++;
    if (!ck->embedded_nodes.total) {
        ck->embedded_nodes.total = CK_MAX_EMBEDDED_NODES;
        ck->embedded_nodes.left = CK_MAX_EMBEDDED_NODES;
        ck->embedded_nodes.what = "configs embedded in ConfigMaps";
    }
    lim.budget = &ck->embedded_nodes;
    if (gp_yaml_parse(&st, ck->a, cm->src.file, e->value->str, e->value->len,
                      &lim, e->errs) == 0)
        e->stream = st;
}

static const struct gp_ynode *
entry_root(const struct entry *e)
{
    return e->stream && e->stream->n_docs ? e->stream->docs[0] : NULL;
}

/* What a ConfigMap holds: what the ClusterPolicy says it holds, else what
 * its documents look like; text that does not parse is judged by the keys it
 * mentions, so a broken config is still reported. */
static void
classify(struct ck *ck, struct ck_cm *cm, const struct entry *es, size_t n)
{
    size_t i;

    if (ck->policy && names_cm(ck->policy->mig_cm, cm)) {
        cm->mig = true;
        return;
    }
    if (ck->policy && names_cm(ck->policy->dp_cm, cm)) {
        cm->dp = true;
        return;
    }
    for (i = 0; i < n; i++) {
        const struct gp_ynode *root = entry_root(&es[i]);
        const char *text = es[i].value->str;

        if (root) {
            cm->mig = cm->mig || looks_mig(root);
            cm->dp = cm->dp || looks_dp(root);
        } else if (es[i].value->kind == GP_YSCALAR && !es[i].stream) {
            cm->mig = cm->mig || strstr(text, "mig-configs");
            cm->dp = cm->dp || strstr(text, "timeSlicing") ||
                     strstr(text, "sharing:") || strstr(text, "migStrategy");
        }
    }
    /* mig-manager reads config.yaml only: a map with mig-configs anywhere
     * is a mig-parted ConfigMap. */
    if (cm->mig)
        cm->dp = false;
}

static void
load_configmap(struct ck *ck, struct ck_cm *cm)
{
    struct entry *es;
    size_t n, i;
    bool has_config_yaml = false, named;

    if (!cm->data || cm->data->kind != GP_YMAP) {
        if (ck->policy && names_cm(ck->policy->mig_cm, cm))
            ck_report(ck, &cm->src, cm->node, "mig-configmap-key",
                      "ConfigMap '%s' has no key 'config.yaml'; mig-manager "
                      "reads the mig-parted config from it",
                      cm->name);
        return;
    }
    n = cm->data->n_pairs;
    es = gp_arena_calloc(ck->a, n + 1, sizeof(*es));
    named = ck->policy && (names_cm(ck->policy->mig_cm, cm) ||
                           names_cm(ck->policy->dp_cm, cm));
    for (i = 0; i < n; i++) {
        es[i].key = cm->data->pairs[i].key;
        es[i].value = cm->data->pairs[i].value;
        if (entry_is_string(ck, cm, &es[i]) &&
            (named || may_hold_config(es[i].value)))
            parse_entry(ck, cm, &es[i]);
        has_config_yaml |= strcmp(es[i].key->str, "config.yaml") == 0;
    }
    classify(ck, cm, es, n);
    /* A GPU ConfigMap's other string entries are configs too. */
    for (i = 0; i < n && (cm->dp || cm->mig); i++) {
        if (!es[i].errs && es[i].value->kind == GP_YSCALAR &&
            ck_jtype(es[i].value) == CK_JSTRING)
            parse_entry(ck, cm, &es[i]);
    }
    if (cm->mig && ck->policy && names_cm(ck->policy->mig_cm, cm) &&
        !has_config_yaml)
        ck_report(ck, &cm->src, cm->data, "mig-configmap-key",
                  "ConfigMap '%s' has no key 'config.yaml'; mig-manager "
                  "reads the mig-parted config from it",
                  cm->name);
    for (i = 0; i < n && (cm->dp || cm->mig); i++) {
        struct ck_src in = cm->src;

        if (es[i].value->kind != GP_YSCALAR || !es[i].errs)
            continue;
        in.host = es[i].value;
        in.at = gp_ylocator_new(ck->a, in.host, in.text, in.len);
        if (!es[i].stream) {
            copy_diags(ck, es[i].errs, &in, "yaml-invalid");
            continue;
        }
        if (cm->mig) {
            if (strcmp(es[i].key->str, "config.yaml") == 0 ||
                looks_mig(entry_root(&es[i])))
                ck_parse_mig_doc(ck, cm->name, &in, entry_root(&es[i]));
        } else {
            struct ck_dp *dp = gp_arena_alloc(ck->a, sizeof(*dp));

            dp->key = es[i].key->str;
            dp->cm = cm->name;
            dp->src = in;
            dp->outer = cm->src;
            dp->key_node = es[i].key;
            dp->root = entry_root(&es[i]);
            ck_vec_push(ck->a, &ck->dps, dp);
        }
    }
}

static void
load_configmaps(struct ck *ck)
{
    size_t i;

    for (i = 0; i < ck->cms.n; i++)
        load_configmap(ck, ck->cms.v[i]);
}

int
ck_load(struct ck *ck, const char *const *files, size_t n)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < n; i++) {
        if (load_file(ck, files[i]) < 0)
            rc = -1;
    }
    load_configmaps(ck);
    return rc;
}

int
ck_load_texts(struct ck *ck, const struct gp_check_text *in, size_t n)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < n; i++) {
        char *t = gp_arena_alloc(ck->a, in[i].len + 1);

        /* The parsers read a NUL-terminated copy, as from gp_file_read. */
        if (in[i].len)
            memcpy(t, in[i].text, in[i].len);
        t[in[i].len] = '\0';
        if (load_text(ck, in[i].file, t, in[i].len) < 0)
            rc = -1;
    }
    load_configmaps(ck);
    return rc;
}
