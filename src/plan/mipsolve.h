/* SPDX-License-Identifier: MIT */
/* plan/mipsolve.h: covering integer programs, solved exactly with GLPK (the
 * only module that sees it): minimise sum_j cost[j] x[j] subject to
 * sum_j a[i][j] x[j] >= demand[i] for every row i, x integer >= 0. The
 * planner uses it to choose how many GPUs get which MIG layout. */
#ifndef GPUPLAN_PLAN_MIPSOLVE_H
#define GPUPLAN_PLAN_MIPSOLVE_H

#include <stdbool.h>
#include <stddef.h>

struct gp_cover {
    size_t rows, cols;
    const double *a;        /* rows x cols, row-major */
    const double *demand;   /* rows */
    const double *cost;     /* cols */
};

struct gp_cover_result {
    double *x;              /* cols, integral; caller frees */
    double objective;       /* of x */
    double lp_bound;        /* LP relaxation: no integral x costs less */
    bool optimal;           /* proven optimal (else the best found within the
                             * time limit) */
};

/* Returns 0, or -1 when there is no feasible solution (a row no column
 * covers) or GLPK fails. */
int gp_cover_solve(const struct gp_cover *p, struct gp_cover_result *r);

#endif
