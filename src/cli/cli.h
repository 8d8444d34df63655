/* SPDX-License-Identifier: MIT */
/* cli/cli.h: the command-line front end. The only code that prints to the
 * terminal or decides exit codes. */
#ifndef GPUPLAN_CLI_CLI_H
#define GPUPLAN_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct gp_arena;
struct gp_diags;
struct gp_catalog;

/* Exit codes, documented in README.md and in 'gpuplan --help'. */
enum gp_exit {
    GP_EXIT_OK = 0,        /* success */
    GP_EXIT_FINDINGS = 1,  /* ran, and found problems (invalid layout...) */
    GP_EXIT_USAGE = 2,     /* bad usage or invalid input */
    GP_EXIT_OUTPUT = 3,    /* an output could not be written */
    GP_EXIT_INTERNAL = 70, /* a bug or out of memory */
};

#define GP_MAX_OPTS 24

struct gp_opt {
    const char *name;    /* long name without "--" */
    char short_name;     /* 0 when none */
    const char *metavar; /* NULL for a flag */
    const char *help;
};

struct gp_args {
    const struct gp_opt *opts;
    size_t n_opts;
    const char *val[GP_MAX_OPTS];
    int seen[GP_MAX_OPTS];
    const char **pos;
    size_t n_pos;
};

struct gp_ctx {
    struct gp_arena *a;
    struct gp_diags *d;
    const char *models_dir;
    struct gp_catalog *cat;
    FILE *out;
};

enum gp_format { GP_FORMAT_TEXT, GP_FORMAT_JSON };

struct gp_cmd {
    const char *name;
    const char *summary;
    const char *usage;       /* after "gpuplan " */
    const char *description; /* paragraphs for --help */
    const struct gp_opt *opts; /* terminated by a NULL name */
    int (*run)(struct gp_ctx *ctx, struct gp_args *args);
};

/* Parses argv (after the command words) against cmd->opts plus --help and
 * --models. Returns 0, 1 when --help was printed, or -1 after printing a
 * usage error. */
int gp_args_parse(struct gp_args *out, const struct gp_cmd *cmd, int argc,
                  char **argv, struct gp_ctx *ctx);
const char *gp_args_get(const struct gp_args *a, const char *name);
bool gp_args_flag(const struct gp_args *a, const char *name);
/* Reads --format; returns -1 after a usage error. */
int gp_args_format(const struct gp_args *a, enum gp_format *out);

/* The planner's options, the same for every command that plans. */
#define GP_OPTS_PLAN                                                        \
    {"engine", 0, NULL, "check every co-location with the event engine"},  \
    {"seed", 0, "N", "seed of the event engine (default 1)"},             \
    {"engine-budget", 0, "N",                                              \
     "events the engine may simulate where the estimate is past its "     \
     "trusted load (default 25000000; 0: refuse such co-locations)"}
struct gp_plan_opts;
/* Reads GP_OPTS_PLAN into po (defaults first); returns -1 after a usage
 * error. */
int gp_args_plan_opts(const struct gp_args *a, struct gp_plan_opts *po);
void gp_cmd_help(const struct gp_cmd *cmd, FILE *out);
int gp_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Loads the catalogue once (built-in plus --models). */
int gp_ctx_catalog(struct gp_ctx *ctx, struct gp_catalog **out);
/* Prints the recorded diagnostics to stderr; returns GP_EXIT_USAGE when
 * there were errors, else GP_EXIT_OK. */
int gp_ctx_flush_diags(struct gp_ctx *ctx);
/* Writes text to ctx->out. */
void gp_ctx_print(struct gp_ctx *ctx, const char *s);
struct gp_json;
/* Renders a JSON document to ctx->out and frees it. */
void gp_ctx_print_json(struct gp_ctx *ctx, struct gp_json *doc);
/* The recorded diagnostics, sorted, as a JSON array of {rule (when set),
 * severity, file, line, column, message, hint}. */
struct gp_json *gp_ctx_diags_json(struct gp_ctx *ctx);

extern const struct gp_cmd gp_cmd_models, gp_cmd_models_show,
    gp_cmd_mig_layouts, gp_cmd_mig_validate, gp_cmd_validate,
    gp_cmd_simulate, gp_cmd_recommend, gp_cmd_report, gp_cmd_generate,
    gp_cmd_check;
extern const struct gp_cmd gp_cmd_import_kubectl, gp_cmd_import_dcgm,
    gp_cmd_import_nvidia_smi;

int gp_cli_main(int argc, char **argv);

#endif
