/* SPDX-License-Identifier: MIT */
/* report/write.c: renders report.html, report.md and report.json, then
 * writes the three as one unit. */
#include "report/report.h"

#include <stdlib.h>

#include "base/fs.h"
#include "base/strbuf.h"
#include "json/json.h"

int
gp_report_write(const struct gp_report *r, const char *dir, struct gp_diags *d)
{
    struct gp_strbuf html = GP_STRBUF_INIT, md = GP_STRBUF_INIT;
    struct gp_json *js = gp_report_json(r);
    struct gp_out_file f[3];
    size_t jlen;
    char *jtext = gp_json_render(js, &jlen);
    int rc;

    gp_json_free(js);
    gp_report_html(&html, r);
    gp_report_markdown(&md, r);
    f[0] = (struct gp_out_file){GP_REPORT_HTML_FILE, html.buf, html.len};
    f[1] = (struct gp_out_file){GP_REPORT_MD_FILE, md.buf, md.len};
    f[2] = (struct gp_out_file){GP_REPORT_JSON_FILE, jtext, jlen};
    rc = gp_files_write_atomic(dir, f, 3, d);
    free(jtext);
    gp_strbuf_release(&html);
    gp_strbuf_release(&md);
    return rc;
}
