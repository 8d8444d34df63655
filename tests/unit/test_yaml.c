/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "harness.h"
#include "tests.h"
#include "yaml/ydoc.h"

static int
parse(struct gp_arena *a, struct gp_diags *d, const char *text,
      struct gp_ystream **s)
{
    return gp_yaml_parse(s, a, "t.yaml", text, strlen(text), NULL, d);
}

static const char *
first_msg(struct gp_diags *d, struct gp_loc *loc)
{
    size_t n;
    const struct gp_diag *v = gp_diags_sorted(d, &n);

    if (!n)
        return "";
    if (loc)
        *loc = v[0].loc;
    return v[0].msg;
}

void
yaml_locations_and_types(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_ystream *s = NULL;
    const struct gp_ynode *root, *v;

    OK(parse(a, d, "a: 1\nlist:\n  - x\n  - 'y'\nempty:\n", &s) == 0);
    INT_EQ(s->n_docs, 1);
    root = s->docs[0];
    INT_EQ(root->kind, GP_YMAP);
    v = gp_ymap_get(root, "list");
    INT_EQ(v->kind, GP_YSEQ);
    INT_EQ(v->n_items, 2);
    INT_EQ(v->items[1]->loc.line, 4);
    INT_EQ(v->items[1]->loc.col, 5);
    OK(v->items[1]->quoted);
    OK(gp_ynode_is_null(gp_ymap_get(root, "empty")));
    STR_EQ(gp_ynode_describe(gp_ymap_get(root, "a")), "number");
    gp_arena_free(a);
}

void
yaml_duplicate_keys_all_reported(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_ystream *s = NULL;
    struct gp_loc loc = {0, 0, 0, 0};

    OK(parse(a, d, "a: 1\nb: 2\na: 3\nc:\n  x: 1\n  x: 2\n", &s) < 0);
    INT_EQ(gp_diags_errors(d), 2);
    STR_EQ(first_msg(d, &loc), "duplicate key 'a' (first given at line 1)");
    INT_EQ(loc.line, 3);
    INT_EQ(loc.col, 1);
    gp_arena_free(a);
}

/* 100,000 keys: the duplicate check must be linear (this took minutes when
 * it was a pairwise scan). */
void
yaml_many_keys_linear(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_ystream *s = NULL;
    struct gp_strbuf sb = GP_STRBUF_INIT;
    struct gp_loc loc = {0, 0, 0, 0};
    int i;

    for (i = 0; i < 100000; i++)
        gp_strbuf_printf(&sb, "k%d: %d\n", i, i);
    gp_strbuf_puts(&sb, "k77: again\n");
    OK(parse(a, d, sb.buf, &s) < 0);
    INT_EQ(gp_diags_errors(d), 1);
    STR_EQ(first_msg(d, &loc), "duplicate key 'k77' (first given at line 78)");
    INT_EQ(loc.line, 100001);
    gp_strbuf_release(&sb);
    gp_arena_free(a);
}

void
yaml_alias_bomb_bounded(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_ystream *s = NULL;
    struct gp_strbuf sb = GP_STRBUF_INIT;
    int i;

    gp_strbuf_puts(&sb, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (i = 1; i < 10; i++)
        gp_strbuf_printf(&sb, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
                              "*a%d, *a%d, *a%d, *a%d]\n",
                         i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
                         i - 1, i - 1, i - 1);
    OK(parse(a, d, sb.buf, &s) < 0);
    OK(strstr(first_msg(d, NULL), "expands to more than") != NULL);
    gp_strbuf_release(&sb);
    gp_arena_free(a);
}

void
yaml_deep_nesting_bounded(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_ystream *s = NULL;
    char *deep = malloc(20001);
    struct gp_loc loc = {0, 0, 0, 0};

    memset(deep, '[', 10000);
    memset(deep + 10000, ']', 10000);
    deep[20000] = '\0';
    OK(parse(a, d, deep, &s) < 0);
    STR_EQ(first_msg(d, &loc), "nesting is deeper than 100 levels");
    INT_EQ(loc.col, 101);
    free(deep);
    gp_arena_free(a);
}

/* An alias nests its node where it stands: the depth bound counts it. */
void
yaml_alias_depth_bounded(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_ystream *s = NULL;
    struct gp_strbuf t = GP_STRBUF_INIT;
    struct gp_loc loc = {0, 0, 0, 0};

    gp_strbuf_puts(&t, "a: &d ");
    gp_strbuf_pad(&t, '[', 60);
    gp_strbuf_puts(&t, "x");
    gp_strbuf_pad(&t, ']', 60);
    gp_strbuf_puts(&t, "\nb: ");
    gp_strbuf_pad(&t, '[', 39);
    gp_strbuf_puts(&t, "*d");
    gp_strbuf_pad(&t, ']', 39);
    gp_strbuf_puts(&t, "\n");
    /* The mapping, 39 sequences, then 60 through the alias: 100 levels,
     * as deep as the bound lets a file nest without aliases. */
    OK(parse(a, d, t.buf, &s) == 0);
    gp_strbuf_reset(&t);
    gp_strbuf_puts(&t, "a: &d ");
    gp_strbuf_pad(&t, '[', 60);
    gp_strbuf_puts(&t, "x");
    gp_strbuf_pad(&t, ']', 60);
    gp_strbuf_puts(&t, "\nb: ");
    gp_strbuf_pad(&t, '[', 40);
    gp_strbuf_puts(&t, "*d");
    gp_strbuf_pad(&t, ']', 40);
    gp_strbuf_puts(&t, "\n");
    OK(parse(a, d, t.buf, &s) < 0);
    STR_EQ(first_msg(d, &loc), "alias '*d' nests deeper than 100 levels");
    INT_EQ(loc.line, 2);
    INT_EQ(loc.col, 44);
    gp_strbuf_release(&t);
    gp_arena_free(a);
}

/* Every node knows its byte offset; the locator and the one-off lookup
 * agree, and a lookup past a long run of blanks is immediate. */
void
yaml_offsets_and_locator(void)
{
    static const char text[] = "\xef\xbb\xbfk: \"a  b\\n c\"\r\n"
                               "b: |\n  one\n  two\n"
                               "\xc3\xa9: 'it''s'\n";
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_ystream *s = NULL;
    const struct gp_ynode *k, *b, *e;
    struct gp_ylocator *l;
    struct gp_loc at;

    OK(gp_yaml_parse(&s, a, "t.yaml", text, sizeof(text) - 1, NULL, d) == 0);
    if (!s)
        goto out;
    k = gp_ymap_get(s->docs[0], "k");
    b = gp_ymap_get(s->docs[0], "b");
    e = gp_ymap_get(s->docs[0], "\xc3\xa9");
    INT_EQ(k->off, 6);          /* after the BOM and "k: " */
    INT_EQ(s->docs[0]->pairs[0].key->off, 3);
    INT_EQ(b->off, 21);
    INT_EQ(e->off, 39);
    INT_EQ(e->loc.col, 4);      /* characters, not bytes */
    l = gp_ylocator_new(a, k, text, sizeof(text) - 1);
    at = gp_ylocator_find(l, 2, 2); /* 'c' after the escaped newline */
    INT_EQ(at.line, 1);
    INT_EQ(at.col, 12);
    at = gp_yscalar_locate(k, text, sizeof(text) - 1, 2, 2);
    INT_EQ(at.col, 12);
    at = gp_ylocator_find(l, 1, 3); /* the second blank of "a  b" */
    INT_EQ(at.col, 7);
    l = gp_ylocator_new(a, b, text, sizeof(text) - 1);
    at = gp_ylocator_find(l, 2, 1);
    INT_EQ(at.line, 4);
    INT_EQ(at.col, 3);
out:
    gp_arena_free(a);
}

void
yaml_merge_keys(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_ystream *s = NULL;
    const struct gp_ynode *b;

    OK(parse(a, d, "base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n",
             &s) == 0);
    b = gp_ymap_get(s->docs[0], "derived");
    INT_EQ(b->n_pairs, 2);
    STR_EQ(gp_ymap_get(b, "x")->str, "1");
    STR_EQ(gp_ymap_get(b, "y")->str, "3");
    gp_arena_free(a);
}

void
yaml_syntax_error_position(void)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_ystream *s = NULL;
    struct gp_loc loc = {0, 0, 0, 0};

    OK(parse(a, d, "a: 1\nb: [1, 2\nc: 3\n", &s) < 0);
    OK(strstr(first_msg(d, &loc), "invalid YAML") != NULL);
    INT_EQ(loc.line, 3);
    gp_arena_free(a);
    a = gp_arena_new();
    d = gp_diags_new(a);
    OK(gp_yaml_parse(&s, a, "t.yaml", "a: \xff\xfe\n", 6, NULL, d) < 0);
    OK(strstr(first_msg(d, NULL), "invalid") != NULL);
    gp_arena_free(a);
}
