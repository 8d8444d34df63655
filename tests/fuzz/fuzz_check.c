/* SPDX-License-Identifier: MIT */
/* tests/fuzz/fuzz_check.c: gpuplan check on one file: Kubernetes
 * ConfigMaps with the device-plugin and mig-parted configs embedded in
 * their strings (parsed again, positions mapped back), ClusterPolicy,
 * Node and NodeLabels objects, workloads and Lists of them, bare configs;
 * then the cluster rules. No inventory: the fit rules simulate, too slow
 * to fuzz (docs/fuzzing.md). */
#include "fuzz.h"

#include <stdlib.h>

#include "base/arena.h"
#include "base/diag.h"
#include "check/check.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gp_check_opts o = {gp_fuzz_catalog(), NULL, false, 1};
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_check_text in = {"fuzz.yaml", (const char *)data, size};
    size_t n, i;
    const struct gp_diag *v;

    if (gp_check_texts(a, &in, 1, &o, d) < 0)
        GP_FUZZ_ASSERT(gp_diags_errors(d) > 0);
    v = gp_diags_sorted(d, &n);
    for (i = 0; i < n; i++) {
        /* Every finding of a rule is one of the documented rules. */
        GP_FUZZ_ASSERT(!v[i].rule || gp_check_rule_find(v[i].rule));
    }
    gp_fuzz_print(d, "fuzz.yaml", (const char *)data, size);
    gp_arena_free(a);
    return 0;
}
