/* SPDX-License-Identifier: MIT */
/* yaml/ydoc.c: libyaml events -> gp_ynode tree.
 *
 * An explicit stack replaces recursion, so a 10,000-deep document costs one
 * error, not a stack overflow. Each node records its expanded weight; an alias
 * adds the weight of the node it names, so a "billion laughs" document is
 * refused as soon as its expansion passes the limit, long before anything
 * walks it. */
#include "yaml/ydoc.h"

#include <string.h>
#include <yaml.h>

#include "base/arena.h"
#include "base/strbuf.h"

const struct gp_ylimits gp_ylimits_default = {
    .max_depth = 100,
    .max_nodes = 8000000,
    .max_scalar = 1024 * 1024,
    .max_docs = 10000,
};

struct frame {
    struct gp_ynode *node;
    const char *anchor;
    /* Children collected so far (for maps: key, value, key, value...). */
    struct gp_ynode **kids;
    size_t n, cap;
};

struct anchor {
    const char *name;
    struct gp_ynode *node;
};

struct builder {
    struct gp_arena *a;
    struct gp_diags *d;
    const char *file;
    const char *text;
    size_t len;
    const struct gp_ylimits *lim;
    struct frame *stack;
    size_t depth, cap;
    struct anchor *anchors; /* open-addressing hash */
    size_t n_anchors, cap_anchors;
    uint64_t total;
    bool soft_errors;
    struct gp_ynode *root;
};

static struct gp_loc
mark_loc(const struct builder *b, yaml_mark_t m, size_t len)
{
    struct gp_loc l;

    /* libyaml marks count from 0; this is the one place that adds 1. */
    l.file = b->file;
    l.line = (uint32_t)(m.line + 1);
    l.col = (uint32_t)(m.column + 1);
    l.len = len > 1000 ? 1000 : (uint32_t)len;
    return l;
}

static uint64_t
hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static uint64_t
hash_str(const char *s)
{
    return hash_bytes(s, strlen(s));
}

static struct anchor *
anchor_slot(struct builder *b, const char *name)
{
    size_t i = (size_t)hash_str(name) & (b->cap_anchors - 1);

    while (b->anchors[i].name && strcmp(b->anchors[i].name, name) != 0)
        i = (i + 1) & (b->cap_anchors - 1);
    return &b->anchors[i];
}

static void
anchor_set(struct builder *b, const char *name, struct gp_ynode *node)
{
    struct anchor *s;

    if ((b->n_anchors + 1) * 2 > b->cap_anchors) {
        struct anchor *old = b->anchors;
        size_t old_cap = b->cap_anchors, i;

        b->cap_anchors = old_cap ? old_cap * 2 : 64;
        b->anchors = gp_arena_calloc(b->a, b->cap_anchors, sizeof(*old));
        for (i = 0; i < old_cap; i++) {
            if (old[i].name)
                *anchor_slot(b, old[i].name) = old[i];
        }
    }
    s = anchor_slot(b, name);
    if (!s->name) {
        s->name = name;
        b->n_anchors++;
    }
    /* YAML lets a later anchor of the same name shadow the earlier one. */
    s->node = node;
}

static struct gp_ynode *
anchor_get(struct builder *b, const char *name)
{
    struct anchor *s;

    if (!b->cap_anchors)
        return NULL;
    s = anchor_slot(b, name);
    return s->name ? s->node : NULL;
}

static int
add_weight(struct builder *b, uint64_t w, struct gp_loc at)
{
    if (w > b->lim->max_nodes || b->total > b->lim->max_nodes - w)
        return gp_error_at(b->d, at,
                           "document expands to more than %llu nodes "
                           "(an alias bomb, or a file too large to plan)",
                           (unsigned long long)b->lim->max_nodes);
    b->total += w;
    return 0;
}

/* Hands a finished node to the enclosing collection (or makes it the root). */
static int
attach(struct builder *b, struct gp_ynode *n)
{
    struct frame *f;

    if (b->depth == 0) {
        b->root = n;
        return 0;
    }
    f = &b->stack[b->depth - 1];
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 8;

        f->kids = gp_arena_grow(b->a, f->kids, f->n, cap, sizeof(*f->kids));
        f->cap = cap;
    }
    f->kids[f->n++] = n;
    if (f->node->weight < UINT64_MAX - n->weight)
        f->node->weight += n->weight;
    else
        f->node->weight = UINT64_MAX;
    return 0;
}

static const char *
dup_opt(struct builder *b, const yaml_char_t *s)
{
    return s ? gp_arena_strdup(b->a, (const char *)s) : NULL;
}

static int
push(struct builder *b, enum gp_ykind kind, yaml_event_t *ev,
     const yaml_char_t *anchor, const yaml_char_t *tag, bool implicit)
{
    struct gp_ynode *n;

    if (b->depth >= b->lim->max_depth)
        return gp_error_at(b->d, mark_loc(b, ev->start_mark, 1),
                           "nesting is deeper than %zu levels",
                           b->lim->max_depth);
    if (b->depth == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;

        b->stack = gp_arena_grow(b->a, b->stack, b->depth, cap,
                                 sizeof(*b->stack));
        b->cap = cap;
    }
    n = gp_arena_alloc(b->a, sizeof(*n));
    n->kind = kind;
    n->loc = mark_loc(b, ev->start_mark, 1);
    n->tag = implicit ? NULL : dup_opt(b, tag);
    n->weight = 1;
    memset(&b->stack[b->depth], 0, sizeof(b->stack[0]));
    b->stack[b->depth].node = n;
    b->stack[b->depth].anchor = dup_opt(b, anchor);
    b->depth++;
    return 0;
}

static bool
is_merge_key(const struct gp_ynode *k)
{
    return k->kind == GP_YSCALAR && !k->quoted && strcmp(k->str, "<<") == 0;
}

/* Explicit keys first; merged keys only where no explicit key exists, and
 * earlier merge sources win over later ones (YAML merge-key spec). */
static int
finish_map(struct builder *b, struct frame *f)
{
    struct gp_ynode *m = f->node;
    size_t i, np = 0, cap = f->n / 2 + 1;
    struct gp_ypair *pairs;
    size_t *slots, nslots;
    int rc = 0;

    if (f->n % 2)
        return gp_error_at(b->d, m->loc, "mapping has a key without a value");
    for (i = 0; i < f->n; i += 2) {
        const struct gp_ynode *k = f->kids[i];
        const struct gp_ynode *v = f->kids[i + 1];

        if (is_merge_key(k)) {
            size_t j, nsrc = v->kind == GP_YSEQ ? v->n_items : 1;

            for (j = 0; j < nsrc; j++) {
                const struct gp_ynode *src =
                    v->kind == GP_YSEQ ? v->items[j] : v;
                if (src->kind != GP_YMAP)
                    return gp_error_at(b->d, src->loc,
                                       "merge key '<<' needs a mapping or a "
                                       "list of mappings");
                cap += src->n_pairs;
            }
        }
    }
    pairs = gp_arena_calloc(b->a, cap, sizeof(*pairs));
    /* Keys go into a hash table so a mapping with 100,000 keys costs
     * linear time, not a quadratic scan. Slots hold pair index + 1. */
    nslots = 16;
    while (nslots < 2 * cap)
        nslots *= 2;
    slots = gp_arena_calloc(b->a, nslots, sizeof(*slots));
    for (i = 0; i < f->n; i += 2) {
        struct gp_ynode *k = f->kids[i];
        size_t h;

        if (is_merge_key(k))
            continue;
        if (k->kind != GP_YSCALAR) {
            rc = gp_error_at(b->d, k->loc, "mapping keys must be plain "
                                           "strings, not a %s",
                             gp_ynode_describe(k));
            continue;
        }
        h = (size_t)hash_bytes(k->str, k->len) & (nslots - 1);
        while (slots[h]) {
            const struct gp_ynode *o = pairs[slots[h] - 1].key;

            if (o->len == k->len && memcmp(o->str, k->str, k->len) == 0)
                break;
            h = (h + 1) & (nslots - 1);
        }
        if (slots[h]) {
            struct gp_loc at = k->loc;

            at.len = (uint32_t)(k->len ? (k->len > 200 ? 200 : k->len) : 1);
            rc = gp_error_at(b->d, at,
                             "duplicate key '%.100s' (first given at line %u)",
                             k->str, pairs[slots[h] - 1].key->loc.line);
            continue;
        }
        pairs[np].key = k;
        pairs[np].value = f->kids[i + 1];
        np++;
        slots[h] = np;
    }
    for (i = 0; i < f->n; i += 2) {
        const struct gp_ynode *v = f->kids[i + 1];
        size_t j, s, nsrc;

        if (!is_merge_key(f->kids[i]))
            continue;
        nsrc = v->kind == GP_YSEQ ? v->n_items : 1;
        for (s = 0; s < nsrc; s++) {
            const struct gp_ynode *src = v->kind == GP_YSEQ ? v->items[s] : v;

            for (j = 0; j < src->n_pairs; j++) {
                const struct gp_ynode *k = src->pairs[j].key;
                size_t h = (size_t)hash_bytes(k->str, k->len) & (nslots - 1);

                while (slots[h] &&
                       !(pairs[slots[h] - 1].key->len == k->len &&
                         memcmp(pairs[slots[h] - 1].key->str, k->str,
                                k->len) == 0))
                    h = (h + 1) & (nslots - 1);
                if (slots[h])
                    continue;
                pairs[np++] = src->pairs[j];
                slots[h] = np;
            }
        }
    }
    m->pairs = pairs;
    m->n_pairs = np;
    return rc;
}

static int
pop(struct builder *b, yaml_event_t *ev)
{
    struct frame *f = &b->stack[b->depth - 1];
    struct gp_ynode *n = f->node;

    (void)ev;
    if (n->kind == GP_YMAP) {
        /* Key errors are recorded and parsing goes on, so that every
         * duplicate key in the file is reported in one run. */
        if (finish_map(b, f) < 0)
            b->soft_errors = true;
    } else {
        n->items = f->kids;
        n->n_items = f->n;
    }
    b->depth--;
    if (add_weight(b, 1, n->loc) < 0)
        return -1;
    if (f->anchor)
        anchor_set(b, f->anchor, n);
    return attach(b, n);
}

static int
scalar(struct builder *b, yaml_event_t *ev)
{
    struct gp_ynode *n;
    size_t len = ev->data.scalar.length;
    size_t span;

    if (len > b->lim->max_scalar)
        return gp_error_at(b->d, mark_loc(b, ev->start_mark, 1),
                           "scalar is too long (%zu bytes; the limit is %zu)",
                           len, b->lim->max_scalar);
    n = gp_arena_alloc(b->a, sizeof(*n));
    n->kind = GP_YSCALAR;
    span = ev->end_mark.line == ev->start_mark.line
               ? ev->end_mark.column - ev->start_mark.column
               : 1;
    n->loc = mark_loc(b, ev->start_mark, span ? span : 1);
    n->str = gp_arena_strndup(b->a, (const char *)ev->data.scalar.value, len);
    n->len = len;
    n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    switch (ev->data.scalar.style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
        n->style = GP_YSTYLE_SINGLE;
        break;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
        n->style = GP_YSTYLE_DOUBLE;
        break;
    case YAML_LITERAL_SCALAR_STYLE:
        n->style = GP_YSTYLE_LITERAL;
        break;
    case YAML_FOLDED_SCALAR_STYLE:
        n->style = GP_YSTYLE_FOLDED;
        break;
    default:
        n->style = GP_YSTYLE_PLAIN;
        break;
    }
    n->tag = ev->data.scalar.plain_implicit || ev->data.scalar.quoted_implicit
                 ? NULL
                 : dup_opt(b, ev->data.scalar.tag);
    n->weight = 1;
    if (add_weight(b, 1, n->loc) < 0)
        return -1;
    if (ev->data.scalar.anchor)
        anchor_set(b, gp_arena_strdup(b->a,
                                      (const char *)ev->data.scalar.anchor),
                   n);
    return attach(b, n);
}

static bool
anchor_is_open(const struct builder *b, const char *name)
{
    size_t i;

    for (i = 0; i < b->depth; i++) {
        if (b->stack[i].anchor && strcmp(b->stack[i].anchor, name) == 0)
            return true;
    }
    return false;
}

static int
alias(struct builder *b, yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    struct gp_ynode *n = anchor_get(b, name), *copy;
    struct gp_loc at = mark_loc(b, ev->start_mark, strlen(name) + 1);

    if (!n && anchor_is_open(b, name))
        return gp_error_at(b->d, at, "alias '*%.100s' refers to a node that "
                                     "contains it (recursive aliases are not "
                                     "allowed)",
                           name);
    if (!n)
        return gp_error_at(b->d, at, "unknown alias '*%.100s' (no anchor "
                                     "'&%.100s' before it)",
                           name, name);
    if (add_weight(b, n->weight, at) < 0)
        return -1;
    /* A shallow copy that shares the children but carries the alias's own
     * location, so errors about this use point here, not at the anchor. */
    copy = gp_arena_alloc(b->a, sizeof(*copy));
    *copy = *n;
    copy->loc = at;
    copy->loc.len = n->kind == GP_YSCALAR ? at.len : 1;
    return attach(b, copy);
}

static int
syntax_error(struct builder *b, yaml_parser_t *p)
{
    struct gp_strbuf sb = GP_STRBUF_INIT;
    yaml_mark_t m = p->problem_mark;

    if (p->error == YAML_MEMORY_ERROR)
        return gp_error_at(b->d, mark_loc(b, m, 1), "out of memory parsing YAML");
    gp_strbuf_printf(&sb, "invalid YAML: %s", p->problem ? p->problem : "?");
    if (p->context)
        gp_strbuf_printf(&sb, " (%s at line %zu)", p->context,
                         (size_t)p->context_mark.line + 1);
    if (p->error == YAML_READER_ERROR) {
        /* Reader errors carry a byte offset, not a line and column. */
        struct gp_loc at = {b->file, 1, 1, 1};
        size_t i, off = p->problem_offset;

        for (i = 0; i < off && i < b->len; i++) {
            if (b->text[i] == '\n') {
                at.line++;
                at.col = 1;
            } else if (((unsigned char)b->text[i] & 0xC0) != 0x80) {
                at.col++;
            }
        }
        gp_error_at(b->d, at, "%s (byte %zu)", sb.buf, off);
    } else {
        gp_error_at(b->d, mark_loc(b, m, 1), "%s", sb.buf);
    }
    gp_strbuf_release(&sb);
    return -1;
}

int
gp_yaml_parse(struct gp_ystream **out, struct gp_arena *a, const char *file,
              const char *text, size_t len, const struct gp_ylimits *lim,
              struct gp_diags *d)
{
    struct builder b;
    struct gp_ystream *s;
    yaml_parser_t p;
    size_t cap_docs = 0;
    size_t errors_before = gp_diags_errors(d);
    int rc = -1, done = 0;

    memset(&b, 0, sizeof(b));
    b.a = a;
    b.d = d;
    b.file = file;
    b.text = text;
    b.len = len;
    b.lim = lim ? lim : &gp_ylimits_default;
    s = gp_arena_alloc(a, sizeof(*s));
    s->file = file;
    if (!yaml_parser_initialize(&p))
        return gp_error_at(d, (struct gp_loc){file, 0, 0, 0},
                           "out of memory initialising the YAML parser");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    while (!done) {
        yaml_event_t ev;
        int r = 0;

        if (!yaml_parser_parse(&p, &ev)) {
            syntax_error(&b, &p);
            goto out;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            b.root = NULL;
            /* Anchors are scoped to their document. */
            b.anchors = NULL;
            b.n_anchors = b.cap_anchors = 0;
            break;
        case YAML_DOCUMENT_END_EVENT:
            if (s->n_docs >= b.lim->max_docs) {
                r = gp_error_at(d, mark_loc(&b, ev.start_mark, 1),
                                "more than %zu documents in one file",
                                b.lim->max_docs);
                break;
            }
            if (s->n_docs == cap_docs) {
                size_t cap = cap_docs ? cap_docs * 2 : 4;

                s->docs = gp_arena_grow(a, s->docs, s->n_docs, cap,
                                        sizeof(*s->docs));
                cap_docs = cap;
            }
            s->docs[s->n_docs++] = b.root;
            break;
        case YAML_SCALAR_EVENT:
            r = scalar(&b, &ev);
            break;
        case YAML_ALIAS_EVENT:
            r = alias(&b, &ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
            r = push(&b, GP_YSEQ, &ev, ev.data.sequence_start.anchor,
                     ev.data.sequence_start.tag,
                     ev.data.sequence_start.implicit);
            break;
        case YAML_MAPPING_START_EVENT:
            r = push(&b, GP_YMAP, &ev, ev.data.mapping_start.anchor,
                     ev.data.mapping_start.tag,
                     ev.data.mapping_start.implicit);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            r = pop(&b, &ev);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (r < 0)
            goto out;
    }
    if (b.soft_errors || gp_diags_errors(d) > errors_before)
        goto out;
    *out = s;
    rc = 0;
out:
    yaml_parser_delete(&p);
    return rc;
}

bool
gp_ynode_is_null(const struct gp_ynode *n)
{
    if (!n)
        return true;
    if (n->kind != GP_YSCALAR || n->quoted)
        return false;
    if (n->tag && strcmp(n->tag, "tag:yaml.org,2002:null") != 0)
        return false;
    return n->len == 0 || strcmp(n->str, "~") == 0 ||
           strcmp(n->str, "null") == 0 || strcmp(n->str, "Null") == 0 ||
           strcmp(n->str, "NULL") == 0;
}

const struct gp_ynode *
gp_ymap_get(const struct gp_ynode *map, const char *key)
{
    size_t i;

    if (!map || map->kind != GP_YMAP)
        return NULL;
    for (i = 0; i < map->n_pairs; i++) {
        if (strcmp(map->pairs[i].key->str, key) == 0)
            return map->pairs[i].value;
    }
    return NULL;
}

const char *
gp_ynode_describe(const struct gp_ynode *n)
{
    size_t i;

    if (!n || gp_ynode_is_null(n))
        return "null";
    if (n->kind == GP_YMAP)
        return "mapping";
    if (n->kind == GP_YSEQ)
        return "sequence";
    if (n->quoted)
        return "string";
    if (strcmp(n->str, "true") == 0 || strcmp(n->str, "false") == 0)
        return "boolean";
    for (i = 0; i < n->len; i++) {
        char c = n->str[i];

        if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' ||
              c == 'e' || c == 'E'))
            return "string";
    }
    return n->len ? "number" : "null";
}

/* ---- positions inside scalar values ------------------------------------ */

/* A cursor over the source text: byte offset plus the 1-based line and
 * column (characters) that libyaml would report there. */
struct cursor {
    const char *text;
    size_t len, off;
    uint32_t line, col;
};

static size_t
char_width(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0)
        return 2;
    if ((c & 0xF0) == 0xE0)
        return 3;
    return 4;
}

static bool
at_break(const struct cursor *c)
{
    return c->off < c->len &&
           (c->text[c->off] == '\n' || c->text[c->off] == '\r');
}

static void
advance(struct cursor *c)
{
    if (c->off >= c->len)
        return;
    if (c->text[c->off] == '\r' || c->text[c->off] == '\n') {
        if (c->text[c->off] == '\r' && c->off + 1 < c->len &&
            c->text[c->off + 1] == '\n')
            c->off++;
        c->off++;
        c->line++;
        c->col = 1;
        return;
    }
    c->off += char_width((unsigned char)c->text[c->off]);
    if (c->off > c->len)
        c->off = c->len;
    c->col++;
}

static bool
is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Places the cursor on the character libyaml reported at n->loc. */
static bool
seek(struct cursor *c, const struct gp_ynode *n)
{
    while (c->off < c->len && c->line < n->loc.line) {
        if (at_break(c))
            advance(c);
        else
            c->off++;
    }
    while (c->off < c->len && c->col < n->loc.col && !at_break(c))
        advance(c);
    return c->line == n->loc.line && c->col == n->loc.col;
}

/* True when only blanks stand between the cursor and the end of the line. */
static bool
rest_is_blank(const struct cursor *c)
{
    size_t i;

    for (i = c->off; i < c->len && is_blank(c->text[i]); i++)
        ;
    return i >= c->len || c->text[i] == '\n' || c->text[i] == '\r';
}

static struct gp_loc
cursor_loc(const struct gp_ynode *n, const struct cursor *c)
{
    struct gp_loc l = n->loc;

    l.line = c->line;
    l.col = c->col;
    l.len = 1;
    return l;
}

/* Flow scalars (plain, single- and double-quoted): walks the value the way
 * libyaml builds it - escapes, '' in single quotes, trailing blanks trimmed,
 * a line break folded to a space or, followed by empty lines, to one newline
 * per empty line - until the value position reaches (line, col). */
static struct gp_loc
locate_flow(const struct gp_ynode *n, struct cursor *c, uint32_t line,
            uint32_t col)
{
    char quote = n->style == GP_YSTYLE_DOUBLE   ? '"'
                 : n->style == GP_YSTYLE_SINGLE ? '\''
                                                : 0;
    uint32_t vline = 1, vcol = 1;

    if (quote)
        advance(c);
    while (c->off < c->len) {
        char ch = c->text[c->off];

        if (vline == line && vcol == col)
            return cursor_loc(n, c);
        if (vline > line)
            break;
        if (quote && ch == quote) {
            if (quote == '\'' && c->off + 1 < c->len &&
                c->text[c->off + 1] == '\'') {
                advance(c);
                advance(c);
                vcol++;
                continue;
            }
            break;
        }
        if (quote == '"' && ch == '\\' && c->off + 1 < c->len) {
            char e = c->text[c->off + 1];
            size_t k, width = e == 'x' ? 4 : e == 'u' ? 6 : e == 'U' ? 10 : 2;

            if (e == '\n' || e == '\r') {
                /* An escaped line break joins the lines with nothing. */
                advance(c);
                advance(c);
                while (c->off < c->len && is_blank(c->text[c->off]))
                    advance(c);
                continue;
            }
            for (k = 0; k < width && c->off < c->len && !at_break(c); k++)
                advance(c);
            if (e == 'n') {
                vline++;
                vcol = 1;
            } else {
                vcol++;
            }
            continue;
        }
        if (is_blank(ch) && rest_is_blank(c)) {
            while (c->off < c->len && is_blank(c->text[c->off]))
                advance(c);
            continue;
        }
        if (at_break(c)) {
            uint32_t empty = 0;

            advance(c);
            for (;;) {
                while (c->off < c->len && is_blank(c->text[c->off]))
                    advance(c);
                if (!at_break(c))
                    break;
                advance(c);
                empty++;
            }
            if (empty) {
                vline += empty;
                vcol = 1;
            } else {
                vcol++;
            }
            continue;
        }
        advance(c);
        vcol++;
    }
    return n->loc;
}

/* Literal blocks keep every line: value line k is the k-th line after the
 * header, shifted right by the block's indentation (that of its first
 * non-empty line). */
static struct gp_loc
locate_block(const struct gp_ynode *n, struct cursor *c, uint32_t line,
             uint32_t col)
{
    struct cursor p;
    uint32_t indent = 0;
    struct gp_loc l = n->loc;

    while (c->off < c->len && !at_break(c))
        advance(c);
    advance(c);
    /* The first line with text sets the indentation. */
    p = *c;
    for (;;) {
        uint32_t spaces = 0;

        while (p.off < p.len && p.text[p.off] == ' ') {
            advance(&p);
            spaces++;
        }
        if (p.off >= p.len)
            break;
        if (!at_break(&p)) {
            indent = spaces;
            break;
        }
        advance(&p);
    }
    if (n->style == GP_YSTYLE_FOLDED && line > 1)
        return n->loc;
    l.line = c->line + line - 1;
    l.col = indent + col;
    l.len = 1;
    return l;
}

struct gp_loc
gp_yscalar_locate(const struct gp_ynode *n, const char *text, size_t len,
                  uint32_t line, uint32_t col)
{
    struct cursor c = {text, len, 0, 1, 1};

    /* libyaml does not count a byte-order mark as a column. */
    if (text && len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        c.off = 3;
    if (!n || n->kind != GP_YSCALAR || line == 0 || col == 0 || !text ||
        !seek(&c, n))
        return n ? n->loc : (struct gp_loc){NULL, 0, 0, 0};
    if (n->style == GP_YSTYLE_LITERAL || n->style == GP_YSTYLE_FOLDED)
        return locate_block(n, &c, line, col);
    return locate_flow(n, &c, line, col);
}
