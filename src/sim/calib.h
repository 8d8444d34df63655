/* SPDX-License-Identifier: MIT */
/* sim/calib.h: the measured sharing constants of one GPU (time-slice length,
 * context-switch costs, MPS behaviour), read from a calibration file that
 * tools/probe writes (schema gpuplan-calibration/1, docs/calibration.md).
 * Files for the GPUs we measured are built in; a user points gpuplan at the
 * file they measured with --calibration. */
#ifndef GPUPLAN_SIM_CALIB_H
#define GPUPLAN_SIM_CALIB_H

#include <stdbool.h>

#include "base/diag.h"

struct gp_arena;
struct gp_gpu_model;

struct gp_calib {
    const char *file;          /* where the constants came from */
    const char *gpu_name;      /* the GPU they were measured on */
    const char *model_id;      /* its catalogue id, or NULL */
    const char *date, *driver;
    double timeslice_s;        /* time-slice length Q */
    double switch_heavy_s;     /* switch away from a full-GPU context */
    double switch_light_s;     /* switch away from a one-warp context */
    double switch_yield_s;     /* switch after a context ran out of work */
    double sync_gap_s;         /* host round trip of a launch after a sync */
    double bw_saturation_sm;   /* SM fraction that saturates DRAM bandwidth */
    double hol_fraction;       /* MPS: mean wait / running grid's duration */
    unsigned mps_client_limit;
};

/* Parses a calibration file. Returns 0, or -1 with every problem in 'd'. */
int gp_calib_parse(struct gp_calib *out, struct gp_arena *a, const char *file,
                   const char *text, size_t len, struct gp_diags *d);
int gp_calib_load(struct gp_calib *out, struct gp_arena *a, const char *path,
                  struct gp_diags *d);

/* The built-in calibration measured on 'm' when there is one, else the
 * H100's (the reference device); *exact says which. */
int gp_calib_builtin(struct gp_calib *out, bool *exact, struct gp_arena *a,
                     const struct gp_gpu_model *m, struct gp_diags *d);

#endif
