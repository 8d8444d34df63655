/* SPDX-License-Identifier: MIT */
/* cli/cmd_mig.c: 'gpuplan mig layouts' and 'gpuplan mig validate'. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/strbuf.h"
#include "json/json.h"
#include "mig/geometry.h"
#include "model/gpu.h"

static const struct gp_opt layout_opts[] = {
    {"gpu", 'g', "NAME", "GPU model (any name it goes by)"},
    {"all", 'a', NULL, "every valid layout, not only the maximal ones"},
    {"variants", 0, NULL,
     "also count media/graphics variants (+me, +me.all, +gfx, -me)"},
    {"profiles", 'p', "LIST", "only these profiles (comma-separated)"},
    {"format", 'f', "FMT", "output format: text or json"},
    {NULL, 0, NULL, NULL},
};

static const struct gp_opt validate_opts[] = {
    {"gpu", 'g', "NAME", "GPU model (any name it goes by)"},
    {"format", 'f', "FMT", "output format: text or json"},
    {NULL, 0, NULL, NULL},
};

static int
find_gpu(struct gp_ctx *ctx, struct gp_args *args,
         const struct gp_gpu_model **out)
{
    const char *name = gp_args_get(args, "gpu");
    struct gp_catalog *cat;
    const struct gp_gpu_model *m;

    if (!name)
        return gp_usage_error("missing '--gpu NAME'"), GP_EXIT_USAGE;
    if (gp_ctx_catalog(ctx, &cat) < 0)
        return gp_ctx_flush_diags(ctx);
    m = gp_catalog_find(cat, name);
    if (!m) {
        const char *s = gp_catalog_suggest(cat, name);

        gp_usage_error("unknown GPU model '%s'%s%s%s", name,
                       s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
        return GP_EXIT_USAGE;
    }
    if (!m->mig) {
        gp_usage_error("GPU model '%s' does not support MIG", m->id);
        return GP_EXIT_USAGE;
    }
    *out = m;
    return GP_EXIT_OK;
}

/* The profiles named in 'lists'; unknown names are usage errors. */
static int
parse_profiles(struct gp_ctx *ctx, const struct gp_gpu_model *m,
               const char *const *lists, size_t n_lists,
               const struct gp_mig_profile **out, size_t *n, size_t cap)
{
    if (gp_mig_parse_list(out, n, cap, m, lists, n_lists, ctx->d) < 0)
        return gp_ctx_flush_diags(ctx);
    return GP_EXIT_OK;
}

struct collect {
    struct gp_arena *a;
    struct gp_mig_layout *v;
    size_t n, cap;
};

static void
collect_layout(const struct gp_mig_layout *l, void *ctx)
{
    struct collect *c = ctx;

    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;

        c->v = gp_arena_grow(c->a, c->v, c->n, cap, sizeof(*c->v));
        c->cap = cap;
    }
    c->v[c->n++] = *l;
}

static struct gp_json *
placements_json(const struct gp_mig_layout *l)
{
    struct gp_json *arr = gp_json_array();
    uint32_t i;

    for (i = 0; i < l->n; i++) {
        struct gp_json *p = gp_json_object();

        gp_json_set_str(p, "profile", l->inst[i].profile->name);
        gp_json_set_int(p, "start", l->inst[i].start);
        gp_json_set_int(p, "size", l->inst[i].profile->memory_slices);
        gp_json_push(arr, p);
    }
    return arr;
}

static struct gp_json *
profiles_json(const struct gp_mig_layout *l)
{
    struct gp_json *arr = gp_json_array();
    uint32_t i;

    for (i = 0; i < l->n; i++)
        gp_json_push_str(arr, l->inst[i].profile->name);
    return arr;
}

/* A row of the slice grid: "|3g.40gb    |3g.40gb    |". */
static void
slot_bar(struct gp_strbuf *sb, const struct gp_mig_spec *m,
         const struct gp_mig_layout *l)
{
    const unsigned w = m->memory_slices > 8 ? 3 : 4;
    uint32_t pos = 0, i = 0;

    while (pos < m->memory_slices) {
        if (i < l->n && l->inst[i].start == pos) {
            const struct gp_mig_profile *p = l->inst[i].profile;
            size_t width = p->memory_slices * w - 1;
            size_t len = strlen(p->name);

            gp_strbuf_putc(sb, '|');
            gp_strbuf_add(sb, p->name, len < width ? len : width);
            if (len < width)
                gp_strbuf_pad(sb, ' ', width - len);
            pos += p->memory_slices;
            i++;
        } else {
            gp_strbuf_putc(sb, '|');
            gp_strbuf_pad(sb, '.', w - 1);
            pos++;
        }
    }
    gp_strbuf_putc(sb, '|');
}

static int
run_layouts(struct gp_ctx *ctx, struct gp_args *args)
{
    const struct gp_mig_profile *profs[GP_MIG_MAX_PROFILES];
    const struct gp_gpu_model *m;
    struct collect c = {ctx->a, NULL, 0, 0};
    enum gp_format fmt;
    bool all = gp_args_flag(args, "all");
    const char *plist = gp_args_get(args, "profiles");
    size_t n, i;
    int rc;

    if (gp_args_format(args, &fmt) < 0)
        return GP_EXIT_USAGE;
    if (args->n_pos)
        return gp_usage_error("unexpected argument '%s'", args->pos[0]),
               GP_EXIT_USAGE;
    if ((rc = find_gpu(ctx, args, &m)) != GP_EXIT_OK)
        return rc;
    if (plist) {
        rc = parse_profiles(ctx, m, &plist, 1, profs, &n,
                            GP_MIG_MAX_PROFILES);
        if (rc != GP_EXIT_OK)
            return rc;
    } else {
        n = gp_mig_base_profiles(m->mig, profs, gp_args_flag(args, "variants"));
    }
    gp_mig_enumerate(m->mig, profs, n, !all, collect_layout, &c);
    if (fmt == GP_FORMAT_JSON) {
        struct gp_json *root = gp_json_object(), *arr = gp_json_array(),
                       *pa = gp_json_array();

        gp_json_set_str(root, "gpu", m->id);
        gp_json_set_bool(root, "maximalOnly", !all);
        for (i = 0; i < n; i++)
            gp_json_push_str(pa, profs[i]->name);
        gp_json_set(root, "profiles", pa);
        gp_json_set_int(root, "count", (long long)c.n);
        for (i = 0; i < c.n; i++) {
            struct gp_json *o = gp_json_object();

            gp_json_set(o, "profiles", profiles_json(&c.v[i]));
            gp_json_set(o, "placements", placements_json(&c.v[i]));
            gp_json_push(arr, o);
        }
        gp_json_set(root, "layouts", arr);
        gp_ctx_print_json(ctx, root);
        return GP_EXIT_OK;
    }
    fprintf(ctx->out, "%s: %zu %s layouts of ", m->id, c.n,
            all ? "valid" : "maximal");
    for (i = 0; i < n; i++)
        fprintf(ctx->out, "%s%s", i ? ", " : "", profs[i]->name);
    fputc('\n', ctx->out);
    for (i = 0; i < c.n; i++) {
        struct gp_strbuf bar = GP_STRBUF_INIT, txt = GP_STRBUF_INIT;

        slot_bar(&bar, m->mig, &c.v[i]);
        gp_mig_layout_format(&c.v[i], &txt);
        fprintf(ctx->out, "%4zu  %s  %s\n", i + 1, bar.buf, txt.buf);
        gp_strbuf_release(&bar);
        gp_strbuf_release(&txt);
    }
    return GP_EXIT_OK;
}

static int
run_validate(struct gp_ctx *ctx, struct gp_args *args)
{
    const struct gp_mig_profile *want[GP_MIG_MAX_SLICES];
    const struct gp_gpu_model *m;
    struct gp_strbuf why = GP_STRBUF_INIT;
    struct gp_mig_check chk;
    enum gp_format fmt;
    size_t n, i;
    int rc;

    if (gp_args_format(args, &fmt) < 0)
        return GP_EXIT_USAGE;
    if ((rc = find_gpu(ctx, args, &m)) != GP_EXIT_OK)
        return rc;
    if (args->n_pos == 0)
        return gp_usage_error("name the MIG profiles to check, e.g. "
                              "'3g.20gb,2g.10gb'"),
               GP_EXIT_USAGE;
    rc = parse_profiles(ctx, m, args->pos, args->n_pos,
                        want, &n, GP_MIG_MAX_SLICES);
    if (rc != GP_EXIT_OK)
        return rc;
    if (n == 0)
        return gp_usage_error("no MIG profile given"), GP_EXIT_USAGE;
    gp_mig_check(&chk, m->mig, want, n, &why);
    if (fmt == GP_FORMAT_JSON) {
        struct gp_json *root = gp_json_object();

        gp_json_set_str(root, "gpu", m->id);
        gp_json_set_bool(root, "valid", chk.verdict == GP_MIG_FITS);
        gp_json_set(root, "placements", placements_json(&chk.placed));
        gp_json_set_str(root, "reason",
                        chk.verdict == GP_MIG_FITS ? NULL : why.buf);
        gp_ctx_print_json(ctx, root);
    } else if (chk.verdict == GP_MIG_FITS) {
        struct gp_strbuf bar = GP_STRBUF_INIT;

        slot_bar(&bar, m->mig, &chk.placed);
        fprintf(ctx->out, "%s: valid\n  %s\n", m->id, bar.buf);
        for (i = 0; i < chk.placed.n; i++) {
            const struct gp_mig_instance *x = &chk.placed.inst[i];

            fprintf(ctx->out, "  %-14s start %u, slices %u-%u, %llu MiB, %u "
                              "SMs\n",
                    x->profile->name, x->start, x->start,
                    x->start + x->profile->memory_slices - 1,
                    (unsigned long long)x->profile->memory_mib,
                    x->profile->sm_count);
        }
        for (i = 0; i < chk.placed.n; i++) {
            const struct gp_mig_profile *p = chk.placed.inst[i].profile;

            if (p->min_driver &&
                (i == 0 || chk.placed.inst[i - 1].profile != p))
                fprintf(ctx->out, "  note: %s needs NVIDIA driver %s or "
                                  "newer\n",
                        p->name, p->min_driver);
        }
        gp_strbuf_release(&bar);
    } else {
        fprintf(ctx->out, "%s: not valid: %s\n", m->id, why.buf);
    }
    gp_strbuf_release(&why);
    return chk.verdict == GP_MIG_FITS ? GP_EXIT_OK : GP_EXIT_FINDINGS;
}

const struct gp_cmd gp_cmd_mig_layouts = {
    "mig layouts",
    "List the MIG layouts a GPU accepts, with explicit placements.",
    "mig layouts --gpu NAME [--all] [--variants] [--profiles LIST] "
    "[--format json]",
    "By default only maximal layouts (no further instance fits) of the base\n"
    "profiles (no +me/+gfx/-me variants) are listed. Placements follow\n"
    "NVIDIA's tables (nvidia-smi mig -lgipp): 'start' and 'size' are memory\n"
    "slices.\n",
    layout_opts,
    run_layouts,
};

const struct gp_cmd gp_cmd_mig_validate = {
    "mig validate",
    "Check that a set of MIG instances fits one GPU, and where each goes.",
    "mig validate --gpu NAME PROFILE[,PROFILE...] [--format json]",
    "Exit 0 with the placements when the instances fit, 1 with the reason\n"
    "when they do not, 2 when a profile does not exist on the GPU.\n",
    validate_opts,
    run_validate,
};
