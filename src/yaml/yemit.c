/* SPDX-License-Identifier: MIT */
#include "yaml/yemit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "base/strbuf.h"
#include "base/xalloc.h"

struct gp_yemit {
    yaml_emitter_t em;
    struct gp_strbuf *out;
    bool in_doc;
    bool failed;
};

static int
write_out(void *data, unsigned char *buf, size_t size)
{
    struct gp_yemit *e = data;

    gp_strbuf_add(e->out, (const char *)buf, size);
    return 1;
}

static void
emit(struct gp_yemit *e, yaml_event_t *ev, int ok)
{
    if (!ok) {
        /* libyaml's event constructors fail on out of memory and on a
         * string that is not UTF-8 (they check it); the caller's string
         * is the likely one, so the stream fails instead of the process
         * exiting with an out-of-memory message. */
        e->failed = true;
        return;
    }
    if (e->failed) {
        yaml_event_delete(ev);
        return;
    }
    if (!yaml_emitter_emit(&e->em, ev))
        e->failed = true;
}

struct gp_yemit *
gp_yemit_new(struct gp_strbuf *out)
{
    struct gp_yemit *e = gp_xcalloc(1, sizeof(*e));
    yaml_event_t ev;

    if (!yaml_emitter_initialize(&e->em))
        gp_xoom(0);
    e->out = out;
    yaml_emitter_set_output(&e->em, write_out, e);
    yaml_emitter_set_unicode(&e->em, 1);
    yaml_emitter_set_width(&e->em, -1);
    yaml_emitter_set_indent(&e->em, 2);
    yaml_emitter_set_break(&e->em, YAML_LN_BREAK);
    emit(e, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
    return e;
}

int
gp_yemit_free(struct gp_yemit *e)
{
    yaml_event_t ev;
    int rc;

    if (e->in_doc)
        gp_yemit_doc_end(e);
    emit(e, &ev, yaml_stream_end_event_initialize(&ev));
    if (!e->failed && !yaml_emitter_flush(&e->em))
        e->failed = true;
    rc = e->failed ? -1 : 0;
    yaml_emitter_delete(&e->em);
    free(e);
    return rc;
}

void
gp_yemit_doc_start(struct gp_yemit *e)
{
    yaml_event_t ev;

    emit(e, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL,
                                                       0));
    e->in_doc = true;
}

void
gp_yemit_doc_start_bare(struct gp_yemit *e)
{
    yaml_event_t ev;

    emit(e, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL,
                                                       1));
    e->in_doc = true;
}

void
gp_yemit_doc_end(struct gp_yemit *e)
{
    yaml_event_t ev;

    emit(e, &ev, yaml_document_end_event_initialize(&ev, 1));
    e->in_doc = false;
}

void
gp_yemit_comment(struct gp_yemit *e, const char *text)
{
    const char *p = text;

    /* What libyaml holds back must reach the buffer first. */
    if (!e->failed && !yaml_emitter_flush(&e->em))
        e->failed = true;
    if (e->in_doc) {
        e->failed = true;
        return;
    }
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);

        gp_strbuf_add(e->out, n ? "# " : "#", n ? 2 : 1);
        gp_strbuf_add(e->out, p, n);
        gp_strbuf_putc(e->out, '\n');
        if (!nl || !nl[1])
            break;
        p = nl + 1;
    }
}

void
gp_yemit_map_start(struct gp_yemit *e, bool flow)
{
    yaml_event_t ev;

    emit(e, &ev, yaml_mapping_start_event_initialize(
                     &ev, NULL, NULL, 1,
                     flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE));
}

void
gp_yemit_map_end(struct gp_yemit *e)
{
    yaml_event_t ev;

    emit(e, &ev, yaml_mapping_end_event_initialize(&ev));
}

void
gp_yemit_seq_start(struct gp_yemit *e, bool flow)
{
    yaml_event_t ev;

    emit(e, &ev, yaml_sequence_start_event_initialize(
                     &ev, NULL, NULL, 1,
                     flow ? YAML_FLOW_SEQUENCE_STYLE
                          : YAML_BLOCK_SEQUENCE_STYLE));
}

void
gp_yemit_seq_end(struct gp_yemit *e)
{
    yaml_event_t ev;

    emit(e, &ev, yaml_sequence_end_event_initialize(&ev));
}

static void
scalar(struct gp_yemit *e, const char *s, yaml_scalar_style_t style)
{
    yaml_event_t ev;

    emit(e, &ev, yaml_scalar_event_initialize(
                     &ev, NULL, NULL, (yaml_char_t *)(uintptr_t)s,
                     (int)strlen(s), 1, 1, style));
}

/* libyaml picks plain style whenever the characters allow it, without
 * asking how a reader resolves the result: "true", "no", "4", "1e3" or "~"
 * would come back as booleans, numbers or null, a plain "<<" key as a
 * merge (YAML 1.1, and ydoc.c) and "=" as YAML 1.1's value key. Anything
 * that might is quoted (YAML 1.1 and 1.2 resolvers alike; erring toward
 * quotes is harmless). */
static bool
ambiguous(const char *s)
{
    static const char *const words[] = {
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
        ".inf", ".nan", "-.inf", "+.inf", "<<", "="};
    size_t i;

    if (!*s)
        return true;
    if (strchr("0123456789+-.", *s))
        return true;
    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcasecmp(s, words[i]) == 0)
            return true;
    return false;
}

void
gp_yemit_str(struct gp_yemit *e, const char *s)
{
    scalar(e, s, ambiguous(s) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
                              : YAML_ANY_SCALAR_STYLE);
}

void
gp_yemit_str_q(struct gp_yemit *e, const char *s)
{
    scalar(e, s, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

void
gp_yemit_block(struct gp_yemit *e, const char *s)
{
    scalar(e, s, YAML_LITERAL_SCALAR_STYLE);
}

void
gp_yemit_int(struct gp_yemit *e, long long v)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%lld", v);
    scalar(e, buf, YAML_PLAIN_SCALAR_STYLE);
}

void
gp_yemit_num(struct gp_yemit *e, double v, int decimals)
{
    char buf[64];

    /* -0.00 would read as a different string from 0.00 */
    snprintf(buf, sizeof(buf), "%.*f", decimals, v == 0 ? 0.0 : v);
    if (strspn(buf, "-0.") == strlen(buf))
        snprintf(buf, sizeof(buf), "%.*f", decimals, 0.0);
    scalar(e, buf, YAML_PLAIN_SCALAR_STYLE);
}

void
gp_yemit_bool(struct gp_yemit *e, bool v)
{
    scalar(e, v ? "true" : "false", YAML_PLAIN_SCALAR_STYLE);
}

void
gp_yemit_null(struct gp_yemit *e)
{
    scalar(e, "null", YAML_PLAIN_SCALAR_STYLE);
}

void
gp_yemit_kv_str(struct gp_yemit *e, const char *k, const char *v)
{
    gp_yemit_str(e, k);
    gp_yemit_str(e, v);
}

void
gp_yemit_kv_str_q(struct gp_yemit *e, const char *k, const char *v)
{
    gp_yemit_str(e, k);
    gp_yemit_str_q(e, v);
}

void
gp_yemit_kv_int(struct gp_yemit *e, const char *k, long long v)
{
    gp_yemit_str(e, k);
    gp_yemit_int(e, v);
}

void
gp_yemit_kv_num(struct gp_yemit *e, const char *k, double v, int decimals)
{
    gp_yemit_str(e, k);
    gp_yemit_num(e, v, decimals);
}

void
gp_yemit_kv_bool(struct gp_yemit *e, const char *k, bool v)
{
    gp_yemit_str(e, k);
    gp_yemit_bool(e, v);
}
