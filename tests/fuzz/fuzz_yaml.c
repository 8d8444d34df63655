/* SPDX-License-Identifier: MIT */
/* tests/fuzz/fuzz_yaml.c: the YAML reader every parser uses (yaml/ydoc.c),
 * the positions inside scalars that check reports embedded configs with
 * (gp_yscalar_locate, gp_ylocator: both must agree), the byte offset the
 * reader records for each node (checked against a plain count from the
 * start), and the writer: every string read must come back unchanged
 * through gp_yemit (plain or quoted as it chooses, forced double quotes),
 * since recommend writes user-given names into ConfigMaps. */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/str.h"
#include "base/strbuf.h"
#include "yaml/ydoc.h"
#include "yaml/yemit.h"

/* Nodes visited per input: an alias bomb under the loader's limit may
 * expand to millions, and the walk needs only a sample. */
#define VISITS 20000
#define ROUNDTRIPS 4
#define OFFSET_CHECKS 16

struct walk {
    struct gp_arena *a;
    const char *text;
    size_t len;
    size_t visits, roundtrips, offsets;
};

/* Bytes of the line break at t[i] (libyaml's: LF, CR, CRLF, NEL, LS, PS). */
static size_t
brk(const char *t, size_t len, size_t i)
{
    const unsigned char *u = (const unsigned char *)t;

    if (u[i] == '\n')
        return 1;
    if (u[i] == '\r')
        return i + 1 < len && u[i + 1] == '\n' ? 2 : 1;
    if (i + 1 < len && u[i] == 0xC2 && u[i + 1] == 0x85)
        return 2;
    if (i + 2 < len && u[i] == 0xE2 && u[i + 1] == 0x80 &&
        (u[i + 2] == 0xA8 || u[i + 2] == 0xA9))
        return 3;
    return 0;
}

/* The byte offset of 1-based (line, col), counted from the start. */
static size_t
offset_of(const char *t, size_t len, uint32_t line, uint32_t col)
{
    size_t i = len >= 3 && memcmp(t, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    uint32_t l = 1, c = 1;

    while (i < len && (l < line || (l == line && c < col))) {
        size_t b = brk(t, len, i);

        if (b) {
            if (l == line)
                break;
            i += b;
            l++;
            c = 1;
            continue;
        }
        i++;
        while (i < len && ((unsigned char)t[i] & 0xC0) == 0x80)
            i++;
        c++;
    }
    return l == line && c == col ? i : GP_YOFF_NONE;
}

static void
roundtrip(const char *s, size_t len, int forced)
{
    struct gp_strbuf out = GP_STRBUF_INIT;
    struct gp_yemit *e = gp_yemit_new(&out);
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_ystream *st;
    const struct gp_ynode *v;

    gp_yemit_doc_start(e);
    gp_yemit_map_start(e, false);
    if (forced)
        gp_yemit_kv_str_q(e, "k", s);
    else
        gp_yemit_kv_str(e, "k", s);
    gp_yemit_map_end(e);
    gp_yemit_doc_end(e);
    GP_FUZZ_ASSERT(gp_yemit_free(e) == 0);
    GP_FUZZ_ASSERT(gp_yaml_parse(&st, a, "out.yaml", out.buf, out.len, NULL,
                                 d) == 0);
    GP_FUZZ_ASSERT(st->n_docs == 1);
    v = gp_ymap_get(st->docs[0], "k");
    GP_FUZZ_ASSERT(v && v->kind == GP_YSCALAR);
    GP_FUZZ_ASSERT(v->len == len && memcmp(v->str, s, len) == 0);
    /* A string written plain must read back as a string, not as null. */
    GP_FUZZ_ASSERT(!gp_ynode_is_null(v) || len == 0 || !forced);
    gp_arena_free(a);
    gp_strbuf_release(&out);
}

static void
walk(struct walk *w, const struct gp_ynode *n, size_t depth)
{
    size_t i;

    if (!n || w->visits >= VISITS)
        return;
    w->visits++;
    GP_FUZZ_ASSERT(depth <= gp_ylimits_default.max_depth);
    (void)gp_ynode_describe(n);
    (void)gp_ynode_is_null(n);
    switch (n->kind) {
    case GP_YSCALAR: {
        uint32_t line = (uint32_t)(n->len % 7), col = (uint32_t)(n->len % 13);
        struct gp_loc at = gp_yscalar_locate(n, w->text, w->len, line + 1,
                                             col + 1);

        GP_FUZZ_ASSERT(at.line >= 1 || at.line == n->loc.line);
        GP_FUZZ_ASSERT(strlen(n->str) <= n->len);
        if (w->offsets < OFFSET_CHECKS) {
            struct gp_ylocator *l = gp_ylocator_new(w->a, n, w->text, w->len);
            struct gp_loc lf = gp_ylocator_find(l, line + 1, col + 1);
            size_t want = offset_of(w->text, w->len, n->loc.line, n->loc.col);

            w->offsets++;
            /* A mark past the end (an empty node after a last line without
             * a line break) stands for the end of the text; UTF-16 texts
             * have no byte offsets. */
            if (w->len >= 2 && (memcmp(w->text, "\xff\xfe", 2) == 0 ||
                                memcmp(w->text, "\xfe\xff", 2) == 0))
                GP_FUZZ_ASSERT(n->off == GP_YOFF_NONE);
            else
                GP_FUZZ_ASSERT(n->off ==
                               (want == GP_YOFF_NONE ? w->len : want));
            GP_FUZZ_ASSERT(lf.line == at.line && lf.col == at.col);
            lf = gp_ylocator_find(l, 1, 1);
            at = gp_yscalar_locate(n, w->text, w->len, 1, 1);
            GP_FUZZ_ASSERT(lf.line == at.line && lf.col == at.col);
        }
        /* Strings our loaders accept (printable UTF-8, no NUL) must
         * survive the writer. */
        if (w->roundtrips < ROUNDTRIPS && strlen(n->str) == n->len &&
            gp_str_printable_utf8(n->str, n->len)) {
            /* Plain or quoted as the writer chooses, then forced quotes. */
            roundtrip(n->str, n->len, (int)(w->roundtrips++ % 2));
        }
        break;
    }
    case GP_YSEQ:
        for (i = 0; i < n->n_items; i++)
            walk(w, n->items[i], depth + 1);
        break;
    case GP_YMAP:
        for (i = 0; i < n->n_pairs; i++) {
            GP_FUZZ_ASSERT(n->pairs[i].key->kind == GP_YSCALAR);
            walk(w, n->pairs[i].key, depth + 1);
            walk(w, n->pairs[i].value, depth + 1);
        }
        if (n->n_pairs)
            GP_FUZZ_ASSERT(gp_ymap_get(n, n->pairs[0].key->str) != NULL);
        break;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    char *text = gp_fuzz_text(data, size);
    struct gp_ystream *s = NULL;
    size_t i;

    gp_diags_add_source(d, "fuzz.yaml", text, size);
    if (gp_yaml_parse(&s, a, "fuzz.yaml", text, size, NULL, d) == 0) {
        struct walk w = {a, text, size, 0, 0, 0};

        GP_FUZZ_ASSERT(gp_diags_errors(d) == 0);
        for (i = 0; i < s->n_docs; i++)
            walk(&w, s->docs[i], 0);
    } else {
        GP_FUZZ_ASSERT(gp_diags_errors(d) > 0);
    }
    gp_fuzz_print(d, "fuzz.yaml", text, size);
    gp_arena_free(a);
    free(text);
    return 0;
}
