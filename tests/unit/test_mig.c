/* SPDX-License-Identifier: MIT */
/* MIG geometry against NVIDIA's documented layouts and the combination
 * counts in shared/reference/mig-profiles.md section 5. */
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "harness.h"
#include "mig/geometry.h"
#include "model/gpu.h"
#include "tests.h"

static struct gp_arena *arena;

static const struct gp_mig_spec *
spec(const char *model)
{
    struct gp_diags *d;
    struct gp_catalog *c = NULL;
    const struct gp_gpu_model *m;

    if (!arena)
        arena = gp_arena_new();
    d = gp_diags_new(arena);
    if (gp_catalog_load(&c, arena, NULL, d) < 0)
        return NULL;
    m = gp_catalog_find(c, model);
    return m ? m->mig : NULL;
}

static size_t
pick(const struct gp_mig_spec *m, const char *names,
     const struct gp_mig_profile **out)
{
    char buf[256], *save = NULL, *t;
    size_t n = 0;

    snprintf(buf, sizeof(buf), "%s", names);
    for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        const struct gp_mig_profile *p = gp_mig_find_profile(m, t);

        OK(p != NULL);
        if (p)
            out[n++] = p;
    }
    return n;
}

/* Distinct multisets among layouts, by per-profile counts. */
struct multisets {
    const struct gp_mig_profile *const *profs;
    size_t n_profs;
    unsigned char seen[4096][GP_MIG_MAX_PROFILES];
    size_t n;
};

static void
count_multiset(const struct gp_mig_layout *l, void *ctx)
{
    struct multisets *ms = ctx;
    unsigned char key[GP_MIG_MAX_PROFILES];
    size_t i, k;

    memset(key, 0, sizeof(key));
    for (i = 0; i < l->n; i++)
        for (k = 0; k < ms->n_profs; k++)
            if (ms->profs[k] == l->inst[i].profile)
                key[k]++;
    for (i = 0; i < ms->n; i++)
        if (memcmp(ms->seen[i], key, sizeof(key)) == 0)
            return;
    if (ms->n < 4096)
        memcpy(ms->seen[ms->n++], key, sizeof(key));
}

/* The reference counts a multiset as maximal when no valid multiset has
 * one more instance (in any arrangement); that differs from a physically
 * maximal layout, which may be extended only by rearranging. */
static size_t
multiset_count(const struct gp_mig_spec *m,
               const struct gp_mig_profile *const *p, size_t n, bool maximal)
{
    static struct multisets ms;
    size_t i, j, k, count = 0;

    memset(&ms, 0, sizeof(ms));
    ms.profs = p;
    ms.n_profs = n;
    gp_mig_enumerate(m, p, n, false, count_multiset, &ms);
    if (!maximal)
        return ms.n;
    for (i = 0; i < ms.n; i++) {
        bool extendable = false;

        for (k = 0; k < n && !extendable; k++) {
            unsigned char key[GP_MIG_MAX_PROFILES];

            memcpy(key, ms.seen[i], sizeof(key));
            key[k]++;
            for (j = 0; j < ms.n; j++)
                if (memcmp(ms.seen[j], key, sizeof(key)) == 0)
                    extendable = true;
        }
        count += !extendable;
    }
    return count;
}

void
mig_a100_40gb_layout_counts(void)
{
    const struct gp_mig_spec *m = spec("A100-SXM4-40GB");
    const struct gp_mig_profile *p[GP_MIG_MAX_PROFILES];
    size_t n;

    OK(m != NULL);
    if (!m)
        return;
    n = pick(m, "1g.5gb,2g.10gb,3g.20gb,4g.20gb,7g.40gb", p);
    /* NVIDIA's A100 placement figure: 19 maximal layouts. */
    INT_EQ(gp_mig_enumerate(m, p, n, true, NULL, NULL), 19);
    INT_EQ(multiset_count(m, p, n, true), 12);
    INT_EQ(multiset_count(m, p, n, false), 37);
    n = pick(m, "1g.5gb,1g.10gb,2g.10gb,3g.20gb,4g.20gb,7g.40gb", p);
    INT_EQ(gp_mig_enumerate(m, p, n, true, NULL, NULL), 78);
    INT_EQ(multiset_count(m, p, n, true), 28);
    INT_EQ(multiset_count(m, p, n, false), 77);
    /* The default profile set is the same six base profiles. */
    INT_EQ(gp_mig_base_profiles(m, p, false), 6);
}

void
mig_8slot_counts_match_reference(void)
{
    const char *models[] = {"A100-SXM4-80GB", "A100-PCIE-80GB",
                            "H100-SXM5-80GB", "H100-PCIE-80GB",
                            "H100-NVL-94GB",  "H200-SXM-141GB",
                            "GH200-144GB",    "B200",
                            "GB200",          "B300"};
    size_t i;

    for (i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
        const struct gp_mig_spec *m = spec(models[i]);
        const struct gp_mig_profile *p[GP_MIG_MAX_PROFILES];
        size_t n;

        OK(m != NULL);
        if (!m)
            continue;
        n = gp_mig_base_profiles(m, p, false);
        INT_EQ(n, 6);
        INT_EQ(gp_mig_enumerate(m, p, n, true, NULL, NULL), 78);
    }
}

/* Every catalogued MIG model: each base profile fits exactly max_count
 * times (the "all-<profile>" configs of mig-parted), one more never fits, and
 * the grid's maximal-layout count is the one its class documents. */
void
mig_every_model_per_profile_caps(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_catalog *c = NULL;
    size_t i, checked = 0;

    OK(gp_catalog_load(&c, a, NULL, d) == 0);
    for (i = 0; c && i < c->n; i++) {
        const struct gp_mig_spec *m = c->v[i]->mig;
        const struct gp_mig_profile *base[GP_MIG_MAX_PROFILES];
        size_t nb, k;

        if (!m)
            continue;
        checked++;
        nb = gp_mig_base_profiles(m, base, true);
        for (k = 0; k < nb; k++) {
            const struct gp_mig_profile *want[GP_MIG_MAX_SLICES + 1];
            struct gp_mig_check chk;
            uint32_t j;

            for (j = 0; j <= base[k]->max_count && j <= GP_MIG_MAX_SLICES; j++)
                want[j] = base[k];
            gp_mig_check(&chk, m, want, base[k]->max_count, NULL);
            if (chk.verdict != GP_MIG_FITS)
                fprintf(stderr, "  %s: %u x %s should fit\n", c->v[i]->id,
                        base[k]->max_count, base[k]->name);
            OK(chk.verdict == GP_MIG_FITS);
            gp_mig_check(&chk, m, want, base[k]->max_count + 1u, NULL);
            OK(chk.verdict != GP_MIG_FITS);
        }
        nb = gp_mig_base_profiles(m, base, false);
        if (m->memory_slices == 8)
            INT_EQ(gp_mig_enumerate(m, base, nb, true, NULL, NULL), 78);
        else
            INT_EQ(gp_mig_enumerate(m, base, nb, true, NULL, NULL), 5);
    }
    OK(checked >= 16);
    gp_arena_free(a);
}

void
mig_a30_and_rtx_pro_counts(void)
{
    const struct gp_mig_spec *a30 = spec("A30-24GB");
    const struct gp_mig_spec *rtx = spec("RTX-PRO-6000-Blackwell");
    const struct gp_mig_profile *p[GP_MIG_MAX_PROFILES];
    size_t n;

    OK(a30 && rtx);
    if (!a30 || !rtx)
        return;
    n = gp_mig_base_profiles(a30, p, false);
    INT_EQ(n, 3);
    INT_EQ(gp_mig_enumerate(a30, p, n, true, NULL, NULL), 5);
    INT_EQ(multiset_count(a30, p, n, true), 4);
    INT_EQ(multiset_count(a30, p, n, false), 9);
    n = gp_mig_base_profiles(rtx, p, false);
    INT_EQ(n, 3);
    INT_EQ(gp_mig_enumerate(rtx, p, n, true, NULL, NULL), 5);
    INT_EQ(multiset_count(rtx, p, n, true), 4);
}

static enum gp_mig_verdict
verdict(const char *model, const char *names, const char *layout)
{
    const struct gp_mig_spec *m = spec(model);
    const struct gp_mig_profile *p[GP_MIG_MAX_SLICES];
    struct gp_strbuf sb = GP_STRBUF_INIT;
    struct gp_mig_check chk;
    size_t n;

    if (!m)
        return GP_MIG_NO_ARRANGEMENT;
    n = pick(m, names, p);
    gp_mig_check(&chk, m, p, n, NULL);
    if (layout && chk.verdict == GP_MIG_FITS) {
        gp_mig_layout_format(&chk.placed, &sb);
        STR_EQ(sb.buf, layout);
    }
    gp_strbuf_release(&sb);
    return chk.verdict;
}

void
mig_check_documented_combinations(void)
{
    /* The seed article's claims are false: NVIDIA's guide creates both. */
    INT_EQ(verdict("A100-SXM4-40GB", "3g.20gb,3g.20gb",
                   "3g.20gb@0 3g.20gb@4"),
           GP_MIG_FITS);
    INT_EQ(verdict("A100-SXM4-40GB", "2g.10gb,2g.10gb,2g.10gb",
                   "2g.10gb@0 2g.10gb@2 2g.10gb@4"),
           GP_MIG_FITS);
    INT_EQ(verdict("A100-SXM4-40GB", "4g.20gb,3g.20gb", "4g.20gb@0 3g.20gb@4"),
           GP_MIG_FITS);
    INT_EQ(verdict("A100-SXM4-40GB", "4g.20gb,2g.10gb,1g.5gb",
                   "4g.20gb@0 2g.10gb@4 1g.5gb@6"),
           GP_MIG_FITS);
    INT_EQ(verdict("A100-SXM4-40GB", "1g.5gb,1g.5gb,2g.10gb,3g.20gb",
                   "2g.10gb@0 1g.5gb@2 1g.5gb@3 3g.20gb@4"),
           GP_MIG_FITS);
    INT_EQ(verdict("A100-SXM4-40GB", "4g.20gb,2g.10gb,2g.10gb", NULL),
           GP_MIG_NO_ARRANGEMENT);
    INT_EQ(verdict("A100-SXM4-40GB", "3g.20gb,3g.20gb,3g.20gb", NULL),
           GP_MIG_TOO_MANY_OF_PROFILE);
    INT_EQ(verdict("A100-SXM4-40GB",
                   "1g.5gb,1g.5gb,1g.5gb,1g.5gb,1g.5gb,1g.5gb,1g.5gb,1g.5gb",
                   NULL),
           GP_MIG_TOO_MANY_OF_PROFILE);
    INT_EQ(verdict("A100-SXM4-40GB", "1g.5gb+me,1g.5gb+me", NULL),
           GP_MIG_TOO_MANY_OF_PROFILE);
    INT_EQ(verdict("A100-SXM4-40GB", "7g.40gb,1g.5gb", NULL),
           GP_MIG_TOO_MUCH_MEMORY);
    /* The A30 has one OFA: +me variants exclude each other. */
    INT_EQ(verdict("A30-24GB", "1g.6gb+me,2g.12gb+me", NULL), GP_MIG_ENGINES);
    INT_EQ(verdict("A30-24GB", "2g.12gb,1g.6gb,1g.6gb",
                   "2g.12gb@0 1g.6gb@2 1g.6gb@3"),
           GP_MIG_FITS);
    INT_EQ(verdict("H100-SXM5-80GB", "1g.20gb,1g.20gb,1g.20gb,1g.20gb",
                   "1g.20gb@0 1g.20gb@2 1g.20gb@4 1g.20gb@6"),
           GP_MIG_FITS);
    /* 1g cannot start at slice 7, so the 3g must move to slice 4. */
    INT_EQ(verdict("H100-SXM5-80GB", "3g.40gb,2g.20gb,1g.10gb,1g.10gb",
                   "2g.20gb@0 1g.10gb@2 1g.10gb@3 3g.40gb@4"),
           GP_MIG_FITS);
}

/* mig-parted's "all-balanced" layouts for each family (reference S8). */
void
mig_balanced_layouts_fit(void)
{
    static const struct {
        const char *model, *layout;
    } cases[] = {
        {"A30-24GB", "1g.6gb,1g.6gb,2g.12gb"},
        {"A100-SXM4-40GB", "1g.5gb,1g.5gb,2g.10gb,3g.20gb"},
        {"A100-PCIE-40GB", "1g.5gb,1g.5gb,2g.10gb,3g.20gb"},
        {"A100-SXM4-80GB", "1g.10gb,1g.10gb,2g.20gb,3g.40gb"},
        {"A100-PCIE-80GB", "1g.10gb,1g.10gb,2g.20gb,3g.40gb"},
        {"H100-SXM5-80GB", "1g.10gb,1g.10gb,2g.20gb,3g.40gb"},
        {"H100-PCIE-80GB", "1g.10gb,1g.10gb,2g.20gb,3g.40gb"},
        {"H100-NVL-94GB", "1g.12gb,1g.12gb,2g.24gb,3g.47gb"},
        {"GH200-144GB", "1g.18gb,1g.18gb,2g.36gb,3g.72gb"},
        {"B200", "1g.23gb,1g.23gb,2g.45gb,3g.90gb"},
        {"GB200", "1g.23gb,1g.23gb,2g.47gb,3g.93gb"},
        {"B300", "1g.34gb,1g.34gb,2g.67gb,3g.135gb"},
        {"RTX-PRO-6000-Blackwell", "1g.24gb,1g.24gb,2g.48gb"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum gp_mig_verdict v = verdict(cases[i].model, cases[i].layout, NULL);

        if (v != GP_MIG_FITS)
            fprintf(stderr, "  %s: %s should fit\n", cases[i].model,
                    cases[i].layout);
        OK(v == GP_MIG_FITS);
    }
}

void
mig_check_explains_failures(void)
{
    const struct gp_mig_spec *m = spec("A100-SXM4-40GB");
    const struct gp_mig_profile *p[GP_MIG_MAX_SLICES];
    struct gp_strbuf sb = GP_STRBUF_INIT;
    struct gp_mig_check chk;
    size_t n;

    if (!m)
        return;
    n = pick(m, "4g.20gb,2g.10gb,2g.10gb", p);
    gp_mig_check(&chk, m, p, n, &sb);
    STR_EQ(sb.buf,
           "no arrangement fits: after placing 4g.20gb at slices 0-3, "
           "2g.10gb at slices 4-5, 2g.10gb (which may start at slices 0, 2 "
           "or 4) collides at every start: at 0 with 4g.20gb@0, at 2 with "
           "4g.20gb@0, at 4 with 2g.10gb@4");
    gp_strbuf_reset(&sb);
    n = pick(m, "3g.20gb,3g.20gb,3g.20gb", p);
    gp_mig_check(&chk, m, p, n, &sb);
    STR_EQ(sb.buf, "3 instances of 3g.20gb requested; at most 2 fit one GPU");
    gp_strbuf_release(&sb);
}

void
mig_profile_suggestions(void)
{
    const struct gp_mig_spec *m = spec("A100-SXM4-80GB");
    const struct gp_mig_profile *s;

    if (!m)
        return;
    OK(gp_mig_find_profile(m, "2g.10gb") == NULL);
    s = gp_mig_suggest_profile(m, "2g.10gb");
    STR_EQ(s ? s->name : NULL, "2g.20gb");
    s = gp_mig_suggest_profile(m, "1g.5gb");
    STR_EQ(s ? s->name : NULL, "1g.10gb");
    s = gp_mig_suggest_profile(m, "3g.20gb");
    STR_EQ(s ? s->name : NULL, "3g.40gb");
    OK(gp_mig_find_profile(m, "MIG 3g.40gb") != NULL);
    OK(gp_mig_find_profile(m, "1g.10gb.me") != NULL);
    OK(gp_mig_find_profile(m, "mig-1g.10gb") != NULL);
    gp_arena_free(arena);
    arena = NULL;
}

/* 'mig validate' lists: names as typed on the command line. */
void
mig_parse_list(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_catalog *c = NULL;
    const struct gp_gpu_model *m;
    const struct gp_mig_profile *out[GP_MIG_MAX_SLICES];
    const char *ok[] = {"3g.20gb, 1g.5gb", ",,2g.10gb,"};
    const char *bad[] = {"3g.20gb,2g.20gb"};
    const char *many[] = {"1g.5gb,1g.5gb,1g.5gb,1g.5gb,1g.5gb,1g.5gb,"
                          "1g.5gb,1g.5gb,1g.5gb,1g.5gb,1g.5gb,1g.5gb,"
                          "1g.5gb,1g.5gb,1g.5gb,1g.5gb,1g.5gb"};
    size_t n = 0;

    OK(gp_catalog_load(&c, a, NULL, d) == 0);
    m = c ? gp_catalog_find(c, "A100-SXM4-40GB") : NULL;
    OK(m != NULL);
    if (!m)
        goto out;
    OK(gp_mig_parse_list(out, &n, GP_MIG_MAX_SLICES, m, ok, 2, d) == 0);
    INT_EQ(n, 3);
    STR_EQ(out[2]->name, "2g.10gb");
    OK(gp_mig_parse_list(out, &n, GP_MIG_MAX_SLICES, m, bad, 1, d) < 0);
    OK(gp_mig_parse_list(out, &n, GP_MIG_MAX_SLICES, m, many, 1, d) < 0);
    INT_EQ(gp_diags_errors(d), 2);
    /* Every built-in model enumerates well within the bound. */
    {
        size_t i;

        for (i = 0; i < c->n; i++)
            INT_EQ(gp_mig_spec_check(c->v[i], d), 0);
    }
out:
    gp_arena_free(a);
}

/* A user's model with 16 distinct one-slice profiles that cannot all be
 * placed (15 starts for 16 instances): the search must not try every
 * order (15!). */
void
mig_check_pigeonhole_is_fast(void)
{
    static struct gp_mig_profile p[16];
    static char names[16][16];
    struct gp_mig_spec m;
    const struct gp_mig_profile *want[16];
    struct gp_mig_check chk;
    size_t i, k;

    memset(&m, 0, sizeof(m));
    m.memory_slices = 16;
    m.compute_slices = 16;
    m.max_instances = 16;
    for (i = 0; i < 16; i++) {
        snprintf(names[i], sizeof(names[i]), "1g.%zugb", i + 1);
        memset(&p[i], 0, sizeof(p[i]));
        p[i].name = names[i];
        p[i].attr = "";
        p[i].memory_slices = 1;
        p[i].compute_slices = 1;
        p[i].max_count = 1;
        for (k = 0; k < 15; k++)
            p[i].starts[k] = (uint32_t)k;
        p[i].n_starts = 15;
        want[i] = &p[i];
    }
    m.profiles = p;
    m.n_profiles = 16;
    gp_mig_check(&chk, &m, want, 16, NULL);
    INT_EQ(chk.verdict, GP_MIG_NO_ARRANGEMENT);
    gp_mig_check(&chk, &m, want, 15, NULL);
    INT_EQ(chk.verdict, GP_MIG_FITS);
}
