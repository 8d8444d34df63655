/* SPDX-License-Identifier: MIT */
/* mig/geometry.h: which MIG layouts a GPU accepts. The rules are NVIDIA's
 * placement tables (nvidia-smi mig -lgipp): each instance takes a fixed run of
 * memory slices at one of its profile's allowed starts, instances never
 * overlap, per-profile instance caps hold, and the media engines of all
 * instances fit the GPU's engine budget (which is what limits +me profiles).
 * Pure functions of the catalogue: no I/O, no globals. */
#ifndef GPUPLAN_MIG_GEOMETRY_H
#define GPUPLAN_MIG_GEOMETRY_H

#include <stdbool.h>
#include <stddef.h>

#include "model/gpu.h"

struct gp_strbuf;

struct gp_mig_instance {
    const struct gp_mig_profile *profile;
    uint32_t start;
};

/* Instances in ascending start order. */
struct gp_mig_layout {
    struct gp_mig_instance inst[GP_MIG_MAX_SLICES];
    uint32_t n;
};

typedef void (*gp_mig_layout_fn)(const struct gp_mig_layout *l, void *ctx);

/* Calls fn for every non-empty valid layout built from 'profiles' (all of
 * them when NULL), or only for maximal ones (no further instance of those
 * profiles fits). Layouts come in a fixed order: by the start of their first
 * instance, then by profile order. Returns the number of layouts. */
size_t gp_mig_enumerate(const struct gp_mig_spec *m,
                        const struct gp_mig_profile *const *profiles,
                        size_t n_profiles, bool maximal_only,
                        gp_mig_layout_fn fn, void *ctx);

/* Steps (partial layouts visited) the enumeration of a model's layouts may
 * take. The built-in models have at most 2,318 layouts (A100 40GB, every
 * profile); a model file that needs more than this is refused
 * (gp_mig_spec_check), so enumerating the layouts of any loaded model
 * stays fast. */
#define GP_MIG_MAX_WALK 100000u

/* Refuses (error at the model's location) a MIG section whose layouts are
 * too many to enumerate within GP_MIG_MAX_WALK steps. Returns 0 or -1. */
int gp_mig_spec_check(const struct gp_gpu_model *m, struct gp_diags *d);

/* The profiles counted by default: every profile without a media or
 * graphics suffix (+me, +me.all, +gfx, -me), in catalogue order.
 * OUT: profs (room for GP_MIG_MAX_PROFILES). Returns the count. */
size_t gp_mig_base_profiles(const struct gp_mig_spec *m,
                            const struct gp_mig_profile **profs,
                            bool with_variants);

enum gp_mig_verdict {
    GP_MIG_FITS,
    GP_MIG_TOO_MANY_OF_PROFILE, /* a profile's instance cap */
    GP_MIG_TOO_MANY_INSTANCES,  /* the GPU's instance cap */
    GP_MIG_ENGINES,             /* media engine budget */
    GP_MIG_TOO_MUCH_MEMORY,     /* more memory slices than the GPU has */
    GP_MIG_NO_ARRANGEMENT,      /* enough slices, but placements collide */
};

struct gp_mig_check {
    enum gp_mig_verdict verdict;
    struct gp_mig_layout placed; /* when it fits: the placements */
};

/* Decides whether the multiset 'want' (n profiles, repeats allowed) fits one
 * GPU and finds explicit placements (largest first, as NVIDIA advises). When
 * it does not fit, 'why' (may be NULL) receives a one-paragraph explanation
 * naming the colliding instances, the profile over its count or the engine
 * over budget. */
void gp_mig_check(struct gp_mig_check *out, const struct gp_mig_spec *m,
                  const struct gp_mig_profile *const *want, size_t n,
                  struct gp_strbuf *why);

/* Splits comma-separated lists of profile names ("3g.40gb, 1g.10gb", as
 * given on the command line) into profiles of 'm', in order; blanks around
 * names and empty items are skipped. An unknown name is an error with the
 * profile this GPU most likely means; more than 'cap' names stop the parse.
 * Errors carry no file (command-line input). OUT: out (room for cap), *n.
 * Returns 0, or -1 with every problem in 'd'. */
int gp_mig_parse_list(const struct gp_mig_profile **out, size_t *n,
                      size_t cap, const struct gp_gpu_model *m,
                      const char *const *lists, size_t n_lists,
                      struct gp_diags *d);

/* "3g.40gb@0 3g.40gb@4" */
void gp_mig_layout_format(const struct gp_mig_layout *l, struct gp_strbuf *sb);

#endif
