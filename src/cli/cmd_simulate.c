/* SPDX-License-Identifier: MIT */
/* cli/cmd_simulate.c: 'gpuplan simulate SCENARIO': run the event engine (or
 * the analytic estimate) and print what every process experiences. */
#include "cli/cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "base/units.h"
#include "json/json.h"
#include "model/gpu.h"
#include "sim/analytic.h"
#include "sim/calib.h"
#include "sim/engine.h"
#include "sim/scenario.h"

static const struct gp_opt opts[] = {
    {"seed", 's', "N", "random seed (default: the scenario's, else 1)"},
    {"duration", 'd', "DUR", "simulated time, e.g. 600s or 1h"},
    {"warmup", 0, "DUR", "time discarded before measuring"},
    {"calibration", 'c', "FILE", "measured sharing constants to use"},
    {"analytic", 'a', NULL, "print the fast analytic estimate instead"},
    {"format", 'f', "FMT", "output format: text or json"},
    {NULL, 0, NULL, NULL},
};

static const char *
fault_note(const struct gp_sim_gpu *g, const struct gp_sim_domain *d)
{
    if (d->n_procs <= 1)
        return g->mode == GP_SIM_MIG ? "a fault stays inside this MIG instance"
                                     : "one process: a fault affects only it";
    if (d->mps)
        return "MPS: a fatal fault in any client is reported to every client "
               "on the GPU and the server accepts no new client until all "
               "have exited: one crash restarts every pod here";
    if (g->mode == GP_SIM_MIG)
        return "time-slicing inside a MIG instance: a process that faults "
               "dies alone; a device-level error (Xid 79, uncorrectable ECC) "
               "ends every process of the instance; other instances are "
               "unaffected";
    return "time-slicing: a process that faults (illegal address) dies alone; "
           "a device-level error (Xid 79, uncorrectable ECC, reset) ends "
           "every process on the GPU";
}

static bool
target_p99_ok(const struct gp_sim_proc_result *p)
{
    const struct gp_workload *w = p->proc->w;

    return w->target_p99_s <= 0 ||
           (p->has_latency && p->p99 <= w->target_p99_s);
}

static bool
target_tput_ok(const struct gp_sim_proc_result *p)
{
    const struct gp_workload *w = p->proc->w;

    /* Allow the sampling noise of a finite run: 1%. */
    return w->target_throughput <= 0 ||
           p->throughput >= 0.99 * w->target_throughput;
}

static bool
proc_ok(const struct gp_sim_proc_result *p)
{
    return p->stable && p->mem == GP_MEM_FITS && target_p99_ok(p) &&
           target_tput_ok(p);
}

static void
lat_json(struct gp_json *o, const struct gp_sim_proc_result *p)
{
    struct gp_json *l;

    if (!p->has_latency) {
        gp_json_set_null(o, "latencyMs");
        return;
    }
    l = gp_json_object();
    gp_json_set_num(l, "mean", p->mean * 1e3, 3);
    gp_json_set_num(l, "p50", p->p50 * 1e3, 3);
    gp_json_set_num(l, "p95", p->p95 * 1e3, 3);
    gp_json_set_num(l, "p99", p->p99 * 1e3, 3);
    gp_json_set(o, "latencyMs", l);
}

static struct gp_json *
proc_json(const struct gp_sim_proc_result *p)
{
    const struct gp_workload *w = p->proc->w;
    struct gp_json *o = gp_json_object(), *m = gp_json_object(),
                   *t = gp_json_object();

    gp_json_set_str(o, "workload", w->name);
    gp_json_set_str(o, "traffic", gp_traffic_name(w->traffic));
    if (w->traffic == GP_TRAFFIC_POISSON)
        gp_json_set_num(o, "offeredPerSecond", p->offered, 3);
    else
        gp_json_set_null(o, "offeredPerSecond");
    gp_json_set_num(o, "throughputPerSecond", p->throughput, 3);
    lat_json(o, p);
    gp_json_set_num(o, "gpuShare", p->gpu_share, 4);
    gp_json_set_num(o, "activeShare", p->active, 4);
    gp_json_set_bool(o, "stable", p->stable);
    if (!p->stable)
        gp_json_set_num(o, "backlogGrowthPerSecond", p->backlog_growth, 3);
    gp_json_set_int(o, "completed", (long long)p->completed);
    gp_json_set_int(m, "peakMiB",
                    (long long)((w->memory_bytes + (1u << 20) - 1) >> 20));
    gp_json_set_int(m, "limitMiB", (long long)p->mem_limit_mib);
    gp_json_set_str(m, "verdict", gp_mem_verdict_name(p->mem));
    gp_json_set(o, "memory", m);
    if (w->target_p99_s > 0) {
        gp_json_set_num(t, "p99Ms", w->target_p99_s * 1e3, 3);
        gp_json_set_bool(t, "p99Met", target_p99_ok(p));
    }
    if (w->target_throughput > 0) {
        gp_json_set_num(t, "throughputPerSecond", w->target_throughput, 3);
        gp_json_set_bool(t, "throughputMet", target_tput_ok(p));
    }
    gp_json_set(o, "target", t);
    return o;
}

static struct gp_json *
calib_json(const struct gp_sim_gpu *g)
{
    struct gp_json *c = gp_json_object();

    gp_json_set_str(c, "file", g->calib->file);
    gp_json_set_str(c, "measuredOn", g->calib->gpu_name);
    gp_json_set_str(c, "date", g->calib->date);
    gp_json_set_bool(c, "measuredOnThisModel", g->calib_exact);
    gp_json_set_num(c, "timesliceMs", g->calib->timeslice_s * 1e3, 4);
    gp_json_set_num(c, "switchCostUs", g->calib->switch_heavy_s * 1e6, 1);
    return c;
}

static int
print_json(struct gp_ctx *ctx, const struct gp_scenario *s,
           const struct gp_sim_result *r, bool analytic)
{
    struct gp_json *root = gp_json_object(), *ga = gp_json_array();
    size_t g, k, i;
    int rc = GP_EXIT_OK;

    gp_json_set_str(root, "scenario", s->name);
    gp_json_set_str(root, "method", analytic ? "analytic" : "discrete-event");
    if (!analytic) {
        gp_json_set_num(root, "durationSeconds", r->duration_s, 3);
        gp_json_set_num(root, "warmupSeconds", r->warmup_s, 3);
        gp_json_set_int(root, "seed", (long long)r->seed);
        gp_json_set_int(root, "events", (long long)r->events);
    }
    for (g = 0; g < s->n_gpus; g++) {
        const struct gp_sim_gpu_result *gr = &r->gpus[g];
        struct gp_json *go = gp_json_object(), *da = gp_json_array();

        gp_json_set_str(go, "name", gr->gpu->name);
        gp_json_set_str(go, "model", gr->gpu->model->id);
        gp_json_set_str(go, "mode", gp_sim_mode_name(gr->gpu->mode));
        if (gr->gpu->mode == GP_SIM_MPS) {
            gp_json_set_num(go, "activeThreadPercentage",
                            gr->gpu->mps_thread_pct, 2);
            if (gr->gpu->mps_mem_limit)
                gp_json_set_int(go, "pinnedMemoryLimitMiB",
                                (long long)(gr->gpu->mps_mem_limit >> 20));
        }
        gp_json_set(go, "calibration", calib_json(gr->gpu));
        for (k = 0; k < gr->gpu->n_domains; k++) {
            const struct gp_sim_domain_result *dr = &gr->doms[k];
            const struct gp_sim_domain *d = dr->dom;
            struct gp_json *dobj = gp_json_object(), *pa = gp_json_array(),
                           *mem = gp_json_object();
            bool fits = dr->mem_sum_mib <= d->memory_mib;

            if (d->mig)
                gp_json_set_str(dobj, "migProfile", d->mig->name);
            else
                gp_json_set_null(dobj, "migProfile");
            gp_json_set_int(dobj, "processCount", (long long)d->n_procs);
            gp_json_set_num(dobj, "utilisation", dr->busy, 4);
            gp_json_set_num(dobj, "smOccupancy", dr->sm_occupancy, 4);
            if (d->time_sliced && !analytic)
                gp_json_set_num(dobj, "switchesPerSecond", dr->switches_per_s,
                                1);
            if (d->time_sliced)
                gp_json_set_num(dobj, "switchOverhead", dr->switch_share, 4);
            if (analytic)
                gp_json_set_bool(dobj, "estimateTrusted",
                                 gp_analytic_trusted(dr));
            gp_json_set_int(mem, "sumOfPeaksMiB", (long long)dr->mem_sum_mib);
            gp_json_set_int(mem, "capacityMiB", (long long)d->memory_mib);
            gp_json_set_bool(mem, "fits", fits);
            gp_json_set(dobj, "memory", mem);
            gp_json_set_str(dobj, "faultDomain", fault_note(gr->gpu, d));
            for (i = 0; i < d->n_procs; i++) {
                gp_json_push(pa, proc_json(&dr->procs[i]));
                if (!proc_ok(&dr->procs[i]))
                    rc = GP_EXIT_FINDINGS;
            }
            gp_json_set(dobj, "processes", pa);
            gp_json_push(da, dobj);
        }
        gp_json_set(go, "domains", da);
        gp_json_push(ga, go);
    }
    gp_json_set(root, "gpus", ga);
    gp_ctx_print_json(ctx, root);
    return rc;
}

static void
fmt_ms(char *buf, double s)
{
    if (s < 1e-3)
        snprintf(buf, 16, "%.1fus", s * 1e6);
    else if (s < 10)
        snprintf(buf, 16, "%.3fms", s * 1e3);
    else
        snprintf(buf, 16, "%.1fms", s * 1e3);
}

static int
print_text(struct gp_ctx *ctx, const struct gp_scenario *s,
           const struct gp_sim_result *r, bool analytic)
{
    FILE *o = ctx->out;
    size_t g, k, i;
    int rc = GP_EXIT_OK;

    if (analytic)
        fprintf(o, "scenario %s: analytic estimate\n", s->name);
    else
        fprintf(o, "scenario %s: %.0f s simulated after %.0f s warm-up, seed "
                   "%llu, %llu events\n",
                s->name, r->duration_s - r->warmup_s, r->warmup_s,
                (unsigned long long)r->seed, (unsigned long long)r->events);
    for (g = 0; g < s->n_gpus; g++) {
        const struct gp_sim_gpu_result *gr = &r->gpus[g];
        const struct gp_sim_gpu *gpu = gr->gpu;

        fprintf(o, "\nGPU %s: %s, %s", gpu->name, gpu->model->id,
                gp_sim_mode_name(gpu->mode));
        if (gpu->mode == GP_SIM_MPS) {
            fprintf(o, " (active threads %.0f%%", gpu->mps_thread_pct);
            if (gpu->mps_mem_limit)
                fprintf(o, ", pinned memory %llu MiB per client",
                        (unsigned long long)(gpu->mps_mem_limit >> 20));
            fputc(')', o);
        }
        fprintf(o, "\n  calibration: %s (%s%s)\n", gpu->calib->file,
                gpu->calib->gpu_name,
                gpu->calib_exact ? "" : "; not measured on this model");
        for (k = 0; k < gpu->n_domains; k++) {
            const struct gp_sim_domain_result *dr = &gr->doms[k];
            const struct gp_sim_domain *d = dr->dom;

            if (d->mig)
                fprintf(o, "  MIG %s (%u SMs, %llu MiB)%s\n", d->mig->name,
                        d->mig->sm_count, (unsigned long long)d->memory_mib,
                        d->time_sliced ? ", time-sliced" : "");
            fprintf(o, "  utilisation %.1f%%, SM occupancy %.1f%%",
                    dr->busy * 100, dr->sm_occupancy * 100);
            if (d->time_sliced && !analytic)
                fprintf(o, ", %.0f switches/s (%.1f%% of the time)",
                        dr->switches_per_s, dr->switch_share * 100);
            else if (d->time_sliced)
                fprintf(o, ", switches %.1f%% of the time",
                        dr->switch_share * 100);
            if (analytic && !gp_analytic_trusted(dr))
                fprintf(o, "\n  note: GPU load %.0f%% is past the %.0f%% up "
                           "to which this estimate is tested (it errs, mostly "
                           "optimistic); run without --analytic",
                        dr->load * 100, GP_ANALYTIC_MAX_LOAD * 100);
            fprintf(o, "\n  memory: %llu of %llu MiB%s\n",
                    (unsigned long long)dr->mem_sum_mib,
                    (unsigned long long)d->memory_mib,
                    dr->mem_sum_mib > d->memory_mib ? " -- OVERCOMMITTED" : "");
            if (d->n_procs == 0) {
                fputs("  (no processes)\n", o);
                continue;
            }
            fprintf(o, "  %-20s %10s %10s %10s %10s %10s %10s %6s  %s\n",
                    "WORKLOAD", "OFFERED/s", "DONE/s", "MEAN", "P50", "P95",
                    "P99", "SHARE", "STATUS");
            for (i = 0; i < d->n_procs; i++) {
                const struct gp_sim_proc_result *p = &dr->procs[i];
                const struct gp_workload *w = p->proc->w;
                char off[24], mean[16], p50[16], p95[16], p99[16];
                struct gp_strbuf st = GP_STRBUF_INIT;

                if (w->traffic == GP_TRAFFIC_POISSON)
                    snprintf(off, sizeof(off), "%.2f", p->offered);
                else
                    snprintf(off, sizeof(off), "%s",
                             w->traffic == GP_TRAFFIC_CLOSED_LOOP ? "closed"
                                                                  : "contin.");
                if (p->has_latency) {
                    fmt_ms(mean, p->mean);
                    fmt_ms(p50, p->p50);
                    fmt_ms(p95, p->p95);
                    fmt_ms(p99, p->p99);
                } else {
                    strcpy(mean, "-");
                    strcpy(p50, "-");
                    strcpy(p95, "-");
                    strcpy(p99, p->stable ? "-" : "unbounded");
                }
                if (!p->stable)
                    gp_strbuf_printf(&st, "UNSTABLE (queue grows %.3g/s)",
                                     p->backlog_growth);
                else
                    gp_strbuf_puts(&st, "stable");
                if (p->mem != GP_MEM_FITS)
                    gp_strbuf_printf(&st, ", memory %s (limit %llu MiB)",
                                     gp_mem_verdict_name(p->mem),
                                     (unsigned long long)p->mem_limit_mib);
                if (!target_p99_ok(p))
                    gp_strbuf_puts(&st, ", p99 target MISSED");
                if (!target_tput_ok(p))
                    gp_strbuf_puts(&st, ", throughput target MISSED");
                if (!proc_ok(p))
                    rc = GP_EXIT_FINDINGS;
                fprintf(o, "  %-20s %10s %10.2f %10s %10s %10s %10s %5.1f%%  "
                           "%s\n",
                        w->name, off, p->throughput, mean, p50, p95, p99,
                        p->gpu_share * 100, st.buf);
                gp_strbuf_release(&st);
            }
            fprintf(o, "  faults: %s\n", fault_note(gpu, d));
        }
    }
    return rc;
}

static int
run(struct gp_ctx *ctx, struct gp_args *args)
{
    struct gp_catalog *cat;
    struct gp_scenario *s;
    struct gp_sim_result *r;
    struct gp_sim_opts o = {0, -1, 1, false};
    struct gp_calib *calib = NULL;
    const char *v, *why;
    enum gp_format fmt;
    bool analytic = gp_args_flag(args, "analytic");
    int rc;

    if (gp_args_format(args, &fmt) < 0)
        return GP_EXIT_USAGE;
    if (args->n_pos != 1)
        return gp_usage_error("name one scenario file"), GP_EXIT_USAGE;
    if ((v = gp_args_get(args, "seed")) &&
        gp_parse_uint(v, UINT32_MAX, &o.seed, &why) < 0)
        return gp_usage_error("--seed: %s", why), GP_EXIT_USAGE;
    o.has_seed = v != NULL;
    if ((v = gp_args_get(args, "duration")) &&
        (gp_parse_duration(v, &o.duration_s, &why) < 0 ||
         (why = "must be between 1ms and 7 days", o.duration_s < 1e-3) ||
         o.duration_s > 7 * 86400.0))
        return gp_usage_error("--duration: %s", why), GP_EXIT_USAGE;
    if ((v = gp_args_get(args, "warmup")) &&
        (gp_parse_duration(v, &o.warmup_s, &why) < 0 ||
         (why = "must be below 1 day", o.warmup_s > 86400.0)))
        return gp_usage_error("--warmup: %s", why), GP_EXIT_USAGE;
    if (gp_ctx_catalog(ctx, &cat) < 0)
        return gp_ctx_flush_diags(ctx);
    if ((v = gp_args_get(args, "calibration"))) {
        calib = gp_arena_alloc(ctx->a, sizeof(*calib));
        if (gp_calib_load(calib, ctx->a, v, ctx->d) < 0)
            return gp_ctx_flush_diags(ctx);
    }
    if (gp_scenario_load(&s, ctx->a, args->pos[0], cat, calib, ctx->d) < 0)
        return gp_ctx_flush_diags(ctx);
    if (analytic)
        gp_analytic_run(&r, ctx->a, s);
    else
        gp_sim_run(&r, ctx->a, s, &o);
    gp_ctx_flush_diags(ctx);
    if (fmt == GP_FORMAT_JSON)
        rc = print_json(ctx, s, r, analytic);
    else
        rc = print_text(ctx, s, r, analytic);
    return rc;
}

const struct gp_cmd gp_cmd_simulate = {
    "simulate",
    "Simulate workloads sharing GPUs: throughput, latency, memory, faults.",
    "simulate SCENARIO [--seed N] [--duration DUR] [--format json]",
    "Runs the discrete-event model of time-slicing, MPS and MIG on the\n"
    "scenario (schema: docs/simulate.md) and reports, per process, the\n"
    "throughput, latency mean/p50/p95/p99, GPU share, whether its queue is\n"
    "stable, its memory verdict and its fault domain; per GPU, the\n"
    "utilisation. --analytic prints the fast estimate the planner uses.\n"
    "Exit 0 when every process is stable, fits memory and meets its targets,\n"
    "1 when one does not, 2 on invalid input.\n",
    opts,
    run,
};
