/* SPDX-License-Identifier: MIT */
/* import/util.c: the string map and small helpers the importers share. */
#include "import/internal.h"

#include <string.h>

#include "base/arena.h"
#include "base/str.h"
#include "base/xalloc.h"

static uint64_t
fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

void
gp_imp_map_init(struct gp_imp_map *m, struct gp_arena *a)
{
    memset(m, 0, sizeof(*m));
    m->a = a;
}

void
gp_imp_map_release(struct gp_imp_map *m)
{
    free(m->s);
    m->s = NULL;
    m->cap = m->n = 0;
}

static struct gp_imp_slot *
probe(const struct gp_imp_map *m, uint64_t h, const char *key, size_t len)
{
    size_t i = (size_t)h & (m->cap - 1);

    for (;;) {
        struct gp_imp_slot *s = &m->s[i];

        if (!s->key ||
            (s->hash == h && s->klen == len && memcmp(s->key, key, len) == 0))
            return s;
        i = (i + 1) & (m->cap - 1);
    }
}

static void
grow(struct gp_imp_map *m)
{
    struct gp_imp_slot *old = m->s;
    size_t old_cap = m->cap, i;

    m->cap = old_cap ? old_cap * 2 : 64;
    m->s = gp_xcalloc(m->cap, sizeof(*m->s));
    for (i = 0; i < old_cap; i++) {
        if (old[i].key)
            *probe(m, old[i].hash, old[i].key, old[i].klen) = old[i];
    }
    free(old);
}

uint32_t *
gp_imp_map_find(const struct gp_imp_map *m, const char *key, size_t len)
{
    struct gp_imp_slot *s;

    if (!m->cap)
        return NULL;
    s = probe(m, fnv1a(key, len), key, len);
    return s->key ? &s->val : NULL;
}

uint32_t *
gp_imp_map_put(struct gp_imp_map *m, const char *key, size_t len,
               uint32_t init, bool *created)
{
    uint64_t h = fnv1a(key, len);
    struct gp_imp_slot *s;

    if ((m->n + 1) * 4 > m->cap * 3)
        grow(m);
    s = probe(m, h, key, len);
    if (s->key) {
        if (created)
            *created = false;
        return &s->val;
    }
    s->hash = h;
    s->key = gp_arena_strndup(m->a, key, len);
    s->klen = (uint32_t)len;
    s->val = init;
    m->n++;
    if (created)
        *created = true;
    return &s->val;
}

size_t
gp_imp_key2(char *buf, const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);

    if (na > 255)
        na = 255;
    if (nb > 255)
        nb = 255;
    memcpy(buf, a, na);
    buf[na] = '\x1f';
    memcpy(buf + na + 1, b, nb);
    buf[na + 1 + nb] = '\0';
    return na + 1 + nb;
}

const char *
gp_imp_basename(const char *path)
{
    const char *s = strrchr(path, '/');

    return s && s[1] ? s + 1 : path;
}

const char *
gp_imp_phase_name(enum gp_imp_phase p)
{
    static const char *const names[] = {"Pending", "Running", "Succeeded",
                                        "Failed", "Unknown"};

    return p < GP_PHASE_N ? names[p] : "Unknown";
}

void
gp_imp_stat_merge(struct gp_dcgm_stat *into, const struct gp_dcgm_stat *from)
{
    if (!from->n)
        return;
    if (!into->n || from->max > into->max)
        into->max = from->max;
    into->sum += from->sum;
    into->n += from->n;
}

double
gp_imp_stat_mean(const struct gp_dcgm_stat *s)
{
    return s->n ? s->sum / (double)s->n : 0;
}

void
gp_imp_quota_init(struct gp_imp_quota *q, struct gp_arena *a,
                  struct gp_diags *d)
{
    q->a = a;
    q->real_d = d;
    q->errors_before = gp_diags_errors(d);
    q->muted = false;
}

void
gp_imp_quota_check(struct gp_imp_quota *q, struct gp_diags **cur)
{
    if (q->muted ||
        gp_diags_errors(q->real_d) - q->errors_before < GP_IMP_MAX_ITEM_ERRORS)
        return;
    q->muted = true;
    *cur = gp_diags_new(q->a);
}

size_t
gp_imp_quota_end(struct gp_imp_quota *q, struct gp_diags **cur,
                 const char *file)
{
    size_t n = q->muted ? gp_diags_errors(*cur) : 0;

    if (n)
        gp_error_at(q->real_d, (struct gp_loc){file, 0, 0, 0},
                    "%zu more errors in this file are not shown", n);
    *cur = q->real_d;
    q->muted = false;
    return n;
}

void
gp_imp_stray(struct gp_imp_strays *s, struct gp_arena *a,
             const struct gp_json_item *it, const char *kind)
{
    if (s->n++ == 0) {
        s->first = gp_arena_strdup(a, kind);
        s->loc = gp_json_item_loc(it, "kind");
        s->index = it->index;
    }
}

const char *
gp_imp_item_head(struct gp_diags *d, struct gp_arena *a,
                 const struct gp_json_item *it, const char *kind,
                 struct gp_imp_strays *strays, const struct gp_json **meta)
{
    const struct gp_json *v = it->value;
    const char *k, *name;

    if (gp_json_type(v) != GP_JSON_OBJECT) {
        gp_error_at(d, it->loc, "item %zu is a %s, not a %s object",
                    it->index + 1, gp_json_type_name(v), kind);
        return NULL;
    }
    k = gp_json_str(gp_json_get(v, "kind"));
    if (k && strcmp(k, kind) != 0) {
        gp_imp_stray(strays, a, it, k);
        return NULL;
    }
    *meta = gp_json_get(v, "metadata");
    name = gp_json_str(gp_json_get(*meta, "name"));
    if (!name || !*name) {
        gp_error_at(d, it->loc, "item %zu has no metadata.name",
                    it->index + 1);
        return NULL;
    }
    return name;
}

bool
gp_imp_looks_like_json(const struct gp_import_src *src)
{
    size_t i = 0;

    while (i < src->len && strchr(" \t\r\n", src->text[i]))
        i++;
    return i >= src->len || src->text[i] == '{' || src->text[i] == '[';
}

void
gp_imp_list_end(struct gp_arena *a, struct gp_diags *d,
                const struct gp_import_src *src, const struct gp_json *top,
                const char *kind, const char *hint, gp_json_item_fn each,
                void *ctx, const struct gp_imp_strays *strays)
{
    const struct gp_loc start = {src->file, 1, 1, 1};

    if (top) {
        const char *k = gp_json_str(gp_json_get(top, "kind"));

        if (gp_json_type(top) != GP_JSON_OBJECT) {
            gp_error_at(d, start,
                        "expected a JSON object (a %s or a List of %ss), "
                        "got a %s",
                        kind, kind, gp_json_type_name(top));
        } else if (gp_json_get(top, "items")) {
            gp_error_at(d, start, "'items' must be an array of %ss", kind);
        } else if (k && strcmp(k, kind) == 0) {
            struct gp_json_item it = {top, 0, start, src->text, src->len};

            each(ctx, &it);
        } else if (k && !gp_str_has_suffix(k, "List")) {
            gp_error_at(d, start, "a '%s', not a list of %ss", k, kind);
            gp_diag_hint(d, "%s", hint);
        }
    }
    if (strays->n) {
        gp_error_at(d, strays->loc, "item %zu is a '%s', not a %s%s",
                    strays->index + 1, strays->first, kind,
                    strays->n > 1
                        ? gp_arena_printf(a, " (nor are %zu more items)",
                                          strays->n - 1)
                        : "");
        gp_diag_hint(d, "%s", hint);
    }
}
