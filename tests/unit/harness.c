/* SPDX-License-Identifier: MIT */
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int gp_test_failed_checks;

void
gp_check(bool ok, const char *file, int line, const char *expr)
{
    if (ok)
        return;
    gp_test_failed_checks++;
    fprintf(stderr, "  %s:%d: check failed: %s\n", file, line, expr);
}

void
gp_check_int(long long got, long long want, const char *file, int line,
             const char *expr)
{
    if (got == want)
        return;
    gp_test_failed_checks++;
    fprintf(stderr, "  %s:%d: %s\n    got:      %lld\n    expected: %lld\n",
            file, line, expr, got, want);
}

void
gp_check_str(const char *got, const char *want, const char *file, int line,
             const char *expr)
{
    if (got && want && strcmp(got, want) == 0)
        return;
    if (!got && !want)
        return;
    gp_test_failed_checks++;
    fprintf(stderr, "  %s:%d: %s\n    got:      %s\n    expected: %s\n", file,
            line, expr, got ? got : "(null)", want ? want : "(null)");
}

void
gp_check_dbl(double got, double want, double tol, const char *file, int line,
             const char *expr)
{
    if (fabs(got - want) <= tol)
        return;
    gp_test_failed_checks++;
    fprintf(stderr, "  %s:%d: %s\n    got:      %.9g\n    expected: %.9g "
                    "(within %g)\n",
            file, line, expr, got, want, tol);
}
