/* SPDX-License-Identifier: MIT */
/* check/fit.c: the workloads against the nodes they can land on. A pod lands
 * on a node when its nodeSelector matches the node's labels and the node
 * advertises the GPU resource it asks for; with an inventory, pods are tied
 * to workload profiles (a Deployment by name and namespace, a patch by its
 * container's name) and every shared device is judged in the worst
 * co-location its config allows, as the planner judges it:
 *  - time-slicing xN: the N largest peaks that can meet on one GPU;
 *  - MPS xN: each peak against the client limit floor(memory / N);
 *  - targets: each workload beside N-1 copies of the heaviest (by GPU duty)
 *    and of the longest-burst workload that can land there, predicted by
 *    the analytic estimate where it is trusted, else the event engine. */
#include "check/check_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/strbuf.h"
#include "base/units.h"
#include "sim/calib.h"
#include "sim/colocate.h"

#define MAX_COLOC 48u

static const char *
label_of(const struct ck_target *t, const char *key)
{
    size_t i;

    for (i = 0; i < t->n_labels; i++) {
        if (strcmp(t->labels[i].key, key) == 0)
            return t->labels[i].value;
    }
    if (strcmp(key, "nvidia.com/gpu.product") == 0)
        return t->product;
    return NULL;
}

static bool
selects(const struct ck_pod *p, const struct ck_target *t)
{
    size_t i;

    for (i = 0; i < p->n_sel; i++) {
        const char *v = label_of(t, p->sel[i].key);

        if (!v || strcmp(v, p->sel[i].value) != 0)
            return false;
    }
    return true;
}

static const struct ck_domain *
domain_for(const struct ck_target *t, const char *resource)
{
    size_t i;

    for (i = 0; i < t->n_dom; i++) {
        if (strcmp(t->dom[i].resource, resource) == 0 && t->dom[i].devices)
            return &t->dom[i];
    }
    return NULL;
}

/* ---- pods against nodes -------------------------------------------------- */

static void
hint_selector(struct ck *ck, const struct ck_pod *p, const char *resource)
{
    size_t i, j;

    for (i = 0; i < ck->targets.n; i++) {
        const struct ck_target *t = ck->targets.v[i];

        if (!domain_for(t, resource))
            continue;
        for (j = 0; j < p->n_sel; j++) {
            const char *v = label_of(t, p->sel[j].key);
            size_t n = strlen(p->sel[j].value);

            if (v && strcmp(v, p->sel[j].value) == 0)
                continue;
            if (v && strncmp(v, p->sel[j].value, n) == 0 &&
                strcmp(v + n, "-SHARED") == 0) {
                ck_hint(ck, "%s advertises it, but shares its GPUs, so GFD "
                            "labels it %s=%s",
                        ck_target_what(ck, t), p->sel[j].key, v);
                return;
            }
            ck_hint(ck, "%s advertises it, but its nodes do not carry %s=%s",
                    ck_target_what(ck, t), p->sel[j].key, p->sel[j].value);
            return;
        }
    }
    ck_hint(ck, "no node in the inputs advertises '%s'", resource);
}

static void
check_pods(struct ck *ck)
{
    size_t i, j, k;

    if (!ck->targets.n)
        return;
    for (i = 0; i < ck->pods.n; i++) {
        const struct ck_pod *p = ck->pods.v[i];

        for (j = 0; j < p->n_req; j++) {
            const struct ck_req *r = &p->req[j];
            bool found = false;

            for (k = 0; k < ck->targets.n; k++) {
                const struct ck_target *t = ck->targets.v[k];
                const struct ck_domain *d = domain_for(t, r->resource);

                if (!selects(p, t))
                    continue;
                /* A node whose configs are not all known may advertise it. */
                found = found || t->unknown;
                if (!d)
                    continue;
                found = true;
                if (d->share == CK_SHARE_NONE || !d->fail_gt_one ||
                    r->count <= 1)
                    continue;
                ck_report(ck, &p->src, r->node, "pod-shared-request",
                          "invalid request: maximum request size for "
                          "shared resources is 1; found %lld (on %s)",
                          r->count, ck_target_what(ck, t));
                ck_hint(ck, "ask for 1: a shared replica gets no more GPU "
                            "for asking more; the pod fails with "
                            "UnexpectedAdmissionError");
            }
            if (found)
                continue;
            ck_report(ck, &p->src, r->node, "pod-resource-unadvertised",
                      "no node this pod may land on advertises '%s': it "
                      "stays Pending",
                      r->resource);
            hint_selector(ck, p, r->resource);
        }
    }
}

/* ---- workloads ----------------------------------------------------------- */

struct wl {
    const struct gp_workload *w;
    const struct ck_pod **pods;
    size_t n_pods;
    uint64_t mem_mib;
    double duty, burst;
};

static bool
pod_runs(const struct ck_pod *p, const struct gp_workload *w)
{
    size_t i;

    if (strcmp(p->kind, "patch") != 0)
        return p->name && strcmp(p->name, w->name) == 0 &&
               strcmp(p->ns, w->namespace_) == 0;
    /* A patch names no object; its container carries the workload's name
     * (workload-patches.yaml). */
    for (i = 0; i < p->n_containers; i++) {
        if (strcmp(p->containers[i], w->name) == 0)
            return true;
    }
    return false;
}

static struct wl *
bind(struct ck *ck, size_t *n_out)
{
    const struct gp_inventory *inv = ck->o->inv;
    struct wl *v = gp_arena_calloc(ck->a, inv->n_loads + 1, sizeof(*v));
    size_t i, j;

    for (i = 0; i < inv->n_loads; i++) {
        const struct gp_workload *w = &inv->loads[i];

        v[i].w = w;
        v[i].mem_mib = (w->memory_bytes + (1u << 20) - 1) >> 20;
        v[i].duty = gp_workload_duty(w);
        v[i].burst = w->service_time_s / (w->syncs ? w->syncs : 1);
        v[i].pods = gp_arena_calloc(ck->a, ck->pods.n + 1,
                                    sizeof(*v[i].pods));
        for (j = 0; j < ck->pods.n; j++) {
            if (pod_runs(ck->pods.v[j], w))
                v[i].pods[v[i].n_pods++] = ck->pods.v[j];
        }
        if (!v[i].n_pods) {
            ck_report_loc(ck, w->loc, "inv-workload-unbound",
                          "no pod template or patch among the inputs runs "
                          "workload '%s/%s': where it lands is not checked",
                          w->namespace_, w->name);
            ck_hint(ck, "add its Deployment (or recommend's "
                        "workload-patches.yaml) to the files checked");
        }
    }
    *n_out = inv->n_loads;
    return v;
}

static bool
lands(const struct wl *x, const struct ck_target *t, const struct ck_domain *d)
{
    size_t i, j;

    for (i = 0; i < x->n_pods; i++) {
        if (!selects(x->pods[i], t))
            continue;
        for (j = 0; j < x->pods[i]->n_req; j++) {
            if (strcmp(x->pods[i]->req[j].resource, d->resource) == 0)
                return true;
        }
    }
    return false;
}

/* ---- predictions --------------------------------------------------------- */

struct pred {
    double x, p99;
    bool has_lat, stable, meets;
};

struct memo {
    const struct gp_workload *w, *co;
    const struct gp_gpu_model *m;
    const struct gp_mig_profile *mig;
    enum ck_share share;
    uint32_t n;
    struct pred p;
};

struct fit {
    struct ck *ck;
    struct memo *memo;
    size_t n_memo, cap_memo;
};

/* w beside n-1 copies of co on one device of 'm' (a whole GPU, or MIG
 * instance 'mig'), shared as 'share' with n device-plugin replicas. */
static bool
predict(struct fit *f, const struct gp_gpu_model *m,
        const struct gp_mig_profile *mig, enum ck_share share, uint32_t n,
        const struct gp_workload *w, const struct gp_workload *co,
        struct pred *out)
{
    const struct gp_workload *ws[MAX_COLOC];
    struct gp_sim_domain_result r;
    struct gp_colocation c;
    struct gp_calib calib;
    struct gp_arena *a;
    struct gp_colocation_how how;
    size_t i;

    for (i = 0; i < f->n_memo; i++) {
        const struct memo *e = &f->memo[i];

        if (e->w == w && e->co == co && e->m == m && e->mig == mig &&
            e->share == share && e->n == n) {
            *out = e->p;
            return true;
        }
    }
    if (n > MAX_COLOC)
        n = MAX_COLOC;
    a = gp_arena_new();
    memset(&c, 0, sizeof(c));
    if (gp_calib_builtin(&calib, &c.calib_exact, a, m,
                         gp_diags_new(a)) < 0) {
        gp_arena_free(a);
        return false;
    }
    c.model = m;
    c.calib = &calib;
    c.mig = mig;
    c.sharing = share == CK_SHARE_TS    ? GP_SIM_TIME_SLICING
                : share == CK_SHARE_MPS ? GP_SIM_MPS
                                        : GP_SIM_EXCLUSIVE;
    c.replicas = n;
    c.engine_only = f->ck->o->engine_only;
    c.seed = f->ck->o->seed;
    c.engine_budget = UINT64_MAX;
    for (i = 0; i < n; i++)
        ws[i] = i ? co : w;
    gp_sim_colocate(&r, &how, a, &c, ws, n);
    out->x = r.procs[0].throughput;
    out->p99 = r.procs[0].p99;
    out->has_lat = r.procs[0].has_latency;
    out->stable = r.procs[0].stable;
    out->meets = gp_sim_meets_targets(w, &r.procs[0]);
    gp_arena_free(a);
    if (f->n_memo == f->cap_memo) {
        size_t cap = f->cap_memo ? f->cap_memo * 2 : 64;

        f->memo = gp_arena_grow(f->ck->a, f->memo, f->n_memo, cap,
                                sizeof(*f->memo));
        f->cap_memo = cap;
    }
    f->memo[f->n_memo].w = w;
    f->memo[f->n_memo].co = co;
    f->memo[f->n_memo].m = m;
    f->memo[f->n_memo].mig = mig;
    f->memo[f->n_memo].share = share;
    f->memo[f->n_memo].n = n;
    f->memo[f->n_memo].p = *out;
    f->n_memo++;
    return true;
}

/* ---- one device kind of one node set ------------------------------------- */

/* Where a finding about device kind 'd' of 't' belongs: the line that sets
 * its sharing, else the MIG instance that makes it, else the node. */
static struct gp_loc
dom_loc(const struct ck_target *t, const struct ck_domain *d)
{
    if (d->res)
        return ck_loc(&t->dp->src, d->res->replicas_node);
    if (d->prof && t->mig)
        return ck_loc(&t->mig->src, d->prof->key);
    if (t->node)
        return ck_loc(&t->src, t->node);
    return t->pool->loc;
}

static const char *
config_what(struct ck *ck, const struct ck_target *t,
            const struct ck_domain *d)
{
    const char *dev = d->mig ? gp_arena_printf(ck->a, "%s %s", t->model->id,
                                               d->mig->name)
                             : t->model->id;

    if (d->share == CK_SHARE_TS)
        return gp_arena_printf(ck->a, "time-slicing x%u of %s on %s",
                               d->replicas, dev, ck_target_what(ck, t));
    if (d->share == CK_SHARE_MPS)
        return gp_arena_printf(ck->a, "MPS x%u of %s on %s", d->replicas,
                               dev, ck_target_what(ck, t));
    return gp_arena_printf(ck->a, "one %s on %s", dev, ck_target_what(ck, t));
}

static int
by_mem_desc(const void *pa, const void *pb)
{
    const struct wl *a = *(const struct wl *const *)pa;
    const struct wl *b = *(const struct wl *const *)pb;

    if (a->mem_mib != b->mem_mib)
        return a->mem_mib > b->mem_mib ? -1 : 1;
    return strcmp(a->w->name, b->w->name);
}

static void
memory(struct ck *ck, const struct ck_target *t, const struct ck_domain *d,
       const struct wl **l, size_t n)
{
    uint64_t cap = d->mig ? d->mig->memory_mib : t->model->memory_mib;
    size_t i;

    if (d->share == CK_SHARE_MPS) {
        uint64_t lim = t->model->memory_mib / d->replicas;

        for (i = 0; i < n; i++) {
            if (l[i]->mem_mib <= lim)
                continue;
            ck_report_loc(ck, dom_loc(t, d), "inv-mps-memory",
                          "workload '%s' peaks at %llu MiB, above the MPS "
                          "client limit of %llu MiB (%llu MiB / %u) under %s",
                          l[i]->w->name, (unsigned long long)l[i]->mem_mib,
                          (unsigned long long)lim,
                          (unsigned long long)t->model->memory_mib,
                          d->replicas, config_what(ck, t, d));
            if (t->model->memory_mib / l[i]->mem_mib >= 2)
                ck_hint(ck, "lower the replicas to at most %llu, or keep the "
                            "workload off these nodes",
                        (unsigned long long)(t->model->memory_mib /
                                             l[i]->mem_mib));
            else
                ck_hint(ck, "it needs more than half of the GPU: give it a "
                            "whole GPU or a MIG instance");
        }
        return;
    }
    if (d->share == CK_SHARE_TS && d->replicas > 1) {
        const struct wl **s = calloc(n ? n : 1, sizeof(*s));
        struct gp_strbuf sb = GP_STRBUF_INIT;
        uint64_t sum = 0;
        uint32_t left = d->replicas;

        if (!s)
            return;
        memcpy(s, l, n * sizeof(*s));
        qsort(s, n, sizeof(*s), by_mem_desc);
        /* Fill the device's N slots with the largest peaks, each workload
         * with at most as many pods as it has replicas. */
        for (i = 0; i < n && left; i++) {
            uint32_t k = s[i]->w->replicas < left ? s[i]->w->replicas : left;

            sum += (uint64_t)k * s[i]->mem_mib;
            left -= k;
            gp_strbuf_printf(&sb, "%s%u x '%s' (%llu MiB)", i ? ", " : "", k,
                             s[i]->w->name,
                             (unsigned long long)s[i]->mem_mib);
        }
        if (sum > cap) {
            ck_report_loc(ck, dom_loc(t, d), "inv-ts-memory",
                          "under %s, pods can meet on one device with %llu "
                          "MiB of peaks; it has %llu MiB",
                          config_what(ck, t, d), (unsigned long long)sum,
                          (unsigned long long)cap);
            ck_hint(ck, "worst case: %s", sb.buf);
        }
        gp_strbuf_release(&sb);
        free(s);
        return;
    }
    for (i = 0; i < n; i++) {
        if (l[i]->mem_mib <= cap)
            continue;
        ck_report_loc(ck, dom_loc(t, d),
                      d->mig ? "inv-mig-memory" : "inv-gpu-memory",
                      "workload '%s' peaks at %llu MiB; %s has %llu MiB",
                      l[i]->w->name, (unsigned long long)l[i]->mem_mib,
                      config_what(ck, t, d), (unsigned long long)cap);
        ck_hint(ck, "%s", d->mig ? "ask for a larger MIG profile"
                                 : "run it on GPUs with more memory");
    }
}

static void
isolation(struct ck *ck, const struct ck_target *t, const struct ck_domain *d,
          const struct wl **l, size_t n)
{
    size_t i, j;

    if (d->share == CK_SHARE_NONE || d->replicas < 2)
        return;
    for (i = 0; i < n; i++) {
        const struct gp_workload *w = l[i]->w;

        if (w->isolation == GP_ISOLATION_HARD) {
            ck_report_loc(ck, dom_loc(t, d), "inv-isolation",
                          "workload '%s' needs hard isolation (MIG or a "
                          "whole GPU) but can land on %s",
                          w->name, config_what(ck, t, d));
            ck_hint(ck, "pin it to exclusive or MIG nodes with a "
                        "nodeSelector");
            continue;
        }
        if (w->isolation != GP_ISOLATION_TENANT || d->share != CK_SHARE_MPS)
            continue;
        for (j = 0; j < n; j++) {
            const struct gp_workload *o = l[j]->w;

            if (strcmp(o->tenant, w->tenant) == 0)
                continue;
            ck_report_loc(ck, dom_loc(t, d), "inv-isolation",
                          "workload '%s' (tenant %s) needs tenant isolation, "
                          "but under %s it can share a GPU with '%s' (tenant "
                          "%s): an MPS fault ends every client",
                          w->name, w->tenant, config_what(ck, t, d), o->name,
                          o->tenant);
            ck_hint(ck, "give each tenant its own MPS node group");
            break;
        }
    }
}

static void
targets(struct fit *f, const struct ck_target *t, const struct ck_domain *d,
        const struct wl **l, size_t n)
{
    struct ck *ck = f->ck;
    const struct wl *heavy = NULL, *longest = NULL;
    uint32_t nrep = d->share == CK_SHARE_NONE ? 1 : d->replicas;
    char b1[32], b2[32];
    size_t i;

    for (i = 0; i < n; i++) {
        if (!heavy || l[i]->duty > heavy->duty)
            heavy = l[i];
        if (!longest || l[i]->burst > longest->burst)
            longest = l[i];
    }
    for (i = 0; i < n; i++) {
        const struct gp_workload *w = l[i]->w;
        struct pred worst, p;
        const struct wl *by = heavy;

        if (w->target_p99_s <= 0 && w->target_throughput <= 0)
            continue;
        if (!predict(f, t->model, d->mig, d->share, nrep, w, heavy->w,
                     &worst))
            return;
        /* Long bursts hurt co-tenants' latency more than busy ones do. */
        if (nrep > 1 && longest != heavy) {
            if (!predict(f, t->model, d->mig, d->share, nrep, w, longest->w,
                         &p))
                return;
            if ((!p.meets && worst.meets) ||
                (p.meets == worst.meets && p.p99 > worst.p99)) {
                worst = p;
                by = longest;
            }
        }
        if (worst.meets)
            continue;
        if (!worst.stable)
            ck_report_loc(ck, dom_loc(t, d), "inv-target",
                          "workload '%s' cannot keep up under %s%s%s%s: its "
                          "queue grows without bound",
                          w->name, config_what(ck, t, d),
                          nrep > 1 ? " beside copies of '" : "",
                          nrep > 1 ? by->w->name : "", nrep > 1 ? "'" : "");
        else if (w->target_p99_s > 0 &&
                 (!worst.has_lat || worst.p99 > w->target_p99_s))
            ck_report_loc(ck, dom_loc(t, d), "inv-target",
                          "workload '%s' misses its p99 target: %s predicted, "
                          "%s wanted, under %s%s%s%s",
                          w->name, gp_format_duration(worst.p99, b1),
                          gp_format_duration(w->target_p99_s, b2),
                          config_what(ck, t, d),
                          nrep > 1 ? " beside copies of '" : "",
                          nrep > 1 ? by->w->name : "", nrep > 1 ? "'" : "");
        else
            ck_report_loc(ck, dom_loc(t, d), "inv-target",
                          "workload '%s' misses its throughput target: "
                          "%.3g/s predicted per replica, %.3g/s wanted, "
                          "under %s%s%s%s",
                          w->name, worst.x, w->target_throughput,
                          config_what(ck, t, d),
                          nrep > 1 ? " beside copies of '" : "",
                          nrep > 1 ? by->w->name : "", nrep > 1 ? "'" : "");
        if (nrep > 1)
            ck_hint(ck, "the scheduler may put any %u of these pods on one "
                        "GPU; lower the replicas or keep heavy workloads apart",
                    nrep);
    }
}

void
ck_fit(struct ck *ck)
{
    struct fit f;
    struct wl *wls;
    const struct wl **l;
    size_t n_wl, i, k, j, n;

    check_pods(ck);
    if (!ck->o->inv)
        return;
    memset(&f, 0, sizeof(f));
    f.ck = ck;
    wls = bind(ck, &n_wl);
    l = gp_arena_calloc(ck->a, n_wl + 1, sizeof(*l));
    for (i = 0; i < ck->targets.n; i++) {
        const struct ck_target *t = ck->targets.v[i];

        if (!t->model || t->unknown)
            continue;
        for (k = 0; k < t->n_dom; k++) {
            const struct ck_domain *d = &t->dom[k];

            if (!d->devices)
                continue;
            for (j = n = 0; j < n_wl; j++) {
                if (lands(&wls[j], t, d))
                    l[n++] = &wls[j];
            }
            if (!n)
                continue;
            memory(ck, t, d, l, n);
            isolation(ck, t, d, l, n);
            targets(&f, t, d, l, n);
        }
    }
}
