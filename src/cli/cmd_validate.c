/* SPDX-License-Identifier: MIT */
/* cli/cmd_validate.c: 'gpuplan validate FILE...': load inventories and
 * report every problem, or a short summary of what was loaded. */
#include "cli/cli.h"

#include <stdlib.h>

#include "base/diag.h"
#include "inventory/inventory.h"
#include "json/json.h"
#include "model/gpu.h"

static const struct gp_opt opts[] = {
    {"workloads", 'w', "FILE", "an extra file of workloads"},
    {"format", 'f', "FMT", "output format: text or json"},
    {NULL, 0, NULL, NULL},
};

static int
run(struct gp_ctx *ctx, struct gp_args *args)
{
    struct gp_catalog *cat;
    struct gp_inventory *inv = NULL;
    const char *extra = gp_args_get(args, "workloads");
    const char **files;
    enum gp_format fmt;
    unsigned long long gpus = 0, nodes = 0, replicas = 0;
    size_t n = args->n_pos, i;
    int ok;

    if (gp_args_format(args, &fmt) < 0)
        return GP_EXIT_USAGE;
    if (n == 0 && !extra)
        return gp_usage_error("name at least one inventory file"),
               GP_EXIT_USAGE;
    files = args->pos;
    if (extra)
        files[n++] = extra;
    if (gp_ctx_catalog(ctx, &cat) < 0)
        return gp_ctx_flush_diags(ctx);
    ok = gp_inventory_load(&inv, ctx->a, files, n, cat, ctx->d) == 0;
    if (ok) {
        for (i = 0; i < inv->n_pools; i++) {
            nodes += inv->pools[i].nodes;
            gpus += (unsigned long long)inv->pools[i].nodes *
                    inv->pools[i].gpus_per_node;
        }
        for (i = 0; i < inv->n_loads; i++)
            replicas += inv->loads[i].replicas;
    }
    if (fmt == GP_FORMAT_JSON) {
        struct gp_json *root = gp_json_object(), *fa = gp_json_array();

        gp_json_set_bool(root, "valid", ok);
        for (i = 0; i < n; i++)
            gp_json_push_str(fa, files[i]);
        gp_json_set(root, "files", fa);
        if (ok) {
            gp_json_set_str(root, "name", inv->name);
            gp_json_set_int(root, "nodePools", (long long)inv->n_pools);
            gp_json_set_int(root, "nodes", (long long)nodes);
            gp_json_set_int(root, "gpus", (long long)gpus);
            gp_json_set_int(root, "workloads", (long long)inv->n_loads);
            gp_json_set_int(root, "replicas", (long long)replicas);
        }
        gp_json_set(root, "diagnostics", gp_ctx_diags_json(ctx));
        gp_ctx_print_json(ctx, root);
    } else if (ok) {
        fprintf(ctx->out, "%s: valid\n", inv->name);
        fprintf(ctx->out, "  node pools: %zu (%llu nodes, %llu GPUs)\n",
                inv->n_pools, nodes, gpus);
        for (i = 0; i < inv->n_pools; i++) {
            const struct gp_node_pool *p = &inv->pools[i];

            fprintf(ctx->out, "    %-20s %4u x %2u x %-18s sharing: %s\n",
                    p->name, p->nodes, p->gpus_per_node, p->gpu->id,
                    p->has_sharing ? gp_share_mode_name(p->sharing.mode)
                                   : "not given");
        }
        fprintf(ctx->out, "  workloads:  %zu (%llu replicas)\n", inv->n_loads,
                replicas);
    }
    return gp_ctx_flush_diags(ctx);
}

const struct gp_cmd gp_cmd_validate = {
    "validate",
    "Check inventory and workload files; report every error with its "
    "position.",
    "validate FILE... [--workloads FILE] [--format json]",
    "Node pools and workloads may be split across files. Errors print as\n"
    "file:line:col: error: message, with the line and a caret. Exit 0 when\n"
    "valid (warnings allowed), 2 on any error.\n",
    opts,
    run,
};
