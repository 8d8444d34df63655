/* SPDX-License-Identifier: MIT */
/* base/strbuf.h: growable string. 'buf' is never NULL after init and always
 * NUL-terminated. Initialise with GP_STRBUF_INIT or gp_strbuf_init(). */
#ifndef GPUPLAN_BASE_STRBUF_H
#define GPUPLAN_BASE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct gp_strbuf {
    char *buf;
    size_t len;
    size_t alloc;
};

extern char gp_strbuf_empty[];
#define GP_STRBUF_INIT { gp_strbuf_empty, 0, 0 }

void gp_strbuf_init(struct gp_strbuf *sb);
void gp_strbuf_release(struct gp_strbuf *sb);
void gp_strbuf_reset(struct gp_strbuf *sb);
void gp_strbuf_add(struct gp_strbuf *sb, const char *s, size_t n);
void gp_strbuf_puts(struct gp_strbuf *sb, const char *s);
void gp_strbuf_putc(struct gp_strbuf *sb, char c);
void gp_strbuf_printf(struct gp_strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void gp_strbuf_vprintf(struct gp_strbuf *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Appends n copies of c. */
void gp_strbuf_pad(struct gp_strbuf *sb, char c, size_t n);
/* Moves the contents out; the caller frees the result with free(). */
char *gp_strbuf_detach(struct gp_strbuf *sb, size_t *len);

#endif
