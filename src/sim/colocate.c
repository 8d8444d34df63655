/* SPDX-License-Identifier: MIT */
#include "sim/colocate.h"

#include <math.h>
#include <string.h>

#include "base/arena.h"
#include "sim/analytic.h"
#include "sim/scenario.h"

/* The engine runs long enough for about 20,000 requests of the slowest
 * stream, 60 s .. 1 h (as gp_sim_auto_duration, for one domain). */
static double
duration_for(const struct gp_sim_domain *dom)
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

bool
gp_sim_meets_targets(const struct gp_workload *w,
                     const struct gp_sim_proc_result *p)
{
    if (!p->stable)
        return false;
    if (w->target_p99_s > 0 && (!p->has_latency || p->p99 > w->target_p99_s))
        return false;
    /* relative slack: a throughput equal to the target in floating point
     * meets it */
    return !(w->target_throughput > 0 &&
             p->throughput < w->target_throughput * (1 - 1e-9));
}

void
gp_sim_colocate(struct gp_sim_domain_result *r, struct gp_colocation_how *how,
                struct gp_arena *a, const struct gp_colocation *c,
                const struct gp_workload *const *ws, size_t k)
{
    const struct gp_gpu_model *m = c->model;
    struct gp_sim_proc *procs = gp_arena_calloc(a, k ? k : 1, sizeof(*procs));
    struct gp_sim_domain dom;
    struct gp_sim_gpu g;
    bool engine = c->engine_only, untrusted = false;
    size_t i;

    memset(&dom, 0, sizeof(dom));
    memset(&g, 0, sizeof(g));
    for (i = 0; i < k; i++) {
        procs[i].w = ws[i];
        procs[i].rate = ws[i]->traffic == GP_TRAFFIC_POISSON
                            ? ws[i]->rps / (double)ws[i]->replicas
                            : 0;
    }
    g.name = "colocation";
    g.model = m;
    g.calib = c->calib;
    g.calib_exact = c->calib_exact;
    g.mode = c->sharing;
    g.mps_thread_pct = 100;
    dom.procs = procs;
    dom.n_procs = k;
    dom.sm_frac = dom.bw_frac = 1;
    dom.memory_mib = m->memory_mib;
    if (c->sharing == GP_SIM_TIME_SLICING) {
        g.replicas = c->replicas;
        dom.time_sliced = k > 1;
    } else if (c->sharing == GP_SIM_MPS) {
        g.replicas = c->replicas;
        gp_sim_mps_plugin_limits(&g, c->replicas);
        dom.mps = true;
    }
    if (c->mig) {
        g.mode = GP_SIM_MIG;
        dom.mig = c->mig;
        dom.sm_frac = (double)c->mig->sm_count / (double)m->sm_count;
        dom.bw_frac = (double)c->mig->memory_slices /
                      (double)m->mig->memory_slices;
        dom.memory_mib = c->mig->memory_mib;
    }
    g.domains = &dom;
    g.n_domains = 1;
    if (!engine) {
        gp_analytic_domain(r, a, &g, &dom);
        untrusted = !gp_analytic_trusted(r);
        engine = untrusted && c->engine_budget > 0;
    }
    how->events = 0;
    if (engine) {
        double dur = duration_for(&dom);

        untrusted = false;
        gp_sim_domain(r, a, &g, &dom, dur, dur / 10 < 10 ? dur / 10 : 10,
                      c->seed);
        how->events = r->events;
    }
    /* The domain described here ends with this call; the processes live in
     * 'a' with the result. */
    r->dom = NULL;
    how->by_engine = engine;
    how->untrusted = untrusted;
}
