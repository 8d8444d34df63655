/* SPDX-License-Identifier: MIT */
#include "base/str.h"

#include <stdint.h>
#include <string.h>

static int
lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

int
gp_str_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = lower((unsigned char)*a), cb = lower((unsigned char)*b);

        if (ca != cb || !ca)
            return ca - cb;
    }
}

bool
gp_str_eq(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

bool
gp_str_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
gp_str_has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

size_t
gp_str_distance(const char *a, const char *b, size_t cap)
{
    size_t n = strlen(a), m = strlen(b), i, j;
    size_t row[65];

    if (n > 64 || m > 64)
        return cap;
    if ((n > m ? n - m : m - n) >= cap)
        return cap;
    for (j = 0; j <= m; j++)
        row[j] = j;
    for (i = 1; i <= n; i++) {
        size_t diag = row[0], best;

        row[0] = i;
        best = row[0];
        for (j = 1; j <= m; j++) {
            size_t up = row[j];
            size_t cost = lower((unsigned char)a[i - 1]) !=
                          lower((unsigned char)b[j - 1]);
            size_t v = diag + cost;

            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            if (up + 1 < v)
                v = up + 1;
            row[j] = v;
            diag = up;
            if (v < best)
                best = v;
        }
        if (best >= cap)
            return cap;
    }
    return row[m] < cap ? row[m] : cap;
}

const char *
gp_did_you_mean(const char *word, const char *const *cands, size_t n)
{
    size_t len = strlen(word), limit, best_d, i;
    const char *best = NULL;

    /* A third of the word, at least 2 edits: catches 'memroy' and 'replica'
     * without proposing 'name' for 'gpu'. */
    limit = len / 3 > 2 ? len / 3 : 2;
    if (len <= 2)
        limit = 1;
    best_d = limit + 1;
    for (i = 0; i < n; i++) {
        size_t d = gp_str_distance(word, cands[i], best_d);

        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    return best;
}

static bool
is_alnum_lower(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_alnum(char c)
{
    return is_alnum_lower(c) || (c >= 'A' && c <= 'Z');
}

bool
gp_k8s_dns_label(const char *s, const char **why)
{
    size_t n = strlen(s), i;

    if (n == 0 || n > 63) {
        *why = "must be 1 to 63 characters";
        return false;
    }
    for (i = 0; i < n; i++) {
        if (!is_alnum_lower(s[i]) && s[i] != '-') {
            *why = "must consist of lower case alphanumeric characters or '-'";
            return false;
        }
    }
    if (s[0] == '-' || s[n - 1] == '-') {
        *why = "must start and end with an alphanumeric character";
        return false;
    }
    return true;
}

bool
gp_k8s_dns_subdomain(const char *s, const char **why)
{
    size_t n = strlen(s), i;

    if (n == 0 || n > 253) {
        *why = "must be 1 to 253 characters";
        return false;
    }
    for (i = 0; i < n; i++) {
        if (!is_alnum_lower(s[i]) && s[i] != '-' && s[i] != '.') {
            *why = "must consist of lower case alphanumeric characters, '-' "
                   "or '.'";
            return false;
        }
        if (s[i] == '.' && (i == 0 || s[i - 1] == '.' || s[i - 1] == '-' ||
                            !is_alnum_lower(s[i + 1]))) {
            *why = "each dot-separated part must start and end with an "
                   "alphanumeric character";
            return false;
        }
    }
    if (!is_alnum_lower(s[0]) || !is_alnum_lower(s[n - 1])) {
        *why = "must start and end with an alphanumeric character";
        return false;
    }
    return true;
}

/* Label names and values share one rule: up to 63 of [A-Za-z0-9-_.],
 * alphanumeric at both ends. */
static bool
label_name(const char *s, size_t n, bool allow_empty, const char **why)
{
    size_t i;

    if (n == 0) {
        if (!allow_empty)
            *why = "must not be empty";
        return allow_empty;
    }
    if (n > 63) {
        *why = "must be no more than 63 characters";
        return false;
    }
    for (i = 0; i < n; i++) {
        if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.') {
            *why = "must consist of alphanumeric characters, '-', '_' or '.'";
            return false;
        }
    }
    if (!is_alnum(s[0]) || !is_alnum(s[n - 1])) {
        *why = "must start and end with an alphanumeric character";
        return false;
    }
    return true;
}

bool
gp_k8s_label_key(const char *s, const char **why)
{
    const char *slash = strchr(s, '/');

    if (slash) {
        char prefix[254];
        size_t pn = (size_t)(slash - s);

        if (pn == 0 || pn > 253) {
            *why = "prefix must be a DNS subdomain of at most 253 characters";
            return false;
        }
        memcpy(prefix, s, pn);
        prefix[pn] = '\0';
        if (!gp_k8s_dns_subdomain(prefix, why))
            return false;
        s = slash + 1;
        if (strchr(s, '/')) {
            *why = "must contain at most one '/'";
            return false;
        }
    }
    return label_name(s, strlen(s), false, why);
}

bool
gp_k8s_label_value(const char *s, const char **why)
{
    return label_name(s, strlen(s), true, why);
}

/* Bytes of the well-formed UTF-8 sequence at s[i], or 0 when it is not one
 * (overlong, a surrogate, past U+10FFFF, cut short). */
static size_t
utf8_seq(const char *s, size_t n, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    size_t k, len;
    uint32_t cp;

    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0) {
        len = 2;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (i + len > n)
        return 0;
    for (k = 1; k < len; k++) {
        unsigned char cc = (unsigned char)s[i + k];

        if ((cc & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

bool
gp_str_printable_utf8(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t len;

        if (c < 0x80 && ((c < 0x20 && c != '\t') || c == 0x7f))
            return false;
        if ((len = utf8_seq(s, n, i)) == 0)
            return false;
        i += len;
    }
    return true;
}

size_t
gp_str_utf8_valid_prefix(const char *s, size_t n)
{
    size_t i = 0, len;

    while (i < n) {
        /* ASCII eight bytes at a time: exports are almost all ASCII and
         * can be hundreds of megabytes. */
        while (i + 8 <= n) {
            uint64_t w;

            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        if ((len = utf8_seq(s, n, i)) == 0)
            return i;
        i += len;
    }
    return n;
}
