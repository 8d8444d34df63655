/* SPDX-License-Identifier: MIT */
/* sim/hist.h: bounded-memory latency distributions for long simulations.
 * A log-linear histogram (64 sub-buckets per power of two, so any recorded
 * value lands in a bucket no wider than 1/64 of itself) takes a sample in
 * O(1) with no allocation; quantiles interpolate inside the bucket through
 * GSL's histogram inverse CDF. P-square estimators (gsl_rstat) were slower per
 * sample and need one estimator per quantile; this keeps every quantile, at a
 * bounded relative error of about 0.8%, in 21 KiB per distribution. */
#ifndef GPUPLAN_SIM_HIST_H
#define GPUPLAN_SIM_HIST_H

#include <stdint.h>

/* Covers 2^-24 s (60 ns) .. 2^16 s (18 h); values outside are clamped into
 * the end buckets and counted, so nothing is lost silently. */
#define GP_HIST_MIN_EXP (-24)
#define GP_HIST_OCTAVES 40
#define GP_HIST_SUB 64
#define GP_HIST_BINS (GP_HIST_OCTAVES * GP_HIST_SUB)

struct gp_hist {
    uint64_t n;
    uint64_t clamped;
    double sum, min, max;
    uint32_t bin[GP_HIST_BINS];
};

void gp_hist_init(struct gp_hist *h);
void gp_hist_add(struct gp_hist *h, double x);
void gp_hist_merge(struct gp_hist *into, const struct gp_hist *from);
/* The q-quantile (0 < q < 1); 0 for an empty histogram. */
double gp_hist_quantile(const struct gp_hist *h, double q);
double gp_hist_mean(const struct gp_hist *h);

#endif
