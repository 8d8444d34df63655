/* SPDX-License-Identifier: MIT */
/* check/migparted.c: mig-parted configs (api/spec/v1 of mig-parted v0.15,
 * config-formats.md 2.1-2.4). Unlike the device plugin, mig-parted rejects
 * unknown keys and every key is case-sensitive. It stops at the first error
 * (in Go's random map order); this reports all of them, quoting its text.
 * A layout's fit on a GPU model is decided by the catalogue's placement
 * tables (mig/geometry.h), which is what mig-parted finds out at apply time
 * on the node. */
#include "check/check_int.h"

#include <string.h>

#include "base/arena.h"
#include "base/str.h"
#include "base/strbuf.h"

#define TYPE_ERR "json: cannot unmarshal %s into Go value of type %s"
#define VALUES "error validating values in 'mig-devices' field: "

static void
unexpected(struct ck *ck, const struct ck_src *s, const struct gp_ynode *k,
           const char *const *known, size_t nk)
{
    const char *sugg = gp_did_you_mean(k->str, known, nk);

    ck_report(ck, s, k, "mig-unknown-field", "unexpected field: %.100s",
              k->str);
    if (sugg)
        ck_hint(ck, "did you mean '%s'? mig-parted keys are case-sensitive",
                sugg);
}

/* device-filter: a PCI id "0xDDDDVVVV", optionally ":0xSSSSVVVV" for the
 * subsystem; helpers.go discards a parse error, so a malformed filter
 * matches nothing without a word. */
static void
filter_entry(struct ck *ck, const struct ck_src *s, struct ck_mig_item *it,
             const struct gp_ynode *v)
{
    const char *str = v->str, *colon = strchr(str, ':');
    char head[64];
    uint32_t id, sub;
    size_t i, n = colon ? (size_t)(colon - str) : strlen(str);

    if (n < sizeof(head)) {
        memcpy(head, str, n);
        head[n] = '\0';
    }
    if (n >= sizeof(head) || !ck_parse_pci(head, &id) ||
        (colon && !ck_parse_pci(colon + 1, &sub))) {
        ck_report(ck, s, v, "mig-device-filter-nomatch",
                  "device-filter '%.100s' is not a PCI id: mig-parted accepts "
                  "it and it matches no GPU",
                  str);
        ck_hint(ck, "write the device and vendor ids as one hex number, "
                    "e.g. 0x20B010DE for an A100-SXM4-40GB");
        return;
    }
    if ((id & 0xFFFFu) != 0x10DEu) {
        ck_report(ck, s, v, "mig-device-filter-nomatch",
                  "device-filter '%.100s' has vendor id 0x%04X, not NVIDIA's "
                  "0x10DE: it matches no GPU",
                  str, id & 0xFFFFu);
        if ((id >> 16) == 0x10DEu)
            ck_hint(ck, "the device id comes first: 0x%04X10DE",
                    id & 0xFFFFu);
        return;
    }
    for (i = 0; i < ck->o->cat->n; i++) {
        if (ck_model_has_pci(ck->o->cat->v[i], id))
            break;
    }
    if (i == ck->o->cat->n) {
        ck_report(ck, s, v, "mig-device-filter-nomatch",
                  "device-filter '%.100s' names PCI device 0x%04X, which no "
                  "GPU in the catalogue has",
                  str, id >> 16);
        ck_hint(ck, "'gpuplan models show NAME' lists each GPU's PCI ids");
    }
    it->filter = gp_arena_grow(ck->a, it->filter, it->n_filter,
                               it->n_filter + 1, sizeof(*it->filter));
    it->filter[it->n_filter++] = id;
}

static bool
device_filter(struct ck *ck, const struct ck_src *s, struct ck_mig_item *it,
              const struct gp_ynode *v)
{
    size_t i;

    it->has_filter = true;
    if (ck_jtype(v) == CK_JSTRING) {
        filter_entry(ck, s, it, v);
        return true;
    }
    if (v->kind == GP_YSEQ) {
        for (i = 0; i < v->n_items; i++) {
            if (ck_jtype(v->items[i]) != CK_JSTRING) {
                ck_report(ck, s, v->items[i], "mig-device-filter",
                          "(json: cannot unmarshal array into Go value of "
                          "type string, " TYPE_ERR ")",
                          ck_jword(ck, v->items[i]), "string");
                ck_hint(ck, "quote PCI ids: \"0x20B010DE\"");
                return false;
            }
        }
        for (i = 0; i < v->n_items; i++)
            filter_entry(ck, s, it, v->items[i]);
        return true;
    }
    ck_report(ck, s, v, "mig-device-filter",
              "(" TYPE_ERR ", " TYPE_ERR ")", ck_jword(ck, v), "string",
              ck_jword(ck, v), "[]string");
    if (ck_jtype(v) == CK_JINT)
        ck_hint(ck, "quote the PCI id: \"%s\"", v->str);
    return false;
}

static bool
devices(struct ck *ck, const struct ck_src *s, struct ck_mig_item *it,
        const struct gp_ynode *v)
{
    size_t i;

    it->devices_node = v;
    if (ck_jtype(v) == CK_JSTRING || ck_jtype(v) == CK_JNULL) {
        if (v->kind == GP_YSCALAR && strcmp(ck_jtext(v), "all") == 0) {
            it->all = true;
            return true;
        }
        ck_report(ck, s, v, "mig-devices",
                  "invalid string input for 'devices': %.100s", ck_jtext(v));
        ck_hint(ck, "write 'all' or a list of GPU indexes such as [0, 1]");
        return false;
    }
    if (v->kind != GP_YSEQ) {
        ck_report(ck, s, v, "mig-devices", "(" TYPE_ERR ", " TYPE_ERR ")",
                  ck_jword(ck, v), "string", ck_jword(ck, v), "[]int");
        if (ck_jtype(v) == CK_JINT)
            ck_hint(ck, "write a list: [%s]", v->str);
        return false;
    }
    for (i = 0; i < v->n_items; i++) {
        long long x;

        if (!ck_jint(v->items[i], &x)) {
            ck_report(ck, s, v->items[i], "mig-devices",
                      "(json: cannot unmarshal array into Go value of type "
                      "string, " TYPE_ERR ")",
                      ck_jword(ck, v->items[i]), "int");
            if (ck_jtype(v->items[i]) == CK_JSTRING)
                ck_hint(ck, "GPU indexes are numbers: write %s without "
                            "quotes",
                        v->items[i]->str);
            return false;
        }
    }
    it->idx = gp_arena_calloc(ck->a, v->n_items + 1, sizeof(*it->idx));
    it->idx_node = gp_arena_calloc(ck->a, v->n_items + 1,
                                   sizeof(*it->idx_node));
    for (i = 0; i < v->n_items; i++) {
        ck_jint(v->items[i], &it->idx[i]);
        it->idx_node[i] = v->items[i];
    }
    it->n_idx = v->n_items;
    return true;
}

static void
profile_hint(struct ck *ck, const char *name)
{
    size_t n = strlen(name);

    if (gp_str_has_prefix(name, "mig-"))
        ck_hint(ck, "drop the 'mig-' of the resource name: '%s'", name + 4);
    else if (n > 3 && strcmp(name + n - 3, ".me") == 0)
        ck_hint(ck, "profile keys spell media extensions with '+': "
                    "'%.*s+me' ('.me' is the resource-name spelling)",
                (int)(n - 3), name);
    else if (n > 7 && strcmp(name + n - 7, ".me.all") == 0)
        ck_hint(ck, "profile keys spell attributes with '+': '%.*s+me.all'",
                (int)(n - 7), name);
    else if (n > 4 && strcmp(name + n - 4, ".gfx") == 0)
        ck_hint(ck, "profile keys spell attributes with '+': '%.*s+gfx'",
                (int)(n - 4), name);
}

static bool
mig_devices(struct ck *ck, const struct ck_src *s, struct ck_mig_item *it,
            const struct gp_ynode *v)
{
    size_t i;
    bool ok = true, any = false;

    it->mig_devices_node = v;
    if (gp_ynode_is_null(v))
        return true;
    if (v->kind != GP_YMAP) {
        ck_report(ck, s, v, "mig-type", TYPE_ERR, ck_jword(ck, v),
                  "types.MigConfig");
        ck_hint(ck, "write a mapping of profile to count: {\"1g.10gb\": 7}");
        return false;
    }
    it->prof = gp_arena_calloc(ck->a, v->n_pairs + 1, sizeof(*it->prof));
    for (i = 0; i < v->n_pairs; i++) {
        struct ck_mig_prof *p = &it->prof[it->n_prof];
        const struct gp_ynode *val = v->pairs[i].value;
        const char *e;

        p->name = v->pairs[i].key->str;
        p->key = v->pairs[i].key;
        p->value = val;
        if (ck_jtype(val) == CK_JNULL) {
            p->count = 0;
        } else if (!ck_jint(val, &p->count)) {
            ck_report(ck, s, val, "mig-type", TYPE_ERR, ck_jword(ck, val),
                      "int");
            if (ck_jtype(val) == CK_JSTRING)
                ck_hint(ck, "write the count without quotes");
            ok = false;
            continue;
        }
        e = ck_parse_profile(ck, p->name, &p->c, &p->g, &p->gb, &p->attr);
        if (e) {
            ck_report(ck, s, p->key, "mig-profile-syntax",
                      VALUES "invalid format for '%.100s': %s", p->name, e);
            profile_hint(ck, p->name);
            ok = false;
        } else {
            p->parsed = true;
        }
        if (p->count < 0) {
            ck_report(ck, s, val, "mig-count-negative",
                      VALUES "invalid count for '%lld': <nil>", p->count);
            ck_hint(ck, "counts are instances per GPU: 0 or more");
            ok = false;
        }
        any = any || p->count > 0;
        it->n_prof++;
    }
    if (ok && it->n_prof && !any) {
        ck_report(ck, s, v, "mig-all-zero",
                  VALUES "all counts for all MigProfiles are 0");
        ck_hint(ck, "to enable MIG without instances write mig-devices: {}");
        ok = false;
    }
    return ok;
}

static bool
item(struct ck *ck, const struct ck_src *s, struct ck_mig_item *it,
     const struct gp_ynode *n)
{
    static const char *const known[] = {"device-filter", "devices",
                                        "mig-enabled", "mig-devices", NULL};
    const struct gp_ynode *v;
    bool ok = true;
    size_t i;

    if (n->kind != GP_YMAP) {
        ck_report(ck, s, n, "mig-type", TYPE_ERR, ck_jword(ck, n),
                  "map[string]json.RawMessage");
        return false;
    }
    for (i = 0; i < n->n_pairs; i++) {
        const char *k = n->pairs[i].key->str;

        if (strcmp(k, known[0]) && strcmp(k, known[1]) &&
            strcmp(k, known[2]) && strcmp(k, known[3])) {
            unexpected(ck, s, n->pairs[i].key, known, 4);
            ok = false;
        }
    }
    if (!gp_ymap_get(n, "devices")) {
        ck_report(ck, s, n, "mig-required-field",
                  "missing required field: devices");
        ck_hint(ck, "add devices: all, or a list of GPU indexes");
        ok = false;
    }
    if (!gp_ymap_get(n, "mig-enabled")) {
        ck_report(ck, s, n, "mig-required-field",
                  "missing required field: mig-enabled");
        ck_hint(ck, "add mig-enabled: true or false");
        ok = false;
    }
    v = gp_ymap_get(n, "device-filter");
    if (v && !device_filter(ck, s, it, v))
        ok = false;
    v = gp_ymap_get(n, "devices");
    if (v && !devices(ck, s, it, v))
        ok = false;
    v = gp_ymap_get(n, "mig-enabled");
    it->enabled_node = v;
    it->prof_ok = true;
    if (v && ck_jtype(v) != CK_JNULL && !ck_jbool(v, &it->enabled)) {
        ck_report(ck, s, v, "mig-type", TYPE_ERR, ck_jword(ck, v), "bool");
        if (ck_jtype(v) == CK_JSTRING)
            ck_hint(ck, "write true or false without quotes");
        it->prof_ok = ok = false;
    }
    v = gp_ymap_get(n, "mig-devices");
    if (v && !mig_devices(ck, s, it, v))
        it->prof_ok = ok = false;
    if (it->enabled && !v) {
        ck_report(ck, s, it->enabled_node, "mig-devices-required",
                  "missing required field 'mig-devices' when 'mig-enabled' "
                  "is true");
        ck_hint(ck, "list the instances, or mig-devices: {} to enable MIG "
                    "without any");
        ok = false;
    }
    if (!it->enabled && it->n_prof) {
        ck_report(ck, s, v, "mig-devices-disabled",
                  "MIG devices included when 'mig-enabled' is false");
        ck_hint(ck, "set mig-enabled: true, or remove mig-devices");
        ok = false;
    }
    it->ok = ok;
    return ok;
}

/* The layout an item asks of one GPU of 'model', checked against the
 * model's placement table. Fills 'out'; returns false (after reporting)
 * when a profile is missing or the instances do not fit. */
bool
ck_mig_layout(struct ck *ck, const struct ck_mig *m,
              const struct ck_mig_item *it, const struct gp_gpu_model *model,
              struct ck_gpu *out)
{
    const struct gp_mig_profile *want[GP_MIG_MAX_SLICES] = {NULL};
    const struct ck_mig_prof *from[GP_MIG_MAX_SLICES] = {NULL};
    struct gp_mig_check res;
    struct gp_strbuf why = GP_STRBUF_INIT;
    size_t i, n = 0;
    long long k;
    bool ok = true;

    memset(out, 0, sizeof(*out));
    out->mig = true;
    out->balanced = it->balanced;
    for (i = 0; i < it->n_prof; i++) {
        const struct ck_mig_prof *p = &it->prof[i];
        const struct gp_mig_profile *q = ck_match_profile(ck, model, p);

        if (!q) {
            const struct gp_mig_profile *sugg =
                gp_mig_suggest_profile(model->mig, p->name);

            ck_report(ck, &m->src, p->key, "mig-profile-unknown",
                      "MIG profile \"%.60s\" not found on this GPU (%s)",
                      p->name, model->id);
            if (sugg)
                ck_hint(ck, "did you mean '%s'? 'gpuplan models show %s' "
                            "lists its profiles",
                        sugg->name, model->id);
            ok = false;
            continue;
        }
        for (k = 0; k < p->count; k++) {
            if (n == GP_MIG_MAX_SLICES) {
                ok = false;
                break;
            }
            from[n] = p;
            want[n++] = q;
        }
    }
    if (!ok && n < GP_MIG_MAX_SLICES)
        return false;
    gp_mig_check(&res, model->mig, want, n, &why);
    if (n == GP_MIG_MAX_SLICES || res.verdict != GP_MIG_FITS) {
        ck_report(ck, &m->src, it->mig_devices_node, "mig-layout",
                  "error attempting multiple config orderings: these "
                  "instances do not fit one %s",
                  model->id);
        if (why.len)
            ck_hint(ck, "%s", why.buf);
        gp_strbuf_release(&why);
        return false;
    }
    gp_strbuf_release(&why);
    for (i = 0; i < res.placed.n; i++) {
        out->prof[i] = res.placed.inst[i].profile;
        for (k = 0; k < (long long)n; k++) {
            if (want[k] == out->prof[i]) {
                out->src[i] = from[k];
                break;
            }
        }
    }
    out->n = res.placed.n;
    return true;
}

/* An item whose device-filter names GPUs of the catalogue is checked on
 * each of them even when no node in the inputs selects its config. */
static void
check_on_filter_models(struct ck *ck, const struct ck_mig *m,
                       const struct ck_mig_item *it)
{
    size_t i, f;

    /* Whatever else is wrong with the entry, its instances can be judged. */
    if (!it->prof_ok || !it->enabled)
        return;
    for (i = 0; i < ck->o->cat->n; i++) {
        const struct gp_gpu_model *model = ck->o->cat->v[i];
        struct ck_gpu g;

        for (f = 0; f < it->n_filter; f++) {
            if (ck_model_has_pci(model, it->filter[f]))
                break;
        }
        if (f == it->n_filter)
            continue;
        if (!model->mig) {
            if (!it->all) {
                ck_report(ck, &m->src, it->enabled_node, "mig-not-capable",
                          "cannot set MIG config on non MIG-capable GPU (%s)",
                          model->id);
                ck_hint(ck, "%s has no MIG: set mig-enabled: false for it",
                        model->id);
            }
            continue;
        }
        ck_mig_layout(ck, m, it, model, &g);
    }
}

static void
one_config(struct ck *ck, const char *cm, const struct ck_src *s,
           const struct gp_ynode *key, const struct gp_ynode *list)
{
    struct ck_mig *m = gp_arena_alloc(ck->a, sizeof(*m));
    const char *why;
    size_t i;

    m->name = key->str;
    m->cm = cm;
    m->src = *s;
    m->key = key;
    m->ok = true;
    if (!gp_k8s_label_value(m->name, &why)) {
        ck_report(ck, s, key, "mig-config-name",
                  "mig-config '%.100s' cannot be selected: the label "
                  "nvidia.com/mig.config cannot hold it (%s)",
                  m->name, why);
        if (strchr(m->name, '+')) {
            char *dot = gp_arena_strdup(ck->a, m->name), *c;

            for (c = dot; *c; c++)
                *c = *c == '+' ? '.' : *c;
            ck_hint(ck, "config names spell '+' as '.': '%s'", dot);
        }
    }
    if (gp_ynode_is_null(list) ||
        (list->kind == GP_YSEQ && list->n_items == 0)) {
        ck_report(ck, s, key, "mig-empty-config",
                  "at least one entry in '%.100s' is required", m->name);
        ck_hint(ck, "add an entry such as '- devices: all' with "
                    "'mig-enabled: false', or remove the config");
        m->ok = false;
    } else if (list->kind != GP_YSEQ) {
        ck_report(ck, s, list, "mig-type", TYPE_ERR, ck_jword(ck, list),
                  "v1.MigConfigSpecSlice");
        m->ok = false;
    } else {
        m->items = gp_arena_calloc(ck->a, list->n_items, sizeof(*m->items));
        m->n_items = list->n_items;
        for (i = 0; i < list->n_items; i++) {
            if (!item(ck, s, &m->items[i], list->items[i]))
                m->ok = false;
            check_on_filter_models(ck, m, &m->items[i]);
        }
    }
    ck_vec_push(ck->a, &ck->migs, m);
}

int
ck_parse_mig_doc(struct ck *ck, const char *cm, const struct ck_src *s,
                 const struct gp_ynode *root)
{
    static const char *const known[] = {"version", "mig-configs", NULL};
    const struct gp_ynode *v, *configs;
    size_t i;

    if (root && root->kind != GP_YMAP && !gp_ynode_is_null(root))
        return ck_report(ck, s, root, "mig-type", TYPE_ERR,
                         ck_jword(ck, root), "map[string]json.RawMessage");
    if (!root || root->n_pairs == 0) {
        ck_report(ck, s, root, "mig-version", "unknown version: ");
        ck_hint(ck, "an empty config has no version; write version: v1 and "
                    "mig-configs");
        return -1;
    }
    v = gp_ymap_get(root, "version");
    if (!v) {
        ck_report(ck, s, root, "mig-version-missing",
                  "unable to parse with missing 'version' field");
        ck_hint(ck, "start the config with version: v1");
    } else if (ck_jtype(v) != CK_JSTRING) {
        ck_report(ck, s, v, "mig-type", TYPE_ERR, ck_jword(ck, v), "string");
    } else if (strcmp(v->str, "v1") != 0) {
        ck_report(ck, s, v, "mig-version", "unknown version: %.100s", v->str);
        ck_hint(ck, "write version: v1");
    }
    for (i = 0; i < root->n_pairs; i++) {
        const char *k = root->pairs[i].key->str;

        if (strcmp(k, "version") != 0 && strcmp(k, "mig-configs") != 0)
            unexpected(ck, s, root->pairs[i].key, known, 2);
    }
    configs = gp_ymap_get(root, "mig-configs");
    if (configs && configs->kind != GP_YMAP && !gp_ynode_is_null(configs))
        return ck_report(ck, s, configs, "mig-type", TYPE_ERR,
                         ck_jword(ck, configs),
                         "map[string]v1.MigConfigSpecSlice");
    if (!configs || gp_ynode_is_null(configs) || configs->n_pairs == 0) {
        ck_report(ck, s, configs ? configs : root, "mig-no-configs",
                  "at least one entry in 'mig-configs' is required");
        ck_hint(ck, "name at least one config, such as all-disabled");
        return -1;
    }
    for (i = 0; i < configs->n_pairs; i++)
        one_config(ck, cm, s, configs->pairs[i].key,
                   configs->pairs[i].value);
    return 0;
}
