/* SPDX-License-Identifier: MIT */
/* base/arena.c: chunked bump allocator. With GP_ARENA_DEBUG every allocation
 * is its own malloc, so AddressSanitizer sees overflows between objects. */
/* madvise's MADV_HUGEPAGE is not POSIX */
#define _DEFAULT_SOURCE 1

#include "base/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/xalloc.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

#define GP_ARENA_CHUNK (64u * 1024u)
/* An arena past this size takes chunks of GP_ARENA_BIG: a 10,000-node
 * inventory fills 180 MB, and touching it 4 KiB page by page cost a tenth
 * of the run in page faults under a hypervisor. Big chunks can be backed
 * by 2 MiB pages. */
#define GP_ARENA_GROWN (1u << 20)
#define GP_ARENA_BIG (4u << 20)
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

#ifndef GP_ARENA_DEBUG
/* Ask for transparent huge pages over the 2 MiB-aligned part of a big
 * block (Linux, THP in "madvise" mode); elsewhere, or if refused, the block
 * is used as it is. */
static void
huge_pages(void *p, size_t size)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t hi = ((uintptr_t)p + size) & ~(huge - 1);

    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)p;
    (void)size;
#endif
}
#endif

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
        size_t std = a->used > GP_ARENA_GROWN ? GP_ARENA_BIG : GP_ARENA_CHUNK;
        size_t sz = need > std / 4 ? need : std;
        struct gp_chunk *n;

        if (sz > SIZE_MAX - sizeof(*n))
            gp_xoom(sz);
        n = gp_xmalloc(sizeof(*n) + sz);
        n->size = sz;
        n->used = 0;
        huge_pages(n, sizeof(*n) + sz);
        if (c && sz != std) {
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
