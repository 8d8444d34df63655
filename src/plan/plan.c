/* SPDX-License-Identifier: MIT */
/* plan/plan.c: the planner. Three steps:
 *  1. For each workload and each GPU model of the inventory, the cheapest
 *     way to run one replica that meets its target, as the simulator
 *     predicts it: exclusive, the smallest MIG profile, or the most
 *     replicas per GPU under time-slicing or MPS (N copies of itself).
 *  2. Workloads go to pools, the cheapest option first, largest demand
 *     first, within each pool's nodes.
 *  3. Per pool, workloads with the same sharing config share node groups
 *     when every member still meets its target beside the group's heaviest
 *     members (the worst co-location the scheduler can produce); MIG demand
 *     is covered by an integer program over the GPU's valid layouts. */
#include "plan/plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/str.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "plan/mipsolve.h"
#include "sim/analytic.h"
#include "sim/calib.h"
#include "sim/colocate.h"
#include "sim/engine.h"
#include "sim/scenario.h"

#define TS_MAX_REPLICAS 16u
#define MAX_COLOC 48u

/* ---- evaluation: one GPU (or MIG instance) with some processes --------- */

struct pred {
    double x, p50, p99;
    double load;                /* the GPU's (or instance's) load */
    bool has_lat, stable, meets, engine;
    bool untrusted;             /* past the estimate's trusted load */
};

struct model_ctx {
    const struct gp_gpu_model *m;
    struct gp_calib calib;
    bool exact;
    const struct gp_mig_profile *profs[GP_MIG_MAX_PROFILES];
    size_t n_profs;             /* base MIG profiles, smallest first */
    size_t *pools;              /* inventory pools of this model, cheapest
                                 * first */
    size_t n_pools;
};

struct memo_ent {
    const struct model_ctx *mc;
    const struct gp_mig_profile *mig;
    const struct gp_workload *h;
    uint32_t n;
    enum gp_plan_mode mode;
    bool ok;
    struct pred out;
};

/* One workload's predicted co-locations. */
struct memo {
    struct memo_ent *v;
    uint32_t n, cap;
};

struct P {
    struct gp_arena *a;
    const struct gp_inventory *inv;
    const struct gp_plan_opts *o;
    struct gp_diags *d;
    struct model_ctx *models;
    size_t n_models;
    struct gp_arena *scratch;   /* one evaluation's results */
    unsigned allowed;           /* MODE_BIT()s the plan may use */
    struct memo *memos;         /* per workload, indexed as inv->loads */
    uint64_t evals, engine_evals, engine_events;
    bool analytic_only;         /* evaluations may not spend engine events */
};

static double
per_replica_rate(const struct gp_workload *w)
{
    return w->traffic == GP_TRAFFIC_POISSON ? w->rps / (double)w->replicas
                                            : 0;
}

static void
evaluate(struct P *P, const struct model_ctx *mc, enum gp_plan_mode mode,
         uint32_t n, const struct gp_mig_profile *mig,
         const struct gp_workload *const *ws, size_t k, struct pred *out)
{
    struct gp_colocation c;
    struct gp_colocation_how how;
    struct gp_sim_domain_result r;
    size_t i;

    memset(&c, 0, sizeof(c));
    c.model = mc->m;
    c.calib = &mc->calib;
    c.calib_exact = mc->exact;
    /* a MIG instance alone (GP_PLAN_MIG) or time-sliced (with
     * GP_PLAN_TIME_SLICING) */
    c.mig = mig;
    c.sharing = mode == GP_PLAN_TIME_SLICING ? GP_SIM_TIME_SLICING
                : mode == GP_PLAN_MPS        ? GP_SIM_MPS
                                             : GP_SIM_EXCLUSIVE;
    c.replicas = n;
    c.engine_only = P->o->engine_only;
    c.seed = P->o->seed;
    /* past the trusted load the engine decides, while its budget lasts */
    c.engine_budget = P->engine_events < P->o->engine_budget &&
                              !P->analytic_only
                          ? P->o->engine_budget - P->engine_events
                          : 0;
    P->evals++;
    if (!P->scratch)
        P->scratch = gp_arena_new();
    gp_sim_colocate(&r, &how, P->scratch, &c, ws, k);
    if (how.by_engine)
        P->engine_evals++;
    P->engine_events += how.events;
    for (i = 0; i < k; i++) {
        const struct gp_sim_proc_result *pr = &r.procs[i];

        out[i].x = pr->throughput;
        out[i].p50 = pr->p50;
        out[i].p99 = pr->p99;
        out[i].load = r.load;
        out[i].has_lat = pr->has_latency;
        out[i].stable = pr->stable;
        out[i].meets = !how.untrusted && gp_sim_meets_targets(ws[i], pr);
        out[i].engine = how.by_engine;
        out[i].untrusted = how.untrusted;
    }
    gp_arena_reset(P->scratch);
}

/* Co-locations already predicted: the same checks recur across workloads'
 * searches, groups, capacity rounds and plan variants. Each workload keeps
 * its own, scanned in order: a few dozen entries that share cache lines
 * beat a global hash table's random probes into tens of MiB. */
static struct memo_ent *
memo_find(struct memo *m, const struct model_ctx *mc, enum gp_plan_mode mode,
          const struct gp_mig_profile *mig, uint32_t n,
          const struct gp_workload *h)
{
    uint32_t i;

    for (i = 0; i < m->n; i++) {
        struct memo_ent *e = &m->v[i];

        if (e->h == h && e->n == n && e->mc == mc && e->mode == mode &&
            e->mig == mig)
            return e;
    }
    return NULL;
}

/* w with n-1 copies of h (h may be w) on a whole GPU, or on one instance
 * of 'mig' time-sliced; whether every process meets its own target, not
 * only w. */
static bool
with_copies_on(struct P *P, const struct model_ctx *mc,
               enum gp_plan_mode mode, const struct gp_mig_profile *mig,
               uint32_t n, const struct gp_workload *w,
               const struct gp_workload *h, struct pred *out)
{
    const struct gp_workload *ws[MAX_COLOC];
    struct pred pr[MAX_COLOC];
    struct memo *m = &P->memos[w - P->inv->loads];
    struct memo_ent *e;
    uint32_t i;

    if (n == 1)
        h = w;
    if ((e = memo_find(m, mc, mode, mig, n, h)) != NULL) {
        *out = e->out;
        return e->ok;
    }
    ws[0] = w;
    for (i = 1; i < n; i++)
        ws[i] = h;
    evaluate(P, mc, mode, n, mig, ws, n, pr);
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 8;
        m->v = gp_xrealloc(m->v, m->cap * sizeof(*m->v));
    }
    e = &m->v[m->n++];
    e->mc = mc;
    e->mig = mig;
    e->mode = mode;
    e->n = n;
    e->h = h;
    e->out = pr[0];
    e->ok = true;
    for (i = 0; i < n; i++)
        e->ok = e->ok && pr[i].meets;
    *out = e->out;
    return e->ok;
}

static bool
with_copies(struct P *P, const struct model_ctx *mc, enum gp_plan_mode mode,
            uint32_t n, const struct gp_workload *w,
            const struct gp_workload *h, struct pred *out)
{
    return with_copies_on(P, mc, mode, NULL, n, w, h, out);
}

/* ---- step 1: options per workload and model ---------------------------- */

struct option {
    enum gp_plan_mode mode;
    uint32_t n;                 /* replicas per GPU (1: exclusive, MIG) */
    const struct gp_mig_profile *mig;
    double frac;                /* GPUs per replica */
    struct pred pred;
    bool ok;
    /* every alternative, for choosing again under other constraints */
    bool excl_ok;
    struct pred excl;           /* alone on a whole GPU */
    const struct gp_mig_profile *mig_alt; /* smallest MIG instance that
                                           * works, if any */
    struct pred mig_pred;
    uint32_t ts_n, mps_n;       /* most replicas per GPU that work under
                                 * time-slicing and MPS (0: none) */
    struct pred ts_pred, mps_pred;
    /* time-sliced MIG instances: the profile that packs most replicas per
     * GPU, and how many share one instance (0: none) */
    const struct gp_mig_profile *mig_ts;
    uint32_t mig_ts_n;
    struct pred mig_ts_pred;
    uint32_t mps_later_hi, mps_later_guess; /* MPS search put off */
    double mig_ts_least;        /* what mig_ts must beat (whole GPUs) */
    double mig_ts_searched;     /* searched below this share (0: not yet):
                                 * lazily, for the pools that try it */
};

#define MODE_BIT(m) (1u << (m))
#define ALL_MODES 0xfu
/* time-sliced MIG instances: tried per pool after the rounds
 * (pool_try_mig_ts), never in placement */
#define MIG_TS_BIT (1u << 4)

/* The cheapest of o's alternatives among the allowed modes; !ok if none. */
static struct option
pick(const struct option *o, unsigned allowed)
{
    struct option r = *o;

    r.ok = false;
    r.frac = HUGE_VAL;
#define TRY(cond, m, nn, f, pr, pf)                                         \
    if ((cond) && (allowed & MODE_BIT(m)) &&                               \
        ((f) < r.frac - 1e-12 ||                                           \
         (fabs((f) - r.frac) <= 1e-12 && (m) < r.mode))) {                 \
        r.ok = true;                                                       \
        r.mode = (m);                                                      \
        r.n = (nn);                                                        \
        r.frac = (f);                                                      \
        r.pred = (pr);                                                     \
        r.mig = (pf);                                                      \
    }
    /* cheaper first; at equal cost the stronger isolation (the modes are
     * declared from strongest to weakest) */
    TRY(o->excl_ok, GP_PLAN_EXCLUSIVE, 1, 1.0, o->excl, NULL)
    TRY(o->mig_alt, GP_PLAN_MIG, 1, 1.0 / o->mig_alt->max_count, o->mig_pred,
        o->mig_alt)
    TRY(o->mig_ts_n >= 2 && (allowed & MIG_TS_BIT), GP_PLAN_MIG, o->mig_ts_n,
        1.0 / ((double)o->mig_ts->max_count * o->mig_ts_n), o->mig_ts_pred,
        o->mig_ts)
    TRY(o->ts_n >= 2, GP_PLAN_TIME_SLICING, o->ts_n, 1.0 / o->ts_n,
        o->ts_pred, NULL)
    TRY(o->mps_n >= 2, GP_PLAN_MPS, o->mps_n, 1.0 / o->mps_n, o->mps_pred,
        NULL)
#undef TRY
    return r;
}

struct wl {
    const struct gp_workload *w;
    uint64_t mem_mib;
    double duty;                /* GPU busy share of one replica alone */
    double lb;                  /* least GPU share per replica, any model */
    struct option *best;        /* per model, when have[] says so */
    bool *have;
    const char *why;            /* when no model works */
    /* placement */
    size_t *bans;               /* pools it was evicted from */
    size_t n_bans;
    size_t pool;                /* SIZE_MAX: unplaced */
    struct option chosen;
};

static uint64_t
mib_of(uint64_t bytes)
{
    return (bytes + (1u << 20) - 1) >> 20;
}

static uint32_t
mps_cap(const struct gp_gpu_model *m)
{
    /* 48 clients from compute capability 7.5, else 16 (config-formats R6) */
    double cc = m->compute_capability ? atof(m->compute_capability) : 0;

    return cc >= 7.5 - 1e-9 ? 48 : 16;
}

/* The largest n in [2, hi] for which n copies of w all meet their
 * targets (0: none), assuming that once n fails every larger n fails too
 * (more co-tenants never help). 'guess' is where the answer likely is (the
 * load bound): tried first, then galloping up or bisecting down, so a few
 * evaluations instead of one per n. */
static uint32_t
largest_ok(struct P *P, const struct model_ctx *mc, enum gp_plan_mode mode,
           const struct gp_mig_profile *mig, const struct gp_workload *w,
           uint32_t guess, uint32_t hi, struct pred *best)
{
    uint32_t good = 1, bad = hi + 1, n, step = 1;
    struct pred pr;

    n = guess < 2 ? 2 : guess > hi ? hi : guess;
    while (n < bad && n > good) {
        if (with_copies_on(P, mc, mode, mig, n, w, w, &pr)) {
            good = n;
            *best = pr;
            if (bad == hi + 1) {
                /* still galloping up */
                n = n + step > hi ? hi : n + step;
                step *= 2;
                continue;
            }
        } else {
            bad = n;
        }
        n = good + (bad - good) / 2;
    }
    return good >= 2 ? good : 0;
}

/* The most copies of x that could share one instance of pf: as many as its
 * memory holds, at most TS_MAX_REPLICAS, and within the estimate's trusted
 * load (the searches use the estimate alone, and an instance is no faster
 * than the whole GPU). Below 2: none; one instance per GPU is whole-GPU
 * time-slicing. */
static uint32_t
mig_ts_most(const struct wl *x, const struct gp_mig_profile *pf)
{
    double by_load = x->duty > 0 ? GP_ANALYTIC_MAX_LOAD / x->duty
                                 : TS_MAX_REPLICAS;
    uint64_t hi = pf->memory_mib / (x->mem_mib ? x->mem_mib : 1);

    if (pf->max_count < 2)
        return 0;
    hi = hi < TS_MAX_REPLICAS ? hi : TS_MAX_REPLICAS;
    return (uint32_t)((double)hi < by_load ? (double)hi : by_load);
}

/* Time-sliced MIG instances for x: per profile, the most copies of x that
 * share one instance and all meet their targets; kept is the profile with
 * the most replicas per GPU, if that beats 'least' (a GPU share). */
static void
mig_ts_options(struct P *P, const struct wl *x, const struct model_ctx *mc,
               struct option *best, double least)
{
    uint32_t his[GP_MIG_MAX_PROFILES];
    size_t ord[GP_MIG_MAX_PROFILES], n_ord = 0, i, j;

    /* the profiles by their best case (as many copies as memory and the
     * trusted load allow), best first: the search stops where the next
     * cannot beat what is found */
    for (i = 0; i < mc->n_profs && i < GP_MIG_MAX_PROFILES; i++) {
        const struct gp_mig_profile *pf = mc->profs[i];
        uint32_t hi = mig_ts_most(x, pf);

        if (hi < 2)
            continue;
        his[i] = hi;
        for (j = n_ord; j > 0 && (double)mc->profs[ord[j - 1]]->max_count *
                                         his[ord[j - 1]] <
                                     (double)pf->max_count * hi;
             j--)
            ord[j] = ord[j - 1];
        ord[j] = i;
        n_ord++;
    }
    for (j = 0; j < n_ord; j++) {
        const struct gp_mig_profile *pf = mc->profs[ord[j]];
        uint32_t hi = his[ord[j]], n, guess;
        struct pred pr;

        if (1.0 / ((double)pf->max_count * hi) >= least - 1e-12)
            break;
        /* an instance of 1/c of the GPU runs a compute-bound replica at
         * about c times its whole-GPU duty */
        guess = x->duty > 0 ? (uint32_t)fmin(
                                  hi, GP_ANALYTIC_MAX_LOAD /
                                          (x->duty * pf->max_count))
                            : hi;
        /* by the estimate alone: the engine's budget is the whole plan's,
         * and these searches (one per profile) would spend it before the
         * whole-GPU options of later workloads get any */
        P->analytic_only = !P->o->engine_only;
        n = largest_ok(P, mc, GP_PLAN_TIME_SLICING, pf, x->w,
                       guess < 2 ? 2 : guess, hi, &pr);
        P->analytic_only = false;
        if (n >= 2 && 1.0 / ((double)pf->max_count * n) < least - 1e-12) {
            least = 1.0 / ((double)pf->max_count * n);
            best->mig_ts = pf;
            best->mig_ts_n = n;
            best->mig_ts_pred = pr;
        }
    }
}

/* Every way x can run on model mc that meets its target: alone, on the
 * smallest MIG instance, and the most replicas per GPU under time-slicing
 * and MPS. Searches stop where a cheaper alternative is already known. */
static void
options(struct P *P, struct wl *x, const struct model_ctx *mc,
        struct option *best)
{
    const struct gp_workload *w = x->w;
    const struct gp_gpu_model *m = mc->m;
    double least = 1, always = 1;
    size_t i;

    memset(best, 0, sizeof(*best));
    if (x->mem_mib > m->memory_mib)
        return;
    best->excl_ok = with_copies(P, mc, GP_PLAN_EXCLUSIVE, 1, w, w,
                                &best->excl);
    if (!best->excl_ok)
        return; /* nothing smaller will do better */
    for (i = 0; i < mc->n_profs; i++) {
        const struct gp_mig_profile *pf = mc->profs[i];
        const struct gp_workload *ws[1] = {w};
        struct pred pr;

        if (pf->memory_mib < x->mem_mib || pf->max_count == 0)
            continue;
        if (1.0 / pf->max_count >= 1)
            break;
        evaluate(P, mc, GP_PLAN_MIG, 1, pf, ws, 1, &pr);
        if (pr.meets) {
            best->mig_alt = pf;
            best->mig_pred = pr;
            least = 1.0 / pf->max_count;
            break;
        }
    }
    if (w->isolation != GP_ISOLATION_HARD) {
        uint32_t hi = (uint32_t)(m->memory_mib / (x->mem_mib ? x->mem_mib : 1));
        /* n copies put at least n times one replica's load on the GPU */
        uint32_t by_load =
            best->excl.load > 0
                ? (uint32_t)fmin(MAX_COLOC,
                                 GP_ANALYTIC_MAX_LOAD / best->excl.load)
                : MAX_COLOC;

        /* past the trusted load only the engine can say yes */
        bool beyond = P->o->engine_only ||
                      P->engine_events < P->o->engine_budget;
        uint32_t guess = by_load < 2 ? 2 : by_load;

        hi = hi < TS_MAX_REPLICAS ? hi : TS_MAX_REPLICAS;
        if (!beyond)
            hi = hi < by_load ? hi : by_load;
        if (hi >= 2)
            best->ts_n = largest_ok(P, mc, GP_PLAN_TIME_SLICING, NULL, w,
                                    guess, hi, &best->ts_pred);
        /* Time-slicing is allowed in every plan; MIG and MPS are not (a
         * plan may use one of them only), so a search is skipped only
         * where a mode that is allowed whenever it is beats it. */
        if (best->ts_n)
            always = fmin(always, 1.0 / best->ts_n);
        hi = mps_cap(m);
        while (hi >= 2 && m->memory_mib / hi < x->mem_mib)
            hi--;
        if (!beyond)
            hi = hi < by_load ? hi : by_load;
        /* searched unless its most replicas cannot beat what is known;
         * where only a MIG instance beats it, searched once a plan without
         * MIG asks (option_on) */
        if (hi >= 2 && 1.0 / hi < fmin(always, least) - 1e-12)
            best->mps_n = largest_ok(P, mc, GP_PLAN_MPS, NULL, w, guess, hi,
                                     &best->mps_pred);
        else if (hi >= 2 && 1.0 / hi < always - 1e-12) {
            best->mps_later_hi = hi;
            best->mps_later_guess = guess;
        }
        /* time-sliced instances: searched when a pool tries them
         * (mig_ts_moves), only where they beat whole-GPU time-slicing and
         * a whole instance */
        best->mig_ts_least = fmin(always, least);
    }
    *best = pick(best, ALL_MODES);
}

/* ---- names -------------------------------------------------------------- */

/* A label value (<= 63, [A-Za-z0-9] at both ends, [-_.A-Za-z0-9] inside)
 * from the pool name and a suffix; long pool names are cut and made unique
 * with a hash of the whole. */
static const char *
group_name(struct gp_arena *a, const char *pool, const char *suffix)
{
    struct gp_strbuf sb = GP_STRBUF_INIT;
    char *out;
    size_t i, room = 63 - strlen(suffix) - 1;

    for (i = 0; pool[i]; i++) {
        char c = pool[i];

        gp_strbuf_putc(&sb, (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                    (c >= '0' && c <= '9') || c == '.' ||
                                    c == '_'
                                ? c
                                : '-');
    }
    if (sb.len > room) {
        uint32_t h = 2166136261u;

        for (i = 0; pool[i]; i++)
            h = (h ^ (unsigned char)pool[i]) * 16777619u;
        sb.len = room - 9;
        sb.buf[sb.len] = '\0';
        gp_strbuf_printf(&sb, "-%08x", h);
    }
    while (sb.len && !((sb.buf[0] >= 'a' && sb.buf[0] <= 'z') ||
                       (sb.buf[0] >= 'A' && sb.buf[0] <= 'Z') ||
                       (sb.buf[0] >= '0' && sb.buf[0] <= '9'))) {
        memmove(sb.buf, sb.buf + 1, sb.len);
        sb.len--;
    }
    if (!sb.len)
        gp_strbuf_puts(&sb, "pool");
    gp_strbuf_printf(&sb, "-%s", suffix);
    out = gp_arena_strdup(a, sb.buf);
    gp_strbuf_release(&sb);
    return out;
}

/* ---- step 3: groups ---------------------------------------------------- */

struct gvec {
    struct gp_plan_group *v;
    size_t n, cap;
};

static struct gp_plan_group *
new_group(struct gvec *gv, const struct gp_node_pool *pool,
          enum gp_plan_mode mode, uint32_t n, const char *name)
{
    struct gp_plan_group *g;

    if (gv->n == gv->cap) {
        gv->cap = gv->cap ? gv->cap * 2 : 16;
        gv->v = gp_xrealloc(gv->v, gv->cap * sizeof(*gv->v));
    }
    g = &gv->v[gv->n++];
    memset(g, 0, sizeof(*g));
    g->name = name;
    g->steer = name;
    g->pool = pool;
    g->mode = mode;
    g->replicas = n;
    g->gpu_mem_mib = pool->gpu->memory_mib;
    return g;
}

/* The device plugin's resource for a MIG profile under the mixed
 * strategy: '.' where profile names have '+'. */
static const char *
mig_resource(struct P *P, const struct gp_mig_profile *mig)
{
    struct gp_strbuf sb = GP_STRBUF_INIT;
    const char *c, *r;

    gp_strbuf_puts(&sb, "nvidia.com/mig-");
    for (c = mig->name; *c; c++)
        gp_strbuf_putc(&sb, *c == '+' ? '.' : *c);
    r = gp_arena_strdup(P->a, sb.buf);
    gp_strbuf_release(&sb);
    return r;
}

static void
add_assign(struct P *P, struct gp_plan_group *g, const struct wl *x,
           const struct pred *pr, const struct gp_mig_profile *mig)
{
    struct gp_plan_assign *as;

    /* doubling: groups of thousands of workloads stay linear */
    if (g->n_assigns == g->assigns_cap) {
        size_t cap = g->assigns_cap ? 2 * g->assigns_cap : 4;

        g->assigns = gp_arena_grow(P->a, g->assigns, g->n_assigns, cap,
                                   sizeof(*g->assigns));
        g->assigns_cap = cap;
    }
    as = &g->assigns[g->n_assigns++];
    memset(as, 0, sizeof(*as));
    as->w = x->w;
    as->replicas = x->w->replicas;
    as->mig = mig;
    as->resource = mig ? mig_resource(P, mig) : "nvidia.com/gpu";
    as->throughput = pr->x;
    as->offered = per_replica_rate(x->w);
    as->p50 = pr->p50;
    as->p99 = pr->p99;
    as->has_latency = pr->has_lat;
    as->stable = pr->stable;
    as->meets_target = pr->meets;
    as->by_engine = pr->engine;
    as->mem_need_mib = x->mem_mib;
    as->mem_limit_mib = mig                     ? mig->memory_mib
                        : g->mode == GP_PLAN_MPS ? g->gpu_mem_mib / g->replicas
                                                 : g->gpu_mem_mib;
}

static uint32_t
ceil_div(uint64_t a, uint64_t b)
{
    return (uint32_t)((a + b - 1) / b);
}

static int
by_duty_desc(const void *pa, const void *pb)
{
    const struct wl *a = *(const struct wl *const *)pa;
    const struct wl *b = *(const struct wl *const *)pb;

    if (a->duty != b->duty)
        return a->duty > b->duty ? -1 : 1;
    return strcmp(a->w->name, b->w->name);
}

/* GPU time of one launch-to-sync burst: what a time-sliced co-tenant waits
 * behind. */
static double
burst_of(const struct gp_workload *w)
{
    return w->service_time_s / (w->syncs ? w->syncs : 1);
}

/* One pool's workloads sharing 'mode' with n replicas per GPU (MPS: of one
 * tenant). Each subgroup keeps its heaviest member by duty (the first, as
 * members arrive heaviest first) and by burst length; a workload joins the
 * first subgroup where it and those two, as its n-1 co-tenants, all meet
 * their targets. */
static void
shared_groups(struct P *P, struct gvec *gv, const struct gp_node_pool *pool,
              const struct model_ctx *mc, enum gp_plan_mode mode, uint32_t n,
              const char *tenant, struct wl **ws, size_t k)
{
    struct sub {
        size_t g;               /* index in gv: it grows (and moves) */
        const struct wl *heavy, *longest;
        uint64_t replicas;
        double load;
    } *subs = gp_xcalloc(k + 1, sizeof(*subs));
    size_t n_subs = 0, i, s;
    char suffix[96];

    qsort(ws, k, sizeof(*ws), by_duty_desc);
    for (i = 0; i < k; i++) {
        struct wl *x = ws[i];
        struct pred pr = x->chosen.pred;

        for (s = 0; s < n_subs; s++) {
            struct sub *sb = &subs[s];
            const struct wl *lg = sb->longest;
            struct pred p1, p2;
            double burst = burst_of(x->w), lburst = burst_of(lg->w);

            if (!with_copies(P, mc, mode, n, x->w, sb->heavy->w, &p1))
                continue;
            pr = p1;
            if (burst > lburst) {
                /* x becomes the longest: the members must bear it */
                size_t j;
                bool ok = true;

                for (j = 0; j < gv->v[sb->g].n_assigns && ok; j++)
                    ok = with_copies(P, mc, mode, n,
                                     gv->v[sb->g].assigns[j].w, x->w, &p2);
                if (!ok)
                    continue;
            } else if (lg != sb->heavy) {
                if (!with_copies(P, mc, mode, n, x->w, lg->w, &p2))
                    continue;
                if (p2.p99 > pr.p99)
                    pr = p2;
            }
            break;
        }
        if (s == n_subs) {
            snprintf(suffix, sizeof(suffix), "%s%u%s%.40s",
                     mode == GP_PLAN_MPS ? "mps" : "ts", n,
                     tenant ? "-" : "", tenant ? tenant : "");
            if (n_subs)
                snprintf(suffix + strlen(suffix), sizeof(suffix) - strlen(suffix),
                         "-%zu", n_subs + 1);
            new_group(gv, pool, mode, n,
                      group_name(P->a, pool->name, suffix))->tenant = tenant;
            subs[s].g = gv->n - 1;
            subs[s].heavy = subs[s].longest = x;
            n_subs++;
        }
        {
            const struct wl *lg = subs[s].longest;

            if (burst_of(x->w) > burst_of(lg->w))
                subs[s].longest = x;
        }
        add_assign(P, &gv->v[subs[s].g], x, &pr, NULL);
        subs[s].replicas += x->w->replicas;
        subs[s].load += x->duty * x->w->replicas;
    }
    for (s = 0; s < n_subs; s++) {
        struct gp_plan_group *g = &gv->v[subs[s].g];
        size_t j;
        uint64_t top = 0;

        g->gpus_used = ceil_div(subs[s].replicas, n);
        g->nodes = ceil_div(g->gpus_used, pool->gpus_per_node);
        g->utilisation = subs[s].load / g->gpus_used;
        /* worst co-located memory: the n largest replicas */
        for (j = 0; j < g->n_assigns; j++)
            if (g->assigns[j].mem_need_mib > top)
                top = g->assigns[j].mem_need_mib;
        g->worst_mem_mib = mode == GP_PLAN_MPS ? top : top * n;
        if (mode == GP_PLAN_MPS)
            g->gpu_mem_mib = pool->gpu->memory_mib / n;
    }
    free(subs);
}

struct layouts {
    struct gp_mig_layout *v;
    size_t n, cap;
};

static void
collect_layout(const struct gp_mig_layout *l, void *ctx)
{
    struct layouts *ls = ctx;

    if (ls->n == ls->cap) {
        ls->cap = ls->cap ? ls->cap * 2 : 64;
        ls->v = gp_xrealloc(ls->v, ls->cap * sizeof(*ls->v));
    }
    ls->v[ls->n++] = *l;
}

static uint32_t
count_in(const struct gp_mig_layout *l, const struct gp_mig_profile *p)
{
    uint32_t i, c = 0;

    for (i = 0; i < l->n; i++)
        c += l->inst[i].profile == p;
    return c;
}

/* How many pods share one instance of pf in this pool (1: none do). All
 * the pool's MIG groups expose nvidia.com/mig-<pf> under one steering
 * value, so the time-slicing of pf is the same for every workload that
 * uses it: the fewest replicas any of them chose (1 when one runs alone:
 * hard isolation, or no room for a second), lowered until each meets its
 * target beside n-1 copies of the heaviest and of the longest-burst of
 * them, the worst co-location the scheduler can make (as for whole-GPU
 * time-slicing, and as 'gpuplan check' judges it). preds[i] gets ws[i]'s
 * prediction there, for the workloads on pf. */
static uint32_t
mig_share(struct P *P, const struct model_ctx *mc,
          const struct gp_mig_profile *pf, struct wl **ws, size_t k,
          struct pred *preds)
{
    const struct wl *heavy = NULL, *longest = NULL;
    uint32_t n = TS_MAX_REPLICAS;
    size_t i;

    for (i = 0; i < k; i++) {
        if (ws[i]->chosen.mig != pf)
            continue;
        n = ws[i]->chosen.n < n ? ws[i]->chosen.n : n;
        if (!heavy || ws[i]->duty > heavy->duty)
            heavy = ws[i];
        if (!longest || burst_of(ws[i]->w) > burst_of(longest->w))
            longest = ws[i];
    }
    /* by the estimate alone, as the options were found (mig_ts_options) */
    P->analytic_only = !P->o->engine_only;
    for (; n >= 2; n--) {
        bool ok = true;

        for (i = 0; i < k && ok; i++) {
            struct pred p1, p2;

            if (ws[i]->chosen.mig != pf)
                continue;
            ok = with_copies_on(P, mc, GP_PLAN_TIME_SLICING, pf, n, ws[i]->w,
                                heavy->w, &p1) &&
                 with_copies_on(P, mc, GP_PLAN_TIME_SLICING, pf, n, ws[i]->w,
                                longest->w, &p2);
            if (ok)
                preds[i] = p2.p99 > p1.p99 ? p2 : p1;
        }
        if (ok)
            break;
    }
    P->analytic_only = false;
    if (n >= 2)
        return n;
    for (i = 0; i < k; i++) {
        if (ws[i]->chosen.mig != pf)
            continue;
        if (ws[i]->chosen.n == 1)
            preds[i] = ws[i]->chosen.pred;
        else
            with_copies_on(P, mc, GP_PLAN_MIG, pf, 1, ws[i]->w, ws[i]->w,
                           &preds[i]);
    }
    return 1;
}

/* The MIG workloads of one pool: how many GPUs get which layout, exactly
 * (GLPK), then nodes of identical per-GPU layouts become groups. */
static int
mig_groups(struct P *P, struct gvec *gv, const struct gp_node_pool *pool,
           const struct model_ctx *mc, struct wl **ws, size_t k,
           const char *kind, double *lp_bound)
{
    const struct gp_mig_profile *profs[GP_MIG_MAX_PROFILES];
    double demand[GP_MIG_MAX_PROFILES];
    uint64_t want_reps[GP_MIG_MAX_PROFILES], top[GP_MIG_MAX_PROFILES];
    uint32_t share[GP_MIG_MAX_PROFILES];
    struct pred *preds = gp_xcalloc(k + 1, sizeof(*preds));
    size_t np = 0, i, j, p;
    struct layouts ls = {NULL, 0, 0};
    struct gp_cover cv;
    struct gp_cover_result res;
    double *amat, *cost;
    struct gp_mig_layout *gpus;
    uint32_t n_gpus = 0, G = pool->gpus_per_node, node, n_nodes;
    int rc = 0;

    for (i = 0; i < k; i++) {
        for (p = 0; p < np && profs[p] != ws[i]->chosen.mig; p++)
            ;
        if (p == np) {
            profs[np] = ws[i]->chosen.mig;
            want_reps[np] = top[np] = 0;
            np++;
        }
        want_reps[p] += ws[i]->w->replicas;
        top[p] = ws[i]->mem_mib > top[p] ? ws[i]->mem_mib : top[p];
    }
    /* instances needed: replicas over the pods that share one */
    for (p = 0; p < np; p++) {
        share[p] = mig_share(P, mc, profs[p], ws, k, preds);
        demand[p] = ceil_div(want_reps[p], share[p]);
    }
    gp_mig_enumerate(mc->m->mig, profs, np, true, collect_layout, &ls);
    amat = gp_xcalloc(np * ls.n + 1, sizeof(double));
    cost = gp_xcalloc(ls.n + 1, sizeof(double));
    for (j = 0; j < ls.n; j++) {
        cost[j] = 1;
        for (p = 0; p < np; p++)
            amat[p * ls.n + j] = count_in(&ls.v[j], profs[p]);
    }
    cv.rows = np;
    cv.cols = ls.n;
    cv.a = amat;
    cv.demand = demand;
    cv.cost = cost;
    if (gp_cover_solve(&cv, &res) < 0) {
        gp_error_at(P->d, pool->loc,
                    "the MIG layout program for pool '%s' found no solution "
                    "(internal error)",
                    pool->name);
        rc = -1;
        goto out;
    }
    *lp_bound += res.lp_bound;
    for (j = 0; j < ls.n; j++)
        n_gpus += (uint32_t)res.x[j];
    n_nodes = ceil_div(n_gpus, G);
    gpus = gp_arena_calloc(P->a, (size_t)n_nodes * G + 1, sizeof(*gpus));
    for (j = 0, i = 0; j < ls.n; j++) {
        uint32_t c;

        for (c = 0; c < (uint32_t)res.x[j]; c++)
            gpus[i++] = ls.v[j];
    }
    /* Nodes with the same per-GPU layouts share a group (one mig-parted
     * config each); all of the pool's MIG groups share one steering value. */
    {
        const char *steer = group_name(P->a, pool->name, kind);
        size_t first_idx = gv->n;

        for (node = 0; node < n_nodes; node++) {
            const struct gp_mig_layout *mine = &gpus[(size_t)node * G];
            struct gp_plan_group *g = NULL;
            size_t gi;

            for (gi = first_idx; gi < gv->n; gi++)
                if (memcmp(gv->v[gi].layouts, mine, G * sizeof(*mine)) == 0)
                    g = &gv->v[gi];
            if (!g) {
                char suffix[32];

                if (gv->n == first_idx)
                    snprintf(suffix, sizeof(suffix), "%s", kind);
                else
                    snprintf(suffix, sizeof(suffix), "%s-%zu", kind,
                             gv->n - first_idx + 1);
                g = new_group(gv, pool, GP_PLAN_MIG, 1,
                              group_name(P->a, pool->name, suffix));
                g->steer = steer;
                g->layouts = mine;
            }
            g->nodes++;
            for (i = 0; i < G; i++)
                g->gpus_used += mine[i].n > 0;
        }
        /* assigns: each workload's replicas fill its profile's instances
         * group by group, so the groups' replicas add up to the
         * workload's (pods land on any of them: one steering value) */
        {
            size_t ng = gv->n - first_idx;
            uint64_t *room = gp_xcalloc(ng * np + 1, sizeof(*room));
            double *load = gp_xcalloc(ng + 1, sizeof(*load));

            for (i = 0; i < ng; i++)
                for (p = 0; p < np; p++) {
                    const struct gp_plan_group *g = &gv->v[first_idx + i];
                    uint32_t c;

                    for (c = 0; c < G; c++)
                        room[i * np + p] += count_in(&g->layouts[c], profs[p]);
                    room[i * np + p] *= (uint64_t)g->nodes * share[p];
                }
            for (j = 0; j < k; j++) {
                uint64_t want = ws[j]->w->replicas;

                for (p = 0; profs[p] != ws[j]->chosen.mig; p++)
                    ;
                for (i = 0; i < ng && want; i++) {
                    struct gp_plan_group *g = &gv->v[first_idx + i];
                    struct gp_plan_assign *as;
                    uint64_t *left = &room[i * np + p];
                    uint64_t r = want < *left ? want : *left;

                    if (!r)
                        continue;
                    *left -= r;
                    want -= r;
                    add_assign(P, g, ws[j], &preds[j], ws[j]->chosen.mig);
                    as = &g->assigns[g->n_assigns - 1];
                    as->replicas = (uint32_t)r;
                    /* time-sliced: the instance less its co-tenants' peaks */
                    as->mem_limit_mib -= (share[p] - 1) * top[p];
                    load[i] += ws[j]->duty * (double)r;
                    if (share[p] * top[p] > g->worst_mem_mib)
                        g->worst_mem_mib = share[p] * top[p];
                }
            }
            for (i = 0; i < ng; i++) {
                struct gp_plan_group *g = &gv->v[first_idx + i];
                struct gp_plan_mig_share *sh =
                    gp_arena_calloc(P->a, np + 1, sizeof(*sh));
                size_t n_sh = 0, a;
                uint32_t c;

                g->utilisation = g->gpus_used ? load[i] / g->gpus_used : 0;
                /* the shared profiles this group's layouts hold, by name */
                for (p = 0; p < np; p++) {
                    uint32_t in = 0;

                    for (c = 0; c < G; c++)
                        in += count_in(&g->layouts[c], profs[p]);
                    if (share[p] < 2 || !in)
                        continue;
                    for (a = n_sh; a > 0 && strcmp(sh[a - 1].profile->name,
                                                   profs[p]->name) > 0;
                         a--)
                        sh[a] = sh[a - 1];
                    sh[a].profile = profs[p];
                    sh[a].resource = mig_resource(P, profs[p]);
                    sh[a].replicas = share[p];
                    n_sh++;
                }
                g->mig_shares = sh;
                g->n_mig_shares = n_sh;
            }
            free(room);
            free(load);
        }
    }
out:
    free(res.x);
    free(amat);
    free(cost);
    free(ls.v);
    free(preds);
    return rc;
}

/* ---- step 4: fewer nodes ------------------------------------------------
 * Groups are whole nodes, so every group's last node is partly empty. A
 * small group whose workloads fit the free GPUs of the pool's other groups
 * (with those groups' configs, checked as any member is) gives its nodes
 * back. */

static uint64_t
group_replicas(const struct gp_plan_group *g)
{
    uint64_t r = 0;
    size_t j;

    for (j = 0; j < g->n_assigns; j++)
        r += g->assigns[j].replicas;
    return r;
}

static const struct gp_workload *
group_heaviest(const struct gp_plan_group *g)
{
    const struct gp_workload *h = NULL;
    double hd = -1;
    size_t j;

    for (j = 0; j < g->n_assigns; j++) {
        double d = gp_workload_duty(g->assigns[j].w);

        if (d > hd) {
            hd = d;
            h = g->assigns[j].w;
        }
    }
    return h;
}

/* Whether group t can take x's replicas on top of 'extra' already planned
 * for it; the prediction for x there goes to *pr. */
static bool
can_host(struct P *P, const struct model_ctx *mc, struct gp_plan_group *t,
         const struct wl *x, uint64_t extra, struct pred *pr)
{
    uint64_t slots = (uint64_t)t->nodes * t->pool->gpus_per_node * t->replicas;
    const struct gp_workload *h;
    struct pred p2;
    uint32_t n = t->replicas;
    size_t j;

    if (group_replicas(t) + extra + x->w->replicas > slots)
        return false;
    switch (t->mode) {
    case GP_PLAN_EXCLUSIVE:
        *pr = x->chosen.excl;
        return true;
    case GP_PLAN_TIME_SLICING:
        /* fewer co-tenants than it bears is fine; memory is then safe */
        if (x->chosen.ts_n < n)
            return false;
        break;
    case GP_PLAN_MPS:
        if (x->chosen.mps_n < n || !t->tenant ||
            strcmp(t->tenant, x->w->tenant) != 0)
            return false;
        break;
    case GP_PLAN_MIG:
        return false;
    }
    h = group_heaviest(t);
    if (!with_copies(P, mc, t->mode, n, x->w, x->w, pr) ||
        !with_copies(P, mc, t->mode, n, x->w, h, pr))
        return false;
    if (gp_workload_duty(x->w) > gp_workload_duty(h))
        for (j = 0; j < t->n_assigns; j++)
            if (!with_copies(P, mc, t->mode, n, t->assigns[j].w, x->w, &p2))
                return false;
    return true;
}

static void
refresh_group(struct gp_plan_group *g)
{
    uint64_t r = group_replicas(g), top = 0;
    double load = 0;
    size_t j;

    g->gpus_used = ceil_div(r, g->replicas);
    for (j = 0; j < g->n_assigns; j++) {
        load += gp_workload_duty(g->assigns[j].w) * g->assigns[j].replicas;
        if (g->assigns[j].mem_need_mib > top)
            top = g->assigns[j].mem_need_mib;
    }
    g->utilisation = g->gpus_used ? load / g->gpus_used : 0;
    g->worst_mem_mib = g->mode == GP_PLAN_TIME_SLICING ? top * g->replicas : top;
}

static void
absorb(struct P *P, struct gvec *gv, size_t first, const struct model_ctx *mc,
       struct wl *wls)
{
    bool improved = true;

    while (improved) {
        size_t *ord = gp_xcalloc(gv->n + 1, sizeof(*ord)), n_ord = 0, oi, s, q;

        improved = false;
        /* the emptiest groups first: the easiest to dissolve */
        for (s = first; s < gv->n; s++) {
            if (gv->v[s].mode == GP_PLAN_MIG || !gv->v[s].nodes)
                continue;
            for (q = n_ord; q > 0 && gv->v[ord[q - 1]].gpus_used >
                                         gv->v[s].gpus_used; q--)
                ord[q] = ord[q - 1];
            ord[q] = s;
            n_ord++;
        }
        for (oi = 0; oi < n_ord && !improved; oi++) {
            struct gp_plan_group *src;
            size_t *dest, j, t;
            uint64_t *extra;
            struct pred *preds;
            bool all = true;

            s = ord[oi];
            src = &gv->v[s];
            dest = gp_xcalloc(src->n_assigns + 1, sizeof(*dest));
            preds = gp_xcalloc(src->n_assigns + 1, sizeof(*preds));
            extra = gp_xcalloc(gv->n + 1, sizeof(*extra));
            for (j = 0; j < src->n_assigns && all; j++) {
                const struct wl *x = &wls[src->assigns[j].w - P->inv->loads];

                dest[j] = SIZE_MAX;
                for (t = first; t < gv->n; t++) {
                    struct gp_plan_group *tg = &gv->v[t];

                    if (t == s || !tg->nodes || tg->mode == GP_PLAN_MIG)
                        continue;
                    if (can_host(P, mc, tg, x, extra[t], &preds[j])) {
                        dest[j] = t;
                        extra[t] += x->w->replicas;
                        break;
                    }
                }
                all = dest[j] != SIZE_MAX;
            }
            if (all) {
                for (j = 0; j < src->n_assigns; j++) {
                    const struct wl *x = &wls[src->assigns[j].w - P->inv->loads];
                    struct gp_plan_group *tg = &gv->v[dest[j]];

                    add_assign(P, tg, x, &preds[j], NULL);
                    refresh_group(tg);
                }
                src->nodes = 0;
                src->n_assigns = 0;
                src->gpus_used = 0;
                improved = true;
            }
            free(dest);
            free(preds);
            free(extra);
        }
        free(ord);
    }
}

/* ---- step 5: fewer partial nodes --------------------------------------
 * Each group's last node is partly empty, and absorb() cannot move a
 * member into a group whose config it cannot bear. Two groups of a pool
 * can still share nodes under a config both bear: time-slicing with the
 * smaller replica count (MPS members switch to time-slicing, or stay MPS
 * when the other group is MPS of the same tenant). Merge when that takes
 * fewer nodes and every member meets its target beside the merged group's
 * heaviest and longest-burst members. */

static bool
bears(const struct wl *x, enum gp_plan_mode mode, uint32_t n,
      const char *tenant)
{
    if (mode == GP_PLAN_TIME_SLICING)
        return x->chosen.ts_n >= n;
    return x->chosen.mps_n >= n && tenant &&
           strcmp(tenant, x->w->tenant) == 0;
}

static bool
try_merge(struct P *P, struct gvec *gv, size_t ia, size_t ib,
          const struct model_ctx *mc, struct wl *wls)
{
    struct gp_plan_group *A = &gv->v[ia], *B = &gv->v[ib];
    enum gp_plan_mode mode;
    const char *tenant = NULL;
    uint32_t n = A->replicas < B->replicas ? A->replicas : B->replicas;
    uint32_t G = A->pool->gpus_per_node, nodes;
    const struct gp_workload *heavy = NULL, *longest = NULL;
    struct gp_plan_assign *all;
    struct pred *preds;
    uint64_t replicas = 0;
    size_t k = A->n_assigns + B->n_assigns, j;
    bool ok = true;

    if (A->mode == GP_PLAN_MPS && B->mode == GP_PLAN_MPS &&
        strcmp(A->tenant, B->tenant) == 0) {
        mode = GP_PLAN_MPS;
        tenant = A->tenant;
    } else {
        mode = GP_PLAN_TIME_SLICING;
    }
    if (!(P->allowed & MODE_BIT(mode)) || n < 2)
        return false;
    all = gp_xcalloc(k + 1, sizeof(*all));
    preds = gp_xcalloc(k + 1, sizeof(*preds));
    memcpy(all, A->assigns, A->n_assigns * sizeof(*all));
    memcpy(all + A->n_assigns, B->assigns, B->n_assigns * sizeof(*all));
    for (j = 0; j < k; j++) {
        const struct wl *x = &wls[all[j].w - P->inv->loads];

        replicas += all[j].replicas;
        ok = ok && bears(x, mode, n, tenant);
        if (!heavy || x->duty > gp_workload_duty(heavy))
            heavy = x->w;
        if (!longest || burst_of(x->w) > burst_of(longest))
            longest = x->w;
    }
    nodes = ceil_div(ceil_div(replicas, n), G);
    if (!ok || nodes >= A->nodes + B->nodes)
        goto no;
    for (j = 0; j < k && ok; j++) {
        struct pred p2;

        ok = with_copies(P, mc, mode, n, all[j].w, heavy, &preds[j]);
        if (ok && longest != heavy) {
            ok = with_copies(P, mc, mode, n, all[j].w, longest, &p2);
            if (p2.p99 > preds[j].p99)
                preds[j] = p2;
        }
    }
    if (!ok)
        goto no;
    {
        char suffix[96];
        const char *name;

        snprintf(suffix, sizeof(suffix), "%s%u%s%.40s",
                 mode == GP_PLAN_MPS ? "mps" : "ts", n, tenant ? "-" : "",
                 tenant ? tenant : "");
        name = group_name(P->a, A->pool->name, suffix);
        A->mode = mode;
        A->replicas = n;
        A->tenant = tenant;
        A->name = A->steer = name;
        A->gpu_mem_mib = A->pool->gpu->memory_mib;
        A->n_assigns = 0;
        A->assigns = NULL;
        A->assigns_cap = 0;
        for (j = 0; j < k; j++)
            add_assign(P, A, &wls[all[j].w - P->inv->loads], &preds[j], NULL);
        refresh_group(A);
        if (mode == GP_PLAN_MPS)
            A->gpu_mem_mib = A->pool->gpu->memory_mib / n;
        A->nodes = nodes;
        B->nodes = 0;
        B->n_assigns = 0;
        B->gpus_used = 0;
    }
    free(all);
    free(preds);
    return true;
no:
    free(all);
    free(preds);
    return false;
}

static void
merge_groups(struct P *P, struct gvec *gv, size_t first,
             const struct model_ctx *mc, struct wl *wls)
{
    bool merged = true;
    size_t a, b;

    while (merged) {
        merged = false;
        for (a = first; a < gv->n && !merged; a++) {
            const struct gp_plan_group *A = &gv->v[a];

            if (!A->nodes || A->mode == GP_PLAN_MIG ||
                A->mode == GP_PLAN_EXCLUSIVE)
                continue;
            for (b = first; b < gv->n && !merged; b++) {
                const struct gp_plan_group *B = &gv->v[b];

                if (b == a || !B->nodes || B->mode == GP_PLAN_MIG ||
                    B->mode == GP_PLAN_EXCLUSIVE)
                    continue;
                merged = try_merge(P, gv, a, b, mc, wls);
            }
        }
    }
}

/* ---- step 6: small shared groups onto exclusive GPUs ---------------------
 * A shared group of one tenant (MPS) or of workloads that bear no common
 * config with the rest holds a node of its own, often for two GPUs. Its
 * workloads also meet their targets alone on whole GPUs (every placed
 * workload does), so the pool's exclusive group can take them: more GPUs
 * host pods, but fewer nodes are provisioned, and nodes are what the pool
 * pays for. One group alone rarely saves a node (two GPUs of MPS become
 * four exclusive ones on a full exclusive node), so groups are taken
 * together: those that need the fewest exclusive GPUs per node they free
 * first, and the prefix that frees the most nodes wins. */

struct dissolve {
    size_t g;
    uint64_t replicas;
    uint32_t nodes;
};

static int
by_gpus_per_node(const void *pa, const void *pb)
{
    const struct dissolve *a = pa, *b = pb;
    uint64_t l = a->replicas * b->nodes, r = b->replicas * a->nodes;

    if (l != r)
        return l < r ? -1 : 1;
    return a->g < b->g ? -1 : a->g > b->g;
}

static void
to_exclusive(struct P *P, struct gvec *gv, size_t first, struct wl *wls)
{
    const struct gp_node_pool *pl;
    struct dissolve *c;
    struct gp_plan_group *ex = NULL;
    uint64_t ex_r = 0, sum_r = 0;
    uint32_t G, ex_nodes = 0, freed = 0;
    size_t n_c = 0, best = 0, i, j;
    long best_save = 0;

    if (gv->n <= first || !(P->allowed & MODE_BIT(GP_PLAN_EXCLUSIVE)))
        return;
    pl = gv->v[first].pool;
    G = pl->gpus_per_node;
    c = gp_xcalloc(gv->n - first + 1, sizeof(*c));
    for (i = first; i < gv->n; i++) {
        struct gp_plan_group *g = &gv->v[i];
        bool ok = g->nodes > 0;

        if (g->mode == GP_PLAN_EXCLUSIVE && g->nodes) {
            ex = g;
            ex_r = group_replicas(g);
            ex_nodes = g->nodes;
            continue;
        }
        if (g->mode == GP_PLAN_MIG || g->mode == GP_PLAN_EXCLUSIVE)
            continue;
        for (j = 0; j < g->n_assigns && ok; j++)
            ok = wls[g->assigns[j].w - P->inv->loads].chosen.excl_ok;
        if (ok)
            c[n_c++] = (struct dissolve){i, group_replicas(g), g->nodes};
    }
    if (n_c > 1)
        qsort(c, n_c, sizeof(*c), by_gpus_per_node);
    for (i = 0; i < n_c; i++) {
        long save;

        sum_r += c[i].replicas;
        freed += c[i].nodes;
        save = (long)freed + ex_nodes - (long)ceil_div(ex_r + sum_r, G);
        if (save > best_save) {
            best_save = save;
            best = i + 1;
        }
    }
    if (!best)
        goto out;
    if (!ex) {
        ex = new_group(gv, pl, GP_PLAN_EXCLUSIVE, 1,
                       group_name(P->a, pl->name, "exclusive"));
    }
    for (i = 0; i < best; i++) {
        struct gp_plan_group *g = &gv->v[c[i].g];

        for (j = 0; j < g->n_assigns; j++) {
            const struct wl *x = &wls[g->assigns[j].w - P->inv->loads];

            add_assign(P, ex, x, &x->chosen.excl, NULL);
        }
        g->nodes = 0;
        g->n_assigns = 0;
        g->gpus_used = 0;
    }
    refresh_group(ex);
    ex->nodes = ceil_div(group_replicas(ex), G);
out:
    free(c);
}

static int
by_group(const void *pa, const void *pb)
{
    const struct gp_plan_group *a = pa, *b = pb;

    return strcmp(a->name, b->name);
}

/* Merged groups can take a name another group of the pool has: the later
 * ones (in a deterministic order) get a number. MIG groups keep theirs
 * (their steering value is shared on purpose). */
static void
unique_names(struct P *P, struct gvec *gv)
{
    bool dup = true;
    size_t i, round = 0;

    while (dup) {
        dup = false;
        if (gv->n > 1)
            qsort(gv->v, gv->n, sizeof(*gv->v), by_group);
        for (i = 1; i < gv->n; i++) {
            struct gp_plan_group *g = &gv->v[i];
            char suffix[32];

            if (strcmp(gv->v[i - 1].name, g->name) != 0)
                continue;
            dup = true;
            snprintf(suffix, sizeof(suffix), "%zu", i + 1 + round);
            g->name = gp_arena_printf(P->a, "%s-%s", g->name, suffix);
            if (g->mode != GP_PLAN_MIG)
                g->steer = g->name;
        }
        round++;
    }
}

/* ---- the plan ------------------------------------------------------------ */

const char *
gp_plan_mode_name(enum gp_plan_mode m)
{
    static const char *const n[] = {"exclusive", "time-slicing", "mps",
                                    "mig"};

    return n[m];
}

uint32_t
gp_plan_mig_pods_per_instance(const struct gp_plan_group *g,
                              const struct gp_mig_profile *p)
{
    size_t i;

    for (i = 0; i < g->n_mig_shares; i++)
        if (g->mig_shares[i].profile == p)
            return g->mig_shares[i].replicas;
    return 1;
}

static const struct model_ctx *
model_of(const struct P *P, const struct gp_gpu_model *m)
{
    size_t i;

    for (i = 0; i < P->n_models; i++)
        if (P->models[i].m == m)
            return &P->models[i];
    return NULL;
}

static int
by_profile_size(const void *pa, const void *pb)
{
    const struct gp_mig_profile *a = *(const struct gp_mig_profile *const *)pa;
    const struct gp_mig_profile *b = *(const struct gp_mig_profile *const *)pb;

    if (a->memory_slices != b->memory_slices)
        return a->memory_slices < b->memory_slices ? -1 : 1;
    if (a->compute_slices != b->compute_slices)
        return a->compute_slices < b->compute_slices ? -1 : 1;
    return strcmp(a->name, b->name);
}

static int
setup_models(struct P *P)
{
    size_t i;

    P->models = gp_xcalloc(P->inv->n_pools + 1, sizeof(*P->models));
    for (i = 0; i < P->inv->n_pools; i++) {
        const struct gp_gpu_model *m = P->inv->pools[i].gpu;
        struct model_ctx *mc;

        if (model_of(P, m))
            continue;
        mc = &P->models[P->n_models++];
        mc->m = m;
        if (gp_calib_builtin(&mc->calib, &mc->exact, P->a, m, P->d) < 0)
            return -1;
        if (m->mig) {
            mc->n_profs = gp_mig_base_profiles(m->mig, mc->profs, false);
            qsort(mc->profs, mc->n_profs, sizeof(mc->profs[0]),
                  by_profile_size);
        }
    }
    for (i = 0; i < P->n_models; i++) {
        struct model_ctx *mc = &P->models[i];
        size_t j, k;

        mc->pools = gp_xcalloc(P->inv->n_pools + 1, sizeof(*mc->pools));
        for (j = 0; j < P->inv->n_pools; j++) {
            double price = P->inv->pools[j].price_per_gpu_hour;

            if (P->inv->pools[j].gpu != mc->m)
                continue;
            /* stable insertion: equal prices keep inventory order */
            for (k = mc->n_pools;
                 k > 0 &&
                 P->inv->pools[mc->pools[k - 1]].price_per_gpu_hour > price;
                 k--)
                mc->pools[k] = mc->pools[k - 1];
            mc->pools[k] = j;
            mc->n_pools++;
        }
    }
    return 0;
}

static void
free_models(struct P *P)
{
    size_t i;

    for (i = 0; i < P->n_models; i++)
        free(P->models[i].pools);
    free(P->models);
    gp_arena_free(P->scratch);
}

/* ---- step 2: pools --------------------------------------------------- */

/* No option of x on model mc takes less of a GPU than this: memory bounds
 * every mode, the trusted load bounds the shared ones, and MIG's smallest
 * instance that holds x is its share. HUGE_VAL: the model cannot hold x. */
static double
lb_frac(const struct P *P, const struct wl *x, const struct model_ctx *mc)
{
    const struct gp_gpu_model *m = mc->m;
    double lb = 1, shared;
    size_t i;

    if (x->mem_mib > m->memory_mib)
        return HUGE_VAL;
    for (i = 0; i < mc->n_profs; i++)
        if (mc->profs[i]->memory_mib >= x->mem_mib &&
            mc->profs[i]->max_count) {
            lb = fmin(lb, 1.0 / mc->profs[i]->max_count);
            break;
        }
    if (x->w->isolation == GP_ISOLATION_HARD)
        return lb;
    shared = fmax((double)x->mem_mib / (double)m->memory_mib,
                  1.0 / MAX_COLOC);
    if (!P->o->engine_only && P->engine_events >= P->o->engine_budget)
        shared = fmax(shared, x->duty / GP_ANALYTIC_MAX_LOAD);
    return fmin(lb, shared);
}

static const struct option *
option_on(struct P *P, struct wl *x, size_t model)
{
    struct option *o = &x->best[model];

    if (!x->have[model]) {
        options(P, x, &P->models[model], o);
        x->have[model] = true;
    }
    if (o->mps_later_hi && !(P->allowed & MODE_BIT(GP_PLAN_MIG)) &&
        (P->allowed & MODE_BIT(GP_PLAN_MPS))) {
        o->mps_n = largest_ok(P, &P->models[model], GP_PLAN_MPS, NULL, x->w,
                              o->mps_later_guess, o->mps_later_hi,
                              &o->mps_pred);
        o->mps_later_hi = 0;
        *o = pick(o, ALL_MODES);
    }
    return o;
}

static int
by_lb_demand_desc(const void *pa, const void *pb)
{
    const struct wl *a = *(const struct wl *const *)pa;
    const struct wl *b = *(const struct wl *const *)pb;
    double da = a->lb * a->w->replicas, db = b->lb * b->w->replicas;

    if (da != db)
        return da > db ? -1 : 1;
    return strcmp(a->w->name, b->w->name);
}

static bool
banned(const struct wl *x, size_t pool)
{
    size_t i;

    for (i = 0; i < x->n_bans; i++)
        if (x->bans[i] == pool)
            return true;
    return false;
}

/* The cheapest pool of model 'model' with room for 'need' GPUs that has
 * not evicted x. */
static size_t
cheapest_pool(const struct P *P, size_t model, double need,
              const double *left, const struct wl *x)
{
    const struct model_ctx *mc = &P->models[model];
    size_t k;

    for (k = 0; k < mc->n_pools; k++)
        if (need <= left[mc->pools[k]] + 1e-9 && !banned(x, mc->pools[k]))
            return mc->pools[k];
    return SIZE_MAX;
}

static void
place(struct P *P, struct wl *x, double *left)
{
    const struct gp_inventory *inv = P->inv;
    size_t ord[64], n = 0, k, j, best_pool = SIZE_MAX;
    double bound[64], best_cost = HUGE_VAL;
    bool any = false;

    /* models by the least cost their bound allows */
    for (j = 0; j < P->n_models && j < 64; j++) {
        double f = lb_frac(P, x, &P->models[j]);
        size_t pl = f < HUGE_VAL ? cheapest_pool(P, j, f * x->w->replicas,
                                                 left, x)
                                 : SIZE_MAX;

        if (pl == SIZE_MAX)
            continue;
        bound[j] = f * x->w->replicas * inv->pools[pl].price_per_gpu_hour;
        for (k = n; k > 0 && bound[ord[k - 1]] > bound[j]; k--)
            ord[k] = ord[k - 1];
        ord[k] = j;
        n++;
    }
    for (k = 0; k < n; k++) {
        size_t m = ord[k], pl;
        const struct option *op;
        struct option o;
        double need, c;

        if (bound[m] >= best_cost - 1e-12)
            break;
        op = option_on(P, x, m);
        o = pick(op, P->allowed);
        if (!o.ok)
            continue;
        need = o.frac * x->w->replicas;
        if ((pl = cheapest_pool(P, m, need, left, x)) == SIZE_MAX)
            continue;
        c = need * inv->pools[pl].price_per_gpu_hour;
        if (c < best_cost - 1e-12) {
            best_cost = c;
            best_pool = pl;
        }
    }
    if (best_pool == SIZE_MAX) {
        for (j = 0; j < P->n_models; j++)
            any = any || (x->mem_mib <= P->models[j].m->memory_mib &&
                          pick(option_on(P, x, j), P->allowed).ok);
        x->why = any ? "no node pool has room left for its replicas"
                     : "no GPU model of the inventory fits its memory and "
                       "meets its target, even alone";
        return;
    }
    x->pool = best_pool;
    x->chosen = pick(option_on(P, x, model_of(P, inv->pools[best_pool].gpu) -
                                         P->models),
                     P->allowed);
    /* a whole node's worth of rounding per shared group is charged when the
     * groups are built; here only the GPUs themselves */
    left[best_pool] -= x->chosen.frac * x->w->replicas;
}

/* ---- rounds: placement, groups, capacity ------------------------------ */

static void
free_gvec(struct gvec *gv)
{
    free(gv->v);
    gv->v = NULL;
    gv->n = gv->cap = 0;
}

/* Whether a plan could want both MIG (a pool's GPU has MIG profiles) and
 * MPS (a workload allows sharing a whole GPU's SMs). */
static bool
mig_and_mps(const struct P *P)
{
    bool mig = false, mps = false;
    size_t i;

    for (i = 0; i < P->inv->n_pools; i++) {
        const struct model_ctx *mc = model_of(P, P->inv->pools[i].gpu);

        mig = mig || (mc && mc->n_profs > 0);
    }
    for (i = 0; i < P->inv->n_loads; i++)
        mps = mps || P->inv->loads[i].isolation != GP_ISOLATION_HARD;
    return mig && mps;
}

/* GPU-hours a day of the nodes the groups take, and a small charge per
 * workload left out so that no variant wins by placing less. */
static double
unplaced_cost(const struct P *P, const struct wl *wls)
{
    double c = 0;
    size_t i;

    for (i = 0; i < P->inv->n_loads; i++)
        if (wls[i].pool == SIZE_MAX)
            c += 1e12 * wls[i].w->replicas;
    return c;
}

static double
plan_cost(const struct P *P, const struct gvec *gv, const struct wl *wls)
{
    double c = unplaced_cost(P, wls);
    size_t i;

    for (i = 0; i < gv->n; i++)
        c += (double)gv->v[i].nodes * gv->v[i].pool->gpus_per_node *
             gv->v[i].pool->price_per_gpu_hour * 24;
    return c;
}

static int
by_pool_tenant(const void *pa, const void *pb)
{
    const struct wl *a = *(const struct wl *const *)pa;
    const struct wl *b = *(const struct wl *const *)pb;
    int c;

    if (a->pool != b->pool)
        return a->pool < b->pool ? -1 : 1;
    if ((c = strcmp(a->w->tenant, b->w->tenant)) != 0)
        return c;
    return strcmp(a->w->name, b->w->name);
}

/* MPS groups serve one tenant; a tenant's MPS demand that fills less than
 * a node would leave most of that node empty, so such workloads take
 * time-slicing (which mixes tenants) when they can. */
static void
small_tenants_to_ts(struct P *P, struct wl *wls, const bool *dirty)
{
    const struct gp_inventory *inv = P->inv;
    struct wl **v = gp_xcalloc(inv->n_loads + 1, sizeof(*v));
    size_t n = 0, i, j, k;

    if (!(P->allowed & MODE_BIT(GP_PLAN_TIME_SLICING))) {
        free(v);
        return;
    }
    for (i = 0; i < inv->n_loads; i++)
        if (wls[i].pool != SIZE_MAX && dirty[wls[i].pool] &&
            wls[i].chosen.mode == GP_PLAN_MPS)
            v[n++] = &wls[i];
    qsort(v, n, sizeof(*v), by_pool_tenant);
    for (i = 0; i < n; i = j) {
        double demand = 0;

        for (j = i; j < n && v[j]->pool == v[i]->pool &&
                    strcmp(v[j]->w->tenant, v[i]->w->tenant) == 0;
             j++)
            demand += v[j]->chosen.frac * v[j]->w->replicas;
        if (demand >= inv->pools[v[i]->pool].gpus_per_node)
            continue;
        for (k = i; k < j; k++) {
            struct option *c = &v[k]->chosen;

            if (!c->ts_n)
                continue;
            c->mode = GP_PLAN_TIME_SLICING;
            c->n = c->ts_n;
            c->frac = 1.0 / c->ts_n;
            c->pred = c->ts_pred;
        }
    }
    free(v);
}

static int
by_share_key(const void *pa, const void *pb)
{
    const struct wl *a = *(const struct wl *const *)pa;
    const struct wl *b = *(const struct wl *const *)pb;

    if (a->chosen.mode != b->chosen.mode)
        return a->chosen.mode < b->chosen.mode ? -1 : 1;
    if (a->chosen.n != b->chosen.n)
        return a->chosen.n < b->chosen.n ? -1 : 1;
    if (a->chosen.mode == GP_PLAN_MPS) {
        int c = strcmp(a->w->tenant, b->w->tenant);

        if (c)
            return c;
    }
    return a->w < b->w ? -1 : a->w > b->w;
}

/* One pool's groups from the workloads placed there (ws, k of them), with
 * their chosen options. */
static int
pool_groups(struct P *P, struct gvec *gv, size_t pool, struct wl **ws,
            size_t k, struct wl *wls, double *mig_lb)
{
    const struct gp_node_pool *pl = &P->inv->pools[pool];
    const struct model_ctx *mc = model_of(P, pl->gpu);
    struct gp_plan_group *ex = NULL;
    uint64_t ex_replicas = 0;
    size_t first = gv->n, i, j;

    qsort(ws, k, sizeof(*ws), by_share_key);
    for (i = 0; i < k && ws[i]->chosen.mode == GP_PLAN_EXCLUSIVE; i++) {
        struct wl *x = ws[i];

        if (!ex)
            new_group(gv, pl, GP_PLAN_EXCLUSIVE, 1,
                      group_name(P->a, pl->name, "exclusive"));
        /* new_group may move the vector */
        ex = &gv->v[first];
        add_assign(P, ex, x, &x->chosen.pred, NULL);
        ex_replicas += x->w->replicas;
        ex->utilisation += x->duty * x->w->replicas;
        if (x->mem_mib > ex->worst_mem_mib)
            ex->worst_mem_mib = x->mem_mib;
    }
    if (ex) {
        ex->gpus_used = (uint32_t)ex_replicas;
        ex->nodes = ceil_div(ex_replicas, pl->gpus_per_node);
        ex->utilisation /= (double)ex_replicas;
    }
    /* time-slicing and MPS: runs of equal replicas per GPU (and tenant) */
    for (; i < k && ws[i]->chosen.mode != GP_PLAN_MIG; i = j) {
        for (j = i + 1;
             j < k && ws[j]->chosen.mode == ws[i]->chosen.mode &&
             ws[j]->chosen.n == ws[i]->chosen.n &&
             (ws[i]->chosen.mode != GP_PLAN_MPS ||
              strcmp(ws[j]->w->tenant, ws[i]->w->tenant) == 0);
             j++)
            ;
        shared_groups(P, gv, pl, mc, ws[i]->chosen.mode, ws[i]->chosen.n,
                      ws[i]->chosen.mode == GP_PLAN_MPS ? ws[i]->w->tenant
                                                        : NULL,
                      ws + i, j - i);
    }
    absorb(P, gv, first, mc, wls);
    merge_groups(P, gv, first, mc, wls);
    to_exclusive(P, gv, first, wls);
    absorb(P, gv, first, mc, wls);
    /* Whole instances, then time-sliced ones on nodes of their own (the
     * runs are sorted by n): the time-slicing of nvidia.com/mig-<profile>
     * holds for every pod steered to a node, so a hard-isolated workload's
     * instances must not be offered to the scheduler as shared. */
    for (j = i; j < k && ws[j]->chosen.n == 1; j++)
        ;
    if (j > i && mig_groups(P, gv, pl, mc, ws + i, j - i, "mig", mig_lb) < 0)
        return -1;
    if (k > j &&
        mig_groups(P, gv, pl, mc, ws + j, k - j, "mig-ts", mig_lb) < 0)
        return -1;
    return 0;
}

static uint64_t
nodes_from(const struct gvec *gv, size_t first)
{
    uint64_t n = 0;
    size_t i;

    for (i = first; i < gv->n; i++)
        n += gv->v[i].nodes;
    return n;
}

/* GPUs saved if x's replicas shared instances of o's time-sliced profile
 * n ways instead of running as chosen (<= 0: none). */
static double
mig_ts_gain(const struct wl *x, const struct option *o, uint32_t n)
{
    if (!o->mig_ts || o->mig_ts_n < n || x->chosen.mode == GP_PLAN_MIG)
        return 0;
    return (double)x->w->replicas *
           (x->chosen.frac - 1.0 / ((double)o->mig_ts->max_count * n));
}

/* Moves some of a pool's workloads to time-sliced instances: per profile,
 * the replica count that saves the most GPU share over the workloads that
 * bear it (one count per profile: all the pool's instances of a profile
 * are sliced alike). Returns how many moved. */
static size_t
mig_ts_moves(struct P *P, const struct model_ctx *mc, struct wl **ws,
             size_t k)
{
    const struct gp_mig_profile *done[GP_MIG_MAX_PROFILES];
    size_t i, j, moved = 0, n_done = 0, m = (size_t)(mc - P->models);

    /* each workload's time-sliced instances, searched once for what its
     * chosen option costs (a share no profile can beat costs nothing) */
    for (i = 0; i < k; i++) {
        struct option *o;
        double limit;

        (void)option_on(P, ws[i], m);
        o = &ws[i]->best[m];
        limit = fmin(o->mig_ts_least, ws[i]->chosen.frac);
        if (ws[i]->w->isolation == GP_ISOLATION_HARD ||
            limit <= o->mig_ts_searched)
            continue;
        o->mig_ts = NULL;
        o->mig_ts_n = 0;
        mig_ts_options(P, ws[i], mc, o, limit);
        o->mig_ts_searched = limit;
    }
    for (i = 0; i < k; i++) {
        const struct option *oi = option_on(P, ws[i], m);
        const struct gp_mig_profile *pf = oi->mig_ts;
        uint32_t best_n = 0;
        double best = 0;

        if (!pf || mig_ts_gain(ws[i], oi, oi->mig_ts_n) <= 0)
            continue;
        /* one decision per profile, at its first candidate */
        for (j = 0; j < n_done && done[j] != pf; j++)
            ;
        if (j < n_done || n_done == GP_MIG_MAX_PROFILES)
            continue;
        done[n_done++] = pf;
        for (j = i; j < k; j++) {
            const struct option *oj = option_on(P, ws[j], m);
            uint32_t n = oj->mig_ts_n;
            double g = 0;
            size_t q;

            if (oj->mig_ts != pf || n < 2)
                continue;
            for (q = i; q < k; q++) {
                const struct option *oq = option_on(P, ws[q], m);
                double gq = oq->mig_ts == pf ? mig_ts_gain(ws[q], oq, n) : 0;

                g += gq > 0 ? gq : 0;
            }
            if (g > best + 1e-12 || (fabs(g - best) <= 1e-12 && n > best_n)) {
                best = g;
                best_n = n;
            }
        }
        if (!best_n)
            continue;
        for (j = i; j < k; j++) {
            const struct option *oj = option_on(P, ws[j], m);

            if (oj->mig_ts != pf || mig_ts_gain(ws[j], oj, best_n) <= 0)
                continue;
            ws[j]->chosen = pick(oj, MODE_BIT(GP_PLAN_MIG) | MIG_TS_BIT);
            ws[j]->chosen.mode = GP_PLAN_MIG;
            ws[j]->chosen.mig = pf;
            ws[j]->chosen.n = best_n;
            ws[j]->chosen.frac = 1.0 / ((double)pf->max_count * best_n);
            ws[j]->chosen.pred = oj->mig_ts_pred;
            ws[j]->chosen.ok = true;
            moved++;
        }
    }
    return moved;
}

/* A pool whose groups were just made (the last of gv, from 'first'),
 * grouped again with time-sliced instances for the workloads that pack
 * better on them; the new groups are kept if they take fewer nodes, else
 * the pool is as it was. Whole-GPU options are chosen one workload at a
 * time, but time-sliced instances pay off only in numbers: a profile's
 * instances are sliced alike pool-wide, on nodes of their own (on a
 * generated 1,000-node fleet, choosing them workload by workload cost 6%
 * more than not using them at all). */
static int
pool_try_mig_ts(struct P *P, struct gvec *gv, size_t first, size_t pool,
                struct wl **ws, size_t k, struct wl *wls, double *mig_lb)
{
    const struct gp_node_pool *pl = &P->inv->pools[pool];
    const struct model_ctx *mc = model_of(P, pl->gpu);
    size_t n_first, i, moved = 0;
    struct gp_plan_group *kept;
    struct wl *saved, **owner;
    double lb1, share = 0;
    uint64_t nodes0;

    if (!mc || !mc->n_profs)
        return 0;
    /* Nodes are what a pool costs: unless time-sliced instances could save
     * a node's GPUs even at their best (as many copies as an instance's
     * memory holds, no prediction made), the pool keeps its groups. */
    {
        double can_save = 0;

        for (i = 0; i < k; i++) {
            const struct wl *x = ws[i];
            double best = HUGE_VAL;
            size_t q;

            if (x->w->isolation == GP_ISOLATION_HARD)
                continue;
            for (q = 0; q < mc->n_profs; q++) {
                uint32_t most = mig_ts_most(x, mc->profs[q]);

                if (most >= 2)
                    best = fmin(best, 1.0 / ((double)mc->profs[q]->max_count *
                                             most));
            }
            if (best < x->chosen.frac)
                can_save += (x->chosen.frac - best) * x->w->replicas;
        }
        if (can_save < pl->gpus_per_node)
            return 0;
    }
    /* pool_groups sorts ws again: 'owner' keeps which struct each copy
     * came from */
    saved = gp_xcalloc(k + 1, sizeof(*saved));
    owner = gp_xcalloc(k + 1, sizeof(*owner));
    for (i = 0; i < k; i++) {
        saved[i] = *ws[i];
        owner[i] = ws[i];
    }
    moved = mig_ts_moves(P, mc, ws, k);
    /* regrouped only if the GPU shares alone (no group's last node partly
     * empty, so at most what the groups will take) fit in fewer nodes */
    for (i = 0; i < k; i++)
        share += ws[i]->chosen.frac * ws[i]->w->replicas;
    nodes0 = nodes_from(gv, first);
    if (!moved || ceil(share / pl->gpus_per_node - 1e-9) >= (double)nodes0) {
        for (i = 0; i < k; i++)
            *owner[i] = saved[i];
        free(owner);
        free(saved);
        return 0;
    }
    lb1 = *mig_lb;
    n_first = gv->n - first;
    kept = gp_xcalloc(n_first + 1, sizeof(*kept));
    memcpy(kept, gv->v + first, n_first * sizeof(*kept));
    gv->n = first;
    *mig_lb = 0;
    if (pool_groups(P, gv, pool, ws, k, wls, mig_lb) < 0) {
        free(kept);
        free(owner);
        free(saved);
        return -1;
    }
    if (nodes_from(gv, first) >= nodes0) {
        /* the first grouping back (the vector never shrinks, so it has
         * room; the groups' assigns live in the arena) */
        memcpy(gv->v + first, kept, n_first * sizeof(*kept));
        gv->n = first + n_first;
        for (i = 0; i < k; i++)
            *owner[i] = saved[i];
        *mig_lb = lb1;
    }
    free(kept);
    free(owner);
    free(saved);
    return 0;
}

static int
by_pool(const void *pa, const void *pb)
{
    const struct wl *a = *(const struct wl *const *)pa;
    const struct wl *b = *(const struct wl *const *)pb;

    if (a->pool != b->pool)
        return a->pool < b->pool ? -1 : 1;
    return a->w < b->w ? -1 : a->w > b->w;
}

/* The state of capacity rounds: what each pool may still take, and each
 * pool's share of the MIG lower bound. */
struct rounds {
    double *left;               /* GPUs placement may still fill */
    double *mig_lb;             /* per pool */
    bool *dirty;                /* pools whose groups are rebuilt */
    bool *full;                 /* pools that overflowed: no new members */
};

/* Places every unplaced workload within the pools' room, then rebuilds the
 * groups of every pool that changed. The first round places everything;
 * later ones only place the workloads evicted from over-committed pools,
 * so a round costs what it changes. */
static int
plan_round(struct P *P, struct wl *wls, struct wl **order, struct rounds *R,
           struct gvec *gv)
{
    const struct gp_inventory *inv = P->inv;
    struct wl **v = gp_xcalloc(inv->n_loads + 1, sizeof(*v));
    size_t i, j, n = 0;
    int rc = 0;

    for (i = 0; i < inv->n_loads; i++) {
        struct wl *x = &wls[i];

        if (x->pool != SIZE_MAX && !banned(x, x->pool))
            continue;
        if (x->pool != SIZE_MAX) {
            R->dirty[x->pool] = true;
            R->left[x->pool] += x->chosen.frac * x->w->replicas;
        }
        x->pool = SIZE_MAX;
        x->why = NULL;
        memset(&x->chosen, 0, sizeof(x->chosen));
    }
    for (i = 0; i < inv->n_pools; i++)
        if (R->full[i])
            R->left[i] = 0;
    /* the cheapest pool with room, the largest demands first */
    for (i = 0; i < inv->n_loads; i++)
        if (order[i]->pool == SIZE_MAX) {
            place(P, order[i], R->left);
            if (order[i]->pool != SIZE_MAX)
                R->dirty[order[i]->pool] = true;
        }
    small_tenants_to_ts(P, wls, R->dirty);
    /* the groups of changed pools go; the others stay as they were */
    for (i = 0, j = 0; i < gv->n; i++)
        if (!R->dirty[gv->v[i].pool - inv->pools])
            gv->v[j++] = gv->v[i];
    gv->n = j;
    for (i = 0; i < inv->n_pools; i++)
        if (R->dirty[i])
            R->mig_lb[i] = 0;
    for (i = 0; i < inv->n_loads; i++)
        if (wls[i].pool != SIZE_MAX && R->dirty[wls[i].pool])
            v[n++] = &wls[i];
    qsort(v, n, sizeof(*v), by_pool);
    for (i = 0; i < n && rc == 0; i = j) {
        size_t pool = v[i]->pool;

        for (j = i; j < n && v[j]->pool == pool; j++)
            ;
        rc = pool_groups(P, gv, pool, v + i, j - i, wls, &R->mig_lb[pool]);
    }
    free(v);
    return rc;
}

struct evict {
    const struct gp_plan_group *g;
    struct wl *x;
    double gpus;                /* of its group's, that it takes */
};

/* Whole nodes for a group whose members take 'share' GPUs in all. */
static double
group_nodes(double share, uint32_t per_node)
{
    return ceil(ceil(share - 1e-9) / per_node - 1e-9);
}

static int
by_evict_order(const void *pa, const void *pb)
{
    const struct evict *a = pa, *b = pb;
    int c;

    if (a->g != b->g) {
        if (a->g->gpus_used != b->g->gpus_used)
            return a->g->gpus_used < b->g->gpus_used ? -1 : 1;
        if ((c = strcmp(a->g->name, b->g->name)) != 0)
            return c;
        return a->g < b->g ? -1 : 1;
    }
    if (a->gpus != b->gpus)
        return a->gpus < b->gpus ? -1 : 1;
    return strcmp(a->x->w->name, b->x->w->name);
}

/* A pool whose groups take more nodes than it has evicts workloads, the
 * smallest groups first and within a group the smallest demands first,
 * until its groups' whole nodes (estimated as GPUs still used over GPUs
 * per node) fit. Returns how many it evicted. */
static size_t
evict(struct P *P, struct wl *wls, const struct gvec *gv, size_t pool,
      uint32_t used_nodes)
{
    const struct gp_node_pool *pl = &P->inv->pools[pool];
    struct evict *e = NULL;
    double *left_gpus = NULL;
    size_t n = 0, cap = 0, i, j, out = 0, n_groups = 0, *gi = NULL;
    double nodes = used_nodes;

    for (i = 0; i < gv->n; i++) {
        const struct gp_plan_group *g = &gv->v[i];

        if ((size_t)(g->pool - P->inv->pools) != pool || !g->nodes)
            continue;
        for (j = 0; j < g->n_assigns; j++) {
            struct wl *x = &wls[g->assigns[j].w - P->inv->loads];

            if (n == cap) {
                cap = cap ? 2 * cap : 16;
                e = gp_xrealloc(e, cap * sizeof(*e));
            }
            e[n].g = g;
            e[n].x = x;
            e[n].gpus = x->chosen.frac * x->w->replicas;
            n++;
        }
    }
    qsort(e, n, sizeof(*e), by_evict_order);
    gi = gp_xcalloc(n + 1, sizeof(*gi));
    left_gpus = gp_xcalloc(n + 1, sizeof(*left_gpus));
    for (i = 0; i < n; i++) {
        if (i == 0 || e[i].g != e[i - 1].g)
            left_gpus[n_groups++] = 0;
        gi[i] = n_groups - 1;
        left_gpus[gi[i]] += e[i].gpus;
    }
    for (i = 0; i < n && nodes > pl->nodes; i++) {
        struct wl *x = e[i].x;
        bool last = i + 1 == n || gi[i + 1] != gi[i];
        double before = group_nodes(left_gpus[gi[i]], pl->gpus_per_node);

        left_gpus[gi[i]] = last ? 0 : fmax(0, left_gpus[gi[i]] - e[i].gpus);
        nodes -= before - group_nodes(left_gpus[gi[i]], pl->gpus_per_node);
        if (banned(x, pool))
            continue; /* listed in another group of the pool as well */
        /* in the run's arena: variants snapshot and restore wl by value */
        x->bans = gp_arena_grow(P->a, x->bans, x->n_bans, x->n_bans + 1,
                                sizeof(*x->bans));
        x->bans[x->n_bans++] = pool;
        out++;
    }
    free(e);
    free(gi);
    free(left_gpus);
    return out;
}

/* Groups take whole nodes, so a pool can run out of nodes while its GPUs
 * (as placement counts them) still have room. Such a pool evicts its
 * smallest groups' workloads (evict()), which then go to other pools or
 * are reported as not placed; every round evicts at least one workload
 * from a pool for good, so this ends. The groups come back ordered by
 * pool, as the first round made them. Rounds only take room away, so what
 * a round leaves unplaced stays unplaced: once that alone costs more than
 * 'give_up' (a plan already known), the rounds stop and *gave_up says
 * so. */
/* Pool by pool, each pool's groups in the order they were made. */
static void
sort_by_pool(const struct gp_inventory *inv, struct gvec *gv)
{
    struct gvec sorted = {NULL, 0, 0};
    size_t i, j;

    for (i = 0; i < inv->n_pools; i++)
        for (j = 0; j < gv->n; j++)
            if ((size_t)(gv->v[j].pool - inv->pools) == i) {
                if (sorted.n == sorted.cap) {
                    sorted.cap = sorted.cap ? 2 * sorted.cap : 16;
                    sorted.v = gp_xrealloc(sorted.v,
                                           sorted.cap * sizeof(*sorted.v));
                }
                sorted.v[sorted.n++] = gv->v[j];
            }
    free_gvec(gv);
    *gv = sorted;
}

/* Once the plan may use MIG: each pool of a MIG GPU tries time-sliced
 * instances (pool_try_mig_ts). After the rounds, not in them: a pool only
 * gives nodes back here, so the capacity the rounds settled holds, and
 * plans where no pool gains cost no regrouping in every round. */
static int
mig_ts_pass(struct P *P, struct wl *wls, struct gvec *gv, double *pool_lbs)
{
    const struct gp_inventory *inv = P->inv;
    struct wl **ws = gp_xcalloc(inv->n_loads + 1, sizeof(*ws));
    struct gp_plan_group *mine = NULL;
    size_t i, j, k, n_mine, o, cap = 0;
    int rc = 0;

    for (i = 0; i < inv->n_pools && rc == 0; i++) {
        const struct model_ctx *mc = model_of(P, inv->pools[i].gpu);

        if (!mc || !mc->n_profs)
            continue;
        for (k = 0, j = 0; j < inv->n_loads; j++)
            if (wls[j].pool == i)
                ws[k++] = &wls[j];
        if (!k)
            continue;
        /* the pool's groups go last, where pool_try_mig_ts finds them */
        for (n_mine = 0, o = 0, j = 0; j < gv->n; j++) {
            if ((size_t)(gv->v[j].pool - inv->pools) != i) {
                gv->v[o++] = gv->v[j];
                continue;
            }
            if (n_mine == cap) {
                cap = cap ? 2 * cap : 16;
                mine = gp_xrealloc(mine, cap * sizeof(*mine));
            }
            mine[n_mine++] = gv->v[j];
        }
        if (!n_mine)
            continue;
        memcpy(gv->v + o, mine, n_mine * sizeof(*mine));
        rc = pool_try_mig_ts(P, gv, o, i, ws, k, wls, &pool_lbs[i]);
    }
    sort_by_pool(inv, gv);
    free(mine);
    free(ws);
    return rc;
}

static int
plan_rounds(struct P *P, struct wl *wls, struct wl **order, struct gvec *gv,
            double *mig_lb, double *pool_lbs, double give_up, bool *gave_up)
{
    const struct gp_inventory *inv = P->inv;
    size_t np = inv->n_pools + 1, i;
    struct rounds R;
    uint32_t *used = gp_xcalloc(np, sizeof(*used));
    int rc = 0;

    *gave_up = false;
    R.left = gp_xcalloc(np, sizeof(*R.left));
    R.mig_lb = gp_xcalloc(np, sizeof(*R.mig_lb));
    R.dirty = gp_xcalloc(np, sizeof(*R.dirty));
    R.full = gp_xcalloc(np, sizeof(*R.full));
    free_gvec(gv);
    for (i = 0; i < inv->n_loads; i++) {
        wls[i].pool = SIZE_MAX;
        wls[i].why = NULL;
        wls[i].n_bans = 0;
        memset(&wls[i].chosen, 0, sizeof(wls[i].chosen));
    }
    for (i = 0; i < inv->n_pools; i++) {
        R.left[i] = (double)inv->pools[i].nodes * inv->pools[i].gpus_per_node;
        R.dirty[i] = true;      /* the first round places everything */
    }
    for (;;) {
        size_t evicted = 0;

        rc = plan_round(P, wls, order, &R, gv);
        if (rc)
            break;
        if (unplaced_cost(P, wls) > give_up) {
            *gave_up = true;
            break;
        }
        memset(used, 0, inv->n_pools * sizeof(*used));
        for (i = 0; i < gv->n; i++)
            used[gv->v[i].pool - inv->pools] += gv->v[i].nodes;
        memset(R.dirty, 0, inv->n_pools * sizeof(*R.dirty));
        for (i = 0; i < inv->n_pools; i++)
            if (used[i] > inv->pools[i].nodes) {
                evicted += evict(P, wls, gv, i, used[i]);
                /* full: it takes nothing new, so evictions do not
                 * come back to it from elsewhere */
                R.full[i] = true;
            }
        if (!evicted)
            break;
    }
    *mig_lb = 0;
    for (i = 0; i < inv->n_pools; i++)
        *mig_lb += R.mig_lb[i];
    if (pool_lbs)
        memcpy(pool_lbs, R.mig_lb, inv->n_pools * sizeof(*pool_lbs));
    sort_by_pool(inv, gv);
    free(R.left);
    free(R.mig_lb);
    free(R.dirty);
    free(R.full);
    free(used);
    return rc;
}

int
gp_plan_make(struct gp_plan **out, struct gp_arena *a,
             const struct gp_inventory *inv, const struct gp_plan_opts *o,
             struct gp_diags *d)
{
    struct P P;
    struct gp_plan_opts defaults;
    struct gp_plan *plan = gp_arena_calloc(a, 1, sizeof(*plan));
    struct wl *wls, **order;
    struct gvec gv = {NULL, 0, 0};
    double mig_lb = 0, *lbs;
    bool gave_up;
    size_t i, j, n_un = 0;
    int rc = 0;

    memset(&defaults, 0, sizeof(defaults));
    defaults.engine_budget = GP_PLAN_ENGINE_BUDGET;
    memset(&P, 0, sizeof(P));
    P.a = a;
    P.inv = inv;
    P.o = o ? o : &defaults;
    P.d = d;
    P.allowed = ALL_MODES;
    if (setup_models(&P) < 0) {
        free_models(&P);
        return -1;
    }
    plan->inv = inv;
    wls = gp_xcalloc(inv->n_loads + 1, sizeof(*wls));
    P.memos = gp_xcalloc(inv->n_loads + 1, sizeof(*P.memos));
    order = gp_xcalloc(inv->n_loads + 1, sizeof(*order));

    /* step 1: what each workload needs, before any prediction */
    for (i = 0; i < inv->n_loads; i++) {
        struct wl *x = &wls[i];

        x->w = &inv->loads[i];
        x->mem_mib = mib_of(x->w->memory_bytes);
        x->duty = gp_workload_duty(x->w);
        x->pool = SIZE_MAX;
        x->best = gp_xcalloc(P.n_models + 1, sizeof(*x->best));
        x->have = gp_xcalloc(P.n_models + 1, sizeof(*x->have));
        x->lb = HUGE_VAL;
        for (j = 0; j < P.n_models; j++) {
            double f = lb_frac(&P, x, &P.models[j]);

            x->lb = f < x->lb ? f : x->lb;
        }
        order[i] = x;
    }
    qsort(order, inv->n_loads, sizeof(*order), by_lb_demand_desc);
    lbs = gp_xcalloc(inv->n_pools + 1, sizeof(*lbs));
    if (!mig_and_mps(&P)) {
        rc = plan_rounds(&P, wls, order, &gv, &mig_lb, lbs, HUGE_VAL,
                         &gave_up);
    } else {
        /* The device plugin refuses MPS under the mixed MIG strategy, and
         * the GPU Operator sets one strategy for the whole cluster: a plan
         * gives up MPS or MIG, whichever costs less. (A plan free to use
         * both that happens to use one is the plan of that variant.) */
        struct gvec alt = {NULL, 0, 0};
        double alt_lb = 0, cost_no_mps, cost_no_mig;
        struct wl *keep = gp_xcalloc(inv->n_loads + 1, sizeof(*keep));

        P.allowed = ALL_MODES & ~MODE_BIT(GP_PLAN_MPS);
        rc = plan_rounds(&P, wls, order, &gv, &mig_lb, lbs, HUGE_VAL,
                         &gave_up);
        cost_no_mps = plan_cost(&P, &gv, wls);
        memcpy(keep, wls, inv->n_loads * sizeof(*keep));
        P.allowed = ALL_MODES & ~MODE_BIT(GP_PLAN_MIG);
        if (rc == 0)
            rc = plan_rounds(&P, wls, order, &alt, &alt_lb, NULL,
                             cost_no_mps, &gave_up);
        cost_no_mig = plan_cost(&P, &alt, wls);
        if (rc == 0 && !gave_up && cost_no_mig < cost_no_mps - 1e-9) {
            free_gvec(&gv);
            gv = alt;
            mig_lb = alt_lb;
        } else {
            /* back to the plan without MPS (the option memos live on in
             * both copies' pointers, which the run does not change) */
            free_gvec(&alt);
            memcpy(wls, keep, inv->n_loads * sizeof(*keep));
            P.allowed = ALL_MODES & ~MODE_BIT(GP_PLAN_MPS);
        }
        free(keep);
    }
    if (rc == 0 && (P.allowed & MODE_BIT(GP_PLAN_MIG))) {
        rc = mig_ts_pass(&P, wls, &gv, lbs);
        for (mig_lb = 0, i = 0; i < inv->n_pools; i++)
            mig_lb += lbs[i];
    }
    free(lbs);
    plan->gpus_lower_bound = mig_lb;

    /* totals, pools, lower bound, baseline */
    plan->pools = gp_arena_calloc(a, inv->n_pools + 1, sizeof(*plan->pools));
    plan->n_pools = inv->n_pools;
    for (i = 0; i < inv->n_pools; i++)
        plan->pools[i].pool = &inv->pools[i];
    plan->all_targets_met = true;
    for (i = 0; i < gv.n; i++) {
        struct gp_plan_group *g = &gv.v[i];
        struct gp_plan_pool *pp = &plan->pools[g->pool - inv->pools];

        pp->nodes_used += g->nodes;
        pp->gpus_used += g->gpus_used;
        for (j = 0; j < g->n_assigns; j++) {
            const struct wl *x = &wls[g->assigns[j].w - inv->loads];

            if (!g->assigns[j].meets_target)
                plan->all_targets_met = false;
            if (g->mode == GP_PLAN_EXCLUSIVE &&
                x->chosen.mode != GP_PLAN_EXCLUSIVE)
                plan->gpus_for_nodes +=
                    (1 - x->chosen.frac) * g->assigns[j].replicas;
        }
    }
    for (i = 0; i < inv->n_loads; i++) {
        struct wl *x = &wls[i];

        if (x->pool == SIZE_MAX) {
            n_un++;
            continue;
        }
        plan->pools[x->pool].baseline_gpus += x->w->replicas;
        /* MIG's bound comes from the layout program; the others' from the
         * GPU share each replica needs */
        if (x->chosen.mode != GP_PLAN_MIG)
            plan->gpus_lower_bound += x->chosen.frac * x->w->replicas;
    }
    for (i = 0; i < inv->n_pools; i++) {
        const struct gp_plan_pool *pp = &plan->pools[i];
        double price = inv->pools[i].price_per_gpu_hour;

        plan->nodes_used += pp->nodes_used;
        plan->gpus_provisioned += pp->nodes_used * inv->pools[i].gpus_per_node;
        plan->gpus_used += pp->gpus_used;
        plan->baseline_gpus += pp->baseline_gpus;
        plan->cost_per_day += (double)pp->nodes_used *
                              inv->pools[i].gpus_per_node * price * 24;
        plan->baseline_cost_per_day += (double)pp->baseline_gpus * price * 24;
        if (pp->nodes_used > inv->pools[i].nodes) {
            plan->pools[i].over_capacity = true;
            plan->over_capacity = true;
        }
    }
    plan->unplaced = gp_arena_calloc(a, n_un + 1, sizeof(*plan->unplaced));
    for (i = 0; i < inv->n_loads; i++)
        if (wls[i].pool == SIZE_MAX) {
            struct gp_plan_unplaced *u = &plan->unplaced[plan->n_unplaced++];

            u->w = wls[i].w;
            u->replicas = wls[i].w->replicas;
            u->why = wls[i].why;
        }
    for (i = 0, j = 0; i < gv.n; i++)
        if (gv.v[i].nodes)
            gv.v[j++] = gv.v[i];
    gv.n = j;
    unique_names(&P, &gv);
    plan->groups = gp_arena_calloc(a, gv.n + 1, sizeof(*plan->groups));
    if (gv.n)
        memcpy(plan->groups, gv.v, gv.n * sizeof(*gv.v));
    plan->n_groups = gv.n;
    plan->evals = P.evals;
    plan->engine_evals = P.engine_evals;
    plan->engine_events = P.engine_events;
    for (i = 0; i < inv->n_loads; i++) {
        free(wls[i].best);
        free(wls[i].have);
        free(P.memos[i].v);
    }
    free_gvec(&gv);
    free(wls);
    free(P.memos);
    free(order);
    free_models(&P);
    *out = plan;
    return rc;
}
