/* SPDX-License-Identifier: MIT */
/* gen/generate.h: seeded synthetic inventories, for benchmarks and tests at
 * sizes nobody writes by hand (10,000 nodes, 100,000 replicas). The output
 * is an Inventory document (docs/inventory.md) that gp_inventory_parse
 * accepts without a diagnostic: node pools of catalogued GPU models with
 * approximate cloud prices, and workloads drawn from archetypes (small
 * latency-bound inference, vision and speech, LLMs, batch, notebooks,
 * training) whose demand is kept well under the fleet's capacity, so that a
 * good planner can place all of it. */
#ifndef GPUPLAN_GEN_GENERATE_H
#define GPUPLAN_GEN_GENERATE_H

#include <stdint.h>

struct gp_catalog;
struct gp_diags;
struct gp_strbuf;

#define GP_GEN_MAX_NODES 1000000u
#define GP_GEN_MAX_REPLICAS 10000000ull

/* The share of the fleet's GPUs that the generated workloads may need
 * (estimated, see generate.c); beyond it the generator swaps heavy
 * workloads for light ones, and warns when even that is not enough. */
#define GP_GEN_MAX_LOAD 0.7

struct gp_gen_opts {
    uint64_t seed;      /* any value; the same opts give the same bytes */
    uint32_t nodes;     /* 1..GP_GEN_MAX_NODES, the exact node total */
    uint64_t replicas;  /* 1..GP_GEN_MAX_REPLICAS, the exact replica total
                         * over all workloads */
};

/* Appends one Inventory document (YAML, preceded by '#' comment lines that
 * say how it was made) to 'out'. Deterministic: the same opts and the same
 * catalogue give byte-identical output on one platform (GSL's mt19937 and
 * its distributions, no clock, no environment).
 *
 * Returns 0, or -1 with an error in 'd' when opts are out of range or the
 * catalogue lacks every GPU model the generator draws from; 'out' is then
 * unchanged. A warning in 'd' (return 0) means the replica total is too
 * large for the node total: the demand estimate stays above
 * GP_GEN_MAX_LOAD even with every workload at its lightest. */
int gp_generate_inventory(const struct gp_gen_opts *o,
                          const struct gp_catalog *cat, struct gp_strbuf *out,
                          struct gp_diags *d);

#endif
