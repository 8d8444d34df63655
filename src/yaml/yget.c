/* SPDX-License-Identifier: MIT */
#include "yaml/yget.h"

#include <string.h>

#include "base/str.h"
#include "base/strbuf.h"
#include "base/units.h"

struct gp_loc
gp_ynode_loc(const struct gp_ynode *n)
{
    return n->loc;
}

int
gp_ymap_expect(const struct gp_ynode *n, const char *what,
               const char *const *keys, const char *const *required,
               struct gp_diags *d)
{
    size_t i, nkeys = 0;

    if (!n || n->kind != GP_YMAP) {
        if (!n)
            return -1;
        gp_error_at(d, n->loc, "%s must be a mapping, got a %s", what,
                    gp_ynode_describe(n));
        if (n->kind == GP_YSCALAR && !gp_ynode_is_null(n))
            gp_diag_hint(d, "check the indentation and the ':' after each key");
        return -1;
    }
    const char *suggested[64];
    size_t n_sugg = 0;

    while (keys[nkeys])
        nkeys++;
    for (i = 0; i < n->n_pairs; i++) {
        const struct gp_ynode *k = n->pairs[i].key;
        size_t j;

        if (strlen(k->str) != k->len) {
            gp_error_at(d, k->loc, "a key in %s contains a NUL character",
                        what);
            continue;
        }
        for (j = 0; j < nkeys; j++) {
            if (strcmp(k->str, keys[j]) == 0)
                break;
        }
        if (j == nkeys) {
            const char *sugg = gp_did_you_mean(k->str, keys, nkeys);
            struct gp_loc at = k->loc;

            at.len = (uint32_t)(k->len ? (k->len > 200 ? 200 : k->len) : 1);
            gp_error_at(d, at, "unknown key '%.100s' in %s", k->str, what);
            if (sugg) {
                gp_diag_hint(d, "did you mean '%s'?", sugg);
                if (n_sugg < 64)
                    suggested[n_sugg++] = sugg;
            } else {
                struct gp_strbuf sb = GP_STRBUF_INIT;

                for (j = 0; j < nkeys; j++)
                    gp_strbuf_printf(&sb, "%s%s", j ? ", " : "", keys[j]);
                gp_diag_hint(d, "valid keys: %s", sb.buf);
                gp_strbuf_release(&sb);
            }
        }
    }
    for (i = 0; required && required[i]; i++) {
        size_t j;

        if (gp_ymap_get(n, required[i]))
            continue;
        /* A misspelt required key was already reported with its fix. */
        for (j = 0; j < n_sugg; j++) {
            if (strcmp(suggested[j], required[i]) == 0)
                break;
        }
        if (j == n_sugg)
            gp_error_at(d, n->loc, "%s is missing required key '%s'", what,
                        required[i]);
    }
    return 0;
}

int
gp_yseq_expect(const struct gp_ynode *n, const char *key, struct gp_diags *d)
{
    if (!n || gp_ynode_is_null(n) || n->kind == GP_YSEQ)
        return 0;
    return gp_error_at(d, n->loc, "'%s' must be a list, got a %s", key,
                       gp_ynode_describe(n));
}

static int
scalar_text(const struct gp_ynode *n, const char *key, const char *kind,
            struct gp_diags *d)
{
    if (n->kind != GP_YSCALAR || gp_ynode_is_null(n)) {
        return gp_error_at(d, n->loc, "'%s' must be %s, got a %s", key, kind,
                           gp_ynode_describe(n));
    }
    if (strlen(n->str) != n->len)
        return gp_error_at(d, n->loc, "'%s' contains a NUL character", key);
    if (!gp_str_printable_utf8(n->str, n->len))
        return gp_error_at(d, n->loc,
                           "'%s' contains control characters or invalid "
                           "UTF-8",
                           key);
    return 0;
}

int
gp_yget_str(const struct gp_ynode *n, const char *key, const char **out,
            struct gp_diags *d)
{
    if (scalar_text(n, key, "a string", d) < 0)
        return -1;
    *out = n->str;
    return 0;
}

static int
bad_value(const struct gp_ynode *n, const char *key, const char *why,
          struct gp_diags *d)
{
    return gp_error_at(d, n->loc, "invalid value '%.64s' for '%s': %s", n->str,
                       key, why);
}

int
gp_yget_uint(const struct gp_ynode *n, const char *key, uint64_t min,
             uint64_t max, uint64_t *out, struct gp_diags *d)
{
    const char *why;
    uint64_t v;

    if (scalar_text(n, key, "a whole number", d) < 0)
        return -1;
    if (n->quoted)
        return gp_error_at(d, n->loc, "'%s' must be a number, not a quoted "
                                      "string",
                           key);
    if (gp_parse_uint(n->str, UINT64_MAX, &v, &why) < 0 || v < min ||
        v > max) {
        gp_error_at(d, n->loc,
                    "'%s' must be a whole number from %llu to %llu, got "
                    "'%.64s'",
                    key, (unsigned long long)min, (unsigned long long)max,
                    n->str);
        return -1;
    }
    *out = v;
    return 0;
}

int
gp_yget_double(const struct gp_ynode *n, const char *key, double min,
               double max, double *out, struct gp_diags *d)
{
    const char *why;
    double v;

    if (scalar_text(n, key, "a number", d) < 0)
        return -1;
    if (n->quoted)
        return gp_error_at(d, n->loc, "'%s' must be a number, not a quoted "
                                      "string",
                           key);
    if (gp_parse_double(n->str, &v, &why) < 0)
        return bad_value(n, key, why, d);
    if (v < min || v > max)
        return gp_error_at(d, n->loc, "'%s' must be between %.15g and %.15g, "
                                      "got '%.64s'",
                           key, min, max, n->str);
    *out = v;
    return 0;
}

int
gp_yget_bool(const struct gp_ynode *n, const char *key, bool *out,
             struct gp_diags *d)
{
    if (scalar_text(n, key, "true or false", d) < 0)
        return -1;
    if (!n->quoted && (strcmp(n->str, "true") == 0 ||
                       strcmp(n->str, "True") == 0 ||
                       strcmp(n->str, "TRUE") == 0)) {
        *out = true;
        return 0;
    }
    if (!n->quoted && (strcmp(n->str, "false") == 0 ||
                       strcmp(n->str, "False") == 0 ||
                       strcmp(n->str, "FALSE") == 0)) {
        *out = false;
        return 0;
    }
    return gp_error_at(d, n->loc, "'%s' must be true or false, got '%.64s'",
                       key, n->str);
}

int
gp_yget_bytes(const struct gp_ynode *n, const char *key, uint64_t min,
              uint64_t max, uint64_t *out, struct gp_diags *d)
{
    const char *why;
    uint64_t v;
    char lo[32], hi[32];

    if (scalar_text(n, key, "a memory quantity such as 16Gi", d) < 0)
        return -1;
    if (gp_parse_bytes(n->str, &v, &why) < 0) {
        size_t len = strlen(n->str);

        bad_value(n, key, why, d);
        if (len > 3 && len < 40 && strcmp(n->str + len - 2, "iB") == 0)
            gp_diag_hint(d, "Kubernetes writes '%.*s', without the 'B'",
                         (int)(len - 1), n->str);
        return -1;
    }
    if (v < min || v > max) {
        gp_error_at(d, n->loc, "'%s' must be from %s to %s, got '%.64s'", key,
                    gp_format_bytes(min, lo), gp_format_bytes(max, hi),
                    n->str);
        if (v < (1u << 20) && v > 0 && n->len &&
            strspn(n->str, "0123456789") == n->len)
            gp_diag_hint(d, "a plain number is bytes; did you mean '%sGi'?",
                         n->str);
        return -1;
    }
    *out = v;
    return 0;
}

int
gp_yget_duration(const struct gp_ynode *n, const char *key, double min,
                 bool min_excl, double max, double *out, struct gp_diags *d)
{
    const char *why;
    double v;
    char lo[32], hi[32];

    if (scalar_text(n, key, "a duration such as 8ms", d) < 0)
        return -1;
    if (gp_parse_duration(n->str, &v, &why) < 0) {
        bad_value(n, key, why, d);
        if (gp_parse_double(n->str, &v, &why) == 0)
            gp_diag_hint(d, "durations need a unit: '%sms' or '%ss'", n->str,
                         n->str);
        return -1;
    }
    if ((min_excl ? v <= min : v < min) || v > max)
        return gp_error_at(d, n->loc, "'%s' must be %s %s and at most %s, got "
                                      "'%.64s'",
                           key, min_excl ? "more than" : "at least",
                           gp_format_duration(min, lo),
                           gp_format_duration(max, hi), n->str);
    *out = v;
    return 0;
}

int
gp_yget_fraction(const struct gp_ynode *n, const char *key, double min,
                 bool min_excl, double max, double *out, struct gp_diags *d)
{
    const char *why;
    double v;

    if (scalar_text(n, key, "a fraction such as 0.5 or 500m", d) < 0)
        return -1;
    if (gp_parse_fraction(n->str, &v, &why) < 0)
        return bad_value(n, key, why, d);
    if ((min_excl ? v <= min : v < min) || v > max)
        return gp_error_at(d, n->loc,
                           "'%s' must be %s %g and at most %g, got '%.64s'",
                           key, min_excl ? "more than" : "at least", min, max,
                           n->str);
    *out = v;
    return 0;
}

int
gp_yget_enum(const struct gp_ynode *n, const char *key,
             const char *const *values, size_t *out, struct gp_diags *d)
{
    struct gp_strbuf sb = GP_STRBUF_INIT;
    size_t i, nv = 0;
    const char *sugg;

    if (scalar_text(n, key, "a string", d) < 0)
        return -1;
    for (nv = 0; values[nv]; nv++) {
        if (strcmp(n->str, values[nv]) == 0) {
            *out = nv;
            return 0;
        }
    }
    for (i = 0; i < nv; i++)
        gp_strbuf_printf(&sb, "%s'%s'", i ? ", " : "", values[i]);
    gp_error_at(d, n->loc, "invalid value '%.64s' for '%s' (expected one of "
                           "%s)",
                n->str, key, sb.buf);
    sugg = gp_did_you_mean(n->str, values, nv);
    if (sugg)
        gp_diag_hint(d, "did you mean '%s'?", sugg);
    gp_strbuf_release(&sb);
    return -1;
}
