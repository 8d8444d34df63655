/* SPDX-License-Identifier: MIT */
/* tests/fuzz/fuzz_dcgm.c: 'gpuplan import dcgm' on one dcgm-exporter
 * scrape (Prometheus text exposition). */
#include "fuzz.h"

#include <stdlib.h>

#include "base/arena.h"
#include "base/diag.h"
#include "import/import.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    char *text = gp_fuzz_text(data, size);
    struct gp_import_src src = {"metrics.txt", text, size};
    struct gp_dcgm_report *r = NULL;
    size_t i;

    gp_diags_add_source(d, src.file, text, size);
    if (gp_import_dcgm(&r, a, &src, 1, NULL, d) == 0) {
        GP_FUZZ_ASSERT(gp_diags_errors(d) == 0);
        for (i = 0; i < r->n_rows; i++) {
            GP_FUZZ_ASSERT(r->rows[i].name != NULL);
            GP_FUZZ_ASSERT(r->rows[i].util.n == 0 ||
                           r->rows[i].util.max >= 0);
        }
    } else {
        GP_FUZZ_ASSERT(gp_diags_errors(d) > 0);
    }
    gp_fuzz_print(d, src.file, text, size);
    gp_arena_free(a);
    free(text);
    return 0;
}
