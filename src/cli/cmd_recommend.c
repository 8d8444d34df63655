/* SPDX-License-Identifier: MIT */
/* cli/cmd_recommend.c: 'gpuplan recommend INVENTORY... [-o DIR]': the plan
 * (node groups, sharing configs, placements, predictions), and with -o the
 * files that apply it. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "base/units.h"
#include "emit/emit.h"
#include "inventory/inventory.h"
#include "json/json.h"
#include "mig/geometry.h"
#include "model/gpu.h"
#include "plan/plan.h"
#include "report/planfmt.h"

static const struct gp_opt opts[] = {
    {"output", 'o', "DIR", "write the ConfigMaps, labels and patches to DIR"},
    {"format", 'f', "FMT", "output format: text or json"},
    GP_OPTS_PLAN,
    {NULL, 0, NULL, NULL},
};

static void
status_text(const struct gp_plan_assign *as, struct gp_strbuf *sb)
{
    if (!as->stable)
        gp_strbuf_puts(sb, "UNSTABLE");
    else if (!as->meets_target)
        gp_strbuf_puts(sb, "target MISSED");
    else
        gp_strbuf_puts(sb, "ok");
    gp_strbuf_puts(sb, as->by_engine ? " (engine)" : "");
}

static void
render_text(const struct gp_plan *p, struct gp_strbuf *o)
{
    size_t i, j;

    gp_strbuf_printf(o, "plan %s: %u nodes, %u GPUs provisioned, %u hosting "
                        "pods\n",
                     p->inv->name, p->nodes_used, p->gpus_provisioned,
                     p->gpus_used);
    gp_strbuf_printf(o, "  one pod per GPU: %u GPUs; lower bound for these "
                        "sharing choices: %.1f GPUs\n",
                     p->baseline_gpus, p->gpus_lower_bound);
    if (p->gpus_for_nodes > 0.05)
        gp_strbuf_printf(o, "  %.1f GPUs more than these choices need run "
                            "shareable replicas exclusively, to free "
                            "nodes\n",
                         p->gpus_for_nodes);
    gp_strbuf_printf(o, "  cost per day: $%.2f (one pod per GPU: $%.2f)\n",
                     p->cost_per_day, p->baseline_cost_per_day);
    for (i = 0; i < p->n_pools; i++)
        if (p->pools[i].over_capacity)
            gp_strbuf_printf(o, "  OVER CAPACITY: pool %s needs %u nodes, has "
                                "%u\n",
                             p->pools[i].pool->name, p->pools[i].nodes_used,
                             p->pools[i].pool->nodes);
    gp_strbuf_printf(o, "  predictions: %llu co-locations, %llu by the event "
                        "engine (%llu events)\n",
                     (unsigned long long)p->evals,
                     (unsigned long long)p->engine_evals,
                     (unsigned long long)p->engine_events);
    for (i = 0; i < p->n_groups; i++) {
        const struct gp_plan_group *g = &p->groups[i];
        struct gp_strbuf cfg = GP_STRBUF_INIT;

        gp_planfmt_config(&cfg, g);
        gp_strbuf_printf(o, "\nnode group %s (pool %s, %s): %u node%s, %u "
                            "GPU%s hosting pods, GPU load %.0f%%\n",
                         g->name, g->pool->name, g->pool->gpu->id, g->nodes,
                         g->nodes == 1 ? "" : "s", g->gpus_used,
                         g->gpus_used == 1 ? "" : "s", g->utilisation * 100);
        gp_strbuf_printf(o, "  config: %s\n", cfg.buf);
        if (g->tenant)
            gp_strbuf_printf(o, "  tenant: %s (one MPS fault domain)\n",
                             g->tenant);
        gp_strbuf_printf(o, "  memory: worst co-location %llu of %llu MiB\n",
                         (unsigned long long)g->worst_mem_mib,
                         (unsigned long long)g->gpu_mem_mib);
        gp_strbuf_printf(o, "  %-22s %8s %-24s %9s %9s %9s %9s  %s\n",
                         "WORKLOAD", "REPLICAS", "RESOURCE", "OFFERED/s",
                         "DONE/s", "P99", "TARGET", "STATUS");
        for (j = 0; j < g->n_assigns; j++) {
            const struct gp_plan_assign *as = &g->assigns[j];
            char p99[32] = "-", tgt[32] = "-", off[32] = "-";
            struct gp_strbuf st = GP_STRBUF_INIT;

            if (as->has_latency)
                gp_planfmt_seconds(p99, sizeof(p99), as->p99);
            if (as->w->target_p99_s > 0)
                gp_planfmt_seconds(tgt, sizeof(tgt), as->w->target_p99_s);
            else if (as->w->target_throughput > 0)
                snprintf(tgt, sizeof(tgt), "%.1f/s",
                         as->w->target_throughput);
            if (as->offered > 0)
                snprintf(off, sizeof(off), "%.2f", as->offered);
            status_text(as, &st);
            gp_strbuf_printf(o, "  %-22s %8u %-24s %9s %9.2f %9s %9s  %s\n",
                             as->w->name, as->replicas, as->resource, off,
                             as->throughput, p99, tgt, st.buf);
            gp_strbuf_release(&st);
        }
        gp_strbuf_release(&cfg);
    }
    if (p->n_unplaced) {
        gp_strbuf_puts(o, "\nnot placed:\n");
        for (i = 0; i < p->n_unplaced; i++)
            gp_strbuf_printf(o, "  %s (%u replicas): %s\n",
                             p->unplaced[i].w->name, p->unplaced[i].replicas,
                             p->unplaced[i].why);
    }
}

static int
run(struct gp_ctx *ctx, struct gp_args *args)
{
    struct gp_catalog *cat;
    struct gp_inventory *inv = NULL;
    struct gp_plan *plan;
    struct gp_plan_opts po;
    const char *dir = gp_args_get(args, "output");
    enum gp_format fmt;
    struct gp_strbuf text = GP_STRBUF_INIT;
    struct gp_json *js;
    char *jtext;
    size_t jlen;
    int rc = GP_EXIT_OK;

    if (gp_args_format(args, &fmt) < 0)
        return GP_EXIT_USAGE;
    if (args->n_pos == 0)
        return gp_usage_error("name at least one inventory file"),
               GP_EXIT_USAGE;
    if (gp_args_plan_opts(args, &po) < 0)
        return GP_EXIT_USAGE;
    if (gp_ctx_catalog(ctx, &cat) < 0)
        return gp_ctx_flush_diags(ctx);
    if (gp_inventory_load(&inv, ctx->a, args->pos, args->n_pos, cat,
                          ctx->d) < 0)
        return gp_ctx_flush_diags(ctx);
    if (gp_plan_make(&plan, ctx->a, inv, &po, ctx->d) < 0)
        return gp_ctx_flush_diags(ctx);
    render_text(plan, &text);
    js = gp_planfmt_json(plan);
    jtext = gp_json_render(js, &jlen);
    if (dir) {
        const struct gp_out_file extra[] = {
            {"plan.txt", text.buf, text.len},
            {"plan.json", jtext, jlen},
        };

        if (gp_emit_plan_files(plan, dir, extra, 2, ctx->d) < 0)
            rc = GP_EXIT_OUTPUT;
    }
    gp_ctx_flush_diags(ctx);
    if (fmt == GP_FORMAT_JSON)
        gp_ctx_print_json(ctx, js);
    else {
        fputs(text.buf, ctx->out);
        gp_json_free(js);
    }
    free(jtext);
    gp_strbuf_release(&text);
    if (rc == GP_EXIT_OK &&
        (!plan->all_targets_met || plan->n_unplaced || plan->over_capacity))
        rc = GP_EXIT_FINDINGS;
    return rc;
}

const struct gp_cmd gp_cmd_recommend = {
    "recommend",
    "Recommend per-node-group GPU sharing and emit the configs that apply it.",
    "recommend INVENTORY... [-o DIR] [--format json] [--engine]",
    "Chooses, for each node pool, node groups with one sharing config each\n"
    "(exclusive, time-slicing xN, MPS xN, MIG layouts) and places every\n"
    "workload so that its memory fits and its latency or throughput target\n"
    "holds in the worst co-location the config allows, as the simulator\n"
    "predicts it, at the lowest GPU cost. With -o DIR it writes the\n"
    "device-plugin and mig-parted ConfigMaps, the node labels (and a script\n"
    "that sets them), the workload patches, plan.txt and plan.json.\n"
    "Exit 0 when every workload is placed and meets its target, 1 when one\n"
    "is not, 2 on invalid input, 3 when an output could not be written.\n",
    opts,
    run,
};
