/* SPDX-License-Identifier: MIT */
/* yaml/yget.h: typed, range-checked reads of gp_ynode values for the schema
 * loaders. Each getter reports a problem at the value's location with the key
 * it was found under, and returns -1; it never stops the caller, so a loader
 * can go on and report every problem in a file in one run. */
#ifndef GPUPLAN_YAML_YGET_H
#define GPUPLAN_YAML_YGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yaml/ydoc.h"

/* Checks that n is a mapping, that every key is one of 'keys' (unknown keys
 * get a did-you-mean) and that every key of 'required' is present. Both lists
 * end with NULL. 'what' names the mapping ("node pool"). Returns -1 only when
 * n is not a mapping; key problems are recorded and 0 is returned. */
int gp_ymap_expect(const struct gp_ynode *n, const char *what,
                   const char *const *keys, const char *const *required,
                   struct gp_diags *d);
/* Checks that n is a sequence; null counts as an empty sequence. */
int gp_yseq_expect(const struct gp_ynode *n, const char *key,
                   struct gp_diags *d);

int gp_yget_str(const struct gp_ynode *n, const char *key, const char **out,
                struct gp_diags *d);
int gp_yget_uint(const struct gp_ynode *n, const char *key, uint64_t min,
                 uint64_t max, uint64_t *out, struct gp_diags *d);
int gp_yget_double(const struct gp_ynode *n, const char *key, double min,
                   double max, double *out, struct gp_diags *d);
int gp_yget_bool(const struct gp_ynode *n, const char *key, bool *out,
                 struct gp_diags *d);
/* Memory quantity in bytes ("16Gi"); min/max in bytes. */
int gp_yget_bytes(const struct gp_ynode *n, const char *key, uint64_t min,
                  uint64_t max, uint64_t *out, struct gp_diags *d);
/* Duration in seconds ("8ms"); min_excl: the value must be > min. */
int gp_yget_duration(const struct gp_ynode *n, const char *key, double min,
                     bool min_excl, double max, double *out,
                     struct gp_diags *d);
/* Fraction ("500m", "0.5", "50%"). */
int gp_yget_fraction(const struct gp_ynode *n, const char *key, double min,
                     bool min_excl, double max, double *out,
                     struct gp_diags *d);
/* One of 'values' (NULL-terminated); OUT: index. */
int gp_yget_enum(const struct gp_ynode *n, const char *key,
                 const char *const *values, size_t *out, struct gp_diags *d);

/* The scalar's location with the underline covering the whole value. */
struct gp_loc gp_ynode_loc(const struct gp_ynode *n);

#endif
