/* SPDX-License-Identifier: MIT */
/* cli/cmd_import.c: 'gpuplan import kubectl|dcgm|nvidia-smi': inventories
 * and GPU model files from files a cluster's users already export. The
 * inputs are mapped, not copied (a pods export runs to hundreds of
 * megabytes), and stay mapped until the diagnostics that quote them have
 * been printed. */
#include "cli/cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/fs.h"
#include "base/str.h"
#include "base/strbuf.h"
#include "base/units.h"
#include "import/import.h"
#include "json/json.h"
#include "model/gpu.h"

#define MAX_INPUTS 64

struct inputs {
    struct gp_file_map m[MAX_INPUTS];
    struct gp_import_src s[MAX_INPUTS];
    size_t n;
};

/* Maps 'path' as the next input; returns its source, or NULL after an
 * error (recorded in the diagnostics). */
static const struct gp_import_src *
input(struct gp_ctx *ctx, struct inputs *in, const char *path, size_t max)
{
    struct gp_file_map *m = &in->m[in->n];
    struct gp_import_src *s = &in->s[in->n];

    if (in->n == MAX_INPUTS) {
        gp_usage_error("too many input files (at most %d)", MAX_INPUTS);
        return NULL;
    }
    if (gp_file_map(m, ctx->a, path, max, ctx->d) < 0)
        return NULL;
    s->file = m->file;
    s->text = m->text;
    s->len = m->len;
    in->n++;
    return s;
}

/* Prints the diagnostics while the inputs they quote are still mapped,
 * then unmaps them. Returns the exit status for the diagnostics. */
static int
finish(struct gp_ctx *ctx, struct inputs *in, int rc)
{
    int drc = gp_ctx_flush_diags(ctx);
    size_t i;

    for (i = 0; i < in->n; i++)
        gp_file_unmap(&in->m[i]);
    return rc != GP_EXIT_OK ? rc : drc;
}

/* Writes 'text' to -o FILE (atomically) or standard output. */
static int
write_out(struct gp_ctx *ctx, const char *path, const struct gp_strbuf *text)
{
    if (path && strcmp(path, "-") != 0) {
        if (gp_file_write_atomic(path, text->buf, text->len, ctx->d) < 0)
            return GP_EXIT_OUTPUT;
        return GP_EXIT_OK;
    }
    fwrite(text->buf, 1, text->len, ctx->out);
    return GP_EXIT_OK;
}

static int
uint_opt(const struct gp_args *args, const char *name, uint64_t min,
         uint64_t max, uint64_t *out)
{
    const char *v = gp_args_get(args, name), *why;
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

static bool
repeated(const struct gp_args *args, const char *name)
{
    size_t i;

    for (i = 0; i < args->n_opts; i++) {
        if (strcmp(args->opts[i].name, name) == 0 && args->seen[i] > 1) {
            gp_usage_error("--%s is given more than once", name);
            return true;
        }
    }
    return false;
}

/* ---- import kubectl ----------------------------------------------------- */

static const struct gp_opt kubectl_opts[] = {
    {"dcgm", 0, "FILE[,FILE...]",
     "dcgm-exporter scrapes to measure the workloads with"},
    {"output", 'o', "FILE", "write to FILE (atomically) instead of stdout"},
    {"name", 0, "NAME", "metadata.name of the inventory (default imported)"},
    {"headroom", 0, "PCT", "added to measured memory peaks, 0 to 100 "
                           "(default 10)"},
    {"skip-unusable", 0, NULL,
     "leave out GPU nodes that cannot be imported, with a warning"},
    {NULL, 0, NULL, NULL},
};

static int
run_kubectl(struct gp_ctx *ctx, struct gp_args *args)
{
    struct inputs *in = gp_arena_alloc(ctx->a, sizeof(*in));
    struct gp_import_opts o = {NULL, GP_IMPORT_DEFAULT_HEADROOM_PCT, false};
    struct gp_strbuf text = GP_STRBUF_INIT;
    struct gp_import_summary sum;
    const struct gp_import_src *nodes, *pods = NULL, *first_dcgm = NULL;
    const char *dcgm = gp_args_get(args, "dcgm"), *path;
    struct gp_catalog *cat;
    uint64_t h = o.headroom_pct;
    size_t n_dcgm = 0;
    int rc = GP_EXIT_OK, r;

    if (args->n_pos < 1 || args->n_pos > 2)
        return gp_usage_error("give the nodes file and, for workloads, the "
                              "pods file: 'gpuplan import kubectl "
                              "nodes.json [pods.json]'"),
               GP_EXIT_USAGE;
    if (repeated(args, "dcgm") || repeated(args, "output") ||
        uint_opt(args, "headroom", 0, 100, &h) < 0)
        return GP_EXIT_USAGE;
    o.headroom_pct = (uint32_t)h;
    o.skip_unusable = gp_args_flag(args, "skip-unusable");
    o.name = gp_args_get(args, "name");
    if (o.name) {
        const char *why;

        if (!gp_k8s_dns_label(o.name, &why))
            return gp_usage_error("--name '%s': %s", o.name, why),
                   GP_EXIT_USAGE;
    }
    if (gp_ctx_catalog(ctx, &cat) < 0)
        return gp_ctx_flush_diags(ctx);
    nodes = input(ctx, in, args->pos[0], GP_IMPORT_MAX_JSON_BYTES);
    if (args->n_pos > 1)
        pods = input(ctx, in, args->pos[1], GP_IMPORT_MAX_JSON_BYTES);
    while (dcgm && *dcgm) {
        const char *comma = strchr(dcgm, ',');
        const char *file = comma ? gp_arena_strndup(ctx->a, dcgm,
                                                    (size_t)(comma - dcgm))
                                 : dcgm;
        const struct gp_import_src *s =
            input(ctx, in, file, GP_IMPORT_MAX_METRICS_BYTES);

        if (s && !first_dcgm)
            first_dcgm = s;
        n_dcgm += s != NULL;
        dcgm = comma ? comma + 1 : NULL;
    }
    if (!nodes || (args->n_pos > 1 && !pods) || gp_diags_errors(ctx->d))
        return finish(ctx, in, GP_EXIT_USAGE);
    r = gp_import_kubectl(&text, ctx->a, nodes, pods, first_dcgm, n_dcgm, &o,
                          cat, &sum, ctx->d);
    if (r == -2)
        rc = GP_EXIT_INTERNAL;
    else if (r < 0)
        rc = GP_EXIT_USAGE;
    else {
        path = gp_args_get(args, "output");
        rc = write_out(ctx, path, &text);
        if (rc == GP_EXIT_OK && path && strcmp(path, "-") != 0)
            fprintf(ctx->out,
                    "wrote %s: %zu node pool%s (%zu nodes, %zu GPUs), %zu "
                    "workload%s (%zu replicas)\n",
                    path, sum.pools, sum.pools == 1 ? "" : "s", sum.nodes,
                    sum.gpus, sum.workloads, sum.workloads == 1 ? "" : "s",
                    sum.replicas);
    }
    gp_strbuf_release(&text);
    return finish(ctx, in, rc);
}

const struct gp_cmd gp_cmd_import_kubectl = {
    "import kubectl",
    "Build an inventory from 'kubectl get nodes/pods -o json' exports, and "
    "DCGM metrics.",
    "import kubectl NODES.json [PODS.json] [--dcgm FILE[,FILE...]] "
    "[-o FILE]",
    "NODES.json is 'kubectl get nodes -o json': GPU nodes become node pools,\n"
    "grouped by GPU model, count, memory, sharing, MIG layout, mig.config\n"
    "and instance type, from the GPU feature discovery labels and the\n"
    "device plugin's capacity. PODS.json is 'kubectl get pods -A -o json':\n"
    "pods asking for nvidia.com/gpu, nvidia.com/gpu.shared or\n"
    "nvidia.com/mig-* become workloads, one per owner (Deployment,\n"
    "StatefulSet, Job, CronJob, DaemonSet or the bare pod), with Pending,\n"
    "Running and Unknown pods as replicas. --dcgm adds what dcgm-exporter\n"
    "measured: peak framebuffer use as gpuMemory, utilisation as a duty\n"
    "cycle, SM and DRAM activity as smFraction and memoryBound. Comments in\n"
    "the output say where each value came from; 'FILL IN' marks what the\n"
    "exports cannot tell. The files are read, never a live cluster\n"
    "(docs/import.md). Exit 0 on success (warnings allowed), 2 on invalid\n"
    "input, 3 when FILE cannot be written.\n",
    kubectl_opts,
    run_kubectl,
};

/* ---- import dcgm -------------------------------------------------------- */

static const struct gp_opt dcgm_opts[] = {
    {"pods", 0, "FILE", "group pods by owner ('kubectl get pods -A -o json')"},
    {"format", 'f', "FMT", "output format: text or json"},
    {NULL, 0, NULL, NULL},
};

static void
cell(struct gp_strbuf *sb, const struct gp_dcgm_stat *s, bool peak, int w,
     int dec)
{
    if (!s->n)
        gp_strbuf_printf(sb, " %*s", w, "-");
    else
        gp_strbuf_printf(sb, " %*.*f", w, dec,
                         peak ? s->max : s->sum / (double)s->n);
}

static void
stat_json(struct gp_json *o, const char *key, const struct gp_dcgm_stat *s,
          int dec)
{
    struct gp_json *j;

    if (!s->n) {
        gp_json_set_null(o, key);
        return;
    }
    j = gp_json_object();
    gp_json_set_num(j, "peak", s->max, dec);
    gp_json_set_num(j, "mean", s->sum / (double)s->n, dec);
    gp_json_set_int(j, "samples", (long long)s->n);
    gp_json_set(o, key, j);
}

static int
run_dcgm(struct gp_ctx *ctx, struct gp_args *args)
{
    struct inputs *in = gp_arena_alloc(ctx->a, sizeof(*in));
    const struct gp_import_src *first = NULL, *pods = NULL;
    struct gp_dcgm_report *R;
    enum gp_format fmt;
    const char *pf = gp_args_get(args, "pods");
    size_t i;

    if (gp_args_format(args, &fmt) < 0)
        return GP_EXIT_USAGE;
    if (args->n_pos == 0)
        return gp_usage_error("give one or more files of dcgm-exporter "
                              "metrics"),
               GP_EXIT_USAGE;
    for (i = 0; i < args->n_pos; i++) {
        const struct gp_import_src *s =
            input(ctx, in, args->pos[i], GP_IMPORT_MAX_METRICS_BYTES);

        if (s && !first)
            first = s;
    }
    if (pf)
        pods = input(ctx, in, pf, GP_IMPORT_MAX_JSON_BYTES);
    if (gp_diags_errors(ctx->d) || in->n != args->n_pos + (pf ? 1 : 0))
        return finish(ctx, in, GP_EXIT_USAGE);
    if (gp_import_dcgm(&R, ctx->a, first, args->n_pos, pods, ctx->d) < 0)
        return finish(ctx, in, GP_EXIT_USAGE);
    if (fmt == GP_FORMAT_JSON) {
        struct gp_json *root = gp_json_object(), *rows = gp_json_array(),
                       *miss = gp_json_array();

        gp_json_set_int(root, "files", (long long)R->n_files);
        gp_json_set_int(root, "scrapes", R->scrapes);
        gp_json_set_int(root, "samples", (long long)R->samples);
        gp_json_set_int(root, "samplesWithoutPod",
                        (long long)R->unattributed);
        for (i = 0; i < R->n_missing; i++)
            gp_json_push_str(miss, R->missing[i]);
        gp_json_set(root, "missingSeries", miss);
        for (i = 0; i < R->n_rows; i++) {
            const struct gp_dcgm_row *r = &R->rows[i];
            struct gp_json *o = gp_json_object();

            gp_json_set_str(o, "namespace", r->ns);
            gp_json_set_str(o, "kind", r->kind);
            gp_json_set_str(o, "name", r->name);
            gp_json_set_int(o, "pods", r->pods);
            gp_json_set_int(o, "scrapes", r->scrapes);
            stat_json(o, "fbUsedMiB", &r->fb_mib, 0);
            stat_json(o, "gpuUtil", &r->util, 3);
            stat_json(o, "grEngineActive", &r->gr_active, 3);
            stat_json(o, "smActive", &r->sm_active, 3);
            stat_json(o, "smOccupancy", &r->sm_occupancy, 3);
            stat_json(o, "dramActive", &r->dram_active, 3);
            gp_json_set_bool(o, "sharedDevice", r->shared);
            gp_json_set_str(o, "migProfile", r->mig_profile);
            gp_json_push(rows, o);
        }
        gp_json_set(root, "rows", rows);
        gp_ctx_print_json(ctx, root);
    } else {
        struct gp_strbuf sb = GP_STRBUF_INIT;
        size_t wn = 9, wk = 4, ww = 4;

        gp_strbuf_printf(&sb,
                         "dcgm-exporter metrics: %zu file%s, %u scrape%s, "
                         "%llu samples (%llu without a pod)\n",
                         R->n_files, R->n_files == 1 ? "" : "s", R->scrapes,
                         R->scrapes == 1 ? "" : "s",
                         (unsigned long long)R->samples,
                         (unsigned long long)R->unattributed);
        if (R->n_missing) {
            gp_strbuf_puts(&sb, "missing series:");
            for (i = 0; i < R->n_missing; i++)
                gp_strbuf_printf(&sb, " %s", R->missing[i]);
            gp_strbuf_putc(&sb, '\n');
        }
        for (i = 0; i < R->n_rows; i++) {
            const struct gp_dcgm_row *r = &R->rows[i];

            wn = strlen(r->ns) > wn ? strlen(r->ns) : wn;
            wk = strlen(r->kind) > wk ? strlen(r->kind) : wk;
            ww = strlen(r->name) > ww ? strlen(r->name) : ww;
        }
        ww = ww > 60 ? 60 : ww;
        gp_strbuf_printf(&sb, "\n%-*s  %-*s  %-*s %4s %7s %8s %6s %6s %6s "
                              "%6s %6s %6s  %s\n",
                         (int)wn, "NAMESPACE", (int)wk, "KIND", (int)ww,
                         "NAME", "PODS", "SCRAPES", "FB-MiB", "UTIL",
                         "UTIL~", "GR~", "SM~", "OCC", "DRAM~", "NOTE");
        for (i = 0; i < R->n_rows; i++) {
            const struct gp_dcgm_row *r = &R->rows[i];

            gp_strbuf_printf(&sb, "%-*s  %-*s  %-*s %4u %7u", (int)wn, r->ns,
                             (int)wk, r->kind, (int)ww, r->name, r->pods,
                             r->scrapes);
            cell(&sb, &r->fb_mib, true, 8, 0);
            cell(&sb, &r->util, true, 6, 2);
            cell(&sb, &r->util, false, 6, 2);
            cell(&sb, &r->gr_active, false, 6, 2);
            cell(&sb, &r->sm_active, false, 6, 2);
            cell(&sb, &r->sm_occupancy, true, 6, 2);
            cell(&sb, &r->dram_active, false, 6, 2);
            if (r->shared || r->mig_profile)
                gp_strbuf_printf(&sb, "  %s%s%s%s",
                                 r->shared ? "shared device" : "",
                                 r->shared && r->mig_profile ? ", " : "",
                                 r->mig_profile ? "MIG " : "",
                                 r->mig_profile ? r->mig_profile : "");
            gp_strbuf_putc(&sb, '\n');
        }
        gp_strbuf_puts(&sb, "\nFB-MiB and UTIL are peaks; UTIL~, GR~, SM~ "
                            "and DRAM~ are means; OCC is the peak SM "
                            "occupancy.\n");
        gp_ctx_print(ctx, sb.buf);
        gp_strbuf_release(&sb);
    }
    return finish(ctx, in, GP_EXIT_OK);
}

const struct gp_cmd gp_cmd_import_dcgm = {
    "import dcgm",
    "Summarise dcgm-exporter scrapes per pod, or per workload with --pods.",
    "import dcgm METRICS... [--pods PODS.json] [--format json]",
    "METRICS are dcgm-exporter's /metrics text (Prometheus exposition\n"
    "format), one or more scrapes per file. Prints, per pod (or per owner\n"
    "with --pods), the peak framebuffer use, GPU utilisation, SM activity\n"
    "and occupancy and DRAM activity that 'import kubectl --dcgm' turns\n"
    "into workload profiles, and which series are missing: a check of a\n"
    "scrape before it is merged. Exit 0 on success, 2 on invalid input.\n",
    dcgm_opts,
    run_dcgm,
};

/* ---- import nvidia-smi -------------------------------------------------- */

static const struct gp_opt smi_opts[] = {
    {"output", 'o', "FILE", "write to FILE (atomically) instead of stdout"},
    {"id", 0, "ID", "model id (default: from the product name)"},
    {"sm-count", 0, "N", "SMs of the whole GPU (nvidia-smi does not print "
                         "it)"},
    {"bandwidth", 0, "GBPS", "memory bandwidth in GB/s, from the datasheet"},
    {"compute-capability", 0, "X.Y", "CUDA compute capability"},
    {NULL, 0, NULL, NULL},
};

static int
run_smi(struct gp_ctx *ctx, struct gp_args *args)
{
    struct inputs *in = gp_arena_alloc(ctx->a, sizeof(*in));
    struct gp_smi_opts o = {NULL, 0, 0, NULL};
    struct gp_strbuf text = GP_STRBUF_INIT;
    const struct gp_import_src *lgip, *lgipp, *q = NULL;
    const char *bw = gp_args_get(args, "bandwidth"), *why;
    struct gp_catalog *cat;
    uint64_t sm = 0;
    int rc;

    if (args->n_pos < 2 || args->n_pos > 3)
        return gp_usage_error("give the outputs of 'nvidia-smi mig -lgip' "
                              "and 'nvidia-smi mig -lgipp', and optionally "
                              "'nvidia-smi -q'"),
               GP_EXIT_USAGE;
    if (uint_opt(args, "sm-count", 1, 4096, &sm) < 0)
        return GP_EXIT_USAGE;
    o.sm_count = (uint32_t)sm;
    if (bw && (gp_parse_double(bw, &o.bandwidth_gbps, &why) < 0 ||
               !(o.bandwidth_gbps >= 1 && o.bandwidth_gbps <= 100000)))
        return gp_usage_error("--bandwidth: a number of GB/s from 1 to "
                              "100000, got '%s'",
                              bw),
               GP_EXIT_USAGE;
    o.id = gp_args_get(args, "id");
    o.compute_capability = gp_args_get(args, "compute-capability");
    if (o.compute_capability) {
        double cc;

        if (gp_parse_double(o.compute_capability, &cc, &why) < 0 ||
            !strchr(o.compute_capability, '.') || cc < 1 || cc > 99)
            return gp_usage_error("--compute-capability: expected X.Y such "
                                  "as 9.0, got '%s'",
                                  o.compute_capability),
                   GP_EXIT_USAGE;
    }
    if (gp_ctx_catalog(ctx, &cat) < 0)
        return gp_ctx_flush_diags(ctx);
    lgip = input(ctx, in, args->pos[0], GP_IMPORT_MAX_SMI_BYTES);
    lgipp = input(ctx, in, args->pos[1], GP_IMPORT_MAX_SMI_BYTES);
    if (args->n_pos > 2)
        q = input(ctx, in, args->pos[2], GP_IMPORT_MAX_SMI_BYTES);
    if (!lgip || !lgipp || (args->n_pos > 2 && !q))
        return finish(ctx, in, GP_EXIT_USAGE);
    if (gp_import_nvidia_smi(&text, ctx->a, lgip, lgipp, q, &o, cat, ctx->d) <
        0)
        rc = GP_EXIT_USAGE;
    else
        rc = write_out(ctx, gp_args_get(args, "output"), &text);
    gp_strbuf_release(&text);
    return finish(ctx, in, rc);
}

const struct gp_cmd gp_cmd_import_nvidia_smi = {
    "import nvidia-smi",
    "Write a GPU model file from 'nvidia-smi mig -lgip/-lgipp' and "
    "'nvidia-smi -q'.",
    "import nvidia-smi LGIP.txt LGIPP.txt [QUERY.txt] [--id ID] "
    "[--sm-count N] [--bandwidth GBPS] [-o FILE]",
    "For a GPU the catalogue does not know yet: the MIG profiles (memory,\n"
    "SMs, engines, instance counts) come from 'nvidia-smi mig -lgip', their\n"
    "placements from 'nvidia-smi mig -lgipp', the name, architecture, PCI\n"
    "id and memory from 'nvidia-smi -q'. nvidia-smi does not print the SM\n"
    "count of the whole GPU nor its memory bandwidth: give them, or the file\n"
    "carries placeholders marked 'FILL IN'. Put the file in a directory and\n"
    "pass 'gpuplan --models DIR ...' (docs/models.md). Exit 0 on success, 2\n"
    "on invalid input, 3 when FILE cannot be written.\n",
    smi_opts,
    run_smi,
};
