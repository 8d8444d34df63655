/* SPDX-License-Identifier: MIT */
#include "sim/perf.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include "sim/calib.h"

/* Bandwidth a memory-bound phase reaches alone on the whole GPU with SM
 * share s (fraction of peak). */
static double
bw_reach(double s, const struct gp_calib *c)
{
    double v = s / c->bw_saturation_sm;

    return v < 1 ? v : 1;
}

static double
unit_time(double mu, double cspeed, double mspeed)
{
    double t = 0;

    if (mu < 1)
        t += (1 - mu) / cspeed;
    if (mu > 0)
        t += mu / mspeed;
    return t;
}

double
gp_perf_domain_factor(double sigma, double mu, double sm, double bw,
                      const struct gp_calib *c)
{
    double s = sigma < sm ? sigma : sm;
    double v0 = bw_reach(sigma, c), v = bw_reach(s, c);

    if (v > bw)
        v = bw;
    return unit_time(mu, s / sigma, v / v0);
}

double
gp_perf_mps_cap(double pct, uint32_t sm_count)
{
    double sms = floor(pct / 100.0 * sm_count / 2.0) * 2.0;

    if (sms < 2)
        sms = 2;
    if (sms > sm_count)
        sms = sm_count;
    return sms / sm_count;
}

/* Max-min fair shares of capacity 1 for demands dm[], each held by m[i]
 * identical clients (m NULL: one each). */
static void
waterfill(const double *dm, const unsigned *m, size_t n, double *out)
{
    size_t ord[64], i, k;
    double left = 1, level = 1e300, clients = 0;

    for (i = 0; i < n; i++) {
        /* insertion sort by demand: n is small */
        for (k = i; k > 0 && dm[ord[k - 1]] > dm[i]; k--)
            ord[k] = ord[k - 1];
        ord[k] = i;
        clients += m ? m[i] : 1;
    }
    for (k = 0; k < n; k++) {
        double c = m ? m[ord[k]] : 1, fair = left / clients;

        if (dm[ord[k]] > fair) {
            level = fair;
            break;
        }
        left -= c * dm[ord[k]];
        clients -= c;
    }
    for (i = 0; i < n; i++)
        out[i] = dm[i] < level ? dm[i] : level;
}

struct bwctx {
    const struct gp_mps_client *cl;
    const unsigned *m;
    size_t n;
    const double *cs, *ms, *v0;
};

static double
rate_at(const struct bwctx *b, size_t i, double theta)
{
    return 1.0 / unit_time(b->cl[i].mu, b->cs[i], b->ms[i] * theta);
}

/* Bandwidth used at memory-speed scale theta, minus the whole of it. */
static double
bw_excess(double theta, void *p)
{
    const struct bwctx *b = p;
    double sum = 0;
    size_t i;

    for (i = 0; i < b->n; i++)
        sum += rate_at(b, i, theta) * b->cl[i].mu * b->v0[i] *
               (b->m ? b->m[i] : 1);
    return sum - 1.0;
}

void
gp_perf_mps_rates(const struct gp_mps_client *cl, size_t n,
                  const struct gp_calib *c, double *rate, double *sm)
{
    gp_perf_mps_rates_m(cl, NULL, n, c, rate, sm);
}

void
gp_perf_mps_rates_m(const struct gp_mps_client *cl, const unsigned *m,
                    size_t n, const struct gp_calib *c, double *rate,
                    double *sm)
{
    double dm[64], cs[64], ms[64], v0[64], used = 0;
    struct bwctx b = {cl, m, n, cs, ms, v0};
    size_t i;

    if (n > 64)
        n = 64;
    for (i = 0; i < n; i++)
        dm[i] = cl[i].sigma < cl[i].cap ? cl[i].sigma : cl[i].cap;
    waterfill(dm, m, n, sm);
    for (i = 0; i < n; i++) {
        v0[i] = bw_reach(cl[i].sigma, c);
        cs[i] = sm[i] / cl[i].sigma;
        /* A kernel confined to fewer SMs reaches less bandwidth; one that
         * shares its SMs with another client's blocks slows in proportion. */
        ms[i] = bw_reach(dm[i], c) * (sm[i] / dm[i]) / v0[i];
        rate[i] = rate_at(&b, i, 1.0);
        used += rate[i] * cl[i].mu * v0[i] * (m ? m[i] : 1);
    }
    if (used > 1.0 + 1e-12) {
        gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
        gsl_function f = {bw_excess, &b};
        double lo = 1e-9, hi = 1.0, theta = 1.0;
        int it, status = GSL_CONTINUE;

        if (!s)
            abort();
        gsl_root_fsolver_set(s, &f, lo, hi);
        for (it = 0; it < 100 && status == GSL_CONTINUE; it++) {
            gsl_root_fsolver_iterate(s);
            theta = gsl_root_fsolver_root(s);
            lo = gsl_root_fsolver_x_lower(s);
            hi = gsl_root_fsolver_x_upper(s);
            status = gsl_root_test_interval(lo, hi, 0, 1e-12);
        }
        gsl_root_fsolver_free(s);
        for (i = 0; i < n; i++)
            rate[i] = rate_at(&b, i, theta);
    }
}
