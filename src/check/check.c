/* SPDX-License-Identifier: MIT */
/* check/check.c: the passes of 'gpuplan check', in order (check_int.h). */
#include "check/check_int.h"

#include <string.h>

int
gp_check_files(struct gp_arena *a, const char *const *files, size_t n,
               const struct gp_check_opts *o, struct gp_diags *d)
{
    struct ck ck;
    int rc;

    memset(&ck, 0, sizeof(ck));
    ck.a = a;
    ck.d = d;
    ck.o = o;
    rc = ck_load(&ck, files, n);
    ck_cluster(&ck);
    ck_fit(&ck);
    return rc;
}
