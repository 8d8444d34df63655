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
#include "sim/engine.h"
#include "sim/scenario.h"

#define TS_MAX_REPLICAS 16u
#define MAX_COLOC 48u

/* ---- evaluation: one GPU (or MIG instance) with some processes --------- */

struct pred {
    double x, p50, p99;
    bool has_lat, stable, meets, engine;
};

struct model_ctx {
    const struct gp_gpu_model *m;
    struct gp_calib calib;
    bool exact;
    const struct gp_mig_profile *profs[GP_MIG_MAX_PROFILES];
    size_t n_profs;             /* base MIG profiles, smallest first */
};

struct P {
    struct gp_arena *a;
    const struct gp_inventory *inv;
    const struct gp_plan_opts *o;
    struct gp_diags *d;
    struct model_ctx *models;
    size_t n_models;
    uint64_t evals, engine_evals;
};

static double
per_replica_rate(const struct gp_workload *w)
{
    return w->traffic == GP_TRAFFIC_POISSON ? w->rps / (double)w->replicas
                                            : 0;
}

static bool
meets(const struct gp_workload *w, const struct gp_sim_proc_result *r)
{
    if (!r->stable)
        return false;
    if (w->target_p99_s > 0 && (!r->has_latency || r->p99 > w->target_p99_s))
        return false;
    if (w->target_throughput > 0 &&
        r->throughput < w->target_throughput * (1 - 1e-9))
        return false;
    return true;
}

static double
auto_duration(const struct gp_sim_domain *dom)
{
    double slowest = HUGE_VAL, d;
    size_t i;

    for (i = 0; i < dom->n_procs; i++) {
        const struct gp_workload *w = dom->procs[i].w;
        double r = w->traffic == GP_TRAFFIC_POISSON
                       ? dom->procs[i].rate
                       : 1.0 / (w->service_time_s + w->think_time_s);

        if (r > 0 && r < slowest)
            slowest = r;
    }
    d = slowest < HUGE_VAL ? 20000.0 / slowest : 60;
    return d < 60 ? 60 : d > 3600 ? 3600 : d;
}

/* Predicts each of k processes (workloads ws[]) sharing one domain: the
 * whole GPU under 'mode' with 'n' device-plugin replicas, or MIG instance
 * 'mig'. The analytic estimate where it trusts itself, else the engine. */
static void
evaluate(struct P *P, const struct model_ctx *mc, enum gp_plan_mode mode,
         uint32_t n, const struct gp_mig_profile *mig,
         const struct gp_workload *const *ws, size_t k, struct pred *out)
{
    struct gp_sim_proc procs[MAX_COLOC];
    struct gp_sim_domain dom;
    struct gp_sim_gpu g;
    struct gp_sim_domain_result r;
    struct gp_arena *a = gp_arena_new();
    bool engine = P->o->engine_only;
    size_t i;

    memset(&dom, 0, sizeof(dom));
    memset(&g, 0, sizeof(g));
    for (i = 0; i < k; i++) {
        memset(&procs[i], 0, sizeof(procs[i]));
        procs[i].w = ws[i];
        procs[i].rate = per_replica_rate(ws[i]);
    }
    g.name = "plan";
    g.model = mc->m;
    g.calib = &mc->calib;
    g.calib_exact = mc->exact;
    g.mps_thread_pct = 100;
    dom.procs = procs;
    dom.n_procs = k;
    dom.sm_frac = dom.bw_frac = 1;
    dom.memory_mib = mc->m->memory_mib;
    switch (mode) {
    case GP_PLAN_EXCLUSIVE:
        g.mode = GP_SIM_EXCLUSIVE;
        break;
    case GP_PLAN_TIME_SLICING:
        g.mode = GP_SIM_TIME_SLICING;
        g.replicas = n;
        dom.time_sliced = k > 1;
        break;
    case GP_PLAN_MPS:
        g.mode = GP_SIM_MPS;
        g.replicas = n;
        /* what the device plugin's MPS daemon sets (config-formats 1.9) */
        g.mps_thread_pct = floor(100.0 / n);
        g.mps_mem_limit = (mc->m->memory_mib / n) << 20;
        dom.mps = true;
        break;
    case GP_PLAN_MIG:
        g.mode = GP_SIM_MIG;
        dom.mig = mig;
        dom.sm_frac = (double)mig->sm_count / (double)mc->m->sm_count;
        dom.bw_frac = (double)mig->memory_slices /
                      (double)mc->m->mig->memory_slices;
        dom.memory_mib = mig->memory_mib;
        break;
    }
    g.domains = &dom;
    g.n_domains = 1;
    P->evals++;
    if (!engine) {
        gp_analytic_domain(&r, a, &g, &dom);
        engine = !gp_analytic_trusted(&r);
    }
    if (engine) {
        double dur = auto_duration(&dom);

        P->engine_evals++;
        gp_sim_domain(&r, a, &g, &dom, dur, dur / 10 < 10 ? dur / 10 : 10,
                      P->o->seed);
    }
    for (i = 0; i < k; i++) {
        const struct gp_sim_proc_result *pr = &r.procs[i];

        out[i].x = pr->throughput;
        out[i].p50 = pr->p50;
        out[i].p99 = pr->p99;
        out[i].has_lat = pr->has_latency;
        out[i].stable = pr->stable;
        out[i].meets = meets(ws[i], pr);
        out[i].engine = engine;
    }
    gp_arena_free(a);
}

/* w with n-1 copies of h (h may be w). */
static bool
with_copies(struct P *P, const struct model_ctx *mc, enum gp_plan_mode mode,
            uint32_t n, const struct gp_workload *w,
            const struct gp_workload *h, struct pred *out)
{
    const struct gp_workload *ws[MAX_COLOC];
    struct pred pr[MAX_COLOC];
    uint32_t i;

    ws[0] = w;
    for (i = 1; i < n; i++)
        ws[i] = h;
    evaluate(P, mc, mode, n, NULL, ws, n, pr);
    *out = pr[0];
    /* Every process must meet its own target, not only w. */
    for (i = 0; i < n; i++)
        if (!pr[i].meets)
            return false;
    return true;
}

/* ---- step 1: options per workload and model ---------------------------- */

struct option {
    enum gp_plan_mode mode;
    uint32_t n;                 /* replicas per GPU (1: exclusive, MIG) */
    const struct gp_mig_profile *mig;
    double frac;                /* GPUs per replica */
    struct pred pred;
    bool ok;
    struct pred excl;           /* alone on a whole GPU, when ok */
    uint32_t ts_n, mps_n;       /* most replicas per GPU that work under
                                 * time-slicing and MPS (0: none) */
    struct pred ts_pred;
};

struct wl {
    const struct gp_workload *w;
    uint64_t mem_mib;
    double duty;                /* GPU busy share of one replica alone */
    struct option *best;        /* per model */
    const char *why;            /* when no model works */
    /* placement */
    size_t pool;                /* SIZE_MAX: unplaced */
    bool grouped;               /* already in a shared group */
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

/* The largest n in [2, hi] for which ok(n) holds, assuming it holds for
 * every smaller n once it holds for n (more co-tenants never help): galloping
 * then bisection, a few evaluations instead of one per n. */
static uint32_t
largest_ok(struct P *P, const struct model_ctx *mc, enum gp_plan_mode mode,
           const struct gp_workload *w, uint32_t hi, struct pred *best)
{
    uint32_t good = 0, bad = hi + 1, n = 2;
    struct pred pr;

    while (n <= hi) {
        if (!with_copies(P, mc, mode, n, w, w, &pr)) {
            bad = n;
            break;
        }
        good = n;
        *best = pr;
        if (n == hi)
            break;
        n = n * 2 > hi ? hi : n * 2;
    }
    while (good && bad - good > 1) {
        uint32_t mid = good + (bad - good) / 2;

        if (with_copies(P, mc, mode, mid, w, w, &pr)) {
            good = mid;
            *best = pr;
        } else {
            bad = mid;
        }
    }
    return good;
}

static void
consider(struct option *best, const struct option *o)
{
    /* Cheaper first; at equal cost the stronger isolation (the modes are
     * declared from strongest to weakest). */
    if (!best->ok || o->frac < best->frac - 1e-12 ||
        (fabs(o->frac - best->frac) <= 1e-12 && o->mode < best->mode))
        *best = *o;
}

static void
options(struct P *P, struct wl *x, const struct model_ctx *mc,
        struct option *best)
{
    const struct gp_workload *w = x->w;
    const struct gp_gpu_model *m = mc->m;
    struct option o;
    struct pred excl, ts_pred;
    uint32_t ts_n = 0, mps_n = 0;
    size_t i;

    memset(best, 0, sizeof(*best));
    if (x->mem_mib > m->memory_mib)
        return;
    memset(&o, 0, sizeof(o));
    o.mode = GP_PLAN_EXCLUSIVE;
    o.n = 1;
    o.frac = 1;
    o.ok = with_copies(P, mc, GP_PLAN_EXCLUSIVE, 1, w, w, &o.pred);
    if (!o.ok) {
        best->excl = o.pred;
        return; /* nothing smaller will do better */
    }
    consider(best, &o);
    excl = o.pred;
    for (i = 0; i < mc->n_profs; i++) {
        const struct gp_mig_profile *pf = mc->profs[i];
        const struct gp_workload *ws[1] = {w};

        if (pf->memory_mib < x->mem_mib || pf->max_count == 0)
            continue;
        memset(&o, 0, sizeof(o));
        o.mode = GP_PLAN_MIG;
        o.n = 1;
        o.mig = pf;
        o.frac = 1.0 / pf->max_count;
        if (o.frac >= best->frac)
            break;
        evaluate(P, mc, GP_PLAN_MIG, 1, pf, ws, 1, &o.pred);
        o.ok = o.pred.meets;
        if (o.ok) {
            consider(best, &o);
            break;
        }
    }
    memset(&ts_pred, 0, sizeof(ts_pred));
    if (w->isolation == GP_ISOLATION_HARD) {
        best->excl = excl;
        return;
    }
    {
        uint32_t hi = (uint32_t)(m->memory_mib / (x->mem_mib ? x->mem_mib : 1));
        uint32_t n;

        hi = hi < TS_MAX_REPLICAS ? hi : TS_MAX_REPLICAS;
        memset(&o, 0, sizeof(o));
        o.mode = GP_PLAN_TIME_SLICING;
        if (hi >= 2 &&
            (n = largest_ok(P, mc, GP_PLAN_TIME_SLICING, w, hi, &o.pred))) {
            ts_n = n;
            ts_pred = o.pred;
            o.n = n;
            o.frac = 1.0 / n;
            o.ok = true;
            consider(best, &o);
        }
        hi = mps_cap(m);
        while (hi >= 2 && m->memory_mib / hi < x->mem_mib)
            hi--;
        memset(&o, 0, sizeof(o));
        o.mode = GP_PLAN_MPS;
        if (hi >= 2 && 1.0 / hi < best->frac &&
            (n = largest_ok(P, mc, GP_PLAN_MPS, w, hi, &o.pred))) {
            mps_n = n;
            o.n = n;
            o.frac = 1.0 / n;
            o.ok = true;
            consider(best, &o);
        }
    }
    best->excl = excl;
    best->ts_n = ts_n;
    best->ts_pred = ts_pred;
    best->mps_n = mps_n;
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

static void
add_assign(struct P *P, struct gp_plan_group *g, const struct wl *x,
           const struct pred *pr, const struct gp_mig_profile *mig)
{
    struct gp_plan_assign *as;
    struct gp_plan_assign *nv = gp_arena_alloc(
        P->a, (g->n_assigns + 1) * sizeof(*nv));

    if (g->n_assigns)
        memcpy(nv, g->assigns, g->n_assigns * sizeof(*nv));
    g->assigns = nv;
    as = &nv[g->n_assigns++];
    memset(as, 0, sizeof(*as));
    as->w = x->w;
    as->replicas = x->w->replicas;
    as->mig = mig;
    if (mig) {
        struct gp_strbuf sb = GP_STRBUF_INIT;
        const char *c;

        gp_strbuf_puts(&sb, "nvidia.com/mig-");
        /* resource names use '.' where profile names have '+' */
        for (c = mig->name; *c; c++)
            gp_strbuf_putc(&sb, *c == '+' ? '.' : *c);
        as->resource = gp_arena_strdup(P->a, sb.buf);
        gp_strbuf_release(&sb);
    } else {
        as->resource = "nvidia.com/gpu";
    }
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
            double burst = x->w->service_time_s / (x->w->syncs ? x->w->syncs : 1);
            double lburst = lg->w->service_time_s / (lg->w->syncs ? lg->w->syncs : 1);

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
            double burst = x->w->service_time_s / (x->w->syncs ? x->w->syncs : 1);
            const struct wl *lg = subs[s].longest;

            if (burst > lg->w->service_time_s / (lg->w->syncs ? lg->w->syncs : 1))
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

/* The MIG workloads of one pool: how many GPUs get which layout, exactly
 * (GLPK), then nodes of identical per-GPU layouts become groups. */
static int
mig_groups(struct P *P, struct gvec *gv, const struct gp_node_pool *pool,
           const struct model_ctx *mc, struct wl **ws, size_t k,
           double *lp_bound)
{
    const struct gp_mig_profile *profs[GP_MIG_MAX_PROFILES];
    double demand[GP_MIG_MAX_PROFILES];
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
            demand[np++] = 0;
        }
        demand[p] += ws[i]->w->replicas;
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
        const char *steer = group_name(P->a, pool->name, "mig");
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
                    snprintf(suffix, sizeof(suffix), "mig");
                else
                    snprintf(suffix, sizeof(suffix), "mig-%zu",
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
        /* assigns: every MIG group of the pool lists the workloads whose
         * profile it holds (pods land on any of them) */
        for (i = first_idx; i < gv->n; i++) {
            struct gp_plan_group *g = &gv->v[i];
            double load = 0;
            uint64_t worst = 0;

            for (j = 0; j < k; j++) {
                uint32_t c, inst = 0;

                for (c = 0; c < G; c++)
                    inst += count_in(&g->layouts[c], ws[j]->chosen.mig);
                if (!inst)
                    continue;
                add_assign(P, g, ws[j], &ws[j]->chosen.pred, ws[j]->chosen.mig);
                load += ws[j]->duty * ws[j]->w->replicas;
                if (ws[j]->mem_mib > worst)
                    worst = ws[j]->mem_mib;
            }
            g->worst_mem_mib = worst;
            g->utilisation = g->gpus_used ? load / (double)n_gpus : 0;
        }
    }
out:
    free(res.x);
    free(amat);
    free(cost);
    free(ls.v);
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

/* ---- the plan ------------------------------------------------------------ */

static int
by_group(const void *pa, const void *pb)
{
    const struct gp_plan_group *a = pa, *b = pb;

    return strcmp(a->name, b->name);
}

static int
by_demand_desc(const void *pa, const void *pb)
{
    const struct wl *a = *(const struct wl *const *)pa;
    const struct wl *b = *(const struct wl *const *)pb;
    double da = a->chosen.frac * a->w->replicas,
           db = b->chosen.frac * b->w->replicas;

    if (da != db)
        return da > db ? -1 : 1;
    return strcmp(a->w->name, b->w->name);
}

const char *
gp_plan_mode_name(enum gp_plan_mode m)
{
    static const char *const n[] = {"exclusive", "time-slicing", "mps",
                                    "mig"};

    return n[m];
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
    return 0;
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
    double *left;               /* GPUs left per pool */
    struct gvec gv = {NULL, 0, 0};
    size_t i, j, n_un = 0;
    int rc = 0;

    memset(&defaults, 0, sizeof(defaults));
    memset(&P, 0, sizeof(P));
    P.a = a;
    P.inv = inv;
    P.o = o ? o : &defaults;
    P.d = d;
    if (setup_models(&P) < 0) {
        free(P.models);
        return -1;
    }
    plan->inv = inv;
    wls = gp_xcalloc(inv->n_loads + 1, sizeof(*wls));
    order = gp_xcalloc(inv->n_loads + 1, sizeof(*order));
    left = gp_xcalloc(inv->n_pools + 1, sizeof(*left));
    for (i = 0; i < inv->n_pools; i++)
        left[i] = (double)inv->pools[i].nodes * inv->pools[i].gpus_per_node;

    /* step 1 */
    for (i = 0; i < inv->n_loads; i++) {
        struct wl *x = &wls[i];

        x->w = &inv->loads[i];
        x->mem_mib = mib_of(x->w->memory_bytes);
        x->duty = gp_workload_duty(x->w);
        x->pool = SIZE_MAX;
        x->best = gp_xcalloc(P.n_models + 1, sizeof(*x->best));
        for (j = 0; j < P.n_models; j++)
            options(&P, x, &P.models[j], &x->best[j]);
        order[i] = x;
    }
    /* step 2: cheapest pool with room, the largest demands first (their
     * cheapest option, to order them) */
    for (i = 0; i < inv->n_loads; i++) {
        struct wl *x = &wls[i];

        for (j = 0; j < P.n_models; j++)
            if (x->best[j].ok &&
                (!x->chosen.ok || x->best[j].frac < x->chosen.frac))
                x->chosen = x->best[j];
    }
    qsort(order, inv->n_loads, sizeof(*order), by_demand_desc);
    for (i = 0; i < inv->n_loads; i++) {
        struct wl *x = order[i];
        double best_cost = HUGE_VAL;
        size_t best_pool = SIZE_MAX;

        for (j = 0; j < inv->n_pools; j++) {
            const struct gp_node_pool *pl = &inv->pools[j];
            const struct option *op = &x->best[model_of(&P, pl->gpu) - P.models];
            double need, c;

            if (!op->ok)
                continue;
            need = op->frac * x->w->replicas;
            c = need * pl->price_per_gpu_hour;
            if (need > left[j] + 1e-9)
                continue;
            if (c < best_cost - 1e-12) {
                best_cost = c;
                best_pool = j;
            }
        }
        if (best_pool == SIZE_MAX) {
            bool any = false;

            for (j = 0; j < P.n_models; j++)
                any = any || x->best[j].ok;
            x->why = any ? "no node pool has room left for its replicas"
                     : x->mem_mib > 0 && !any
                         ? "no GPU model of the inventory fits its memory and "
                           "meets its target, even alone"
                         : "cannot be placed";
            continue;
        }
        x->pool = best_pool;
        x->chosen = x->best[model_of(&P, inv->pools[best_pool].gpu) - P.models];
        /* a whole node's worth of rounding per shared group is charged when
         * the groups are built; here only the GPUs themselves */
        left[best_pool] -= x->chosen.frac * x->w->replicas;
    }

    /* step 2b: MPS groups serve one tenant; a tenant's MPS demand that
     * fills less than a node would leave most of that node empty, so such
     * workloads take time-slicing (which mixes tenants) when they can. */
    for (i = 0; i < inv->n_loads; i++) {
        struct wl *x = &wls[i];
        double demand = 0;

        if (x->pool == SIZE_MAX || x->chosen.mode != GP_PLAN_MPS ||
            !x->chosen.ts_n)
            continue;
        for (j = 0; j < inv->n_loads; j++)
            if (wls[j].pool == x->pool && wls[j].chosen.mode == GP_PLAN_MPS &&
                strcmp(wls[j].w->tenant, x->w->tenant) == 0)
                demand += wls[j].chosen.frac * wls[j].w->replicas;
        if (demand < inv->pools[x->pool].gpus_per_node) {
            x->chosen.mode = GP_PLAN_TIME_SLICING;
            x->chosen.n = x->chosen.ts_n;
            x->chosen.frac = 1.0 / x->chosen.ts_n;
            x->chosen.pred = x->chosen.ts_pred;
        }
    }

    /* step 3 */
    for (i = 0; i < inv->n_pools && rc == 0; i++) {
        const struct gp_node_pool *pl = &inv->pools[i];
        const struct model_ctx *mc = model_of(&P, pl->gpu);
        struct wl **ws = gp_xcalloc(inv->n_loads + 1, sizeof(*ws));
        size_t k, first = gv.n;
        uint64_t ex_replicas = 0;
        struct gp_plan_group *ex = NULL;

        /* exclusive */
        for (j = 0; j < inv->n_loads; j++) {
            struct wl *x = &wls[j];

            if (x->pool != i || x->chosen.mode != GP_PLAN_EXCLUSIVE)
                continue;
            if (!ex)
                ex = new_group(&gv, pl, GP_PLAN_EXCLUSIVE, 1,
                               group_name(a, pl->name, "exclusive"));
            /* new_group may move the vector */
            ex = &gv.v[gv.n - 1];
            add_assign(&P, ex, x, &x->chosen.pred, NULL);
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
        /* time-slicing and MPS, by replicas per GPU (and tenant) */
        for (;;) {
            struct wl *seed = NULL;

            for (j = 0; j < inv->n_loads && !seed; j++) {
                struct wl *x = &wls[j];

                if (x->pool == i && !x->grouped &&
                    (x->chosen.mode == GP_PLAN_TIME_SLICING ||
                     x->chosen.mode == GP_PLAN_MPS))
                    seed = x;
            }
            if (!seed)
                break;
            for (j = 0, k = 0; j < inv->n_loads; j++) {
                struct wl *x = &wls[j];

                if (x->pool == i && !x->grouped &&
                    x->chosen.mode == seed->chosen.mode &&
                    x->chosen.n == seed->chosen.n &&
                    (x->chosen.mode != GP_PLAN_MPS ||
                     strcmp(x->w->tenant, seed->w->tenant) == 0))
                    ws[k++] = x;
            }
            shared_groups(&P, &gv, pl, mc, seed->chosen.mode, seed->chosen.n,
                          seed->chosen.mode == GP_PLAN_MPS ? seed->w->tenant
                                                           : NULL,
                          ws, k);
            for (j = 0; j < k; j++)
                ws[j]->grouped = true;
        }
        /* MIG */
        for (j = 0, k = 0; j < inv->n_loads; j++)
            if (wls[j].pool == i && wls[j].chosen.mode == GP_PLAN_MIG)
                ws[k++] = &wls[j];
        absorb(&P, &gv, first, mc, wls);
        if (k)
            rc = mig_groups(&P, &gv, pl, mc, ws, k, &plan->gpus_lower_bound);
        free(ws);
    }

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
        for (j = 0; j < g->n_assigns; j++)
            if (!g->assigns[j].meets_target)
                plan->all_targets_met = false;
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
    qsort(gv.v, gv.n, sizeof(*gv.v), by_group);
    plan->groups = gp_arena_calloc(a, gv.n + 1, sizeof(*plan->groups));
    if (gv.n)
        memcpy(plan->groups, gv.v, gv.n * sizeof(*gv.v));
    plan->n_groups = gv.n;
    plan->evals = P.evals;
    plan->engine_evals = P.engine_evals;
    for (i = 0; i < inv->n_loads; i++)
        free(wls[i].best);
    free(gv.v);
    free(wls);
    free(order);
    free(left);
    free(P.models);
    *out = plan;
    return rc;
}
