/* SPDX-License-Identifier: MIT */
#include "base/units.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A decimal number split into an exact integer mantissa and a power of ten:
 * value = mant * 10^exp10. Keeps quantities exact (9984Mi must be exactly
 * 9984 * 2^20 bytes, not a double approximation). */
struct decimal {
    uint64_t mant;
    int exp10;
    int negative;
    int inexact; /* integer digits were dropped: the value is approximate */
};

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Parses [+-]digits[.digits][(e|E)[+-]digits] at *ps; advances *ps. */
static int
parse_decimal(const char **ps, struct decimal *d, int allow_exp,
              const char **why)
{
    const char *s = *ps;

    memset(d, 0, sizeof(*d));
    if (*s == '+' || *s == '-') {
        d->negative = *s == '-';
        s++;
    }
    if (!is_digit(*s) && !(*s == '.' && is_digit(s[1]))) {
        *why = "expected a number";
        return -1;
    }
    for (; is_digit(*s); s++) {
        uint64_t v;

        if (__builtin_mul_overflow(d->mant, 10u, &v) ||
            __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v)) {
            /* Too many integer digits to hold exactly: keep the scale. */
            d->exp10++;
            d->inexact = 1;
            continue;
        }
        d->mant = v;
    }
    if (*s == '.') {
        s++;
        if (!is_digit(*s)) {
            *why = "expected digits after '.'";
            return -1;
        }
        for (; is_digit(*s); s++) {
            uint64_t v;

            /* Fraction digits past 19 significant ones are dropped; the
             * byte count is rounded up anyway. */
            if (__builtin_mul_overflow(d->mant, 10u, &v) ||
                __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
                continue;
            d->mant = v;
            d->exp10--;
        }
    }
    if (allow_exp && (*s == 'e' || *s == 'E') &&
        (is_digit(s[1]) ||
         ((s[1] == '+' || s[1] == '-') && is_digit(s[2])))) {
        int neg = 0, e = 0;

        s++;
        if (*s == '+' || *s == '-')
            neg = *s++ == '-';
        for (; is_digit(*s); s++) {
            if (e > 10000) {
                *why = "exponent out of range";
                return -1;
            }
            e = e * 10 + (*s - '0');
        }
        d->exp10 += neg ? -e : e;
    }
    *ps = s;
    return 0;
}

static double
decimal_value(const struct decimal *d)
{
    double v = (double)d->mant * pow(10.0, d->exp10);

    return d->negative ? -v : v;
}

/* A number as written: its digits without the point, where the point
 * falls among them once the exponent is applied, and the sign. */
struct numtext {
    const char *digits[2]; /* integer part, fraction part */
    size_t n[2];
    long point;            /* digits before the point, exponent applied */
    int negative;
};

static int
scan_number(const char **ps, struct numtext *t, const char **why)
{
    const char *s = *ps;
    long e = 0;
    int eneg = 0;

    memset(t, 0, sizeof(*t));
    if (*s == '+' || *s == '-')
        t->negative = *s++ == '-';
    if (!is_digit(*s) && !(*s == '.' && is_digit(s[1]))) {
        *why = "expected a number";
        return -1;
    }
    t->digits[0] = s;
    while (is_digit(*s))
        s++;
    t->n[0] = (size_t)(s - t->digits[0]);
    if (*s == '.') {
        s++;
        if (!is_digit(*s)) {
            *why = "expected digits after '.'";
            return -1;
        }
        t->digits[1] = s;
        while (is_digit(*s))
            s++;
        t->n[1] = (size_t)(s - t->digits[1]);
    }
    if ((*s == 'e' || *s == 'E') &&
        (is_digit(s[1]) || ((s[1] == '+' || s[1] == '-') && is_digit(s[2])))) {
        s++;
        if (*s == '+' || *s == '-')
            eneg = *s++ == '-';
        for (; is_digit(*s); s++) {
            if (e > 10000) {
                *why = "exponent out of range";
                return -1;
            }
            e = e * 10 + (*s - '0');
        }
    }
    /* Inputs are at most a few MiB: no overflow of a long here. */
    t->point = (long)t->n[0] + (eneg ? -e : e);
    *ps = s;
    return 0;
}

/* Digit k of the number (0 before the first and after the last). */
static unsigned
digit_at(const struct numtext *t, long k)
{
    if (k < 0)
        return 0;
    if ((size_t)k < t->n[0])
        return (unsigned)(t->digits[0][k] - '0');
    k -= (long)t->n[0];
    if ((size_t)k < t->n[1])
        return (unsigned)(t->digits[1][k] - '0');
    return 0;
}

/* Fraction digits that decide a byte count exactly: the unit is at most
 * 10^19, so past 40 digits only "more than nothing" matters. */
#define FRAC_DIGITS 40

int
gp_parse_bytes(const char *s, uint64_t *out, const char **why)
{
    static const struct {
        const char *suffix;
        uint64_t mult;
        int milli;
    } sfx[] = {
        {"Ki", 1ull << 10, 0}, {"Mi", 1ull << 20, 0}, {"Gi", 1ull << 30, 0},
        {"Ti", 1ull << 40, 0}, {"Pi", 1ull << 50, 0}, {"Ei", 1ull << 60, 0},
        {"k", 1000ull, 0},     {"M", 1000000ull, 0},  {"G", 1000000000ull, 0},
        {"T", 1000000000000ull, 0}, {"P", 1000000000000000ull, 0},
        {"E", 1000000000000000000ull, 0}, {"m", 1, 1}, {"", 1, 0},
    };
    struct numtext t;
    const char *p = s;
    uint64_t mult = 0, whole = 0, v;
    unsigned prod[FRAC_DIGITS + 20];
    long k, total;
    size_t i;
    int rest = 0, nonzero = 0, sig = 0;

    if (scan_number(&p, &t, why) < 0)
        return -1;
    for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
        if (strcmp(p, sfx[i].suffix) == 0) {
            mult = sfx[i].mult;
            if (sfx[i].milli)
                t.point -= 3;
            break;
        }
    }
    if (!mult) {
        *why = "unknown unit suffix (use Ki, Mi, Gi, Ti or k, M, G, T)";
        return -1;
    }
    total = (long)(t.n[0] + t.n[1]);
    for (k = 0; k < total && !nonzero; k++)
        nonzero = digit_at(&t, k) != 0;
    if (!nonzero) {
        *out = 0;
        return 0;
    }
    if (t.negative) {
        *why = "must not be negative";
        return -1;
    }
    /* The exact value is whole * mult + frac * mult, rounded up, where
     * whole is the integer part and frac the digits after the point. */
    for (k = 0; k < t.point; k++) {
        unsigned dg = digit_at(&t, k);

        sig += sig || dg;
        if (sig > 20 || __builtin_mul_overflow(whole, 10u, &whole) ||
            __builtin_add_overflow(whole, (uint64_t)dg, &whole))
            goto range;
    }
    if (__builtin_mul_overflow(whole, mult, &v))
        goto range;
    /* frac * mult by long multiplication of its first FRAC_DIGITS digits:
     * prod holds the digits of that product; those past FRAC_DIGITS from
     * the right are the whole bytes, the rest the part that rounds up. */
    {
        uint64_t carry = 0, fbytes = 0;
        long j;

        for (j = FRAC_DIGITS - 1; j >= 0; j--) {
            __extension__ unsigned __int128 cur =
                (unsigned __int128)digit_at(&t, t.point + j) * mult + carry;

            prod[j + 20] = (unsigned)(cur % 10u);
            carry = (uint64_t)(cur / 10u);
        }
        for (j = 19; j >= 0; j--) {
            prod[j] = (unsigned)(carry % 10u);
            carry /= 10u;
        }
        for (j = 0; j < 20; j++)
            fbytes = fbytes * 10u + prod[j];
        for (j = 20; j < FRAC_DIGITS + 20 && !rest; j++)
            rest = prod[j] != 0;
        /* Digits past those: any that is not 0 makes a part of a byte. */
        for (k = t.point + FRAC_DIGITS; k < total && !rest; k++)
            rest = digit_at(&t, k) != 0;
        if (__builtin_add_overflow(v, fbytes, &v) ||
            __builtin_add_overflow(v, (uint64_t)(rest ? 1 : 0), &v))
            goto range;
    }
    *out = v;
    return 0;
range:
    *why = "too large (more than 16 EiB)";
    return -1;
}

int
gp_parse_fraction(const char *s, double *out, const char **why)
{
    struct decimal d;
    const char *p = s;
    double v;

    if (parse_decimal(&p, &d, 1, why) < 0)
        return -1;
    v = decimal_value(&d);
    if (strcmp(p, "m") == 0)
        v /= 1000.0;
    else if (strcmp(p, "%") == 0)
        v /= 100.0;
    else if (*p) {
        *why = "expected a fraction such as 0.5, 500m or 50%";
        return -1;
    }
    if (!isfinite(v)) {
        *why = "out of range";
        return -1;
    }
    *out = v;
    return 0;
}

int
gp_parse_duration(const char *s, double *out_s, const char **why)
{
    static const struct {
        const char *unit;
        double scale;
    } units[] = {
        {"ns", 1e-9}, {"us", 1e-6}, {"\xc2\xb5s", 1e-6}, {"\xce\xbcs", 1e-6},
        {"ms", 1e-3}, {"s", 1.0},   {"m", 60.0},          {"h", 3600.0},
    };
    const char *p = s;
    double total = 0;
    int parts = 0, negative = 0;

    if (*p == '-' || *p == '+') {
        negative = *p == '-';
        p++;
    }
    if (strcmp(p, "0") == 0) {
        *out_s = 0;
        return 0;
    }
    while (*p) {
        struct decimal d;
        size_t i, best = SIZE_MAX, best_len = 0;

        if (*p == '+' || *p == '-') {
            *why = "a sign is allowed only at the start";
            return -1;
        }
        if (parse_decimal(&p, &d, 0, why) < 0) {
            *why = "expected a duration such as 250us, 8ms, 1.5s or 2m";
            return -1;
        }
        for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
            size_t n = strlen(units[i].unit);

            if (strncmp(p, units[i].unit, n) == 0 && n > best_len) {
                best = i;
                best_len = n;
            }
        }
        if (best == SIZE_MAX) {
            *why = *p ? "unknown time unit (use ns, us, ms, s, m or h)"
                      : "missing time unit (use ns, us, ms, s, m or h)";
            return -1;
        }
        total += decimal_value(&d) * units[best].scale;
        p += best_len;
        parts++;
    }
    if (!parts || !isfinite(total) || total > 1e9) {
        *why = "out of range";
        return -1;
    }
    *out_s = negative ? -total : total;
    return 0;
}

int
gp_parse_uint(const char *s, uint64_t max, uint64_t *out, const char **why)
{
    uint64_t v = 0;
    const char *p = s;

    if (*p == '+')
        p++;
    if (*p == '-') {
        *why = "must not be negative";
        return -1;
    }
    if (!is_digit(*p)) {
        *why = "expected a whole number";
        return -1;
    }
    for (; is_digit(*p); p++) {
        if (__builtin_mul_overflow(v, 10u, &v) ||
            __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v)) {
            *why = "out of range";
            return -1;
        }
    }
    if (*p) {
        *why = "expected a whole number";
        return -1;
    }
    if (v > max) {
        *why = "out of range";
        return -1;
    }
    *out = v;
    return 0;
}

int
gp_parse_double(const char *s, double *out, const char **why)
{
    struct decimal d;
    const char *p = s;
    double v;

    if (parse_decimal(&p, &d, 1, why) < 0)
        return -1;
    if (*p) {
        *why = "expected a number";
        return -1;
    }
    v = decimal_value(&d);
    if (!isfinite(v)) {
        *why = "out of range";
        return -1;
    }
    *out = v;
    return 0;
}

const char *
gp_format_bytes(uint64_t b, char *buf)
{
    static const char *const names[] = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
    int i;

    for (i = 0; i < 6; i++) {
        uint64_t m = 1ull << (10 * (6 - i));

        if (b && b % m == 0) {
            snprintf(buf, 32, "%llu%s", (unsigned long long)(b / m), names[i]);
            return buf;
        }
    }
    snprintf(buf, 32, "%llu", (unsigned long long)b);
    return buf;
}

const char *
gp_format_duration(double s, char *buf)
{
    if (s == 0)
        snprintf(buf, 32, "0s");
    else if (s < 1e-3)
        snprintf(buf, 32, "%.4gus", s * 1e6);
    else if (s < 1.0)
        snprintf(buf, 32, "%.4gms", s * 1e3);
    else
        snprintf(buf, 32, "%.4gs", s);
    return buf;
}
