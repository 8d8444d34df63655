/* SPDX-License-Identifier: MIT */
/* bench/bench_mig.c: time enumerating every layout (--all, variants
 * included) and every maximal layout of every catalogued MIG model.
 * Target (issue 2): under 10 ms in total. */
#include <stdio.h>
#include <time.h>

#include "bench.h"
#include "base/arena.h"
#include "base/diag.h"
#include "mig/geometry.h"
#include "model/gpu.h"

int
main(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_catalog *c;
    double best = 1e9;
    size_t total = 0, models = 0, i;
    int rep;

    if (gp_catalog_load(&c, a, NULL, d) < 0) {
        gp_diags_print(d, stderr);
        return 1;
    }
    for (rep = 0; rep < 20; rep++) {
        double t0 = bench_now();

        total = 0;
        models = 0;
        for (i = 0; i < c->n; i++) {
            const struct gp_mig_spec *m = c->v[i]->mig;

            if (!m)
                continue;
            models++;
            total += gp_mig_enumerate(m, NULL, 0, false, NULL, NULL);
            total += gp_mig_enumerate(m, NULL, 0, true, NULL, NULL);
        }
        if (bench_now() - t0 < best)
            best = bench_now() - t0;
    }
    printf("mig_enumerate_all_models: %zu models, %zu layouts, best of 20: "
           "%.3f ms (target < 10 ms)\n",
           models, total, best * 1e3);
    gp_arena_free(a);
    return best < 0.010 ? 0 : 1;
}
