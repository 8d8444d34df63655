/* SPDX-License-Identifier: MIT */
/* report/report.h: the capacity report of a plan, for people: what
 * 'gpuplan report' writes as report.html (self-contained, charts drawn here
 * as inline SVG), report.md and report.json.
 *
 * The report is built in two steps. gp_report_build() derives every figure
 * once from the public plan data (src/plan/plan.h): GPUs and cost before
 * and after per pool, load, memory headroom, what-if headroom, risk flags,
 * the MIG layouts used and the assumptions. The three renderers only format
 * those figures, so the files cannot disagree. Every derived number is
 * rounded here, once, with gp_round(); renderers print it with the same
 * number of decimals.
 *
 * Deterministic: output depends only on the plan and the options (sorted as
 * the plan is, C locale, no clock, no host paths: input files are named by
 * their base name). Linear in the size of the plan. */
#ifndef GPUPLAN_REPORT_REPORT_H
#define GPUPLAN_REPORT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gp_arena;
struct gp_diags;
struct gp_json;
struct gp_strbuf;
struct gp_calib;
struct gp_gpu_model;
struct gp_mig_layout;
struct gp_plan;
struct gp_plan_assign;
struct gp_plan_group;
struct gp_plan_pool;

#define GP_REPORT_HTML_FILE "report.html"
#define GP_REPORT_MD_FILE "report.md"
#define GP_REPORT_JSON_FILE "report.json"
#define GP_REPORT_SCHEMA "gpuplan-report/1"

/* Hours in a month for the monthly figures: 8760 / 12, the convention of
 * cloud price lists. */
#define GP_REPORT_HOURS_PER_MONTH 730.0

/* Risk thresholds (documented in docs/report.md). */
#define GP_REPORT_OOM_SHARE 0.90      /* peak at or above this share of its
                                       * limit */
#define GP_REPORT_NEAR_P99 0.80       /* p99 at or above this share of the
                                       * target */
#define GP_REPORT_NEAR_TPUT 1.10      /* throughput below this multiple of
                                       * the target */
#define GP_REPORT_NEAR_OFFERED 0.98   /* Poisson: done below this share of
                                       * what is offered */

/* Charts with one row per pool or per workload show at most this many rows
 * (the largest pools; the workloads closest to their target); the tables
 * hold every row. */
#define GP_REPORT_CHART_ROWS 40

enum gp_report_flag {
    GP_REPORT_OOM_RISK = 1u << 0,       /* memory peak near its limit */
    GP_REPORT_SHARED_FAULT = 1u << 1,   /* MPS or time-slicing with other
                                         * replicas on the GPU */
    GP_REPORT_NEAR_SATURATION = 1u << 2,
    GP_REPORT_TARGET_MISSED = 1u << 3,
    GP_REPORT_UNSTABLE = 1u << 4,
};

struct gp_report_opts {
    uint64_t seed;              /* the planner's event-engine seed */
    bool engine_only;           /* recommend --engine */
    const char *const *inputs;  /* inventory files as given; only base
                                 * names are reported */
    size_t n_inputs;
    const char *version;        /* gpuplan's */
};

/* One placement: a workload's replicas in one node group. */
struct gp_report_load {
    const struct gp_plan_assign *as;
    const struct gp_plan_group *g;
    const char *config;         /* the group's sharing config, as text */
    unsigned flags;             /* enum gp_report_flag */
    double p99_of_target;       /* p99 / target p99 (4 decimals), or 0 */
    double tput_of_target;      /* throughput / target (4 decimals), or 0 */
    double mem_share;           /* peak / its limit (4 decimals) */
    bool split;                 /* the workload has other placements */
    /* What-if headroom: more replicas of this workload that fit the free
     * slots (time-slicing and MPS replicas, whole GPUs, or free MIG
     * instances of its profile) of the group's nodes without changing the
     * config, and how many more again if the pool's idle nodes (available
     * but not used by the plan) joined the group. The group's checks cover
     * any filling of its slots: they assume the worst co-location the
     * config allows. */
    uint64_t room;
    uint64_t room_idle;
};

struct gp_report_group {
    const struct gp_plan_group *g;
    const char *config;
    uint64_t slots;             /* pods the group's nodes can host */
    uint64_t slots_used;
    uint64_t mem_headroom_mib;  /* limit - worst co-located peak */
    double mem_share;           /* worst peak / limit (4 decimals) */
    double load;                /* the plan's utilisation (4 decimals) */
    size_t first_load, n_loads; /* its placements in gp_report.loads */
};

struct gp_report_pool {
    const struct gp_plan_pool *pp;  /* NULL when the plan has no pools */
    const char *name;
    const char *gpu;                /* catalogue id */
    uint32_t nodes_available;
    uint32_t nodes_used;
    uint32_t idle_nodes;            /* available - used, or 0 */
    uint32_t gpus_before;           /* one pod per GPU */
    uint32_t gpus_after;            /* nodes used x GPUs per node */
    uint32_t gpus_hosting;
    double cost_day_before, cost_day_after;     /* 2 decimals */
    double load_hosting;        /* mean load over GPUs hosting pods (4) */
    double load_provisioned;    /* the same load over every GPU the plan
                                 * provisions in the pool (4) */
    bool has_mem;               /* some group: memory headroom known */
    uint64_t min_mem_headroom_mib;
    bool over_capacity;
    size_t *groups;             /* indexes into gp_report.groups */
    size_t n_groups;
};

/* A MIG layout the plan uses, once per GPU model and layout. */
struct gp_report_mig {
    const struct gp_gpu_model *model;
    const struct gp_mig_layout *layout;
    const char *text;           /* "3g.40gb@0 3g.40gb@4" */
    uint64_t gpus;              /* GPUs configured with it */
    const char **groups;        /* node groups using it, plan order */
    size_t n_groups;
};

/* The calibration the simulator used for one GPU model. */
struct gp_report_calib {
    const struct gp_gpu_model *model;
    const char *file;           /* built-in file name */
    const char *measured_on;    /* GPU name */
    const char *date, *driver;
    bool exact;                 /* measured on this model; else the H100
                                 * reference stands in */
    const char *model_file;     /* the model's catalogue file: a user
                                 * file by its base name only; NULL when
                                 * unknown */
};

struct gp_report {
    struct gp_arena *a;         /* where it lives; renderers take scratch
                                 * memory from it */
    const struct gp_plan *plan;
    const char *inventory;
    const char **inputs;        /* base names */
    size_t n_inputs;
    uint64_t seed;
    bool engine_only;
    const char *version;

    uint32_t gpus_before, gpus_after, gpus_hosting, gpus_capacity;
    int64_t gpus_saved;         /* before - after; negative: more GPUs */
    double gpus_lower_bound;    /* 2 decimals */
    double cost_day_before, cost_day_after, cost_day_saved;
    double cost_month_before, cost_month_after, cost_month_saved;

    struct gp_report_pool *pools;
    size_t n_pools;
    struct gp_report_group *groups;     /* plan order */
    size_t n_groups;
    struct gp_report_load *loads;       /* plan order: group, assign */
    size_t n_loads;
    struct gp_report_mig *migs;         /* order of first use */
    size_t n_migs;
    struct gp_report_calib *calibs;     /* order of first pool */
    size_t n_calibs;

    /* findings, as recommend counts them (exit status 1) */
    size_t n_missed;            /* placements that miss their target */
    size_t n_unplaced;
    size_t n_over_capacity;     /* pools */
    size_t n_flagged;           /* placements with any risk flag */
    bool findings;
};

/* Derives the report. Returns 0, or -1 with an error in 'd' (a plan whose
 * pools or groups do not belong to its inventory). OUT: *out, valid while
 * 'a' and the plan live. */
int gp_report_build(struct gp_report **out, struct gp_arena *a,
                    const struct gp_plan *p, const struct gp_report_opts *o,
                    struct gp_diags *d);

/* The renderers append one file's text to 'out'. */
void gp_report_html(struct gp_strbuf *out, const struct gp_report *r);
void gp_report_markdown(struct gp_strbuf *out, const struct gp_report *r);
/* report.json's document: the derived figures, then the plan as
 * 'recommend' writes it (plan.json) under "plan". Free with
 * gp_json_free(). */
struct gp_json *gp_report_json(const struct gp_report *r);

/* Renders all three files, then writes them into 'dir' as one unit
 * (gp_files_write_atomic): a failure leaves no file half-written and no
 * new directory behind. Returns 0, or -1 with errors in 'd'. */
int gp_report_write(const struct gp_report *r, const char *dir,
                    struct gp_diags *d);

/* Three lines for the terminal: GPUs and cost before and after, then the
 * findings. */
void gp_report_summary_text(struct gp_strbuf *out, const struct gp_report *r);

/* The name of one flag ("OOM risk"), and all of a set joined by ", "
 * (nothing when none). */
const char *gp_report_flag_name(enum gp_report_flag f);
void gp_report_flags_text(struct gp_strbuf *out, unsigned flags);

#endif
