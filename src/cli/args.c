/* SPDX-License-Identifier: MIT */
/* cli/args.c: option parsing from each command's option table; help text is
 * generated from the same table, so the two cannot drift apart. */
#include "cli/cli.h"

#include <stdarg.h>
#include <string.h>

#include "base/arena.h"
#include "base/str.h"
#include "base/units.h"
#include "plan/plan.h"

static const struct gp_opt common_opts[] = {
    {"help", 'h', NULL, "show this help and exit"},
    {"models", 0, "DIR", "also load GPU model files from DIR"},
};

int
gp_usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("gpuplan: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

static void
print_opt(FILE *out, const struct gp_opt *o)
{
    char left[64];

    if (o->short_name)
        snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
                 o->metavar ? " " : "", o->metavar ? o->metavar : "");
    else
        snprintf(left, sizeof(left), "    --%s%s%s", o->name,
                 o->metavar ? " " : "", o->metavar ? o->metavar : "");
    fprintf(out, "  %-26s %s\n", left, o->help);
}

void
gp_cmd_help(const struct gp_cmd *cmd, FILE *out)
{
    size_t i;

    fprintf(out, "usage: gpuplan %s\n\n%s\n", cmd->usage, cmd->summary);
    if (cmd->description)
        fprintf(out, "\n%s", cmd->description);
    fputs("\noptions:\n", out);
    for (i = 0; cmd->opts && cmd->opts[i].name; i++)
        print_opt(out, &cmd->opts[i]);
    for (i = 0; i < sizeof(common_opts) / sizeof(common_opts[0]); i++)
        print_opt(out, &common_opts[i]);
    fputs("\nexit status: 0 ok, 1 findings, 2 usage or invalid input, 3 "
          "output not written, 70 internal error\n",
          out);
}

static int
find_opt(const struct gp_args *a, const char *name, size_t len, char short_name)
{
    size_t i;

    for (i = 0; i < a->n_opts; i++) {
        const struct gp_opt *o = &a->opts[i];

        if (short_name ? o->short_name == short_name
                       : strlen(o->name) == len &&
                             strncmp(o->name, name, len) == 0)
            return (int)i;
    }
    return -1;
}

int
gp_args_parse(struct gp_args *out, const struct gp_cmd *cmd, int argc,
              char **argv, struct gp_ctx *ctx)
{
    static struct gp_opt merged[GP_MAX_OPTS];
    size_t n = 0, i;
    int k;
    bool only_pos = false;

    memset(out, 0, sizeof(*out));
    for (i = 0; cmd->opts && cmd->opts[i].name && n < GP_MAX_OPTS - 2; i++)
        merged[n++] = cmd->opts[i];
    for (i = 0; i < sizeof(common_opts) / sizeof(common_opts[0]); i++)
        merged[n++] = common_opts[i];
    out->opts = merged;
    out->n_opts = n;
    out->pos = gp_arena_calloc(ctx->a, (size_t)argc + 1, sizeof(char *));
    for (k = 0; k < argc; k++) {
        const char *arg = argv[k];
        const char *eq, *name;
        size_t len;
        int idx;

        if (only_pos || arg[0] != '-' || strcmp(arg, "-") == 0) {
            out->pos[out->n_pos++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_pos = true;
            continue;
        }
        if (arg[1] == '-') {
            name = arg + 2;
            eq = strchr(name, '=');
            len = eq ? (size_t)(eq - name) : strlen(name);
            idx = find_opt(out, name, len, 0);
        } else {
            name = arg + 1;
            eq = name[1] ? name + 1 : NULL; /* -oDIR */
            len = 1;
            idx = find_opt(out, name, 1, name[0]);
            if (eq && idx >= 0 && !merged[idx].metavar)
                idx = -1;
        }
        if (idx < 0) {
            const char *names[GP_MAX_OPTS];
            const char *sugg;
            char word[128];

            for (i = 0; i < n; i++)
                names[i] = merged[i].name;
            snprintf(word, sizeof(word), "%.*s", (int)(len < 100 ? len : 100),
                     name);
            sugg = gp_did_you_mean(word, names, n);
            gp_usage_error("unknown option '%s' for 'gpuplan %s'%s%s%s", arg,
                           cmd->name, sugg ? "; did you mean '--" : "",
                           sugg ? sugg : "", sugg ? "'?" : "");
            fprintf(stderr, "usage: gpuplan %s\n", cmd->usage);
            return -1;
        }
        if (strcmp(merged[idx].name, "help") == 0) {
            gp_cmd_help(cmd, stdout);
            return 1;
        }
        if (merged[idx].metavar) {
            const char *val;

            if (eq)
                val = arg[1] == '-' ? eq + 1 : eq;
            else if (k + 1 < argc)
                val = argv[++k];
            else
                return gp_usage_error("option '--%s' needs a value (%s)",
                                      merged[idx].name, merged[idx].metavar);
            out->val[idx] = val;
        } else if (eq) {
            return gp_usage_error("option '--%s' takes no value",
                                  merged[idx].name);
        }
        out->seen[idx]++;
    }
    if (gp_args_get(out, "models"))
        ctx->models_dir = gp_args_get(out, "models");
    return 0;
}

const char *
gp_args_get(const struct gp_args *a, const char *name)
{
    size_t i;

    for (i = 0; i < a->n_opts; i++) {
        if (strcmp(a->opts[i].name, name) == 0)
            return a->val[i];
    }
    return NULL;
}

bool
gp_args_flag(const struct gp_args *a, const char *name)
{
    size_t i;

    for (i = 0; i < a->n_opts; i++) {
        if (strcmp(a->opts[i].name, name) == 0)
            return a->seen[i] > 0;
    }
    return false;
}

int
gp_args_format(const struct gp_args *a, enum gp_format *out)
{
    const char *f = gp_args_get(a, "format");

    *out = GP_FORMAT_TEXT;
    if (!f || strcmp(f, "text") == 0)
        return 0;
    if (strcmp(f, "json") == 0) {
        *out = GP_FORMAT_JSON;
        return 0;
    }
    return gp_usage_error("unknown format '%s' (expected 'text' or 'json')",
                          f);
}

int
gp_args_plan_opts(const struct gp_args *a, struct gp_plan_opts *po)
{
    const char *v, *why;

    memset(po, 0, sizeof(*po));
    po->seed = 1;
    po->engine_budget = GP_PLAN_ENGINE_BUDGET;
    po->engine_only = gp_args_flag(a, "engine");
    if ((v = gp_args_get(a, "seed")) &&
        gp_parse_uint(v, UINT32_MAX, &po->seed, &why) < 0)
        return gp_usage_error("--seed: %s", why), -1;
    if ((v = gp_args_get(a, "engine-budget")) &&
        gp_parse_uint(v, UINT64_MAX / 2, &po->engine_budget, &why) < 0)
        return gp_usage_error("--engine-budget: %s", why), -1;
    return 0;
}
