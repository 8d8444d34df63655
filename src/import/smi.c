/* SPDX-License-Identifier: MIT */
/* import/smi.c: a GPU model file from nvidia-smi's own tables, so a GPU
 * the catalogue does not know yet can be planned for the day it arrives.
 *
 *   nvidia-smi mig -lgip    one box per GPU instance profile, two rows
 *     (shown here without their leading white space):
 *       |   0  MIG 1g.10gb     19     7/7     9.75     No     16     1     0 |
 *       |                                                      1     1     0 |
 *     GPU, name, profile ID, instances free/total, memory (GiB), P2P, SMs,
 *     decoders, encoders; then copy engines, JPEG and OFA engines;
 *   nvidia-smi mig -lgipp   one line per profile:
 *       GPU  0 Profile ID 19 Placements: {0,1,2,3,4,5,6}:1
 *       GPU  0 Profile ID  0 Placement : {0}:8
 *     the allowed start slices and the size in memory slices;
 *   nvidia-smi -q           the product name, architecture, PCI device id,
 *     total memory and driver.
 *
 * -lgip prints memory as MiB/1024 with two decimals; the MiB are recovered
 * as GiB x 1024 snapped to the nearest 64 MiB, which gives back every value
 * NVML reports for the catalogued GPUs. The grid (memory slices), compute
 * slices and instance cap of the GPU are the largest of its profiles'; the
 * engine budget is the most of each engine any one profile has (the whole-
 * GPU profile's). Neither output prints the SM count of the whole GPU nor
 * its memory bandwidth: they come from options or are written as marked
 * placeholders. Columns are read as white-space separated fields, not by
 * position: a three-digit SM count shifts the columns. */
#include "import/internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/str.h"
#include "base/strbuf.h"
#include "base/units.h"
#include "model/gpu.h"
#include "yaml/yemit.h"

#define MAX_FIELDS 16

struct field {
    const char *p;
    size_t n;
};

struct text {
    const struct gp_import_src *src;
    const char *p, *end;
    uint32_t line;
    const char *line_start, *line_end;
    struct gp_diags *d;
    size_t errors;
};

struct sprof {
    uint32_t gpu;
    uint32_t id;
    char name[40];
    uint64_t mem_mib;
    char mem_text[16];
    uint32_t total, sm, dec, enc, ce, jpeg, ofa;
    bool second_row;
    uint32_t starts[GP_MIG_MAX_SLICES];
    uint32_t n_starts, size;
    bool placed;
    struct gp_loc loc;
};

struct smi {
    struct gp_arena *a;
    struct gp_diags *d;
    struct sprof *v;
    size_t n, cap;
    uint32_t first_gpu;
    bool other_gpus_differ;
    /* nvidia-smi -q */
    const char *product, *arch, *pci, *driver, *mig_mode;
    uint64_t fb_total_mib;
    uint32_t gpus_in_q;
};

static void text_error(struct text *t, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
text_error(struct text *t, const char *at, const char *fmt, ...)
{
    struct gp_loc loc;
    const char *s;
    char msg[256];
    va_list ap;

    t->errors++;
    loc.file = t->src->file;
    loc.line = t->line;
    loc.col = 1;
    loc.len = 1;
    for (s = t->line_start; s < at && s < t->line_end; s++)
        loc.col += ((unsigned char)*s & 0xC0) != 0x80;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    gp_error_at(t->d, loc, "%s", msg);
}

static void
text_init(struct text *t, const struct gp_import_src *src, struct gp_diags *d)
{
    memset(t, 0, sizeof(*t));
    t->src = src;
    t->p = src->text;
    t->end = src->text + src->len;
    t->d = d;
}

/* Moves to the next line; false at the end of the text. */
static bool
next_line(struct text *t)
{
    const char *nl;

    if (t->p >= t->end)
        return false;
    nl = memchr(t->p, '\n', (size_t)(t->end - t->p));
    t->line++;
    t->line_start = t->p;
    t->line_end = nl ? nl : t->end;
    if (t->line_end > t->line_start && t->line_end[-1] == '\r')
        t->line_end--;
    t->p = nl ? nl + 1 : t->end;
    return true;
}

static size_t
split(const char *p, const char *end, struct field *f, size_t max)
{
    size_t n = 0;

    while (p < end && n < max) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '|'))
            p++;
        if (p >= end)
            break;
        f[n].p = p;
        while (p < end && *p != ' ' && *p != '\t' && *p != '|')
            p++;
        f[n].n = (size_t)(p - f[n].p);
        n++;
    }
    return n;
}

static bool
field_is(const struct field *f, const char *s)
{
    return f->n == strlen(s) && memcmp(f->p, s, f->n) == 0;
}

static int
field_uint(const struct field *f, uint32_t max, uint32_t *out)
{
    char buf[24];
    const char *why;
    uint64_t x;

    if (f->n == 0 || f->n >= sizeof(buf))
        return -1;
    memcpy(buf, f->p, f->n);
    buf[f->n] = '\0';
    if (gp_parse_uint(buf, max, &x, &why) < 0)
        return -1;
    *out = (uint32_t)x;
    return 0;
}

static bool
all_digits_field(const struct field *f)
{
    size_t i;

    for (i = 0; i < f->n; i++) {
        if (f->p[i] < '0' || f->p[i] > '9')
            return false;
    }
    return f->n > 0;
}

/* '<N>g.<M>gb' with an optional +me, +me.all, +gfx or -me, as the model
 * loader accepts. */
static bool
profile_name_ok(const char *s)
{
    static const char *const attrs[] = {"", "+me", "+me.all", "+gfx", "-me"};
    const char *p = s;
    size_t i;

    if (*p < '1' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p[0] != 'g' || p[1] != '.')
        return false;
    p += 2;
    if (*p < '0' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    if (strncmp(p, "gb", 2) != 0)
        return false;
    p += 2;
    for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
        if (strcmp(p, attrs[i]) == 0)
            return true;
    }
    return false;
}

/* "9.62" GiB -> MiB, snapped to 64 MiB (see the top of the file). */
static int
gib_to_mib(const struct field *f, uint64_t *out)
{
    char buf[24];
    const char *why;
    double g;

    if (f->n == 0 || f->n >= sizeof(buf))
        return -1;
    memcpy(buf, f->p, f->n);
    buf[f->n] = '\0';
    if (gp_parse_double(buf, &g, &why) < 0 || g <= 0 || g > 65536)
        return -1;
    *out = (uint64_t)llround(g * 1024.0 / 64.0) * 64;
    return *out ? 0 : -1;
}

static bool
contains(const char *p, const char *end, const char *word)
{
    size_t n = strlen(word);

    for (; p + n <= end; p++) {
        if (memcmp(p, word, n) == 0)
            return true;
    }
    return false;
}

/* The compute slices of a checked profile name: its leading number. */
static uint32_t
name_g(const char *name)
{
    uint32_t g = 0;

    for (; *name >= '0' && *name <= '9' && g < 1000; name++)
        g = g * 10 + (uint32_t)(*name - '0');
    return g;
}

static struct sprof *
find_prof(struct smi *S, uint32_t gpu, uint32_t id)
{
    size_t i;

    for (i = 0; i < S->n; i++) {
        if (S->v[i].gpu == gpu && S->v[i].id == id)
            return &S->v[i];
    }
    return NULL;
}

/* ---- nvidia-smi mig -lgip ----------------------------------------------- */

static void
parse_lgip(struct smi *S, const struct gp_import_src *src)
{
    struct text t;
    struct sprof *last = NULL;
    bool table = false;

    text_init(&t, src, S->d);
    while (next_line(&t)) {
        struct field f[MAX_FIELDS];
        size_t n = split(t.line_start, t.line_end, f, MAX_FIELDS), k = 0;
        struct sprof pr;
        uint32_t gpu;

        if (n == 0 || t.line_start[strspn(t.line_start, " \t")] == '+')
            continue;
        if (strstr(t.line_start, "GPU instance profiles") &&
            strstr(t.line_start, "GPU instance profiles") < t.line_end) {
            table = true;
            continue;
        }
        if (f[0].p[0] == '=' || field_is(&f[0], "GPU") ||
            field_is(&f[0], "Free/Total") || field_is(&f[0], "(MIG)"))
            continue;
        if (!table) {
            if (contains(t.line_start, t.line_end, "No MIG"))
                text_error(&t, t.line_start,
                           "nvidia-smi found no MIG-capable GPU ('%.*s')",
                           (int)(t.line_end - t.line_start), t.line_start);
            else
                text_error(&t, f[0].p,
                           "expected the 'GPU instance profiles:' table of "
                           "'nvidia-smi mig -lgip'");
            return;
        }
        if (n == 3 && last && !last->second_row) {
            /* The second row of a profile: CE, JPEG, OFA. */
            if (field_uint(&f[0], 1024, &last->ce) < 0 ||
                field_uint(&f[1], 1024, &last->jpeg) < 0 ||
                field_uint(&f[2], 1024, &last->ofa) < 0) {
                text_error(&t, f[0].p, "expected the CE, JPEG and OFA "
                                       "counts of profile '%s'",
                           last->name);
                continue;
            }
            last->second_row = true;
            continue;
        }
        if (last && !last->second_row) {
            text_error(&t, f[0].p, "profile '%s' lacks its second row (CE, "
                                   "JPEG, OFA); is the table cut?",
                       last->name);
            last->second_row = true;
        }
        memset(&pr, 0, sizeof(pr));
        if (!all_digits_field(&f[0]) || field_uint(&f[0], 1024, &gpu) < 0) {
            text_error(&t, f[0].p, "expected a GPU index at the start of a "
                                   "profile row, found '%.*s'",
                       (int)f[0].n, f[0].p);
            continue;
        }
        k = 1;
        if (k < n && field_is(&f[k], "MIG"))
            k++;
        if (n - k != 8) {
            text_error(&t, f[k < n ? k : 0].p,
                       "a profile row has a name, ID, instances, memory, "
                       "P2P, SM, DEC and ENC; found %zu fields",
                       n - k);
            continue;
        }
        pr.gpu = gpu;
        pr.loc = (struct gp_loc){src->file, t.line, 1, 1};
        if (f[k].n >= sizeof(pr.name)) {
            text_error(&t, f[k].p, "profile name is too long");
            continue;
        }
        memcpy(pr.name, f[k].p, f[k].n);
        pr.name[f[k].n] = '\0';
        if (!profile_name_ok(pr.name)) {
            text_error(&t, f[k].p, "'%s' is not a MIG profile name "
                                   "(<N>g.<M>gb, with +me, +me.all, +gfx or "
                                   "-me)",
                       pr.name);
            continue;
        }
        if (field_uint(&f[k + 1], 255, &pr.id) < 0) {
            text_error(&t, f[k + 1].p, "expected the profile ID, found "
                                       "'%.*s'",
                       (int)f[k + 1].n, f[k + 1].p);
            continue;
        }
        {
            const char *slash = memchr(f[k + 2].p, '/', f[k + 2].n);
            struct field tot;

            tot.p = slash ? slash + 1 : NULL;
            tot.n = slash ? (size_t)(f[k + 2].p + f[k + 2].n - tot.p) : 0;
            if (!slash || field_uint(&tot, GP_MIG_MAX_SLICES, &pr.total) < 0 ||
                pr.total == 0) {
                text_error(&t, f[k + 2].p, "expected instances as "
                                           "free/total, found '%.*s'",
                           (int)f[k + 2].n, f[k + 2].p);
                continue;
            }
        }
        if (gib_to_mib(&f[k + 3], &pr.mem_mib) < 0) {
            text_error(&t, f[k + 3].p, "expected memory in GiB, found '%.*s'",
                       (int)f[k + 3].n, f[k + 3].p);
            continue;
        }
        snprintf(pr.mem_text, sizeof(pr.mem_text), "%.*s",
                 (int)(f[k + 3].n < 15 ? f[k + 3].n : 15), f[k + 3].p);
        if (!field_is(&f[k + 4], "No") && !field_is(&f[k + 4], "Yes")) {
            text_error(&t, f[k + 4].p, "expected P2P 'No' or 'Yes', found "
                                       "'%.*s'",
                       (int)f[k + 4].n, f[k + 4].p);
            continue;
        }
        if (field_uint(&f[k + 5], 4096, &pr.sm) < 0 || pr.sm == 0 ||
            field_uint(&f[k + 6], 1024, &pr.dec) < 0 ||
            field_uint(&f[k + 7], 1024, &pr.enc) < 0) {
            text_error(&t, f[k + 5].p, "expected the SM, DEC and ENC counts");
            continue;
        }
        if (find_prof(S, pr.gpu, pr.id)) {
            text_error(&t, f[k + 1].p, "profile ID %u is listed twice for "
                                       "GPU %u",
                       pr.id, pr.gpu);
            continue;
        }
        if (S->n == S->cap) {
            size_t c = S->cap ? S->cap * 2 : 16;

            S->v = gp_arena_grow(S->a, S->v, S->n, c, sizeof(*S->v));
            S->cap = c;
        }
        S->v[S->n] = pr;
        last = &S->v[S->n++];
    }
    if (last && !last->second_row)
        text_error(&t, t.line_end,
                   "the table ends inside profile '%s' (no CE/JPEG/OFA row); "
                   "is the file cut?",
                   last->name);
    if (S->n == 0 && t.errors == 0)
        gp_error_at(S->d, (struct gp_loc){src->file, 0, 0, 0},
                    "no GPU instance profiles; expected the output of "
                    "'nvidia-smi mig -lgip'");
}

/* ---- nvidia-smi mig -lgipp ---------------------------------------------- */

static const char *
expect_word(struct text *t, const char *p, const char *w)
{
    size_t n = strlen(w);

    while (p < t->line_end && (*p == ' ' || *p == '\t'))
        p++;
    if ((size_t)(t->line_end - p) < n || memcmp(p, w, n) != 0)
        return NULL;
    return p + n;
}

static const char *
read_uint(struct text *t, const char *p, uint32_t *out)
{
    uint64_t v = 0;
    const char *s;

    while (p < t->line_end && (*p == ' ' || *p == '\t'))
        p++;
    s = p;
    while (p < t->line_end && *p >= '0' && *p <= '9' && v < 100000)
        v = v * 10 + (uint64_t)(*p++ - '0');
    if (p == s || v >= 100000)
        return NULL;
    *out = (uint32_t)v;
    return p;
}

static void
parse_lgipp(struct smi *S, const struct gp_import_src *src, bool lgip_ok)
{
    struct text t;
    size_t seen = 0;

    text_init(&t, src, S->d);
    while (next_line(&t)) {
        const char *p = t.line_start, *q;
        uint32_t gpu, id, size, starts[GP_MIG_MAX_SLICES], ns = 0;
        struct sprof *pr;

        while (p < t.line_end && (*p == ' ' || *p == '\t'))
            p++;
        if (p >= t.line_end)
            continue;
        if (!(q = expect_word(&t, p, "GPU")) || !(q = read_uint(&t, q, &gpu))) {
            if (contains(p, t.line_end, "No MIG"))
                text_error(&t, p, "nvidia-smi found no MIG-capable GPU "
                                  "('%.*s')",
                           (int)(t.line_end - p), p);
            else
                text_error(&t, p, "expected 'GPU <n> Profile ID <id> "
                                  "Placements: {...}:<size>', the lines of "
                                  "'nvidia-smi mig -lgipp'");
            continue;
        }
        p = q;
        if (!(q = expect_word(&t, p, "Profile")) ||
            !(q = expect_word(&t, q, "ID")) || !(q = read_uint(&t, q, &id))) {
            text_error(&t, p, "expected 'Profile ID <id>'");
            continue;
        }
        p = q;
        q = expect_word(&t, p, "Placements");
        if (!q)
            q = expect_word(&t, p, "Placement");
        if (q)
            q = expect_word(&t, q, ":");
        if (!q || !(q = expect_word(&t, q, "{"))) {
            text_error(&t, p, "expected 'Placements: {'");
            continue;
        }
        for (;;) {
            if (ns == GP_MIG_MAX_SLICES ||
                !(p = read_uint(&t, q, &starts[ns]))) {
                text_error(&t, q, "expected a start slice");
                goto next;
            }
            ns++;
            if ((q = expect_word(&t, p, ",")) != NULL)
                continue;
            if ((q = expect_word(&t, p, "}")) != NULL)
                break;
            text_error(&t, p, "expected ',' or '}' in the placements");
            goto next;
        }
        p = q;
        if (!(q = expect_word(&t, p, ":")) || !(q = read_uint(&t, q, &size)) ||
            size == 0 || size > GP_MIG_MAX_SLICES) {
            text_error(&t, p, "expected ':<size>' after the placements, 1 to "
                              "%d",
                       GP_MIG_MAX_SLICES);
            continue;
        }
        p = q;
        while (p < t.line_end && (*p == ' ' || *p == '\t'))
            p++;
        if (p < t.line_end) {
            text_error(&t, p, "unexpected text after the placements");
            continue;
        }
        pr = find_prof(S, gpu, id);
        if (!pr) {
            /* After a broken -lgip table, missing profiles are no news. */
            if (lgip_ok)
                text_error(&t, t.line_start,
                           "profile ID %u of GPU %u is not in the -lgip "
                           "table",
                           id, gpu);
            continue;
        }
        if (pr->placed) {
            text_error(&t, t.line_start, "profile ID %u of GPU %u is listed "
                                         "twice",
                       id, gpu);
            continue;
        }
        {
            uint32_t i;

            for (i = 0; i < ns; i++) {
                if ((i && starts[i] <= starts[i - 1]) ||
                    starts[i] + size > GP_MIG_MAX_SLICES) {
                    text_error(&t, t.line_start,
                               "placements of profile ID %u must ascend and "
                               "fit %d slices",
                               id, GP_MIG_MAX_SLICES);
                    goto next;
                }
            }
        }
        memcpy(pr->starts, starts, sizeof(starts));
        pr->n_starts = ns;
        pr->size = size;
        pr->placed = true;
        seen++;
    next:;
    }
    if (seen == 0 && t.errors == 0 && lgip_ok)
        gp_error_at(S->d, (struct gp_loc){src->file, 0, 0, 0},
                    "no placements; expected the output of 'nvidia-smi mig "
                    "-lgipp'");
}

/* ---- nvidia-smi -q ------------------------------------------------------ */

static const char *
dup_value(struct smi *S, const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    return gp_arena_strndup(S->a, p, (size_t)(end - p));
}

static void
parse_query(struct smi *S, const struct gp_import_src *src)
{
    struct text t;
    char section[64] = "";
    const char *product = NULL;

    text_init(&t, src, S->d);
    while (next_line(&t)) {
        const char *p = t.line_start, *colon, *k;
        size_t indent, kn;
        char key[96];

        while (p < t.line_end && *p == ' ')
            p++;
        indent = (size_t)(p - t.line_start);
        if (p >= t.line_end)
            continue;
        if (indent == 0 && t.line_end - p > 4 && memcmp(p, "GPU ", 4) == 0) {
            S->gpus_in_q++;
            section[0] = '\0';
            continue;
        }
        colon = memchr(p, ':', (size_t)(t.line_end - p));
        k = p;
        kn = (size_t)((colon ? colon : t.line_end) - k);
        while (kn && (k[kn - 1] == ' ' || k[kn - 1] == '\t'))
            kn--;
        if (kn >= 60)
            continue;
        if (!colon) {
            if (indent == 4) {
                memcpy(section, k, kn);
                section[kn] = '\0';
            }
            continue;
        }
        if (indent == 4)
            section[0] = '\0';
        snprintf(key, sizeof(key), "%s%s%.*s", indent > 4 ? section : "",
                 indent > 4 ? "/" : "", (int)kn, k);
        if (indent == 0 && strcmp(key, "Driver Version") == 0)
            S->driver = dup_value(S, colon + 1, t.line_end);
        if (S->gpus_in_q != 1) {
            if (S->gpus_in_q > 1 && strcmp(key, "Product Name") == 0 &&
                product &&
                strcmp(dup_value(S, colon + 1, t.line_end), product) != 0 &&
                !S->other_gpus_differ) {
                S->other_gpus_differ = true;
                gp_warning_at(S->d, (struct gp_loc){src->file, t.line, 1, 1},
                              "GPU %u is a '%s', not a '%s'; the model is "
                              "made from the first GPU",
                              S->gpus_in_q,
                              dup_value(S, colon + 1, t.line_end), product);
            }
            continue;
        }
        if (strcmp(key, "Product Name") == 0)
            product = S->product = dup_value(S, colon + 1, t.line_end);
        else if (strcmp(key, "Product Architecture") == 0)
            S->arch = dup_value(S, colon + 1, t.line_end);
        else if (strcmp(key, "PCI/Device Id") == 0)
            S->pci = dup_value(S, colon + 1, t.line_end);
        else if (strcmp(key, "MIG Mode/Current") == 0)
            S->mig_mode = dup_value(S, colon + 1, t.line_end);
        else if (strcmp(key, "FB Memory Usage/Total") == 0) {
            const char *v = dup_value(S, colon + 1, t.line_end), *why;
            char num[32];
            uint64_t x;

            snprintf(num, sizeof(num), "%.*s", (int)strcspn(v, " "), v);
            if (!gp_str_has_suffix(v, " MiB") ||
                gp_parse_uint(num, 1u << 24, &x, &why) < 0 || x < 1024)
                text_error(&t, colon + 1, "expected the total memory as "
                                          "'<n> MiB', found '%s'",
                           v);
            else
                S->fb_total_mib = x;
        }
    }
    if (!S->product && t.errors == 0)
        gp_error_at(S->d, (struct gp_loc){src->file, 0, 0, 0},
                    "no 'Product Name'; expected the output of 'nvidia-smi "
                    "-q'");
}

/* ---- the model file ----------------------------------------------------- */

static const char *
arch_of(const char *a)
{
    static const char *const archs[] = {"kepler", "maxwell", "pascal",
                                        "volta", "turing",  "ampere",
                                        "ada",    "hopper",  "blackwell"};
    size_t i;

    if (!a)
        return NULL;
    for (i = 0; i < sizeof(archs) / sizeof(archs[0]); i++) {
        if (gp_str_casecmp(a, archs[i]) == 0 ||
            (strncmp(archs[i], "ada", 3) == 0 &&
             gp_str_casecmp(a, "Ada Lovelace") == 0))
            return archs[i];
    }
    return NULL;
}

/* "NVIDIA H100 80GB HBM3" -> "H100-80GB-HBM3". */
static const char *
id_from_product(struct smi *S, const char *prod)
{
    char buf[64];
    size_t n = 0;

    if (strncmp(prod, "NVIDIA ", 7) == 0)
        prod += 7;
    for (; *prod && n < 63; prod++) {
        char c = *prod;

        if (c == ' ')
            c = '-';
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')
            buf[n++] = c;
    }
    buf[n] = '\0';
    return n ? gp_arena_strdup(S->a, buf) : NULL;
}

/* GPU feature discovery's label: characters outside [A-Za-z0-9-_. ]
 * removed, spaces as '-'. */
static const char *
gfd_of(struct smi *S, const char *prod)
{
    char *s = gp_arena_strdup(S->a, prod), *o = s;
    const char *p;

    for (p = prod; *p; p++) {
        char c = *p;

        if (c == ' ')
            *o++ = '-';
        else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                 (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')
            *o++ = c;
    }
    *o = '\0';
    return s;
}

static bool
id_ok(const char *id)
{
    size_t i;

    for (i = 0; id[i]; i++) {
        char c = id[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            return false;
    }
    return i > 0 && i <= 63;
}

static void
flow_list(struct gp_yemit *e, const char *key, const char *v)
{
    gp_yemit_str(e, key);
    gp_yemit_seq_start(e, true);
    if (v)
        gp_yemit_str_q(e, v);
    gp_yemit_seq_end(e);
}

int
gp_import_nvidia_smi(struct gp_strbuf *out, struct gp_arena *a,
                     const struct gp_import_src *lgip,
                     const struct gp_import_src *lgipp,
                     const struct gp_import_src *query,
                     const struct gp_smi_opts *o,
                     const struct gp_catalog *cat, struct gp_diags *d)
{
    struct smi S;
    struct gp_strbuf text = GP_STRBUF_INIT, c = GP_STRBUF_INIT;
    struct gp_yemit *e;
    size_t errors = gp_diags_errors(d), i, n = 0;
    uint32_t grid = 0, gmax = 0, imax = 0, smmax = 0, sm_count;
    struct gp_engines budget = {0, 0, 0, 0, 0};
    const char *id, *arch, *cc = NULL, *cc_why = NULL;
    uint64_t mem, pmax = 0;
    double bw;
    bool fill_sm, fill_bw, fill_mem;
    const struct gp_gpu_model *known = NULL, *parsed;
    int rc = -1;

    memset(&S, 0, sizeof(S));
    S.a = a;
    S.d = d;
    parse_lgip(&S, lgip);
    parse_lgipp(&S, lgipp, gp_diags_errors(d) == errors);
    if (query)
        parse_query(&S, query);
    if (gp_diags_errors(d) > errors)
        goto out;
    /* One GPU's tables; others on the machine must read the same. */
    S.first_gpu = S.v[0].gpu;
    for (i = 0; i < S.n; i++) {
        const struct sprof *p = &S.v[i], *f;

        if (p->gpu == S.first_gpu) {
            n++;
            if (!p->placed)
                gp_error_at(d, p->loc, "profile %s (ID %u) has no "
                                       "placements in %s",
                            p->name, p->id, lgipp->file);
            continue;
        }
        f = find_prof(&S, S.first_gpu, p->id);
        if (!f || strcmp(f->name, p->name) != 0 || f->mem_mib != p->mem_mib ||
            f->sm != p->sm || f->size != p->size ||
            f->n_starts != p->n_starts) {
            gp_error_at(d, p->loc, "GPU %u's profiles differ from GPU %u's; "
                                   "the GPUs are of different models",
                        p->gpu, S.first_gpu);
            gp_diag_hint(d, "run 'nvidia-smi mig -i %u -lgip' and -lgipp for "
                            "one GPU at a time",
                         S.first_gpu);
            break;
        }
    }
    if (n > GP_MIG_MAX_PROFILES)
        gp_error_at(d, (struct gp_loc){lgip->file, 0, 0, 0},
                    "%zu profiles; a model file holds at most %d", n,
                    GP_MIG_MAX_PROFILES);
    if (gp_diags_errors(d) > errors)
        goto out;
    for (i = 0; i < S.n; i++) {
        const struct sprof *p = &S.v[i];
        uint32_t g = name_g(p->name), k;

        if (p->gpu != S.first_gpu)
            continue;
        for (k = 0; k < p->n_starts; k++) {
            if (p->starts[k] + p->size > grid)
                grid = p->starts[k] + p->size;
        }
        gmax = g > gmax ? g : gmax;
        imax = p->total > imax ? p->total : imax;
        smmax = p->sm > smmax ? p->sm : smmax;
        pmax = p->mem_mib > pmax ? p->mem_mib : pmax;
        budget.dec = p->dec > budget.dec ? p->dec : budget.dec;
        budget.enc = p->enc > budget.enc ? p->enc : budget.enc;
        budget.jpeg = p->jpeg > budget.jpeg ? p->jpeg : budget.jpeg;
        budget.ofa = p->ofa > budget.ofa ? p->ofa : budget.ofa;
    }
    for (i = 0; i < S.n; i++) {
        if (S.v[i].gpu == S.first_gpu && S.v[i].size > grid)
            grid = S.v[i].size;
    }
    /* Identity. */
    id = o->id ? o->id : S.product ? id_from_product(&S, S.product) : NULL;
    if (!id) {
        gp_error_at(d, (struct gp_loc){NULL, 0, 0, 0},
                    "name the model: --id ID, or give the output of "
                    "'nvidia-smi -q' as the third file");
        goto out;
    }
    if (!id_ok(id)) {
        gp_error_at(d, (struct gp_loc){NULL, 0, 0, 0},
                    "model id '%s' must be 1 to 63 of [A-Za-z0-9._-]", id);
        goto out;
    }
    arch = arch_of(S.arch);
    if (S.arch && !arch)
        gp_warning_at(d, (struct gp_loc){query->file, 0, 0, 0},
                      "architecture '%s' is not one gpuplan knows; left out",
                      S.arch);
    if (o->compute_capability) {
        cc = o->compute_capability;
        cc_why = "--compute-capability";
    } else if (arch && strcmp(arch, "ampere") == 0) {
        /* Every MIG-capable Ampere GPU is a GA100: 8.0. */
        cc = "8.0";
        cc_why = "MIG-capable Ampere GPUs are GA100, compute capability 8.0";
    } else if (arch && strcmp(arch, "hopper") == 0) {
        cc = "9.0";
        cc_why = "Hopper GPUs are compute capability 9.0";
    } else {
        gp_warning_at(d, (struct gp_loc){NULL, 0, 0, 0},
                      "compute capability unknown (nvidia-smi -q does not "
                      "print it); pass --compute-capability X.Y");
    }
    mem = S.fb_total_mib;
    fill_mem = mem == 0;
    if (fill_mem) {
        mem = (pmax + 1023) / 1024 * 1024;
        gp_warning_at(d, (struct gp_loc){NULL, 0, 0, 0},
                      "total memory unknown without 'nvidia-smi -q'; %llu "
                      "MiB (the largest profile, rounded up) is a "
                      "placeholder",
                      (unsigned long long)mem);
    }
    fill_sm = o->sm_count == 0;
    sm_count = fill_sm ? smmax : o->sm_count;
    if (fill_sm)
        gp_warning_at(d, (struct gp_loc){NULL, 0, 0, 0},
                      "nvidia-smi does not print the SM count of the whole "
                      "GPU; %u (the largest profile's) is a placeholder: "
                      "pass --sm-count N",
                      sm_count);
    if (sm_count < smmax) {
        gp_error_at(d, (struct gp_loc){NULL, 0, 0, 0},
                    "--sm-count %u is less than the %u SMs of the largest "
                    "MIG profile",
                    sm_count, smmax);
        goto out;
    }
    fill_bw = o->bandwidth_gbps <= 0;
    bw = fill_bw ? 1 : o->bandwidth_gbps;
    if (fill_bw)
        gp_warning_at(d, (struct gp_loc){NULL, 0, 0, 0},
                      "nvidia-smi does not print the memory bandwidth; 1 GB/s "
                      "is a placeholder: pass --bandwidth GBPS from the "
                      "datasheet");
    if (cat) {
        known = gp_catalog_find(cat, id);
        if (!known && S.product)
            known = gp_catalog_find(cat, S.product);
        if (known && gp_str_casecmp(known->id, id) != 0)
            gp_warning_at(d, (struct gp_loc){NULL, 0, 0, 0},
                          "'%s' is already in the catalogue as '%s'; with "
                          "--models this file clashes with it unless its id "
                          "is the same (--id %s replaces it)",
                          S.product ? S.product : id, known->id, known->id);
    }

    /* The header says what to check. */
    gp_strbuf_printf(&c, "GPU model imported by 'gpuplan import nvidia-smi' "
                         "from %s%s%s and %s.\n",
                     gp_imp_basename(lgip->file), query ? ", " : "",
                     query ? gp_imp_basename(lgipp->file) : "",
                     query ? gp_imp_basename(query->file)
                           : gp_imp_basename(lgipp->file));
    gp_strbuf_puts(&c, "Load it with 'gpuplan --models DIR ...' "
                       "(docs/models.md, docs/import.md).\n");
    if (fill_sm)
        gp_strbuf_printf(&c, "FILL IN sm_count: %u is the largest MIG "
                             "profile's SMs, a lower bound for the whole "
                             "GPU.\n",
                         sm_count);
    if (fill_bw)
        gp_strbuf_puts(&c, "FILL IN memory_bandwidth_gbps: 1 is a "
                           "placeholder; take it from the datasheet.\n");
    if (fill_mem)
        gp_strbuf_printf(&c, "FILL IN memory_mib: %llu is a placeholder "
                             "(nvidia-smi -q, FB Memory Usage, Total).\n",
                         (unsigned long long)mem);
    if (!cc)
        gp_strbuf_puts(&c, "FILL IN compute_capability: not printed by "
                           "nvidia-smi -q.\n");
    else
        gp_strbuf_printf(&c, "compute_capability: %s.\n", cc_why);
    gp_strbuf_puts(&c, "MiB per profile: -lgip's GiB x 1024, snapped to "
                       "64 MiB. Engine budget: the most of\neach engine one "
                       "profile has.");

    e = gp_yemit_new(&text);
    gp_yemit_comment(e, c.buf);
    gp_yemit_doc_start(e);
    gp_yemit_map_start(e, false);
    gp_yemit_kv_str(e, "id", id);
    gp_yemit_kv_str(e, "display_name", S.product ? S.product : id);
    if (arch)
        gp_yemit_kv_str(e, "architecture", arch);
    if (cc)
        gp_yemit_kv_str_q(e, "compute_capability", cc);
    gp_yemit_kv_int(e, "memory_mib", (long long)mem);
    gp_yemit_kv_int(e, "sm_count", sm_count);
    gp_yemit_kv_num(e, "memory_bandwidth_gbps", bw, bw == floor(bw) ? 0 : 1);
    gp_yemit_str(e, "source");
    gp_yemit_seq_start(e, true);
    if (query)
        gp_yemit_str(e, "SMIQ");
    if (!fill_sm || !fill_bw || o->compute_capability)
        gp_yemit_str(e, "USER");
    gp_yemit_str(e, "LGIP");
    gp_yemit_seq_end(e);
    gp_yemit_str(e, "names");
    gp_yemit_map_start(e, false);
    flow_list(e, "nvidia_smi", S.product);
    flow_list(e, "gfd_product", S.product ? gfd_of(&S, S.product) : NULL);
    flow_list(e, "pci_device_ids", S.pci);
    {
        char alias[64];
        size_t k;

        for (k = 0; id[k] && k < 63; k++)
            alias[k] = (char)(id[k] >= 'A' && id[k] <= 'Z' ? id[k] + 32
                                                          : id[k]);
        alias[k] = '\0';
        flow_list(e, "aliases", strcmp(alias, id) != 0 ? alias : NULL);
    }
    gp_yemit_map_end(e);
    gp_yemit_str(e, "sources");
    gp_yemit_map_start(e, false);
    gp_yemit_kv_str_q(e, "LGIP", gp_arena_printf(a, "nvidia-smi mig -lgip "
                                                    "(%s)%s%s",
                                                 gp_imp_basename(lgip->file),
                                                 S.driver ? ", driver " : "",
                                                 S.driver ? S.driver : ""));
    gp_yemit_kv_str_q(e, "LGIPP", gp_arena_printf(a, "nvidia-smi mig -lgipp "
                                                     "(%s)",
                                                  gp_imp_basename(
                                                      lgipp->file)));
    if (query)
        gp_yemit_kv_str_q(e, "SMIQ",
                          gp_arena_printf(a, "nvidia-smi -q (%s)",
                                          gp_imp_basename(query->file)));
    if (!fill_sm || !fill_bw || o->compute_capability)
        gp_yemit_kv_str_q(e, "USER",
                          gp_arena_printf(a, "given to gpuplan import "
                                             "nvidia-smi:%s%s%s",
                                          fill_sm ? "" : " --sm-count",
                                          fill_bw ? "" : " --bandwidth",
                                          o->compute_capability
                                              ? " --compute-capability"
                                              : ""));
    gp_yemit_map_end(e);
    if (fill_sm || fill_bw || fill_mem || !cc)
        gp_yemit_kv_str_q(e, "note",
                          gp_arena_printf(a, "imported; placeholders to fill "
                                             "in:%s%s%s%s",
                                          fill_sm ? " sm_count" : "",
                                          fill_bw ? " memory_bandwidth_gbps"
                                                  : "",
                                          fill_mem ? " memory_mib" : "",
                                          cc ? "" : " compute_capability"));
    gp_yemit_str(e, "mig");
    gp_yemit_map_start(e, false);
    gp_yemit_kv_int(e, "memory_slices", grid);
    gp_yemit_kv_int(e, "compute_slices", gmax);
    gp_yemit_kv_int(e, "max_instances", imax);
    gp_yemit_kv_int(e, "sm_count", smmax);
    gp_yemit_str(e, "engine_budget");
    gp_yemit_map_start(e, true);
    gp_yemit_kv_int(e, "dec", budget.dec);
    gp_yemit_kv_int(e, "enc", budget.enc);
    gp_yemit_kv_int(e, "jpeg", budget.jpeg);
    gp_yemit_kv_int(e, "ofa", budget.ofa);
    gp_yemit_map_end(e);
    if (S.driver)
        gp_yemit_kv_str_q(e, "driver_observed", S.driver);
    gp_yemit_kv_str(e, "placements_confidence", "observed");
    gp_yemit_str(e, "source");
    gp_yemit_seq_start(e, true);
    gp_yemit_str(e, "LGIP");
    gp_yemit_str(e, "LGIPP");
    gp_yemit_seq_end(e);
    gp_yemit_str(e, "profiles");
    gp_yemit_seq_start(e, false);
    for (i = 0; i < S.n; i++) {
        const struct sprof *p = &S.v[i];
        uint32_t k;

        if (p->gpu != S.first_gpu)
            continue;
        gp_yemit_map_start(e, false);
        gp_yemit_kv_int(e, "id", p->id);
        gp_yemit_kv_str(e, "name", p->name);
        gp_yemit_kv_int(e, "memory_mib", (long long)p->mem_mib);
        gp_yemit_kv_int(e, "memory_slices", p->size);
        gp_yemit_kv_int(e, "compute_slices", name_g(p->name));
        gp_yemit_kv_int(e, "sm_count", p->sm);
        gp_yemit_str(e, "engines");
        gp_yemit_map_start(e, true);
        gp_yemit_kv_int(e, "ce", p->ce);
        gp_yemit_kv_int(e, "dec", p->dec);
        gp_yemit_kv_int(e, "enc", p->enc);
        gp_yemit_kv_int(e, "jpeg", p->jpeg);
        gp_yemit_kv_int(e, "ofa", p->ofa);
        gp_yemit_map_end(e);
        gp_yemit_kv_int(e, "max_count", p->total);
        gp_yemit_str(e, "placements");
        gp_yemit_seq_start(e, true);
        for (k = 0; k < p->n_starts; k++)
            gp_yemit_int(e, p->starts[k]);
        gp_yemit_seq_end(e);
        gp_yemit_kv_str_q(e, "note",
                          gp_arena_printf(a, "%s GiB in -lgip", p->mem_text));
        gp_yemit_map_end(e);
    }
    gp_yemit_seq_end(e);
    gp_yemit_map_end(e);
    gp_yemit_map_end(e);
    gp_yemit_doc_end(e);
    if (gp_yemit_free(e) < 0) {
        gp_error_at(d, (struct gp_loc){NULL, 0, 0, 0},
                    "internal error: the model file could not be written "
                    "(a name that is not UTF-8?)");
        goto out;
    }
    {
        struct gp_diags *scratch = gp_diags_new(a);

        if (gp_model_parse(&parsed, a, "<import>", text.buf, text.len,
                           scratch) < 0) {
            const struct gp_diag *v;
            size_t nd;

            v = gp_diags_sorted(scratch, &nd);
            gp_error_at(d, (struct gp_loc){NULL, 0, 0, 0},
                        "the model file does not load: line %u: %s",
                        nd ? v[0].loc.line : 0, nd ? v[0].msg : "?");
            goto out;
        }
    }
    gp_strbuf_add(out, text.buf, text.len);
    rc = 0;
out:
    gp_strbuf_release(&text);
    gp_strbuf_release(&c);
    return rc;
}
