/* SPDX-License-Identifier: MIT */
/* tests/fuzz/fuzz_scenario.c: simulation scenarios (gpuplan simulate),
 * then the analytic estimate on every scenario the loader accepts (the
 * event engine runs for simulated minutes: too slow to fuzz). */
#include "fuzz.h"

#include <stdlib.h>

#include "base/arena.h"
#include "base/diag.h"
#include "sim/analytic.h"
#include "sim/scenario.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct gp_catalog *cat = gp_fuzz_catalog();
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    char *text = gp_fuzz_text(data, size);
    struct gp_scenario *s = NULL;

    gp_diags_add_source(d, "fuzz.yaml", text, size);
    if (gp_scenario_parse(&s, a, "fuzz.yaml", text, size, cat, NULL, d) ==
        0) {
        struct gp_sim_result *r = NULL;

        GP_FUZZ_ASSERT(gp_diags_errors(d) == 0);
        gp_analytic_run(&r, a, s);
    } else {
        GP_FUZZ_ASSERT(gp_diags_errors(d) > 0);
    }
    gp_fuzz_print(d, "fuzz.yaml", text, size);
    gp_arena_free(a);
    free(text);
    return 0;
}
