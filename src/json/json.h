/* SPDX-License-Identifier: MIT */
/* json/json.h: JSON output and input through cJSON, which no other module
 * sees. Numbers are rounded here, before cJSON prints them, so output is
 * byte-stable: cJSON prints %.15g and would leak float noise otherwise.
 * Input is read through the accessors below; syntax errors are reported at
 * file:line:col. */
#ifndef GPUPLAN_JSON_JSON_H
#define GPUPLAN_JSON_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "base/diag.h"

struct gp_json;

/* The longest JSON value built whole (a document that is not a list of
 * items, or a member kept from an item); longer ones are refused. */
#define GP_JSON_MAX_VALUE_BYTES (8u << 20)

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

/* ---- Input ------------------------------------------------------------
 * A parsed value is owned by whoever parsed it and freed with
 * gp_json_free(); every value reached through the accessors is borrowed
 * from it. cJSON keeps no positions, so a syntax error is placed from
 * cJSON's error offset, and a list read with gp_json_scan() gives each item
 * its position and its bytes, from which gp_json_item_loc() finds a key. */

enum gp_json_type {
    GP_JSON_NULL,
    GP_JSON_BOOL,
    GP_JSON_NUMBER,
    GP_JSON_STRING,
    GP_JSON_ARRAY,
    GP_JSON_OBJECT,
};

/* Parses one JSON document (text need not be NUL-terminated). Returns 0,
 * or -1 with the error at file:line:col in 'd'. OUT: *out, caller-owned. */
int gp_json_parse(struct gp_json **out, const char *file, const char *text,
                  size_t len, struct gp_diags *d);

enum gp_json_type gp_json_type(const struct gp_json *j);
/* "null", "boolean", "number", "string", "array" or "object". */
const char *gp_json_type_name(const struct gp_json *j);
/* The member 'key' of an object (case-sensitive), or NULL when absent or
 * when j is not an object. */
const struct gp_json *gp_json_get(const struct gp_json *obj, const char *key);
/* The string, or NULL when j is not a string. */
const char *gp_json_str(const struct gp_json *j);
/* Returns 0 and the value, or -1 when j is not a number. */
int gp_json_num(const struct gp_json *j, double *out);
/* True only for the JSON literal true. */
bool gp_json_is_true(const struct gp_json *j);
/* Iteration over an array's elements or an object's members, in document
 * order: first, then next until NULL. */
const struct gp_json *gp_json_first(const struct gp_json *j);
const struct gp_json *gp_json_next(const struct gp_json *j);
/* The key of an object member reached by first/next. */
const char *gp_json_key(const struct gp_json *member);

/* One element of the list gp_json_scan() walks. */
struct gp_json_item {
    const struct gp_json *value; /* borrowed; freed after the callback */
    size_t index;                /* 0-based position in the array */
    struct gp_loc loc;           /* where the element starts */
    const char *text;            /* its bytes in the document */
    size_t len;
};

typedef int (*gp_json_item_fn)(void *ctx, const struct gp_json_item *it);

/* Reads a document whose top level is an object, the shape of Kubernetes
 * lists ({"kind": "List", "items": [...]}), without holding the whole tree:
 * every element of the member 'key' is parsed alone, passed to 'each', and
 * freed; memory stays that of the largest element. With 'keep' (dotted
 * member paths such as "spec.nodeName", NULL-terminated; NULL for whole
 * elements; a path through an array applies to each of its objects, as
 * "spec.containers.resources") only those members are built, the rest is
 * checked to be JSON and skipped, which is most of the cost of a large
 * export saved; gp_json_item_loc() still sees the whole element. Every
 * other member is
 * parsed into *top (caller-owned; 'key' is absent from it when it was an
 * array, present when it was something else, for the caller to report).
 * A syntax error in one element is reported and the scan goes on with the
 * next element; a truncated file is reported at its end. 'each' returning
 * -1 marks the scan failed but does not stop it. Returns 0, or -1 when any
 * error was found (*top is then NULL). */
int gp_json_scan(struct gp_json **top, const char *file, const char *text,
                 size_t len, const char *key, const char *const *keep,
                 gp_json_item_fn each, void *ctx, struct gp_diags *d);

/* The position of the first "key" (quoted, as an object key) inside an
 * item's bytes, with the underline covering it, or the item's own position
 * when the key does not occur. Cheap: one search through the item. */
struct gp_loc gp_json_item_loc(const struct gp_json_item *it,
                               const char *key);

#endif
