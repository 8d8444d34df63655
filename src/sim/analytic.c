/* SPDX-License-Identifier: MIT */
#include "sim/analytic.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "base/arena.h"
#include "base/xalloc.h"
#include "model/gpu.h"
#include "sim/perf.h"

#define ITERATIONS 200
/* Running sets enumerated exactly up to this many (count vectors over
 * classes of identical clients), sampled beyond. */
#define EXACT_STATES 4096u
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
    /* the standard normal's quantiles at qs, from GSL once per run */
    static double z[3];
    static bool have_z;
    double out[3], w = 0, rho = 0;
    double var = p->var + (cv * p->work) * (cv * p->work) +
                 p->syncs * r0 * r0 / 3.0;
    size_t i;

    if (!have_z) {
        for (i = 0; i < 3; i++)
            z[i] = gsl_cdf_ugaussian_Pinv(qs[i]);
        have_z = true;
    }
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
        double bq = b + z[i] * sqrt(var);

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
ts_step(struct ap *p, const unsigned *cnt, size_t n, const struct gp_calib *c)
{
    double tau[GP_SIM_MAX_PROCS_PER_DOMAIN], suma = 0;
    size_t i, j;

    for (j = 0; j < n; j++) {
        double q = p[j].burst < c->timeslice_s ? p[j].burst : c->timeslice_s;

        tau[j] = q + (p[j].burst > c->timeslice_s ? p[j].sw_preempt
                                                  : c->switch_yield_s);
        suma += cnt[j] * p[j].a;
    }
    for (i = 0; i < n; i++) {
        double others = 0, none = 1, turns, idle_switch, v = 0, k;

        for (j = 0; j < n; j++) {
            /* the other processes of class j: its copies, less i itself */
            double m = cnt[j] - (j == i);

            if (m <= 0)
                continue;
            others += m * p[j].a * tau[j];
            v += m * p[j].a * (1 - p[j].a) * tau[j] * tau[j];
            none *= m == 1 ? 1 - p[j].a : pow(1 - p[j].a, m);
        }
        turns = ceil(p[i].burst / c->timeslice_s - 1e-9);
        /* On an idle GPU the context last loaded may be another one. */
        idle_switch = (cnt[i] > 1 || n > 1) && suma > 0
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
 * assumed independent with their probabilities of having work. Clients
 * come in classes of identical copies, so a running set is a count per
 * class, weighted binomially; the rates of every set are tabulated once
 * per domain while there are few sets, and sets are sampled (fixed seed,
 * deterministic) beyond that. */
struct mps_tab {
    size_t n, states;
    size_t radix[GP_SIM_MAX_PROCS_PER_DOMAIN]; /* state index weights */
    double *rate, *sm;                         /* [state * n + class] */
};

static void
mps_rates_of(const struct ap *p, const unsigned *k, size_t n,
             const struct gp_calib *c, double *rate, double *sm)
{
    struct gp_mps_client cl[GP_SIM_MAX_PROCS_PER_DOMAIN];
    unsigned m[GP_SIM_MAX_PROCS_PER_DOMAIN];
    double r[GP_SIM_MAX_PROCS_PER_DOMAIN], s[GP_SIM_MAX_PROCS_PER_DOMAIN];
    size_t j, u = 0;

    for (j = 0; j < n; j++)
        if (k[j]) {
            cl[u] = p[j].mps;
            m[u++] = k[j];
        }
    if (u == 0) {
        memset(rate, 0, n * sizeof(*rate));
        memset(sm, 0, n * sizeof(*sm));
        return;
    }
    gp_perf_mps_rates_m(cl, m, u, c, r, s);
    for (j = 0, u = 0; j < n; j++) {
        rate[j] = k[j] ? r[u] : 0;
        sm[j] = k[j] ? s[u++] : 0;
    }
}

/* Whether every running set can be tabulated; fills t->radix. */
static bool
mps_countable(struct mps_tab *t, const unsigned *cnt, size_t n)
{
    size_t j, states = 1;

    t->n = n;
    for (j = 0; j < n; j++) {
        t->radix[j] = states;
        if (states > EXACT_STATES / (cnt[j] + 1))
            return false;
        states *= cnt[j] + 1;
    }
    t->states = states;
    return true;
}

static void
mps_table(struct mps_tab *t, const struct ap *p, const unsigned *cnt,
          size_t n, const struct gp_calib *c)
{
    unsigned k[GP_SIM_MAX_PROCS_PER_DOMAIN];
    size_t st, j;

    t->rate = gp_xcalloc(t->states * n, sizeof(double));
    t->sm = gp_xcalloc(t->states * n, sizeof(double));
    for (st = 1; st < t->states; st++) {
        for (j = 0; j < n; j++)
            k[j] = (unsigned)(st / t->radix[j] % (cnt[j] + 1));
        mps_rates_of(p, k, n, c, &t->rate[st * n], &t->sm[st * n]);
    }
}

/* Adds one running set (k[j] running clients of class j, i's own among
 * them) of weight w to i's sums: 1/rate, SM share, head-of-line wait
 * behind the most demanding other client when SMs are oversubscribed. */
static void
mps_subset(const struct ap *p, size_t n, size_t i, const unsigned *k,
           double weight, const double *rate, const double *sm,
           const struct gp_calib *c, double *acc)
{
    double demand = 0, hog_d = 0, hog_wall = 0;
    size_t j;

    for (j = 0; j < n; j++) {
        if (!k[j])
            continue;
        demand += k[j] * p[j].demand;
        if (k[j] > (j == i) && p[j].demand > hog_d) {
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
mps_step(struct ap *p, const unsigned *cnt, size_t n,
         const struct gp_calib *c, const struct mps_tab *t, gsl_rng *rng)
{
    unsigned k[GP_SIM_MAX_PROCS_PER_DOMAIN], o[GP_SIM_MAX_PROCS_PER_DOMAIN];
    size_t i, j;

    for (i = 0; i < n; i++) {
        double acc[3] = {0, 0, 0}, total = 0;

        for (j = 0; j < n; j++)
            o[j] = cnt[j] - (j == i);
        if (t->rate) {
            /* each class's binomial weights once, not once per state */
            double pmf[2 * GP_SIM_MAX_PROCS_PER_DOMAIN];
            size_t off[GP_SIM_MAX_PROCS_PER_DOMAIN], used = 0;

            for (j = 0; j < n; j++) {
                unsigned kk;

                off[j] = used;
                if (o[j] > 1)
                    for (kk = 0; kk <= o[j]; kk++)
                        pmf[used++] = gsl_ran_binomial_pdf(kk, p[j].a, o[j]);
            }
            /* every count vector of the others, odometer order */
            memset(k, 0, n * sizeof(k[0]));
            for (;;) {
                double wgt = 1;
                size_t st = 0;

                for (j = 0; j < n && wgt > 0; j++) {
                    if (o[j] == 1)
                        wgt *= k[j] ? p[j].a : 1 - p[j].a;
                    else if (o[j])
                        wgt *= pmf[off[j] + k[j]];
                    st += (k[j] + (j == i)) * t->radix[j];
                }
                if (wgt > 0) {
                    k[i]++;
                    mps_subset(p, n, i, k, wgt, &t->rate[st * n],
                               &t->sm[st * n], c, acc);
                    k[i]--;
                    total += wgt;
                }
                for (j = 0; j < n && k[j] == o[j]; j++)
                    k[j] = 0;
                if (j == n)
                    break;
                k[j]++;
            }
        } else {
            double r[GP_SIM_MAX_PROCS_PER_DOMAIN], sm[GP_SIM_MAX_PROCS_PER_DOMAIN];
            size_t sidx;

            gsl_rng_set(rng, 7 + i);
            for (sidx = 0; sidx < SAMPLES; sidx++) {
                for (j = 0; j < n; j++)
                    k[j] = (o[j] ? gsl_ran_binomial(rng, p[j].a, o[j]) : 0) +
                           (j == i);
                mps_rates_of(p, k, n, c, r, sm);
                mps_subset(p, n, i, k, 1, r, sm, c, acc);
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

/* Processes of the same workload at the same offered rate behave alike:
 * they form one class, solved once (the planner asks about N copies of a
 * workload beside N copies of another). */
static size_t
classify(const struct gp_sim_domain *dom, size_t n, size_t *cls, size_t *rep,
         unsigned *cnt)
{
    size_t i, c, n_cls = 0;

    for (i = 0; i < n; i++) {
        const struct gp_sim_proc *sp = &dom->procs[i];

        for (c = 0; c < n_cls; c++) {
            const struct gp_sim_proc *r = &dom->procs[rep[c]];

            if (r->w == sp->w && r->rate == sp->rate)
                break;
        }
        if (c == n_cls) {
            rep[n_cls] = i;
            cnt[n_cls++] = 0;
        }
        cls[i] = c;
        cnt[c]++;
    }
    return n_cls;
}

void
gp_analytic_domain(struct gp_sim_domain_result *r, struct gp_arena *a,
                   const struct gp_sim_gpu *g, const struct gp_sim_domain *dom)
{
    const struct gp_calib *c = g->calib;
    size_t cls[GP_SIM_MAX_PROCS_PER_DOMAIN], rep[GP_SIM_MAX_PROCS_PER_DOMAIN];
    unsigned cnt[GP_SIM_MAX_PROCS_PER_DOMAIN];
    struct ap p[GP_SIM_MAX_PROCS_PER_DOMAIN], pc[GP_SIM_MAX_PROCS_PER_DOMAIN];
    struct qres q[GP_SIM_MAX_PROCS_PER_DOMAIN], qc[GP_SIM_MAX_PROCS_PER_DOMAIN];
    struct mps_tab tab;
    gsl_rng *rng = NULL;
    size_t n = dom->n_procs, nc, i;
    int it;
    double none = 1;

    memset(r, 0, sizeof(*r));
    memset(&tab, 0, sizeof(tab));
    r->dom = dom;
    r->procs = gp_arena_calloc(a, n + 1, sizeof(*r->procs));
    if (n == 0)
        return;
    if (n > GP_SIM_MAX_PROCS_PER_DOMAIN)
        n = GP_SIM_MAX_PROCS_PER_DOMAIN; /* the loaders refuse more */
    nc = classify(dom, n, cls, rep, cnt);
    for (i = 0; i < nc; i++) {
        init(&pc[i], g, dom, &dom->procs[rep[i]]);
        memset(&qc[i], 0, sizeof(qc[i]));
    }
    if (dom->mps) {
        if (mps_countable(&tab, cnt, nc))
            mps_table(&tab, pc, cnt, nc, c);
        else if (!(rng = gsl_rng_alloc(gsl_rng_mt19937)))
            gp_xoom(0);
    }
    for (it = 0; it < ITERATIONS; it++) {
        double change = 0;

        if (dom->mps)
            mps_step(pc, cnt, nc, c, &tab, rng);
        else
            ts_step(pc, cnt, nc, c);
        for (i = 0; i < nc; i++) {
            struct ap *pi = &pc[i];
            double b = pi->syncs * (pi->burst_time + c->sync_gap_s), an;

            queue_model(pi, b, pi->r0, pi->w->service_cv, &qc[i]);
            an = qc[i].x * pi->syncs * pi->burst_time;
            switch (pi->traffic) {
            case GP_TRAFFIC_POISSON:
                pi->busy = qc[i].busy;
                break;
            case GP_TRAFFIC_CLOSED_LOOP:
                pi->busy = pi->think > 0 ? qc[i].busy * (pi->clients - 1) /
                                               pi->clients
                                         : 1;
                break;
            case GP_TRAFFIC_CONTINUOUS:
                pi->busy = 1;
                break;
            }
            if (an > 1 || !qc[i].stable)
                an = 1;
            change = fmax(change, fabs(an - pi->a));
            /* Damped: the map oscillates when contexts slow each other. */
            pi->a = 0.5 * pi->a + 0.5 * an;
        }
        if (change < 1e-7 && it > 3)
            break;
    }
    for (i = 0; i < n; i++) {
        p[i] = pc[cls[i]];
        q[i] = qc[cls[i]];
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
