/* SPDX-License-Identifier: MIT */
/* sim/perf.h: how fast a workload's GPU work runs on the resources it gets.
 * Shared by the event engine and the analytic estimate so that they differ
 * only in how they treat time, never in the physics.
 *
 * A unit of work is one second of GPU time on the whole GPU, alone. A
 * fraction mu of it (memoryBound) is bandwidth-bound, the rest compute-bound
 * (the two-term roofline of docs/simulate.md). The compute part runs at
 * (SM share)/sigma; the memory part at the bandwidth it reaches, which needs
 * a calibrated fraction of the SMs (bw_saturation_sm) and the DRAM share. */
#ifndef GPUPLAN_SIM_PERF_H
#define GPUPLAN_SIM_PERF_H

#include <stddef.h>
#include <stdint.h>

struct gp_workload;
struct gp_calib;

/* Time a unit of work takes alone on a domain with SM share 'sm' and
 * bandwidth share 'bw' of the whole GPU (MIG instances), relative to the
 * whole GPU: 1 on the whole GPU, more on a smaller instance. */
double gp_perf_domain_factor(double sigma, double mu, double sm, double bw,
                             const struct gp_calib *c);

/* MPS active-thread percentage to the SM fraction a client may use: the
 * driver rounds down to whole TPCs (2 SMs), as measured on H100
 * (docs/calibration.md: 10% of 132 SMs gives 12). */
double gp_perf_mps_cap(double pct, uint32_t sm_count);

struct gp_mps_client {
    double sigma;   /* SM fraction its kernels occupy alone */
    double cap;     /* SM fraction allowed (active-thread limit) */
    double mu;      /* memory-bound fraction */
};

/* Progress rates (work per second, 1 = alone and uncapped) and SM shares of
 * the 'n' clients that have kernels running at the same time under MPS:
 * SMs are water-filled up to each client's demand min(sigma, cap); when
 * demand exceeds the GPU, kernels share SMs and each slows; DRAM bandwidth
 * is then shared in proportion to demand. */
void gp_perf_mps_rates(const struct gp_mps_client *cl, size_t n,
                       const struct gp_calib *c, double *rate, double *sm);

/* The same for client classes: m[i] identical clients like cl[i], each of
 * which gets rate[i] and sm[i]. Lets callers with many copies of a few
 * workloads pay per class, not per client. */
void gp_perf_mps_rates_m(const struct gp_mps_client *cl, const unsigned *m,
                         size_t n, const struct gp_calib *c, double *rate,
                         double *sm);

#endif
