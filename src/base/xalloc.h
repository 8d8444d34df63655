/* SPDX-License-Identifier: MIT */
/* base/xalloc.h: allocation that never returns NULL. Out of memory prints one
 * line and exits 70; it is the only exit outside cli/. */
#ifndef GPUPLAN_BASE_XALLOC_H
#define GPUPLAN_BASE_XALLOC_H

#include <stddef.h>
#include <stdlib.h>

void *gp_xmalloc(size_t size);
void *gp_xcalloc(size_t n, size_t size);
void *gp_xrealloc(void *p, size_t size);
char *gp_xstrdup(const char *s);
_Noreturn void gp_xoom(size_t size);

#endif
