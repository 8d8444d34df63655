/* SPDX-License-Identifier: MIT */
#include "sim/calib.h"

#include <math.h>
#include <string.h>

#include "base/arena.h"
#include "base/fs.h"
#include "model/builtin.h"
#include "model/gpu.h"
#include "yaml/ydoc.h"
#include "yaml/yget.h"

#define SCHEMA "gpuplan-calibration/1"
#define REFERENCE_FILE "models/calibration/h100-sxm5-80gb.yaml"

/* A dotted path into nested mappings, or NULL. */
static const struct gp_ynode *
at(const struct gp_ynode *n, const char *path)
{
    char key[64];

    while (n && *path) {
        const char *dot = strchr(path, '.');
        size_t k = dot ? (size_t)(dot - path) : strlen(path);

        if (k >= sizeof(key) || n->kind != GP_YMAP)
            return NULL;
        memcpy(key, path, k);
        key[k] = 0;
        n = gp_ymap_get(n, key);
        path += k + (dot != NULL);
    }
    return n;
}

struct reader {
    const struct gp_ynode *root;
    const char *file;
    struct gp_diags *d;
    int rc;
};

/* A measured value in microseconds, converted to seconds. 'need': a missing
 * key is an error rather than "keep the default". */
static void
get_us(struct reader *R, const char *path, double lo, double hi, double *out,
       bool need)
{
    const struct gp_ynode *v = at(R->root, path);
    double x;

    if (!v) {
        if (need) {
            gp_error_at(R->d, (struct gp_loc){R->file, 1, 1, 0},
                        "calibration file has no '%s'", path);
            R->rc = -1;
        }
        return;
    }
    if (gp_yget_double(v, path, lo, hi, &x, R->d) < 0) {
        R->rc = -1;
        return;
    }
    *out = x * 1e-6;
}

static void
get_num(struct reader *R, const char *path, double lo, double hi, double *out)
{
    const struct gp_ynode *v = at(R->root, path);

    if (v && !gp_ynode_is_null(v) &&
        gp_yget_double(v, path, lo, hi, out, R->d) < 0)
        R->rc = -1;
}

static const char *
get_str(struct reader *R, const char *path)
{
    const struct gp_ynode *v = at(R->root, path);
    const char *s = NULL;

    if (v && !gp_ynode_is_null(v) && gp_yget_str(v, path, &s, R->d) < 0)
        R->rc = -1;
    return s;
}

/* The SM fraction at which a bandwidth-bound kernel reaches full DRAM
 * bandwidth, from the capped MPS pairs: the smallest cap that still fell
 * short of uncapped bandwidth gives bw = sm / s_sat. */
static void
bw_saturation(struct reader *R, struct gp_calib *c, double sms)
{
    const struct gp_ynode *rows = at(R->root, "mps.interference_capped");
    double best_pct = 101;
    size_t i;

    if (!rows || rows->kind != GP_YSEQ || !(sms > 0))
        return;
    for (i = 0; i < rows->n_items; i++) {
        const struct gp_ynode *r = rows->items[i];
        double pct = 0, ratio = 0, cap;

        if (r->kind != GP_YMAP)
            continue;
        get_num(&(struct reader){r, R->file, R->d, 0}, "pct_memory", 1, 100,
                &pct);
        get_num(&(struct reader){r, R->file, R->d, 0},
                "memory_capped_alone_vs_uncapped", 0, 2, &ratio);
        if (!(pct > 0) || !(ratio > 0.05) || ratio >= 0.99 || pct >= best_pct)
            continue;
        /* The cap the driver applied: whole TPCs (2 SMs), rounded down. */
        cap = floor(pct / 100.0 * sms / 2.0) * 2.0 / sms;
        best_pct = pct;
        c->bw_saturation_sm = cap / ratio;
    }
}

int
gp_calib_parse(struct gp_calib *c, struct gp_arena *a, const char *file,
               const char *text, size_t len, struct gp_diags *d)
{
    struct gp_ystream *s;
    struct reader R = {NULL, file, d, 0};
    const char *schema;
    double sms = 0, kern = 0, lat = 0, limit = 48;
    size_t before = gp_diags_errors(d);

    memset(c, 0, sizeof(*c));
    c->file = file;
    /* Defaults for the optional keys: the H100 values of the reference run
     * (docs/calibration.md), so an older or partial file still works. */
    c->sync_gap_s = 9.3e-6;
    c->bw_saturation_sm = 0.261;
    c->hol_fraction = 0.466;
    c->mps_client_limit = 48;
    if (gp_yaml_parse(&s, a, file, text, len, NULL, d) < 0)
        return -1;
    if (s->n_docs != 1 || !s->docs[0] || s->docs[0]->kind != GP_YMAP)
        return gp_error_at(d, (struct gp_loc){file, 1, 1, 0},
                           "a calibration file holds one mapping (schema %s)",
                           SCHEMA);
    R.root = s->docs[0];
    schema = get_str(&R, "schema");
    if (!schema || strcmp(schema, SCHEMA) != 0) {
        const struct gp_ynode *v = at(R.root, "schema");

        return gp_error_at(d, v ? gp_ynode_loc(v) : (struct gp_loc){file, 1, 1,
                                                                    0},
                           "not a calibration file: 'schema' must be '%s'",
                           SCHEMA);
    }
    c->gpu_name = get_str(&R, "gpu.name");
    c->model_id = get_str(&R, "gpu.model_id");
    c->driver = get_str(&R, "gpu.driver");
    c->date = get_str(&R, "provenance.date");
    get_num(&R, "gpu.sm_count", 1, 10000, &sms);
    get_us(&R, "timeslicing.timeslice_us.value", 50, 1e6, &c->timeslice_s,
           true);
    get_us(&R, "timeslicing.switch_cost_us.value", 0, 1e5, &c->switch_heavy_s,
           true);
    c->switch_light_s = c->switch_heavy_s;
    get_us(&R, "timeslicing.switch_cost_light_us.value", 0, 1e5,
           &c->switch_light_s, false);
    c->switch_yield_s = c->switch_light_s;
    get_us(&R, "timeslicing.small_kernel_sync_extra_us_per_kernel.value", 0,
           1e5, &c->switch_yield_s, false);
    get_num(&R, "timeslicing.short_kernel_latency.none_sleep0.kernel_us", 0,
            1e6, &kern);
    get_num(&R, "timeslicing.short_kernel_latency.none_sleep0.latency_us.p50",
            0, 1e6, &lat);
    if (lat > kern && kern > 0)
        c->sync_gap_s = (lat - kern) * 1e-6;
    get_num(&R, "mps.hol_wait_over_hog_kernel.value", 0, 1, &c->hol_fraction);
    get_num(&R, "mps.client_limit.value", 1, 1024, &limit);
    c->mps_client_limit = (unsigned)limit;
    bw_saturation(&R, c, sms);
    if (R.rc < 0 || gp_diags_errors(d) > before)
        return -1;
    if (!c->gpu_name)
        c->gpu_name = "unnamed GPU";
    return 0;
}

int
gp_calib_load(struct gp_calib *c, struct gp_arena *a, const char *path,
              struct gp_diags *d)
{
    const char *text;
    size_t len;

    if (gp_file_read(&text, &len, a, path, GP_MAX_INPUT_BYTES, d) < 0)
        return -1;
    return gp_calib_parse(c, a, path, text, len, d);
}

static const struct gp_builtin_file *
builtin_file(const char *name)
{
    size_t i;

    for (i = 0; i < gp_builtin_calibrations_n; i++)
        if (strcmp(gp_builtin_calibrations[i].name, name) == 0)
            return &gp_builtin_calibrations[i];
    return NULL;
}

int
gp_calib_builtin(struct gp_calib *c, bool *exact, struct gp_arena *a,
                 const struct gp_gpu_model *m, struct gp_diags *d)
{
    const struct gp_builtin_file *f = NULL;
    size_t i;

    *exact = false;
    /* Find the file measured on this model by the model id it records. */
    for (i = 0; m && i < gp_builtin_calibrations_n && !f; i++) {
        const struct gp_builtin_file *g = &gp_builtin_calibrations[i];
        const char *p = strstr((const char *)g->data, "\n  model_id: ");
        size_t n = strlen(m->id);

        if (p && strncmp(p + 13, m->id, n) == 0 &&
            (p[13 + n] == '\n' || p[13 + n] == '\r'))
            f = g;
    }
    *exact = f != NULL;
    if (!f)
        f = builtin_file(REFERENCE_FILE);
    if (!f)
        return gp_error_at(d, (struct gp_loc){REFERENCE_FILE, 0, 0, 0},
                           "built-in calibration is missing");
    return gp_calib_parse(c, a, f->name, (const char *)f->data, f->len, d);
}
