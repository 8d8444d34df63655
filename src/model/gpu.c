/* SPDX-License-Identifier: MIT */
/* model/gpu.c: load and check GPU model files; resolve model and profile
 * names. The checks here are what makes the catalogue trustworthy: a
 * placement outside the grid or an undefined source is an error, not a
 * silently wrong plan later. */
#include "model/gpu.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/fs.h"
#include "base/str.h"
#include "base/strbuf.h"
#include "base/units.h"
#include "model/builtin.h"
#include "yaml/yget.h"

const char *
gp_confidence_name(enum gp_confidence c)
{
    switch (c) {
    case GP_CONF_OBSERVED:
        return "observed";
    case GP_CONF_DOCUMENTED:
        return "documented";
    case GP_CONF_INFERRED:
        return "inferred";
    case GP_CONF_ESTIMATED:
        return "estimated";
    }
    return "observed";
}

bool
gp_model_cc_at_least(const struct gp_gpu_model *m, unsigned major,
                     unsigned minor)
{
    const char *p = m->compute_capability;
    unsigned ma = 0, mi = 0;

    if (!p || *p < '0' || *p > '9')
        return false;
    for (; *p >= '0' && *p <= '9' && ma < 1000; p++)
        ma = ma * 10 + (unsigned)(*p - '0');
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9' && mi < 1000; p++)
            mi = mi * 10 + (unsigned)(*p - '0');
    return ma > major || (ma == major && mi >= minor);
}

static const char *const conf_names[] = {"observed", "documented", "inferred",
                                         "estimated", NULL};

struct loader {
    struct gp_arena *a;
    struct gp_diags *d;
    struct gp_gpu_model *m;
};

static int
get_strlist(struct loader *L, const struct gp_ynode *n, const char *key,
            struct gp_strlist *out)
{
    size_t i;
    int rc = 0;

    if (!n || gp_ynode_is_null(n))
        return 0;
    if (gp_yseq_expect(n, key, L->d) < 0)
        return -1;
    out->v = gp_arena_calloc(L->a, n->n_items, sizeof(*out->v));
    for (i = 0; i < n->n_items; i++) {
        const char *s;

        if (gp_yget_str(n->items[i], key, &s, L->d) < 0) {
            rc = -1;
            continue;
        }
        out->v[out->n++] = s;
    }
    return rc;
}

static int
check_source_refs(struct loader *L, const struct gp_ynode *n)
{
    size_t i, j;
    int rc = 0;

    if (!n || gp_ynode_is_null(n))
        return 0;
    if (gp_yseq_expect(n, "source", L->d) < 0)
        return -1;
    for (i = 0; i < n->n_items; i++) {
        const char *s;

        if (gp_yget_str(n->items[i], "source", &s, L->d) < 0) {
            rc = -1;
            continue;
        }
        for (j = 0; j < L->m->n_sources; j++) {
            if (strcmp(L->m->sources[j].id, s) == 0)
                break;
        }
        if (j == L->m->n_sources)
            rc = gp_error_at(L->d, n->items[i]->loc,
                             "source '%s' is not defined under 'sources'", s);
    }
    return rc;
}

static int
get_engines(struct loader *L, const struct gp_ynode *n, const char *what,
            struct gp_engines *e)
{
    static const char *const keys[] = {"ce", "dec", "enc", "jpeg", "ofa", NULL};
    uint32_t *dst[] = {&e->ce, &e->dec, &e->enc, &e->jpeg, &e->ofa};
    size_t i;
    int rc = 0;

    memset(e, 0, sizeof(*e));
    if (!n)
        return 0;
    if (gp_ymap_expect(n, what, keys, NULL, L->d) < 0)
        return -1;
    for (i = 0; keys[i]; i++) {
        const struct gp_ynode *v = gp_ymap_get(n, keys[i]);
        uint64_t x;

        if (!v)
            continue;
        if (gp_yget_uint(v, keys[i], 0, 64, &x, L->d) < 0)
            rc = -1;
        else
            *dst[i] = (uint32_t)x;
    }
    return rc;
}

/* "3g.40gb+me" -> compute slices 3, attr "+me". */
static int
parse_profile_name(const char *name, uint32_t *g, const char **attr)
{
    static const char *const attrs[] = {"+me.all", "+me", "+gfx", "-me", ""};
    const char *p = name, *q;
    size_t i;
    unsigned v = 0;

    if (*p < '1' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++)
        v = v * 10 + (unsigned)(*p - '0');
    if (p[0] != 'g' || p[1] != '.' || v > 64)
        return -1;
    p += 2;
    q = p;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p == q || strncmp(p, "gb", 2) != 0)
        return -1;
    p += 2;
    for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
        if (strcmp(p, attrs[i]) == 0) {
            *g = v;
            *attr = attrs[i];
            return 0;
        }
    }
    return -1;
}

static int
load_profile(struct loader *L, const struct gp_ynode *n,
             struct gp_mig_spec *mig, struct gp_mig_profile *p)
{
    static const char *const keys[] = {
        "id", "name", "memory_mib", "memory_slices", "compute_slices",
        "sm_count", "engines", "max_count", "placements", "min_driver",
        "confidence", "note", "source", NULL};
    static const char *const req[] = {"id",        "name",       "memory_mib",
                                      "memory_slices", "compute_slices",
                                      "sm_count",  "max_count",  "placements",
                                      NULL};
    const struct gp_ynode *v;
    uint64_t x;
    size_t i, conf;
    int rc = 0;

    if (gp_ymap_expect(n, "MIG profile", keys, req, L->d) < 0)
        return -1;
    p->loc = n->loc;
    p->attr = "";
    if ((v = gp_ymap_get(n, "id")) && gp_yget_uint(v, "id", 0, 255, &x, L->d) == 0)
        p->id = (uint32_t)x;
    else if (v)
        rc = -1;
    if ((v = gp_ymap_get(n, "name"))) {
        if (gp_yget_str(v, "name", &p->name, L->d) < 0) {
            rc = -1;
        } else if (parse_profile_name(p->name, &p->compute_slices, &p->attr) <
                   0) {
            rc = gp_error_at(L->d, v->loc,
                             "invalid MIG profile name '%s' (expected "
                             "<N>g.<M>gb with an optional +me, +me.all, "
                             "+gfx or -me)",
                             p->name);
        }
    }
    if ((v = gp_ymap_get(n, "memory_mib")) &&
        gp_yget_uint(v, "memory_mib", 1, L->m->memory_mib ? L->m->memory_mib : 1u << 30,
                     &p->memory_mib, L->d) < 0)
        rc = -1;
    if ((v = gp_ymap_get(n, "memory_slices"))) {
        if (gp_yget_uint(v, "memory_slices", 1, mig->memory_slices, &x, L->d) < 0)
            rc = -1;
        else
            p->memory_slices = (uint32_t)x;
    }
    if ((v = gp_ymap_get(n, "compute_slices"))) {
        uint32_t g = p->compute_slices;

        if (gp_yget_uint(v, "compute_slices", 1, mig->compute_slices, &x,
                         L->d) < 0)
            rc = -1;
        else if (p->name && g && g != x)
            rc = gp_error_at(L->d, v->loc,
                             "compute_slices %llu disagrees with the "
                             "profile name '%s'",
                             (unsigned long long)x, p->name);
        else
            p->compute_slices = (uint32_t)x;
    }
    if ((v = gp_ymap_get(n, "sm_count"))) {
        if (gp_yget_uint(v, "sm_count", 1, L->m->sm_count, &x, L->d) < 0)
            rc = -1;
        else
            p->sm_count = (uint32_t)x;
    }
    if (get_engines(L, gp_ymap_get(n, "engines"), "engines", &p->engines) < 0)
        rc = -1;
    if ((v = gp_ymap_get(n, "max_count"))) {
        if (gp_yget_uint(v, "max_count", 1, GP_MIG_MAX_SLICES, &x, L->d) < 0)
            rc = -1;
        else
            p->max_count = (uint32_t)x;
    }
    if ((v = gp_ymap_get(n, "placements"))) {
        if (gp_yseq_expect(v, "placements", L->d) < 0 || v->kind != GP_YSEQ ||
            v->n_items == 0 || v->n_items > GP_MIG_MAX_SLICES) {
            rc = gp_error_at(L->d, v->loc,
                             "'placements' must list 1 to %d start slices",
                             GP_MIG_MAX_SLICES);
        } else {
            for (i = 0; i < v->n_items; i++) {
                const struct gp_ynode *it = v->items[i];

                if (gp_yget_uint(it, "placements", 0, GP_MIG_MAX_SLICES - 1,
                                 &x, L->d) < 0) {
                    rc = -1;
                    continue;
                }
                if (p->memory_slices &&
                    x + p->memory_slices > mig->memory_slices) {
                    rc = gp_error_at(L->d, it->loc,
                                     "placement %llu+%u runs past the %u "
                                     "memory slices of the GPU",
                                     (unsigned long long)x, p->memory_slices,
                                     mig->memory_slices);
                    continue;
                }
                if (p->n_starts && x <= p->starts[p->n_starts - 1]) {
                    rc = gp_error_at(L->d, it->loc,
                                     "placements must be listed in "
                                     "ascending order without repeats");
                    continue;
                }
                p->starts[p->n_starts++] = (uint32_t)x;
            }
        }
    }
    if ((v = gp_ymap_get(n, "min_driver")) &&
        gp_yget_str(v, "min_driver", &p->min_driver, L->d) < 0)
        rc = -1;
    if ((v = gp_ymap_get(n, "note")) && gp_yget_str(v, "note", &p->note, L->d) < 0)
        rc = -1;
    if ((v = gp_ymap_get(n, "confidence"))) {
        if (gp_yget_enum(v, "confidence", conf_names, &conf, L->d) < 0)
            rc = -1;
        else
            p->confidence = (enum gp_confidence)conf;
    }
    if (check_source_refs(L, gp_ymap_get(n, "source")) < 0)
        rc = -1;
    return rc;
}

static int
load_mig(struct loader *L, const struct gp_ynode *n)
{
    static const char *const keys[] = {
        "memory_slices", "compute_slices", "max_instances", "sm_count",
        "engine_budget", "driver_observed", "placements_confidence", "source",
        "note", "profiles", NULL};
    static const char *const req[] = {"memory_slices", "compute_slices",
                                      "max_instances", "profiles", NULL};
    struct gp_mig_spec *mig = gp_arena_alloc(L->a, sizeof(*mig));
    struct gp_mig_profile *profs;
    const struct gp_ynode *v, *list;
    uint64_t x;
    size_t i, j, conf;
    int rc = 0;

    if (gp_ymap_expect(n, "mig section", keys, req, L->d) < 0)
        return -1;
    if ((v = gp_ymap_get(n, "memory_slices"))) {
        if (gp_yget_uint(v, "memory_slices", 1, GP_MIG_MAX_SLICES, &x, L->d) < 0)
            return -1;
        mig->memory_slices = (uint32_t)x;
    }
    if ((v = gp_ymap_get(n, "compute_slices"))) {
        if (gp_yget_uint(v, "compute_slices", 1, GP_MIG_MAX_SLICES, &x, L->d) <
            0)
            return -1;
        mig->compute_slices = (uint32_t)x;
    }
    if ((v = gp_ymap_get(n, "max_instances"))) {
        if (gp_yget_uint(v, "max_instances", 1, GP_MIG_MAX_SLICES, &x, L->d) <
            0)
            rc = -1;
        else
            mig->max_instances = (uint32_t)x;
    }
    mig->sm_count = L->m->sm_count;
    if ((v = gp_ymap_get(n, "sm_count"))) {
        if (gp_yget_uint(v, "sm_count", 1, L->m->sm_count, &x, L->d) < 0)
            rc = -1;
        else
            mig->sm_count = (uint32_t)x;
    }
    if (get_engines(L, gp_ymap_get(n, "engine_budget"), "engine_budget",
                    &mig->budget) < 0)
        rc = -1;
    if ((v = gp_ymap_get(n, "driver_observed")) &&
        gp_yget_str(v, "driver_observed", &mig->driver_observed, L->d) < 0)
        rc = -1;
    if ((v = gp_ymap_get(n, "placements_confidence"))) {
        if (gp_yget_enum(v, "placements_confidence", conf_names, &conf, L->d) <
            0)
            rc = -1;
        else
            mig->placements_confidence = (enum gp_confidence)conf;
    }
    if ((v = gp_ymap_get(n, "note")) && gp_yget_str(v, "note", &(const char *){0}, L->d) < 0)
        rc = -1;
    if (check_source_refs(L, gp_ymap_get(n, "source")) < 0)
        rc = -1;
    list = gp_ymap_get(n, "profiles");
    if (!list || list->kind != GP_YSEQ || list->n_items == 0 ||
        list->n_items > GP_MIG_MAX_PROFILES) {
        return gp_error_at(L->d, list ? list->loc : n->loc,
                           "'profiles' must list 1 to %d MIG profiles",
                           GP_MIG_MAX_PROFILES);
    }
    profs = gp_arena_calloc(L->a, list->n_items, sizeof(*profs));
    for (i = 0; i < list->n_items; i++) {
        if (load_profile(L, list->items[i], mig, &profs[i]) < 0) {
            rc = -1;
            continue;
        }
        for (j = 0; j < i; j++) {
            /* A profile without a name (already reported) matches none. */
            if (!profs[i].name || !profs[j].name)
                continue;
            if (strcmp(profs[j].name, profs[i].name) == 0)
                rc = gp_error_at(L->d, profs[i].loc,
                                 "profile '%s' is listed twice (first at "
                                 "line %u)",
                                 profs[i].name, profs[j].loc.line);
            else if (profs[j].id == profs[i].id)
                rc = gp_error_at(L->d, profs[i].loc,
                                 "profile id %u is used twice ('%s' at line "
                                 "%u)",
                                 profs[i].id, profs[j].name, profs[j].loc.line);
        }
    }
    mig->profiles = profs;
    mig->n_profiles = list->n_items;
    if (!gp_ymap_get(n, "engine_budget")) {
        /* Without a stated budget, the whole-GPU profile's engines are the
         * budget: no instance set can use more than the full GPU has. */
        for (i = 0; i < mig->n_profiles; i++) {
            const struct gp_engines *e = &profs[i].engines;

            if (e->dec > mig->budget.dec)
                mig->budget.dec = e->dec;
            if (e->enc > mig->budget.enc)
                mig->budget.enc = e->enc;
            if (e->jpeg > mig->budget.jpeg)
                mig->budget.jpeg = e->jpeg;
            if (e->ofa > mig->budget.ofa)
                mig->budget.ofa = e->ofa;
        }
    } else {
        for (i = 0; i < mig->n_profiles; i++) {
            const struct gp_engines *e = &profs[i].engines;

            if (e->dec > mig->budget.dec || e->enc > mig->budget.enc ||
                e->jpeg > mig->budget.jpeg || e->ofa > mig->budget.ofa)
                rc = gp_error_at(L->d, profs[i].loc,
                                 "profile '%s' has more media engines than "
                                 "the engine_budget of the whole GPU",
                                 profs[i].name ? profs[i].name : "?");
        }
    }
    L->m->mig = mig;
    return rc;
}

static int
model_parse(struct gp_gpu_model **out, struct gp_arena *a, const char *file,
            const char *text, size_t len, struct gp_diags *d)
{
    size_t errors_before = gp_diags_errors(d);
    static const char *const keys[] = {
        "id", "display_name", "architecture", "compute_capability",
        "memory_mib", "sm_count", "memory_bandwidth_gbps", "source", "names",
        "sources", "mig", "note", NULL};
    static const char *const req[] = {"id", "memory_mib", "sm_count",
                                      "memory_bandwidth_gbps", "names",
                                      "sources", NULL};
    static const char *const name_keys[] = {"nvidia_smi", "gfd_product",
                                            "pci_device_ids", "aliases", NULL};
    static const char *const archs[] = {"kepler", "maxwell", "pascal", "volta",
                                        "turing", "ampere",  "ada",    "hopper",
                                        "blackwell", NULL};
    struct gp_ystream *s;
    const struct gp_ynode *root, *v;
    struct gp_gpu_model *m;
    struct loader L;
    const char *why;
    uint64_t x;
    size_t i, arch;
    int rc = 0;

    if (gp_yaml_parse(&s, a, file, text, len, NULL, d) < 0)
        return -1;
    if (s->n_docs != 1 || !s->docs[0])
        return gp_error_at(d, (struct gp_loc){file, 0, 0, 0},
                           "a model file must hold exactly one YAML document");
    root = s->docs[0];
    m = gp_arena_alloc(a, sizeof(*m));
    m->file = file;
    m->loc = root->loc;
    L.a = a;
    L.d = d;
    L.m = m;
    if (gp_ymap_expect(root, "GPU model", keys, req, d) < 0)
        return -1;
    if ((v = gp_ymap_get(root, "id"))) {
        if (gp_yget_str(v, "id", &m->id, d) < 0) {
            rc = -1;
        } else {
            for (i = 0; m->id[i]; i++) {
                char c = m->id[i];

                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                      c == '.'))
                    break;
            }
            if (m->id[i] || i == 0 || i > 63)
                rc = gp_error_at(d, v->loc,
                                 "model id '%s' must be 1 to 63 of "
                                 "[A-Za-z0-9._-]",
                                 m->id);
        }
    }
    m->display_name = m->id;
    if ((v = gp_ymap_get(root, "display_name")) &&
        gp_yget_str(v, "display_name", &m->display_name, d) < 0)
        rc = -1;
    if ((v = gp_ymap_get(root, "architecture"))) {
        if (gp_yget_enum(v, "architecture", archs, &arch, d) < 0)
            rc = -1;
        else
            m->architecture = archs[arch];
    }
    if ((v = gp_ymap_get(root, "compute_capability"))) {
        double cc;

        if (gp_yget_str(v, "compute_capability", &m->compute_capability, d) <
            0)
            rc = -1;
        else if (gp_parse_double(m->compute_capability, &cc, &why) < 0)
            rc = gp_error_at(d, v->loc,
                             "compute_capability must look like \"8.0\", got "
                             "'%s'",
                             m->compute_capability);
    }
    if ((v = gp_ymap_get(root, "memory_mib")) &&
        gp_yget_uint(v, "memory_mib", 1024, 16u * 1024 * 1024, &m->memory_mib,
                     d) < 0)
        rc = -1;
    if ((v = gp_ymap_get(root, "sm_count"))) {
        if (gp_yget_uint(v, "sm_count", 1, 4096, &x, d) < 0)
            rc = -1;
        else
            m->sm_count = (uint32_t)x;
    }
    if ((v = gp_ymap_get(root, "memory_bandwidth_gbps")) &&
        gp_yget_double(v, "memory_bandwidth_gbps", 1, 100000,
                       &m->memory_bandwidth_gbps, d) < 0)
        rc = -1;
    if ((v = gp_ymap_get(root, "sources"))) {
        if (v->kind != GP_YMAP || v->n_pairs == 0) {
            rc = gp_error_at(d, v->loc,
                             "'sources' must map source ids to citations");
        } else {
            struct gp_source_ref *src =
                gp_arena_calloc(a, v->n_pairs, sizeof(*src));

            for (i = 0; i < v->n_pairs; i++) {
                src[i].id = v->pairs[i].key->str;
                if (gp_yget_str(v->pairs[i].value, src[i].id, &src[i].cite,
                                d) < 0)
                    rc = -1;
            }
            m->sources = src;
            m->n_sources = v->n_pairs;
        }
    }
    if (check_source_refs(&L, gp_ymap_get(root, "source")) < 0)
        rc = -1;
    if ((v = gp_ymap_get(root, "names")) &&
        gp_ymap_expect(v, "names", name_keys, NULL, d) == 0) {
        if (get_strlist(&L, gp_ymap_get(v, "nvidia_smi"), "nvidia_smi",
                        &m->nvidia_smi) < 0 ||
            get_strlist(&L, gp_ymap_get(v, "gfd_product"), "gfd_product",
                        &m->gfd_product) < 0 ||
            get_strlist(&L, gp_ymap_get(v, "pci_device_ids"),
                        "pci_device_ids", &m->pci_ids) < 0 ||
            get_strlist(&L, gp_ymap_get(v, "aliases"), "aliases",
                        &m->aliases) < 0)
            rc = -1;
    } else if (v) {
        rc = -1;
    }
    if ((v = gp_ymap_get(root, "note")) &&
        gp_yget_str(v, "note", &(const char *){0}, d) < 0)
        rc = -1;
    if ((v = gp_ymap_get(root, "mig")) && !gp_ynode_is_null(v) &&
        load_mig(&L, v) < 0)
        rc = -1;
    if (rc < 0 || gp_diags_errors(d) > errors_before)
        return -1;
    *out = m;
    return 0;
}

int
gp_model_parse(const struct gp_gpu_model **out, struct gp_arena *a,
               const char *file, const char *text, size_t len,
               struct gp_diags *d)
{
    struct gp_gpu_model *m;

    if (model_parse(&m, a, file, text, len, d) < 0)
        return -1;
    *out = m;
    return 0;
}

/* Names compare case-insensitively with ' ' and '_' read as '-', so the
 * nvidia-smi name "NVIDIA A100-SXM4-40GB" and the GFD label
 * "NVIDIA-A100-SXM4-40GB" are the same name. */
static void
normalise(char *dst, size_t cap, const char *src)
{
    size_t i;

    for (i = 0; src[i] && i + 1 < cap; i++) {
        char c = src[i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c == ' ' || c == '_')
            c = '-';
        dst[i] = c;
    }
    dst[i] = '\0';
}

static bool
name_eq(const char *a, const char *b)
{
    char x[256], y[256];

    normalise(x, sizeof(x), a);
    normalise(y, sizeof(y), b);
    return strcmp(x, y) == 0;
}

/* PCI ids match as "0x20B010DE", "0x20b0", "20b0" or "10de:20b0". */
static bool
pci_eq(const char *catalogued, const char *asked)
{
    char c[16], q[16];
    size_t n;

    normalise(c, sizeof(c), catalogued);
    normalise(q, sizeof(q), asked);
    if (strncmp(q, "10de:", 5) == 0) {
        memmove(q + 2, q + 5, strlen(q + 5) + 1);
        q[0] = '0';
        q[1] = 'x';
    } else if (strncmp(q, "0x", 2) != 0) {
        if (strlen(q) + 3 > sizeof(q))
            return false;
        memmove(q + 2, q, strlen(q) + 1);
        q[0] = '0';
        q[1] = 'x';
    }
    n = strlen(q);
    if (n == 6)
        return strncmp(c, q, 6) == 0 && strlen(c) == 10 &&
               strcmp(c + 6, "10de") == 0;
    return strcmp(c, q) == 0;
}

static bool
model_has_name(const struct gp_gpu_model *m, const char *name)
{
    const struct gp_strlist *lists[] = {&m->nvidia_smi, &m->gfd_product,
                                        &m->aliases};
    size_t i, j;

    if (name_eq(m->id, name) || name_eq(m->display_name, name))
        return true;
    for (i = 0; i < 3; i++) {
        for (j = 0; j < lists[i]->n; j++) {
            if (name_eq(lists[i]->v[j], name))
                return true;
        }
    }
    for (j = 0; j < m->pci_ids.n; j++) {
        if (pci_eq(m->pci_ids.v[j], name))
            return true;
    }
    return false;
}

const struct gp_gpu_model *
gp_catalog_find(const struct gp_catalog *c, const char *name)
{
    char buf[256];
    char *cut;
    size_t i, n;

    if (!name || !*name || strlen(name) >= sizeof(buf))
        return NULL;
    for (i = 0; i < c->n; i++) {
        if (model_has_name(c->v[i], name))
            return c->v[i];
    }
    /* GPU feature discovery decorates the product label: "-SHARED" when
     * the GPU is shared, "-MIG-<profile>" under the single MIG strategy. */
    normalise(buf, sizeof(buf), name);
    n = strlen(buf);
    if (n > 7 && strcmp(buf + n - 7, "-shared") == 0)
        buf[n - 7] = '\0';
    cut = strstr(buf, "-mig-");
    if (cut)
        *cut = '\0';
    if (strcmp(buf, name) == 0)
        return NULL;
    for (i = 0; i < c->n; i++) {
        if (model_has_name(c->v[i], buf))
            return c->v[i];
    }
    return NULL;
}

const char *
gp_catalog_suggest(const struct gp_catalog *c, const char *name)
{
    const char **cands;
    const char *best;
    size_t n = 0, i, j;

    for (i = 0; i < c->n; i++)
        n += 1 + c->v[i]->aliases.n + c->v[i]->gfd_product.n;
    cands = calloc(n ? n : 1, sizeof(*cands));
    if (!cands)
        return NULL;
    n = 0;
    for (i = 0; i < c->n; i++) {
        cands[n++] = c->v[i]->id;
        for (j = 0; j < c->v[i]->gfd_product.n; j++)
            cands[n++] = c->v[i]->gfd_product.v[j];
        for (j = 0; j < c->v[i]->aliases.n; j++)
            cands[n++] = c->v[i]->aliases.v[j];
    }
    best = gp_did_you_mean(name, cands, n);
    free(cands);
    return best;
}

const struct gp_mig_profile *
gp_mig_find_profile(const struct gp_mig_spec *m, const char *name)
{
    char buf[64];
    size_t i, n;

    if (!m || !name)
        return NULL;
    if (strncmp(name, "MIG ", 4) == 0)
        name += 4;
    else if (strncmp(name, "mig-", 4) == 0)
        name += 4;
    for (i = 0; i < m->n_profiles; i++) {
        if (gp_str_casecmp(m->profiles[i].name, name) == 0)
            return &m->profiles[i];
    }
    /* Kubernetes resource names spell '+' as '.': "1g.10gb.me". */
    n = strlen(name);
    if (n >= sizeof(buf))
        return NULL;
    for (i = 0; i < m->n_profiles; i++) {
        const char *p = m->profiles[i].name;
        size_t k;

        if (strlen(p) != n)
            continue;
        for (k = 0; k < n; k++) {
            char a = p[k] == '+' ? '.' : p[k];

            if (a != name[k] && !(a >= 'a' && a <= 'z' && a - 32 == name[k]))
                break;
        }
        if (k == n)
            return &m->profiles[i];
    }
    return NULL;
}

const struct gp_mig_profile *
gp_mig_suggest_profile(const struct gp_mig_spec *m, const char *name)
{
    const struct gp_mig_profile *best = NULL;
    const char *attr;
    uint32_t g;
    size_t i;

    if (!m)
        return NULL;
    if (strncmp(name, "MIG ", 4) == 0)
        name += 4;
    if (parse_profile_name(name, &g, &attr) == 0) {
        /* Same compute size and suffix; among several (1g.10gb and 1g.20gb)
         * the smaller memory, which is the base profile. */
        for (i = 0; i < m->n_profiles; i++) {
            const struct gp_mig_profile *p = &m->profiles[i];

            if (p->compute_slices == g && strcmp(p->attr, attr) == 0 &&
                (!best || p->memory_slices < best->memory_slices))
                best = p;
        }
        if (best)
            return best;
    }
    {
        const char *cands[GP_MIG_MAX_PROFILES];
        const char *s;

        for (i = 0; i < m->n_profiles; i++)
            cands[i] = m->profiles[i].name;
        s = gp_did_you_mean(name, cands, m->n_profiles);
        return s ? gp_mig_find_profile(m, s) : NULL;
    }
}

static int
cmp_model(const void *a, const void *b)
{
    const struct gp_gpu_model *const *x = a, *const *y = b;

    return gp_str_casecmp((*x)->id, (*y)->id);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Two models answering to one name would make resolution depend on load
 * order; refuse it. */
int
gp_catalog_check_names(const struct gp_catalog *c, struct gp_diags *d)
{
    size_t i, j, k;
    int rc = 0;

    for (i = 0; i < c->n; i++) {
        const struct gp_gpu_model *m = c->v[i];
        const struct gp_strlist *lists[] = {&m->nvidia_smi, &m->gfd_product,
                                            &m->aliases};

        for (j = 0; j < c->n; j++) {
            if (i == j)
                continue;
            if (j > i && name_eq(m->id, c->v[j]->id))
                rc = gp_error_at(d, c->v[j]->loc,
                                 "model id '%s' is also defined in %s",
                                 c->v[j]->id, m->file);
            for (k = 0; k < 3; k++) {
                size_t l;

                for (l = 0; l < lists[k]->n; l++) {
                    if (model_has_name(c->v[j], lists[k]->v[l]) &&
                        !name_eq(m->id, c->v[j]->id) && i < j)
                        rc = gp_error_at(d, m->loc,
                                         "name '%s' of model '%s' also "
                                         "names model '%s' (%s)",
                                         lists[k]->v[l], m->id, c->v[j]->id,
                                         c->v[j]->file);
                }
            }
        }
    }
    return rc;
}

static int
add_model(struct gp_catalog *c, size_t *cap, struct gp_arena *a,
          const struct gp_gpu_model *m)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        if (c->v[i]->builtin && !m->builtin && name_eq(c->v[i]->id, m->id)) {
            c->v[i] = m;
            return 0;
        }
    }
    if (c->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;

        c->v = gp_arena_grow(a, c->v, c->n, ncap, sizeof(*c->v));
        *cap = ncap;
    }
    c->v[c->n++] = m;
    return 0;
}

int
gp_catalog_load(struct gp_catalog **out, struct gp_arena *a,
                const char *user_dir, struct gp_diags *d)
{
    struct gp_catalog *c = gp_arena_alloc(a, sizeof(*c));
    size_t cap = 0, i;
    int rc = 0;

    for (i = 0; i < gp_builtin_models_n; i++) {
        const struct gp_builtin_file *f = &gp_builtin_models[i];
        struct gp_gpu_model *m;
        char *text = gp_arena_strndup(a, (const char *)f->data, f->len);

        gp_diags_add_source(d, f->name, text, f->len);
        if (model_parse(&m, a, f->name, text, f->len, d) < 0) {
            rc = -1;
            continue;
        }
        m->builtin = true;
        add_model(c, &cap, a, m);
    }
    if (user_dir) {
        DIR *dir = opendir(user_dir);
        const char **names = NULL;
        size_t n = 0, ncap = 0;
        struct dirent *e;

        if (!dir)
            return gp_error_at(d, (struct gp_loc){user_dir, 0, 0, 0},
                               "cannot open models directory");
        while ((e = readdir(dir)) != NULL) {
            if (e->d_name[0] == '.' ||
                !(gp_str_has_suffix(e->d_name, ".yaml") ||
                  gp_str_has_suffix(e->d_name, ".yml")))
                continue;
            if (n == ncap) {
                ncap = ncap ? ncap * 2 : 16;
                names = gp_arena_grow(a, names, n, ncap, sizeof(*names));
            }
            names[n++] = gp_arena_printf(a, "%s/%s", user_dir, e->d_name);
        }
        closedir(dir);
        /* readdir order is the file system's; sort for determinism. */
        if (n)
            qsort(names, n, sizeof(*names), cmp_str);
        for (i = 0; i < n; i++) {
            const struct gp_gpu_model *m;
            const char *text;
            size_t len;

            if (gp_file_read(&text, &len, a, names[i], 1024 * 1024, d) < 0 ||
                gp_model_parse(&m, a, names[i], text, len, d) < 0) {
                rc = -1;
                continue;
            }
            add_model(c, &cap, a, m);
        }
    }
    if (rc < 0)
        return -1;
    if (c->n)
        qsort(c->v, c->n, sizeof(*c->v), cmp_model);
    /* The built-in catalogue is checked by a unit test; only files a user
     * adds can introduce a clash, and the check is a third of start-up. */
    if (user_dir && gp_catalog_check_names(c, d) < 0)
        return -1;
    *out = c;
    return 0;
}
