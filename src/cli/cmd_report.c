/* SPDX-License-Identifier: MIT */
/* cli/cmd_report.c: 'gpuplan report INVENTORY... -o DIR': the plan that
 * 'recommend' makes, written for people as report.html (self-contained,
 * with charts), report.md and report.json. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/units.h"
#include "inventory/inventory.h"
#include "plan/plan.h"
#include "report/report.h"

static const struct gp_opt opts[] = {
    {"output", 'o', "DIR", "write report.html, report.md and report.json"},
    {"format", 'f', "FMT", "also print one of them: html, markdown or json"},
    GP_OPTS_PLAN,
    {NULL, 0, NULL, NULL},
};

enum which { W_NONE, W_HTML, W_MD, W_JSON };

static int
parse_format(const char *f, enum which *out)
{
    *out = W_NONE;
    if (!f)
        return 0;
    if (strcmp(f, "html") == 0)
        *out = W_HTML;
    else if (strcmp(f, "markdown") == 0 || strcmp(f, "md") == 0)
        *out = W_MD;
    else if (strcmp(f, "json") == 0)
        *out = W_JSON;
    else
        return gp_usage_error("unknown format '%s' (expected 'html', "
                              "'markdown' or 'json')",
                              f);
    return 0;
}

static int
run(struct gp_ctx *ctx, struct gp_args *args)
{
    struct gp_catalog *cat;
    struct gp_inventory *inv = NULL;
    struct gp_plan *plan;
    struct gp_plan_opts po;
    struct gp_report_opts ro;
    struct gp_report *rep;
    const char *dir = gp_args_get(args, "output");
    struct gp_strbuf text = GP_STRBUF_INIT;
    enum which fmt;
    int rc = GP_EXIT_OK;

    if (parse_format(gp_args_get(args, "format"), &fmt) < 0)
        return GP_EXIT_USAGE;
    if (args->n_pos == 0)
        return gp_usage_error("name at least one inventory file"),
               GP_EXIT_USAGE;
    if (!dir && fmt == W_NONE)
        return gp_usage_error("name an output directory (-o DIR), or a "
                              "format to print (--format html, markdown or "
                              "json)"),
               GP_EXIT_USAGE;
    if (gp_args_plan_opts(args, &po) < 0)
        return GP_EXIT_USAGE;
    if (gp_ctx_catalog(ctx, &cat) < 0)
        return gp_ctx_flush_diags(ctx);
    if (gp_inventory_load(&inv, ctx->a, args->pos, args->n_pos, cat, ctx->d) <
        0)
        return gp_ctx_flush_diags(ctx);
    if (gp_plan_make(&plan, ctx->a, inv, &po, ctx->d) < 0)
        return gp_ctx_flush_diags(ctx);
    memset(&ro, 0, sizeof(ro));
    ro.seed = po.seed;
    ro.engine_only = po.engine_only;
    ro.inputs = args->pos;
    ro.n_inputs = args->n_pos;
    ro.version = GPUPLAN_VERSION;
    if (gp_report_build(&rep, ctx->a, plan, &ro, ctx->d) < 0) {
        /* the plan and the built-in calibrations are ours: a bug */
        gp_ctx_flush_diags(ctx);
        return GP_EXIT_INTERNAL;
    }
    if (dir && gp_report_write(rep, dir, ctx->d) < 0)
        rc = GP_EXIT_OUTPUT;
    gp_ctx_flush_diags(ctx);
    if (fmt == W_HTML) {
        gp_report_html(&text, rep);
    } else if (fmt == W_MD) {
        gp_report_markdown(&text, rep);
    } else if (fmt == W_JSON) {
        gp_ctx_print_json(ctx, gp_report_json(rep));
    } else if (rc == GP_EXIT_OK) {
        gp_report_summary_text(&text, rep);
        gp_strbuf_printf(&text, "  wrote %s, %s and %s in %s\n",
                         GP_REPORT_HTML_FILE, GP_REPORT_MD_FILE,
                         GP_REPORT_JSON_FILE, dir);
    }
    gp_ctx_print(ctx, text.buf);
    gp_strbuf_release(&text);
    if (rc == GP_EXIT_OK && rep->findings)
        rc = GP_EXIT_FINDINGS;
    return rc;
}

const struct gp_cmd gp_cmd_report = {
    "report",
    "Write the plan as a capacity report: report.html, report.md, "
    "report.json.",
    "report INVENTORY... -o DIR [--format FMT] [--engine] [--seed N]",
    "Makes the plan that 'gpuplan recommend' makes and writes it for\n"
    "capacity reviews: GPUs and cost per day and month before (one pod per\n"
    "GPU) and after, per node pool the sharing configs, load, memory\n"
    "headroom and room for more replicas, per workload its placement and\n"
    "predicted throughput and latency against its target with risk flags,\n"
    "what could not be placed and why, and the assumptions (calibration,\n"
    "seed, GPU models). report.html is one self-contained page with charts\n"
    "(inline SVG, light and dark); report.md and report.json hold the same\n"
    "figures. The three files are written together or not at all. With\n"
    "--format the chosen one is also printed (alone, without -o).\n"
    "Exit 0 when every workload is placed and meets its target, 1 when one\n"
    "is not (or a pool is over capacity), 2 on invalid input, 3 when the\n"
    "report could not be written.\n",
    opts,
    run,
};
