/* SPDX-License-Identifier: MIT */
/* mig/geometry.c: layout enumeration and validation over the placement grid.
 *
 * Enumeration walks the memory slices left to right; at each slice it either
 * leaves the slice empty or starts an instance of some profile there. Every
 * layout is a set of (profile, start) pairs with distinct starts, so this
 * visits each exactly once, with no deduplication. A 12-slice grid with a
 * dozen profiles has a few thousand layouts at most. */
#include "mig/geometry.h"

#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/xalloc.h"
#include "base/strbuf.h"

struct enum_state {
    const struct gp_mig_spec *m;
    const struct gp_mig_profile *const *profs;
    size_t n_profs;
    bool maximal_only;
    gp_mig_layout_fn fn;
    void *ctx;
    struct gp_mig_layout cur;
    uint32_t used;                      /* bitmask of occupied slices */
    uint32_t count[GP_MIG_MAX_PROFILES]; /* per entry of profs */
    struct gp_engines eng;
    size_t found;
    uint64_t steps, max_steps; /* max_steps 0: no bound */
};

static uint32_t
span_mask(uint32_t start, uint32_t size)
{
    return ((size >= 32 ? 0u : (1u << size)) - 1u) << start;
}

/* Copy engines are per instance and not a shared budget; decoders,
 * encoders, JPEG and optical-flow engines are (reference 1.2 rule 4). */
static bool
engines_fit(const struct gp_engines *have, const struct gp_engines *add,
            const struct gp_engines *budget)
{
    return have->dec + add->dec <= budget->dec &&
           have->enc + add->enc <= budget->enc &&
           have->jpeg + add->jpeg <= budget->jpeg &&
           have->ofa + add->ofa <= budget->ofa;
}

static void
engines_add(struct gp_engines *e, const struct gp_engines *x, int sign)
{
    e->ce += (uint32_t)sign * x->ce;
    e->dec += (uint32_t)sign * x->dec;
    e->enc += (uint32_t)sign * x->enc;
    e->jpeg += (uint32_t)sign * x->jpeg;
    e->ofa += (uint32_t)sign * x->ofa;
}

static bool
starts_at(const struct gp_mig_profile *p, uint32_t s)
{
    uint32_t i;

    for (i = 0; i < p->n_starts; i++) {
        if (p->starts[i] == s)
            return true;
    }
    return false;
}

/* Could instance k of the profile list be added to the current layout? */
static bool
can_add(const struct enum_state *st, size_t k, uint32_t start)
{
    const struct gp_mig_profile *p = st->profs[k];

    if (st->count[k] >= p->max_count ||
        st->cur.n >= st->m->max_instances || !starts_at(p, start))
        return false;
    if (st->used & span_mask(start, p->memory_slices))
        return false;
    return engines_fit(&st->eng, &p->engines, &st->m->budget);
}

static bool
is_maximal(const struct enum_state *st)
{
    size_t k;
    uint32_t i;

    for (k = 0; k < st->n_profs; k++) {
        for (i = 0; i < st->profs[k]->n_starts; i++) {
            if (can_add(st, k, st->profs[k]->starts[i]))
                return false;
        }
    }
    return true;
}

/* Same-named profiles share one instance cap even when listed twice. */
static void
walk(struct enum_state *st, uint32_t pos)
{
    size_t k;

    if (st->max_steps && ++st->steps > st->max_steps)
        return;
    if (pos >= st->m->memory_slices) {
        if (st->cur.n && (!st->maximal_only || is_maximal(st))) {
            st->found++;
            if (st->fn)
                st->fn(&st->cur, st->ctx);
        }
        return;
    }
    for (k = 0; k < st->n_profs; k++) {
        const struct gp_mig_profile *p = st->profs[k];

        if (!can_add(st, k, pos))
            continue;
        st->cur.inst[st->cur.n].profile = p;
        st->cur.inst[st->cur.n].start = pos;
        st->cur.n++;
        st->used |= span_mask(pos, p->memory_slices);
        st->count[k]++;
        engines_add(&st->eng, &p->engines, 1);
        walk(st, pos + p->memory_slices);
        engines_add(&st->eng, &p->engines, -1);
        st->count[k]--;
        st->used &= ~span_mask(pos, p->memory_slices);
        st->cur.n--;
    }
    walk(st, pos + 1);
}

size_t
gp_mig_base_profiles(const struct gp_mig_spec *m,
                     const struct gp_mig_profile **profs, bool with_variants)
{
    size_t i, n = 0;

    for (i = 0; i < m->n_profiles && n < GP_MIG_MAX_PROFILES; i++) {
        if (with_variants || m->profiles[i].attr[0] == '\0')
            profs[n++] = &m->profiles[i];
    }
    return n;
}

size_t
gp_mig_enumerate(const struct gp_mig_spec *m,
                 const struct gp_mig_profile *const *profiles,
                 size_t n_profiles, bool maximal_only, gp_mig_layout_fn fn,
                 void *ctx)
{
    const struct gp_mig_profile *all[GP_MIG_MAX_PROFILES];
    struct enum_state st;
    size_t i, j, n = 0;

    memset(&st, 0, sizeof(st));
    if (!profiles) {
        n_profiles = gp_mig_base_profiles(m, all, true);
        profiles = all;
    } else {
        /* A profile listed twice is one profile: walked twice it would
         * give every layout again and each its own instance cap, and
         * twelve copies of 1g.10gb took minutes (fuzz_mig). */
        for (i = 0; i < n_profiles && n < GP_MIG_MAX_PROFILES; i++) {
            for (j = 0; j < n && all[j] != profiles[i]; j++)
                ;
            if (j == n)
                all[n++] = profiles[i];
        }
        n_profiles = n;
        profiles = all;
    }
    if (n_profiles > GP_MIG_MAX_PROFILES)
        n_profiles = GP_MIG_MAX_PROFILES;
    st.m = m;
    st.profs = profiles;
    st.n_profs = n_profiles;
    st.maximal_only = maximal_only;
    st.fn = fn;
    st.ctx = ctx;
    walk(&st, 0);
    return st.found;
}

int
gp_mig_parse_list(const struct gp_mig_profile **out, size_t *n, size_t cap,
                  const struct gp_gpu_model *m, const char *const *lists,
                  size_t n_lists, struct gp_diags *d)
{
    struct gp_strbuf tok = GP_STRBUF_INIT;
    struct gp_loc cmdline = {NULL, 0, 0, 0};
    size_t i;
    int rc = 0;

    *n = 0;
    for (i = 0; i < n_lists; i++) {
        const char *p = lists[i];

        while (*p) {
            const char *end = strchr(p, ',');
            const struct gp_mig_profile *prof;
            size_t len = end ? (size_t)(end - p) : strlen(p);

            const char *q = p;

            p += len + (end ? 1 : 0);
            /* Leading blanks only, as one types them after a comma;
             * anything else is part of the name and must match. */
            while (len && *q == ' ') {
                q++;
                len--;
            }
            if (!len)
                continue;
            gp_strbuf_reset(&tok);
            gp_strbuf_add(&tok, q, len);
            prof = gp_mig_find_profile(m->mig, tok.buf);
            if (!prof) {
                const struct gp_mig_profile *s =
                    gp_mig_suggest_profile(m->mig, tok.buf);

                rc = gp_error_at(d, cmdline,
                                 "MIG profile '%.100s' does not exist on "
                                 "%s%s%s%s",
                                 tok.buf, m->id, s ? "; did you mean '" : "",
                                 s ? s->name : "", s ? "'?" : "");
                continue;
            }
            if (*n >= cap) {
                rc = gp_error_at(d, cmdline,
                                 "too many instances (a GPU holds at most "
                                 "%zu)",
                                 cap);
                goto out;
            }
            out[(*n)++] = prof;
        }
    }
out:
    gp_strbuf_release(&tok);
    return rc;
}

int
gp_mig_spec_check(const struct gp_gpu_model *m, struct gp_diags *d)
{
    const struct gp_mig_profile *all[GP_MIG_MAX_PROFILES];
    struct enum_state st;

    if (!m->mig)
        return 0;
    memset(&st, 0, sizeof(st));
    st.m = m->mig;
    st.n_profs = gp_mig_base_profiles(m->mig, all, true);
    st.profs = all;
    st.max_steps = GP_MIG_MAX_WALK;
    walk(&st, 0);
    if (st.steps <= st.max_steps)
        return 0;
    gp_error_at(d, m->loc,
                "the MIG profiles of '%s' allow too many layouts to "
                "enumerate (the walk over them passes %u steps; NVIDIA's "
                "GPUs have at most a few thousand layouts)",
                m->id, GP_MIG_MAX_WALK);
    gp_diag_hint(d, "check 'placements' and 'max_count': real GPUs allow "
                    "few starts per profile");
    return -1;
}

void
gp_mig_layout_format(const struct gp_mig_layout *l, struct gp_strbuf *sb)
{
    uint32_t i;

    for (i = 0; i < l->n; i++)
        gp_strbuf_printf(sb, "%s%s@%u", i ? " " : "", l->inst[i].profile->name,
                         l->inst[i].start);
}

/* ---- validation of a requested multiset ---- */

struct place_state {
    const struct gp_mig_spec *m;
    const struct gp_mig_profile *want[GP_MIG_MAX_SLICES];
    size_t n;
    uint32_t start[GP_MIG_MAX_SLICES];
    uint32_t used;
    /* The deepest partial arrangement seen, to explain a failure. */
    size_t best_depth;
    uint32_t best_start[GP_MIG_MAX_SLICES];
    /* Past PLACE_MEMO_AFTER steps, (depth, used slices) states known to
     * fail are remembered: without that, instances of distinct profiles
     * of one size (a user's model file may have 16) that cannot all fit
     * are tried in every order, 15! of them. One bit per state. */
    uint64_t steps;
    uint8_t *failed;
};

#define PLACE_MEMO_AFTER 4096

static size_t
memo_bit(size_t i, uint32_t used)
{
    return i * ((size_t)1 << GP_MIG_MAX_SLICES) + (used & 0xffffu);
}

static bool
place(struct place_state *ps, size_t i)
{
    const struct gp_mig_profile *p;
    uint32_t k;
    bool memo;

    if (i > ps->best_depth || (i == 0 && ps->best_depth == 0)) {
        ps->best_depth = i;
        memcpy(ps->best_start, ps->start, sizeof(ps->start));
    }
    if (i == ps->n)
        return true;
    /* A state's outcome depends on (i, used) alone unless the previous
     * instance is of the same profile (the ascending-start rule below). */
    memo = i == 0 || ps->want[i - 1] != ps->want[i];
    if (++ps->steps == PLACE_MEMO_AFTER && !ps->failed)
        ps->failed = gp_xcalloc(((GP_MIG_MAX_SLICES + 1)
                                 << GP_MIG_MAX_SLICES) / 8, 1);
    if (memo && ps->failed) {
        size_t b = memo_bit(i, ps->used);

        if (ps->failed[b / 8] & (1u << (b % 8)))
            return false;
    }
    p = ps->want[i];
    for (k = 0; k < p->n_starts; k++) {
        uint32_t s = p->starts[k], mask = span_mask(s, p->memory_slices);

        if (ps->used & mask)
            continue;
        /* Identical profiles are placed in ascending start order; trying
         * them in every order finds nothing new and is factorial. */
        if (i > 0 && ps->want[i - 1] == p && s < ps->start[i - 1])
            continue;
        ps->start[i] = s;
        ps->used |= mask;
        if (place(ps, i + 1))
            return true;
        ps->used &= ~mask;
    }
    if (memo && ps->failed) {
        size_t b = memo_bit(i, ps->used);

        ps->failed[b / 8] |= (uint8_t)(1u << (b % 8));
    }
    return false;
}

static int
cmp_want(const struct gp_mig_profile *a, const struct gp_mig_profile *b)
{
    /* Larger instances first (fewer choices, and NVIDIA's advice for
     * creation order), then fewer allowed starts, then catalogue order. */
    if (a->memory_slices != b->memory_slices)
        return a->memory_slices > b->memory_slices ? -1 : 1;
    if (a->n_starts != b->n_starts)
        return a->n_starts < b->n_starts ? -1 : 1;
    return a < b ? -1 : a > b;
}

static void
describe_starts(struct gp_strbuf *sb, const struct gp_mig_profile *p)
{
    uint32_t k;

    if (p->n_starts == 1) {
        gp_strbuf_printf(sb, "slice %u", p->starts[0]);
        return;
    }
    gp_strbuf_puts(sb, "slices ");
    for (k = 0; k < p->n_starts; k++)
        gp_strbuf_printf(sb, "%s%u", k == 0 ? "" : k + 1 == p->n_starts ? " or " : ", ",
                         p->starts[k]);
}

static void
explain_collision(struct gp_strbuf *why, const struct place_state *ps)
{
    const struct gp_mig_profile *p = ps->want[ps->best_depth];
    size_t j;
    uint32_t k;

    gp_strbuf_puts(why, "no arrangement fits: after placing");
    for (j = 0; j < ps->best_depth; j++)
        gp_strbuf_printf(why, "%s %s at slices %u-%u", j ? "," : "",
                         ps->want[j]->name, ps->best_start[j],
                         ps->best_start[j] + ps->want[j]->memory_slices - 1);
    gp_strbuf_printf(why, ", %s (which may start at ", p->name);
    describe_starts(why, p);
    gp_strbuf_puts(why, ") collides at every start:");
    for (k = 0; k < p->n_starts; k++) {
        uint32_t s = p->starts[k], mask = span_mask(s, p->memory_slices);

        for (j = 0; j < ps->best_depth; j++) {
            uint32_t other = span_mask(ps->best_start[j],
                                       ps->want[j]->memory_slices);

            if (mask & other) {
                gp_strbuf_printf(why, "%s at %u with %s@%u", k ? "," : "", s,
                                 ps->want[j]->name, ps->best_start[j]);
                break;
            }
        }
    }
}

void
gp_mig_check(struct gp_mig_check *out, const struct gp_mig_spec *m,
             const struct gp_mig_profile *const *want, size_t n,
             struct gp_strbuf *why)
{
    struct gp_strbuf scratch = GP_STRBUF_INIT;
    struct place_state ps;
    struct gp_engines eng = {0, 0, 0, 0, 0};
    uint32_t slices = 0;
    size_t i, j;

    if (!why)
        why = &scratch;
    memset(out, 0, sizeof(*out));
    memset(&ps, 0, sizeof(ps));
    /* Per-profile caps first: they are the most specific reason. */
    for (i = 0; i < n; i++) {
        uint32_t c = 0;

        for (j = 0; j < n; j++)
            c += want[j] == want[i];
        if (c > want[i]->max_count) {
            out->verdict = GP_MIG_TOO_MANY_OF_PROFILE;
            gp_strbuf_printf(why, "%u instances of %s requested; at most %u "
                                  "fit one GPU",
                             c, want[i]->name, want[i]->max_count);
            goto out;
        }
    }
    if (n > m->max_instances) {
        out->verdict = GP_MIG_TOO_MANY_INSTANCES;
        gp_strbuf_printf(why, "%zu instances requested; the GPU allows at "
                              "most %u",
                         n, m->max_instances);
        goto out;
    }
    for (i = 0; i < n; i++) {
        engines_add(&eng, &want[i]->engines, 1);
        slices += want[i]->memory_slices;
    }
    {
        static const char *const names[] = {"copy", "decoder (NVDEC)",
                                            "encoder (NVENC)", "JPEG (NVJPG)",
                                            "optical-flow (OFA)"};
        const uint32_t have[] = {eng.ce, eng.dec, eng.enc, eng.jpeg, eng.ofa};
        const uint32_t cap[] = {m->budget.ce, m->budget.dec, m->budget.enc,
                                m->budget.jpeg, m->budget.ofa};

        /* Copy engines are not part of the budget NVIDIA documents. */
        for (i = 1; i < 5; i++) {
            if (have[i] > cap[i]) {
                out->verdict = GP_MIG_ENGINES;
                gp_strbuf_printf(why, "the instances need %u %s engines; the "
                                      "GPU has %u",
                                 have[i], names[i], cap[i]);
                goto out;
            }
        }
    }
    if (slices > m->memory_slices) {
        out->verdict = GP_MIG_TOO_MUCH_MEMORY;
        gp_strbuf_printf(why, "the instances need %u memory slices; the GPU "
                              "has %u",
                         slices, m->memory_slices);
        goto out;
    }
    ps.m = m;
    ps.n = n;
    for (i = 0; i < n; i++)
        ps.want[i] = want[i];
    /* Insertion sort: n is at most 16. */
    for (i = 1; i < n; i++) {
        const struct gp_mig_profile *x = ps.want[i];

        for (j = i; j > 0 && cmp_want(x, ps.want[j - 1]) < 0; j--)
            ps.want[j] = ps.want[j - 1];
        ps.want[j] = x;
    }
    if (!place(&ps, 0)) {
        out->verdict = GP_MIG_NO_ARRANGEMENT;
        explain_collision(why, &ps);
        goto out;
    }
    out->verdict = GP_MIG_FITS;
    for (i = 0; i < n; i++) {
        out->placed.inst[i].profile = ps.want[i];
        out->placed.inst[i].start = ps.start[i];
    }
    out->placed.n = (uint32_t)n;
    /* Report in slice order. */
    for (i = 1; i < n; i++) {
        struct gp_mig_instance x = out->placed.inst[i];

        for (j = i; j > 0 && out->placed.inst[j - 1].start > x.start; j--)
            out->placed.inst[j] = out->placed.inst[j - 1];
        out->placed.inst[j] = x;
    }
out:
    free(ps.failed);
    gp_strbuf_release(&scratch);
}
