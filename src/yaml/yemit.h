/* SPDX-License-Identifier: MIT */
/* yaml/yemit.h: writing YAML through libyaml's emitter, so that every
 * string gpuplan writes is quoted and escaped the way a YAML parser reads it
 * back. A builder with a stack: open a mapping or a sequence, add scalars,
 * close. Output goes to a gp_strbuf; several documents may follow each other
 * in one stream ("---" between them). Comments are not part of libyaml's
 * event model: gp_yemit_comment() writes '#' lines between documents.
 *
 * Scalars are written plain when that reads back as the same string, else
 * quoted by libyaml; gp_yemit_str_q() forces double quotes (values such as
 * "true", "4" or "1g.10gb" that must stay strings for Kubernetes). */
#ifndef GPUPLAN_YAML_YEMIT_H
#define GPUPLAN_YAML_YEMIT_H

#include <stdbool.h>
#include <stddef.h>

struct gp_strbuf;
struct gp_yemit;

/* Starts a stream that appends to 'out'. Never fails (aborts on OOM). */
struct gp_yemit *gp_yemit_new(struct gp_strbuf *out);
/* Ends the stream (closing a document still open) and frees the emitter.
 * Returns 0, or -1 when the calls did not nest properly (a bug). */
int gp_yemit_free(struct gp_yemit *e);

void gp_yemit_doc_start(struct gp_yemit *e);
/* The first document of a stream without its '---' line: a fragment (one
 * list item, one mapping) that the caller splices between lines it writes
 * itself, such as comments inside a document, which libyaml's event model
 * cannot express. The fragment is indented as at the top level. */
void gp_yemit_doc_start_bare(struct gp_yemit *e);
void gp_yemit_doc_end(struct gp_yemit *e);
/* '# text' lines, only between documents (before doc_start). Newlines in
 * 'text' start new comment lines. */
void gp_yemit_comment(struct gp_yemit *e, const char *text);

/* flow: [a, b] / {k: v} on one line */
void gp_yemit_map_start(struct gp_yemit *e, bool flow);
void gp_yemit_map_end(struct gp_yemit *e);
void gp_yemit_seq_start(struct gp_yemit *e, bool flow);
void gp_yemit_seq_end(struct gp_yemit *e);

/* Scalars: a mapping's key and its value are two scalar calls in a row. */
void gp_yemit_str(struct gp_yemit *e, const char *s);
void gp_yemit_str_q(struct gp_yemit *e, const char *s);
/* A literal block scalar ('|'), for embedded files such as a ConfigMap's
 * config.yaml. */
void gp_yemit_block(struct gp_yemit *e, const char *s);
void gp_yemit_int(struct gp_yemit *e, long long v);
/* Fixed decimals, C locale, trailing zeros kept ("0.50"). */
void gp_yemit_num(struct gp_yemit *e, double v, int decimals);
void gp_yemit_bool(struct gp_yemit *e, bool v);
void gp_yemit_null(struct gp_yemit *e);

/* key: value shorthands */
void gp_yemit_kv_str(struct gp_yemit *e, const char *k, const char *v);
void gp_yemit_kv_str_q(struct gp_yemit *e, const char *k, const char *v);
void gp_yemit_kv_int(struct gp_yemit *e, const char *k, long long v);
void gp_yemit_kv_num(struct gp_yemit *e, const char *k, double v,
                     int decimals);
void gp_yemit_kv_bool(struct gp_yemit *e, const char *k, bool v);

#endif
