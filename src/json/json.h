/* SPDX-License-Identifier: MIT */
/* json/json.h: JSON output (and later input) through cJSON, which no other
 * module sees. Numbers are rounded here, before cJSON prints them, so output
 * is byte-stable: cJSON prints %.15g and would leak float noise otherwise. */
#ifndef GPUPLAN_JSON_JSON_H
#define GPUPLAN_JSON_JSON_H

#include <stdbool.h>
#include <stddef.h>

struct gp_json;

struct gp_json *gp_json_object(void);
struct gp_json *gp_json_array(void);
/* Frees a value and everything under it. Accepts NULL. */
void gp_json_free(struct gp_json *j);

/* Object members, in insertion order. 's' may be NULL (JSON null). The child
 * of gp_json_set is owned by 'o' afterwards. */
void gp_json_set_str(struct gp_json *o, const char *key, const char *s);
void gp_json_set_int(struct gp_json *o, const char *key, long long v);
/* v rounded to 'decimals' places (half away from zero). */
void gp_json_set_num(struct gp_json *o, const char *key, double v,
                     int decimals);
void gp_json_set_bool(struct gp_json *o, const char *key, bool v);
void gp_json_set_null(struct gp_json *o, const char *key);
void gp_json_set(struct gp_json *o, const char *key, struct gp_json *child);

void gp_json_push(struct gp_json *a, struct gp_json *child);
void gp_json_push_str(struct gp_json *a, const char *s);
void gp_json_push_int(struct gp_json *a, long long v);

/* Pretty-printed with two-space indents and a final newline. The caller
 * frees the result with free(). */
char *gp_json_render(const struct gp_json *j, size_t *len);

/* Rounds as the JSON and text outputs do. */
double gp_round(double v, int decimals);

#endif
