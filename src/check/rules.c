/* SPDX-License-Identifier: MIT */
/* check/rules.c: the rule table, the one place that turns a finding into a
 * diagnostic, and the JSON view of YAML that NVIDIA's components decode
 * through (sigs.k8s.io/yaml: YAML 1.1 scalars, then encoding/json). */
#include "check/check_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/str.h"
#include "base/strbuf.h"

#define DP "NVIDIA k8s-device-plugin v0.20 "
#define MP "NVIDIA mig-parted v0.15 "
#define OP "NVIDIA gpu-operator v26.7 "

/* Sorted by id (a unit test keeps it so). */
static const struct gp_check_rule rules[] = {
    {"cm-data-type", GP_SEV_ERROR,
     "a ConfigMap data value that is not a string; kubectl refuses it",
     "Kubernetes core/v1 ConfigMap.data (map[string]string)"},
    {"cp-configmap-missing", GP_SEV_WARNING,
     "the ClusterPolicy names a ConfigMap that is not among the inputs",
     OP "controllers/object_controls.go"},
    {"cp-default-missing", GP_SEV_ERROR,
     "spec.devicePlugin.config.default is not a key of the device-plugin "
     "ConfigMap",
     DP "cmd/config-manager/main.go"},
    {"cp-mig-default", GP_SEV_ERROR,
     "spec.migManager.config.default is neither 'all-disabled' nor empty",
     OP "ClusterPolicy CRD enum"},
    {"cp-mig-strategy", GP_SEV_ERROR,
     "spec.mig.strategy is not a MIG strategy",
     DP "cmd/nvidia-device-plugin/main.go validateFlags (S1)"},
    {"dp-allocation-policy", GP_SEV_ERROR,
     "sharedDevicesAllocationPolicy is not 'distributed' or 'packed'",
     DP "cmd/nvidia-device-plugin/main.go (S5)"},
    {"dp-cdi-nvml", GP_SEV_ERROR,
     "a CDI device-list strategy without NVML device discovery",
     DP "cmd/nvidia-device-plugin/main.go (S3)"},
    {"dp-config-name", GP_SEV_ERROR,
     "a device-plugin config name that no node label can select",
     DP "cmd/config-manager; Kubernetes label-value syntax (1.10)"},
    {"dp-device-id-strategy", GP_SEV_ERROR,
     "deviceIDStrategy is not 'uuid' or 'index'",
     DP "cmd/nvidia-device-plugin/main.go (S4)"},
    {"dp-device-list-strategy", GP_SEV_ERROR,
     "deviceListStrategy is not a known strategy, or not a string or list",
     DP "api/config/v1/flags.go, strategy.go (P16, S2)"},
    {"dp-devices", GP_SEV_ERROR,
     "a sharing resource's 'devices' is not 'all', a count > 0 or a list "
     "of GPU indexes and UUIDs",
     DP "api/config/v1/replicas.go (P8-P11)"},
    {"dp-discovery-strategy", GP_SEV_ERROR,
     "deviceDiscoveryStrategy is not 'auto', 'nvml' or 'tegra'",
     DP "cmd/nvidia-device-plugin/main.go (S8)"},
    {"dp-duplicate-resource", GP_SEV_WARNING,
     "two sharing entries for one resource name; the plugin merges them",
     DP "api/config/v1/replicas.go (verified)"},
    {"dp-flag-overridden", GP_SEV_WARNING,
     "a flag the GPU Operator sets from its own settings, so the file's "
     "value never applies",
     OP "assets/state-device-plugin/0500_daemonset.yaml (1.1)"},
    {"dp-ignored-field", GP_SEV_WARNING,
     "a field the plugin accepts and then ignores (resources, rename, "
     "devices)",
     DP "api/config/v1/config.go DisableResourceNamingInConfig (1.4b)"},
    {"dp-imex-channels", GP_SEV_ERROR, "imex.channelIDs is not [] or [0]",
     DP "api/config/v1/imex.go (S9)"},
    {"dp-mig-strategy", GP_SEV_ERROR,
     "flags.migStrategy is not 'none', 'single' or 'mixed'",
     DP "cmd/nvidia-device-plugin/main.go (S1)"},
    {"dp-mps-mixed", GP_SEV_ERROR, "MPS under the mixed MIG strategy",
     DP "cmd/nvidia-device-plugin/main.go (S6)"},
    {"dp-mps-replicas-max", GP_SEV_ERROR,
     "more MPS clients per GPU than the GPU's compute capability allows "
     "(48, or 16 below 7.5)",
     DP "cmd/mps-control-daemon/mps (R6)"},
    {"dp-mps-root", GP_SEV_WARNING,
     "a standalone config runs MPS without flags.mpsRoot",
     DP "cmd/nvidia-device-plugin/main.go (S7)"},
    {"dp-no-resources", GP_SEV_ERROR,
     "a timeSlicing or mps block without resources",
     DP "api/config/v1/replicas.go (P2, P3)"},
    {"dp-replicas-min", GP_SEV_ERROR, "replicas below 2",
     DP "api/config/v1/replicas.go (P6)"},
    {"dp-replicas-missing", GP_SEV_ERROR, "a sharing resource without replicas",
     DP "api/config/v1/replicas.go (P5)"},
    {"dp-resource-name", GP_SEV_ERROR,
     "a resource name longer than 63 characters or not a lowercase DNS "
     "subdomain after 'nvidia.com/'",
     DP "api/config/v1/resources.go (P12-P14)"},
    {"dp-resource-name-missing", GP_SEV_ERROR,
     "a sharing resource without a name",
     DP "api/config/v1/replicas.go (P4)"},
    {"dp-resource-unadvertised", GP_SEV_WARNING,
     "a sharing resource name the node never advertises; the plugin skips it "
     "silently",
     DP "internal/rm/rm.go (1.6, 1.7)"},
    {"dp-resources-pattern", GP_SEV_ERROR,
     "a resources.gpus/mig entry without 'pattern' or 'name'",
     DP "api/config/v1/resources.go (P15)"},
    {"dp-sharing-empty", GP_SEV_WARNING,
     "a sharing block that shares nothing",
     DP "api/config/v1/sharing.go"},
    {"dp-sleep-interval", GP_SEV_ERROR,
     "gfd.sleepInterval is not a Go duration or 'infinite'",
     DP "api/config/v1/duration.go (P17)"},
    {"dp-ts-and-mps", GP_SEV_ERROR,
     "both timeSlicing and mps are set; MPS wins and time-slicing is "
     "silently unused",
     DP "api/config/v1/sharing.go SharingStrategy (1.5)"},
    {"dp-type", GP_SEV_ERROR,
     "a value of the wrong JSON type (a quoted number, a string for a "
     "boolean, ...)",
     DP "encoding/json via sigs.k8s.io/yaml (P7, P18)"},
    {"dp-unknown-field", GP_SEV_WARNING,
     "a key the plugin does not know and silently ignores",
     DP "sigs.k8s.io/yaml: unknown fields are ignored"},
    {"dp-version", GP_SEV_ERROR, "version is not 'v1'",
     DP "api/config/v1/config.go (P1)"},
    {"input-unreadable", GP_SEV_ERROR,
     "a named file cannot be read (missing, unreadable, too large)",
     "gpuplan"},
    {"inv-gpu-memory", GP_SEV_ERROR,
     "a workload's memory peak is larger than the GPU it gets",
     "gpuplan (inventory)"},
    {"inv-isolation", GP_SEV_ERROR,
     "a workload can share a GPU against its isolation need",
     "gpuplan (inventory)"},
    {"inv-mig-memory", GP_SEV_ERROR,
     "a workload's memory peak is larger than its MIG instance",
     "gpuplan (inventory)"},
    {"inv-mps-memory", GP_SEV_ERROR,
     "a workload's memory peak is above the MPS per-client limit "
     "(GPU memory / replicas)",
     DP "cmd/mps-control-daemon/mps/daemon.go (1.9)"},
    /* an error: the groups' missing nodes leave their pods Pending */
    {"inv-pool-capacity", GP_SEV_ERROR,
     "node groups take more nodes of a pool than it has",
     "gpuplan (inventory)"},
    {"inv-pool-unknown", GP_SEV_ERROR,
     "a node group names a pool the inventory does not have",
     "gpuplan (inventory)"},
    {"inv-target", GP_SEV_ERROR,
     "a workload misses its p99 or throughput target in the worst "
     "co-location the config allows (simulator)",
     "gpuplan (inventory, simulator)"},
    {"inv-ts-memory", GP_SEV_ERROR,
     "the worst co-location under time-slicing needs more memory than the "
     "GPU has",
     "gpuplan (inventory)"},
    {"inv-workload-unbound", GP_SEV_WARNING,
     "an inventory workload no pod template or patch in the inputs runs",
     "gpuplan (inventory)"},
    {"label-dp-config-missing", GP_SEV_ERROR,
     "nvidia.com/device-plugin.config names a config that does not exist",
     DP "cmd/config-manager/main.go (1.10)"},
    {"label-mig-config-missing", GP_SEV_ERROR,
     "nvidia.com/mig.config names a mig-config that does not exist",
     MP "cmd/nvidia-mig-parted/assert/assert.go"},
    {"label-value", GP_SEV_ERROR, "a node label value that is not a valid "
                                  "Kubernetes label value",
     "Kubernetes apimachinery IsValidLabelValue"},
    {"labels-file", GP_SEV_ERROR,
     "a NodeLabels file that does not follow its schema",
     "gpuplan (docs/check.md)"},
    {"mig-all-zero", GP_SEV_ERROR, "every count in mig-devices is 0",
     MP "pkg/types/mig_config.go (M14)"},
    {"mig-config-name", GP_SEV_ERROR,
     "a mig-config name that the nvidia.com/mig.config label cannot hold",
     OP "mig-manager; Kubernetes label-value syntax (2.5)"},
    {"mig-configmap-key", GP_SEV_ERROR,
     "the mig-parted ConfigMap the ClusterPolicy names has no 'config.yaml'",
     OP "controllers/object_controls.go (2.5)"},
    {"mig-count-negative", GP_SEV_ERROR, "a negative count in mig-devices",
     MP "pkg/types/mig_config.go (M13)"},
    {"mig-device-filter", GP_SEV_ERROR,
     "device-filter is not a string or a list of strings",
     MP "api/spec/v1/spec.go (M9)"},
    {"mig-device-filter-nomatch", GP_SEV_WARNING,
     "a device-filter that matches no GPU (malformed, unknown, or not the "
     "node's)",
     MP "api/spec/v1/helpers.go MatchesDeviceFilter"},
    {"mig-device-index", GP_SEV_WARNING,
     "a GPU index the node does not have",
     MP "pkg/mig/config"},
    {"mig-devices", GP_SEV_ERROR,
     "'devices' is neither 'all' nor a list of integers",
     MP "api/spec/v1/spec.go (M7, M8)"},
    {"mig-devices-disabled", GP_SEV_ERROR,
     "mig-devices given while mig-enabled is false",
     MP "api/spec/v1/spec.go (M11)"},
    {"mig-devices-required", GP_SEV_ERROR,
     "mig-enabled is true without mig-devices",
     MP "api/spec/v1/spec.go (M10)"},
    {"mig-empty-config", GP_SEV_ERROR, "a mig-config with no entries",
     MP "api/spec/v1/spec.go (M5)"},
    {"mig-layout", GP_SEV_ERROR,
     "the MIG instances do not fit the GPU's placement table",
     MP "pkg/mig/config/config.go; NVIDIA -lgipp placements"},
    {"mig-no-configs", GP_SEV_ERROR, "no entry in mig-configs",
     MP "api/spec/v1/spec.go (M4)"},
    {"mig-not-capable", GP_SEV_ERROR,
     "MIG enabled on explicitly listed GPUs that have no MIG",
     MP "cmd/nvidia-mig-parted/apply/config.go"},
    {"mig-profile-syntax", GP_SEV_ERROR,
     "a mig-devices key that is not a MIG profile ('1g.10gb+me', not "
     "'1g.10gb.me')",
     MP "go-nvlib pkg/nvlib/device/mig_profile.go (M12)"},
    {"mig-profile-unknown", GP_SEV_ERROR,
     "a MIG profile the GPU model does not have",
     MP "pkg/mig/config/config.go"},
    {"mig-required-field", GP_SEV_ERROR,
     "a mig-config entry without 'devices' or 'mig-enabled'",
     MP "api/spec/v1/spec.go (M6)"},
    {"mig-type", GP_SEV_ERROR, "a value of the wrong JSON type",
     MP "encoding/json via sigs.k8s.io/yaml (M15)"},
    {"mig-unknown-field", GP_SEV_ERROR, "a key mig-parted does not know",
     MP "api/spec/v1/spec.go (M3)"},
    {"mig-version", GP_SEV_ERROR, "version is not 'v1'",
     MP "api/spec/v1/spec.go (M2)"},
    {"mig-version-missing", GP_SEV_ERROR, "no version in a non-empty config",
     MP "api/spec/v1/spec.go (M1)"},
    {"node-mig-empty", GP_SEV_ERROR,
     "single strategy: a MIG-enabled GPU without MIG devices",
     DP "internal/rm/device_map.go (R2)"},
    {"node-mig-empty-mixed", GP_SEV_WARNING,
     "mixed strategy: a MIG-enabled GPU without MIG devices",
     DP "internal/rm/device_map.go (R2)"},
    {"node-mig-hidden", GP_SEV_WARNING,
     "migStrategy none on MIG-enabled GPUs: the instances are never "
     "advertised",
     DP "internal/rm/rm.go (1.7)"},
    {"node-mig-mixed-enabled", GP_SEV_ERROR,
     "single strategy: MIG-enabled and full GPUs on one node",
     DP "internal/rm/device_map.go (R1)"},
    {"node-mig-pattern", GP_SEV_ERROR,
     "mixed strategy: a compute-instance profile ('1c.3g.20gb') matches no "
     "resource",
     DP "internal/rm/device_map.go (R4)"},
    {"node-mig-types", GP_SEV_ERROR,
     "single strategy: more than one MIG profile on a node",
     DP "internal/rm/device_map.go (R3)"},
    {"node-mps-mig", GP_SEV_ERROR, "MPS on MIG devices",
     DP "internal/plugin/mps.go (R5)"},
    {"pod-resource-unadvertised", GP_SEV_ERROR,
     "a pod asks for a GPU resource that no node it may land on advertises",
     "gpuplan (Kubernetes scheduling)"},
    {"pod-shared-request", GP_SEV_ERROR,
     "a pod asks for more than one replica of a shared resource with "
     "failRequestsGreaterThanOne",
     DP "internal/rm/rm.go (R8)"},
    {"yaml-invalid", GP_SEV_ERROR,
     "not valid YAML: a syntax error, a duplicate key, or a size limit",
     "libyaml; sigs.k8s.io/yaml"},
};

const struct gp_check_rule *
gp_check_rules(size_t *n)
{
    *n = sizeof(rules) / sizeof(rules[0]);
    return rules;
}

static int
cmp_rule(const void *key, const void *elem)
{
    return strcmp(key, ((const struct gp_check_rule *)elem)->id);
}

const struct gp_check_rule *
gp_check_rule_find(const char *id)
{
    return bsearch(id, rules, sizeof(rules) / sizeof(rules[0]),
                   sizeof(rules[0]), cmp_rule);
}

void
ck_vec_push(struct gp_arena *a, struct ck_vec *v, void *item)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;

        v->v = gp_arena_grow(a, v->v, v->n, cap, sizeof(*v->v));
        v->cap = cap;
    }
    v->v[v->n++] = item;
}

/* ---- locations and reporting --------------------------------------------- */

struct gp_loc
ck_map_loc(const struct ck_src *s, struct gp_loc inner)
{
    struct gp_loc l;

    if (!s->host)
        return inner;
    l = s->at ? gp_ylocator_find(s->at, inner.line, inner.col)
              : gp_yscalar_locate(s->host, s->text, s->len, inner.line,
                                  inner.col);
    if (l.line != s->host->loc.line || l.col != s->host->loc.col)
        l.len = inner.len ? inner.len : 1;
    else
        l.len = 1;
    return l;
}

struct gp_loc
ck_loc(const struct ck_src *s, const struct gp_ynode *at)
{
    struct gp_loc l;

    if (!at && s->host) {
        l = s->host->loc;
        l.len = 1;
        return l;
    }
    if (!at) {
        l.file = s->file;
        l.line = l.col = l.len = 0;
        return l;
    }
    l = at->loc;
    if (at->kind != GP_YSCALAR)
        l.len = 1;
    return ck_map_loc(s, l);
}

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* True when this finding was reported before; else remembers it. */
static bool
seen_before(struct ck *ck, const char *rule, struct gp_loc at, const char *msg)
{
    uint64_t h = 1469598103934665603ull;
    size_t i, slot;

    h = fnv(h, rule, strlen(rule) + 1);
    if (at.file)
        h = fnv(h, at.file, strlen(at.file) + 1);
    h = fnv(h, &at.line, sizeof(at.line));
    h = fnv(h, &at.col, sizeof(at.col));
    h = fnv(h, msg, strlen(msg));
    if (h == 0)
        h = 1;
    if ((ck->n_seen + 1) * 2 > ck->cap_seen) {
        uint64_t *old = ck->seen;
        size_t old_cap = ck->cap_seen;

        ck->cap_seen = old_cap ? old_cap * 2 : 256;
        ck->seen = gp_arena_calloc(ck->a, ck->cap_seen, sizeof(*ck->seen));
        for (i = 0; i < old_cap; i++) {
            if (!old[i])
                continue;
            slot = (size_t)old[i] & (ck->cap_seen - 1);
            while (ck->seen[slot])
                slot = (slot + 1) & (ck->cap_seen - 1);
            ck->seen[slot] = old[i];
        }
    }
    slot = (size_t)h & (ck->cap_seen - 1);
    while (ck->seen[slot]) {
        if (ck->seen[slot] == h)
            return true;
        slot = (slot + 1) & (ck->cap_seen - 1);
    }
    ck->seen[slot] = h;
    ck->n_seen++;
    return false;
}

static int vreport(struct ck *ck, struct gp_loc at, const char *rule,
                   const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static int
vreport(struct ck *ck, struct gp_loc at, const char *rule, const char *fmt,
        va_list ap)
{
    const struct gp_check_rule *r = gp_check_rule_find(rule);
    struct gp_strbuf sb = GP_STRBUF_INIT;
    int rc;

    /* A rule missing from the table is a bug in this file's callers. */
    if (!r)
        abort();
    gp_strbuf_vprintf(&sb, fmt, ap);
    ck->last_dropped = seen_before(ck, rule, at, sb.buf);
    rc = r->sev == GP_SEV_ERROR ? -1 : 0;
    if (!ck->last_dropped) {
        if (r->sev == GP_SEV_ERROR)
            gp_error_at(ck->d, at, "%s", sb.buf);
        else
            gp_warning_at(ck->d, at, "%s", sb.buf);
        gp_diag_rule(ck->d, r->id);
    }
    gp_strbuf_release(&sb);
    return rc;
}

int
ck_report(struct ck *ck, const struct ck_src *s, const struct gp_ynode *at,
          const char *rule, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vreport(ck, ck_loc(s, at), rule, fmt, ap);
    va_end(ap);
    return rc;
}

int
ck_report_loc(struct ck *ck, struct gp_loc at, const char *rule,
              const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vreport(ck, at, rule, fmt, ap);
    va_end(ap);
    return rc;
}

void
ck_hint(struct ck *ck, const char *fmt, ...)
{
    struct gp_strbuf sb = GP_STRBUF_INIT;
    va_list ap;

    if (ck->last_dropped)
        return;
    va_start(ap, fmt);
    gp_strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    gp_diag_hint(ck->d, "%s", sb.buf);
    gp_strbuf_release(&sb);
}

/* ---- YAML as JSON -------------------------------------------------------- */

static bool
one_of(const char *s, const char *const *words)
{
    size_t i;

    for (i = 0; words[i]; i++) {
        if (strcmp(s, words[i]) == 0)
            return true;
    }
    return false;
}

static const char *const yes_words[] = {"y", "Y", "yes", "Yes", "YES",
                                        "true", "True", "TRUE", "on", "On",
                                        "ON", NULL};
static const char *const no_words[] = {"n", "N", "no", "No", "NO", "false",
                                       "False", "FALSE", "off", "Off", "OFF",
                                       NULL};

/* YAML 1.1 integers as go-yaml v2 resolves them: an optional sign, then
 * decimal, 0x hex, 0b binary or 0-prefixed octal, '_' allowed between
 * digits. */
static bool
parse_yaml_int(const char *s, long long *out)
{
    char buf[80];
    size_t i, k = 0;
    char *end;
    long long v;
    int base = 10;
    bool neg = false;

    if (*s == '+' || *s == '-') {
        neg = *s == '-';
        s++;
    }
    for (i = 0; s[i] && k + 1 < sizeof(buf); i++) {
        if (s[i] != '_')
            buf[k++] = s[i];
    }
    if (s[i] || k == 0 || (s[0] == '_'))
        return false;
    buf[k] = '\0';
    if (k > 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X'))
        base = 16;
    else if (k > 2 && buf[0] == '0' && (buf[1] == 'b' || buf[1] == 'B'))
        base = 2;
    else if (k > 1 && buf[0] == '0')
        base = 8;
    for (i = base == 10 || base == 8 ? 0 : 2; i < k; i++) {
        char c = buf[i];
        bool ok = base == 16 ? ((c >= '0' && c <= '9') ||
                                (c >= 'a' && c <= 'f') ||
                                (c >= 'A' && c <= 'F'))
                             : (c >= '0' && c < '0' + base);

        if (!ok)
            return false;
    }
    errno = 0;
    v = strtoll(base == 16 || base == 2 ? buf + 2 : buf, &end, base);
    if (errno || *end)
        return false;
    *out = neg ? -v : v;
    return true;
}

static bool
is_yaml_float(const char *s)
{
    size_t i = 0, digits = 0;

    if (one_of(s, (const char *const[]){".inf", ".Inf", ".INF", "+.inf",
                                        "+.Inf", "+.INF", "-.inf", "-.Inf",
                                        "-.INF", ".nan", ".NaN", ".NAN",
                                        NULL}))
        return true;
    if (s[i] == '+' || s[i] == '-')
        i++;
    while ((s[i] >= '0' && s[i] <= '9') || s[i] == '_') {
        i++;
        digits++;
    }
    if (s[i] == '.') {
        i++;
        while (s[i] >= '0' && s[i] <= '9') {
            i++;
            digits++;
        }
    }
    if (!digits)
        return false;
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        if (s[i] == '+' || s[i] == '-')
            i++;
        if (!(s[i] >= '0' && s[i] <= '9'))
            return false;
        while (s[i] >= '0' && s[i] <= '9')
            i++;
    }
    return s[i] == '\0';
}

enum ck_jtype
ck_jtype(const struct gp_ynode *n)
{
    long long v;

    if (!n)
        return CK_JNULL;
    if (n->kind == GP_YMAP)
        return CK_JOBJECT;
    if (n->kind == GP_YSEQ)
        return CK_JARRAY;
    if (n->tag) {
        if (strcmp(n->tag, "tag:yaml.org,2002:str") == 0)
            return CK_JSTRING;
        if (strcmp(n->tag, "tag:yaml.org,2002:null") == 0)
            return CK_JNULL;
    }
    if (n->quoted)
        return CK_JSTRING;
    if (gp_ynode_is_null(n))
        return CK_JNULL;
    if (one_of(n->str, yes_words) || one_of(n->str, no_words))
        return CK_JBOOL;
    if (parse_yaml_int(n->str, &v))
        return CK_JINT;
    if (is_yaml_float(n->str))
        return CK_JFLOAT;
    return CK_JSTRING;
}

const char *
ck_jword(struct ck *ck, const struct gp_ynode *n)
{
    switch (ck_jtype(n)) {
    case CK_JNULL:
        return "null";
    case CK_JBOOL:
        return "bool";
    case CK_JINT:
        return "number";
    case CK_JFLOAT:
        return gp_arena_printf(ck->a, "number %.40s", n->str);
    case CK_JSTRING:
        return "string";
    case CK_JOBJECT:
        return "object";
    case CK_JARRAY:
        return "array";
    }
    return "value";
}

bool
ck_jint(const struct gp_ynode *n, long long *out)
{
    return ck_jtype(n) == CK_JINT && parse_yaml_int(n->str, out);
}

bool
ck_jbool(const struct gp_ynode *n, bool *out)
{
    if (ck_jtype(n) != CK_JBOOL)
        return false;
    *out = one_of(n->str, yes_words);
    return true;
}

const char *
ck_jtext(const struct gp_ynode *n)
{
    bool b;

    if (!n || n->kind != GP_YSCALAR)
        return "";
    if (ck_jbool(n, &b))
        return b ? "true" : "false";
    if (ck_jtype(n) == CK_JNULL)
        return "";
    return n->str;
}

const struct gp_ypair *
ck_key(const struct gp_ynode *map, const char *key, bool fold_case)
{
    size_t i;

    if (!map || map->kind != GP_YMAP)
        return NULL;
    for (i = 0; i < map->n_pairs; i++) {
        if (strcmp(map->pairs[i].key->str, key) == 0)
            return &map->pairs[i];
    }
    if (!fold_case)
        return NULL;
    for (i = 0; i < map->n_pairs; i++) {
        if (gp_str_casecmp(map->pairs[i].key->str, key) == 0)
            return &map->pairs[i];
    }
    return NULL;
}

/* ---- MIG profile names (go-nvlib's parseMigProfile) ---------------------- */

static const char *
parse_field(struct ck *ck, const char *s, size_t n, const char *suffix,
            int *out)
{
    size_t sl = strlen(suffix), i;
    long v = 0;

    if (n && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' ||
              s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
        return gp_arena_printf(ck->a, "leading or trailing spaces on '%%d%s'",
                               suffix);
    if (n < sl || memcmp(s + n - sl, suffix, sl) != 0)
        return gp_arena_printf(ck->a, "missing '%s' from '%%d%s'", suffix,
                               suffix);
    n -= sl;
    i = 0;
    /* strconv.Atoi: an optional sign, then at least one digit. */
    if (n && (s[0] == '+' || s[0] == '-'))
        i++;
    if (i == n)
        return gp_arena_printf(ck->a, "malformed number in '%%d%s'", suffix);
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || v > 100000000)
            return gp_arena_printf(ck->a, "malformed number in '%%d%s'",
                                   suffix);
        v = v * 10 + (s[i] - '0');
    }
    *out = s[0] == '-' ? (int)-v : (int)v;
    return NULL;
}

static const char *
parse_attrs(struct ck *ck, const char *s)
{
    const char *p = s;
    const char *seen[16];
    size_t n_seen = 0;

    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p), i, j;

        for (j = 0; j < n_seen; j++) {
            if (strlen(seen[j]) == n && memcmp(seen[j], p, n) == 0)
                return "non unique attribute in list";
        }
        if (n == 0)
            return "empty attribute in list";
        if (p[0] == ' ' || p[n - 1] == ' ' || p[0] == '\t' ||
            p[n - 1] == '\t')
            return "leading or trailing spaces in attribute";
        if (p[0] >= '0' && p[0] <= '9')
            return "attribute begins with a number";
        if (p[0] == '.' || p[n - 1] == '.')
            return "attribute begins/ends with a dot";
        for (i = 0; i < n; i++) {
            char c = p[i];

            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '.'))
                return "non alpha-numeric character or digit in attribute";
        }
        if (n_seen < sizeof(seen) / sizeof(seen[0]))
            seen[n_seen++] = gp_arena_strndup(ck->a, p, n);
        if (!comma)
            return NULL;
        p = comma + 1;
    }
}

const char *
ck_parse_profile(struct ck *ck, const char *s, int *c, int *g, int *gb,
                 const char **attr)
{
    const char *plus = strchr(s, '+'), *minus = strchr(s, '-');
    const char *cut, *err, *d1, *d2;
    size_t head;

    *attr = "";
    if (!*s)
        return "profile is the empty string";
    if (plus && minus)
        return gp_arena_printf(ck->a,
                               "profile '%s' contains both '+/-' attributes",
                               s);
    cut = plus ? plus : minus;
    head = cut ? (size_t)(cut - s) : strlen(s);
    /* strings.SplitN(head, ".", 3) */
    d1 = memchr(s, '.', head);
    d2 = d1 ? memchr(d1 + 1, '.', head - (size_t)(d1 + 1 - s)) : NULL;
    if (d1 && d2) {
        err = parse_field(ck, s, (size_t)(d1 - s), "c", c);
        if (!err)
            err = parse_field(ck, d1 + 1, (size_t)(d2 - d1 - 1), "g", g);
        if (!err)
            err = parse_field(ck, d2 + 1, head - (size_t)(d2 + 1 - s), "gb",
                              gb);
    } else if (d1) {
        err = parse_field(ck, s, (size_t)(d1 - s), "g", g);
        if (!err)
            err = parse_field(ck, d1 + 1, head - (size_t)(d1 + 1 - s), "gb",
                              gb);
        *c = *g;
    } else {
        err = "parsed wrong number of fields, expected 2 or 3";
    }
    if (err)
        return gp_arena_printf(ck->a, "cannot parse fields of '%s': %s", s,
                               err);
    if (!cut)
        return NULL;
    err = parse_attrs(ck, cut + 1);
    if (err)
        return gp_arena_printf(ck->a, "cannot parse attributes of '%s': %s",
                               s, err);
    *attr = cut;
    return NULL;
}

const struct gp_mig_profile *
ck_match_profile(struct ck *ck, const struct gp_gpu_model *m,
                 const struct ck_mig_prof *p)
{
    size_t i;

    if (!m->mig || !p->parsed)
        return NULL;
    /* go-nvlib matches on the numbers and the attribute set; a compute
     * instance profile (C < G) lives in the G-slice GPU instance. */
    for (i = 0; i < m->mig->n_profiles; i++) {
        const struct gp_mig_profile *q = &m->mig->profiles[i];
        int c, g, gb;
        const char *attr;

        if (ck_parse_profile(ck, q->name, &c, &g, &gb, &attr))
            continue;
        if (g == p->g && gb == p->gb && strcmp(attr, p->attr) == 0 &&
            p->c >= 1 && p->c <= p->g)
            return q;
    }
    return NULL;
}

bool
ck_parse_pci(const char *s, uint32_t *out)
{
    int base = 10;
    uint64_t v = 0;
    size_t i = 0;
    bool digit = false, prev_us = false;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    } else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
        base = 2;
        i = 2;
    } else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
        base = 8;
        i = 2;
    } else if (s[0] == '0' && s[1]) {
        base = 8;
        i = 1;
    }
    for (; s[i]; i++) {
        char c = s[i];
        int d;

        /* Go allows '_' between digits once a base prefix is given. */
        if (c == '_' && (base != 10) && !prev_us) {
            prev_us = true;
            continue;
        }
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return false;
        if (d >= base)
            return false;
        v = v * (uint64_t)base + (uint64_t)d;
        if (v > 0xFFFFFFFFu)
            return false;
        digit = true;
        prev_us = false;
    }
    if ((!digit && !(base == 8 && i == 1)) || prev_us)
        return false;
    *out = (uint32_t)v;
    return true;
}

bool
ck_model_has_pci(const struct gp_gpu_model *m, uint32_t id)
{
    size_t i;

    for (i = 0; i < m->pci_ids.n; i++) {
        uint32_t v;

        if (ck_parse_pci(m->pci_ids.v[i], &v) && v == id)
            return true;
    }
    return false;
}

const char *
ck_mig_resource(struct ck *ck, const char *profile)
{
    char *s = gp_arena_printf(ck->a, "nvidia.com/mig-%s", profile);
    char *p;

    /* Resource names spell the attribute separator '+' as '.'. */
    for (p = s; *p; p++) {
        if (*p == '+')
            *p = '.';
    }
    return s;
}
