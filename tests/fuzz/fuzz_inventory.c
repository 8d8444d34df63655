/* SPDX-License-Identifier: MIT */
/* tests/fuzz/fuzz_inventory.c: inventories and workload files
 * (gpuplan validate, recommend, report), against the built-in catalogue. */
#include "fuzz.h"

#include <stdlib.h>

#include "base/arena.h"
#include "base/diag.h"
#include "inventory/inventory.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct gp_catalog *cat = gp_fuzz_catalog();
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    char *text = gp_fuzz_text(data, size);
    struct gp_inventory *inv = NULL;
    size_t i;

    gp_diags_add_source(d, "fuzz.yaml", text, size);
    if (gp_inventory_parse(&inv, a, "fuzz.yaml", text, size, cat, d) == 0) {
        GP_FUZZ_ASSERT(gp_diags_errors(d) == 0);
        for (i = 0; i < inv->n_pools; i++) {
            GP_FUZZ_ASSERT(inv->pools[i].gpu != NULL);
            GP_FUZZ_ASSERT(inv->pools[i].nodes > 0);
        }
        for (i = 0; i < inv->n_loads; i++) {
            double duty = gp_workload_duty(&inv->loads[i]);

            GP_FUZZ_ASSERT(inv->loads[i].replicas > 0);
            GP_FUZZ_ASSERT(duty >= 0);
        }
    } else {
        GP_FUZZ_ASSERT(gp_diags_errors(d) > 0);
    }
    gp_fuzz_print(d, "fuzz.yaml", text, size);
    gp_arena_free(a);
    free(text);
    return 0;
}
