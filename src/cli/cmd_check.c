/* SPDX-License-Identifier: MIT */
/* cli/cmd_check.c: 'gpuplan check FILE... [--inventory FILE]': lint GPU
 * sharing configs before they reach a cluster, and report the findings as
 * compiler-style text, JSON, SARIF 2.1.0 (code scanning) or JUnit XML (CI
 * test reports). */
#include "cli/cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/strbuf.h"
#include "base/units.h"
#include "check/check.h"
#include "inventory/inventory.h"
#include "json/json.h"
#include "model/gpu.h"

static const struct gp_opt opts[] = {
    {"inventory", 'i', "FILE", "check against this inventory's nodes and "
                               "workloads"},
    {"format", 'f', "FMT", "output: text, json, sarif or junit"},
    {"strict", 0, NULL, "fail (exit 1) on warnings too"},
    {"engine", 0, NULL, "predict every co-location with the event engine"},
    {"seed", 0, "N", "seed of the event engine (default 1)"},
    {NULL, 0, NULL, NULL},
};

enum format { FMT_TEXT, FMT_JSON, FMT_SARIF, FMT_JUNIT };

static const char *
sev_name(enum gp_severity s)
{
    return s == GP_SEV_ERROR ? "error" : s == GP_SEV_WARNING ? "warning"
                                                             : "note";
}

/* ---- JSON ---------------------------------------------------------------- */

static void
render_json(struct gp_ctx *ctx, const char **files, size_t n_files)
{
    struct gp_json *root = gp_json_object(), *fa = gp_json_array();
    size_t i;

    for (i = 0; i < n_files; i++)
        gp_json_push_str(fa, files[i]);
    gp_json_set(root, "files", fa);
    gp_json_set_int(root, "errors", (long long)gp_diags_errors(ctx->d));
    gp_json_set_int(root, "warnings", (long long)gp_diags_warnings(ctx->d));
    gp_json_set(root, "findings", gp_ctx_diags_json(ctx));
    if (gp_diags_dropped(ctx->d))
        gp_json_set_int(root, "notShown", (long long)gp_diags_dropped(ctx->d));
    gp_ctx_print_json(ctx, root);
}

/* ---- SARIF 2.1.0 --------------------------------------------------------- */

/* A relative path as a URI reference: unreserved characters and '/' stay,
 * everything else is percent-encoded. */
static char *
uri_of(const char *path)
{
    struct gp_strbuf sb = GP_STRBUF_INIT;
    const unsigned char *p;

    for (p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
            gp_strbuf_putc(&sb, (char)*p);
        else
            gp_strbuf_printf(&sb, "%%%02X", *p);
    }
    return gp_strbuf_detach(&sb, NULL);
}

static struct gp_json *
text_obj(const char *text)
{
    struct gp_json *o = gp_json_object();

    gp_json_set_str(o, "text", text);
    return o;
}

static void
render_sarif(struct gp_ctx *ctx)
{
    struct gp_json *root = gp_json_object(), *runs = gp_json_array(),
                   *run = gp_json_object(), *tool = gp_json_object(),
                   *driver = gp_json_object(), *rules = gp_json_array(),
                   *results = gp_json_array();
    const struct gp_check_rule *rt;
    const struct gp_diag *v;
    size_t n_rules, n, i;

    rt = gp_check_rules(&n_rules);
    gp_json_set_str(root, "$schema",
                    "https://json.schemastore.org/sarif-2.1.0.json");
    gp_json_set_str(root, "version", "2.1.0");
    gp_json_set_str(driver, "name", "gpuplan");
    gp_json_set_str(driver, "version", GPUPLAN_VERSION);
    for (i = 0; i < n_rules; i++) {
        struct gp_json *r = gp_json_object(), *cfg = gp_json_object(),
                       *props = gp_json_object();
        struct gp_strbuf full = GP_STRBUF_INIT;

        gp_strbuf_printf(&full, "%s (source: %s)", rt[i].summary,
                         rt[i].source);
        gp_json_set_str(r, "id", rt[i].id);
        gp_json_set(r, "shortDescription", text_obj(rt[i].summary));
        gp_json_set(r, "fullDescription", text_obj(full.buf));
        gp_json_set_str(cfg, "level", sev_name(rt[i].sev));
        gp_json_set(r, "defaultConfiguration", cfg);
        gp_json_set_str(props, "source", rt[i].source);
        gp_json_set(r, "properties", props);
        gp_json_push(rules, r);
        gp_strbuf_release(&full);
    }
    gp_json_set(driver, "rules", rules);
    gp_json_set(tool, "driver", driver);
    gp_json_set(run, "tool", tool);
    v = gp_diags_sorted(ctx->d, &n);
    for (i = 0; i < n; i++) {
        struct gp_json *res = gp_json_object();
        struct gp_strbuf msg = GP_STRBUF_INIT;
        const char *rule = v[i].rule ? v[i].rule : "input-unreadable";
        const struct gp_check_rule *r = gp_check_rule_find(rule);

        gp_strbuf_puts(&msg, v[i].msg);
        if (v[i].hint)
            gp_strbuf_printf(&msg, " (hint: %s)", v[i].hint);
        gp_json_set_str(res, "ruleId", rule);
        if (r)
            gp_json_set_int(res, "ruleIndex", (long long)(r - rt));
        gp_json_set_str(res, "level", sev_name(v[i].sev));
        gp_json_set(res, "message", text_obj(msg.buf));
        gp_strbuf_release(&msg);
        if (v[i].loc.file) {
            struct gp_json *locs = gp_json_array(), *loc = gp_json_object(),
                           *phys = gp_json_object(), *art = gp_json_object();
            char *uri = uri_of(v[i].loc.file);

            gp_json_set_str(art, "uri", uri);
            gp_json_set_str(art, "uriBaseId", "%SRCROOT%");
            free(uri);
            gp_json_set(phys, "artifactLocation", art);
            if (v[i].loc.line) {
                struct gp_json *reg = gp_json_object();

                gp_json_set_int(reg, "startLine", v[i].loc.line);
                gp_json_set_int(reg, "startColumn",
                                v[i].loc.col ? v[i].loc.col : 1);
                if (v[i].loc.col && v[i].loc.len > 1)
                    gp_json_set_int(reg, "endColumn",
                                    (long long)v[i].loc.col + v[i].loc.len);
                gp_json_set(phys, "region", reg);
            }
            gp_json_set(loc, "physicalLocation", phys);
            gp_json_push(locs, loc);
            gp_json_set(res, "locations", locs);
        }
        gp_json_push(results, res);
    }
    gp_json_set(run, "results", results);
    gp_json_set_str(run, "columnKind", "unicodeCodePoints");
    gp_json_push(runs, run);
    gp_json_set(root, "runs", runs);
    gp_ctx_print_json(ctx, root);
}

/* ---- JUnit XML ----------------------------------------------------------- */

/* Text for an XML attribute or element: markup characters as entities,
 * control characters (not allowed in XML 1.0) as '?'. */
static void
xml_puts(FILE *out, const char *s)
{
    const unsigned char *p;

    for (p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&apos;", out);
            break;
        default:
            fputc(*p < 0x20 && *p != '\t' && *p != '\n' ? '?' : *p, out);
        }
    }
}

static void
junit_case(FILE *out, const struct gp_diag *g, bool strict)
{
    bool fail = g->sev == GP_SEV_ERROR || strict;
    const char *rule = g->rule ? g->rule : "input-unreadable";

    fputs("    <testcase classname=\"", out);
    xml_puts(out, g->loc.file ? g->loc.file : "gpuplan");
    fprintf(out, "\" name=\"%s %u:%u ", rule, g->loc.line, g->loc.col);
    xml_puts(out, g->msg);
    fputs("\">\n", out);
    if (fail) {
        fputs("      <failure type=\"", out);
        xml_puts(out, rule);
        fputs("\" message=\"", out);
        xml_puts(out, g->msg);
        fputs("\">", out);
    } else {
        fputs("      <system-out>", out);
    }
    if (g->loc.file) {
        xml_puts(out, g->loc.file);
        fprintf(out, ":%u:%u: ", g->loc.line, g->loc.col);
    }
    fprintf(out, "%s: ", sev_name(g->sev));
    xml_puts(out, g->msg);
    if (g->hint) {
        fputs("\nhint: ", out);
        xml_puts(out, g->hint);
    }
    fprintf(out, "</%s>\n    </testcase>\n", fail ? "failure" : "system-out");
}

static bool
is_input(const char *file, const char **files, size_t n)
{
    size_t i;

    for (i = 0; file && i < n; i++) {
        if (strcmp(files[i], file) == 0)
            return true;
    }
    return false;
}

/* One test suite per input file (and one for findings elsewhere, such as
 * the inventory); one test case per finding, a failure for an error (and for
 * a warning under --strict); a passing case for a file without findings, so
 * the report lists every file checked. */
static void
render_junit(struct gp_ctx *ctx, const char **files, size_t n_files,
             bool strict)
{
    const struct gp_diag *v;
    size_t n, i, f, total = 0, failures = 0;
    FILE *out = ctx->out;

    v = gp_diags_sorted(ctx->d, &n);
    for (i = 0; i < n; i++)
        failures += v[i].sev == GP_SEV_ERROR || strict;
    total = n;
    for (f = 0; f < n_files; f++) {
        for (i = 0; i < n && !(v[i].loc.file &&
                               strcmp(v[i].loc.file, files[f]) == 0);
             i++)
            ;
        total += i == n;
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out, "<testsuites name=\"gpuplan check\" tests=\"%zu\" "
                 "failures=\"%zu\">\n",
            total, failures);
    for (f = 0; f <= n_files; f++) {
        const char *file = f < n_files ? files[f] : NULL;
        size_t cases = 0, fails = 0;

        for (i = 0; i < n; i++) {
            bool mine = file ? v[i].loc.file &&
                                   strcmp(v[i].loc.file, file) == 0
                             : !is_input(v[i].loc.file, files, n_files);

            if (!mine)
                continue;
            cases++;
            fails += v[i].sev == GP_SEV_ERROR || strict;
        }
        if (!file && !cases)
            continue;
        fputs("  <testsuite name=\"", out);
        xml_puts(out, file ? file : "other inputs");
        fprintf(out, "\" tests=\"%zu\" failures=\"%zu\">\n",
                cases ? cases : 1, fails);
        if (!cases) {
            fputs("    <testcase classname=\"", out);
            xml_puts(out, file);
            fputs("\" name=\"no findings\"/>\n", out);
        }
        for (i = 0; i < n; i++) {
            if (file ? v[i].loc.file && strcmp(v[i].loc.file, file) == 0
                     : !is_input(v[i].loc.file, files, n_files))
                junit_case(out, &v[i], strict);
        }
        fputs("  </testsuite>\n", out);
    }
    fputs("</testsuites>\n", out);
}

/* ---- the command --------------------------------------------------------- */

static int
parse_format(const char *s, enum format *out)
{
    static const char *const names[] = {"text", "json", "sarif", "junit"};
    size_t i;

    *out = FMT_TEXT;
    if (!s)
        return 0;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (enum format)i;
            return 0;
        }
    }
    return gp_usage_error("unknown format '%s' (expected text, json, sarif "
                          "or junit)",
                          s);
}

static int
run(struct gp_ctx *ctx, struct gp_args *args)
{
    struct gp_check_opts o;
    struct gp_catalog *cat;
    struct gp_inventory *inv = NULL;
    const char *inv_file = gp_args_get(args, "inventory");
    const char *seed = gp_args_get(args, "seed");
    bool strict = gp_args_flag(args, "strict");
    enum format fmt;
    size_t errors, warnings;
    int read_rc;

    if (parse_format(gp_args_get(args, "format"), &fmt) < 0)
        return GP_EXIT_USAGE;
    if (args->n_pos == 0)
        return gp_usage_error("name at least one file to check"),
               GP_EXIT_USAGE;
    memset(&o, 0, sizeof(o));
    o.seed = 1;
    if (seed) {
        const char *why;

        if (gp_parse_uint(seed, UINT64_MAX, &o.seed, &why) < 0)
            return gp_usage_error("invalid --seed '%s': %s", seed, why),
                   GP_EXIT_USAGE;
    }
    o.engine_only = gp_args_flag(args, "engine");
    if (gp_ctx_catalog(ctx, &cat) < 0)
        return gp_ctx_flush_diags(ctx);
    /* The inventory is the yardstick, not a finding: when it is invalid the
     * check cannot run, as with 'gpuplan validate'. */
    if (inv_file &&
        gp_inventory_load(&inv, ctx->a, &inv_file, 1, cat, ctx->d) < 0)
        return gp_ctx_flush_diags(ctx);
    /* Its warnings are 'validate's to report; the report holds findings
     * about the configs. Its text stays registered for caret quotes. */
    gp_diags_reset(ctx->d);
    o.cat = cat;
    o.inv = inv;
    read_rc = gp_check_files(ctx->a, args->pos, args->n_pos, &o, ctx->d);
    errors = gp_diags_errors(ctx->d);
    warnings = gp_diags_warnings(ctx->d);
    switch (fmt) {
    case FMT_TEXT:
        gp_diags_print(ctx->d, ctx->out);
        if (errors || warnings)
            fprintf(ctx->out, "%zu error%s, %zu warning%s in %zu file%s\n",
                    errors, errors == 1 ? "" : "s", warnings,
                    warnings == 1 ? "" : "s", args->n_pos,
                    args->n_pos == 1 ? "" : "s");
        else
            fprintf(ctx->out, "no findings in %zu file%s\n", args->n_pos,
                    args->n_pos == 1 ? "" : "s");
        break;
    case FMT_JSON:
        render_json(ctx, args->pos, args->n_pos);
        break;
    case FMT_SARIF:
        render_sarif(ctx);
        break;
    case FMT_JUNIT:
        render_junit(ctx, args->pos, args->n_pos, strict);
        break;
    }
    if (read_rc < 0)
        return GP_EXIT_USAGE;
    if (errors || (strict && warnings))
        return GP_EXIT_FINDINGS;
    return GP_EXIT_OK;
}

const struct gp_cmd gp_cmd_check = {
    "check",
    "Lint GPU-sharing configs (device-plugin and mig-parted ConfigMaps, "
    "ClusterPolicy, node labels, workloads) before they reach a cluster.",
    "check FILE... [--inventory FILE] [--format text|json|sarif|junit] "
    "[--strict]",
    "Every finding has a severity, a stable rule id and the position in the\n"
    "file (positions inside a ConfigMap's embedded config point into the\n"
    "ConfigMap's file). With --inventory, the configs are also checked\n"
    "against the GPU models of the node pools and the workloads that can\n"
    "land on each node: memory, simulated latency and throughput targets,\n"
    "isolation. Rules: docs/check.md. Exit 0 when there are no errors\n"
    "(warnings allowed unless --strict), 1 on findings, 2 when an input\n"
    "cannot be read.\n",
    opts,
    run,
};
