/* SPDX-License-Identifier: MIT */
/* base/units.h: strict parsers for the quantities users write: Kubernetes
 * resource quantities ("16Gi", "9984Mi", "500m"), Go-style durations ("8ms",
 * "1m30s") and plain numbers. No atoi/strtod on raw input: each parser checks
 * the whole string, rejects inf/nan/hex, and never overflows. On failure they
 * return -1 and point *why at a static explanation. */
#ifndef GPUPLAN_BASE_UNITS_H
#define GPUPLAN_BASE_UNITS_H

#include <stdint.h>

/* Bytes from a quantity; fractional bytes round up, as Kubernetes does. */
int gp_parse_bytes(const char *s, uint64_t *out, const char **why);
/* A dimensionless quantity: "500m", "0.5", "50%", "1". */
int gp_parse_fraction(const char *s, double *out, const char **why);
/* Seconds from a duration with units: ns, us, µs, ms, s, m, h. */
int gp_parse_duration(const char *s, double *out_s, const char **why);
/* A non-negative decimal integer no larger than max. */
int gp_parse_uint(const char *s, uint64_t max, uint64_t *out, const char **why);
/* A finite decimal number ("12", "-3.5", "1e3"). */
int gp_parse_double(const char *s, double *out, const char **why);

/* Formats bytes the way Kubernetes users write them: "80Gi", "9984Mi", or
 * plain bytes when not a whole MiB. buf must hold 32 bytes. */
const char *gp_format_bytes(uint64_t bytes, char *buf);
/* Formats seconds as "1.5ms", "250us", "2s" with up to 3 significant
 * decimals. buf must hold 32 bytes. */
const char *gp_format_duration(double s, char *buf);

#endif
