/* SPDX-License-Identifier: MIT */
/* tests/unit/harness.h: a minimal unit-test harness (after cmark's): each
 * check prints what it got and what it expected when it fails. */
#ifndef GPUPLAN_TESTS_HARNESS_H
#define GPUPLAN_TESTS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

struct gp_test {
    const char *name;
    void (*fn)(void);
};

extern int gp_test_failed_checks;

void gp_check(bool ok, const char *file, int line, const char *expr);
void gp_check_int(long long got, long long want, const char *file, int line,
                  const char *expr);
void gp_check_str(const char *got, const char *want, const char *file,
                  int line, const char *expr);
void gp_check_dbl(double got, double want, double tol, const char *file,
                  int line, const char *expr);

#define OK(e) gp_check((e), __FILE__, __LINE__, #e)
#define INT_EQ(g, w) gp_check_int((long long)(g), (long long)(w), __FILE__, \
                                  __LINE__, #g)
#define STR_EQ(g, w) gp_check_str((g), (w), __FILE__, __LINE__, #g)
#define DBL_NEAR(g, w, t) gp_check_dbl((g), (w), (t), __FILE__, __LINE__, #g)

#endif
