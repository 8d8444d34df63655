/* SPDX-License-Identifier: MIT */
/* report/model.c: every figure of the report, derived once from the public
 * plan data (plan/plan.h), in time linear in the plan's size.
 *
 * Figures the plan does not hold are computed here:
 *  - per pool: GPUs and cost before (one pod per GPU, the plan's
 *    baseline) and after (every GPU of the nodes the plan uses), as the
 *    plan's totals count them, so the pools add up to the totals;
 *  - per pool: the load of its groups weighted by GPUs hosting pods, over
 *    those GPUs and over every GPU provisioned;
 *  - per group: pod slots (GPUs x replicas per GPU, or MIG instances) and
 *    memory headroom (limit less the worst co-located peak);
 *  - per placement: what-if headroom (free slots of its kind in its group,
 *    and in the pool's idle nodes under the same config) and risk flags;
 *  - the MIG layouts in use (hashed by GPU model and layout text), and the
 *    calibration behind each GPU model's predictions. */
#include "report/report.h"

#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "inventory/inventory.h"
#include "json/json.h"
#include "mig/geometry.h"
#include "model/gpu.h"
#include "plan/plan.h"
#include "report/planfmt.h"
#include "sim/calib.h"

static const char *const flag_names[] = {
    "OOM risk", "shared fault domain", "near saturation", "target missed",
    "unstable",
};

const char *
gp_report_flag_name(enum gp_report_flag f)
{
    size_t i;

    for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
        if ((unsigned)f == 1u << i)
            return flag_names[i];
    return "?";
}

void
gp_report_flags_text(struct gp_strbuf *out, unsigned flags)
{
    size_t i, n = 0;

    for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
        if (flags & (1u << i)) {
            gp_strbuf_puts(out, n++ ? ", " : "");
            gp_strbuf_puts(out, flag_names[i]);
        }
}

static const char *
base_name(const char *path)
{
    const char *s;

    if (strcmp(path, "-") == 0)
        return "<stdin>";
    s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

static uint64_t
per_gpu(const struct gp_plan_group *g)
{
    return g->mode == GP_PLAN_TIME_SLICING || g->mode == GP_PLAN_MPS
               ? (g->replicas ? g->replicas : 1)
               : 1;
}

/* MIG: instances of profile 'p' on one node of group g. */
static uint64_t
mig_per_node(const struct gp_plan_group *g, const struct gp_mig_profile *p)
{
    uint64_t n = 0;
    uint32_t i, k;

    for (i = 0; g->layouts && i < g->pool->gpus_per_node; i++)
        for (k = 0; k < g->layouts[i].n; k++)
            if (g->layouts[i].inst[k].profile == p)
                n++;
    return n * gp_plan_mig_pods_per_instance(g, p);
}

static unsigned
flags_of(const struct gp_plan_group *g, const struct gp_plan_assign *as)
{
    const struct gp_workload *w = as->w;
    unsigned f = 0;

    if (as->mem_limit_mib &&
        (double)as->mem_need_mib >=
            GP_REPORT_OOM_SHARE * (double)as->mem_limit_mib)
        f |= GP_REPORT_OOM_RISK;
    /* time-slicing isolates no memory: the co-tenants' peaks count too */
    if (g->mode == GP_PLAN_TIME_SLICING && g->gpu_mem_mib &&
        (double)g->worst_mem_mib >=
            GP_REPORT_OOM_SHARE * (double)g->gpu_mem_mib)
        f |= GP_REPORT_OOM_RISK;
    if (((g->mode == GP_PLAN_MPS || g->mode == GP_PLAN_TIME_SLICING) &&
         g->replicas > 1) ||
        (g->mode == GP_PLAN_MIG && as->mig &&
         gp_plan_mig_pods_per_instance(g, as->mig) > 1))
        f |= GP_REPORT_SHARED_FAULT;
    if (w->target_p99_s > 0 && as->has_latency &&
        as->p99 >= GP_REPORT_NEAR_P99 * w->target_p99_s)
        f |= GP_REPORT_NEAR_SATURATION;
    if (w->target_throughput > 0 &&
        as->throughput < GP_REPORT_NEAR_TPUT * w->target_throughput)
        f |= GP_REPORT_NEAR_SATURATION;
    if (as->offered > 0 &&
        as->throughput < GP_REPORT_NEAR_OFFERED * as->offered)
        f |= GP_REPORT_NEAR_SATURATION;
    if (!as->meets_target)
        f |= GP_REPORT_TARGET_MISSED;
    if (!as->stable)
        f |= GP_REPORT_UNSTABLE;
    return f;
}

/* ---- MIG layouts in use: an open-addressing table on "model|layout" -- */

struct mig_slot {
    uint64_t hash;
    const char *key;
    size_t idx; /* into r->migs, +1; 0 when empty */
};

static uint64_t
fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static void
collect_migs(struct gp_report *r, struct gp_arena *a, const struct gp_plan *p)
{
    size_t n_keys = 0, cap = 16, i, cap_migs = 0;
    struct mig_slot *tab;
    struct gp_strbuf key = GP_STRBUF_INIT, text = GP_STRBUF_INIT;

    for (i = 0; i < p->n_groups; i++)
        if (p->groups[i].mode == GP_PLAN_MIG && p->groups[i].layouts)
            n_keys += p->groups[i].pool->gpus_per_node;
    while (cap < 2 * n_keys + 16)
        cap *= 2;
    tab = gp_arena_calloc(a, cap, sizeof(*tab));
    for (i = 0; i < p->n_groups; i++) {
        const struct gp_plan_group *g = &p->groups[i];
        uint32_t k;

        if (g->mode != GP_PLAN_MIG || !g->layouts)
            continue;
        for (k = 0; k < g->pool->gpus_per_node; k++) {
            const struct gp_mig_layout *l = &g->layouts[k];
            struct gp_report_mig *m;
            uint64_t h;
            size_t s;

            if (!l->n)
                continue;
            gp_strbuf_reset(&text);
            gp_mig_layout_format(l, &text);
            gp_strbuf_reset(&key);
            gp_strbuf_printf(&key, "%s|%s", g->pool->gpu->id, text.buf);
            h = fnv1a(key.buf);
            s = (size_t)(h & (cap - 1));
            while (tab[s].idx &&
                   (tab[s].hash != h || strcmp(tab[s].key, key.buf) != 0))
                s = (s + 1) & (cap - 1);
            if (!tab[s].idx) {
                if (r->n_migs == cap_migs) {
                    size_t nc = cap_migs ? cap_migs * 2 : 8;

                    r->migs = gp_arena_grow(a, r->migs, r->n_migs, nc,
                                            sizeof(*r->migs));
                    cap_migs = nc;
                }
                m = &r->migs[r->n_migs++];
                m->model = g->pool->gpu;
                m->layout = l;
                m->text = gp_arena_strdup(a, text.buf);
                tab[s].hash = h;
                tab[s].key = gp_arena_strdup(a, key.buf);
                tab[s].idx = r->n_migs;
            }
            m = &r->migs[tab[s].idx - 1];
            m->gpus += g->nodes;
            if (!m->n_groups || strcmp(m->groups[m->n_groups - 1], g->name)) {
                /* grow by powers of two: the count is its own capacity */
                size_t n = m->n_groups;

                if (n == 0 || (n & (n - 1)) == 0)
                    m->groups = gp_arena_grow(a, m->groups, n, n ? n * 2 : 1,
                                              sizeof(*m->groups));
                m->groups[m->n_groups++] = g->name;
            }
        }
    }
    gp_strbuf_release(&key);
    gp_strbuf_release(&text);
}

static int
collect_calibs(struct gp_report *r, struct gp_arena *a,
               const struct gp_inventory *inv, struct gp_diags *d)
{
    size_t i, j;

    r->calibs = gp_arena_calloc(a, inv->n_pools + 1, sizeof(*r->calibs));
    for (i = 0; i < inv->n_pools; i++) {
        const struct gp_gpu_model *m = inv->pools[i].gpu;
        struct gp_report_calib *c;
        struct gp_calib cal;
        bool exact;

        for (j = 0; j < r->n_calibs && r->calibs[j].model != m; j++)
            ;
        if (j < r->n_calibs)
            continue;
        if (gp_calib_builtin(&cal, &exact, a, m, d) < 0)
            return -1;
        c = &r->calibs[r->n_calibs++];
        c->model = m;
        c->file = cal.file;
        c->measured_on = cal.gpu_name;
        c->date = cal.date;
        c->driver = cal.driver;
        c->exact = exact;
        c->model_file = m->file;
        if (m->file && !m->builtin && strrchr(m->file, '/'))
            c->model_file = strrchr(m->file, '/') + 1;
    }
    return 0;
}

/* Per MIG profile of one group: slots and replicas placed. */
struct prof_use {
    const struct gp_mig_profile *p;
    uint64_t per_node, used;
};

static struct prof_use *
prof_find(struct prof_use *u, size_t *n, const struct gp_plan_group *g,
          const struct gp_mig_profile *p)
{
    size_t i;

    for (i = 0; i < *n; i++)
        if (u[i].p == p)
            return &u[i];
    if (*n == GP_MIG_MAX_PROFILES)
        return NULL;
    u[*n].p = p;
    u[*n].per_node = mig_per_node(g, p);
    u[*n].used = 0;
    return &u[(*n)++];
}

/* Flags the placements of workloads placed in more than one group. */
static void
mark_split(struct gp_report *r, struct gp_arena *a,
           const struct gp_inventory *inv)
{
    uint32_t *seen = gp_arena_calloc(a, inv->n_loads + 1, sizeof(*seen));
    size_t i;

    for (i = 0; i < r->n_loads; i++) {
        const struct gp_workload *w = r->loads[i].as->w;

        if (w >= inv->loads && w < inv->loads + inv->n_loads)
            seen[w - inv->loads]++;
    }
    for (i = 0; i < r->n_loads; i++) {
        const struct gp_workload *w = r->loads[i].as->w;

        r->loads[i].split = w >= inv->loads && w < inv->loads + inv->n_loads &&
                            seen[w - inv->loads] > 1;
    }
}

static double
ratio(double num, double den)
{
    return den > 0 ? gp_round(num / den, 4) : 0;
}

int
gp_report_build(struct gp_report **out, struct gp_arena *a,
                const struct gp_plan *p, const struct gp_report_opts *o,
                struct gp_diags *d)
{
    const struct gp_inventory *inv = p->inv;
    struct gp_report *r = gp_arena_calloc(a, 1, sizeof(*r));
    struct gp_strbuf sb = GP_STRBUF_INIT;
    size_t i, j, n_assigns = 0, *fill;
    double day_before = 0, day_after = 0;
    struct gp_loc nowhere = {NULL, 0, 0, 0};

    r->a = a;
    r->plan = p;
    r->inventory = inv->name ? inv->name : "inventory";
    r->seed = o->seed;
    r->engine_only = o->engine_only;
    r->version = o->version ? o->version : "";
    r->inputs = gp_arena_calloc(a, o->n_inputs + 1, sizeof(*r->inputs));
    for (i = 0; i < o->n_inputs; i++)
        r->inputs[r->n_inputs++] =
            gp_arena_strdup(a, base_name(o->inputs[i]));

    /* pools, and each group's pool */
    r->n_pools = inv->n_pools;
    r->pools = gp_arena_calloc(a, inv->n_pools + 1, sizeof(*r->pools));
    for (i = 0; i < p->n_groups; i++) {
        const struct gp_node_pool *np = p->groups[i].pool;

        if (np < inv->pools || np >= inv->pools + inv->n_pools)
            return gp_error_at(d, nowhere,
                               "node group '%s' belongs to no "
                               "pool of inventory '%s'",
                               p->groups[i].name, r->inventory);
        r->pools[np - inv->pools].n_groups++;
        n_assigns += p->groups[i].n_assigns;
    }
    if (p->pools && p->n_pools != inv->n_pools)
        return gp_error_at(d, nowhere,
                           "the plan has %zu pools, its "
                           "inventory %zu",
                           p->n_pools, inv->n_pools);
    fill = gp_arena_calloc(a, inv->n_pools + 1, sizeof(*fill));
    for (i = 0; i < inv->n_pools; i++) {
        struct gp_report_pool *rp = &r->pools[i];
        const struct gp_node_pool *np = &inv->pools[i];

        rp->pp = p->pools ? &p->pools[i] : NULL;
        rp->name = np->name;
        rp->gpu = np->gpu->id;
        rp->nodes_available = np->nodes;
        rp->groups = gp_arena_calloc(a, rp->n_groups + 1, sizeof(*rp->groups));
    }

    /* groups and placements */
    r->groups = gp_arena_calloc(a, p->n_groups + 1, sizeof(*r->groups));
    r->n_groups = p->n_groups;
    r->loads = gp_arena_calloc(a, n_assigns + 1, sizeof(*r->loads));
    for (i = 0; i < p->n_groups; i++) {
        const struct gp_plan_group *g = &p->groups[i];
        struct gp_report_group *rg = &r->groups[i];
        size_t pi = (size_t)(g->pool - inv->pools);
        struct gp_report_pool *rp = &r->pools[pi];

        rp->groups[fill[pi]++] = i;
        gp_strbuf_reset(&sb);
        gp_planfmt_config(&sb, g);
        rg->g = g;
        rg->config = gp_arena_strdup(a, sb.buf);
        rg->load = gp_round(g->utilisation, 4);
        rg->mem_headroom_mib = g->gpu_mem_mib > g->worst_mem_mib
                                   ? g->gpu_mem_mib - g->worst_mem_mib
                                   : 0;
        rg->mem_share = ratio((double)g->worst_mem_mib, (double)g->gpu_mem_mib);
        if (g->mode == GP_PLAN_MIG) {
            uint32_t k;

            uint32_t c;

            for (k = 0; g->layouts && k < g->pool->gpus_per_node; k++)
                for (c = 0; c < g->layouts[k].n; c++)
                    rg->slots += (uint64_t)g->nodes *
                                 gp_plan_mig_pods_per_instance(
                                     g, g->layouts[k].inst[c].profile);
        } else {
            rg->slots =
                (uint64_t)g->nodes * g->pool->gpus_per_node * per_gpu(g);
        }
        for (j = 0; j < g->n_assigns; j++)
            rg->slots_used += g->assigns[j].replicas;
        if (!p->pools) {
            rp->nodes_used += g->nodes;
            rp->gpus_hosting += g->gpus_used;
            for (j = 0; j < g->n_assigns; j++)
                rp->gpus_before += g->assigns[j].replicas;
        }
    }
    for (i = 0; i < inv->n_pools; i++) {
        struct gp_report_pool *rp = &r->pools[i];
        const struct gp_node_pool *np = &inv->pools[i];
        double load = 0;
        uint64_t hosting = 0;

        if (rp->pp) {
            rp->nodes_used = rp->pp->nodes_used;
            rp->gpus_hosting = rp->pp->gpus_used;
            rp->gpus_before = rp->pp->baseline_gpus;
            rp->over_capacity = rp->pp->over_capacity;
        } else {
            rp->over_capacity = rp->nodes_used > np->nodes;
        }
        rp->idle_nodes =
            np->nodes > rp->nodes_used ? np->nodes - rp->nodes_used : 0;
        rp->gpus_after = rp->nodes_used * np->gpus_per_node;
        /* the plan's own arithmetic (plan.c: totals), pool by pool */
        day_before += (double)rp->gpus_before * np->price_per_gpu_hour * 24;
        day_after += (double)rp->nodes_used * np->gpus_per_node *
                     np->price_per_gpu_hour * 24;
        rp->cost_day_before =
            gp_round((double)rp->gpus_before * np->price_per_gpu_hour * 24, 2);
        rp->cost_day_after =
            gp_round((double)rp->nodes_used * np->gpus_per_node *
                         np->price_per_gpu_hour * 24,
                     2);
        for (j = 0; j < rp->n_groups; j++) {
            const struct gp_report_group *rg = &r->groups[rp->groups[j]];

            load += rg->g->utilisation * rg->g->gpus_used;
            hosting += rg->g->gpus_used;
            if (rg->g->gpu_mem_mib &&
                (!rp->has_mem ||
                 rg->mem_headroom_mib < rp->min_mem_headroom_mib)) {
                rp->min_mem_headroom_mib = rg->mem_headroom_mib;
                rp->has_mem = true;
            }
        }
        rp->load_hosting = ratio(load, (double)hosting);
        rp->load_provisioned = ratio(load, (double)rp->gpus_after);
        r->gpus_before += rp->gpus_before;
        r->gpus_after += rp->gpus_after;
        r->gpus_hosting += rp->gpus_hosting;
        r->gpus_capacity += np->nodes * np->gpus_per_node;
        if (rp->over_capacity)
            r->n_over_capacity++;
    }

    /* placements: flags, ratios, what-if headroom */
    for (i = 0; i < p->n_groups; i++) {
        const struct gp_plan_group *g = &p->groups[i];
        const struct gp_report_group *rg = &r->groups[i];
        const struct gp_report_pool *rp = &r->pools[g->pool - inv->pools];
        struct prof_use use[GP_MIG_MAX_PROFILES];
        size_t n_use = 0;

        r->groups[i].first_load = r->n_loads;
        r->groups[i].n_loads = g->n_assigns;
        if (g->mode == GP_PLAN_MIG)
            for (j = 0; j < g->n_assigns; j++) {
                struct prof_use *u =
                    prof_find(use, &n_use, g, g->assigns[j].mig);

                if (u)
                    u->used += g->assigns[j].replicas;
            }
        for (j = 0; j < g->n_assigns; j++) {
            const struct gp_plan_assign *as = &g->assigns[j];
            struct gp_report_load *l = &r->loads[r->n_loads++];

            l->as = as;
            l->g = g;
            l->config = rg->config;
            l->flags = flags_of(g, as);
            if (as->w->target_p99_s > 0 && as->has_latency)
                l->p99_of_target = ratio(as->p99, as->w->target_p99_s);
            if (as->w->target_throughput > 0)
                l->tput_of_target =
                    ratio(as->throughput, as->w->target_throughput);
            l->mem_share =
                ratio((double)as->mem_need_mib, (double)as->mem_limit_mib);
            if (g->mode == GP_PLAN_MIG) {
                const struct prof_use *u = prof_find(use, &n_use, g, as->mig);

                if (u && u->per_node * g->nodes > u->used)
                    l->room = u->per_node * g->nodes - u->used;
                l->room_idle = u ? u->per_node * rp->idle_nodes : 0;
            } else {
                if (rg->slots > rg->slots_used)
                    l->room = rg->slots - rg->slots_used;
                l->room_idle = (uint64_t)rp->idle_nodes *
                               g->pool->gpus_per_node * per_gpu(g);
            }
            if (!as->meets_target)
                r->n_missed++;
            if (l->flags)
                r->n_flagged++;
        }
    }

    mark_split(r, a, inv);
    r->gpus_saved = (int64_t)r->gpus_before - (int64_t)r->gpus_after;
    r->gpus_lower_bound = gp_round(p->gpus_lower_bound, 2);
    r->cost_day_before = gp_round(day_before, 2);
    r->cost_day_after = gp_round(day_after, 2);
    r->cost_day_saved = gp_round(r->cost_day_before - r->cost_day_after, 2);
    r->cost_month_before =
        gp_round(day_before / 24 * GP_REPORT_HOURS_PER_MONTH, 2);
    r->cost_month_after =
        gp_round(day_after / 24 * GP_REPORT_HOURS_PER_MONTH, 2);
    r->cost_month_saved =
        gp_round(r->cost_month_before - r->cost_month_after, 2);
    r->n_unplaced = p->n_unplaced;
    r->findings = r->n_missed || r->n_unplaced || r->n_over_capacity;

    collect_migs(r, a, p);
    gp_strbuf_release(&sb);
    if (collect_calibs(r, a, inv, d) < 0)
        return -1;
    *out = r;
    return 0;
}
