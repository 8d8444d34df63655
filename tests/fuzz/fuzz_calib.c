/* SPDX-License-Identifier: MIT */
/* tests/fuzz/fuzz_calib.c: calibration files (simulate --calibration). */
#include "fuzz.h"

#include <math.h>
#include <stdlib.h>

#include "base/arena.h"
#include "base/diag.h"
#include "sim/calib.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    char *text = gp_fuzz_text(data, size);
    struct gp_calib c;

    gp_diags_add_source(d, "fuzz.yaml", text, size);
    if (gp_calib_parse(&c, a, "fuzz.yaml", text, size, d) == 0) {
        GP_FUZZ_ASSERT(gp_diags_errors(d) == 0);
        GP_FUZZ_ASSERT(isfinite(c.timeslice_s) && c.timeslice_s > 0);
        GP_FUZZ_ASSERT(isfinite(c.hol_fraction));
    } else {
        GP_FUZZ_ASSERT(gp_diags_errors(d) > 0);
    }
    gp_fuzz_print(d, "fuzz.yaml", text, size);
    gp_arena_free(a);
    free(text);
    return 0;
}
