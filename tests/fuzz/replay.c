/* SPDX-License-Identifier: MIT */
/* tests/fuzz/replay.c: main() for the fuzz targets outside libFuzzer. Runs
 * the target once on every file named, and on every file in every directory
 * named (sorted, not recursive), so the test suite replays the seed corpus
 * and the crashers of tests/fuzz/ under any compiler, sanitizer or
 * valgrind. Exit 0 when every input ran; a crash is the test's failure. */
#define _DEFAULT_SOURCE /* DT_REG */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static size_t replayed;

static int
run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;

    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return -1;
    }
    for (;;) {
        size_t r;

        if (len == cap) {
            uint8_t *nb;

            cap = cap ? cap * 2 : 4096;
            nb = realloc(buf, cap);
            if (!nb)
                abort();
            buf = nb;
        }
        r = fread(buf + len, 1, cap - len, f);
        if (r == 0)
            break;
        len += r;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    replayed++;
    return 0;
}

static int
cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static int
run_dir(const char *dir)
{
    DIR *dp = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0, i, size;
    int rc = 0;

    if (!dp) {
        fprintf(stderr, "replay: cannot open %s\n", dir);
        return -1;
    }
    for (e = readdir(dp); e; e = readdir(dp)) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof(*names));
            if (!names)
                abort();
        }
        size = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(size);
        if (!names[n])
            abort();
        snprintf(names[n], size, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(dp);
    if (n)
        qsort(names, n, sizeof(*names), cmp_str);
    for (i = 0; i < n; i++) {
        struct stat st;

        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode) &&
            run_file(names[i]) < 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

int
main(int argc, char **argv)
{
    int i, rc = 0;

    for (i = 1; i < argc; i++) {
        struct stat st;

        if (stat(argv[i], &st) < 0) {
            fprintf(stderr, "replay: cannot open %s\n", argv[i]);
            rc = 1;
        } else if (S_ISDIR(st.st_mode) ? run_dir(argv[i]) < 0
                                       : run_file(argv[i]) < 0) {
            rc = 1;
        }
    }
    printf("replayed %zu inputs\n", replayed);
    return rc;
}
