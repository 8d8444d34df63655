/* SPDX-License-Identifier: MIT */
#include "plan/mipsolve.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glpk.h>

#include "base/xalloc.h"

/* GLPK prints to stdout by default; a library must not. */
static int
quiet(void *info, const char *s)
{
    (void)info;
    (void)s;
    return 1;
}

int
gp_cover_solve(const struct gp_cover *p, struct gp_cover_result *r)
{
    glp_prob *lp;
    glp_smcp sm;
    glp_iocp io;
    int *ia, *ja, rc = -1;
    double *ar;
    size_t i, j, nz = 0, cap = p->rows * p->cols + 1;

    memset(r, 0, sizeof(*r));
    for (i = 0; i < p->rows; i++) {
        bool covered = p->demand[i] <= 0;

        for (j = 0; j < p->cols && !covered; j++)
            covered = p->a[i * p->cols + j] > 0;
        if (!covered)
            return -1;
    }
    glp_term_hook(quiet, NULL);
    lp = glp_create_prob();
    glp_set_obj_dir(lp, GLP_MIN);
    if (p->rows)
        glp_add_rows(lp, (int)p->rows);
    if (p->cols)
        glp_add_cols(lp, (int)p->cols);
    for (i = 0; i < p->rows; i++)
        glp_set_row_bnds(lp, (int)i + 1, GLP_LO, p->demand[i], 0);
    for (j = 0; j < p->cols; j++) {
        glp_set_col_bnds(lp, (int)j + 1, GLP_LO, 0, 0);
        glp_set_col_kind(lp, (int)j + 1, GLP_IV);
        glp_set_obj_coef(lp, (int)j + 1, p->cost[j]);
    }
    ia = gp_xcalloc(cap, sizeof(*ia));
    ja = gp_xcalloc(cap, sizeof(*ja));
    ar = gp_xcalloc(cap, sizeof(*ar));
    for (i = 0; i < p->rows; i++)
        for (j = 0; j < p->cols; j++)
            if (p->a[i * p->cols + j] != 0) {
                nz++;
                ia[nz] = (int)i + 1;
                ja[nz] = (int)j + 1;
                ar[nz] = p->a[i * p->cols + j];
            }
    glp_load_matrix(lp, (int)nz, ia, ja, ar);
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    if (glp_simplex(lp, &sm) != 0 || glp_get_status(lp) != GLP_OPT)
        goto out;
    r->lp_bound = glp_get_obj_val(lp);
    glp_init_iocp(&io);
    io.msg_lev = GLP_MSG_OFF;
    /* Bounded: a pathological instance returns its best integral solution
     * rather than hanging the planner. */
    io.tm_lim = 5000;
    io.presolve = GLP_OFF;
    rc = glp_intopt(lp, &io);
    if (rc != 0 && rc != GLP_ETMLIM) {
        rc = -1;
        goto out;
    }
    if (glp_mip_status(lp) != GLP_OPT && glp_mip_status(lp) != GLP_FEAS) {
        rc = -1;
        goto out;
    }
    r->optimal = glp_mip_status(lp) == GLP_OPT;
    r->x = gp_xcalloc(p->cols + 1, sizeof(*r->x));
    for (j = 0; j < p->cols; j++)
        r->x[j] = round(glp_mip_col_val(lp, (int)j + 1));
    r->objective = glp_mip_obj_val(lp);
    rc = 0;
out:
    free(ia);
    free(ja);
    free(ar);
    glp_delete_prob(lp);
    /* GLPK keeps an environment per thread; freeing it keeps the process
     * leak-free (the next solve makes a new one). */
    glp_free_env();
    return rc;
}
