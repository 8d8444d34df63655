/* SPDX-License-Identifier: MIT */
/* tests/fuzz/fuzz_smi.c: 'gpuplan import nvidia-smi' on 'nvidia-smi mig
 * -lgip', then after the first NUL byte '-lgipp', after the second 'nvidia-smi
 * -q' (the tables and the model file written from them). */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "import/import.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct gp_catalog *cat = gp_fuzz_catalog();
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    char *text = gp_fuzz_text(data, size);
    struct gp_import_src part[3] = {{"lgip.txt", "", 0},
                                    {"lgipp.txt", "", 0},
                                    {"query.txt", "", 0}};
    struct gp_smi_opts o;
    struct gp_strbuf out = GP_STRBUF_INIT;
    const char *p = text, *end = text + size;
    size_t i;
    int rc;

    memset(&o, 0, sizeof(o));
    for (i = 0; i < 3 && p <= end; i++) {
        const char *nul = i < 2 ? memchr(p, '\0', (size_t)(end - p)) : NULL;

        part[i].text = p;
        part[i].len = (size_t)((nul ? nul : end) - p);
        gp_diags_add_source(d, part[i].file, part[i].text, part[i].len);
        if (!nul)
            break;
        p = nul + 1;
    }
    rc = gp_import_nvidia_smi(&out, a, &part[0], &part[1],
                              i >= 2 ? &part[2] : NULL, &o, cat, d);
    GP_FUZZ_ASSERT(rc == 0 ? gp_diags_errors(d) == 0
                           : gp_diags_errors(d) > 0);
    gp_fuzz_print(d, part[0].file, part[0].text, part[0].len);
    gp_strbuf_release(&out);
    gp_arena_free(a);
    free(text);
    return 0;
}
