/* SPDX-License-Identifier: MIT */
/* base/arena.h: one bump allocator per run. Everything loaded, planned or
 * reported by one invocation lives in an arena and is released at once. */
#ifndef GPUPLAN_BASE_ARENA_H
#define GPUPLAN_BASE_ARENA_H

#include <stddef.h>

struct gp_arena;

/* Returns a new arena; never NULL (out of memory is fatal). */
struct gp_arena *gp_arena_new(void);
/* Frees the arena and every allocation made from it. Accepts NULL. */
void gp_arena_free(struct gp_arena *a);

/* Releases every allocation at once, keeping memory for reuse: a scratch
 * arena for work repeated many times. */
void gp_arena_reset(struct gp_arena *a);

/* Zeroed, 16-byte aligned memory valid while 'a' lives. */
void *gp_arena_alloc(struct gp_arena *a, size_t size);
/* n elements of 'size' bytes, zeroed; fatal on overflow. */
void *gp_arena_calloc(struct gp_arena *a, size_t n, size_t size);
/* Grows an array allocated from the arena (old contents copied). */
void *gp_arena_grow(struct gp_arena *a, void *old, size_t old_n, size_t new_n,
                    size_t size);
char *gp_arena_strdup(struct gp_arena *a, const char *s);
char *gp_arena_strndup(struct gp_arena *a, const char *s, size_t n);
char *gp_arena_printf(struct gp_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Bytes handed out so far (for benchmarks and memory bounds). */
size_t gp_arena_used(const struct gp_arena *a);

#endif
