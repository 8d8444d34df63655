/* SPDX-License-Identifier: MIT */
/* tests/fuzz/fuzz_mig.c: MIG profile lists as given on the command line
 * ('gpuplan mig validate --gpu G 3g.40gb,1g.10gb', 'mig layouts
 * --profiles LIST'): the first byte picks one of the built-in MIG models,
 * the rest is the list. Every list that parses is validated (placements
 * searched) and enumerated as a profile filter. */
#include "fuzz.h"

#include <stdlib.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "mig/geometry.h"
#include "model/gpu.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct gp_catalog *cat = gp_fuzz_catalog();
    const struct gp_gpu_model *migs[64], *m;
    const struct gp_mig_profile *want[GP_MIG_MAX_SLICES];
    const struct gp_mig_profile *profs[GP_MIG_MAX_PROFILES];
    struct gp_arena *a;
    struct gp_diags *d;
    struct gp_strbuf why = GP_STRBUF_INIT;
    struct gp_mig_check chk;
    const char *list;
    char *text;
    size_t i, n_migs = 0, n = 0;

    if (size < 1)
        return 0;
    for (i = 0; i < cat->n && n_migs < 64; i++) {
        if (cat->v[i]->mig)
            migs[n_migs++] = cat->v[i];
    }
    m = migs[data[0] % n_migs];
    text = gp_fuzz_text(data + 1, size - 1);
    list = text;
    a = gp_arena_new();
    d = gp_diags_new(a);
    if (gp_mig_parse_list(want, &n, GP_MIG_MAX_SLICES, m, &list, 1, d) == 0) {
        GP_FUZZ_ASSERT(n <= GP_MIG_MAX_SLICES);
        if (n) {
            gp_mig_check(&chk, m->mig, want, n, &why);
            GP_FUZZ_ASSERT(chk.verdict == GP_MIG_FITS
                               ? chk.placed.n == n
                               : why.len > 0);
        }
    } else {
        GP_FUZZ_ASSERT(gp_diags_errors(d) > 0);
    }
    gp_diags_reset(d);
    if (gp_mig_parse_list(profs, &n, GP_MIG_MAX_PROFILES, m, &list, 1, d) ==
            0 &&
        n)
        gp_mig_enumerate(m->mig, profs, n, data[0] & 0x80, NULL, NULL);
    gp_fuzz_print(d, NULL, NULL, 0);
    gp_strbuf_release(&why);
    gp_arena_free(a);
    free(text);
    return 0;
}
