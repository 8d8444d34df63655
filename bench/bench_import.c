/* SPDX-License-Identifier: MIT */
/* bench/bench_import.c: time 'gpuplan import kubectl' on a cluster export of
 * 5,000 nodes and 50,000 pods (issue 7: under 2 s). The export is generated
 * here, in the shape 'kubectl get nodes/pods -o json' prints (4-space
 * indent, keys sorted, the fields a real cluster fills in: labels,
 * annotations, conditions, images, env, probes, volumes, container
 * statuses), so the files are as large as real ones (several KB per pod)
 * and are never kept in git. Also times one dcgm-exporter scrape of every
 * GPU pod with --dcgm.
 *
 *   bench_import [--nodes N] [--pods N] [--dir DIR] [--keep] [--runs N]
 *
 * Without --dir the files go to a fresh directory under $TMPDIR, removed
 * at the end unless --keep. The timing covers what the command does:
 * mapping the files, parsing, grouping, writing the inventory text and
 * loading it back (the self-check); it prints the best and the median of
 * the runs, and the command line that times the CLI itself. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "base/arena.h"
#include "base/diag.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "import/import.h"
#include "model/gpu.h"

/* ---- a JSON writer that indents as kubectl does ------------------------- */

struct jw {
    FILE *f;
    int depth;
    int first;       /* no member written yet at this depth */
    size_t bytes;
};

static void
jw_indent(struct jw *w)
{
    int i;

    fputc('\n', w->f);
    for (i = 0; i < w->depth; i++)
        fputs("    ", w->f);
}

static void
jw_sep(struct jw *w)
{
    if (!w->first)
        fputc(',', w->f);
    w->first = 0;
    jw_indent(w);
}

static void
jw_key(struct jw *w, const char *k)
{
    jw_sep(w);
    fprintf(w->f, "\"%s\": ", k);
}

static void
jw_open(struct jw *w, char c)
{
    fputc(c, w->f);
    w->depth++;
    w->first = 1;
}

static void
jw_close(struct jw *w, char c)
{
    w->depth--;
    if (!w->first)
        jw_indent(w);
    fputc(c, w->f);
    w->first = 0;
}

static void
kv_s(struct jw *w, const char *k, const char *v)
{
    jw_key(w, k);
    fprintf(w->f, "\"%s\"", v);
}

static void
kv_n(struct jw *w, const char *k, long long v)
{
    jw_key(w, k);
    fprintf(w->f, "%lld", v);
}

static void
kv_b(struct jw *w, const char *k, int v)
{
    jw_key(w, k);
    fputs(v ? "true" : "false", w->f);
}

static void
kv_obj(struct jw *w, const char *k)
{
    jw_key(w, k);
    jw_open(w, '{');
}

static void
kv_arr(struct jw *w, const char *k)
{
    jw_key(w, k);
    jw_open(w, '[');
}

static void
el_obj(struct jw *w)
{
    jw_sep(w);
    jw_open(w, '{');
}

static void
el_s(struct jw *w, const char *v)
{
    jw_sep(w);
    fprintf(w->f, "\"%s\"", v);
}

/* ---- the cluster -------------------------------------------------------- */

static uint64_t rng = 88172645463325252ull;

static uint32_t
rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static const char *
hexid(char *buf, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++)
        buf[i] = hex[rnd(16)];
    buf[n] = '\0';
    return buf;
}

static const char *
uid(char *buf)
{
    char a[9], b[5], c[5], d[5], e[13];

    snprintf(buf, 40, "%s-%s-%s-%s-%s", hexid(a, 8), hexid(b, 4), hexid(c, 4),
             hexid(d, 4), hexid(e, 12));
    return buf;
}

struct pooltype {
    const char *product, *itype, *family, *sharing;
    int count, memory, replicas;
    const char *mig_strategy, *mig_config;
    const char *mig[3];  /* mixed: profiles, with per-GPU counts below */
    int mig_n[3];
    const char *res;     /* what pods on it ask for */
};

static const struct pooltype types[] = {
    {"NVIDIA-H100-80GB-HBM3", "p5.48xlarge", "hopper", "none", 8, 81559, 1,
     "mixed", "all-disabled", {NULL, NULL, NULL}, {0, 0, 0}, "nvidia.com/gpu"},
    {"NVIDIA-A100-SXM4-80GB", "p4de.24xlarge", "ampere", "none", 8, 81920, 1,
     "mixed", "all-disabled", {NULL, NULL, NULL}, {0, 0, 0}, "nvidia.com/gpu"},
    {"NVIDIA-A100-SXM4-40GB", "p4d.24xlarge", "ampere", "none", 8, 40960, 1,
     "mixed", "all-balanced", {"1g.5gb", "2g.10gb", "3g.20gb"}, {2, 1, 1},
     "nvidia.com/mig-1g.5gb"},
    {"NVIDIA-H100-80GB-HBM3-MIG-1g.10gb", "p5.48xlarge", "hopper", "none",
     56, 9984, 1, "single", "all-1g.10gb", {NULL, NULL, NULL}, {0, 0, 0},
     "nvidia.com/gpu"},
    {"NVIDIA-L40S-SHARED", "g6e.12xlarge", "ada-lovelace", "time-slicing", 4,
     46068, 4, NULL, NULL, {NULL, NULL, NULL}, {0, 0, 0}, "nvidia.com/gpu"},
    {"NVIDIA-A10G-SHARED", "g5.12xlarge", "ampere", "mps", 4, 23028, 4, NULL,
     NULL, {NULL, NULL, NULL}, {0, 0, 0}, "nvidia.com/gpu"},
    {"NVIDIA-L4", "g6.12xlarge", "ada-lovelace", "none", 4, 23034, 1, NULL,
     NULL, {NULL, NULL, NULL}, {0, 0, 0}, "nvidia.com/gpu"},
    {"Tesla-T4-SHARED", "g4dn.12xlarge", "turing", "time-slicing", 4, 15360,
     2, NULL, NULL, {NULL, NULL, NULL}, {0, 0, 0}, "nvidia.com/gpu"},
};
#define N_TYPES (sizeof(types) / sizeof(types[0]))

static void
node_json(struct jw *w, uint32_t i, int gpu_type)
{
    const struct pooltype *t = gpu_type >= 0 ? &types[gpu_type] : NULL;
    char name[64], id[48], buf[64], h[20];
    int k;

    snprintf(name, sizeof(name), "ip-10-%u-%u-%u.us-west-2.compute.internal",
             (i >> 16) & 255, (i >> 8) & 255, i & 255);
    el_obj(w);
    kv_s(w, "apiVersion", "v1");
    kv_s(w, "kind", "Node");
    kv_obj(w, "metadata");
    kv_obj(w, "annotations");
    kv_s(w, "alpha.kubernetes.io/provided-node-ip", "10.0.0.1");
    kv_s(w, "csi.volume.kubernetes.io/nodeid",
         "{\\\"ebs.csi.aws.com\\\":\\\"i-0123456789abcdef0\\\"}");
    kv_s(w, "node.alpha.kubernetes.io/ttl", "0");
    kv_s(w, "volumes.kubernetes.io/controller-managed-attach-detach", "true");
    jw_close(w, '}');
    kv_s(w, "creationTimestamp", "2024-06-10T08:14:03Z");
    kv_obj(w, "labels");
    kv_s(w, "beta.kubernetes.io/arch", "amd64");
    kv_s(w, "beta.kubernetes.io/instance-type", t ? t->itype : "m6i.4xlarge");
    kv_s(w, "beta.kubernetes.io/os", "linux");
    kv_s(w, "eks.amazonaws.com/capacityType", "ON_DEMAND");
    kv_s(w, "eks.amazonaws.com/nodegroup",
         t ? t->itype : "system");
    kv_s(w, "failure-domain.beta.kubernetes.io/region", "us-west-2");
    kv_s(w, "failure-domain.beta.kubernetes.io/zone", "us-west-2a");
    if (t)
        kv_s(w, "feature.node.kubernetes.io/pci-10de.present", "true");
    kv_s(w, "kubernetes.io/arch", "amd64");
    kv_s(w, "kubernetes.io/hostname", name);
    kv_s(w, "kubernetes.io/os", "linux");
    kv_s(w, "node.kubernetes.io/instance-type", t ? t->itype : "m6i.4xlarge");
    if (t) {
        kv_s(w, "nvidia.com/cuda.driver-version.full", "550.90.07");
        kv_s(w, "nvidia.com/cuda.driver-version.major", "550");
        kv_s(w, "nvidia.com/cuda.runtime-version.full", "12.4");
        kv_s(w, "nvidia.com/gfd.timestamp", "1718000000");
        kv_s(w, "nvidia.com/gpu.compute.major", "9");
        kv_s(w, "nvidia.com/gpu.compute.minor", "0");
        snprintf(buf, sizeof(buf), "%d", t->count);
        kv_s(w, "nvidia.com/gpu.count", buf);
        kv_s(w, "nvidia.com/gpu.deploy.container-toolkit", "true");
        kv_s(w, "nvidia.com/gpu.deploy.dcgm", "true");
        kv_s(w, "nvidia.com/gpu.deploy.dcgm-exporter", "true");
        kv_s(w, "nvidia.com/gpu.deploy.device-plugin", "true");
        kv_s(w, "nvidia.com/gpu.deploy.gpu-feature-discovery", "true");
        kv_s(w, "nvidia.com/gpu.family", t->family);
        kv_s(w, "nvidia.com/gpu.machine", t->itype);
        snprintf(buf, sizeof(buf), "%d", t->memory);
        kv_s(w, "nvidia.com/gpu.memory", buf);
        kv_s(w, "nvidia.com/gpu.present", "true");
        kv_s(w, "nvidia.com/gpu.product", t->product);
        snprintf(buf, sizeof(buf), "%d", t->replicas);
        kv_s(w, "nvidia.com/gpu.replicas", buf);
        kv_s(w, "nvidia.com/gpu.sharing-strategy", t->sharing);
        kv_s(w, "nvidia.com/mig.capable", t->mig_strategy ? "true" : "false");
        if (t->mig_config)
            kv_s(w, "nvidia.com/mig.config", t->mig_config);
        if (t->mig_strategy)
            kv_s(w, "nvidia.com/mig.strategy", t->mig_strategy);
    }
    kv_s(w, "topology.kubernetes.io/region", "us-west-2");
    kv_s(w, "topology.kubernetes.io/zone", "us-west-2a");
    jw_close(w, '}');
    kv_s(w, "name", name);
    snprintf(buf, sizeof(buf), "%u", 90000000 + i);
    kv_s(w, "resourceVersion", buf);
    kv_s(w, "uid", uid(id));
    jw_close(w, '}');
    kv_obj(w, "spec");
    kv_s(w, "providerID", "aws:///us-west-2a/i-0123456789abcdef0");
    if (t) {
        kv_arr(w, "taints");
        el_obj(w);
        kv_s(w, "effect", "NoSchedule");
        kv_s(w, "key", "nvidia.com/gpu");
        kv_s(w, "value", "present");
        jw_close(w, '}');
        jw_close(w, ']');
    }
    jw_close(w, '}');
    kv_obj(w, "status");
    kv_arr(w, "addresses");
    el_obj(w);
    kv_s(w, "address", "10.0.0.1");
    kv_s(w, "type", "InternalIP");
    jw_close(w, '}');
    el_obj(w);
    kv_s(w, "address", name);
    kv_s(w, "type", "Hostname");
    jw_close(w, '}');
    jw_close(w, ']');
    for (k = 0; k < 2; k++) {
        kv_obj(w, k ? "capacity" : "allocatable");
        kv_s(w, "cpu", k ? "96" : "95690m");
        kv_s(w, "ephemeral-storage", "104845292Ki");
        kv_s(w, "hugepages-1Gi", "0");
        kv_s(w, "hugepages-2Mi", "0");
        kv_s(w, "memory", "1056471520Ki");
        if (t && t->mig[0]) {
            int m, gpus = t->count;

            kv_s(w, "nvidia.com/gpu", "0");
            for (m = 0; m < 3; m++) {
                char key[64];

                snprintf(key, sizeof(key), "nvidia.com/mig-%s", t->mig[m]);
                snprintf(buf, sizeof(buf), "%d", t->mig_n[m] * gpus);
                kv_s(w, key, buf);
            }
        } else if (t) {
            snprintf(buf, sizeof(buf), "%d", t->count * t->replicas);
            kv_s(w, "nvidia.com/gpu", buf);
        }
        kv_s(w, "pods", "110");
        jw_close(w, '}');
    }
    kv_arr(w, "conditions");
    for (k = 0; k < 4; k++) {
        static const char *const types_[] = {"MemoryPressure", "DiskPressure",
                                              "PIDPressure", "Ready"};
        el_obj(w);
        kv_s(w, "lastHeartbeatTime", "2024-06-12T10:01:44Z");
        kv_s(w, "lastTransitionTime", "2024-06-10T08:14:03Z");
        kv_s(w, "message", "kubelet has sufficient memory available");
        kv_s(w, "reason", "KubeletHasSufficientMemory");
        kv_s(w, "status", k == 3 ? "True" : "False");
        kv_s(w, "type", types_[k]);
        jw_close(w, '}');
    }
    jw_close(w, ']');
    kv_obj(w, "daemonEndpoints");
    kv_obj(w, "kubeletEndpoint");
    kv_n(w, "Port", 10250);
    jw_close(w, '}');
    jw_close(w, '}');
    kv_arr(w, "images");
    for (k = 0; k < 14; k++) {
        char img[160];

        el_obj(w);
        kv_arr(w, "names");
        snprintf(img, sizeof(img),
                 "123456789012.dkr.ecr.us-west-2.amazonaws.com/team-%d/"
                 "service@sha256:%s",
                 k, hexid(h, 16));
        el_s(w, img);
        snprintf(img, sizeof(img),
                 "123456789012.dkr.ecr.us-west-2.amazonaws.com/team-%d/"
                 "service:v1.%d.%d",
                 k, k, rnd(40));
        el_s(w, img);
        jw_close(w, ']');
        kv_n(w, "sizeBytes", 100000000 + (long long)rnd(900000000));
        jw_close(w, '}');
    }
    jw_close(w, ']');
    kv_obj(w, "nodeInfo");
    kv_s(w, "architecture", "amd64");
    kv_s(w, "bootID", uid(id));
    kv_s(w, "containerRuntimeVersion", "containerd://1.7.11");
    kv_s(w, "kernelVersion", "5.10.217-205.860.amzn2.x86_64");
    kv_s(w, "kubeProxyVersion", "v1.29.6-eks-1552ad0");
    kv_s(w, "kubeletVersion", "v1.29.6-eks-1552ad0");
    kv_s(w, "machineID", hexid(h, 16));
    kv_s(w, "operatingSystem", "linux");
    kv_s(w, "osImage", "Amazon Linux 2");
    kv_s(w, "systemUUID", uid(id));
    jw_close(w, '}');
    jw_close(w, '}');
    jw_close(w, '}');
}

struct podspec {
    const char *ns, *kind, *owner, *hash, *node, *res, *phase;
    uint32_t n;
};

static void
pod_json(struct jw *w, const struct podspec *p, FILE *metrics)
{
    char name[160], id[48], buf[160], h[20];
    const char *owner_kind = p->kind;
    char owner_name[128];
    int k;

    if (strcmp(p->kind, "Deployment") == 0) {
        owner_kind = "ReplicaSet";
        snprintf(owner_name, sizeof(owner_name), "%s-%s", p->owner, p->hash);
        snprintf(name, sizeof(name), "%s-%s", owner_name, hexid(h, 5));
    } else if (strcmp(p->kind, "StatefulSet") == 0) {
        snprintf(owner_name, sizeof(owner_name), "%s", p->owner);
        snprintf(name, sizeof(name), "%s-%u", p->owner, p->n);
    } else if (strcmp(p->kind, "Job") == 0) {
        snprintf(owner_name, sizeof(owner_name), "%s-%u", p->owner,
                 28632960 + p->n / 4);
        snprintf(name, sizeof(name), "%s-%s", owner_name, hexid(h, 5));
    } else {
        snprintf(owner_name, sizeof(owner_name), "%s", p->owner);
        snprintf(name, sizeof(name), "%s-%s", p->owner, hexid(h, 5));
    }
    el_obj(w);
    kv_s(w, "apiVersion", "v1");
    kv_s(w, "kind", "Pod");
    kv_obj(w, "metadata");
    kv_obj(w, "annotations");
    kv_s(w, "kubectl.kubernetes.io/restartedAt", "2024-06-01T10:00:00Z");
    kv_s(w, "prometheus.io/port", "8002");
    kv_s(w, "prometheus.io/scrape", "true");
    jw_close(w, '}');
    kv_s(w, "creationTimestamp", "2024-06-12T08:00:00Z");
    snprintf(buf, sizeof(buf), "%s-", owner_name);
    kv_s(w, "generateName", buf);
    kv_obj(w, "labels");
    kv_s(w, "app", p->owner);
    kv_s(w, "app.kubernetes.io/part-of", "platform");
    if (p->hash)
        kv_s(w, "pod-template-hash", p->hash);
    kv_s(w, "team", p->ns);
    jw_close(w, '}');
    kv_s(w, "name", name);
    kv_s(w, "namespace", p->ns);
    kv_arr(w, "ownerReferences");
    el_obj(w);
    kv_s(w, "apiVersion", strcmp(owner_kind, "Job") == 0 ? "batch/v1"
                                                          : "apps/v1");
    kv_b(w, "blockOwnerDeletion", 1);
    kv_b(w, "controller", 1);
    kv_s(w, "kind", owner_kind);
    kv_s(w, "name", owner_name);
    kv_s(w, "uid", uid(id));
    jw_close(w, '}');
    jw_close(w, ']');
    kv_s(w, "resourceVersion", "123456789");
    kv_s(w, "uid", uid(id));
    jw_close(w, '}');
    kv_obj(w, "spec");
    kv_arr(w, "containers");
    el_obj(w);
    kv_arr(w, "args");
    el_s(w, "--model-repository=/models");
    el_s(w, "--http-port=8000");
    el_s(w, "--grpc-port=8001");
    jw_close(w, ']');
    kv_arr(w, "env");
    for (k = 0; k < 6; k++) {
        char n[32], v[64];

        el_obj(w);
        snprintf(n, sizeof(n), "SETTING_%d", k);
        snprintf(v, sizeof(v), "value-%d-%s", k, hexid(h, 8));
        kv_s(w, "name", n);
        kv_s(w, "value", v);
        jw_close(w, '}');
    }
    jw_close(w, ']');
    kv_s(w, "image", "nvcr.io/nvidia/tritonserver:24.05-py3");
    kv_s(w, "imagePullPolicy", "IfNotPresent");
    kv_obj(w, "livenessProbe");
    kv_n(w, "failureThreshold", 3);
    kv_obj(w, "httpGet");
    kv_s(w, "path", "/v2/health/live");
    kv_n(w, "port", 8000);
    kv_s(w, "scheme", "HTTP");
    jw_close(w, '}');
    kv_n(w, "periodSeconds", 10);
    kv_n(w, "successThreshold", 1);
    kv_n(w, "timeoutSeconds", 1);
    jw_close(w, '}');
    kv_s(w, "name", "server");
    kv_obj(w, "resources");
    for (k = 0; k < 2; k++) {
        kv_obj(w, k ? "requests" : "limits");
        kv_s(w, "cpu", "4");
        kv_s(w, "memory", "16Gi");
        if (p->res)
            kv_s(w, p->res, "1");
        jw_close(w, '}');
    }
    jw_close(w, '}');
    kv_s(w, "terminationMessagePath", "/dev/termination-log");
    kv_s(w, "terminationMessagePolicy", "File");
    kv_arr(w, "volumeMounts");
    el_obj(w);
    kv_s(w, "mountPath", "/models");
    kv_s(w, "name", "models");
    jw_close(w, '}');
    el_obj(w);
    kv_s(w, "mountPath", "/var/run/secrets/kubernetes.io/serviceaccount");
    kv_s(w, "name", "kube-api-access-x2k9p");
    kv_b(w, "readOnly", 1);
    jw_close(w, '}');
    jw_close(w, ']');
    jw_close(w, '}');
    jw_close(w, ']');
    kv_s(w, "dnsPolicy", "ClusterFirst");
    kv_b(w, "enableServiceLinks", 1);
    if (p->node)
        kv_s(w, "nodeName", p->node);
    kv_s(w, "preemptionPolicy", "PreemptLowerPriority");
    kv_n(w, "priority", 0);
    kv_s(w, "restartPolicy", "Always");
    kv_s(w, "schedulerName", "default-scheduler");
    kv_obj(w, "securityContext");
    jw_close(w, '}');
    kv_s(w, "serviceAccount", "default");
    kv_s(w, "serviceAccountName", "default");
    kv_n(w, "terminationGracePeriodSeconds", 30);
    kv_arr(w, "tolerations");
    for (k = 0; k < 3; k++) {
        el_obj(w);
        kv_s(w, "effect", k < 2 ? "NoExecute" : "NoSchedule");
        kv_s(w, "key", k == 0   ? "node.kubernetes.io/not-ready"
                       : k == 1 ? "node.kubernetes.io/unreachable"
                                : "nvidia.com/gpu");
        kv_s(w, "operator", "Exists");
        if (k < 2)
            kv_n(w, "tolerationSeconds", 300);
        jw_close(w, '}');
    }
    jw_close(w, ']');
    kv_arr(w, "volumes");
    el_obj(w);
    kv_s(w, "name", "models");
    kv_obj(w, "persistentVolumeClaim");
    kv_s(w, "claimName", "models");
    jw_close(w, '}');
    jw_close(w, '}');
    el_obj(w);
    kv_s(w, "name", "kube-api-access-x2k9p");
    kv_obj(w, "projected");
    kv_n(w, "defaultMode", 420);
    kv_arr(w, "sources");
    el_obj(w);
    kv_obj(w, "serviceAccountToken");
    kv_n(w, "expirationSeconds", 3607);
    kv_s(w, "path", "token");
    jw_close(w, '}');
    jw_close(w, '}');
    el_obj(w);
    kv_obj(w, "configMap");
    kv_arr(w, "items");
    el_obj(w);
    kv_s(w, "key", "ca.crt");
    kv_s(w, "path", "ca.crt");
    jw_close(w, '}');
    jw_close(w, ']');
    kv_s(w, "name", "kube-root-ca.crt");
    jw_close(w, '}');
    jw_close(w, '}');
    jw_close(w, ']');
    jw_close(w, '}');
    jw_close(w, '}');
    jw_close(w, ']');
    jw_close(w, '}');
    kv_obj(w, "status");
    kv_arr(w, "conditions");
    for (k = 0; k < 5; k++) {
        static const char *const c[] = {"PodReadyToStartContainers",
                                        "Initialized", "Ready",
                                        "ContainersReady", "PodScheduled"};
        el_obj(w);
        jw_key(w, "lastProbeTime");
        fputs("null", w->f);
        kv_s(w, "lastTransitionTime", "2024-06-12T08:00:05Z");
        kv_s(w, "status", "True");
        kv_s(w, "type", c[k]);
        jw_close(w, '}');
    }
    jw_close(w, ']');
    kv_arr(w, "containerStatuses");
    el_obj(w);
    snprintf(buf, sizeof(buf), "containerd://%s", hexid(h, 16));
    kv_s(w, "containerID", buf);
    kv_s(w, "image", "nvcr.io/nvidia/tritonserver:24.05-py3");
    kv_s(w, "imageID", "nvcr.io/nvidia/tritonserver@sha256:0123456789abcdef");
    kv_obj(w, "lastState");
    jw_close(w, '}');
    kv_s(w, "name", "server");
    kv_b(w, "ready", 1);
    kv_n(w, "restartCount", 0);
    kv_b(w, "started", 1);
    kv_obj(w, "state");
    kv_obj(w, "running");
    kv_s(w, "startedAt", "2024-06-12T08:00:04Z");
    jw_close(w, '}');
    jw_close(w, '}');
    jw_close(w, '}');
    jw_close(w, ']');
    kv_s(w, "hostIP", "10.0.1.23");
    kv_s(w, "phase", p->phase);
    kv_s(w, "podIP", "10.244.3.17");
    kv_s(w, "qosClass", "Burstable");
    kv_s(w, "startTime", "2024-06-12T08:00:00Z");
    jw_close(w, '}');
    jw_close(w, '}');
    if (metrics && p->res && p->node && strcmp(p->phase, "Running") == 0)
        fprintf(metrics,
                "DCGM_FI_DEV_FB_USED{gpu=\"%u\",UUID=\"GPU-%s\",device="
                "\"nvidia%u\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname="
                "\"%s\",DCGM_FI_DRIVER_VERSION=\"550.90.07\",container="
                "\"server\",namespace=\"%s\",pod=\"%s\"} %u\n"
                "DCGM_FI_DEV_GPU_UTIL{gpu=\"%u\",UUID=\"GPU-%s\",device="
                "\"nvidia%u\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname="
                "\"%s\",DCGM_FI_DRIVER_VERSION=\"550.90.07\",container="
                "\"server\",namespace=\"%s\",pod=\"%s\"} %u\n",
                p->n % 8, hexid(h, 12), p->n % 8, p->node, p->ns, name,
                1000 + rnd(3000), p->n % 8, h, p->n % 8, p->node, p->ns, name,
                rnd(100));
}

static int
generate(const char *dir, uint32_t n_nodes, uint32_t n_pods,
         uint64_t sizes[3])
{
    char path[4096], node[64], hash[12], owner[64];
    struct jw w;
    FILE *f, *m;
    uint32_t i, gpu_nodes = n_nodes - n_nodes / 5, wl = 0, left = 0;
    struct podspec ps;
    struct stat st;

    snprintf(path, sizeof(path), "%s/nodes.json", dir);
    f = fopen(path, "w");
    if (!f)
        return -1;
    memset(&w, 0, sizeof(w));
    w.f = f;
    jw_open(&w, '{');
    kv_s(&w, "apiVersion", "v1");
    kv_arr(&w, "items");
    for (i = 0; i < n_nodes; i++)
        node_json(&w, i, i < gpu_nodes ? (int)(i % N_TYPES) : -1);
    jw_close(&w, ']');
    kv_s(&w, "kind", "List");
    kv_obj(&w, "metadata");
    kv_s(&w, "resourceVersion", "");
    jw_close(&w, '}');
    jw_close(&w, '}');
    fputc('\n', f);
    if (fclose(f) != 0)
        return -1;
    stat(path, &st);
    sizes[0] = (uint64_t)st.st_size;

    snprintf(path, sizeof(path), "%s/pods.json", dir);
    f = fopen(path, "w");
    snprintf(path, sizeof(path), "%s/metrics.txt", dir);
    m = fopen(path, "w");
    if (!f || !m)
        return -1;
    fputs("# HELP DCGM_FI_DEV_FB_USED Framebuffer memory used (in MiB).\n"
          "# TYPE DCGM_FI_DEV_FB_USED gauge\n",
          m);
    memset(&w, 0, sizeof(w));
    w.f = f;
    jw_open(&w, '{');
    kv_s(&w, "apiVersion", "v1");
    kv_arr(&w, "items");
    memset(&ps, 0, sizeof(ps));
    for (i = 0; i < n_pods; i++) {
        static const char *const kinds[] = {"Deployment", "Deployment",
                                            "Deployment", "StatefulSet",
                                            "Job", "DaemonSet"};
        static const char *const phases[] = {"Running", "Running", "Running",
                                             "Running", "Running", "Running",
                                             "Running", "Pending",
                                             "Succeeded", "Failed"};
        uint32_t nd;
        int t;

        if (left == 0) {
            /* The next workload: 1 to 20 replicas, 70% of them on GPUs. */
            wl++;
            left = 1 + rnd(20);
            ps.ns = (const char *[]){"ml", "search", "speech", "vision",
                                     "research", "notebooks", "ads",
                                     "platform"}[rnd(8)];
            ps.kind = kinds[rnd(6)];
            snprintf(owner, sizeof(owner), "svc-%u", wl);
            ps.owner = owner;
            ps.hash = strcmp(ps.kind, "Deployment") == 0 ? hexid(hash, 10)
                                                        : NULL;
            ps.n = 0;
            t = (int)rnd(N_TYPES);
            ps.res = rnd(10) < 7 ? types[t].res : NULL;
            nd = rnd(gpu_nodes / N_TYPES) * (uint32_t)N_TYPES + (uint32_t)t;
            snprintf(node, sizeof(node),
                     "ip-10-%u-%u-%u.us-west-2.compute.internal",
                     (nd >> 16) & 255, (nd >> 8) & 255, nd & 255);
        }
        ps.phase = phases[rnd(10)];
        ps.node = strcmp(ps.phase, "Pending") == 0 ? NULL : node;
        pod_json(&w, &ps, m);
        ps.n++;
        left--;
    }
    jw_close(&w, ']');
    kv_s(&w, "kind", "List");
    kv_obj(&w, "metadata");
    kv_s(&w, "resourceVersion", "");
    jw_close(&w, '}');
    jw_close(&w, '}');
    fputc('\n', f);
    if (fclose(f) != 0 || fclose(m) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/pods.json", dir);
    stat(path, &st);
    sizes[1] = (uint64_t)st.st_size;
    snprintf(path, sizeof(path), "%s/metrics.txt", dir);
    stat(path, &st);
    sizes[2] = (uint64_t)st.st_size;
    return 0;
}

/* One import as the command does it: map, import, drop. */
static double
one_run(const char *dir, const struct gp_catalog *cat, bool with_dcgm,
        struct gp_import_summary *sum, size_t *out_len, double *cpu)
{
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_file_map fm[3];
    struct gp_import_src src[3];
    struct gp_strbuf out = GP_STRBUF_INIT;
    struct gp_import_opts o = {"bench", 10, false};
    static const char *const names[] = {"nodes.json", "pods.json",
                                        "metrics.txt"};
    double t0 = bench_now(), c0 = bench_cpu_now(), dt;
    int i, rc;

    for (i = 0; i < 3; i++) {
        char path[4096];

        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (gp_file_map(&fm[i], a, path, GP_IMPORT_MAX_JSON_BYTES, d) < 0) {
            gp_diags_print(d, stderr);
            exit(1);
        }
        src[i].file = fm[i].file;
        src[i].text = fm[i].text;
        src[i].len = fm[i].len;
    }
    rc = gp_import_kubectl(&out, a, &src[0], &src[1], &src[2],
                           with_dcgm ? 1 : 0, &o, cat, sum, d);
    dt = bench_now() - t0;
    *cpu = bench_cpu_now() - c0;
    if (rc < 0) {
        gp_diags_print(d, stderr);
        exit(1);
    }
    *out_len = out.len;
    for (i = 0; i < 3; i++)
        gp_file_unmap(&fm[i]);
    gp_strbuf_release(&out);
    gp_arena_free(a);
    return dt;
}

static int
cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
    uint32_t n_nodes = 5000, n_pods = 50000;
    int runs = 3, keep = 0, k;
    const char *dir = NULL;
    char tmpl[4096];
    uint64_t sizes[3];
    struct gp_arena *a = gp_arena_new();
    struct gp_diags *d = gp_diags_new(a);
    struct gp_catalog *cat;
    double t0;

    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--nodes") == 0 && k + 1 < argc)
            n_nodes = (uint32_t)strtoul(argv[++k], NULL, 10);
        else if (strcmp(argv[k], "--pods") == 0 && k + 1 < argc)
            n_pods = (uint32_t)strtoul(argv[++k], NULL, 10);
        else if (strcmp(argv[k], "--runs") == 0 && k + 1 < argc)
            runs = atoi(argv[++k]);
        else if (strcmp(argv[k], "--dir") == 0 && k + 1 < argc)
            dir = argv[++k];
        else if (strcmp(argv[k], "--keep") == 0)
            keep = 1;
        else {
            fprintf(stderr, "usage: bench_import [--nodes N] [--pods N] "
                            "[--dir DIR] [--keep] [--runs N]\n");
            return 2;
        }
    }
    if (runs < 1 || runs > 50 || n_nodes < 10 || n_pods < 1)
        return 2;
    if (!dir) {
        snprintf(tmpl, sizeof(tmpl), "%s/gpuplan-bench-import.XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        dir = mkdtemp(tmpl);
        if (!dir) {
            perror("mkdtemp");
            return 1;
        }
    } else if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        perror(dir);
        return 1;
    }
    if (gp_catalog_load(&cat, a, NULL, d) < 0) {
        gp_diags_print(d, stderr);
        return 1;
    }
    t0 = bench_now();
    if (generate(dir, n_nodes, n_pods, sizes) < 0) {
        perror("writing the export");
        return 1;
    }
    printf("export: %u nodes (%.1f MB, %.1f KB each), %u pods (%.1f MB, "
           "%.1f KB each), dcgm scrape %.1f MB; generated in %.1f s in %s\n",
           n_nodes, (double)sizes[0] / 1e6,
           (double)sizes[0] / 1e3 / n_nodes, n_pods, (double)sizes[1] / 1e6,
           (double)sizes[1] / 1e3 / n_pods, (double)sizes[2] / 1e6,
           bench_now() - t0, dir);
    for (k = 0; k < 2; k++) {
        double *t = calloc((size_t)runs, sizeof(*t));
        double *c = calloc((size_t)runs, sizeof(*c));
        struct gp_import_summary sum;
        size_t len = 0;
        int r;

        for (r = 0; r < runs; r++)
            t[r] = one_run(dir, cat, k == 1, &sum, &len, &c[r]);
        qsort(t, (size_t)runs, sizeof(*t), cmp_dbl);
        qsort(c, (size_t)runs, sizeof(*c), cmp_dbl);
        printf("import kubectl%s: wall best %.3f s, median %.3f s; CPU best "
               "%.3f s, median %.3f s; %d runs (target 2 s)\n"
               "  %zu pools, %zu nodes, %zu workloads, %zu replicas, %.1f KB "
               "of YAML\n",
               k ? " --dcgm" : "", t[0], t[runs / 2], c[0], c[runs / 2], runs,
               sum.pools, sum.nodes, sum.workloads, sum.replicas,
               (double)len / 1e3);
        free(t);
        free(c);
    }
    printf("the command itself: time gpuplan import kubectl %s/nodes.json "
           "%s/pods.json -o /dev/null (with --keep)\n",
           dir, dir);
    if (!keep && !getenv("GPUPLAN_BENCH_KEEP")) {
        char path[4096];
        static const char *const names[] = {"nodes.json", "pods.json",
                                            "metrics.txt"};

        for (k = 0; k < 3; k++) {
            snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
            unlink(path);
        }
        rmdir(dir);
        printf("(files removed; --keep keeps them)\n");
    }
    gp_arena_free(a);
    return 0;
}
