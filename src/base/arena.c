/* SPDX-License-Identifier: MIT */
/* base/arena.c: chunked bump allocator. With GP_ARENA_DEBUG every allocation
 * is its own malloc, so AddressSanitizer sees overflows between objects. */
#include "base/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/xalloc.h"

#define GP_ARENA_CHUNK (64u * 1024u)
#define GP_ARENA_ALIGN 16u

struct gp_chunk {
    struct gp_chunk *next;
    size_t size;
    size_t used;
    /* Payload follows; aligned because the header is 3 words + padding. */
    _Alignas(16) unsigned char data[];
};

struct gp_arena {
    struct gp_chunk *head;
    size_t used;
};

struct gp_arena *
gp_arena_new(void)
{
    return gp_xcalloc(1, sizeof(struct gp_arena));
}

void
gp_arena_free(struct gp_arena *a)
{
    struct gp_chunk *c, *next;

    if (!a)
        return;
    for (c = a->head; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

void
gp_arena_reset(struct gp_arena *a)
{
    struct gp_chunk *c, *next, *keep = NULL;

    for (c = a->head; c; c = next) {
        next = c->next;
#ifndef GP_ARENA_DEBUG
        /* one standard chunk stays for the next round of allocations */
        if (!keep && c->size == GP_ARENA_CHUNK) {
            keep = c;
            keep->used = 0;
            keep->next = NULL;
            continue;
        }
#endif
        free(c);
    }
    a->head = keep;
    a->used = 0;
}

void *
gp_arena_alloc(struct gp_arena *a, size_t size)
{
    struct gp_chunk *c = a->head;
    size_t need = (size + GP_ARENA_ALIGN - 1) & ~(size_t)(GP_ARENA_ALIGN - 1);

    if (need < size)
        gp_xoom(size);
    a->used += need;
#ifdef GP_ARENA_DEBUG
    c = gp_xmalloc(sizeof(*c) + (need ? need : 1));
    c->size = need;
    c->used = need;
    c->next = a->head;
    a->head = c;
    memset(c->data, 0, need);
    return c->data;
#else
    if (!c || c->size - c->used < need) {
        size_t sz = need > GP_ARENA_CHUNK / 4 ? need : GP_ARENA_CHUNK;
        struct gp_chunk *n;

        if (sz > SIZE_MAX - sizeof(*n))
            gp_xoom(sz);
        n = gp_xmalloc(sizeof(*n) + sz);
        n->size = sz;
        n->used = 0;
        if (c && sz != GP_ARENA_CHUNK) {
            /* A large one-off block goes behind the current chunk so the
             * current chunk's free space stays usable. */
            n->next = c->next;
            c->next = n;
            c = n;
        } else {
            n->next = c;
            a->head = n;
            c = n;
        }
    }
    {
        void *p = c->data + c->used;

        c->used += need;
        memset(p, 0, need);
        return p;
    }
#endif
}

void *
gp_arena_calloc(struct gp_arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        gp_xoom(SIZE_MAX);
    return gp_arena_alloc(a, n * size);
}

void *
gp_arena_grow(struct gp_arena *a, void *old, size_t old_n, size_t new_n,
              size_t size)
{
    void *p = gp_arena_calloc(a, new_n, size);

    if (old && old_n)
        memcpy(p, old, (old_n < new_n ? old_n : new_n) * size);
    return p;
}

char *
gp_arena_strndup(struct gp_arena *a, const char *s, size_t n)
{
    char *p = gp_arena_alloc(a, n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
gp_arena_strdup(struct gp_arena *a, const char *s)
{
    return gp_arena_strndup(a, s, strlen(s));
}

char *
gp_arena_printf(struct gp_arena *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return gp_arena_strdup(a, "");
    p = gp_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

size_t
gp_arena_used(const struct gp_arena *a)
{
    return a->used;
}
