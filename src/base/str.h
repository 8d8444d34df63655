/* SPDX-License-Identifier: MIT */
/* base/str.h: small string helpers: ASCII case folding, edit distance and
 * "did you mean" suggestions, Kubernetes name and label checks. */
#ifndef GPUPLAN_BASE_STR_H
#define GPUPLAN_BASE_STR_H

#include <stdbool.h>
#include <stddef.h>

int gp_str_casecmp(const char *a, const char *b);
bool gp_str_eq(const char *a, const char *b);
bool gp_str_has_prefix(const char *s, const char *prefix);
bool gp_str_has_suffix(const char *s, const char *suffix);

/* Case-insensitive Levenshtein distance, capped at 'cap' (returns cap when
 * the distance is at least cap) so long hostile strings stay cheap. */
size_t gp_str_distance(const char *a, const char *b, size_t cap);

/* The candidate closest to 'word', or NULL when none is close enough to be a
 * plausible typo. Ties go to the earliest candidate. */
const char *gp_did_you_mean(const char *word, const char *const *cands,
                            size_t n);

/* Kubernetes naming rules. On failure *why says which rule was broken. */
bool gp_k8s_dns_label(const char *s, const char **why);     /* RFC 1123 label */
bool gp_k8s_dns_subdomain(const char *s, const char **why); /* RFC 1123 subdomain */
bool gp_k8s_label_key(const char *s, const char **why);
bool gp_k8s_label_value(const char *s, const char **why);

/* True when s is valid UTF-8 without NUL or C0 controls other than \t. */
bool gp_str_printable_utf8(const char *s, size_t n);
/* Bytes of s that are well-formed UTF-8 from the start: n when all are. */
size_t gp_str_utf8_valid_prefix(const char *s, size_t n);

#endif
