/* SPDX-License-Identifier: MIT */
/* base/diag.h: source locations and a diagnostics sink. Loaders record every
 * problem they find here instead of stopping at the first; only cli/ prints.
 * Messages follow git's rules: lowercase, no final period, what is wrong
 * first, user values in '...'. */
#ifndef GPUPLAN_BASE_DIAG_H
#define GPUPLAN_BASE_DIAG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct gp_arena;

/* 1-based line and column (in characters); line 0 means "the whole file",
 * file NULL means "no file" (command line). 'len' is the width to underline. */
struct gp_loc {
    const char *file;
    uint32_t line, col, len;
};

enum gp_severity { GP_SEV_ERROR, GP_SEV_WARNING, GP_SEV_NOTE };

struct gp_diag {
    enum gp_severity sev;
    struct gp_loc loc;
    const char *rule; /* stable rule id, or NULL */
    char *msg;
    char *hint;       /* one line of advice, or NULL */
    uint32_t seq;     /* order of recording, for a stable sort */
};

struct gp_diags;

/* The sink allocates from 'a'; it lives as long as 'a'. */
struct gp_diags *gp_diags_new(struct gp_arena *a);

/* Registers the text of a file so printed diagnostics can quote the line.
 * 'text' is borrowed and must outlive the sink. */
void gp_diags_add_source(struct gp_diags *d, const char *file,
                         const char *text, size_t len);

/* Remembers a file read as input (device and inode), so that writers can
 * refuse to replace it (base/fs.c). */
void gp_diags_add_input(struct gp_diags *d, uint64_t dev, uint64_t ino);
bool gp_diags_is_input(const struct gp_diags *d, uint64_t dev, uint64_t ino);

/* Records an error; ALWAYS returns -1 so callers can 'return gp_error_at()'.
 * Every recorder copies the location's file name. */
int gp_error_at(struct gp_diags *d, struct gp_loc at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records a warning; returns 0. */
int gp_warning_at(struct gp_diags *d, struct gp_loc at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void gp_note_at(struct gp_diags *d, struct gp_loc at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Attaches advice to the most recent diagnostic. */
void gp_diag_hint(struct gp_diags *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Tags the most recent diagnostic with a stable rule id (static string). */
void gp_diag_rule(struct gp_diags *d, const char *rule);

/* Forgets every recorded diagnostic and the counts; the registered sources
 * stay. */
void gp_diags_reset(struct gp_diags *d);

size_t gp_diags_errors(const struct gp_diags *d);
size_t gp_diags_warnings(const struct gp_diags *d);
/* Diagnostics sorted by file, line, column, then recording order. The array
 * is valid until the next recording. */
const struct gp_diag *gp_diags_sorted(struct gp_diags *d, size_t *n);
/* Compiler-style text with the source line and a caret under the spot. */
void gp_diags_print(struct gp_diags *d, FILE *out);
/* Recorded beyond the cap and not kept. */
size_t gp_diags_dropped(const struct gp_diags *d);
/* The source line 'line' of 'file' (without newline), or NULL. */
const char *gp_diags_source_line(const struct gp_diags *d, const char *file,
                                 uint32_t line, size_t *len);

#endif
