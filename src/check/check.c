/* SPDX-License-Identifier: MIT */
/* check/check.c: the passes of 'gpuplan check', in order (check_int.h). */
#include "check/check_int.h"

#include <string.h>

static int
run(struct gp_arena *a, const char *const *files,
    const struct gp_check_text *texts, size_t n,
    const struct gp_check_opts *o, struct gp_diags *d)
{
    struct ck ck;
    int rc;

    memset(&ck, 0, sizeof(ck));
    ck.a = a;
    ck.d = d;
    ck.o = o;
    rc = files ? ck_load(&ck, files, n) : ck_load_texts(&ck, texts, n);
    ck_cluster(&ck);
    ck_fit(&ck);
    return rc;
}

int
gp_check_files(struct gp_arena *a, const char *const *files, size_t n,
               const struct gp_check_opts *o, struct gp_diags *d)
{
    return run(a, files, NULL, n, o, d);
}

int
gp_check_texts(struct gp_arena *a, const struct gp_check_text *in, size_t n,
               const struct gp_check_opts *o, struct gp_diags *d)
{
    return run(a, NULL, in, n, o, d);
}
