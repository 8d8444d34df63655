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

/* ---- a cursor over the source text ------------------------------------- */

/* Byte offset plus the 1-based line and column (characters) that libyaml
 * reports there. Line breaks are libyaml's: LF, CR, CRLF, and the Unicode
 * NEL, LS and PS. */
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

/* Bytes of the line break at the cursor, or 0. */
static size_t
break_width(const struct cursor *c)
{
    const unsigned char *t = (const unsigned char *)c->text + c->off;
    size_t left = c->len - c->off;

    if (c->off >= c->len)
        return 0;
    if (t[0] == '\n')
        return 1;
    if (t[0] == '\r')
        return left > 1 && t[1] == '\n' ? 2 : 1;
    if (left > 1 && t[0] == 0xC2 && t[1] == 0x85)
        return 2;
    if (left > 2 && t[0] == 0xE2 && t[1] == 0x80 &&
        (t[2] == 0xA8 || t[2] == 0xA9))
        return 3;
    return 0;
}

static bool
at_break(const struct cursor *c)
{
    return break_width(c) > 0;
}

static void
advance(struct cursor *c)
{
    size_t w = break_width(c);

    if (c->off >= c->len)
        return;
    if (w) {
        c->off += w;
        c->line++;
        c->col = 1;
        return;
    }
    c->off += char_width((unsigned char)c->text[c->off]);
    if (c->off > c->len)
        c->off = c->len;
    c->col++;
}

static void
cursor_init(struct cursor *c, const char *text, size_t len)
{
    c->text = text;
    c->len = text ? len : 0;
    c->off = 0;
    c->line = 1;
    c->col = 1;
    /* libyaml does not count a byte-order mark as a column. */
    if (text && len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        c->off = 3;
}

/* Moves forward to 1-based (line, col). True when the cursor stands there;
 * false when the text does not reach it or the cursor is already past it
 * (it never moves back). */
static bool
seek_to(struct cursor *c, uint32_t line, uint32_t col)
{
    while (c->off < c->len && c->line < line)
        advance(c);
    while (c->off < c->len && c->line == line && c->col < col && !at_break(c))
        advance(c);
    return c->line == line && c->col == col;
}


/* Why these values: docs/limits.md. */
const struct gp_ylimits gp_ylimits_default = {
    .max_depth = 100,
    .max_nodes = 500000,
    .max_scalar = 1024 * 1024,
    .max_docs = 10000,
    .budget = NULL,
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
    struct cursor pos;      /* follows the events through the text */
    bool utf16;             /* marks count UTF-16 characters: no offsets */
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

/* The byte offset of a mark. Events come in text order, so the cursor only
 * moves forward: the whole stream costs one pass over the text. libyaml
 * puts the marks of empty nodes at the end of a text without a final line
 * break on the line after it: those are the end of the text. */
static size_t
mark_off(struct builder *b, yaml_mark_t m)
{
    if (b->utf16 || m.line >= UINT32_MAX - 1 || m.column >= UINT32_MAX - 1)
        return GP_YOFF_NONE;
    if (seek_to(&b->pos, (uint32_t)(m.line + 1), (uint32_t)(m.column + 1)))
        return b->pos.off;
    return b->pos.off >= b->pos.len ? b->pos.len : GP_YOFF_NONE;
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
    if (b->lim->budget) {
        struct gp_ybudget *g = b->lim->budget;

        if (w > g->left) {
            g->left = 0;
            return gp_error_at(b->d, at,
                               "the %s of this run hold more than %llu "
                               "nodes in all",
                               g->what, (unsigned long long)g->total);
        }
        g->left -= w;
    }
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
    if (f->node->height < n->height + 1)
        f->node->height = n->height + 1;
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
    n->off = mark_off(b, ev->start_mark);
    n->end = GP_YOFF_NONE;
    n->tag = implicit ? NULL : dup_opt(b, tag);
    n->weight = 1;
    n->height = 1;
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
    n->off = mark_off(b, ev->start_mark);
    n->end = mark_off(b, ev->end_mark);
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
    /* An alias nests its node where it stands: 100 levels anchored, then
     * aliased 100 levels down, is 200 levels for whoever walks the tree. */
    if (b->depth + n->height > b->lim->max_depth)
        return gp_error_at(b->d, at,
                           "alias '*%.100s' nests deeper than %zu levels",
                           name, b->lim->max_depth);
    if (add_weight(b, n->weight, at) < 0)
        return -1;
    /* A shallow copy that shares the children but carries the alias's own
     * location, so errors about this use point here, not at the anchor. */
    copy = gp_arena_alloc(b->a, sizeof(*copy));
    *copy = *n;
    copy->loc = at;
    copy->loc.len = n->kind == GP_YSCALAR ? at.len : 1;
    copy->off = copy->end = mark_off(b, ev->start_mark);
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
    cursor_init(&b.pos, text, len);
    /* libyaml reads UTF-16 after a byte-order mark; the cursor walks
     * UTF-8, so such a text gets no byte offsets. */
    b.utf16 = len >= 2 && (((unsigned char)text[0] == 0xFF &&
                            (unsigned char)text[1] == 0xFE) ||
                           ((unsigned char)text[0] == 0xFE &&
                            (unsigned char)text[1] == 0xFF));
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

static bool
is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
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

/* A walk through a flow scalar's source (plain, single- or double-quoted)
 * the way libyaml builds its value: escapes, '' in single quotes, trailing
 * blanks trimmed, a line break folded to a space or, followed by empty
 * lines, to one newline per empty line. At each step, c is on the source
 * character that gives value character (vline, vcol). */
struct flow {
    struct cursor c;
    size_t end;             /* the scalar's source ends here */
    uint32_t vline, vcol;
    char quote;
};

static void
flow_start(struct flow *f, const struct gp_ynode *n, const struct cursor *at)
{
    f->c = *at;
    f->end = n->end != GP_YOFF_NONE && n->end <= at->len ? n->end : at->len;
    /* The cursor must not run past the scalar into the text after it. */
    f->c.len = f->end;
    f->vline = f->vcol = 1;
    f->quote = n->style == GP_YSTYLE_DOUBLE   ? '"'
               : n->style == GP_YSTYLE_SINGLE ? '\''
                                              : 0;
    if (f->quote)
        advance(&f->c);
}

/* One step of the walk: a character, an escape, a run of blanks or a line
 * fold. False at the value's end (the cursor stays there). */
static bool
flow_step(struct flow *f)
{
    struct cursor *c = &f->c;
    char ch;

    if (c->off >= c->len)
        return false;
    ch = c->text[c->off];
    if (f->quote && ch == f->quote) {
        if (f->quote == '\'' && c->off + 1 < c->len &&
            c->text[c->off + 1] == '\'') {
            advance(c);
            advance(c);
            f->vcol++;
            return true;
        }
        return false;
    }
    if (f->quote == '"' && ch == '\\' && c->off + 1 < c->len) {
        char e = c->text[c->off + 1];
        size_t k, width = e == 'x' ? 4 : e == 'u' ? 6 : e == 'U' ? 10 : 2;

        advance(c);
        if (at_break(c)) {
            /* An escaped line break joins the lines with nothing. */
            advance(c);
            while (c->off < c->len && is_blank(c->text[c->off]))
                advance(c);
            return true;
        }
        for (k = 1; k < width && c->off < c->len && !at_break(c); k++)
            advance(c);
        if (e == 'n') {
            f->vline++;
            f->vcol = 1;
        } else {
            f->vcol++;
        }
        return true;
    }
    if (is_blank(ch)) {
        size_t r = 0;

        while (c->off + r < c->len && is_blank(c->text[c->off + r]))
            r++;
        c->off += r;
        c->col += (uint32_t)r;
        /* Blanks before a line break are not part of the value. */
        if (c->off < c->len && !at_break(c))
            f->vcol += (uint32_t)r;
        return true;
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
            f->vline += empty;
            f->vcol = 1;
        } else {
            f->vcol++;
        }
        return true;
    }
    advance(c);
    f->vcol++;
    return true;
}

/* Walks until value position (line, col). True when the cursor stands on
 * it; false when the value ends first or the walk passed it. */
static bool
flow_find(struct flow *f, uint32_t line, uint32_t col)
{
    struct cursor *c = &f->c;

    for (;;) {
        if (f->vline == line && f->vcol == col)
            return true;
        if (f->vline > line || (f->vline == line && f->vcol > col))
            return false;
        /* A position inside a run of value blanks is reached directly. */
        if (f->vline == line && c->off < c->len &&
            is_blank(c->text[c->off])) {
            size_t r = 0;

            while (c->off + r < c->len && is_blank(c->text[c->off + r]))
                r++;
            if (c->off + r < c->len && col < f->vcol + r) {
                struct cursor end = *c;

                end.off += r;
                if (!at_break(&end)) {
                    c->off += col - f->vcol;
                    c->col += col - f->vcol;
                    f->vcol = col;
                    return true;
                }
            }
        }
        if (!flow_step(f))
            return false;
    }
}

/* Block scalars: value line k is the k-th line after the header, shifted
 * right by the block's indentation (that of its first non-empty line). */
struct block {
    struct cursor first;    /* the line after the header */
    uint32_t indent;
};

static void
block_start(struct block *bl, const struct cursor *at)
{
    struct cursor c = *at, p;

    while (c.off < c.len && !at_break(&c))
        advance(&c);
    advance(&c);
    bl->first = c;
    bl->indent = 0;
    p = c;
    for (;;) {
        uint32_t spaces = 0;

        while (p.off < p.len && p.text[p.off] == ' ') {
            advance(&p);
            spaces++;
        }
        if (p.off >= p.len)
            break;
        if (!at_break(&p)) {
            bl->indent = spaces;
            break;
        }
        advance(&p);
    }
}

static struct gp_loc
block_find(const struct gp_ynode *n, const struct block *bl, uint32_t line,
           uint32_t col)
{
    struct gp_loc l = n->loc;

    /* Folded blocks fold their lines into one: only line 1 maps. */
    if (n->style == GP_YSTYLE_FOLDED && line > 1)
        return n->loc;
    l.line = bl->first.line + line - 1;
    l.col = bl->indent + col;
    l.len = 1;
    return l;
}

/* The cursor on n's first character, from the offset the parser recorded. */
static bool
node_cursor(struct cursor *c, const struct gp_ynode *n, const char *text,
            size_t len)
{
    if (!n || n->kind != GP_YSCALAR || !text || n->off == GP_YOFF_NONE ||
        n->off > len)
        return false;
    c->text = text;
    c->len = len;
    c->off = n->off;
    c->line = n->loc.line;
    c->col = n->loc.col;
    return true;
}

static bool
is_block(const struct gp_ynode *n)
{
    return n->style == GP_YSTYLE_LITERAL || n->style == GP_YSTYLE_FOLDED;
}

struct gp_loc
gp_yscalar_locate(const struct gp_ynode *n, const char *text, size_t len,
                  uint32_t line, uint32_t col)
{
    struct cursor c;

    if (!n)
        return (struct gp_loc){NULL, 0, 0, 0};
    if (line == 0 || col == 0 || !node_cursor(&c, n, text, len))
        return n->loc;
    if (is_block(n)) {
        struct block bl;

        block_start(&bl, &c);
        return block_find(n, &bl, line, col);
    } else {
        struct flow f;

        flow_start(&f, n, &c);
        return flow_find(&f, line, col) ? cursor_loc(n, &f.c) : n->loc;
    }
}

/* Checkpoints: the walk's state every CHECKPOINT_STEPS value characters and
 * at every value line, so a lookup walks a few characters, not the value. */
#define CHECKPOINT_STEPS 32

struct gp_ylocator {
    const struct gp_ynode *n;
    bool ok, block;
    struct block bl;
    struct flow *marks;     /* ascending (vline, vcol) */
    size_t n_marks;
};

struct gp_ylocator *
gp_ylocator_new(struct gp_arena *a, const struct gp_ynode *n,
                const char *text, size_t len)
{
    struct gp_ylocator *l = gp_arena_alloc(a, sizeof(*l));
    struct cursor c;
    struct flow f;
    size_t cap = 0;
    uint32_t last_line = 0, steps = 0;

    l->n = n;
    if (!node_cursor(&c, n, text, len))
        return l;
    l->ok = true;
    if (is_block(n)) {
        l->block = true;
        block_start(&l->bl, &c);
        return l;
    }
    flow_start(&f, n, &c);
    do {
        if (f.vline != last_line || ++steps == CHECKPOINT_STEPS) {
            if (l->n_marks == cap) {
                size_t ncap = cap ? cap * 2 : 16;

                l->marks = gp_arena_grow(a, l->marks, l->n_marks, ncap,
                                         sizeof(*l->marks));
                cap = ncap;
            }
            l->marks[l->n_marks++] = f;
            last_line = f.vline;
            steps = 0;
        }
    } while (flow_step(&f));
    return l;
}

struct gp_loc
gp_ylocator_find(const struct gp_ylocator *l, uint32_t line, uint32_t col)
{
    size_t lo = 0, hi;
    struct flow f;

    if (!l->ok || line == 0 || col == 0)
        return l->n ? l->n->loc : (struct gp_loc){NULL, 0, 0, 0};
    if (l->block)
        return block_find(l->n, &l->bl, line, col);
    if (!l->n_marks)
        return l->n->loc;
    /* The last checkpoint at or before (line, col). */
    hi = l->n_marks;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        const struct flow *m = &l->marks[mid];

        if (m->vline < line || (m->vline == line && m->vcol <= col))
            lo = mid;
        else
            hi = mid;
    }
    f = l->marks[lo];
    return flow_find(&f, line, col) ? cursor_loc(l->n, &f.c) : l->n->loc;
}
