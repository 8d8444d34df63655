/* SPDX-License-Identifier: MIT */
#include "json/json.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

/* struct gp_json is never defined: a gp_json pointer is a cJSON pointer. */
static cJSON *
cj(const struct gp_json *j)
{
    return (cJSON *)(void *)(uintptr_t)(const void *)j;
}

static struct gp_json *
wrap(cJSON *c)
{
    if (!c)
        gp_xoom(sizeof(cJSON));
    return (struct gp_json *)(void *)c;
}

struct gp_json *
gp_json_object(void)
{
    return wrap(cJSON_CreateObject());
}

struct gp_json *
gp_json_array(void)
{
    return wrap(cJSON_CreateArray());
}

void
gp_json_free(struct gp_json *j)
{
    if (j)
        cJSON_Delete(cj(j));
}

double
gp_round(double v, int decimals)
{
    double s = pow(10.0, decimals), r;

    if (!isfinite(v))
        return v;
    r = round(v * s) / s;
    /* Never print "-0". */
    return r == 0 ? 0.0 : r;
}

static void
add(struct gp_json *o, const char *key, cJSON *item)
{
    if (!item || !cJSON_AddItemToObject(cj(o), key, item))
        gp_xoom(sizeof(cJSON));
}

void
gp_json_set_str(struct gp_json *o, const char *key, const char *s)
{
    add(o, key, s ? cJSON_CreateString(s) : cJSON_CreateNull());
}

void
gp_json_set_int(struct gp_json *o, const char *key, long long v)
{
    add(o, key, cJSON_CreateNumber((double)v));
}

void
gp_json_set_num(struct gp_json *o, const char *key, double v, int decimals)
{
    if (!isfinite(v)) {
        /* JSON has no infinity; an unbounded quantity is null. */
        add(o, key, cJSON_CreateNull());
        return;
    }
    add(o, key, cJSON_CreateNumber(gp_round(v, decimals)));
}

void
gp_json_set_bool(struct gp_json *o, const char *key, bool v)
{
    add(o, key, cJSON_CreateBool(v));
}

void
gp_json_set_null(struct gp_json *o, const char *key)
{
    add(o, key, cJSON_CreateNull());
}

void
gp_json_set(struct gp_json *o, const char *key, struct gp_json *child)
{
    add(o, key, cj(child));
}

void
gp_json_push(struct gp_json *a, struct gp_json *child)
{
    if (!cJSON_AddItemToArray(cj(a), cj(child)))
        gp_xoom(sizeof(cJSON));
}

void
gp_json_push_str(struct gp_json *a, const char *s)
{
    gp_json_push(a, wrap(cJSON_CreateString(s)));
}

void
gp_json_push_int(struct gp_json *a, long long v)
{
    gp_json_push(a, wrap(cJSON_CreateNumber((double)v)));
}

char *
gp_json_render(const struct gp_json *j, size_t *len)
{
    char *raw = cJSON_Print(cj(j));
    size_t n, i, o = 0, extra = 0;
    char *out;
    int bol = 1;

    if (!raw)
        gp_xoom(0);
    n = strlen(raw);
    for (i = 0; i < n; i++)
        extra += raw[i] == '\t';
    out = gp_xmalloc(n + extra + 2);
    /* cJSON indents with tabs and puts a tab after ':'. Raw tabs never occur
     * inside JSON strings (they are escaped), so every tab is layout. */
    for (i = 0; i < n; i++) {
        char c = raw[i];

        if (c == '\t') {
            if (bol) {
                out[o++] = ' ';
                out[o++] = ' ';
            } else {
                out[o++] = ' ';
            }
            continue;
        }
        bol = c == '\n';
        out[o++] = c;
    }
    out[o++] = '\n';
    out[o] = '\0';
    cJSON_free(raw);
    if (len)
        *len = o;
    return out;
}
