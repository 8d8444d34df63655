/* SPDX-License-Identifier: MIT */
#include "base/xalloc.h"

#include <stdio.h>
#include <string.h>

void
gp_xoom(size_t size)
{
    fprintf(stderr, "gpuplan: out of memory allocating %zu bytes\n", size);
    exit(70);
}

void *
gp_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    if (!p)
        gp_xoom(size);
    return p;
}

void *
gp_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if (!p)
        gp_xoom(n * size);
    return p;
}

void *
gp_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);

    if (!q)
        gp_xoom(size);
    return q;
}

char *
gp_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;

    return memcpy(gp_xmalloc(n), s, n);
}
