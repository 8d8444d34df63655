/* SPDX-License-Identifier: MIT */
/* tests/fuzz/fuzz.h: what the fuzz targets share. A target is one file,
 * fuzz_<name>.c, that defines LLVMFuzzerTestOneInput(), plus one
 * gp_fuzz_target(<name>) line in tests/fuzz/CMakeLists.txt. The same file
 * is linked with libFuzzer in a GPUPLAN_FUZZ build (clang), and with
 * replay.c everywhere else, where the test suite replays the seed corpus
 * and every crasher ever found (docs/fuzzing.md). A target must free all it
 * allocates, never print, and treat any input as possible. */
#ifndef GPUPLAN_TESTS_FUZZ_FUZZ_H
#define GPUPLAN_TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

struct gp_catalog;
struct gp_diags;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The built-in GPU catalogue, loaded once (never freed: still reachable
 * at exit, not a leak). */
const struct gp_catalog *gp_fuzz_catalog(void);

/* A NUL-terminated copy of the input, as gp_file_read() makes; free() it. */
char *gp_fuzz_text(const uint8_t *data, size_t size);

/* Prints every diagnostic (with its quoted source line and caret) to
 * /dev/null, so the printing code sees every input too; and checks that
 * every diagnostic about 'file' points at a line that 'text' has. */
void gp_fuzz_print(struct gp_diags *d, const char *file, const char *text,
                   size_t len);

/* A property the target checks failed: abort, so that libFuzzer keeps the
 * input as a crasher. */
#define GP_FUZZ_ASSERT(cond)                                                 \
    do {                                                                     \
        if (!(cond))                                                         \
            gp_fuzz_fail(__FILE__, __LINE__, #cond);                         \
    } while (0)
void gp_fuzz_fail(const char *file, int line, const char *expr);

#endif
