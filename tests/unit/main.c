/* SPDX-License-Identifier: MIT */
/* tests/unit/main.c: runs every unit test, those whose name contains the
 * first argument, or with '-p PREFIX' those whose name starts with PREFIX_
 * (one module's, so a slow runner such as valgrind can share them out);
 * ends with "N passed, N failed". */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "tests.h"

static const struct gp_test tests[] = {
#define GP_TEST(name) {#name, name},
#include "tests.def"
#undef GP_TEST
};

int
main(int argc, char **argv)
{
    size_t i, passed = 0, failed = 0;
    const char *prefix = NULL;

    if (argc > 2 && strcmp(argv[1], "-p") == 0)
        prefix = argv[2];
    for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        int before = gp_test_failed_checks;
        size_t np = prefix ? strlen(prefix) : 0;

        if (prefix && (strncmp(tests[i].name, prefix, np) != 0 ||
                       tests[i].name[np] != '_'))
            continue;
        if (!prefix && argc > 1 && !strstr(tests[i].name, argv[1]))
            continue;
        tests[i].fn();
        if (gp_test_failed_checks == before) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "FAIL %s\n", tests[i].name);
        }
    }
    printf("%zu passed, %zu failed\n", passed, failed);
    return failed ? 1 : 0;
}
