/* SPDX-License-Identifier: MIT */
/* tests/fuzz/fuzz_model.c: GPU model files (models/NAME.yaml, --models DIR),
 * and what a loaded model feeds: MIG layout enumeration and validation,
 * which must stay bounded for any model the loader accepts. */
#include "fuzz.h"

#include <stdlib.h>

#include "base/arena.h"
#include "base/diag.h"
#include "mig/geometry.h"
#include "model/gpu.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    char *text = gp_fuzz_text(data, size);
    const struct gp_gpu_model *m = NULL;

    gp_diags_add_source(d, "fuzz.yaml", text, size);
    if (gp_model_parse(&m, a, "fuzz.yaml", text, size, d) == 0) {
        GP_FUZZ_ASSERT(gp_diags_errors(d) == 0);
        GP_FUZZ_ASSERT(m && m->id);
        (void)gp_model_cc_at_least(m, 8, 0);
        if (m->mig && gp_mig_spec_check(m, d) == 0) {
            const struct gp_mig_profile *want[GP_MIG_MAX_SLICES];
            struct gp_mig_check chk;
            size_t i, n = 0;

            gp_mig_enumerate(m->mig, NULL, 0, true, NULL, NULL);
            /* Every profile once, then the first again and again. */
            for (i = 0; i < m->mig->n_profiles && n < GP_MIG_MAX_SLICES; i++)
                want[n++] = &m->mig->profiles[i];
            while (n < GP_MIG_MAX_SLICES)
                want[n++] = &m->mig->profiles[0];
            for (i = 1; i <= n; i++)
                gp_mig_check(&chk, m->mig, want, i, NULL);
        }
    } else {
        GP_FUZZ_ASSERT(gp_diags_errors(d) > 0);
    }
    gp_fuzz_print(d, "fuzz.yaml", text, size);
    gp_arena_free(a);
    free(text);
    return 0;
}
