/* SPDX-License-Identifier: MIT */
#include "sim/engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* GSL's inline gsl_rng_uniform: one draw per request on the hot path */
#define HAVE_INLINE 1
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "base/arena.h"
#include "base/xalloc.h"
#include "model/gpu.h"
#include "sim/perf.h"

#define INF HUGE_VAL
/* A queue past this many waiting requests is unstable by any measure; the
 * cap bounds memory on overloaded scenarios. */
#define MAX_QUEUE (1u << 20)
/* MPS rate tables are cached per set of running clients up to this many
 * processes (2^12 sets). */
#define MPS_CACHE_PROCS 12

const char *
gp_mem_verdict_name(enum gp_mem_verdict v)
{
    static const char *const n[] = {"fits", "over-limit", "shared-oom-risk"};

    return n[v];
}

/* IDLE: nothing to do; GAP: host sync between bursts; HOL: launched, waits
 * for SMs; RUN: on the GPU; WAIT: a request arrived while the host still
 * finishes the previous one's last sync. */
enum phase { IDLE, GAP, HOL, RUN, WAIT };

struct proc {
    const struct gp_workload *w;
    unsigned idx;
    gsl_rng *rng;
    /* profile on this domain */
    double work;        /* mean GPU seconds per request, alone here */
    double cv;
    unsigned syncs;
    double kernel;      /* kernel length alone here */
    double sw_preempt;  /* switch cost when preempted (time-slicing) */
    struct gp_mps_client mps;
    enum gp_traffic traffic;
    double rate;        /* Poisson */
    double think;       /* closed loop */
    unsigned thinking;  /* closed-loop clients thinking */
    /* state */
    enum phase phase;
    double next_arrival;
    double timer;       /* end of GAP, HOL or WAIT */
    double host_free;   /* the last request's final sync returns */
    double rem;         /* work left in the current burst */
    double burst;       /* work per burst of the current request */
    unsigned bursts_left;
    bool in_service;
    double req_start;
    double *q;          /* arrival times waiting, ring buffer */
    size_t qhead, qlen, qcap;
    bool overflow;
    size_t backlog_mid;
    /* MPS */
    double r, sm;       /* current rate and SM share */
    double fin;         /* when the current burst ends at rate r */
    double solo_r, solo_sm; /* rate and SM share when it runs alone */
    double demand;      /* SM share its kernels ask for: min(sigma, cap) */
    /* statistics after warm-up */
    uint64_t arrivals, completed;
    double mark;        /* t_active and t_share are summed up to here */
    double t_active, t_share;
    struct gp_sim_proc_result *res;
};

struct dsim {
    struct proc *p;
    size_t n;
    const struct gp_calib *c;
    double now, end, warmup, sync_gap;
    uint64_t events;
    /* time-slicing */
    int holder;         /* -1: none */
    int target;         /* switching to; -1: not switching */
    int last;           /* context last loaded */
    double seg_start;   /* holder's execution started */
    double slice_end, switch_end;
    double t_switch;
    uint64_t switches;
    /* MPS */
    bool mps;
    uint64_t run_mask;  /* processes in RUN, bit i for process i */
    unsigned n_run;
    double occ;         /* SM share held by RUN processes */
    double demand;      /* SM share they ask for */
    /* Rates per set of RUN clients (n <= MPS_CACHE_PROCS): [mask * n + i],
     * with per set the SM occupancy and demand and whether every client in
     * it runs as it would alone. */
    double *cache;
    double *cache_sm;
    double *cache_occ, *cache_demand;
    signed char *cache_state; /* -1 not computed, 0 contended, 1 solo */
    bool cur_solo;            /* the current set's state is 1 */
    /* each process's next event, kept current by sched(): the loop's scan
     * reads one array */
    double *tn;
    unsigned char *tk;  /* its kind: EV_ARRIVAL, EV_TIMER, EV_GPU */
    /* statistics */
    double t_busy, t_occ;
};

enum { EV_ARRIVAL, EV_TIMER, EV_GPU };

/* Called after anything a process's next event depends on changed. An
 * arrival wins a tie, as it did when the loop compared fields in turn. */
static void
sched(struct dsim *S, const struct proc *p)
{
    double t = INF;
    unsigned char k = EV_ARRIVAL;

    if (p->phase == RUN) {
        if (S->mps) {
            t = p->fin;
            k = EV_GPU;
        }
    } else if (p->phase != IDLE) {
        t = p->timer;
        k = EV_TIMER;
    }
    if (p->next_arrival <= t) {
        t = p->next_arrival;
        k = EV_ARRIVAL;
    }
    S->tn[p->idx] = t;
    S->tk[p->idx] = k;
}

static double
splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (double)(z ^ (z >> 31));
}

static void
q_push(struct proc *p, double t)
{
    if (p->qlen == p->qcap) {
        /* Powers of two: the ring indexes with a mask. */
        size_t cap = p->qcap ? p->qcap * 2 : 64, i;
        double *nq;

        if (p->qcap >= MAX_QUEUE) {
            p->overflow = true;
            return;
        }
        nq = gp_xmalloc(cap * sizeof(*nq));
        for (i = 0; i < p->qlen; i++)
            nq[i] = p->q[(p->qhead + i) & (p->qcap - 1)];
        free(p->q);
        p->q = nq;
        p->qhead = 0;
        p->qcap = cap;
    }
    p->q[(p->qhead + p->qlen) & (p->qcap - 1)] = t;
    p->qlen++;
}

static double
q_pop(struct proc *p)
{
    double t = p->q[p->qhead];

    p->qhead = (p->qhead + 1) & (p->qcap - 1);
    p->qlen--;
    return t;
}

static double
sample_work(struct proc *p)
{
    if (p->cv <= 0)
        return p->work;
    /* Gamma keeps the mean and the requested variability, and stays
     * positive. */
    return gsl_ran_gamma(p->rng, 1.0 / (p->cv * p->cv), p->work * p->cv * p->cv);
}

/* gsl_ran_exponential's inverse CDF on GSL's uniform, with log(1 - u)
 * for its log1p(-u): 1 - u is exact for the generator's 32-bit uniforms,
 * and log is several times cheaper than log1p on the simulator's hottest
 * path (one draw per request). */
static double
exponential(gsl_rng *rng, double mean)
{
    return -mean * log(1.0 - gsl_rng_uniform(rng));
}

static void
next_arrival(struct dsim *S, struct proc *p)
{
    if (p->traffic == GP_TRAFFIC_POISSON)
        p->next_arrival = p->rate > 0 ? S->now + exponential(p->rng,
                                                             1.0 / p->rate)
                                      : INF;
    else if (p->traffic == GP_TRAFFIC_CLOSED_LOOP && p->thinking > 0)
        /* The earliest of k exponential think times is exponential with
         * mean think/k, and memoryless: resampling when k changes is
         * exact. */
        p->next_arrival = S->now + exponential(p->rng, p->think / p->thinking);
    else
        p->next_arrival = INF;
    sched(S, p);
}

/* ---- statistics ------------------------------------------------------ */

/* A process's own time integrals are brought up to S->now before its phase
 * or SM share changes, so an event costs nothing for the processes it does
 * not touch. */
static void
flush(struct dsim *S, struct proc *p)
{
    double from = p->mark > S->warmup ? p->mark : S->warmup;
    double to = S->now < S->end ? S->now : S->end;

    if (to > from) {
        if (p->phase == RUN || (S->mps && p->phase == HOL))
            p->t_active += to - from;
        if (S->mps && p->phase == RUN)
            p->t_share += (to - from) * p->sm;
    }
    p->mark = S->now;
}

static void
set_phase(struct dsim *S, struct proc *p, enum phase ph)
{
    uint64_t bit = (uint64_t)1 << p->idx;

    flush(S, p);
    if (p->phase == RUN && ph != RUN) {
        S->run_mask &= ~bit;
        S->n_run--;
    } else if (p->phase != RUN && ph == RUN) {
        S->run_mask |= bit;
        S->n_run++;
    }
    p->phase = ph;
    if (S->mps && ph == RUN) {
        /* set_rate computes the finish time from the rate it gets next */
        p->r = 0;
        p->fin = INF;
    }
    sched(S, p);
}

/* Accounts the interval [S->now, t) to the GPU's time integrals. */
static void
account(struct dsim *S, double t)
{
    double from = S->now > S->warmup ? S->now : S->warmup, dt;

    if (t > S->end)
        t = S->end;
    dt = t - from;
    if (dt <= 0)
        return;
    if (S->mps) {
        S->t_occ += dt * S->occ;
        S->t_busy += S->n_run ? dt : 0;
        return;
    }
    if (S->target >= 0) {
        S->t_switch += dt;
    } else if (S->holder >= 0 && S->p[S->holder].phase == RUN) {
        S->p[S->holder].t_share += dt;
        S->t_busy += dt;
        S->t_occ += dt * S->p[S->holder].mps.sigma;
    }
}

/* ---- time-slicing ---------------------------------------------------- */

static int
next_rr(struct dsim *S, int after)
{
    size_t k;

    for (k = 1; k <= S->n; k++) {
        int i = (int)(((size_t)(after < 0 ? -1 : after) + k + S->n) % S->n);

        if (S->p[i].phase == RUN && i != after)
            return i;
    }
    return -1;
}

static void
ts_start_switch(struct dsim *S, int to, double cost)
{
    if (S->holder >= 0 && S->p[S->holder].phase == RUN)
        S->p[S->holder].rem -= S->now - S->seg_start;
    S->holder = -1;
    if (cost <= 0) {
        S->holder = to;
        S->last = to;
        S->seg_start = S->now;
        S->slice_end = S->now + S->c->timeslice_s;
        return;
    }
    S->target = to;
    S->switch_end = S->now + cost;
    if (S->now >= S->warmup)
        S->switches++;
}

/* A context got work: it runs at once only on an idle GPU. */
static void
ts_ready(struct dsim *S, int i)
{
    if (S->holder >= 0 || S->target >= 0)
        return;
    ts_start_switch(S, i, S->last == i || S->last < 0 ? 0 : S->c->switch_yield_s);
}

/* The holder ran out of work (its burst ended): yield. */
static void
ts_yield(struct dsim *S, int was)
{
    int nx = next_rr(S, was);

    S->holder = -1;
    if (nx >= 0)
        ts_start_switch(S, nx, S->c->switch_yield_s);
}

static double
ts_next_event(const struct dsim *S)
{
    if (S->target >= 0)
        return S->switch_end;
    if (S->holder >= 0) {
        double done = S->seg_start + S->p[S->holder].rem;

        return done < S->slice_end ? done : S->slice_end;
    }
    return INF;
}

/* ---- MPS ------------------------------------------------------------- */

/* New rates: a running burst's finish time moves only when its rate
 * changed, so most events touch no other process. */
static void
set_rate(struct dsim *S, struct proc *p, double r, double sm)
{
    if (sm != p->sm)
        flush(S, p);
    if (p->phase == RUN && r != p->r) {
        if (p->r > 0)
            p->rem = (p->fin - S->now) * p->r;
        p->fin = r > 0 ? S->now + p->rem / r : INF;
        p->r = r;
        sched(S, p);
    }
    p->r = r;
    p->sm = sm;
}

/* Rates for the set of RUN clients, without the cache. */
static void
mps_solve(struct dsim *S, double *rate, double *smv, double *occ,
          double *demand)
{
    struct gp_mps_client cl[GP_SIM_MAX_PROCS_PER_DOMAIN];
    double r[GP_SIM_MAX_PROCS_PER_DOMAIN], sm[GP_SIM_MAX_PROCS_PER_DOMAIN];
    size_t i, k = 0;

    for (i = 0; i < S->n; i++)
        if (S->p[i].phase == RUN)
            cl[k++] = S->p[i].mps;
    if (k)
        gp_perf_mps_rates(cl, k, S->c, r, sm);
    *occ = *demand = 0;
    for (i = 0, k = 0; i < S->n; i++) {
        if (S->p[i].phase == RUN) {
            rate[i] = r[k];
            smv[i] = sm[k];
            *occ += sm[k];
            *demand += S->p[i].demand;
            k++;
        } else {
            rate[i] = smv[i] = 0;
        }
    }
}

/* The cache entry of the current set, filled on first use. A set is solo
 * when each of its clients gets the rate and SMs it would get alone. */
static size_t
mps_entry(struct dsim *S)
{
    size_t m = (size_t)S->run_mask, i;
    double *cr = &S->cache[m * S->n], *cs = &S->cache_sm[m * S->n];

    if (S->cache_state[m] >= 0)
        return m;
    mps_solve(S, cr, cs, &S->cache_occ[m], &S->cache_demand[m]);
    S->cache_state[m] = 1;
    for (i = 0; i < S->n; i++) {
        const struct proc *p = &S->p[i];

        if (p->phase == RUN && (cr[i] != p->solo_r || cs[i] != p->solo_sm))
            S->cache_state[m] = 0;
    }
    return m;
}

/* New rates after process `who` entered or left RUN. Between two solo
 * sets only `who`'s rate changes, and most events on an MPS GPU that is not
 * oversubscribed are of that kind. */
static void
mps_rates(struct dsim *S, struct proc *who)
{
    double rbuf[GP_SIM_MAX_PROCS_PER_DOMAIN], sbuf[GP_SIM_MAX_PROCS_PER_DOMAIN];
    const double *cr = rbuf, *cs = sbuf;
    bool solo = false;
    size_t i;

    if (S->cache) {
        size_t m = mps_entry(S);

        cr = &S->cache[m * S->n];
        cs = &S->cache_sm[m * S->n];
        S->occ = S->cache_occ[m];
        S->demand = S->cache_demand[m];
        solo = S->cache_state[m] == 1;
    } else {
        mps_solve(S, rbuf, sbuf, &S->occ, &S->demand);
    }
    if (solo && S->cur_solo) {
        set_rate(S, who, cr[who->idx], cs[who->idx]);
    } else {
        for (i = 0; i < S->n; i++)
            set_rate(S, &S->p[i], cr[i], cs[i]);
    }
    S->cur_solo = solo;
}

/* A client's burst is launched: its first kernel waits for a running grid
 * to drain when the other clients' kernels already fill the SMs. */
static void
mps_ready(struct dsim *S, int i)
{
    struct proc *p = &S->p[i];
    double hog_kernel = 0, hog_d = 0;
    size_t j;

    if (p->demand + S->demand > 1 + 1e-9) {
        for (j = 0; j < S->n; j++) {
            const struct proc *o = &S->p[j];

            if ((int)j != i && o->phase == RUN && o->demand > hog_d) {
                hog_d = o->demand;
                hog_kernel = o->kernel / (o->r > 0 ? o->r : 1);
            }
        }
    }
    if (hog_kernel > 0) {
        set_phase(S, p, HOL);
        p->timer = S->now + gsl_rng_uniform(p->rng) * 2.0 * S->c->hol_fraction *
                                hog_kernel;
        sched(S, p);
        return;
    }
    set_phase(S, p, RUN);
    mps_rates(S, p);
}

/* ---- requests -------------------------------------------------------- */

static void
become_ready(struct dsim *S, int i)
{
    if (S->mps) {
        mps_ready(S, i);
    } else {
        set_phase(S, &S->p[i], RUN);
        ts_ready(S, i);
    }
}

static void
start_request(struct dsim *S, int i, double arrived)
{
    struct proc *p = &S->p[i];

    p->in_service = true;
    p->req_start = arrived;
    p->bursts_left = p->syncs;
    p->burst = sample_work(p) / p->syncs;
    p->rem = p->burst;
    become_ready(S, i);
}

static void
request_arrives(struct dsim *S, int i)
{
    struct proc *p = &S->p[i];

    if (S->now >= S->warmup)
        p->arrivals++;
    if (p->in_service) {
        q_push(p, S->now);
    } else if (S->now < p->host_free) {
        p->in_service = true;
        q_push(p, S->now);
        set_phase(S, p, WAIT);
        p->timer = p->host_free;
        sched(S, p);
    } else {
        start_request(S, i, S->now);
    }
}

static void
wait_ends(struct dsim *S, int i)
{
    struct proc *p = &S->p[i];

    set_phase(S, p, IDLE);
    p->in_service = false;
    start_request(S, i, q_pop(p));
}

/* The host side of a burst's end: a sync round trip, then the next burst,
 * or the request's completion and the next request. */
static void
gap_ends(struct dsim *S, int i)
{
    struct proc *p = &S->p[i];

    set_phase(S, p, IDLE);
    if (--p->bursts_left > 0) {
        p->rem = p->burst;
        become_ready(S, i);
        return;
    }
    p->in_service = false;
    if (p->req_start >= S->warmup) {
        gp_hist_add(p->res->lat, S->now - p->req_start);
    }
    if (S->now >= S->warmup)
        p->completed++;
    switch (p->traffic) {
    case GP_TRAFFIC_CONTINUOUS:
        start_request(S, i, S->now);
        return;
    case GP_TRAFFIC_CLOSED_LOOP:
        if (p->think > 0) {
            p->thinking++;
            next_arrival(S, p);
        } else {
            q_push(p, S->now);
        }
        break;
    case GP_TRAFFIC_POISSON:
        break;
    }
    if (p->qlen)
        start_request(S, i, q_pop(p));
}

static void
burst_ends(struct dsim *S, int i)
{
    struct proc *p = &S->p[i];

    p->rem = 0;
    if (p->bursts_left == 1 && p->traffic == GP_TRAFFIC_POISSON &&
        p->qlen == 0) {
        /* An open-loop request's last sync: until it returns, nothing can
         * happen to this process but an arrival, which then waits for the
         * host (WAIT). The completion needs no event of its own, which
         * spares a third of the events of a typical inference service. */
        double done = S->now + S->sync_gap;

        set_phase(S, p, IDLE);
        p->in_service = false;
        p->host_free = done;
        if (done < S->end) {
            if (p->req_start >= S->warmup)
                gp_hist_add(p->res->lat, done - p->req_start);
            if (done >= S->warmup)
                p->completed++;
        }
        return;
    }
    set_phase(S, p, GAP);
    p->timer = S->now + S->sync_gap;
    sched(S, p);
}

/* ---- the loop -------------------------------------------------------- */

static void
init_proc(struct dsim *S, struct proc *p, const struct gp_sim_gpu *g,
          const struct gp_sim_domain *dom, const struct gp_sim_proc *sp,
          uint64_t *seed)
{
    const struct gp_workload *w = sp->w;
    const struct gp_calib *c = g->calib;
    double f = gp_perf_domain_factor(w->sm_fraction, w->memory_bound,
                                     dom->sm_frac, dom->bw_frac, c);
    double pct = dom->mps ? g->mps_thread_pct : 100;

    p->w = w;
    p->idx = (unsigned)(p - S->p);
    p->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!p->rng)
        gp_xoom(0);
    gsl_rng_set(p->rng, (unsigned long)fmod(splitmix(seed), 4294967296.0));
    p->work = w->service_time_s * f;
    p->cv = w->service_cv;
    p->syncs = w->syncs ? w->syncs : 1;
    p->kernel = w->kernel_time_s * f;
    p->mps.sigma = w->sm_fraction;
    p->mps.cap = gp_perf_mps_cap(pct > 0 ? pct : 100, g->model->sm_count);
    p->mps.mu = w->memory_bound;
    p->demand = p->mps.sigma < p->mps.cap ? p->mps.sigma : p->mps.cap;
    /* A preempted context's state is saved and restored: the cost grows
     * from the one-warp to the full-GPU measurement with the share of the
     * GPU its kernels hold. */
    {
        double held = w->sm_fraction < dom->sm_frac ? w->sm_fraction
                                                    : dom->sm_frac;

        p->sw_preempt = c->switch_light_s +
                        held * (c->switch_heavy_s - c->switch_light_s);
    }
    p->traffic = w->traffic;
    p->rate = sp->rate;
    p->think = w->think_time_s;
    p->next_arrival = INF;
}

static void
start(struct dsim *S)
{
    size_t i;

    for (i = 0; i < S->n; i++) {
        struct proc *p = &S->p[i];
        unsigned k;

        switch (p->traffic) {
        case GP_TRAFFIC_POISSON:
            next_arrival(S, p);
            break;
        case GP_TRAFFIC_CONTINUOUS:
            start_request(S, (int)i, 0);
            break;
        case GP_TRAFFIC_CLOSED_LOOP:
            if (p->think > 0) {
                p->thinking = p->w->clients;
                next_arrival(S, p);
            } else {
                for (k = 0; k < p->w->clients; k++)
                    request_arrives(S, (int)i);
            }
            break;
        }
    }
}

static void
run_loop(struct dsim *S)
{
    double mid = S->warmup + (S->end - S->warmup) / 2;
    bool mid_seen = false;

    for (;;) {
        double t = INF, tg;
        int who = -1, kind;
        size_t i;

        /* Written to compile to conditional moves: which process is next
         * is a coin toss for the branch predictor. */
        for (i = 0; i < S->n; i++) {
            double v = S->tn[i];
            bool lt = v < t;

            who = lt ? (int)i : who;
            t = lt ? v : t;
        }
        kind = who >= 0 ? S->tk[who] : EV_ARRIVAL;
        if (!S->mps && (tg = ts_next_event(S)) < t) {
            t = tg;
            kind = EV_GPU;
        }
        if (!mid_seen && t >= mid) {
            for (i = 0; i < S->n; i++)
                S->p[i].backlog_mid = S->p[i].qlen + S->p[i].in_service;
            mid_seen = true;
        }
        if (t >= S->end || t == INF) {
            account(S, S->end);
            S->now = S->end;
            for (i = 0; i < S->n; i++)
                flush(S, &S->p[i]);
            return;
        }
        account(S, t);
        S->now = t;
        S->events++;
        if (kind == EV_ARRIVAL) {
            struct proc *p = &S->p[who];

            if (p->traffic == GP_TRAFFIC_CLOSED_LOOP)
                p->thinking--;
            next_arrival(S, p);
            request_arrives(S, who);
        } else if (kind == EV_TIMER) {
            struct proc *p = &S->p[who];

            if (p->phase == HOL) {
                set_phase(S, p, RUN);
                mps_rates(S, p);
            } else if (p->phase == WAIT) {
                wait_ends(S, who);
            } else {
                gap_ends(S, who);
            }
        } else if (S->mps) {
            burst_ends(S, who);
            mps_rates(S, &S->p[who]);
        } else if (S->target >= 0) {
            /* switch done */
            int to = S->target;

            S->target = -1;
            S->holder = to;
            S->last = to;
            S->seg_start = S->now;
            S->slice_end = S->now + S->c->timeslice_s;
        } else {
            int h = S->holder;
            struct proc *p = &S->p[h];

            if (S->seg_start + p->rem <= S->slice_end) {
                burst_ends(S, h);
                ts_yield(S, h);
            } else {
                int nx = next_rr(S, h);

                if (nx >= 0) {
                    ts_start_switch(S, nx, p->sw_preempt);
                } else {
                    /* Alone: the slice renews at no cost. */
                    p->rem -= S->now - S->seg_start;
                    S->seg_start = S->now;
                    S->slice_end = S->now + S->c->timeslice_s;
                }
            }
        }
    }
}

void
gp_sim_memory_verdicts(struct gp_sim_domain_result *r,
                       const struct gp_sim_gpu *g,
                       const struct gp_sim_domain *dom)
{
    uint64_t sum = 0;
    size_t i;

    for (i = 0; i < dom->n_procs; i++)
        sum += (dom->procs[i].w->memory_bytes + (1u << 20) - 1) >> 20;
    r->mem_sum_mib = sum;
    for (i = 0; i < dom->n_procs; i++) {
        struct gp_sim_proc_result *pr = &r->procs[i];
        uint64_t need = (dom->procs[i].w->memory_bytes + (1u << 20) - 1) >> 20;

        pr->mem = GP_MEM_FITS;
        pr->mem_limit_mib = dom->memory_mib;
        if (dom->mps && g->mps_mem_limit) {
            pr->mem_limit_mib = g->mps_mem_limit >> 20;
            if (need > pr->mem_limit_mib)
                pr->mem = GP_MEM_OVER_LIMIT;
        }
        if (pr->mem == GP_MEM_FITS && dom->n_procs == 1 &&
            need > dom->memory_mib)
            pr->mem = GP_MEM_OVER_LIMIT;
        if (pr->mem == GP_MEM_FITS && sum > dom->memory_mib)
            pr->mem = dom->n_procs == 1 ? GP_MEM_OVER_LIMIT
                                        : GP_MEM_SHARED_OOM;
    }
}

void
gp_sim_domain(struct gp_sim_domain_result *r, struct gp_arena *a,
              const struct gp_sim_gpu *g, const struct gp_sim_domain *dom,
              double duration, double warmup, uint64_t seed)
{
    struct dsim S;
    struct proc *p;
    double span = duration - warmup;
    size_t i;
    uint64_t sx = seed;

    memset(r, 0, sizeof(*r));
    r->dom = dom;
    r->procs = gp_arena_calloc(a, dom->n_procs + 1, sizeof(*r->procs));
    if (dom->n_procs == 0)
        return;
    memset(&S, 0, sizeof(S));
    S.n = dom->n_procs;
    S.c = g->calib;
    S.end = duration;
    S.warmup = warmup;
    S.sync_gap = g->calib->sync_gap_s;
    S.holder = S.target = S.last = -1;
    S.mps = dom->mps;
    p = gp_xcalloc(S.n, sizeof(*p));
    S.p = p;
    S.tn = gp_xmalloc(S.n * sizeof(*S.tn));
    S.tk = gp_xcalloc(S.n, sizeof(*S.tk));
    for (i = 0; i < S.n; i++)
        S.tn[i] = INF;
    for (i = 0; i < S.n; i++) {
        p[i].res = &r->procs[i];
        p[i].res->lat = gp_arena_alloc(a, sizeof(*p[i].res->lat));
        gp_hist_init(p[i].res->lat);
        init_proc(&S, &p[i], g, dom, &dom->procs[i], &sx);
    }
    if (S.mps) {
        for (i = 0; i < S.n; i++) {
            p[i].phase = RUN;
            gp_perf_mps_rates(&p[i].mps, 1, S.c, &p[i].solo_r, &p[i].solo_sm);
            p[i].phase = IDLE;
        }
        S.cur_solo = true;
    }
    if (S.mps && S.n <= MPS_CACHE_PROCS) {
        size_t sets = (size_t)1 << S.n, cells = sets * S.n;

        S.cache = gp_xmalloc(cells * sizeof(double));
        S.cache_sm = gp_xmalloc(cells * sizeof(double));
        S.cache_occ = gp_xmalloc(sets * sizeof(double));
        S.cache_demand = gp_xmalloc(sets * sizeof(double));
        S.cache_state = gp_xmalloc(sets);
        memset(S.cache_state, -1, sets);
    }
    start(&S);
    run_loop(&S);
    for (i = 0; i < S.n; i++) {
        struct gp_sim_proc_result *pr = p[i].res;
        size_t backlog = p[i].qlen + p[i].in_service;

        pr->proc = &dom->procs[i];
        pr->offered = p[i].traffic == GP_TRAFFIC_POISSON ? p[i].rate : 0;
        pr->completed = p[i].completed;
        pr->throughput = span > 0 ? (double)p[i].completed / span : 0;
        pr->gpu_share = span > 0 ? p[i].t_share / span : 0;
        pr->active = span > 0 ? p[i].t_active / span : 0;
        pr->backlog_end = backlog;
        /* Open-loop traffic beyond capacity: the queue keeps growing. A
         * stable queue's backlog stays a small share of what arrived, and
         * does not grow over the second half of the run. */
        pr->stable = true;
        if (p[i].traffic == GP_TRAFFIC_POISSON &&
            (p[i].overflow ||
             (backlog >= 20 && (double)backlog > 0.01 * (double)p[i].arrivals &&
              backlog > p[i].backlog_mid))) {
            pr->stable = false;
            pr->backlog_growth = p[i].overflow
                                     ? pr->offered - pr->throughput
                                     : (double)(backlog - p[i].backlog_mid) /
                                           (span / 2);
        }
        pr->has_latency = pr->stable && pr->lat->n > 0;
        if (pr->has_latency) {
            pr->mean = gp_hist_mean(pr->lat);
            pr->p50 = gp_hist_quantile(pr->lat, 0.50);
            pr->p95 = gp_hist_quantile(pr->lat, 0.95);
            pr->p99 = gp_hist_quantile(pr->lat, 0.99);
        }
        gsl_rng_free(p[i].rng);
        free(p[i].q);
    }
    r->busy = span > 0 ? S.t_busy / span : 0;
    r->sm_occupancy = span > 0 ? S.t_occ / span : 0;
    r->switch_share = span > 0 ? S.t_switch / span : 0;
    r->switches_per_s = span > 0 ? (double)S.switches / span : 0;
    r->events = S.events;
    gp_sim_memory_verdicts(r, g, dom);
    free(S.cache);
    free(S.cache_sm);
    free(S.cache_occ);
    free(S.cache_demand);
    free(S.cache_state);
    free(S.tn);
    free(S.tk);
    free(p);
}

double
gp_sim_auto_duration(const struct gp_scenario *s)
{
    double slowest = INF, d;
    size_t g, k, i;

    for (g = 0; g < s->n_gpus; g++)
        for (k = 0; k < s->gpus[g].n_domains; k++)
            for (i = 0; i < s->gpus[g].domains[k].n_procs; i++) {
                const struct gp_sim_proc *p = &s->gpus[g].domains[k].procs[i];
                double rate;

                if (p->w->traffic == GP_TRAFFIC_POISSON)
                    rate = p->rate;
                else if (p->w->traffic == GP_TRAFFIC_CLOSED_LOOP)
                    rate = p->w->clients /
                           (p->w->think_time_s + p->w->service_time_s);
                else
                    rate = 1.0 / p->w->service_time_s;
                if (rate > 0 && rate < slowest)
                    slowest = rate;
            }
    d = slowest < INF ? 20000.0 / slowest : 60;
    if (d < 60)
        d = 60;
    if (d > 3600)
        d = 3600;
    return d;
}

struct gp_sim_result *
gp_sim_result_new(struct gp_arena *a, const struct gp_scenario *s)
{
    struct gp_sim_result *r = gp_arena_calloc(a, 1, sizeof(*r));
    size_t g;

    r->gpus = gp_arena_calloc(a, s->n_gpus + 1, sizeof(*r->gpus));
    for (g = 0; g < s->n_gpus; g++) {
        r->gpus[g].gpu = &s->gpus[g];
        r->gpus[g].doms = gp_arena_calloc(a, s->gpus[g].n_domains + 1,
                                          sizeof(*r->gpus[g].doms));
    }
    return r;
}

int
gp_sim_run(struct gp_sim_result **out, struct gp_arena *a,
           const struct gp_scenario *s, const struct gp_sim_opts *o)
{
    struct gp_sim_result *r = gp_sim_result_new(a, s);
    size_t g, k;

    r->duration_s = o && o->duration_s > 0 ? o->duration_s
                    : s->duration_s > 0    ? s->duration_s
                                           : gp_sim_auto_duration(s);
    r->warmup_s = o && o->warmup_s >= 0 ? o->warmup_s : s->warmup_s;
    if (r->warmup_s < 0)
        r->warmup_s = r->duration_s / 10 < 10 ? r->duration_s / 10 : 10;
    if (r->warmup_s >= r->duration_s)
        r->warmup_s = r->duration_s / 10;
    r->seed = o && o->has_seed ? o->seed : s->seed;
    for (g = 0; g < s->n_gpus; g++) {
        const struct gp_sim_gpu *gpu = &s->gpus[g];

        for (k = 0; k < gpu->n_domains; k++) {
            /* Each domain's streams depend only on the seed and where the
             * domain is, so adding a GPU leaves the others' numbers alone. */
            uint64_t seed = r->seed * 0x100000001b3ull ^ (g << 8) ^ k;

            gp_sim_domain(&r->gpus[g].doms[k], a, gpu, &gpu->domains[k],
                          r->duration_s, r->warmup_s, seed);
            r->events += r->gpus[g].doms[k].events;
        }
    }
    *out = r;
    return 0;
}
