/* SPDX-License-Identifier: MIT */
#include "base/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/xalloc.h"

char gp_strbuf_empty[1];

void
gp_strbuf_init(struct gp_strbuf *sb)
{
    sb->buf = gp_strbuf_empty;
    sb->len = 0;
    sb->alloc = 0;
}

void
gp_strbuf_release(struct gp_strbuf *sb)
{
    if (sb->alloc)
        free(sb->buf);
    gp_strbuf_init(sb);
}

void
gp_strbuf_reset(struct gp_strbuf *sb)
{
    sb->len = 0;
    if (sb->alloc)
        sb->buf[0] = '\0';
}

static void
grow(struct gp_strbuf *sb, size_t extra)
{
    size_t want = sb->len + extra + 1;

    if (want < sb->len)
        gp_xoom(SIZE_MAX);
    if (want <= sb->alloc)
        return;
    if (want < sb->alloc * 2)
        want = sb->alloc * 2;
    if (want < 64)
        want = 64;
    if (sb->alloc) {
        sb->buf = gp_xrealloc(sb->buf, want);
    } else {
        sb->buf = gp_xmalloc(want);
        sb->buf[0] = '\0';
    }
    sb->alloc = want;
}

void
gp_strbuf_add(struct gp_strbuf *sb, const char *s, size_t n)
{
    grow(sb, n);
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void
gp_strbuf_puts(struct gp_strbuf *sb, const char *s)
{
    gp_strbuf_add(sb, s, strlen(s));
}

void
gp_strbuf_putc(struct gp_strbuf *sb, char c)
{
    gp_strbuf_add(sb, &c, 1);
}

void
gp_strbuf_pad(struct gp_strbuf *sb, char c, size_t n)
{
    grow(sb, n);
    memset(sb->buf + sb->len, c, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void
gp_strbuf_vprintf(struct gp_strbuf *sb, const char *fmt, va_list ap)
{
    va_list cp;
    int n;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n <= 0)
        return;
    grow(sb, (size_t)n);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void
gp_strbuf_printf(struct gp_strbuf *sb, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    gp_strbuf_vprintf(sb, fmt, ap);
    va_end(ap);
}

char *
gp_strbuf_detach(struct gp_strbuf *sb, size_t *len)
{
    char *p;

    if (!sb->alloc)
        grow(sb, 0);
    p = sb->buf;
    if (len)
        *len = sb->len;
    gp_strbuf_init(sb);
    return p;
}
