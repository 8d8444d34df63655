/* SPDX-License-Identifier: MIT */
/* cli/cli.c: command dispatch, shared context, exit status. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/str.h"
#include "json/json.h"
#include "mig/geometry.h"
#include "model/gpu.h"

struct route {
    const char *group; /* NULL for top-level commands */
    const char *word;
    const struct gp_cmd *cmd;
};

static const struct route routes[] = {
    {NULL, "validate", &gp_cmd_validate},
    {NULL, "check", &gp_cmd_check},
    {NULL, "simulate", &gp_cmd_simulate},
    {NULL, "recommend", &gp_cmd_recommend},
    {NULL, "report", &gp_cmd_report},
    {NULL, "generate", &gp_cmd_generate},
    {"models", "show", &gp_cmd_models_show},
    {"models", "list", &gp_cmd_models},
    {NULL, "models", &gp_cmd_models},
    {"mig", "layouts", &gp_cmd_mig_layouts},
    {"mig", "validate", &gp_cmd_mig_validate},
    {"import", "kubectl", &gp_cmd_import_kubectl},
    {"import", "dcgm", &gp_cmd_import_dcgm},
    {"import", "nvidia-smi", &gp_cmd_import_nvidia_smi},
};

static void
main_help(FILE *out)
{
    fputs("usage: gpuplan [--version] [--help] <command> [<args>]\n"
          "\n"
          "Plan how Kubernetes workloads share NVIDIA GPUs: time-slicing, MPS "
          "and MIG.\n"
          "\n"
          "commands:\n"
          "  validate FILE...          check inventory and workload files\n"
          "  recommend INVENTORY...    plan GPU sharing and emit the configs\n"
          "  check FILE...             lint GPU-sharing configs before they "
          "reach a cluster\n"
          "  report INVENTORY... -o DIR\n"
          "                            write the plan as an HTML, Markdown and "
          "JSON report\n"
          "  simulate SCENARIO         simulate workloads sharing GPUs\n"
          "  generate [--nodes N]      write a seeded synthetic inventory\n"
          "  models [list]             list the GPU catalogue\n"
          "  models show NAME          show one GPU model and its MIG "
          "profiles\n"
          "  mig layouts --gpu NAME    list the valid MIG layouts of a GPU\n"
          "  mig validate --gpu NAME P,P,...\n"
          "                            check that MIG profiles fit one GPU\n"
          "  import kubectl NODES.json [PODS.json] [--dcgm FILE]\n"
          "                            build an inventory from kubectl "
          "exports\n"
          "  import dcgm METRICS...    summarise dcgm-exporter scrapes\n"
          "  import nvidia-smi LGIP LGIPP [QUERY]\n"
          "                            write a model file for a new GPU\n"
          "  version                   print the version\n"
          "\n"
          "global options:\n"
          "  --models DIR              also load GPU model files from DIR\n"
          "\n"
          "'gpuplan <command> --help' describes a command.\n"
          "\n"
          "exit status: 0 ok, 1 findings (e.g. a layout that does not fit), "
          "2 usage or\ninvalid input, 3 output not written, 70 internal "
          "error\n",
          out);
}

int
gp_ctx_catalog(struct gp_ctx *ctx, struct gp_catalog **out)
{
    size_t i;
    int rc = 0;

    if (ctx->cat) {
        *out = ctx->cat;
        return 0;
    }
    if (gp_catalog_load(&ctx->cat, ctx->a, ctx->models_dir, ctx->d) < 0)
        return -1;
    /* A user's model must not make layout enumeration explode. */
    for (i = 0; i < ctx->cat->n; i++) {
        if (!ctx->cat->v[i]->builtin &&
            gp_mig_spec_check(ctx->cat->v[i], ctx->d) < 0)
            rc = -1;
    }
    if (rc < 0) {
        ctx->cat = NULL;
        return -1;
    }
    *out = ctx->cat;
    return 0;
}

int
gp_ctx_flush_diags(struct gp_ctx *ctx)
{
    fflush(ctx->out);
    gp_diags_print(ctx->d, stderr);
    return gp_diags_errors(ctx->d) ? GP_EXIT_USAGE : GP_EXIT_OK;
}

void
gp_ctx_print(struct gp_ctx *ctx, const char *s)
{
    fputs(s, ctx->out);
}

void
gp_ctx_print_json(struct gp_ctx *ctx, struct gp_json *doc)
{
    char *s = gp_json_render(doc, NULL);

    fputs(s, ctx->out);
    free(s);
    gp_json_free(doc);
}

struct gp_json *
gp_ctx_diags_json(struct gp_ctx *ctx)
{
    static const char *const sev[] = {"error", "warning", "note"};
    struct gp_json *arr = gp_json_array();
    const struct gp_diag *v;
    size_t n, i;

    v = gp_diags_sorted(ctx->d, &n);
    for (i = 0; i < n; i++) {
        struct gp_json *o = gp_json_object();

        if (v[i].rule)
            gp_json_set_str(o, "rule", v[i].rule);
        gp_json_set_str(o, "severity", sev[v[i].sev]);
        gp_json_set_str(o, "file", v[i].loc.file);
        gp_json_set_int(o, "line", v[i].loc.line);
        gp_json_set_int(o, "column", v[i].loc.col);
        gp_json_set_str(o, "message", v[i].msg);
        gp_json_set_str(o, "hint", v[i].hint);
        gp_json_push(arr, o);
    }
    return arr;
}

static int
run_cmd(struct gp_ctx *ctx, const struct gp_cmd *cmd, int argc, char **argv)
{
    struct gp_args args;
    int r = gp_args_parse(&args, cmd, argc, argv, ctx);

    if (r > 0)
        return GP_EXIT_OK;
    if (r < 0)
        return GP_EXIT_USAGE;
    return cmd->run(ctx, &args);
}

static int
dispatch(struct gp_ctx *ctx, int argc, char **argv)
{
    const char *words[] = {"validate", "simulate", "recommend", "report",
                           "models",   "mig",      "generate",  "check",
                           "import",   "version",
                           "help"};
    const char *cmd, *sugg;
    size_t i;

    /* Global options may come before the command, as with kubectl. */
    while (argc > 0 && strncmp(argv[0], "--models", 8) == 0 &&
           (argv[0][8] == '\0' || argv[0][8] == '=')) {
        if (argv[0][8] == '=') {
            ctx->models_dir = argv[0] + 9;
            argc--;
            argv++;
        } else if (argc > 1) {
            ctx->models_dir = argv[1];
            argc -= 2;
            argv += 2;
        } else {
            gp_usage_error("option '--models' needs a value (DIR)");
            return GP_EXIT_USAGE;
        }
    }
    if (argc == 0) {
        main_help(stderr);
        return GP_EXIT_USAGE;
    }
    cmd = argv[0];

    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("gpuplan %s\n", GPUPLAN_VERSION);
        return GP_EXIT_OK;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        strcmp(cmd, "help") == 0) {
        main_help(stdout);
        return GP_EXIT_OK;
    }
    for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        const struct route *r = &routes[i];

        if (r->group) {
            if (strcmp(cmd, r->group) == 0 && argc > 1 &&
                strcmp(argv[1], r->word) == 0)
                return run_cmd(ctx, r->cmd, argc - 2, argv + 2);
        } else if (strcmp(cmd, r->word) == 0) {
            return run_cmd(ctx, r->cmd, argc - 1, argv + 1);
        }
    }
    if (strcmp(cmd, "mig") == 0) {
        if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
                         strcmp(argv[1], "-h") == 0)) {
            fputs("usage: gpuplan mig layouts --gpu NAME [--all] "
                  "[--format json]\n"
                  "       gpuplan mig validate --gpu NAME PROFILE[,PROFILE...]"
                  " [--format json]\n",
                  stdout);
            return GP_EXIT_OK;
        }
        gp_usage_error("'gpuplan mig' needs a subcommand: 'layouts' or "
                       "'validate'");
        return GP_EXIT_USAGE;
    }
    if (strcmp(cmd, "import") == 0) {
        const char *subs[] = {"kubectl", "dcgm", "nvidia-smi"};

        if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
                         strcmp(argv[1], "-h") == 0)) {
            fputs("usage: gpuplan import kubectl NODES.json [PODS.json] "
                  "[--dcgm FILE[,FILE...]] [-o FILE]\n"
                  "       gpuplan import dcgm METRICS... [--pods PODS.json] "
                  "[--format json]\n"
                  "       gpuplan import nvidia-smi LGIP.txt LGIPP.txt "
                  "[QUERY.txt] [-o FILE]\n",
                  stdout);
            return GP_EXIT_OK;
        }
        sugg = argc > 1 ? gp_did_you_mean(argv[1], subs, 3) : NULL;
        gp_usage_error("'gpuplan import' needs a source: 'kubectl', 'dcgm' "
                       "or 'nvidia-smi'%s%s%s",
                       sugg ? "; did you mean '" : "", sugg ? sugg : "",
                       sugg ? "'?" : "");
        return GP_EXIT_USAGE;
    }
    sugg = gp_did_you_mean(cmd, words, sizeof(words) / sizeof(words[0]));
    if (cmd[0] == '-')
        gp_usage_error("unknown option '%s'", cmd);
    else
        gp_usage_error("unknown command '%s'%s%s%s", cmd,
                       sugg ? "; did you mean '" : "", sugg ? sugg : "",
                       sugg ? "'?" : "");
    fputs("run 'gpuplan --help' for the list of commands\n", stderr);
    return GP_EXIT_USAGE;
}

int
gp_cli_main(int argc, char **argv)
{
    struct gp_ctx ctx;
    int rc;

    if (argc < 2) {
        main_help(stderr);
        return GP_EXIT_USAGE;
    }
    memset(&ctx, 0, sizeof(ctx));
    ctx.a = gp_arena_new();
    ctx.d = gp_diags_new(ctx.a);
    ctx.out = stdout;
    rc = dispatch(&ctx, argc - 1, argv + 1);
    gp_arena_free(ctx.a);
    /* A full disk or closed pipe must not look like success (jq's rule). */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "gpuplan: error: cannot write standard output\n");
        if (rc == GP_EXIT_OK || rc == GP_EXIT_FINDINGS)
            rc = GP_EXIT_OUTPUT;
    }
    return rc;
}
