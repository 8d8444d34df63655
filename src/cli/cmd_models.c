/* SPDX-License-Identifier: MIT */
/* cli/cmd_models.c: 'gpuplan models' and 'gpuplan models show NAME'. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/strbuf.h"
#include "json/json.h"
#include "model/gpu.h"

static const struct gp_opt list_opts[] = {
    {"format", 'f', "FMT", "output format: text or json"},
    {NULL, 0, NULL, NULL},
};

static struct gp_json *
strlist_json(const struct gp_strlist *l)
{
    struct gp_json *a = gp_json_array();
    size_t i;

    for (i = 0; i < l->n; i++)
        gp_json_push_str(a, l->v[i]);
    return a;
}

static struct gp_json *
engines_json(const struct gp_engines *e)
{
    struct gp_json *o = gp_json_object();

    gp_json_set_int(o, "ce", e->ce);
    gp_json_set_int(o, "dec", e->dec);
    gp_json_set_int(o, "enc", e->enc);
    gp_json_set_int(o, "jpeg", e->jpeg);
    gp_json_set_int(o, "ofa", e->ofa);
    return o;
}

static struct gp_json *
model_json(const struct gp_gpu_model *m, bool full)
{
    struct gp_json *o = gp_json_object(), *names, *mig, *profs, *src;
    size_t i;
    uint32_t k;

    gp_json_set_str(o, "id", m->id);
    gp_json_set_str(o, "displayName", m->display_name);
    gp_json_set_str(o, "architecture", m->architecture);
    gp_json_set_str(o, "computeCapability", m->compute_capability);
    gp_json_set_int(o, "memoryMiB", (long long)m->memory_mib);
    gp_json_set_int(o, "smCount", m->sm_count);
    gp_json_set_num(o, "memoryBandwidthGBps", m->memory_bandwidth_gbps, 1);
    gp_json_set_bool(o, "migCapable", m->mig != NULL);
    gp_json_set_str(o, "file", m->file);
    gp_json_set_bool(o, "builtin", m->builtin);
    names = gp_json_object();
    gp_json_set(names, "nvidiaSmi", strlist_json(&m->nvidia_smi));
    gp_json_set(names, "gfdProduct", strlist_json(&m->gfd_product));
    gp_json_set(names, "pciDeviceIds", strlist_json(&m->pci_ids));
    gp_json_set(names, "aliases", strlist_json(&m->aliases));
    gp_json_set(o, "names", names);
    if (!full)
        return o;
    src = gp_json_object();
    for (i = 0; i < m->n_sources; i++)
        gp_json_set_str(src, m->sources[i].id, m->sources[i].cite);
    gp_json_set(o, "sources", src);
    if (!m->mig) {
        gp_json_set_null(o, "mig");
        return o;
    }
    mig = gp_json_object();
    gp_json_set_int(mig, "memorySlices", m->mig->memory_slices);
    gp_json_set_int(mig, "computeSlices", m->mig->compute_slices);
    gp_json_set_int(mig, "maxInstances", m->mig->max_instances);
    gp_json_set_int(mig, "smCount", m->mig->sm_count);
    gp_json_set(mig, "engineBudget", engines_json(&m->mig->budget));
    gp_json_set_str(mig, "driverObserved", m->mig->driver_observed);
    gp_json_set_str(mig, "placementsConfidence",
                    gp_confidence_name(m->mig->placements_confidence));
    profs = gp_json_array();
    for (i = 0; i < m->mig->n_profiles; i++) {
        const struct gp_mig_profile *p = &m->mig->profiles[i];
        struct gp_json *po = gp_json_object(), *st = gp_json_array();

        gp_json_set_int(po, "id", p->id);
        gp_json_set_str(po, "name", p->name);
        gp_json_set_int(po, "memoryMiB", (long long)p->memory_mib);
        gp_json_set_int(po, "memorySlices", p->memory_slices);
        gp_json_set_int(po, "computeSlices", p->compute_slices);
        gp_json_set_int(po, "smCount", p->sm_count);
        gp_json_set(po, "engines", engines_json(&p->engines));
        gp_json_set_int(po, "maxCount", p->max_count);
        for (k = 0; k < p->n_starts; k++)
            gp_json_push_int(st, p->starts[k]);
        gp_json_set(po, "placements", st);
        gp_json_set_str(po, "minDriver", p->min_driver);
        gp_json_set_str(po, "confidence", gp_confidence_name(p->confidence));
        gp_json_push(profs, po);
    }
    gp_json_set(mig, "profiles", profs);
    gp_json_set(o, "mig", mig);
    return o;
}

static int
run_list(struct gp_ctx *ctx, struct gp_args *args)
{
    struct gp_catalog *cat;
    enum gp_format fmt;
    size_t i;

    if (gp_args_format(args, &fmt) < 0)
        return GP_EXIT_USAGE;
    if (args->n_pos > 0)
        return gp_usage_error("unexpected argument '%s' (did you mean "
                              "'gpuplan models show %s'?)",
                              args->pos[0], args->pos[0]),
               GP_EXIT_USAGE;
    if (gp_ctx_catalog(ctx, &cat) < 0)
        return gp_ctx_flush_diags(ctx);
    if (fmt == GP_FORMAT_JSON) {
        struct gp_json *root = gp_json_object(), *arr = gp_json_array();

        for (i = 0; i < cat->n; i++)
            gp_json_push(arr, model_json(cat->v[i], false));
        gp_json_set(root, "models", arr);
        gp_ctx_print_json(ctx, root);
        return GP_EXIT_OK;
    }
    fprintf(ctx->out, "%-24s %8s %5s %8s %4s  %s\n", "ID", "MEMORY", "SMS",
            "BW_GB/S", "MIG", "PRODUCT LABEL");
    for (i = 0; i < cat->n; i++) {
        const struct gp_gpu_model *m = cat->v[i];

        fprintf(ctx->out, "%-24s %6lluMi %5u %8.0f %4s  %s\n", m->id,
                (unsigned long long)m->memory_mib, m->sm_count,
                m->memory_bandwidth_gbps,
                m->mig ? "yes" : "no",
                m->gfd_product.n ? m->gfd_product.v[0] : "-");
    }
    return GP_EXIT_OK;
}

static void
print_model_text(FILE *out, const struct gp_gpu_model *m)
{
    size_t i;
    uint32_t k;

    fprintf(out, "%s (%s)\n", m->id, m->display_name);
    fprintf(out, "  file:             %s%s\n", m->file,
            m->builtin ? " (built in)" : "");
    fprintf(out, "  architecture:     %s, compute capability %s\n",
            m->architecture ? m->architecture : "-",
            m->compute_capability ? m->compute_capability : "-");
    fprintf(out, "  memory:           %llu MiB\n",
            (unsigned long long)m->memory_mib);
    fprintf(out, "  SMs:              %u\n", m->sm_count);
    fprintf(out, "  bandwidth:        %.0f GB/s\n", m->memory_bandwidth_gbps);
    for (i = 0; i < m->nvidia_smi.n; i++)
        fprintf(out, "  nvidia-smi name:  %s\n", m->nvidia_smi.v[i]);
    for (i = 0; i < m->gfd_product.n; i++)
        fprintf(out, "  product label:    %s\n", m->gfd_product.v[i]);
    for (i = 0; i < m->pci_ids.n; i++)
        fprintf(out, "  PCI device id:    %s\n", m->pci_ids.v[i]);
    for (i = 0; i < m->aliases.n; i++)
        fprintf(out, "  alias:            %s\n", m->aliases.v[i]);
    if (!m->mig) {
        fputs("  MIG:              not supported\n", out);
    } else {
        const struct gp_mig_spec *g = m->mig;

        fprintf(out,
                "  MIG:              %u memory slices, %u compute slices, up "
                "to %u instances (%u SMs)\n",
                g->memory_slices, g->compute_slices, g->max_instances,
                g->sm_count);
        fprintf(out, "  engine budget:    dec %u, enc %u, jpeg %u, ofa %u\n",
                g->budget.dec, g->budget.enc, g->budget.jpeg, g->budget.ofa);
        fprintf(out, "  placements:       %s%s%s\n",
                gp_confidence_name(g->placements_confidence),
                g->driver_observed ? "; memory as of driver " : "",
                g->driver_observed ? g->driver_observed : "");
        fprintf(out, "\n  %-4s %-16s %9s %6s %4s %4s  %-3s %-3s %-3s %-4s "
                     "%-3s %4s  %s\n",
                "ID", "PROFILE", "MEMORY", "SLICES", "G", "SMS", "CE", "DEC",
                "ENC", "JPEG", "OFA", "MAX", "STARTS");
        for (i = 0; i < g->n_profiles; i++) {
            const struct gp_mig_profile *p = &g->profiles[i];
            struct gp_strbuf sb = GP_STRBUF_INIT;

            for (k = 0; k < p->n_starts; k++)
                gp_strbuf_printf(&sb, "%s%u", k ? "," : "", p->starts[k]);
            fprintf(out,
                    "  %-4u %-16s %6lluMi %6u %4u %4u  %-3u %-3u %-3u %-4u "
                    "%-3u %4u  %s%s%s%s\n",
                    p->id, p->name, (unsigned long long)p->memory_mib,
                    p->memory_slices, p->compute_slices, p->sm_count,
                    p->engines.ce, p->engines.dec, p->engines.enc,
                    p->engines.jpeg, p->engines.ofa, p->max_count, sb.buf,
                    p->confidence == GP_CONF_OBSERVED ? "" : "  (",
                    p->confidence == GP_CONF_OBSERVED
                        ? ""
                        : gp_confidence_name(p->confidence),
                    p->confidence == GP_CONF_OBSERVED ? "" : ")");
            gp_strbuf_release(&sb);
        }
    }
    fputs("\nsources:\n", out);
    for (i = 0; i < m->n_sources; i++)
        fprintf(out, "  [%s] %s\n", m->sources[i].id, m->sources[i].cite);
}

static int
run_show(struct gp_ctx *ctx, struct gp_args *args)
{
    struct gp_catalog *cat;
    const struct gp_gpu_model *m;
    enum gp_format fmt;

    if (gp_args_format(args, &fmt) < 0)
        return GP_EXIT_USAGE;
    if (args->n_pos != 1)
        return gp_usage_error("'gpuplan models show' needs exactly one model "
                              "name"),
               GP_EXIT_USAGE;
    if (gp_ctx_catalog(ctx, &cat) < 0)
        return gp_ctx_flush_diags(ctx);
    m = gp_catalog_find(cat, args->pos[0]);
    if (!m) {
        const char *s = gp_catalog_suggest(cat, args->pos[0]);

        gp_usage_error("unknown GPU model '%s'%s%s%s", args->pos[0],
                       s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
        return GP_EXIT_USAGE;
    }
    if (fmt == GP_FORMAT_JSON)
        gp_ctx_print_json(ctx, model_json(m, true));
    else
        print_model_text(ctx->out, m);
    return GP_EXIT_OK;
}

const struct gp_cmd gp_cmd_models = {
    "models",
    "List the GPU catalogue: every known model, built in or from --models.",
    "models [list] [--format json]",
    "Each model answers to its id, its aliases, its nvidia-smi names, its GPU\n"
    "feature discovery product label and its PCI device ids.\n",
    list_opts,
    run_list,
};

const struct gp_cmd gp_cmd_models_show = {
    "models show",
    "Show one GPU model: names, memory, SMs and its MIG profiles with their "
    "placements.",
    "models show NAME [--format json]",
    NULL,
    list_opts,
    run_show,
};
