/* SPDX-License-Identifier: MIT */
#include "sim/scenario.h"

#include <math.h>
#include <string.h>

#include "base/arena.h"
#include "base/fs.h"
#include "base/str.h"
#include "base/strbuf.h"
#include "mig/geometry.h"
#include "model/gpu.h"
#include "yaml/ydoc.h"
#include "yaml/yget.h"

const char *
gp_sim_mode_name(enum gp_sim_mode m)
{
    static const char *const n[] = {"exclusive", "time-slicing", "mps", "mig"};

    return n[m];
}

struct sloader {
    struct gp_arena *a;
    struct gp_diags *d;
    const struct gp_catalog *cat;
    const struct gp_calib *calib;
    struct gp_scenario *s;
    uint32_t *placed;           /* placements per workload */
    const char **bad_loads;     /* names of workloads that failed to load */
    size_t n_bad_loads;
    size_t errors_before;
    int rc;
};

static void
fail(struct sloader *L)
{
    L->rc = -1;
}

static const struct gp_workload *
find_load(struct sloader *L, const char *name, size_t *idx)
{
    size_t i;

    for (i = 0; i < L->s->n_loads; i++) {
        if (strcmp(L->s->loads[i].name, name) == 0) {
            *idx = i;
            return &L->s->loads[i];
        }
    }
    return NULL;
}

/* A list of workload names, each one process. */
static void
load_placements(struct sloader *L, const struct gp_ynode *n,
                struct gp_sim_domain *dom)
{
    size_t i, idx;

    if (gp_yseq_expect(n, "workloads", L->d) < 0) {
        fail(L);
        return;
    }
    if (n->kind != GP_YSEQ)
        return;
    if (n->n_items > GP_SIM_MAX_PROCS_PER_DOMAIN) {
        gp_error_at(L->d, n->loc, "%zu processes on one GPU or MIG instance; "
                                  "the limit is %u",
                    n->n_items, GP_SIM_MAX_PROCS_PER_DOMAIN);
        fail(L);
        return;
    }
    dom->procs = gp_arena_calloc(L->a, n->n_items + 1, sizeof(*dom->procs));
    for (i = 0; i < n->n_items; i++) {
        const struct gp_ynode *v = n->items[i];
        const struct gp_workload *w;
        const char *name;

        if (gp_yget_str(v, "workloads", &name, L->d) < 0) {
            fail(L);
            continue;
        }
        if (!(w = find_load(L, name, &idx))) {
            const char **cands;
            const char *sug;
            size_t k;
            bool reported = false;

            /* A workload whose definition has errors is not in the list,
             * but it was reported there; saying here that it does not exist
             * would mislead. */
            for (k = 0; k < L->n_bad_loads; k++)
                reported |= strcmp(L->bad_loads[k], name) == 0;
            if (reported) {
                fail(L);
                continue;
            }
            cands = gp_arena_calloc(L->a, L->s->n_loads + 1, sizeof(*cands));
            for (k = 0; k < L->s->n_loads; k++)
                cands[k] = L->s->loads[k].name;
            gp_error_at(L->d, gp_ynode_loc(v), "no workload named '%.100s' in "
                                               "this scenario",
                        name);
            if ((sug = gp_did_you_mean(name, cands, L->s->n_loads)))
                gp_diag_hint(L->d, "did you mean '%s'?", sug);
            fail(L);
            continue;
        }
        L->placed[idx]++;
        dom->procs[dom->n_procs].w = w;
        dom->procs[dom->n_procs].loc = gp_ynode_loc(v);
        dom->procs[dom->n_procs].rate =
            w->traffic == GP_TRAFFIC_POISSON ? w->rps / (double)w->replicas : 0;
        dom->n_procs++;
    }
}

static void
load_mig(struct sloader *L, const struct gp_ynode *list, struct gp_sim_gpu *g)
{
    static const char *const keys[] = {"profile", "workloads", NULL};
    static const char *const req[] = {"profile", NULL};
    const struct gp_mig_spec *mig = g->model ? g->model->mig : NULL;
    const struct gp_mig_profile *want[GP_MIG_MAX_SLICES];
    struct gp_strbuf why = GP_STRBUF_INIT;
    struct gp_mig_check chk;
    size_t i, n = 0;
    bool ok = true;

    if (gp_yseq_expect(list, "migInstances", L->d) < 0) {
        fail(L);
        return;
    }
    if (list->kind != GP_YSEQ || list->n_items == 0) {
        gp_error_at(L->d, list->loc, "'migInstances' must list at least one "
                                     "instance");
        fail(L);
        return;
    }
    if (g->model && !mig) {
        gp_error_at(L->d, list->loc, "GPU model '%s' does not support MIG",
                    g->model->id);
        gp_diag_hint(L->d, "share it with strategy 'time-slicing' or 'mps'; "
                           "'gpuplan models' shows which models have MIG");
        fail(L);
        return;
    }
    if (list->n_items > GP_MIG_MAX_SLICES) {
        gp_error_at(L->d, list->loc, "%zu MIG instances; a GPU holds at most "
                                     "%u",
                    list->n_items, mig ? mig->max_instances : 7u);
        fail(L);
        return;
    }
    g->domains = gp_arena_calloc(L->a, list->n_items, sizeof(*g->domains));
    for (i = 0; i < list->n_items; i++) {
        const struct gp_ynode *it = list->items[i], *v;
        struct gp_sim_domain *dom = &g->domains[i];
        const char *pname;

        if (gp_ymap_expect(it, "MIG instance", keys, req, L->d) < 0) {
            ok = false;
            continue;
        }
        if ((v = gp_ymap_get(it, "workloads")))
            load_placements(L, v, dom);
        if (!(v = gp_ymap_get(it, "profile")) ||
            gp_yget_str(v, "profile", &pname, L->d) < 0) {
            ok = false;
            continue;
        }
        if (!mig)
            continue;
        if (!(dom->mig = gp_mig_find_profile(mig, pname))) {
            const struct gp_mig_profile *sug =
                gp_mig_suggest_profile(mig, pname);

            gp_error_at(L->d, gp_ynode_loc(v), "MIG profile '%.64s' does not "
                                               "exist on %s",
                        pname, g->model->id);
            if (sug)
                gp_diag_hint(L->d, "did you mean '%s'?", sug->name);
            ok = false;
            continue;
        }
        dom->sm_frac = (double)dom->mig->sm_count / (double)g->model->sm_count;
        dom->bw_frac = (double)dom->mig->memory_slices /
                       (double)mig->memory_slices;
        dom->memory_mib = dom->mig->memory_mib;
        dom->time_sliced = dom->n_procs > 1;
        want[n++] = dom->mig;
    }
    g->n_domains = list->n_items;
    if (!ok || !mig || n != list->n_items) {
        fail(L);
        return;
    }
    gp_mig_check(&chk, mig, want, n, &why);
    if (chk.verdict != GP_MIG_FITS) {
        gp_error_at(L->d, list->loc, "this MIG layout does not fit %s: %s",
                    g->model->id, why.buf);
        fail(L);
    }
    gp_strbuf_release(&why);
}

/* The most MPS replicas the device plugin allows on g: 16 below compute
 * capability 7.5, else the MPS server's client limit. */
static unsigned
mps_max_replicas(const struct gp_sim_gpu *g)
{
    if (g->model && !gp_model_cc_at_least(g->model, 7, 5))
        return 16;
    return g->calib ? g->calib->mps_client_limit : 48;
}

/* Returns false when the strategy is missing or invalid (reported): checks
 * that depend on it are then skipped rather than run against 'exclusive'. */
static bool
load_sharing(struct sloader *L, const struct gp_ynode *n, struct gp_sim_gpu *g)
{
    static const char *const keys[] = {"strategy", "replicas",
                                       "activeThreadPercentage",
                                       "pinnedMemoryLimit", NULL};
    static const char *const req[] = {"strategy", NULL};
    static const char *const modes[] = {"exclusive", "time-slicing", "mps",
                                        "mig", NULL};
    const struct gp_ynode *v, *atp, *pml;
    size_t idx;
    uint64_t x;

    if (gp_ymap_expect(n, "sharing", keys, req, L->d) < 0) {
        fail(L);
        return false;
    }
    if (!(v = gp_ymap_get(n, "strategy")) ||
        gp_yget_enum(v, "strategy", modes, &idx, L->d) < 0) {
        fail(L);
        return false;
    }
    g->mode = (enum gp_sim_mode)idx;
    atp = gp_ymap_get(n, "activeThreadPercentage");
    pml = gp_ymap_get(n, "pinnedMemoryLimit");
    if ((v = gp_ymap_get(n, "replicas"))) {
        unsigned max = 1000;

        if (g->mode == GP_SIM_MPS)
            max = mps_max_replicas(g);
        if (g->mode == GP_SIM_EXCLUSIVE || g->mode == GP_SIM_MIG) {
            gp_error_at(L->d, v->loc, "'replicas' needs strategy "
                                      "'time-slicing' or 'mps'");
            fail(L);
        } else if (gp_yget_uint(v, "replicas", 2, max, &x, L->d) < 0) {
            if (g->mode == GP_SIM_MPS && max == 16)
                gp_diag_hint(L->d, "the NVIDIA device plugin allows 2..16 MPS "
                                   "replicas below compute capability 7.5 "
                                   "(%s has %s)",
                             g->model->id, g->model->compute_capability);
            else if (g->mode == GP_SIM_MPS)
                gp_diag_hint(L->d, "the NVIDIA device plugin allows 2..%u MPS "
                                   "replicas on %s",
                             max, g->model ? g->model->id : "this GPU");
            fail(L);
        } else {
            g->replicas = (uint32_t)x;
        }
    }
    if ((atp || pml) && g->mode != GP_SIM_MPS) {
        gp_error_at(L->d, (atp ? atp : pml)->loc,
                    "'%s' needs strategy 'mps'",
                    atp ? "activeThreadPercentage" : "pinnedMemoryLimit");
        fail(L);
        return true;
    }
    if (g->mode != GP_SIM_MPS)
        return true;
    /* what the device plugin sets, unless given explicitly */
    gp_sim_mps_plugin_limits(g, g->replicas);
    if (atp && gp_yget_double(atp, "activeThreadPercentage", 1, 100,
                              &g->mps_thread_pct, L->d) < 0)
        fail(L);
    if (pml && gp_yget_bytes(pml, "pinnedMemoryLimit", 1ull << 20,
                             g->model ? g->model->memory_mib << 20 : 1ull << 50,
                             &g->mps_mem_limit, L->d) < 0)
        fail(L);
    return true;
}

void
gp_sim_mps_plugin_limits(struct gp_sim_gpu *g, uint32_t replicas)
{
    g->mps_thread_pct = 100;
    if (!replicas)
        return;
    g->mps_thread_pct = floor(100.0 / replicas);
    if (g->model)
        g->mps_mem_limit = (g->model->memory_mib / replicas) << 20;
}

static void
load_gpu(struct sloader *L, const struct gp_ynode *n, struct gp_sim_gpu *g)
{
    static const char *const keys[] = {"name", "model", "sharing", "workloads",
                                       "migInstances", NULL};
    static const char *const req[] = {"name", "model", NULL};
    const struct gp_ynode *v, *wl, *mi;
    const char *s, *why;
    bool mode_ok = true;

    g->loc = n->loc;
    if (gp_ymap_expect(n, "gpu", keys, req, L->d) < 0) {
        fail(L);
        return;
    }
    if ((v = gp_ymap_get(n, "name")) && gp_yget_str(v, "name", &s, L->d) == 0) {
        if (!gp_k8s_dns_label(s, &why)) {
            gp_error_at(L->d, gp_ynode_loc(v), "invalid name '%.100s': %s", s,
                        why);
            gp_diag_hint(L->d, "use a Kubernetes name such as 'gpu-0': lower "
                               "case letters, digits and '-'");
            fail(L);
        }
        g->name = s;
    } else {
        fail(L);
    }
    if ((v = gp_ymap_get(n, "model")) &&
        gp_yget_str(v, "model", &s, L->d) == 0) {
        if (!(g->model = gp_catalog_find(L->cat, s))) {
            const char *sug = gp_catalog_suggest(L->cat, s);

            gp_error_at(L->d, gp_ynode_loc(v), "unknown GPU model '%.100s'", s);
            if (sug)
                gp_diag_hint(L->d, "did you mean '%s'?", sug);
            else
                gp_diag_hint(L->d, "'gpuplan models' lists the catalogue");
            fail(L);
        }
    } else {
        fail(L);
    }
    if (g->model) {
        struct gp_calib *c;

        if (L->calib) {
            g->calib = L->calib;
            g->calib_exact = L->calib->model_id &&
                             strcmp(L->calib->model_id, g->model->id) == 0;
        } else {
            c = gp_arena_alloc(L->a, sizeof(*c));
            if (gp_calib_builtin(c, &g->calib_exact, L->a, g->model, L->d) < 0)
                fail(L);
            g->calib = c;
        }
    }
    if ((v = gp_ymap_get(n, "sharing")))
        mode_ok = load_sharing(L, v, g);
    wl = gp_ymap_get(n, "workloads");
    mi = gp_ymap_get(n, "migInstances");
    if (!mode_ok) {
        /* Only the names can be checked without knowing the strategy. */
        struct gp_sim_domain dom;
        size_t i;

        memset(&dom, 0, sizeof(dom));
        if (wl)
            load_placements(L, wl, &dom);
        if (mi && mi->kind == GP_YSEQ)
            for (i = 0; i < mi->n_items; i++) {
                memset(&dom, 0, sizeof(dom));
                if (mi->items[i]->kind == GP_YMAP &&
                    (v = gp_ymap_get(mi->items[i], "workloads")))
                    load_placements(L, v, &dom);
            }
        return;
    }
    if (g->mode == GP_SIM_MIG) {
        if (wl) {
            gp_error_at(L->d, wl->loc, "with strategy 'mig', place workloads "
                                       "in 'migInstances'");
            fail(L);
        }
        if (!mi) {
            gp_error_at(L->d, n->loc, "strategy 'mig' needs 'migInstances'");
            fail(L);
        } else {
            load_mig(L, mi, g);
        }
        return;
    }
    if (mi) {
        gp_error_at(L->d, mi->loc, "'migInstances' needs strategy 'mig'");
        fail(L);
    }
    g->domains = gp_arena_calloc(L->a, 1, sizeof(*g->domains));
    g->n_domains = 1;
    g->domains[0].sm_frac = 1;
    g->domains[0].bw_frac = 1;
    g->domains[0].memory_mib = g->model ? g->model->memory_mib : 0;
    g->domains[0].mps = g->mode == GP_SIM_MPS;
    g->domains[0].time_sliced = g->mode == GP_SIM_TIME_SLICING;
    if (wl)
        load_placements(L, wl, &g->domains[0]);
    if (g->mode == GP_SIM_EXCLUSIVE && g->domains[0].n_procs > 1) {
        gp_error_at(L->d, wl->loc, "an exclusive GPU runs one process; %zu are "
                                   "placed here",
                    g->domains[0].n_procs);
        gp_diag_hint(L->d, "use strategy 'time-slicing' or 'mps' to share it");
        fail(L);
    }
    if (g->replicas && g->domains[0].n_procs > g->replicas) {
        gp_error_at(L->d, wl->loc, "%zu processes placed, but the device "
                                   "plugin advertises only %u replicas of "
                                   "this GPU",
                    g->domains[0].n_procs, g->replicas);
        if (g->mode == GP_SIM_MPS && g->replicas >= mps_max_replicas(g))
            gp_diag_hint(L->d, "%u is the most MPS replicas %s allows; place "
                               "some of these workloads on another GPU",
                         g->replicas, g->model ? g->model->id : "this GPU");
        else
            gp_diag_hint(L->d, "raise 'replicas' or place some of these "
                               "workloads on another GPU");
        fail(L);
    } else if (g->mode == GP_SIM_MPS && g->calib &&
               g->domains[0].n_procs > g->calib->mps_client_limit) {
        gp_error_at(L->d, wl->loc, "%zu MPS clients; the MPS server accepts at "
                                   "most %u",
                    g->domains[0].n_procs, g->calib->mps_client_limit);
        fail(L);
    }
}

static void
load_simulation(struct sloader *L, const struct gp_ynode *n)
{
    static const char *const keys[] = {"duration", "warmup", "seed", NULL};
    const struct gp_ynode *v;

    if (gp_ymap_expect(n, "simulation", keys, NULL, L->d) < 0) {
        fail(L);
        return;
    }
    if ((v = gp_ymap_get(n, "duration")) &&
        gp_yget_duration(v, "duration", 0, true, 7 * 86400.0,
                         &L->s->duration_s, L->d) < 0)
        fail(L);
    if ((v = gp_ymap_get(n, "warmup")) &&
        gp_yget_duration(v, "warmup", 0, false, 86400.0, &L->s->warmup_s,
                         L->d) < 0)
        fail(L);
    if ((v = gp_ymap_get(n, "seed")) &&
        gp_yget_uint(v, "seed", 0, UINT32_MAX, &L->s->seed, L->d) < 0)
        fail(L);
    /* The engine would otherwise shorten the warm-up silently. */
    if (L->s->duration_s > 0 && L->s->warmup_s >= L->s->duration_s) {
        gp_error_at(L->d, gp_ynode_loc(gp_ymap_get(n, "warmup")),
                    "'warmup' must be shorter than 'duration' (%gs)",
                    L->s->duration_s);
        gp_diag_hint(L->d, "the warm-up is discarded; it is part of the "
                           "simulated duration, not added to it");
        fail(L);
    }
}

static void
check_names(struct sloader *L)
{
    size_t i, j;

    for (i = 0; i < L->s->n_loads; i++)
        for (j = 0; j < i; j++)
            if (L->s->loads[i].name && L->s->loads[j].name &&
                strcmp(L->s->loads[i].name, L->s->loads[j].name) == 0) {
                gp_error_at(L->d, L->s->loads[i].loc, "workload '%s' is "
                                                      "defined twice (first "
                                                      "at line %u)",
                            L->s->loads[i].name, L->s->loads[j].loc.line);
                fail(L);
                break;
            }
    for (i = 0; i < L->s->n_gpus; i++)
        for (j = 0; j < i; j++)
            if (L->s->gpus[i].name && L->s->gpus[j].name &&
                strcmp(L->s->gpus[i].name, L->s->gpus[j].name) == 0) {
                gp_error_at(L->d, L->s->gpus[i].loc, "GPU '%s' is defined "
                                                     "twice (first at line "
                                                     "%u)",
                            L->s->gpus[i].name, L->s->gpus[j].loc.line);
                fail(L);
                break;
            }
}

static void
check_placed(struct sloader *L)
{
    size_t i;

    for (i = 0; i < L->s->n_loads; i++) {
        const struct gp_workload *w = &L->s->loads[i];

        if (L->placed[i] == 0)
            gp_warning_at(L->d, w->loc, "workload '%s' is not placed on any "
                                        "GPU",
                          w->name);
        else if (L->placed[i] != w->replicas &&
                 w->traffic == GP_TRAFFIC_POISSON)
            gp_warning_at(L->d, w->loc,
                          "workload '%s' has %u replicas but %u placed "
                          "processes; each process receives "
                          "requestsPerSecond/%u",
                          w->name, w->replicas, L->placed[i], w->replicas);
    }
}

static void
load_doc(struct sloader *L, const char *file, const struct gp_ynode *root)
{
    static const char *const keys[] = {"apiVersion", "kind", "metadata",
                                       "simulation", "workloads", "gpus",
                                       NULL};
    static const char *const req[] = {"apiVersion", "kind", "workloads", "gpus",
                                      NULL};
    const struct gp_ynode *v, *list;
    const char *s;
    size_t i;
    int head = gp_doc_head(root, file, "scenario", keys, req, "Scenario", &v,
                           L->d);

    if (head != 0)
        fail(L);
    if (head < 0)
        return;
    if (v && gp_yget_str(v, "name", &s, L->d) == 0)
        L->s->name = s;
    if ((v = gp_ymap_get(root, "simulation")) && !gp_ynode_is_null(v))
        load_simulation(L, v);
    list = gp_ymap_get(root, "workloads");
    if (list && gp_yseq_expect(list, "workloads", L->d) < 0) {
        fail(L);
    } else if (list && list->kind == GP_YSEQ) {
        L->s->loads = gp_arena_calloc(L->a, list->n_items + 1,
                                      sizeof(*L->s->loads));
        L->bad_loads = gp_arena_calloc(L->a, list->n_items + 1,
                                       sizeof(*L->bad_loads));
        for (i = 0; i < list->n_items; i++) {
            struct gp_workload *w = &L->s->loads[L->s->n_loads];
            const struct gp_ynode *it = list->items[i];

            if (gp_workload_parse(w, L->a, it, L->d) < 0) {
                fail(L);
                if (it->kind == GP_YMAP && (v = gp_ymap_get(it, "name")) &&
                    v->kind == GP_YSCALAR)
                    L->bad_loads[L->n_bad_loads++] = v->str;
            } else {
                L->s->n_loads++;
            }
        }
    }
    L->placed = gp_arena_calloc(L->a, L->s->n_loads + 1, sizeof(*L->placed));
    list = gp_ymap_get(root, "gpus");
    if (list && gp_yseq_expect(list, "gpus", L->d) < 0) {
        fail(L);
    } else if (list && list->kind == GP_YSEQ) {
        if (list->n_items > GP_SIM_MAX_GPUS) {
            gp_error_at(L->d, list->loc, "%zu GPUs; a scenario holds at most "
                                         "%u",
                        list->n_items, GP_SIM_MAX_GPUS);
            fail(L);
            return;
        }
        if (list->n_items == 0) {
            gp_error_at(L->d, list->loc, "'gpus' is empty");
            fail(L);
        }
        L->s->gpus = gp_arena_calloc(L->a, list->n_items + 1,
                                     sizeof(*L->s->gpus));
        for (i = 0; i < list->n_items; i++)
            load_gpu(L, list->items[i], &L->s->gpus[L->s->n_gpus++]);
    }
    check_names(L);
    /* Unplaced workloads are usually a consequence of an error (a misspelt
     * 'workloads' key); warn only about a file that is otherwise valid. */
    if (L->rc == 0 && gp_diags_errors(L->d) == L->errors_before)
        check_placed(L);
}

int
gp_scenario_parse(struct gp_scenario **out, struct gp_arena *a,
                  const char *file, const char *text, size_t len,
                  const struct gp_catalog *cat, const struct gp_calib *calib,
                  struct gp_diags *d)
{
    struct sloader L;
    struct gp_ystream *ys;
    const struct gp_ynode *root = NULL;
    size_t before = gp_diags_errors(d), i;

    memset(&L, 0, sizeof(L));
    L.a = a;
    L.d = d;
    L.cat = cat;
    L.calib = calib;
    L.s = gp_arena_calloc(a, 1, sizeof(*L.s));
    L.s->file = file;
    L.s->warmup_s = -1;
    L.s->seed = 1;
    L.errors_before = before;
    if (gp_yaml_parse(&ys, a, file, text, len, NULL, d) < 0)
        return -1;
    /* Empty documents (a trailing '---') are skipped, as in inventories. */
    for (i = 0; i < ys->n_docs; i++) {
        const struct gp_ynode *doc = ys->docs[i];

        if (!doc || gp_ynode_is_null(doc))
            continue;
        if (root)
            return gp_error_at(d, doc->loc, "a second document; a scenario "
                                            "file holds exactly one");
        root = doc;
    }
    load_doc(&L, file, root);
    if (L.rc < 0 || gp_diags_errors(d) > before)
        return -1;
    if (!L.s->name)
        L.s->name = "scenario";
    *out = L.s;
    return 0;
}

int
gp_scenario_load(struct gp_scenario **out, struct gp_arena *a,
                 const char *path, const struct gp_catalog *cat,
                 const struct gp_calib *calib, struct gp_diags *d)
{
    const char *text;
    size_t len;

    if (gp_file_read(&text, &len, a, path, GP_MAX_INPUT_BYTES, d) < 0)
        return -1;
    return gp_scenario_parse(out, a, strcmp(path, "-") == 0 ? "<stdin>" : path,
                             text, len, cat, calib, d);
}
