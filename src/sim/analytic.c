/* SPDX-License-Identifier: MIT */
#include "sim/analytic.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "base/arena.h"
#include "base/xalloc.h"
#include "model/gpu.h"
#include "sim/perf.h"

#define ITERATIONS 200
#define EXACT_PROCS 12
#define SAMPLES 512

struct ap {
    const struct gp_workload *w;
    double work, burst, kernel, sw_preempt, rate;
    unsigned syncs, clients;
    double think;
    enum gp_traffic traffic;
    struct gp_mps_client mps;
    double demand;
    /* solved */
    double a;              /* probability of having GPU work pending */
    double burst_time;     /* wall time of one burst, from launch */
    double r0;             /* of which: waiting for the GPU at launch */
    double sm;             /* mean SM share while running (MPS) */
    double busy;           /* probability a new request finds one ahead */
    double var;            /* variance of a request's service time */
};

struct qres {
    double x, mean, p50, p95, p99, busy;
    bool stable;
};

/* Waiting-time quantile of a queue with utilisation rho and mean wait w:
 * P(W > t) ~ rho exp(-t rho / w), exact for M/M/1 and the usual
 * heavy-traffic form for M/G/1. */
static double
wait_q(double rho, double w, double q)
{
    if (rho <= 0 || w <= 0 || 1 - q >= rho)
        return 0;
    return w / rho * log(rho / (1 - q));
}

/* One process as a single FIFO server of requests; service b (mean) with
 * a launch wait that is uniform with mean r0 (the only source of spread in
 * the service time besides serviceTimeCV). */
static void
queue_model(const struct ap *p, double b, double r0, double cv, struct qres *q)
{
    static const double qs[3] = {0.5, 0.95, 0.99};
    double out[3], w = 0, rho = 0;
    double var = p->var + (cv * p->work) * (cv * p->work) +
                 p->syncs * r0 * r0 / 3.0;
    size_t i;

    memset(q, 0, sizeof(*q));
    q->stable = true;
    switch (p->traffic) {
    case GP_TRAFFIC_POISSON: {
        double es2 = b * b + var;

        rho = p->rate * b;
        q->x = p->rate;
        if (rho >= 0.999) {
            q->stable = false;
            q->x = 1 / b;
            q->busy = 1;
            return;
        }
        w = p->rate * es2 / (2 * (1 - rho));
        break;
    }
    case GP_TRAFFIC_CLOSED_LOOP: {
        double ql = 0, r = b;
        unsigned n;

        /* Mean value analysis: a FIFO station and a delay (think) station. */
        for (n = 1; n <= p->clients; n++) {
            r = b * (1 + ql);
            q->x = n / (r + p->think);
            ql = q->x * r;
        }
        rho = q->x * b;
        w = r - b;
        break;
    }
    case GP_TRAFFIC_CONTINUOUS:
        q->x = 1 / b;
        rho = 1;
        w = 0;
        break;
    }
    q->busy = rho > 1 ? 1 : rho;
    for (i = 0; i < 3; i++) {
        /* Service-time spread (launch waits, foreign turns, the work's own
         * variability), normal approximation around the mean. */
        double bq = b + gsl_cdf_ugaussian_Pinv(qs[i]) * sqrt(var);

        out[i] = wait_q(rho, w, qs[i]) + bq;
    }
    q->mean = w + b;
    q->p50 = out[0];
    q->p95 = out[1];
    q->p99 = out[2];
}

static void
init(struct ap *p, const struct gp_sim_gpu *g, const struct gp_sim_domain *d,
     const struct gp_sim_proc *sp)
{
    const struct gp_workload *w = sp->w;
    double f = gp_perf_domain_factor(w->sm_fraction, w->memory_bound,
                                     d->sm_frac, d->bw_frac, g->calib);
    double held = w->sm_fraction < d->sm_frac ? w->sm_fraction : d->sm_frac;

    memset(p, 0, sizeof(*p));
    p->w = w;
    p->work = w->service_time_s * f;
    p->syncs = w->syncs ? w->syncs : 1;
    p->burst = p->work / p->syncs;
    p->kernel = w->kernel_time_s * f;
    p->sw_preempt = g->calib->switch_light_s +
                    held * (g->calib->switch_heavy_s - g->calib->switch_light_s);
    p->rate = sp->rate;
    p->clients = w->clients;
    p->think = w->think_time_s;
    p->traffic = w->traffic;
    p->mps.sigma = w->sm_fraction;
    p->mps.cap = gp_perf_mps_cap(d->mps ? g->mps_thread_pct : 100,
                                 g->model->sm_count);
    p->mps.mu = w->memory_bound;
    p->demand = p->mps.sigma < p->mps.cap ? p->mps.sigma : p->mps.cap;
    p->a = p->traffic == GP_TRAFFIC_POISSON ? fmin(1, p->rate * p->work) : 1;
}

/* Time-slicing: a burst waits at launch for the turns ahead of it, runs a
 * turn of at most Q, and between its turns every other context with work
 * takes one. A request arriving at an idle process finds on average half a
 * round ahead (the owner's residual and the contexts ahead in round-robin
 * order); a burst launched right after the process's own previous burst
 * (after a host sync, or the next queued request) has just given up the
 * GPU and waits a whole round. */
static void
ts_step(struct ap *p, size_t n, const struct gp_calib *c)
{
    double tau[GP_SIM_MAX_PROCS_PER_DOMAIN], suma = 0;
    size_t i, j;

    for (j = 0; j < n; j++) {
        double q = p[j].burst < c->timeslice_s ? p[j].burst : c->timeslice_s;

        tau[j] = q + (p[j].burst > c->timeslice_s ? p[j].sw_preempt
                                                  : c->switch_yield_s);
        suma += p[j].a;
    }
    for (i = 0; i < n; i++) {
        double others = 0, none = 1, turns, idle_switch, v = 0, k;

        for (j = 0; j < n; j++) {
            if (j == i)
                continue;
            others += p[j].a * tau[j];
            v += p[j].a * (1 - p[j].a) * tau[j] * tau[j];
            none *= 1 - p[j].a;
        }
        turns = ceil(p[i].burst / c->timeslice_s - 1e-9);
        /* On an idle GPU the context last loaded may be another one. */
        idle_switch = n > 1 && suma > 0
                          ? none * (1 - p[i].a / suma) * c->switch_yield_s
                          : 0;
        p[i].r0 = ((0.5 + 0.5 * p[i].busy) * others +
                   (p[i].syncs - 1) * others) / p[i].syncs +
                  idle_switch;
        p[i].burst_time = p[i].r0 + p[i].burst +
                          (turns - 1) * (others + (1 - none) * p[i].sw_preempt);
        /* Whether another context has work lasts longer than one turn:
         * its turns during one request are taken as fully correlated,
         * which errs toward a longer tail. */
        k = p[i].syncs * (turns - 1);
        p[i].var = k * k * v;
        p[i].sm = p[i].demand;
    }
}

/* MPS: the expected slowdown over which other clients are running,
 * assumed independent with their probabilities of having work. */
struct mps_tab {
    double *rate, *sm; /* [mask * n + i] */
};

static void
mps_table(struct mps_tab *t, const struct ap *p, size_t n,
          const struct gp_calib *c)
{
    size_t masks = (size_t)1 << n, m, i, k;

    t->rate = gp_xcalloc(masks * n, sizeof(double));
    t->sm = gp_xcalloc(masks * n, sizeof(double));
    for (m = 1; m < masks; m++) {
        struct gp_mps_client cl[EXACT_PROCS];
        double r[EXACT_PROCS], sm[EXACT_PROCS];

        for (i = 0, k = 0; i < n; i++)
            if (m >> i & 1)
                cl[k++] = p[i].mps;
        gp_perf_mps_rates(cl, k, c, r, sm);
        for (i = 0, k = 0; i < n; i++)
            if (m >> i & 1) {
                t->rate[m * n + i] = r[k];
                t->sm[m * n + i] = sm[k++];
            }
    }
}

static void
mps_subset(struct ap *p, size_t n, size_t i, const bool *in, double weight,
           const double *rate, const double *sm, const struct gp_calib *c,
           double *acc)
{
    double demand = 0, hog_d = 0, hog_wall = 0;
    size_t j;

    for (j = 0; j < n; j++) {
        if (!in[j])
            continue;
        demand += p[j].demand;
        if (j != i && p[j].demand > hog_d) {
            hog_d = p[j].demand;
            hog_wall = p[j].kernel / (rate[j] > 0 ? rate[j] : 1);
        }
    }
    acc[0] += weight / rate[i];
    acc[1] += weight * sm[i];
    if (demand > 1 + 1e-9)
        acc[2] += weight * c->hol_fraction * hog_wall;
}

static void
mps_step(struct ap *p, size_t n, const struct gp_calib *c,
         const struct mps_tab *t, gsl_rng *rng)
{
    size_t i, j, m;

    for (i = 0; i < n; i++) {
        double acc[3] = {0, 0, 0}, total = 0;
        bool in[GP_SIM_MAX_PROCS_PER_DOMAIN];

        if (t->rate) {
            size_t others = n - 1, s;

            for (s = 0; s < ((size_t)1 << others); s++) {
                double wgt = 1;

                m = 0;
                for (j = 0; j < n; j++) {
                    size_t bit = j < i ? j : j - 1;

                    if (j == i) {
                        in[j] = true;
                    } else {
                        in[j] = s >> bit & 1;
                        wgt *= in[j] ? p[j].a : 1 - p[j].a;
                    }
                    if (in[j])
                        m |= (size_t)1 << j;
                }
                if (wgt <= 0)
                    continue;
                mps_subset(p, n, i, in, wgt, &t->rate[m * n], &t->sm[m * n],
                           c, acc);
                total += wgt;
            }
        } else {
            /* Too many clients to enumerate: sample the running sets with a
             * fixed-seed generator (deterministic). */
            struct gp_mps_client cl[GP_SIM_MAX_PROCS_PER_DOMAIN];
            double r[GP_SIM_MAX_PROCS_PER_DOMAIN], sm[GP_SIM_MAX_PROCS_PER_DOMAIN];
            double rr[GP_SIM_MAX_PROCS_PER_DOMAIN], ss[GP_SIM_MAX_PROCS_PER_DOMAIN];
            size_t sidx;

            gsl_rng_set(rng, 7 + i);
            for (sidx = 0; sidx < SAMPLES; sidx++) {
                size_t k = 0;

                for (j = 0; j < n; j++) {
                    in[j] = j == i || gsl_rng_uniform(rng) < p[j].a;
                    if (in[j])
                        cl[k++] = p[j].mps;
                }
                gp_perf_mps_rates(cl, k, c, r, sm);
                for (j = 0, k = 0; j < n; j++) {
                    rr[j] = in[j] ? r[k] : 0;
                    ss[j] = in[j] ? sm[k++] : 0;
                }
                mps_subset(p, n, i, in, 1, rr, ss, c, acc);
                total += 1;
            }
        }
        p[i].r0 = acc[2] / total;
        p[i].sm = acc[1] / total;
        p[i].burst_time = p[i].r0 + p[i].burst * acc[0] / total;
    }
}

static bool
saturating(const struct ap *p)
{
    return p->traffic == GP_TRAFFIC_CONTINUOUS ||
           (p->traffic == GP_TRAFFIC_CLOSED_LOOP && p->think <= 0);
}

/* Time-slicing is work-conserving: contexts that always have work split
 * what the others and the switches leave, in equal turns. The per-burst
 * estimate above does not conserve time by itself, so their throughput is
 * taken from this balance instead. */
static void
ts_conserve(struct ap *p, struct qres *q, size_t n, const struct gp_calib *c)
{
    double used = 0, sat_pre = 0, left, share;
    size_t i, n_sat = 0;

    for (i = 0; i < n; i++) {
        double turns = ceil(p[i].burst / c->timeslice_s - 1e-9), sw;

        if (saturating(&p[i])) {
            n_sat++;
            sat_pre += p[i].sw_preempt;
            continue;
        }
        sw = (turns - 1) * p[i].sw_preempt + c->switch_yield_s;
        used += q[i].x * (p[i].work + p[i].syncs * sw);
    }
    if (n_sat == 0)
        return;
    left = 1 - used;
    if (left < 0)
        left = 0;
    /* Each owning turn of Q costs one preemption switch. */
    share = left / (double)n_sat / (1 + sat_pre / (double)n_sat /
                                            c->timeslice_s);
    for (i = 0; i < n; i++) {
        double x;

        if (!saturating(&p[i]))
            continue;
        x = share / p[i].work;
        if (x <= 0)
            continue;
        q[i].x = x;
        q[i].mean = p[i].traffic == GP_TRAFFIC_CONTINUOUS
                        ? 1 / x
                        : p[i].clients / x;
        /* Keep the spread the per-burst model found around the new mean. */
        q[i].p95 = q[i].mean + (q[i].p95 - q[i].p50);
        q[i].p99 = q[i].mean + (q[i].p99 - q[i].p50);
        q[i].p50 = q[i].mean;
    }
}

/* Time-slicing: the GPU time lost to context switches per request of each
 * process (cost[i]), and their share of all time (the return value). A
 * burst pays a yield switch when another context ran since the process's
 * own last burst: one that had work waiting then, or one that launched
 * during the gap (a host sync, or the idle time before the next request).
 * A long burst pays a preemption per extra turn when another context
 * waits. */
static double
ts_switch_cost(const struct ap *p, const struct qres *q, size_t n,
               const struct gp_calib *c, double *cost)
{
    double share = 0;
    size_t i, j;

    for (i = 0; i < n; i++) {
        double turns = ceil(p[i].burst / c->timeslice_s - 1e-9);
        double st_sync = 1, st_idle = 1, fresh, sw;

        for (j = 0; j < n; j++) {
            double beta = q[j].x * p[j].syncs;

            if (j == i)
                continue;
            st_sync *= (1 - p[j].a) * exp(-beta * c->sync_gap_s);
            st_idle *= (1 - p[j].a) *
                       (q[i].x > 0 ? q[i].x / (q[i].x + beta) : 0);
        }
        /* bursts that start a request after the process was idle */
        fresh = (1 - p[i].busy) / p[i].syncs;
        sw = fresh * (1 - st_idle) + (1 - fresh) * (1 - st_sync);
        cost[i] = p[i].syncs * (sw * c->switch_yield_s +
                                (turns - 1) * (1 - st_sync) * p[i].sw_preempt);
        share += q[i].x * cost[i];
    }
    return share;
}

/* Time-slicing past capacity: the per-process queues above each see a
 * stable server, but their GPU time and switches together can exceed the
 * GPU. Round-robin then gives every context with work an equal turn: the
 * contexts that need less than an equal share keep what they need, the
 * others get the level that fills the GPU (a water-fill), and an open-loop
 * process held below its offered rate is unstable. */
static void
ts_overload(struct ap *p, struct qres *q, size_t n, const struct gp_calib *c)
{
    double cost[GP_SIM_MAX_PROCS_PER_DOMAIN], need[GP_SIM_MAX_PROCS_PER_DOMAIN];
    double left = 1, level = 0, total = 0;
    size_t i, k, open;

    ts_switch_cost(p, q, n, c, cost);
    for (i = 0; i < n; i++) {
        cost[i] += p[i].work;
        need[i] = p[i].traffic == GP_TRAFFIC_POISSON ? p[i].rate * cost[i]
                  : saturating(&p[i])                 ? HUGE_VAL
                                                      : q[i].x * cost[i];
        total += need[i];
    }
    if (total <= 1)
        return;
    /* Levels rise through the needs in increasing order. */
    for (open = n, k = 0; k < n && open > 0; k++) {
        double least = HUGE_VAL;

        for (i = 0; i < n; i++)
            if (need[i] > level && need[i] < least)
                least = need[i];
        if (least == HUGE_VAL || left < (least - level) * (double)open) {
            level += left / (double)open;
            break;
        }
        left -= (least - level) * (double)open;
        level = least;
        for (i = 0, open = 0; i < n; i++)
            open += need[i] > level;
    }
    for (i = 0; i < n; i++) {
        if (need[i] <= level * (1 + 1e-9) || saturating(&p[i]))
            continue;
        q[i].x = level / cost[i];
        if (p[i].traffic == GP_TRAFFIC_POISSON) {
            q[i].stable = false;
        } else {
            q[i].mean = p[i].clients / q[i].x - p[i].think;
            q[i].p50 = q[i].p95 = q[i].p99 = q[i].mean;
        }
    }
}

void
gp_analytic_domain(struct gp_sim_domain_result *r, struct gp_arena *a,
                   const struct gp_sim_gpu *g, const struct gp_sim_domain *dom)
{
    const struct gp_calib *c = g->calib;
    struct ap *p;
    struct qres *q;
    struct mps_tab tab = {NULL, NULL};
    gsl_rng *rng = NULL;
    size_t n = dom->n_procs, i;
    int it;
    double none = 1;

    memset(r, 0, sizeof(*r));
    r->dom = dom;
    r->procs = gp_arena_calloc(a, n + 1, sizeof(*r->procs));
    if (n == 0)
        return;
    p = gp_xcalloc(n, sizeof(*p));
    q = gp_xcalloc(n, sizeof(*q));
    for (i = 0; i < n; i++)
        init(&p[i], g, dom, &dom->procs[i]);
    if (dom->mps) {
        if (n <= EXACT_PROCS)
            mps_table(&tab, p, n, c);
        else if (!(rng = gsl_rng_alloc(gsl_rng_mt19937)))
            gp_xoom(0);
    }
    for (it = 0; it < ITERATIONS; it++) {
        double change = 0;

        if (dom->mps)
            mps_step(p, n, c, &tab, rng);
        else
            ts_step(p, n, c);
        for (i = 0; i < n; i++) {
            double b = p[i].syncs * (p[i].burst_time + c->sync_gap_s), an;

            queue_model(&p[i], b, p[i].r0, p[i].w->service_cv, &q[i]);
            an = q[i].x * p[i].syncs * p[i].burst_time;
            switch (p[i].traffic) {
            case GP_TRAFFIC_POISSON:
                p[i].busy = q[i].busy;
                break;
            case GP_TRAFFIC_CLOSED_LOOP:
                p[i].busy = p[i].think > 0 ? q[i].busy * (p[i].clients - 1) /
                                                 p[i].clients
                                           : 1;
                break;
            case GP_TRAFFIC_CONTINUOUS:
                p[i].busy = 1;
                break;
            }
            if (an > 1 || !q[i].stable)
                an = 1;
            change = fmax(change, fabs(an - p[i].a));
            /* Damped: the map oscillates when contexts slow each other. */
            p[i].a = 0.5 * p[i].a + 0.5 * an;
        }
        if (change < 1e-7 && it > 3)
            break;
    }
    if (!dom->mps && n > 1) {
        ts_overload(p, q, n, c);
        ts_conserve(p, q, n, c);
    }
    for (i = 0; i < n; i++) {
        struct gp_sim_proc_result *pr = &r->procs[i];

        pr->proc = &dom->procs[i];
        pr->offered = p[i].traffic == GP_TRAFFIC_POISSON ? p[i].rate : 0;
        pr->throughput = q[i].x;
        pr->stable = q[i].stable;
        pr->backlog_growth = q[i].stable ? 0 : p[i].rate - q[i].x;
        pr->has_latency = q[i].stable;
        pr->mean = q[i].mean;
        pr->p50 = q[i].p50;
        pr->p95 = q[i].p95;
        pr->p99 = q[i].p99;
        pr->active = p[i].a;
        pr->gpu_share = dom->mps ? p[i].a * p[i].sm : q[i].x * p[i].work;
        none *= 1 - p[i].a;
        r->sm_occupancy += dom->mps ? p[i].a * p[i].sm
                                    : q[i].x * p[i].work * p[i].demand;
        if (!dom->mps)
            r->busy += q[i].x * p[i].work;
    }
    if (!dom->mps && n > 1) {
        double cost[GP_SIM_MAX_PROCS_PER_DOMAIN];

        r->switch_share = ts_switch_cost(p, q, n, c, cost);
    }
    r->load = r->switch_share;
    for (i = 0; i < n; i++)
        r->load += q[i].x * p[i].work;
    if (dom->mps)
        r->busy = 1 - none;
    if (r->busy > 1)
        r->busy = 1;
    free(tab.rate);
    free(tab.sm);
    if (rng)
        gsl_rng_free(rng);
    free(p);
    free(q);
    gp_sim_memory_verdicts(r, g, dom);
}

bool
gp_analytic_trusted(const struct gp_sim_domain_result *r)
{
    return r->dom->n_procs <= 1 || r->load <= GP_ANALYTIC_MAX_LOAD;
}

int
gp_analytic_run(struct gp_sim_result **out, struct gp_arena *a,
                const struct gp_scenario *s)
{
    struct gp_sim_result *r = gp_sim_result_new(a, s);
    size_t g, k;

    for (g = 0; g < s->n_gpus; g++) {
        const struct gp_sim_gpu *gpu = &s->gpus[g];

        for (k = 0; k < gpu->n_domains; k++)
            gp_analytic_domain(&r->gpus[g].doms[k], a, gpu, &gpu->domains[k]);
    }
    *out = r;
    return 0;
}
