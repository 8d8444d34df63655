/* SPDX-License-Identifier: MIT */
/* tests/fuzz/fuzz_common.c: the helpers of fuzz.h. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "model/gpu.h"

const struct gp_catalog *
gp_fuzz_catalog(void)
{
    static struct gp_catalog *cat;
    static struct gp_arena *a;

    if (!cat) {
        struct gp_diags *d;

        a = gp_arena_new();
        d = gp_diags_new(a);
        if (gp_catalog_load(&cat, a, NULL, d) < 0)
            gp_fuzz_fail(__FILE__, __LINE__, "built-in catalogue loads");
    }
    return cat;
}

char *
gp_fuzz_text(const uint8_t *data, size_t size)
{
    char *t = malloc(size + 1);

    if (!t)
        abort();
    if (size)
        memcpy(t, data, size);
    t[size] = '\0';
    return t;
}

/* Lines of a text as libyaml counts them (LF, CR, CRLF, NEL, LS, PS). */
static uint32_t
count_lines(const char *t, size_t len)
{
    const unsigned char *u = (const unsigned char *)t;
    uint32_t n = 1;
    size_t i;

    for (i = 0; i < len; i++) {
        if (u[i] == '\n') {
            n++;
        } else if (u[i] == '\r') {
            n++;
            if (i + 1 < len && u[i + 1] == '\n')
                i++;
        } else if (i + 1 < len && u[i] == 0xC2 && u[i + 1] == 0x85) {
            n++;
            i++;
        } else if (i + 2 < len && u[i] == 0xE2 && u[i + 1] == 0x80 &&
                   (u[i + 2] == 0xA8 || u[i + 2] == 0xA9)) {
            n++;
            i += 2;
        }
    }
    return n;
}

void
gp_fuzz_print(struct gp_diags *d, const char *file, const char *text,
              size_t len)
{
    static FILE *devnull;
    const struct gp_diag *v;
    uint32_t lines = text ? count_lines(text, len) : 0;
    size_t n, i;

    /* libyaml counts the lines of a UTF-16 text after decoding it. */
    if (text && len >= 2 &&
        (memcmp(text, "\xff\xfe", 2) == 0 || memcmp(text, "\xfe\xff", 2) == 0))
        text = NULL;
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    if (!devnull)
        abort();
    v = gp_diags_sorted(d, &n);
    /* libyaml puts an error at the end of a text without a final line
     * break on the line after the last. */
    for (i = 0; text && i < n; i++) {
        if (v[i].loc.file && strcmp(v[i].loc.file, file) == 0)
            GP_FUZZ_ASSERT(v[i].loc.line <= lines + 1);
    }
    gp_diags_print(d, devnull);
    fflush(devnull);
}

void
gp_fuzz_fail(const char *file, int line, const char *expr)
{
    fprintf(stderr, "%s:%d: fuzz property failed: %s\n", file, line, expr);
    abort();
}
