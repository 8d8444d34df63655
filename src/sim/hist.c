/* SPDX-License-Identifier: MIT */
#include "sim/hist.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_histogram.h>

#include "base/xalloc.h"

_Static_assert(GP_HIST_SUB == 64, "bucket() reads 6 mantissa bits");

void
gp_hist_init(struct gp_hist *h)
{
    memset(h, 0, sizeof(*h));
    h->min = HUGE_VAL;
    h->max = 0;
}

/* The octave is the double's exponent and the sub-bucket its top mantissa
 * bits: the same bucket as frexp() and a multiply would give, read off the
 * bits, because this runs once per simulated request. */
static uint32_t
bucket(double x, int *clamped)
{
    uint64_t bits;
    long oct;

    *clamped = 0;
    if (!(x > 0)) {
        *clamped = x < 0 || isnan(x);
        return 0;
    }
    memcpy(&bits, &x, sizeof(bits));
    oct = (long)((bits >> 52) & 0x7ff) - 1023 - GP_HIST_MIN_EXP;
    if (oct < 0) {
        *clamped = 1;
        return 0;
    }
    if (oct >= GP_HIST_OCTAVES) {
        *clamped = 1;
        return GP_HIST_BINS - 1;
    }
    return (uint32_t)(oct * GP_HIST_SUB +
                      (long)((bits >> (52 - 6)) & (GP_HIST_SUB - 1)));
}

void
gp_hist_add(struct gp_hist *h, double x)
{
    int cl;
    uint32_t b = bucket(x, &cl);

    h->bin[b]++;
    h->clamped += (uint64_t)cl;
    h->n++;
    h->sum += x;
    if (x < h->min)
        h->min = x;
    if (x > h->max)
        h->max = x;
}

void
gp_hist_merge(struct gp_hist *into, const struct gp_hist *from)
{
    size_t i;

    for (i = 0; i < GP_HIST_BINS; i++)
        into->bin[i] += from->bin[i];
    into->n += from->n;
    into->clamped += from->clamped;
    into->sum += from->sum;
    if (from->min < into->min)
        into->min = from->min;
    if (from->max > into->max)
        into->max = from->max;
}

double
gp_hist_mean(const struct gp_hist *h)
{
    return h->n ? h->sum / (double)h->n : 0;
}

static double
edge(size_t i)
{
    size_t oct = i / GP_HIST_SUB, sub = i % GP_HIST_SUB;

    return ldexp(0.5 + (double)sub / (2.0 * GP_HIST_SUB),
                 (int)oct + 1 + GP_HIST_MIN_EXP);
}

double
gp_hist_quantile(const struct gp_hist *h, double q)
{
    size_t lo = GP_HIST_BINS, hi = 0, i, n;
    gsl_histogram *g;
    gsl_histogram_pdf *pdf;
    double x;

    if (h->n == 0)
        return 0;
    for (i = 0; i < GP_HIST_BINS; i++) {
        if (h->bin[i]) {
            if (lo == GP_HIST_BINS)
                lo = i;
            hi = i;
        }
    }
    /* Only the occupied span goes to GSL: it keeps the inverse-CDF search
     * short and the ranges exact. */
    n = hi - lo + 1;
    g = gsl_histogram_alloc(n);
    pdf = gsl_histogram_pdf_alloc(n);
    if (!g || !pdf)
        gp_xoom(0);
    for (i = 0; i <= n; i++)
        g->range[i] = edge(lo + i);
    for (i = 0; i < n; i++)
        g->bin[i] = (double)h->bin[lo + i];
    gsl_histogram_pdf_init(pdf, g);
    x = gsl_histogram_pdf_sample(pdf, q);
    gsl_histogram_pdf_free(pdf);
    gsl_histogram_free(g);
    /* Interpolation may not leave what was observed. */
    if (x < h->min)
        x = h->min;
    if (x > h->max)
        x = h->max;
    return x;
}
