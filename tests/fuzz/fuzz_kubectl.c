/* SPDX-License-Identifier: MIT */
/* tests/fuzz/fuzz_kubectl.c: 'gpuplan import kubectl' on 'kubectl get nodes
 * -o json' and, after the input's first NUL byte, 'kubectl get pods -A -o
 * json' (the JSON scanner, node pools, pod owners). */
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
    const char *nul = memchr(text, '\0', size);
    struct gp_import_src nodes = {"nodes.json", text, size};
    struct gp_import_src pods = {"pods.json", NULL, 0};
    struct gp_import_opts o;
    struct gp_strbuf out = GP_STRBUF_INIT;
    int rc;

    memset(&o, 0, sizeof(o));
    o.headroom_pct = GP_IMPORT_DEFAULT_HEADROOM_PCT;
    if (nul) {
        nodes.len = (size_t)(nul - text);
        pods.text = nul + 1;
        pods.len = size - nodes.len - 1;
    }
    gp_diags_add_source(d, nodes.file, nodes.text, nodes.len);
    if (nul)
        gp_diags_add_source(d, pods.file, pods.text, pods.len);
    rc = gp_import_kubectl(&out, a, &nodes, nul ? &pods : NULL, NULL, 0, &o,
                           cat, NULL, d);
    /* -2 is the import failing its own check: a bug */
    GP_FUZZ_ASSERT(rc != -2);
    GP_FUZZ_ASSERT(rc == 0 ? gp_diags_errors(d) == 0
                           : gp_diags_errors(d) > 0 && out.len == 0);
    gp_fuzz_print(d, nodes.file, nodes.text, nodes.len);
    gp_strbuf_release(&out);
    gp_arena_free(a);
    free(text);
    return 0;
}
