/* SPDX-License-Identifier: MIT */
/* import/dcgm.c: dcgm-exporter scrapes (Prometheus text exposition format
 * 0.0.4) reduced to per-pod statistics: peak and mean of framebuffer use,
 * GPU utilisation, graphics-engine, SM activity, SM occupancy and DRAM
 * activity, with the number of samples and scrapes. Every line is checked
 * against the format (a cut-off file shows up as a line that ends inside a
 * label); only the six metric families gpuplan uses are kept.
 *
 * dcgm-exporter labels a series with the pod that holds the device: 'pod',
 * 'namespace' and 'container' ('pod_name', 'pod_namespace' and
 * 'container_name' with --use-old-namespace); a Prometheus that scraped the
 * exporter renames clashing labels to 'exported_pod' and so on, which win
 * when present. MIG devices carry GPU_I_PROFILE and GPU_I_ID. When several
 * pods share one device (time-slicing, MPS), the exporter repeats the
 * device's series once per pod: the values are the device's, so a pod seen
 * on a device with another pod in the same scrape is marked 'shared'. */
#include "import/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/units.h"
#include "base/xalloc.h"

const char *const gp_imp_metric_names[GP_M_N] = {
    "DCGM_FI_DEV_FB_USED",           "DCGM_FI_DEV_GPU_UTIL",
    "DCGM_FI_PROF_GR_ENGINE_ACTIVE", "DCGM_FI_PROF_SM_ACTIVE",
    "DCGM_FI_PROF_SM_OCCUPANCY",     "DCGM_FI_PROF_DRAM_ACTIVE",
};

/* At most this many format errors per file are reported; a file that is
 * not Prometheus text at all should not bury the first one. */
#define MAX_ERRORS_PER_FILE 20

/* A label value as it stands in the line (escapes not yet undone). */
struct span {
    const char *p;
    size_t n;
    bool escaped;
};

enum label {
    L_POD,
    L_NS,
    L_EXPORTED_POD,
    L_EXPORTED_NS,
    L_OLD_POD,
    L_OLD_NS,
    L_HOST,
    L_UUID,
    L_GPU,
    L_GI_ID,
    L_GI_PROFILE,
    L_MODEL,
    L_N
};

static const char *const label_names[L_N] = {
    "pod",           "namespace", "exported_pod", "exported_namespace",
    "pod_name",      "pod_namespace", "Hostname", "UUID",
    "gpu",           "GPU_I_ID",  "GPU_I_PROFILE", "modelName",
};

struct parser {
    struct gp_imp_dcgm *M;
    struct gp_arena *a;
    struct gp_diags *d;
    const char *file;
    const char *text;
    size_t len;
    uint32_t line;
    const char *line_start;
    size_t errors;
    char first_type[128]; /* the first '# TYPE' family of the file */
    bool no_ns_warned;
    bool over_warned[GP_M_N]; /* a ratio past 1 was taken as 1 */
    struct gp_imp_map devices; /* scrape|ts|device -> pod index + 1 */
    char *scratch; /* unescaped label values */
    size_t scratch_cap;
};

static void line_error(struct parser *P, const char *at, const char *fmt,
                       ...) __attribute__((format(printf, 3, 4)));

static struct gp_loc
line_loc(const struct parser *P, const char *at)
{
    struct gp_loc loc;
    const char *s;
    uint32_t col = 1;

    for (s = P->line_start; s < at; s++)
        col += ((unsigned char)*s & 0xC0) != 0x80;
    loc.file = P->file;
    loc.line = P->line;
    loc.col = col;
    loc.len = 1;
    return loc;
}

static void
line_error(struct parser *P, const char *at, const char *fmt, ...)
{
    struct gp_loc loc;
    char msg[200];
    va_list ap;

    if (P->errors++ >= MAX_ERRORS_PER_FILE)
        return;
    loc = line_loc(P, at);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    gp_error_at(P->d, loc, "%s", msg);
}

static bool
is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == ':';
}

static bool
is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

static const char *
skip_blank(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* Undoes \\, \" and \n into the parser's scratch buffer; returns a string
 * that lives until the next call. */
static const char *
unescape(struct parser *P, const struct span *s)
{
    size_t i, o = 0;

    if (s->n + 1 > P->scratch_cap) {
        P->scratch_cap = s->n + 64;
        P->scratch = gp_xrealloc(P->scratch, P->scratch_cap);
    }
    for (i = 0; i < s->n; i++) {
        char c = s->p[i];

        if (c == '\\' && i + 1 < s->n) {
            c = s->p[++i];
            if (c == 'n')
                c = '\n';
        }
        P->scratch[o++] = c;
    }
    P->scratch[o] = '\0';
    return P->scratch;
}

static char *
span_dup(struct parser *P, const struct span *s)
{
    if (!s->escaped)
        return gp_arena_strndup(P->a, s->p, s->n);
    return gp_arena_strdup(P->a, unescape(P, s));
}

static int
which_metric(const char *name, size_t n)
{
    int i;

    if (n < 12 || memcmp(name, "DCGM_FI_", 8) != 0)
        return -1;
    for (i = 0; i < GP_M_N; i++) {
        if (strlen(gp_imp_metric_names[i]) == n &&
            memcmp(gp_imp_metric_names[i], name, n) == 0)
            return i;
    }
    return -1;
}

/* '# HELP', '# TYPE' or another comment. A '# TYPE' of the file's first
 * family seen again starts a new scrape (files hold scrapes one after the
 * other). */
static void
comment_line(struct parser *P, const char *p, const char *end)
{
    const char *q, *name;
    size_t n;

    p = skip_blank(p + 1, end);
    if (end - p < 5 || memcmp(p, "TYPE", 4) != 0 ||
        (p[4] != ' ' && p[4] != '\t'))
        return;
    name = skip_blank(p + 4, end);
    for (q = name; q < end && is_name_char(*q); q++)
        ;
    n = (size_t)(q - name);
    if (n == 0 || n >= sizeof(P->first_type))
        return;
    if (!P->first_type[0]) {
        memcpy(P->first_type, name, n);
        P->first_type[n] = '\0';
    } else if (strlen(P->first_type) == n &&
               memcmp(P->first_type, name, n) == 0) {
        P->M->scrapes++;
    }
}

/* Parses '{name="value",...}' at p; fills the spans of the labels gpuplan
 * reads. Returns the position after '}', or NULL after an error. */
static const char *
parse_labels(struct parser *P, const char *p, const char *end,
             struct span *lab)
{
    p++; /* '{' */
    for (;;) {
        const char *name;
        size_t n;
        int i, which = -1;

        p = skip_blank(p, end);
        if (p < end && *p == '}')
            return p + 1;
        name = p;
        if (p >= end || !is_name_start(*p)) {
            if (p >= end)
                line_error(P, p, "the line ends inside the labels; is the "
                                 "file truncated?");
            else
                line_error(P, p, "expected a label name or '}'");
            return NULL;
        }
        while (p < end && is_name_char(*p))
            p++;
        n = (size_t)(p - name);
        for (i = 0; i < L_N; i++) {
            if (strlen(label_names[i]) == n &&
                memcmp(label_names[i], name, n) == 0)
                which = i;
        }
        if (which < 0 && n == 8 && memcmp(name, "hostname", 8) == 0)
            which = L_HOST;
        p = skip_blank(p, end);
        if (p >= end || *p != '=') {
            line_error(P, p, "expected '=' after the label name");
            return NULL;
        }
        p = skip_blank(p + 1, end);
        if (p >= end || *p != '"') {
            line_error(P, p, "expected a quoted label value");
            return NULL;
        }
        {
            const char *v = ++p;
            bool esc = false;

            while (p < end && *p != '"') {
                if (*p == '\\') {
                    esc = true;
                    if (p + 1 < end &&
                        (p[1] == '\\' || p[1] == '"' || p[1] == 'n')) {
                        p += 2;
                        continue;
                    }
                    line_error(P, p, "invalid escape in a label value (only "
                                     "\\\\, \\\" and \\n)");
                    return NULL;
                }
                p++;
            }
            if (p >= end) {
                line_error(P, v - 1, "the line ends inside a label value; is "
                                     "the file truncated?");
                return NULL;
            }
            if (which >= 0) {
                lab[which].p = v;
                lab[which].n = (size_t)(p - v);
                lab[which].escaped = esc;
            }
            p++;
        }
        p = skip_blank(p, end);
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p < end && *p == '}')
            return p + 1;
        if (p >= end)
            line_error(P, p, "the line ends inside the labels; is the file "
                             "truncated?");
        else
            line_error(P, p, "expected ',' or '}' after a label");
        return NULL;
    }
}

static void
stat_add(struct gp_dcgm_stat *s, double v)
{
    if (!s->n || v > s->max)
        s->max = v;
    s->sum += v;
    s->n++;
}

/* The first of the labels a, b, c that the series carries (an empty
 * value counts: 'pod=""' is a device no pod holds), or NULL. */
static const struct span *
first_of(const struct span *lab, int a, int b, int c)
{
    if (lab[a].p)
        return &lab[a];
    if (lab[b].p)
        return &lab[b];
    if (lab[c].p)
        return &lab[c];
    return NULL;
}

/* A Prometheus that scraped the exporter sets 'pod' to the exporter's own
 * pod where the series had no pod to rename to exported_pod (an idle
 * device): that pod holds no GPU. */
static bool
is_exporter_pod(const struct span *pod)
{
    static const char *const prefixes[] = {"nvidia-dcgm-exporter-",
                                           "dcgm-exporter-"};
    size_t i;

    for (i = 0; i < 2; i++) {
        size_t n = strlen(prefixes[i]);

        if (pod->n > n && memcmp(pod->p, prefixes[i], n) == 0)
            return true;
    }
    return false;
}

static struct gp_imp_dcgm_pod *
pod_of(struct parser *P, const struct span *ns, const struct span *pod,
       uint32_t *index)
{
    struct gp_imp_dcgm *M = P->M;
    char key[520];
    char nsb[256], podb[256];
    bool created;
    uint32_t *slot;
    size_t kl;

    snprintf(nsb, sizeof(nsb), "%.*s", (int)(ns ? ns->n : 0),
             ns ? ns->p : "");
    if (ns && ns->escaped)
        snprintf(nsb, sizeof(nsb), "%s", unescape(P, ns));
    if (pod->escaped)
        snprintf(podb, sizeof(podb), "%s", unescape(P, pod));
    else
        snprintf(podb, sizeof(podb), "%.*s", (int)pod->n, pod->p);
    kl = gp_imp_key2(key, nsb, podb);
    slot = gp_imp_map_put(&M->by_pod, key, kl, (uint32_t)M->n, &created);
    if (created) {
        struct gp_imp_dcgm_pod *dp;

        if (M->n == M->cap) {
            M->cap = M->cap ? M->cap * 2 : 256;
            M->v = gp_xrealloc(M->v, M->cap * sizeof(*M->v));
        }
        dp = &M->v[M->n++];
        memset(dp, 0, sizeof(*dp));
        dp->ns = gp_arena_strdup(P->a, nsb);
        dp->pod = gp_arena_strdup(P->a, podb);
        dp->last_scrape = UINT32_MAX;
    }
    *index = *slot;
    return &M->v[*slot];
}

/* Devices shared in one scrape: the key names the scrape, the sample's
 * timestamp and the device (host, GPU, GPU instance). */
static void
note_device(struct parser *P, const struct span *lab, const char *ts,
            size_t ts_n, uint32_t pod)
{
    char key[600];
    const struct span *dev = lab[L_UUID].p ? &lab[L_UUID] : &lab[L_GPU];
    int n;
    bool created;
    uint32_t *slot;

    n = snprintf(key, sizeof(key), "%u|%.*s|%.*s|%.*s|%.*s", P->M->scrapes,
                 (int)ts_n, ts, (int)(lab[L_HOST].p ? lab[L_HOST].n : 0),
                 lab[L_HOST].p ? lab[L_HOST].p : "",
                 (int)(dev->p ? dev->n : 0), dev->p ? dev->p : "",
                 (int)(lab[L_GI_ID].p ? lab[L_GI_ID].n : 0),
                 lab[L_GI_ID].p ? lab[L_GI_ID].p : "");
    if (n < 0 || (size_t)n >= sizeof(key))
        return;
    slot = gp_imp_map_put(&P->devices, key, (size_t)n, pod + 1, &created);
    if (!created && *slot != pod + 1) {
        P->M->v[*slot - 1].shared = true;
        P->M->v[pod].shared = true;
    }
}

static int
parse_value(const char *p, size_t n, double *out)
{
    char buf[64];
    const char *why;

    if (n == 0 || n >= sizeof(buf))
        return -1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    if (strcmp(buf, "NaN") == 0 || strcmp(buf, "+Inf") == 0 ||
        strcmp(buf, "-Inf") == 0 || strcmp(buf, "Inf") == 0)
        return 1;
    return gp_parse_double(buf, out, &why);
}

static void
sample_line(struct parser *P, const char *p, const char *end)
{
    struct span lab[L_N];
    const char *name = p, *v, *ts = NULL;
    size_t name_n, v_n, ts_n = 0;
    double x;
    int metric, r;

    memset(lab, 0, sizeof(lab));
    while (p < end && is_name_char(*p))
        p++;
    name_n = (size_t)(p - name);
    if (name_n == 0) {
        line_error(P, p, "expected a metric name");
        return;
    }
    metric = which_metric(name, name_n);
    p = skip_blank(p, end);
    if (p < end && *p == '{') {
        p = parse_labels(P, p, end, lab);
        if (!p)
            return;
    }
    p = skip_blank(p, end);
    v = p;
    while (p < end && *p != ' ' && *p != '\t')
        p++;
    v_n = (size_t)(p - v);
    if (v_n == 0) {
        line_error(P, v, "the sample has no value; is the file truncated?");
        return;
    }
    p = skip_blank(p, end);
    if (p < end) {
        ts = p;
        while (p < end && *p != ' ' && *p != '\t')
            p++;
        ts_n = (size_t)(p - ts);
        {
            char buf[32];
            const char *why;
            uint64_t t;

            snprintf(buf, sizeof(buf), "%.*s", (int)(ts_n < 31 ? ts_n : 31),
                     ts);
            if (ts_n > 30 || (gp_parse_uint(buf[0] == '-' ? buf + 1 : buf,
                                            UINT64_MAX, &t, &why) < 0)) {
                line_error(P, ts, "invalid timestamp '%s' (milliseconds)",
                           buf);
                return;
            }
        }
        p = skip_blank(p, end);
        if (p < end) {
            line_error(P, p, "unexpected text after the timestamp");
            return;
        }
    }
    r = parse_value(v, v_n, &x);
    if (r < 0) {
        char buf[40];

        snprintf(buf, sizeof(buf), "%.*s", (int)(v_n < 32 ? v_n : 32), v);
        line_error(P, v, "invalid sample value '%s'", buf);
        return;
    }
    if (metric < 0 || r > 0)
        return;
    {
        /* Each metric's own range (dcgm-exporter's field docs): memory in
         * MiB, utilisation in percent, the profiling ratios in [0, 1]. A
         * negative value would become a negative share or memory. */
        double hi = metric == GP_M_FB_USED    ? 1e9
                    : metric == GP_M_GPU_UTIL ? 100
                                              : 1;
        char buf[40];

        snprintf(buf, sizeof(buf), "%.*s", (int)(v_n < 32 ? v_n : 32), v);
        if (x < 0 || (metric == GP_M_FB_USED && x > hi)) {
            line_error(P, v, "%s is %s; it must be %s",
                       gp_imp_metric_names[metric], buf,
                       metric == GP_M_FB_USED    ? "0 to 1e9 MiB"
                       : metric == GP_M_GPU_UTIL ? "0 to 100 (percent)"
                                                 : "0 to 1 (a ratio)");
            return;
        }
        if (x > hi) {
            /* DCGM reports SM activity above 1 on MIG devices
             * (NVIDIA/DCGM issue 152): a real scrape, so taken as the
             * whole, and said once per metric and file. */
            if (!P->over_warned[metric]) {
                P->over_warned[metric] = true;
                gp_warning_at(P->d, line_loc(P, v),
                              "%s is %s, more than %s; taken as %s (DCGM "
                              "reports such values on MIG devices)",
                              gp_imp_metric_names[metric], buf,
                              metric == GP_M_GPU_UTIL ? "100" : "1",
                              metric == GP_M_GPU_UTIL ? "100" : "1");
            }
            x = hi;
        }
    }
    P->M->samples++;
    P->M->seen[metric]++;
    {
        const struct span *pod = first_of(lab, L_EXPORTED_POD, L_POD,
                                          L_OLD_POD);
        const struct span *ns = first_of(lab, L_EXPORTED_NS, L_NS, L_OLD_NS);
        struct gp_imp_dcgm_pod *dp;
        uint32_t idx;

        if (!pod || pod->n == 0 ||
            (pod == &lab[L_POD] && is_exporter_pod(pod))) {
            P->M->unattributed++;
            return;
        }
        if (!ns && !P->no_ns_warned) {
            P->no_ns_warned = true;
            gp_warning_at(P->d, (struct gp_loc){P->file, P->line, 1, 1},
                          "series with a pod label but no namespace label; "
                          "such pods are matched by name alone");
        }
        dp = pod_of(P, ns, pod, &idx);
        if (!dp->mig_profile && lab[L_GI_PROFILE].p && lab[L_GI_PROFILE].n)
            dp->mig_profile = span_dup(P, &lab[L_GI_PROFILE]);
        if (!dp->model_name && lab[L_MODEL].p && lab[L_MODEL].n)
            dp->model_name = span_dup(P, &lab[L_MODEL]);
        switch ((enum gp_imp_metric)metric) {
        case GP_M_FB_USED:
            stat_add(&dp->fb_mib, x);
            if (dp->last_scrape != P->M->scrapes) {
                dp->last_scrape = P->M->scrapes;
                dp->scrapes++;
            }
            note_device(P, lab, ts, ts_n, idx);
            break;
        case GP_M_GPU_UTIL:
            stat_add(&dp->util, x / 100.0);
            break;
        case GP_M_GR_ACTIVE:
            stat_add(&dp->gr_active, x);
            break;
        case GP_M_SM_ACTIVE:
            stat_add(&dp->sm_active, x);
            break;
        case GP_M_SM_OCCUPANCY:
            stat_add(&dp->sm_occupancy, x);
            break;
        case GP_M_DRAM_ACTIVE:
            stat_add(&dp->dram_active, x);
            break;
        case GP_M_N:
            break;
        }
    }
}

static void
parse_file(struct parser *P)
{
    const char *p = P->text, *end = P->text + P->len;
    size_t dcgm_lines = 0;

    P->line = 0;
    P->first_type[0] = '\0';
    if (P->len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end, *q;

        P->line++;
        P->line_start = p;
        if (le > p && le[-1] == '\r')
            le--;
        q = skip_blank(p, le);
        if (q < le) {
            if (*q == '#') {
                comment_line(P, q, le);
            } else {
                if (le - q > 8 && memcmp(q, "DCGM_FI_", 8) == 0)
                    dcgm_lines++;
                sample_line(P, q, le);
            }
        }
        if (!nl) {
            if (q < le && P->errors == 0)
                gp_warning_at(P->d, (struct gp_loc){P->file, P->line, 1, 1},
                              "the file does not end with a newline; is it "
                              "truncated?");
            break;
        }
        p = nl + 1;
    }
    if (P->errors > MAX_ERRORS_PER_FILE)
        gp_error_at(P->d, (struct gp_loc){P->file, 0, 0, 0},
                    "%zu more lines with errors", P->errors -
                                                      MAX_ERRORS_PER_FILE);
    if (P->errors == 0 && dcgm_lines == 0)
        gp_error_at(P->d, (struct gp_loc){P->file, 0, 0, 0},
                    "no dcgm-exporter series (DCGM_FI_*) in this file; "
                    "expected the text of dcgm-exporter's /metrics");
}

int
gp_imp_dcgm_load(struct gp_imp_dcgm *out, struct gp_arena *a,
                 const struct gp_import_src *src, size_t n,
                 struct gp_diags *d)
{
    struct parser P;
    size_t errors = gp_diags_errors(d), i;

    memset(out, 0, sizeof(*out));
    gp_imp_map_init(&out->by_pod, a);
    memset(&P, 0, sizeof(P));
    P.M = out;
    P.a = a;
    P.d = d;
    gp_imp_map_init(&P.devices, a);
    for (i = 0; i < n; i++) {
        P.file = src[i].file;
        P.text = src[i].text;
        P.len = src[i].len;
        P.errors = 0;
        if (i > 0)
            out->scrapes++;
        parse_file(&P);
    }
    out->scrapes++; /* scrapes are counted from 0 while parsing */
    out->n_files = n;
    gp_imp_map_release(&P.devices);
    free(P.scratch);
    if (gp_diags_errors(d) > errors) {
        gp_imp_dcgm_release(out);
        return -1;
    }
    return 0;
}

void
gp_imp_dcgm_release(struct gp_imp_dcgm *m)
{
    free(m->v);
    m->v = NULL;
    m->n = m->cap = 0;
    gp_imp_map_release(&m->by_pod);
}
