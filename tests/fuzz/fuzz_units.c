/* SPDX-License-Identifier: MIT */
/* tests/fuzz/fuzz_units.c: the quantity parsers of base/units.c ("40Gi",
 * "250m", "9999999999999Ti", "1m30s"). Each result is checked against an
 * independent long double reading of the same text, and formatted bytes
 * must parse back to the same count. */
#include "fuzz.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/units.h"

/* The number at the start of s, as strtold reads it, when s starts with
 * our grammar's [+-]digits[.digits][e[+-]digits]; OUT: *rest. */
static int
reference(const char *s, long double *out, const char **rest)
{
    const char *p = s;
    char *end;

    if (*p == '+' || *p == '-')
        p++;
    /* Not hexadecimal, inf or nan, which strtold also reads. */
    if (!((*p >= '0' && *p <= '9') || *p == '.') ||
        (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')))
        return -1;
    *out = strtold(s, &end);
    *rest = end;
    return end == s ? -1 : 0;
}

static void
check_bytes(const char *s)
{
    static const struct {
        const char *sfx;
        long double mult;
    } sfx[] = {
        {"Ki", 1024.0L}, {"Mi", 1048576.0L}, {"Gi", 1073741824.0L},
        {"Ti", 1099511627776.0L}, {"Pi", 1125899906842624.0L},
        {"Ei", 1152921504606846976.0L}, {"k", 1e3L}, {"M", 1e6L},
        {"G", 1e9L}, {"T", 1e12L}, {"P", 1e15L}, {"E", 1e18L},
        {"m", 1e-3L}, {"", 1.0L},
    };
    const char *why = NULL, *rest;
    uint64_t v, back;
    long double ref, want = -1;
    size_t i;
    int rc = gp_parse_bytes(s, &v, &why);

    if (reference(s, &ref, &rest) == 0 && !strchr(s, ' ')) {
        for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
            if (strcmp(rest, sfx[i].sfx) == 0) {
                want = ceill(ref * sfx[i].mult);
                break;
            }
        }
    }
    if (rc == 0) {
        char buf[32];

        GP_FUZZ_ASSERT(why == NULL);
        if (want >= 0) {
            long double diff = fabsl((long double)v - want);

            GP_FUZZ_ASSERT(diff <= 1.0L + want * 1e-15L);
        }
        gp_format_bytes(v, buf);
        GP_FUZZ_ASSERT(gp_parse_bytes(buf, &back, &why) == 0 && back == v);
    } else {
        GP_FUZZ_ASSERT(why != NULL);
        /* "too large" only for values past 2^64 bytes. */
        if (strstr(why, "too large") && want >= 0)
            GP_FUZZ_ASSERT(want >= 18446744073709551615.0L * 0.999999L);
    }
}

static void
check_uint(const char *s)
{
    const char *why = NULL;
    uint64_t v;

    if (gp_parse_uint(s, UINT64_MAX, &v, &why) == 0) {
        char *end;
        unsigned long long r = strtoull(s, &end, 10);

        GP_FUZZ_ASSERT(*end == '\0' && r == v && s[0] != '-');
    } else {
        GP_FUZZ_ASSERT(why != NULL);
    }
}

static void
check_double(const char *s)
{
    const char *why = NULL, *rest;
    double v;
    long double ref;

    if (gp_parse_double(s, &v, &why) == 0) {
        GP_FUZZ_ASSERT(isfinite(v));
        if (reference(s, &ref, &rest) == 0 && *rest == '\0' &&
            fabsl(ref) > 1e-290L)
            GP_FUZZ_ASSERT(fabsl((long double)v - ref) <=
                           fabsl(ref) * 1e-12L);
    } else {
        GP_FUZZ_ASSERT(why != NULL);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s;
    const char *why = NULL;
    double x;
    char buf[32];

    if (size < 1 || size > 4096)
        return 0;
    s = gp_fuzz_text(data + 1, size - 1);
    switch (data[0] % 5) {
    case 0:
        check_bytes(s);
        break;
    case 1:
        if (gp_parse_fraction(s, &x, &why) == 0)
            GP_FUZZ_ASSERT(isfinite(x));
        else
            GP_FUZZ_ASSERT(why != NULL);
        break;
    case 2:
        if (gp_parse_duration(s, &x, &why) == 0) {
            GP_FUZZ_ASSERT(isfinite(x) && fabs(x) <= 1e9);
            gp_format_duration(fabs(x), buf);
        } else {
            GP_FUZZ_ASSERT(why != NULL);
        }
        break;
    case 3:
        check_uint(s);
        break;
    default:
        check_double(s);
        break;
    }
    free(s);
    return 0;
}
