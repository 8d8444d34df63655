/* SPDX-License-Identifier: MIT */
/* cli/cmd_generate.c: 'gpuplan generate': write a seeded synthetic
 * inventory, for benchmarks and tests at fleet scale. */
#include "cli/cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "base/units.h"
#include "gen/generate.h"
#include "model/gpu.h"

static const struct gp_opt opts[] = {
    {"seed", 's', "N", "random seed (default 1)"},
    {"nodes", 'n', "N", "nodes in the fleet, 1 to 1000000 (default 100)"},
    {"replicas", 'r', "N",
     "replicas in all, 1 to 10000000 (default 1000)"},
    {"output", 'o', "FILE", "write to FILE (atomically) instead of stdout"},
    {NULL, 0, NULL, NULL},
};

/* Reads option 'name' into *out when given; returns -1 after a usage
 * error. */
static int
uint_opt(const struct gp_args *args, const char *name, uint64_t min,
         uint64_t max, uint64_t *out)
{
    const char *v = gp_args_get(args, name);
    const char *why;
    uint64_t x;

    if (!v)
        return 0;
    if (gp_parse_uint(v, UINT64_MAX, &x, &why) < 0)
        return gp_usage_error("--%s: %s, got '%s'", name, why, v);
    if (x < min || x > max)
        return gp_usage_error("--%s: must be from %llu to %llu, got '%s'",
                              name, (unsigned long long)min,
                              (unsigned long long)max, v);
    *out = x;
    return 0;
}

static int
run(struct gp_ctx *ctx, struct gp_args *args)
{
    struct gp_gen_opts o = {1, 100, 1000};
    struct gp_strbuf text = GP_STRBUF_INIT;
    struct gp_catalog *cat;
    const char *path = gp_args_get(args, "output");
    uint64_t nodes = o.nodes;

    if (args->n_pos != 0)
        return gp_usage_error("'generate' takes no file argument; use -o "
                              "FILE"),
               GP_EXIT_USAGE;
    if (uint_opt(args, "seed", 0, UINT64_MAX, &o.seed) < 0 ||
        uint_opt(args, "nodes", 1, GP_GEN_MAX_NODES, &nodes) < 0 ||
        uint_opt(args, "replicas", 1, GP_GEN_MAX_REPLICAS, &o.replicas) < 0)
        return GP_EXIT_USAGE;
    o.nodes = (uint32_t)nodes;
    if (gp_ctx_catalog(ctx, &cat) < 0)
        return gp_ctx_flush_diags(ctx);
    if (gp_generate_inventory(&o, cat, &text, ctx->d) < 0) {
        gp_strbuf_release(&text);
        return gp_ctx_flush_diags(ctx);
    }
    if (path && strcmp(path, "-") != 0) {
        if (gp_file_write_atomic(path, text.buf, text.len, ctx->d) < 0) {
            gp_strbuf_release(&text);
            gp_ctx_flush_diags(ctx);
            return GP_EXIT_OUTPUT;
        }
    } else {
        fwrite(text.buf, 1, text.len, ctx->out);
    }
    gp_strbuf_release(&text);
    return gp_ctx_flush_diags(ctx);
}

const struct gp_cmd gp_cmd_generate = {
    "generate",
    "Write a seeded synthetic inventory, for benchmarks and tests.",
    "generate [--seed N] [--nodes N] [--replicas N] [-o FILE]",
    "Draws node pools (H100, H200, A100, L40S, A10G, L4 and T4 nodes with\n"
    "approximate cloud prices) summing to exactly --nodes nodes, and\n"
    "workloads (inference from CTR scoring to 70B LLMs, batch jobs,\n"
    "notebooks, training) with exactly --replicas replicas in all, sized so\n"
    "that their estimated demand stays under 70% of the GPUs. The same\n"
    "options give the same bytes. Warns when the replicas are too many for\n"
    "the nodes. Exit 0 on success, 2 on bad options, 3 when FILE cannot be\n"
    "written.\n",
    opts,
    run,
};
