/* SPDX-License-Identifier: MIT */
/* bench/bench.h: what every benchmark shares. */
#ifndef GPUPLAN_BENCH_BENCH_H
#define GPUPLAN_BENCH_BENCH_H

#include <time.h>

/* Seconds on the monotonic clock: wall time, immune to clock steps. */
static inline double
bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds of the process: on a shared machine the wall clock also
 * counts the other tenants' turns. */
static inline double
bench_cpu_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#endif
