/* SPDX-License-Identifier: MIT */
/* yaml/ydoc.h: YAML documents as a plain tree with a source location on every
 * node. Only src/yaml/ sees libyaml (this reader and yemit.c, the writer).
 * Built from libyaml's event stream (not its document API) so that nesting
 * depth, alias expansion and scalar size are bounded while parsing, and
 * duplicate keys - which libyaml accepts silently - are reported. Aliases share the anchored subtree; merge
 * keys ('<<') are resolved. */
#ifndef GPUPLAN_YAML_YDOC_H
#define GPUPLAN_YAML_YDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"

struct gp_arena;

enum gp_ykind { GP_YSCALAR, GP_YSEQ, GP_YMAP };

/* How a scalar was written; decides how positions inside its value map back
 * to the source (gp_yscalar_locate). */
enum gp_ystyle {
    GP_YSTYLE_PLAIN,
    GP_YSTYLE_SINGLE,  /* 'single quoted' */
    GP_YSTYLE_DOUBLE,  /* "double quoted" */
    GP_YSTYLE_LITERAL, /* | block */
    GP_YSTYLE_FOLDED,  /* > block */
};

struct gp_ypair;

/* An offset the reader could not place (see gp_ynode.off). */
#define GP_YOFF_NONE SIZE_MAX

struct gp_ynode {
    enum gp_ykind kind;
    struct gp_loc loc;      /* where the node starts */
    size_t off, end;        /* byte offsets of loc and (scalars) of the
                             * end in the text parsed, or GP_YOFF_NONE (a
                             * UTF-16 text); an alias's copy has off at the
                             * alias, end == off */
    const char *tag;        /* explicit tag ("!!str", ...) or NULL */
    /* scalar */
    const char *str;        /* NUL-terminated; may hold NULs (see len) */
    size_t len;
    bool quoted;            /* single/double quoted or block scalar */
    enum gp_ystyle style;
    /* sequence */
    struct gp_ynode **items;
    size_t n_items;
    /* mapping, in document order, merge keys resolved */
    struct gp_ypair *pairs;
    size_t n_pairs;
    uint64_t weight;        /* nodes in the expanded subtree */
    size_t height;          /* collection levels in the expanded subtree
                             * (0 for a scalar) */
};

struct gp_ypair {
    struct gp_ynode *key;   /* always a scalar */
    struct gp_ynode *value;
};

/* A bound shared by many parses: the documents embedded in the strings of
 * one run's files (check's ConfigMaps), which one file could otherwise
 * multiply (each string parsed with its own limits). */
struct gp_ybudget {
    uint64_t left;          /* expanded nodes still allowed */
    uint64_t total;         /* the bound, for the message */
    const char *what;       /* "configs embedded in ConfigMaps" */
};

struct gp_ylimits {
    size_t max_depth;       /* nesting of collections, aliases expanded */
    uint64_t max_nodes;     /* expanded nodes in the whole stream */
    size_t max_scalar;      /* bytes in one scalar */
    size_t max_docs;        /* documents in one stream */
    struct gp_ybudget *budget; /* also counted here, or NULL */
};

/* Defaults sized for inventories of 10,000 node pools and for Kubernetes
 * dumps of a few thousand Node objects per file (docs/limits.md). */
extern const struct gp_ylimits gp_ylimits_default;

struct gp_ystream {
    const char *file;
    struct gp_ynode **docs; /* NULL entries for empty documents */
    size_t n_docs;
};

/* Parses every document of 'text'. Nodes live in 'a'. On a syntax error or
 * a limit, returns -1 with the error (file:line:col) in 'd'; nothing partial
 * is returned. */
int gp_yaml_parse(struct gp_ystream **out, struct gp_arena *a,
                  const char *file, const char *text, size_t len,
                  const struct gp_ylimits *lim, struct gp_diags *d);

/* Where the character at 1-based 'line' and 'col' (characters, as a YAML
 * parser of the value counts them) of scalar n's value stands in 'text', the
 * source n was parsed from. Lets a document embedded in a string (a
 * ConfigMap's data) report positions in the file the user edits. Exact for
 * literal blocks ('|'), single- and double-quoted scalars (escapes and line
 * folding undone) and plain scalars; folded blocks ('>') fold their lines
 * into one, so only their first line maps exactly. Any position that falls
 * outside the value, and line 0, give n's own location. Linear in the
 * length of the value (the node records where it starts in 'text'). */
struct gp_loc gp_yscalar_locate(const struct gp_ynode *n, const char *text,
                                size_t len, uint32_t line, uint32_t col);

/* The same for many positions in one scalar: indexes the value once
 * (linear in its length), then each lookup walks at most a few characters.
 * Lives in 'a'; 'text' must outlive it. */
struct gp_ylocator;
struct gp_ylocator *gp_ylocator_new(struct gp_arena *a,
                                    const struct gp_ynode *n,
                                    const char *text, size_t len);
struct gp_loc gp_ylocator_find(const struct gp_ylocator *l, uint32_t line,
                               uint32_t col);

/* True for a plain "", "~", "null", "Null" or "NULL". */
bool gp_ynode_is_null(const struct gp_ynode *n);
/* The value for 'key' in a mapping, or NULL. */
const struct gp_ynode *gp_ymap_get(const struct gp_ynode *map, const char *key);
/* "mapping", "sequence", "string", "number", "boolean" or "null". */
const char *gp_ynode_describe(const struct gp_ynode *n);

#endif
