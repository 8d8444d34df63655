/* SPDX-License-Identifier: MIT */
/* bench/bench_sim.c: the event engine's speed (issue 3 targets).
 *  1. One simulated hour of 8 co-located workloads at 1,000 requests/s each
 *     (MPS, 50 us requests): under 2 s.
 *  2. Events per second of wall time on one core, for MPS and for
 *     time-slicing: at least 10 million. An event is a kernel burst
 *     starting or ending on the GPU, a request arriving, a host sync
 *     returning, a slice expiring or a context switch ending.
 *  3. Peak resident memory stays flat as the simulated time grows. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench.h"
#include "base/arena.h"
#include "base/diag.h"
#include "model/gpu.h"
#include "sim/engine.h"
#include "sim/scenario.h"

static long
peak_rss_kib(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static const char *const SCEN =
    "apiVersion: gpuplan.dev/v1alpha1\nkind: Scenario\n"
    "workloads:\n"
    "- {name: w, replicas: 8, gpuMemory: 1Gi, compute: {serviceTime: 50us, "
    "smFraction: 0.1, memoryBound: 0.3}, traffic: {pattern: poisson, "
    "requestsPerSecond: 8000}}\n"
    "- {name: c, gpuMemory: 1Gi, compute: {serviceTime: 30us, smFraction: 0.2,"
    " syncsPerRequest: 3}, traffic: {pattern: continuous}}\n"
    "gpus:\n"
    "- {name: mps8, model: H100-SXM5-80GB, sharing: {strategy: mps}, "
    "workloads: [w, w, w, w, w, w, w, w]}\n"
    "- {name: ts4, model: H100-SXM5-80GB, sharing: {strategy: time-slicing}, "
    "workloads: [c, c, c, c]}\n";

static void
run(const struct gp_sim_gpu *g, double dur, const char *what)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_sim_domain_result r;
    double t0 = bench_now(), dt;
    uint64_t done = 0;
    size_t i;

    gp_sim_domain(&r, a, g, &g->domains[0], dur, 0, 1);
    dt = bench_now() - t0;
    for (i = 0; i < g->domains[0].n_procs; i++)
        done += r.procs[i].completed;
    printf("%-44s %8.0f s simulated in %6.3f s: %6.2f M events/s, %llu "
           "requests, peak RSS %ld KiB\n",
           what, dur, dt, (double)r.events / dt / 1e6,
           (unsigned long long)done, peak_rss_kib());
    gp_arena_free(a);
}

int
main(int argc, char **argv)
{
    /* --quick: the first minute only, for profilers */
    bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;

    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_catalog *c;
    struct gp_scenario *s;

    if (gp_catalog_load(&c, a, NULL, d) < 0 ||
        gp_scenario_parse(&s, a, "bench", SCEN, strlen(SCEN), c, NULL, d) < 0) {
        gp_diags_print(d, stderr);
        return 1;
    }
    run(&s->gpus[0], 60, "MPS, 8 x 1000 req/s (warm-up)");
    if (quick) {
        gp_arena_free(a);
        return 0;
    }
    run(&s->gpus[0], 3600, "MPS, 8 x 1000 req/s, 1 h (target < 2 s)");
    run(&s->gpus[0], 7200, "MPS, 8 x 1000 req/s, 2 h (memory flat?)");
    run(&s->gpus[1], 600, "time-slicing, 4 x continuous 3-burst requests");
    gp_arena_free(a);
    return 0;
}
