/* SPDX-License-Identifier: MIT */
#include "json/json.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"
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

/* ---- Input ------------------------------------------------------------ */

/* Line and column of byte offsets in one text, moving forward only (a
 * backward request starts again from the top): a scan over a file of
 * hundreds of megabytes counts its newlines once. */
struct lines {
    const char *text;
    size_t len;
    size_t pos;        /* counted up to here */
    uint32_t line;     /* 1-based line at pos */
    size_t line_start; /* offset where that line starts */
    uint32_t col;      /* characters of that line before pos */
};

static void
lines_init(struct lines *l, const char *text, size_t len)
{
    l->text = text;
    l->len = len;
    l->pos = 0;
    l->line = 1;
    l->line_start = 0;
    l->col = 0;
}

/* Columns count characters (UTF-8 lead bytes), as diagnostics quote them. */
static uint32_t
count_chars(const char *s, size_t n)
{
    uint32_t c = 0;
    size_t i;

    for (i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* Newlines in n bytes, eight at a time: a pod export has short lines, and
 * a call per line would cost more than the counting. */
static size_t
count_newlines(const char *p, size_t n, size_t *last)
{
    const uint64_t ones = 0x0101010101010101ull, low7 = 0x7F7F7F7F7F7F7F7Full;
    size_t c = 0, i = 0;

    for (; i + 8 <= n; i += 8) {
        uint64_t w, x, z;

        memcpy(&w, p + i, 8);
        x = w ^ (ones * '\n');
        /* A byte of z has its high bit set exactly where x has a zero. */
        z = ~(((x & low7) + low7) | x | low7);
        if (z) {
            /* One bit per matching byte, at bit 7 of it: summed by a
             * multiply (no popcount instruction needed). */
            c += (size_t)(((z >> 7) * ones) >> 56);
            *last = i + 7 - (size_t)(__builtin_clzll(z) / 8);
        }
    }
    for (; i < n; i++) {
        if (p[i] == '\n') {
            c++;
            *last = i;
        }
    }
    return c;
}

static struct gp_loc
lines_loc(struct lines *l, const char *file, size_t off)
{
    struct gp_loc loc;
    size_t last = (size_t)-1, nl;

    if (off > l->len)
        off = l->len;
    if (off < l->pos)
        lines_init(l, l->text, l->len);
    nl = count_newlines(l->text + l->pos, off - l->pos, &last);
    if (nl) {
        l->line += (uint32_t)nl;
        l->line_start = l->pos + last + 1;
        l->col = 0;
        l->pos = l->line_start;
    }
    /* the column goes on from where the last call left it: minified JSON
     * is one line, and counting it from its start for every item is
     * quadratic */
    l->col += count_chars(l->text + l->pos, off - l->pos);
    l->pos = off;
    loc.file = file;
    loc.line = l->line;
    loc.col = 1 + l->col;
    loc.len = 1;
    return loc;
}

int
gp_json_parse(struct gp_json **out, const char *file, const char *text,
              size_t len, struct gp_diags *d)
{
    struct gp_json *top = NULL;
    int rc = gp_json_scan(&top, file, text, len, NULL, NULL, NULL, NULL, d);

    if (rc == 0)
        *out = top;
    return rc;
}

enum gp_json_type
gp_json_type(const struct gp_json *j)
{
    const cJSON *c = cj(j);

    if (cJSON_IsBool(c))
        return GP_JSON_BOOL;
    if (cJSON_IsNumber(c))
        return GP_JSON_NUMBER;
    if (cJSON_IsString(c))
        return GP_JSON_STRING;
    if (cJSON_IsArray(c))
        return GP_JSON_ARRAY;
    if (cJSON_IsObject(c))
        return GP_JSON_OBJECT;
    return GP_JSON_NULL;
}

const char *
gp_json_type_name(const struct gp_json *j)
{
    static const char *const names[] = {"null",   "boolean", "number",
                                        "string", "array",   "object"};

    return names[gp_json_type(j)];
}

const struct gp_json *
gp_json_get(const struct gp_json *obj, const char *key)
{
    const cJSON *c = cj(obj);

    if (!c || !cJSON_IsObject(c))
        return NULL;
    return (const struct gp_json *)(const void *)
        cJSON_GetObjectItemCaseSensitive(c, key);
}

const char *
gp_json_str(const struct gp_json *j)
{
    const cJSON *c = cj(j);

    return c && cJSON_IsString(c) ? c->valuestring : NULL;
}

int
gp_json_num(const struct gp_json *j, double *out)
{
    const cJSON *c = cj(j);

    if (!c || !cJSON_IsNumber(c))
        return -1;
    *out = c->valuedouble;
    return 0;
}

bool
gp_json_is_true(const struct gp_json *j)
{
    const cJSON *c = cj(j);

    return c && cJSON_IsTrue(c);
}

const struct gp_json *
gp_json_first(const struct gp_json *j)
{
    const cJSON *c = cj(j);

    if (!c || !(cJSON_IsArray(c) || cJSON_IsObject(c)))
        return NULL;
    return (const struct gp_json *)(const void *)c->child;
}

const struct gp_json *
gp_json_next(const struct gp_json *j)
{
    const cJSON *c = cj(j);

    return c ? (const struct gp_json *)(const void *)c->next : NULL;
}

const char *
gp_json_key(const struct gp_json *member)
{
    const cJSON *c = cj(member);

    return c ? c->string : NULL;
}

/* ---- Scanning ---------------------------------------------------------- */

struct scan {
    const char *file;
    const char *text;
    size_t len;
    size_t p; /* current offset */
    struct lines lines;
    struct gp_diags *d;
    int rc;
};

static bool
is_ws(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static void
skip_ws(struct scan *s)
{
    /* Pretty-printed exports indent by runs of spaces: eight at a time. */
    while (s->p + 8 <= s->len && memcmp(s->text + s->p, "        ", 8) == 0)
        s->p += 8;
    while (s->p < s->len && is_ws(s->text[s->p]))
        s->p++;
}

static void
scan_error(struct scan *s, size_t off, const char *msg)
{
    struct gp_loc at = lines_loc(&s->lines, s->file, off);

    s->rc = -1;
    gp_error_at(s->d, at, "%s", msg);
}

/* After an error at 'off' (a value's text starts at 'from'): a quote
 * where ',' or a closing bracket belongs, after white space that follows
 * a value, is most often a comma left out. */
static void
comma_hint(struct scan *s, size_t from, size_t off)
{
    size_t b = off;

    if (off >= s->len || s->text[off] != '"' || off <= from)
        return;
    while (b > from && is_ws(s->text[b - 1]))
        b--;
    if (b < off && strchr("\"0123456789}]el", s->text[b - 1]))
        gp_diag_hint(s->d, "a ',' is missing before it?");
}

/* What stands at 'off', for a message: a word, one character, or the end. */
static const char *
describe_at(const struct scan *s, size_t off, char *buf, size_t cap)
{
    static const char punct[] = "{}[],:\"";
    unsigned char c;
    size_t n = 0;

    if (off >= s->len)
        return "the end of the file";
    c = (unsigned char)s->text[off];
    if (c < 0x20 || c == 0x7f) {
        snprintf(buf, cap, "control character 0x%02x", c);
        return buf;
    }
    if (strchr(punct, c)) {
        snprintf(buf, cap, "'%c'", c);
        return buf;
    }
    while (off + n < s->len && n < 16) {
        c = (unsigned char)s->text[off + n];
        if (c <= 0x20 || c == 0x7f || strchr(punct, c))
            break;
        n++;
    }
    snprintf(buf, cap, "'%.*s'", (int)n, s->text + off);
    return buf;
}

/* The end of the value starting at 'off', found by matching brackets
 * outside strings: the way to resume after cJSON rejected the value.
 * Returns the offset after it, or s->len when the text ends first (the
 * file was cut off, or a closing bracket is missing). */
static size_t
value_end(const struct scan *s, size_t off)
{
    size_t p = off;
    long depth = 0;

    while (p < s->len) {
        char c = s->text[p++];

        if (c == '"') {
            while (p < s->len && s->text[p] != '"')
                p += s->text[p] == '\\' ? 2 : 1;
            if (p >= s->len)
                return s->len;
            p++;
            if (depth == 0)
                return p;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth <= 0)
                return p;
        } else if (depth == 0 && (c == ',' || is_ws(c))) {
            return p - 1;
        }
    }
    return s->len;
}

/* Parses the value at s->p with cJSON and moves past it. On a syntax error
 * reports it, moves past the value when its end can be found, and returns
 * NULL. 'what' and 'index' name the value in a truncation message ('index'
 * is (size_t)-1 when the value has none). */
/* cJSON builds a whole value in memory, some 64 bytes a number: a value
 * longer than this is refused before it is built (GP_JSON_MAX_VALUE_BYTES),
 * which keeps a hostile 4 GiB array from taking tens of gigabytes. */
static cJSON *
cj_parse(struct scan *s, const char **end, bool *too_big)
{
    size_t left = s->len - s->p;

    /* measured first (a scan, nothing built): cJSON would build most of a
     * long value before it found the end */
    *too_big = left > GP_JSON_MAX_VALUE_BYTES &&
               value_end(s, s->p) - s->p > GP_JSON_MAX_VALUE_BYTES;
    if (*too_big) {
        *end = NULL;
        return NULL;
    }
    return cJSON_ParseWithLengthOpts(s->text + s->p, left, end, 0);
}

static void
too_big_error(struct scan *s, const char *what)
{
    char msg[200];

    snprintf(msg, sizeof(msg),
             "%s is longer than %u MiB; gpuplan reads at most that much of "
             "one JSON value",
             what, (unsigned)(GP_JSON_MAX_VALUE_BYTES >> 20));
    scan_error(s, s->p, msg);
}

static cJSON *
parse_value(struct scan *s, const char *what, size_t index)
{
    const char *start = s->text + s->p, *end = NULL;
    bool too_big;
    cJSON *v = cj_parse(s, &end, &too_big);
    size_t stop, off;
    char buf[48], msg[200];

    if (v) {
        s->p = (size_t)(end - s->text);
        return v;
    }
    stop = value_end(s, s->p);
    if (too_big) {
        too_big_error(s, what);
        s->p = stop;
        return NULL;
    }
    if (stop >= s->len) {
        struct gp_loc at = lines_loc(&s->lines, s->file, s->p);

        if (index != (size_t)-1)
            snprintf(msg, sizeof(msg),
                     "the file ends inside %s %zu, which starts at line %u; "
                     "is it truncated?",
                     what, index + 1, at.line);
        else
            snprintf(msg, sizeof(msg),
                     "the file ends inside %s, which starts at line %u; is "
                     "it truncated?",
                     what, at.line);
        scan_error(s, s->len, msg);
        s->p = s->len;
        return NULL;
    }
    off = end && end >= start ? (size_t)(end - s->text) : s->p;
    snprintf(msg, sizeof(msg), "invalid JSON: unexpected %s",
             describe_at(s, off, buf, sizeof(buf)));
    scan_error(s, off, msg);
    comma_hint(s, s->p, off);
    s->p = stop;
    return NULL;
}

/* ---- Items read in part ------------------------------------------------
 * An item of a large list is parsed in part: the members on the 'keep'
 * paths are built by cJSON, every other member is only checked to be JSON,
 * which costs no allocation (a pod export is mostly environment lists,
 * probes, volumes and statuses nobody here reads). The checker reports its
 * own syntax errors; an item that runs past the end of the text is left to
 * the caller, which knows which item it was. */

#define SKIP_MAX_DEPTH 1000 /* as cJSON's nesting limit */

enum { R_OK = 0, R_ERROR = -1, R_EOF = -2 };

static int
syntax_error(struct scan *s, size_t off, const char *what)
{
    char buf[48], msg[160];

    snprintf(msg, sizeof(msg), "invalid JSON: %s%s%s", what ? what : "",
             what ? ", found " : "unexpected ",
             describe_at(s, off, buf, sizeof(buf)));
    scan_error(s, off, msg);
    comma_hint(s, 0, off);
    return R_ERROR;
}

/* The offset of the first '"' or '\\' at or after p, or n: eight bytes
 * at a time, as strings make up most of an export. */
static size_t
find_quote_or_escape(const char *t, size_t p, size_t n)
{
    const uint64_t ones = 0x0101010101010101ull, low7 = 0x7F7F7F7F7F7F7F7Full;

    for (; p + 8 <= n; p += 8) {
        uint64_t w, a, b, z;

        memcpy(&w, t + p, 8);
        a = w ^ (ones * '"');
        b = w ^ (ones * '\\');
        /* High bit of each byte where a or b is zero (exact, no carries
         * between bytes). */
        z = ~(((a & low7) + low7) | a | low7) |
            ~(((b & low7) + low7) | b | low7);
        if (z)
            return p + (size_t)(__builtin_ctzll(z) / 8);
    }
    for (; p < n; p++) {
        if (t[p] == '"' || t[p] == '\\')
            return p;
    }
    return n;
}

/* Moves past the string whose opening quote is at s->p. */
static int
skip_string(struct scan *s)
{
    const char *t = s->text;
    size_t p = s->p + 1, n = s->len;

    for (;;) {
        p = find_quote_or_escape(t, p, n);
        if (p >= n)
            return R_EOF;
        if (t[p] == '"') {
            s->p = p + 1;
            return R_OK;
        }
        p += 2; /* an escape and the character it escapes */
        if (p > n)
            return R_EOF;
    }
}

static int
skip_scalar(struct scan *s)
{
    const char *t = s->text;
    size_t p = s->p;
    char c = t[p];

    if (c == '"')
        return skip_string(s);
    if (c == '-' || (c >= '0' && c <= '9')) {
        while (p < s->len && (strchr("0123456789+-.eE", t[p]) && t[p]))
            p++;
        s->p = p;
        return R_OK;
    }
    {
        static const char *const lits[] = {"true", "false", "null"};
        size_t i;

        for (i = 0; i < 3; i++) {
            size_t l = strlen(lits[i]);

            if (s->len - p >= l && memcmp(t + p, lits[i], l) == 0) {
                s->p = p + l;
                return R_OK;
            }
            if (s->len - p < l && memcmp(t + p, lits[i], s->len - p) == 0)
                return R_EOF;
        }
    }
    return syntax_error(s, p, NULL);
}

/* Checks the value at s->p and moves past it without building it. */
static int
skip_value(struct scan *s)
{
    char stack[SKIP_MAX_DEPTH];
    int depth = 0, r;

    for (;;) {
        /* A value. */
        skip_ws(s);
        if (s->p >= s->len)
            return R_EOF;
        if (s->text[s->p] == '{' || s->text[s->p] == '[') {
            char open = s->text[s->p++];

            if (depth == SKIP_MAX_DEPTH)
                return syntax_error(s, s->p - 1, "nested too deeply");
            stack[depth++] = open;
            skip_ws(s);
            if (s->p >= s->len)
                return R_EOF;
            if (s->text[s->p] == (open == '{' ? '}' : ']')) {
                s->p++;
                depth--;
            } else if (open == '{') {
                goto member;
            } else {
                continue;
            }
        } else if ((r = skip_scalar(s)) != R_OK) {
            return r;
        }
        /* After a value: the end, or what follows in its container. */
        for (;;) {
            char close;

            if (depth == 0)
                return R_OK;
            skip_ws(s);
            if (s->p >= s->len)
                return R_EOF;
            close = stack[depth - 1] == '{' ? '}' : ']';
            if (s->text[s->p] == close) {
                s->p++;
                depth--;
                continue;
            }
            if (s->text[s->p] != ',')
                return syntax_error(s, s->p, close == '}'
                                                 ? "expected ',' or '}'"
                                                 : "expected ',' or ']'");
            s->p++;
            if (stack[depth - 1] == '[')
                break; /* the next element */
            skip_ws(s);
            goto member;
        }
        continue;
    member:
        /* "key": within an object. */
        if (s->p >= s->len)
            return R_EOF;
        if (s->text[s->p] != '"')
            return syntax_error(s, s->p, "expected a member name in quotes");
        if ((r = skip_string(s)) != R_OK)
            return r;
        skip_ws(s);
        if (s->p >= s->len)
            return R_EOF;
        if (s->text[s->p] != ':')
            return syntax_error(s, s->p, "expected ':' after a member name");
        s->p++;
    }
}

/* cJSON on the value at s->p; R_EOF when it runs past the text. */
static int
cj_value(struct scan *s, cJSON **out)
{
    const char *start = s->text + s->p, *end = NULL;
    size_t off;
    bool too_big;
    char buf[48], msg[200];

    *out = cj_parse(s, &end, &too_big);
    if (*out) {
        s->p = (size_t)(end - s->text);
        return R_OK;
    }
    if (too_big) {
        too_big_error(s, "a member");
        return R_ERROR;
    }
    if (value_end(s, s->p) >= s->len)
        return R_EOF;
    off = end && end >= start ? (size_t)(end - s->text) : s->p;
    snprintf(msg, sizeof(msg), "invalid JSON: unexpected %s",
             describe_at(s, off, buf, sizeof(buf)));
    scan_error(s, off, msg);
    comma_hint(s, s->p, off);
    return R_ERROR;
}

/* Paths to keep, relative to the object being read: "name",
 * "labels", or "containers" under "spec." once inside spec. */
#define KEEP_MAX 32

static int parse_kept(struct scan *s, const char *const *keep, size_t n,
                      cJSON **out);

/* An array on the way to kept members: its object elements are read in
 * part, as their parent was ("spec.containers.resources" keeps the
 * resources of every container). */
static int
parse_kept_array(struct scan *s, const char *const *keep, size_t n,
                 cJSON **out)
{
    cJSON *arr = cJSON_CreateArray();
    int r;

    if (!arr)
        gp_xoom(sizeof(cJSON));
    *out = NULL;
    s->p++; /* '[' */
    skip_ws(s);
    if (s->p < s->len && s->text[s->p] == ']') {
        s->p++;
        *out = arr;
        return R_OK;
    }
    for (;;) {
        cJSON *v = NULL;

        skip_ws(s);
        if (s->p >= s->len) {
            r = R_EOF;
            break;
        }
        r = s->text[s->p] == '{' ? parse_kept(s, keep, n, &v)
                                 : cj_value(s, &v);
        if (r != R_OK)
            break;
        if (!cJSON_AddItemToArray(arr, v))
            gp_xoom(sizeof(cJSON));
        skip_ws(s);
        if (s->p >= s->len) {
            r = R_EOF;
            break;
        }
        if (s->text[s->p] == ']') {
            s->p++;
            *out = arr;
            return R_OK;
        }
        if (s->text[s->p] != ',') {
            r = syntax_error(s, s->p, "expected ',' or ']'");
            break;
        }
        s->p++;
    }
    cJSON_Delete(arr);
    return r;
}

/* The object at s->p with only the members on 'keep' (n paths relative to
 * it) built. */
static int
parse_kept(struct scan *s, const char *const *keep, size_t n, cJSON **out)
{
    cJSON *obj = cJSON_CreateObject();
    int r = R_OK;

    if (!obj)
        gp_xoom(sizeof(cJSON));
    *out = NULL;
    s->p++; /* '{' */
    skip_ws(s);
    if (s->p < s->len && s->text[s->p] == '}') {
        s->p++;
        *out = obj;
        return R_OK;
    }
    for (;;) {
        const char *sub[KEEP_MAX];
        size_t kstart, klen, n_sub = 0, i;
        bool exact = false;
        cJSON *v = NULL;

        skip_ws(s);
        if (s->p >= s->len) {
            r = R_EOF;
            break;
        }
        if (s->text[s->p] != '"') {
            r = syntax_error(s, s->p, "expected a member name in quotes");
            break;
        }
        kstart = s->p + 1;
        if ((r = skip_string(s)) != R_OK)
            break;
        klen = s->p - 1 - kstart;
        /* A key with escapes matches nothing kept: Kubernetes' keys have
         * none. */
        for (i = 0; i < n; i++) {
            const char *e = keep[i];

            /* memcmp after a length check: the key may hold a NUL byte,
             * where strncmp would stop early and e[klen] lie past e. */
            if (klen == 0 || e[0] != s->text[kstart] ||
                strnlen(e, klen) < klen ||
                memcmp(e, s->text + kstart, klen) != 0)
                continue;
            if (e[klen] == '\0')
                exact = true;
            else if (e[klen] == '.' && n_sub < KEEP_MAX)
                sub[n_sub++] = e + klen + 1;
        }
        skip_ws(s);
        if (s->p >= s->len) {
            r = R_EOF;
            break;
        }
        if (s->text[s->p] != ':') {
            r = syntax_error(s, s->p, "expected ':' after a member name");
            break;
        }
        s->p++;
        skip_ws(s);
        if (s->p >= s->len) {
            r = R_EOF;
            break;
        }
        if (n_sub && !exact && s->text[s->p] == '{')
            r = parse_kept(s, sub, n_sub, &v);
        else if (n_sub && !exact && s->text[s->p] == '[')
            r = parse_kept_array(s, sub, n_sub, &v);
        else if (exact || n_sub)
            r = cj_value(s, &v);
        else
            r = skip_value(s);
        if (r != R_OK)
            break;
        if (v) {
            char key[256];

            if (klen >= sizeof(key))
                klen = sizeof(key) - 1;
            memcpy(key, s->text + kstart, klen);
            key[klen] = '\0';
            if (!cJSON_AddItemToObject(obj, key, v))
                gp_xoom(sizeof(cJSON));
        }
        skip_ws(s);
        if (s->p >= s->len) {
            r = R_EOF;
            break;
        }
        if (s->text[s->p] == '}') {
            s->p++;
            *out = obj;
            return R_OK;
        }
        if (s->text[s->p] != ',') {
            r = syntax_error(s, s->p, "expected ',' or '}'");
            break;
        }
        s->p++;
    }
    cJSON_Delete(obj);
    return r;
}

/* Skips white space and checks that the next character is 'want' or
 * 'also' (0: none); reports what stands there otherwise. */
static int
expect_char(struct scan *s, char want, char also, const char *what)
{
    char buf[48], msg[160];

    skip_ws(s);
    if (s->p < s->len &&
        (s->text[s->p] == want || (also && s->text[s->p] == also)))
        return 0;
    if (s->p >= s->len) {
        snprintf(msg, sizeof(msg),
                 "the file ends before %s; is it truncated?", what);
        scan_error(s, s->len, msg);
        return -1;
    }
    snprintf(msg, sizeof(msg), "invalid JSON: expected %s, found %s", what,
             describe_at(s, s->p, buf, sizeof(buf)));
    scan_error(s, s->p, msg);
    return -1;
}

/* After a value cJSON rejected: resume only where the text plainly goes on
 * with the next element, so one error does not cascade into many. */
static bool
can_resume(struct scan *s)
{
    skip_ws(s);
    return s->p < s->len && (s->text[s->p] == ',' || s->text[s->p] == ']');
}

/* Walks the array at s->p, one element at a time. Returns 0, or -1 when
 * an error stopped the walk before the array's end. */
static int
scan_items(struct scan *s, const char *key, const char *const *keep,
           gp_json_item_fn each, void *ctx)
{
    size_t index = 0, n_keep = 0;
    char msg[200];

    while (keep && keep[n_keep] && n_keep < KEEP_MAX)
        n_keep++;
    s->p++; /* '[' */
    skip_ws(s);
    if (s->p < s->len && s->text[s->p] == ']') {
        s->p++;
        return 0;
    }
    for (;;) {
        size_t start;
        cJSON *v = NULL;
        int r;

        skip_ws(s);
        start = s->p;
        if (s->p >= s->len) {
            snprintf(msg, sizeof(msg),
                     "the file ends inside the '%s' list; is it truncated?",
                     key);
            scan_error(s, s->len, msg);
            return -1;
        }
        if (keep && s->text[s->p] == '{')
            r = parse_kept(s, keep, n_keep, &v);
        else
            r = cj_value(s, &v);
        if (r == R_EOF) {
            struct gp_loc at = lines_loc(&s->lines, s->file, start);

            snprintf(msg, sizeof(msg),
                     "the file ends inside item %zu, which starts at line "
                     "%u; is it truncated?",
                     index + 1, at.line);
            scan_error(s, s->len, msg);
            return -1;
        }
        if (r == R_OK) {
            struct gp_json_item it;

            it.value = wrap(v);
            it.index = index;
            it.loc = lines_loc(&s->lines, s->file, start);
            it.text = s->text + start;
            it.len = s->p - start;
            if (each && each(ctx, &it) < 0)
                s->rc = -1;
            cJSON_Delete(v);
        } else {
            /* Resume only where the text plainly goes on with the next
             * item, so one error does not cascade into many. */
            s->p = value_end(s, start);
            if (s->p >= s->len || !can_resume(s))
                return -1;
        }
        index++;
        if (expect_char(s, ',', ']', "',' or ']' after an item") < 0)
            return -1;
        if (s->text[s->p++] == ']')
            return 0;
    }
}

int
gp_json_scan(struct gp_json **top, const char *file, const char *text,
             size_t len, const char *key, const char *const *keep,
             gp_json_item_fn each, void *ctx, struct gp_diags *d)
{
    struct scan s;
    cJSON *obj = NULL;
    char buf[48], msg[160];

    memset(&s, 0, sizeof(s));
    s.file = file;
    s.text = text;
    s.len = len;
    s.d = d;
    lines_init(&s.lines, text, len);
    *top = NULL;
    /* A UTF-8 byte-order mark is not JSON, but editors write one. */
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        s.p = 3;
    /* JSON is UTF-8 (RFC 8259 section 8.1), and cJSON copies any bytes
     * through: a name with a stray byte would reach the YAML written. */
    {
        size_t bad = gp_str_utf8_valid_prefix(text, len);

        if (bad < len) {
            snprintf(msg, sizeof(msg),
                     "invalid UTF-8 (byte 0x%02X); JSON text must be UTF-8",
                     (unsigned)(unsigned char)text[bad]);
            scan_error(&s, bad, msg);
            return -1;
        }
    }
    skip_ws(&s);
    if (s.p >= len)
        return gp_error_at(d, (struct gp_loc){file, 0, 0, 0},
                           "file is empty; expected a JSON document");
    if (!key || text[s.p] != '{') {
        /* Not a list to scan: the whole document, parsed at once. */
        obj = parse_value(&s, "the document", (size_t)-1);
        goto end;
    }
    obj = cJSON_CreateObject();
    if (!obj)
        gp_xoom(sizeof(cJSON));
    s.p++;
    skip_ws(&s);
    if (s.p < len && text[s.p] == '}') {
        s.p++;
        goto end;
    }
    for (;;) {
        cJSON *k, *v;

        if (expect_char(&s, '"', 0, "a member name in quotes") < 0)
            break;
        k = parse_value(&s, "a member name", (size_t)-1);
        if (!k)
            break;
        if (expect_char(&s, ':', 0, "':' after a member name") < 0) {
            cJSON_Delete(k);
            break;
        }
        s.p++;
        skip_ws(&s);
        if (strcmp(k->valuestring, key) == 0 && s.p < len &&
            text[s.p] == '[') {
            if (scan_items(&s, key, keep, each, ctx) < 0) {
                cJSON_Delete(k);
                break;
            }
        } else if ((v = parse_value(&s, "a member", (size_t)-1)) != NULL) {
            if (!cJSON_AddItemToObject(obj, k->valuestring, v))
                gp_xoom(sizeof(cJSON));
        } else {
            skip_ws(&s);
            if (s.p >= len || (text[s.p] != ',' && text[s.p] != '}')) {
                cJSON_Delete(k);
                break;
            }
        }
        cJSON_Delete(k);
        if (expect_char(&s, ',', '}', "',' or '}' after a member") < 0)
            break;
        if (text[s.p++] == '}')
            break;
    }
end:
    if (s.rc == 0 && obj) {
        skip_ws(&s);
        if (s.p < len) {
            snprintf(msg, sizeof(msg),
                     "invalid JSON: %s after the end of the document",
                     describe_at(&s, s.p, buf, sizeof(buf)));
            scan_error(&s, s.p, msg);
        }
    }
    if (s.rc < 0 || !obj) {
        cJSON_Delete(obj);
        return -1;
    }
    *top = wrap(obj);
    return 0;
}

struct gp_loc
gp_json_item_loc(const struct gp_json_item *it, const char *key)
{
    size_t klen = strlen(key), i;
    const char *p = it->text, *end = it->text + it->len;
    struct gp_loc loc = it->loc;

    while (p + klen + 2 <= end) {
        const char *q = memchr(p, '"', (size_t)(end - p));
        const char *r;

        if (!q || q + klen + 2 > end)
            break;
        if (memcmp(q + 1, key, klen) != 0 || q[klen + 1] != '"') {
            p = q + 1;
            continue;
        }
        r = q + klen + 2;
        while (r < end && is_ws(*r))
            r++;
        if (r >= end || *r != ':') {
            p = q + 1;
            continue;
        }
        /* Found: count lines from the item's start. */
        {
            const char *ls = it->text;
            uint32_t extra = 0;

            for (i = 0; it->text + i < q; i++) {
                if (it->text[i] == '\n') {
                    extra++;
                    ls = it->text + i + 1;
                }
            }
            loc.line += extra;
            loc.col = (extra ? 1 : loc.col) +
                      count_chars(ls, (size_t)(q - ls));
            loc.len = (uint32_t)klen + 2;
        }
        return loc;
    }
    return loc;
}
