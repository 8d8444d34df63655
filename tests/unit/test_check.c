/* SPDX-License-Identifier: MIT */
/* tests/unit/test_check.c: the pieces of 'gpuplan check' that the corpus in
 * tests/check/ cannot pin down on its own: positions inside scalars, the
 * YAML-as-JSON typing, go-nvlib's profile grammar, Go's ParseUint, and the
 * rule table against the code, the docs and the corpus. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "check/check_int.h"
#include "harness.h"
#include "tests.h"
#include "yaml/ydoc.h"

static const struct gp_ynode *
scalar_of(struct gp_arena *a, const char *text, const char *key)
{
    struct gp_diags *d = gp_diags_new(a);
    struct gp_ystream *s = NULL;

    if (gp_yaml_parse(&s, a, "t.yaml", text, strlen(text), NULL, d) < 0)
        return NULL;
    return gp_ymap_get(s->docs[0], key);
}

static void
loc_eq(struct gp_loc l, uint32_t line, uint32_t col, int src_line)
{
    gp_check_int(l.line, line, __FILE__, src_line, "line");
    gp_check_int(l.col, col, __FILE__, src_line, "col");
}

void
yaml_scalar_locate_literal_and_folded(void)
{
    struct gp_arena *a = gp_arena_new();
    const char *t = "k: |\n"
                    "    first: 1\n"
                    "\n"
                    "    nested:\n"
                    "      deep: 2\n"
                    "f: >\n"
                    "  one\n"
                    "  two\n";
    const struct gp_ynode *k = scalar_of(a, t, "k"), *f = scalar_of(a, t, "f");

    OK(k && k->style == GP_YSTYLE_LITERAL);
    loc_eq(gp_yscalar_locate(k, t, strlen(t), 1, 1), 2, 5, __LINE__);
    loc_eq(gp_yscalar_locate(k, t, strlen(t), 1, 8), 2, 12, __LINE__);
    /* The empty line stays a line of the value. */
    loc_eq(gp_yscalar_locate(k, t, strlen(t), 3, 1), 4, 5, __LINE__);
    loc_eq(gp_yscalar_locate(k, t, strlen(t), 4, 9), 5, 13, __LINE__);
    OK(f && f->style == GP_YSTYLE_FOLDED);
    loc_eq(gp_yscalar_locate(f, t, strlen(t), 1, 2), 7, 4, __LINE__);
    /* Folded lines join: past the first, the block's start. */
    loc_eq(gp_yscalar_locate(f, t, strlen(t), 2, 1), 6, 4, __LINE__);
    loc_eq(gp_yscalar_locate(k, t, strlen(t), 0, 0), 1, 4, __LINE__);
    gp_arena_free(a);
}

void
yaml_scalar_locate_quoted(void)
{
    struct gp_arena *a = gp_arena_new();
    const char *t = "d: \"a: 1\\nb: \\\"x\\\"\\n\\u00e9c: 2\"\n"
                    "s: 'it''s\n"
                    "\n"
                    "   next'\n"
                    "w: \"fold\n"
                    "   ed: 3\"\n"
                    "p: plain\n"
                    "  more\n";
    const struct gp_ynode *d = scalar_of(a, t, "d"), *s = scalar_of(a, t, "s");
    const struct gp_ynode *w = scalar_of(a, t, "w"), *p = scalar_of(a, t, "p");

    OK(d && d->style == GP_YSTYLE_DOUBLE);
    /* value "a: 1\nb: \"x\"\néc: 2": line 2 col 4 is the quote escape */
    loc_eq(gp_yscalar_locate(d, t, strlen(t), 1, 4), 1, 8, __LINE__);
    loc_eq(gp_yscalar_locate(d, t, strlen(t), 2, 4), 1, 14, __LINE__);
    loc_eq(gp_yscalar_locate(d, t, strlen(t), 2, 5), 1, 16, __LINE__);
    /* \u00e9 is one character of the value: 'c' follows it */
    loc_eq(gp_yscalar_locate(d, t, strlen(t), 3, 2), 1, 27, __LINE__);
    OK(s && s->style == GP_YSTYLE_SINGLE);
    /* "it's" ('' is one quote), an empty line (one newline), "next" */
    loc_eq(gp_yscalar_locate(s, t, strlen(t), 1, 4), 2, 9, __LINE__);
    loc_eq(gp_yscalar_locate(s, t, strlen(t), 2, 1), 4, 4, __LINE__);
    OK(w && w->style == GP_YSTYLE_DOUBLE);
    /* "fold ed: 3": the break folds to one space */
    loc_eq(gp_yscalar_locate(w, t, strlen(t), 1, 6), 6, 4, __LINE__);
    OK(p && p->style == GP_YSTYLE_PLAIN);
    loc_eq(gp_yscalar_locate(p, t, strlen(t), 1, 7), 8, 3, __LINE__);
    /* Past the end of the value: the scalar itself. */
    loc_eq(gp_yscalar_locate(w, t, strlen(t), 5, 1), 5, 4, __LINE__);
    gp_arena_free(a);
}

void
check_yaml_as_json(void)
{
    struct gp_arena *a = gp_arena_new();
    const char *t = "y: yes\nn: Off\nh: 0x1F\no: 017\nf: 2.5\ni: -3\n"
                    "q: \"4\"\nz: ~\ns: v1\nb: 1_000\ne: .inf\n";
    long long v;
    bool b;

    INT_EQ(ck_jtype(scalar_of(a, t, "y")), CK_JBOOL);
    OK(ck_jbool(scalar_of(a, t, "y"), &b) && b);
    OK(ck_jbool(scalar_of(a, t, "n"), &b) && !b);
    OK(ck_jint(scalar_of(a, t, "h"), &v));
    INT_EQ(v, 31);
    OK(ck_jint(scalar_of(a, t, "o"), &v));
    INT_EQ(v, 15);
    INT_EQ(ck_jtype(scalar_of(a, t, "f")), CK_JFLOAT);
    OK(ck_jint(scalar_of(a, t, "i"), &v));
    INT_EQ(v, -3);
    INT_EQ(ck_jtype(scalar_of(a, t, "q")), CK_JSTRING);
    INT_EQ(ck_jtype(scalar_of(a, t, "z")), CK_JNULL);
    INT_EQ(ck_jtype(scalar_of(a, t, "s")), CK_JSTRING);
    OK(ck_jint(scalar_of(a, t, "b"), &v));
    INT_EQ(v, 1000);
    INT_EQ(ck_jtype(scalar_of(a, t, "e")), CK_JFLOAT);
    STR_EQ(ck_jtext(scalar_of(a, t, "y")), "true");
    gp_arena_free(a);
}

void
check_profile_grammar(void)
{
    struct gp_arena *a = gp_arena_new();
    struct ck ck;
    int c, g, gb;
    const char *attr, *e;

    memset(&ck, 0, sizeof(ck));
    ck.a = a;
    OK(!ck_parse_profile(&ck, "1g.10gb", &c, &g, &gb, &attr));
    OK(c == 1 && g == 1 && gb == 10 && !strcmp(attr, ""));
    OK(!ck_parse_profile(&ck, "1c.3g.20gb", &c, &g, &gb, &attr));
    OK(c == 1 && g == 3 && gb == 20);
    OK(!ck_parse_profile(&ck, "1g.24gb+me.all", &c, &g, &gb, &attr));
    STR_EQ(attr, "+me.all");
    OK(!ck_parse_profile(&ck, "1g.24gb-me", &c, &g, &gb, &attr));
    STR_EQ(attr, "-me");
    e = ck_parse_profile(&ck, "1g.10gb.me", &c, &g, &gb, &attr);
    STR_EQ(e, "cannot parse fields of '1g.10gb.me': missing 'c' from '%dc'");
    e = ck_parse_profile(&ck, "", &c, &g, &gb, &attr);
    STR_EQ(e, "profile is the empty string");
    e = ck_parse_profile(&ck, "xg.5gb", &c, &g, &gb, &attr);
    STR_EQ(e, "cannot parse fields of 'xg.5gb': malformed number in '%dg'");
    e = ck_parse_profile(&ck, "1g.5gb+.me", &c, &g, &gb, &attr);
    STR_EQ(e, "cannot parse attributes of '1g.5gb+.me': attribute begins/ends "
              "with a dot");
    e = ck_parse_profile(&ck, "1g.5gb+m_e", &c, &g, &gb, &attr);
    STR_EQ(e, "cannot parse attributes of '1g.5gb+m_e': non alpha-numeric "
              "character or digit in attribute");
    e = ck_parse_profile(&ck, "1g.5gb+", &c, &g, &gb, &attr);
    STR_EQ(e, "cannot parse attributes of '1g.5gb+': empty attribute in list");
    gp_arena_free(a);
}

void
check_pci_ids(void)
{
    uint32_t v;

    OK(ck_parse_pci("0x20B010DE", &v) && v == 0x20B010DEu);
    OK(ck_parse_pci("0X20b0_10de", &v) && v == 0x20B010DEu);
    OK(ck_parse_pci("548409566", &v) && v == 548409566u);
    OK(ck_parse_pci("0", &v) && v == 0);
    OK(!ck_parse_pci("A100", &v));
    OK(!ck_parse_pci("0x1FFFFFFFF", &v));
    OK(!ck_parse_pci("0x", &v));
    OK(!ck_parse_pci("", &v));
    OK(!ck_parse_pci("0x20B0_", &v));
}

static bool
file_mentions(struct gp_arena *a, const char *path, const char *word)
{
    struct gp_diags *d = gp_diags_new(a);
    const char *text;
    size_t len;

    return gp_file_read(&text, &len, a, path, GP_MAX_INPUT_BYTES, d) == 0 &&
           strstr(text, word);
}

/* Every rule id used in src/check/ is in the table; every rule in the table
 * is documented in docs/check.md and exercised by the corpus or a golden
 * case. */
void
check_rules_table_code_docs_corpus(void)
{
    static const char *const not_rules[] = {"mig-configs", "mig-enabled",
                                            NULL};
    static const char *const families[] = {"cm-", "cp-", "dp-", "inv-",
                                           "input-", "label-", "labels-",
                                           "mig-", "node-", "pod-",
                                           "yaml-", NULL};
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    const struct gp_check_rule *r = NULL;
    struct gp_strbuf corpus = GP_STRBUF_INIT;
    size_t n, i;
    DIR *dir;
    struct dirent *e;

    r = gp_check_rules(&n);
    OK(n > 60);
    for (i = 0; i < n; i++) {
        OK(r[i].sev == GP_SEV_ERROR || r[i].sev == GP_SEV_WARNING);
        if (i)
            OK(strcmp(r[i - 1].id, r[i].id) < 0);
        OK(gp_check_rule_find(r[i].id) == &r[i]);
    }
    dir = opendir(GP_SOURCE_DIR "/src/check");
    OK(dir != NULL);
    while (dir && (e = readdir(dir)) != NULL) {
        char path[512];
        const char *text, *p;
        size_t len;

        if (!strstr(e->d_name, ".c"))
            continue;
        snprintf(path, sizeof(path), GP_SOURCE_DIR "/src/check/%s", e->d_name);
        if (gp_file_read(&text, &len, a, path, GP_MAX_INPUT_BYTES, d) < 0)
            continue;
        for (p = strchr(text, '"'); p; p = strchr(p + 1, '"')) {
            const char *q = strchr(p + 1, '"');
            char lit[64];
            size_t k, f;

            if (!q)
                break;
            k = (size_t)(q - p - 1);
            if (k && k < sizeof(lit)) {
                memcpy(lit, p + 1, k);
                lit[k] = '\0';
                for (f = 0; families[f] && strncmp(lit, families[f],
                                                   strlen(families[f]));
                     f++)
                    ;
                if (families[f] && lit[k - 1] != '-' &&
                    strspn(lit, "abcdefghijklmnopqrstuvwxyz0123456789-") ==
                        k) {
                    for (i = 0; not_rules[i] && strcmp(not_rules[i], lit); i++)
                        ;
                    if (!not_rules[i] && !gp_check_rule_find(lit))
                        gp_check_str(lit, "(a rule in rules.c)", path, 0,
                                     "rule id used in the code");
                }
            }
            p = q;
        }
    }
    if (dir)
        closedir(dir);
    dir = opendir(GP_SOURCE_DIR "/tests/check");
    while (dir && (e = readdir(dir)) != NULL) {
        char path[512];
        const char *text;
        size_t len;

        if (!strstr(e->d_name, ".expected"))
            continue;
        snprintf(path, sizeof(path), GP_SOURCE_DIR "/tests/check/%s",
                 e->d_name);
        if (gp_file_read(&text, &len, a, path, GP_MAX_INPUT_BYTES, d) == 0)
            gp_strbuf_add(&corpus, text, len);
    }
    if (dir)
        closedir(dir);
    for (i = 0; i < n; i++) {
        char word[80];
        const char *golden =
            GP_SOURCE_DIR "/tests/cases/check-007-missing-file/expected.out";

        snprintf(word, sizeof(word), "`%s`", r[i].id);
        if (!file_mentions(a, GP_SOURCE_DIR "/docs/check.md", word))
            gp_check_str(r[i].id, "(documented)", __FILE__, __LINE__,
                         "rule missing from docs/check.md");
        snprintf(word, sizeof(word), " %s ", r[i].id);
        if (!strstr(corpus.buf, word) &&
            !(strcmp(r[i].id, "input-unreadable") == 0 &&
              file_mentions(a, golden, "[input-unreadable]")))
            gp_check_str(r[i].id, "(exercised)", __FILE__, __LINE__,
                         "rule missing from the corpus");
    }
    gp_strbuf_release(&corpus);
    gp_arena_free(a);
}
