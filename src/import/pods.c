/* SPDX-License-Identifier: MIT */
/* import/pods.c: the pods of 'kubectl get pods -A -o json' that ask for
 * NVIDIA GPU resources, with the workload that owns each. A pod's GPU
 * request is Kubernetes' effective request: the sum over its containers
 * (and restartable init containers, i.e. sidecars), or the largest
 * ordinary init container if that is more. Owners follow the controller
 * reference, one level up where the name shows it: a ReplicaSet named
 * '<deployment>-<pod-template-hash>' belongs to that Deployment, a Job
 * named '<cronjob>-<scheduled minute>' to that CronJob. */
#include "import/internal.h"

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/str.h"
#include "base/units.h"
#include "base/xalloc.h"
#include "json/json.h"

struct pods_ctx {
    struct gp_imp_quota quota;  /* d: the caller's sink, then scratch */
    struct gp_imp_pods *P;
    struct gp_arena *a;
    struct gp_diags *d;
    const char *file;
    struct gp_imp_strays strays; /* items that are not Pods */
    struct gp_imp_map ignored; /* nvidia.com resources not imported */
};

/* Whether a resource name is one gpuplan imports: whole or shared GPUs,
 * and MIG devices of the mixed strategy. */
static bool
is_gpu_resource(const char *r)
{
    return strcmp(r, "nvidia.com/gpu") == 0 ||
           strcmp(r, "nvidia.com/gpu.shared") == 0 ||
           gp_str_has_prefix(r, "nvidia.com/mig-");
}

struct reqset {
    struct gp_imp_req v[GP_IMP_MAX_REQS];
    uint32_t n;
};

static int
req_add(struct reqset *s, const char *res, uint32_t qty, bool take_max)
{
    uint32_t i;

    for (i = 0; i < s->n; i++) {
        if (strcmp(s->v[i].resource, res) == 0) {
            if (take_max)
                s->v[i].qty = qty > s->v[i].qty ? qty : s->v[i].qty;
            else
                s->v[i].qty += qty;
            return 0;
        }
    }
    if (s->n == GP_IMP_MAX_REQS)
        return -1;
    s->v[s->n].resource = res;
    s->v[s->n].qty = qty;
    s->n++;
    return 0;
}

/* A quantity of a device resource: a whole number, as a string ("1") or a
 * JSON number. Returns 0, or -1 after an error. */
static int
get_qty(struct pods_ctx *C, const struct gp_json_item *it, const char *pod,
        const char *res, const struct gp_json *v, uint32_t *out)
{
    const char *s = gp_json_str(v), *why = NULL;
    uint64_t x;
    double num;

    if (s) {
        if (gp_parse_uint(s, 4096, &x, &why) == 0) {
            *out = (uint32_t)x;
            return 0;
        }
    } else if (gp_json_num(v, &num) == 0 && num >= 0 && num <= 4096 &&
               num == (double)(uint32_t)num) {
        *out = (uint32_t)num;
        return 0;
    }
    if (!s && gp_json_num(v, &num) == 0)
        gp_error_at(C->d, gp_json_item_loc(it, res),
                    "pod '%s': '%s' must be a whole number of devices from 0 "
                    "to 4096, got %g",
                    pod, res, num);
    else
        gp_error_at(C->d, gp_json_item_loc(it, res),
                    "pod '%s': '%s' must be a whole number of devices from 0 "
                    "to 4096, got %s%s%s",
                    pod, res, s ? "'" : "a ", s ? s : gp_json_type_name(v),
                    s ? "'" : "");
    return -1;
}

/* Adds one container's GPU requests to 'sum' (or takes the maximum into
 * it). requests win over limits; Kubernetes defaults device requests to
 * their limits. */
static int
container_reqs(struct pods_ctx *C, const struct gp_json_item *it,
               const char *pod, const struct gp_json *c, struct reqset *out,
               bool take_max)
{
    const struct gp_json *res = gp_json_get(c, "resources");
    const struct gp_json *lists[2], *m;
    int rc = 0;
    size_t k;

    lists[0] = gp_json_get(res, "requests");
    lists[1] = gp_json_get(res, "limits");
    for (k = 0; k < 2; k++) {
        for (m = gp_json_first(lists[k]); m; m = gp_json_next(m)) {
            const char *name = gp_json_key(m);
            uint32_t q;

            if (!gp_str_has_prefix(name, "nvidia.com/"))
                continue;
            if (!is_gpu_resource(name)) {
                gp_imp_map_put(&C->ignored, name, strlen(name), 0, NULL);
                continue;
            }
            /* A limit only counts when no request names the resource. */
            if (k == 1 && gp_json_get(lists[0], name))
                continue;
            if (get_qty(C, it, pod, name, m, &q) < 0) {
                rc = -1;
                continue;
            }
            if (q == 0)
                continue;
            if (req_add(out, gp_arena_strdup(C->a, name), q, take_max) < 0) {
                gp_error_at(C->d, gp_json_item_loc(it, name),
                            "pod '%s' asks for more than %d kinds of GPU "
                            "resource",
                            pod, GP_IMP_MAX_REQS);
                rc = -1;
            }
        }
    }
    return rc;
}

static bool
all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
    }
    return true;
}

/* The workload a pod belongs to, from its controller reference. */
static void
resolve_owner(struct pods_ctx *C, const struct gp_json *meta,
              struct gp_imp_pod *p)
{
    const struct gp_json *refs = gp_json_get(meta, "ownerReferences");
    const struct gp_json *r, *pick = NULL;
    const char *kind, *name, *hash;

    for (r = gp_json_first(refs); r; r = gp_json_next(r)) {
        if (gp_json_is_true(gp_json_get(r, "controller"))) {
            pick = r;
            break;
        }
        if (!pick)
            pick = r;
    }
    kind = gp_json_str(gp_json_get(pick, "kind"));
    name = gp_json_str(gp_json_get(pick, "name"));
    if (!kind || !name || !*kind || !*name) {
        p->kind = "Pod";
        p->owner = p->name;
        return;
    }
    p->kind = gp_arena_strdup(C->a, kind);
    p->owner = gp_arena_strdup(C->a, name);
    if (strcmp(kind, "ReplicaSet") == 0) {
        size_t n = strlen(name), h;

        hash = gp_json_str(
            gp_json_get(gp_json_get(meta, "labels"), "pod-template-hash"));
        h = hash ? strlen(hash) : 0;
        if (h && n > h + 1 && name[n - h - 1] == '-' &&
            strcmp(name + n - h, hash) == 0) {
            p->kind = "Deployment";
            p->owner = gp_arena_strndup(C->a, name, n - h - 1);
            p->inferred_owner = true;
        }
    } else if (strcmp(kind, "Job") == 0) {
        /* The CronJob controller names its Jobs '<cronjob>-<minutes since
         * the epoch>' (8 or more digits). */
        const char *dash = strrchr(name, '-');

        if (dash && dash > name && strlen(dash + 1) >= 8 &&
            all_digits(dash + 1)) {
            p->kind = "CronJob";
            p->owner = gp_arena_strndup(C->a, name, (size_t)(dash - name));
            p->inferred_owner = true;
        }
    }
}

static int
pod_item(void *ctx, const struct gp_json_item *it)
{
    struct pods_ctx *C = ctx;
    struct gp_imp_pods *P = C->P;
    const struct gp_json *v = it->value, *meta, *spec, *c;
    const char *name, *ns, *node, *phase;
    struct reqset app, init;
    struct gp_imp_pod *p;
    uint32_t i, j;
    int rc = 0;

    P->total++;
    gp_imp_quota_check(&C->quota, &C->d);
    name = gp_imp_item_head(C->d, C->a, it, "Pod", &C->strays, &meta);
    if (!name)
        return -1;
    ns = gp_json_str(gp_json_get(meta, "namespace"));
    if (!ns || !*ns)
        ns = "default";
    {
        const char *why;

        /* the inventory written keeps it: a name Kubernetes would refuse
         * cannot be a real pod's (found by fuzz_kubectl) */
        if (!gp_k8s_dns_label(ns, &why)) {
            gp_error_at(C->d, gp_json_item_loc(it, "namespace"),
                        "pod '%s': namespace '%.80s' is not a DNS label "
                        "(%s)",
                        name, ns, why);
            return -1;
        }
    }
    spec = gp_json_get(v, "spec");
    memset(&app, 0, sizeof(app));
    memset(&init, 0, sizeof(init));
    for (c = gp_json_first(gp_json_get(spec, "containers")); c;
         c = gp_json_next(c)) {
        if (container_reqs(C, it, name, c, &app, false) < 0)
            rc = -1;
    }
    for (c = gp_json_first(gp_json_get(spec, "initContainers")); c;
         c = gp_json_next(c)) {
        const char *rp = gp_json_str(gp_json_get(c, "restartPolicy"));

        /* Sidecars (restartPolicy Always) run beside the app containers. */
        if (container_reqs(C, it, name, c, rp && !strcmp(rp, "Always")
                                                ? &app
                                                : &init,
                           !(rp && !strcmp(rp, "Always"))) < 0)
            rc = -1;
    }
    for (i = 0; i < init.n; i++) {
        if (req_add(&app, init.v[i].resource, init.v[i].qty, true) < 0)
            rc = -1;
    }
    if (rc < 0)
        return -1;
    if (app.n == 0) {
        P->non_gpu++;
        return 0;
    }
    if (P->n == P->cap) {
        /* realloc, not the arena: the array reaches megabytes, and fresh
         * zeroed memory at every doubling costs more than the parsing. */
        P->cap = P->cap ? P->cap * 2 : 256;
        P->v = gp_xrealloc(P->v, P->cap * sizeof(*P->v));
    }
    p = &P->v[P->n];
    memset(p, 0, sizeof(*p));
    p->ns = gp_arena_strdup(C->a, ns);
    p->name = gp_arena_strdup(C->a, name);
    p->loc = it->loc;
    node = gp_json_str(gp_json_get(spec, "nodeName"));
    p->node = node && *node ? gp_arena_strdup(C->a, node) : NULL;
    phase = gp_json_str(gp_json_get(gp_json_get(v, "status"), "phase"));
    p->phase = GP_PHASE_UNKNOWN;
    if (!phase)
        p->phase = p->node ? GP_PHASE_UNKNOWN : GP_PHASE_PENDING;
    else
        for (j = 0; j < GP_PHASE_N; j++) {
            if (strcmp(phase, gp_imp_phase_name((enum gp_imp_phase)j)) == 0)
                p->phase = (enum gp_imp_phase)j;
        }
    for (i = 0; i < app.n; i++) {
        p->reqs[i] = app.v[i];
        p->units += app.v[i].qty;
    }
    p->n_reqs = app.n;
    resolve_owner(C, meta, p);
    {
        char key[520];
        size_t kl = gp_imp_key2(key, p->ns, p->name);
        bool created;
        uint32_t *slot = gp_imp_map_put(&P->by_name, key, kl,
                                        (uint32_t)P->n, &created);

        if (!created) {
            gp_error_at(C->d, it->loc,
                        "pod '%s/%s' is listed twice (first at line %u)",
                        p->ns, p->name, P->v[*slot].loc.line);
            return -1;
        }
    }
    P->n++;
    return 0;
}

/* The members of a Pod this file reads; the rest (environment, probes,
 * volumes, conditions, container statuses) is checked and skipped. */
static const char *const pod_keep[] = {
    "kind",
    "metadata.name",
    "metadata.namespace",
    "metadata.labels",
    "metadata.ownerReferences",
    "spec.nodeName",
    "spec.containers.resources",
    "spec.initContainers.resources",
    "spec.initContainers.restartPolicy",
    "status.phase",
    NULL};

void
gp_imp_pods_release(struct gp_imp_pods *P)
{
    free(P->v);
    P->v = NULL;
    P->n = P->cap = 0;
    gp_imp_map_release(&P->by_name);
}

int
gp_imp_pods_load(struct gp_imp_pods *out, struct gp_arena *a,
                 const struct gp_import_src *src, struct gp_diags *d)
{
    struct pods_ctx C;
    struct gp_json *top = NULL;
    size_t errors = gp_diags_errors(d);
    int rc;

    memset(out, 0, sizeof(*out));
    gp_imp_map_init(&out->by_name, a);
    memset(&C, 0, sizeof(C));
    C.P = out;
    C.a = a;
    C.d = d;
    gp_imp_quota_init(&C.quota, a, d);
    C.file = src->file;
    gp_imp_map_init(&C.ignored, a);
    rc = gp_json_scan(&top, src->file, src->text, src->len, "items",
                      pod_keep, pod_item, &C, d);
    if (gp_imp_quota_end(&C.quota, &C.d, src->file))
        rc = -1;
    if (rc < 0 && !gp_imp_looks_like_json(src))
        gp_diag_hint(d, "export pods as JSON: 'kubectl get pods -A -o json'");
    gp_imp_list_end(a, d, src, top, "Pod",
                    "export pods with 'kubectl get pods -A -o json'", pod_item,
                    &C, &C.strays);
    gp_json_free(top);
    if (C.ignored.n) {
        size_t i;

        for (i = 0; i < C.ignored.cap; i++) {
            if (C.ignored.s[i].key)
                gp_warning_at(d, (struct gp_loc){src->file, 0, 0, 0},
                              "resource '%s' is not one gpuplan imports "
                              "(nvidia.com/gpu, nvidia.com/gpu.shared, "
                              "nvidia.com/mig-*); requests of it are ignored",
                              C.ignored.s[i].key);
        }
    }
    gp_imp_map_release(&C.ignored);
    if (rc < 0 || gp_diags_errors(d) > errors)
        return -1;
    return 0;
}
