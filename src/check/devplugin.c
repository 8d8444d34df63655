/* SPDX-License-Identifier: MIT */
/* check/devplugin.c: one NVIDIA device-plugin config on its own, as
 * api/config/v1 of k8s-device-plugin v0.20 parses and validates it
 * (config-formats.md 1.2-1.7). Where the plugin stops at its first error,
 * every error is reported; the components' own error text is quoted.
 *
 * Two decoders meet here. Plain structs (the top level, flags, imex) go
 * through encoding/json: keys match ignoring case, unknown keys vanish, and
 * sigs.k8s.io/yaml turns any scalar into the string a string field wants.
 * The sharing blocks have their own UnmarshalJSON over a Go map: keys are
 * case-sensitive and each value must already have the JSON type Go wants. */
#include "check/check_int.h"

#include <string.h>

#include "base/arena.h"
#include "base/str.h"
#include "base/strbuf.h"

#define TYPE_ERR "json: cannot unmarshal %s into Go value of type %s"
#define FIELD_ERR "json: cannot unmarshal %s into Go struct field %s of type %s"

struct dpw {
    struct ck *ck;
    struct ck_dp *dp;
    const struct ck_src *s;
    int errors;
};

static void
err(struct dpw *w, const struct gp_ynode *at, const char *rule,
    const char *msg)
{
    if (ck_report(w->ck, w->s, at, rule, "%s", msg) < 0)
        w->errors++;
}

/* Reports the keys of 'map' that are not in 'known'; the plugin drops them
 * without a word. 'fold': encoding/json's case-insensitive match. */
static void
unknown_keys(struct dpw *w, const struct gp_ynode *map,
             const char *const *known, bool fold, const char *where)
{
    size_t i, j, nk = 0;

    while (known[nk])
        nk++;
    for (i = 0; i < map->n_pairs; i++) {
        const struct gp_ynode *k = map->pairs[i].key;
        const char *sugg = NULL;

        for (j = 0; j < nk; j++) {
            if (strcmp(k->str, known[j]) == 0 ||
                (fold && gp_str_casecmp(k->str, known[j]) == 0))
                break;
            if (gp_str_casecmp(k->str, known[j]) == 0)
                sugg = known[j];
        }
        if (j < nk)
            continue;
        if (sugg) {
            ck_report(w->ck, w->s, k, "dp-unknown-field",
                      "'%.100s' in %s is ignored: these keys are "
                      "case-sensitive",
                      k->str, where);
            ck_hint(w->ck, "write '%s'", sugg);
            continue;
        }
        ck_report(w->ck, w->s, k, "dp-unknown-field",
                  "unknown field '%.100s' in %s; the device plugin ignores it",
                  k->str, where);
        sugg = gp_did_you_mean(k->str, known, nk);
        if (sugg)
            ck_hint(w->ck, "did you mean '%s'?", sugg);
    }
}

static const struct gp_ynode *
get(const struct gp_ynode *map, const char *key, bool fold,
    const struct gp_ynode **key_node)
{
    const struct gp_ypair *p = ck_key(map, key, fold);

    if (key_node)
        *key_node = p ? p->key : NULL;
    return p ? p->value : NULL;
}

/* ---- flags --------------------------------------------------------------- */

/* A plain-struct string field: any scalar becomes its text. */
static const char *
flag_str(struct dpw *w, const struct gp_ynode *v, const char *field)
{
    if (!v || gp_ynode_is_null(v))
        return NULL;
    if (v->kind != GP_YSCALAR) {
        w->errors++;
        ck_report(w->ck, w->s, v, "dp-type", FIELD_ERR,
                  ck_jword(w->ck, v), field, "string");
        return NULL;
    }
    return ck_jtext(v);
}

static void
flag_bool(struct dpw *w, const struct gp_ynode *v, const char *field)
{
    enum ck_jtype t = ck_jtype(v);

    if (!v || t == CK_JBOOL || t == CK_JNULL)
        return;
    w->errors++;
    ck_report(w->ck, w->s, v, "dp-type", FIELD_ERR, ck_jword(w->ck, v),
              field, "bool");
    if (t == CK_JSTRING)
        ck_hint(w->ck, "write true or false without quotes");
}

static void
flag_enum(struct dpw *w, const struct gp_ynode *v, const char *field,
          const char *const *values, const char *rule, const char *what)
{
    const char *s = flag_str(w, v, field);
    size_t i;
    struct gp_strbuf sb = GP_STRBUF_INIT;

    if (!s)
        return;
    for (i = 0; values[i]; i++) {
        if (strcmp(s, values[i]) == 0)
            return;
    }
    w->errors++;
    ck_report(w->ck, w->s, v, rule, "%s%.100s", what, s);
    for (i = 0; values[i]; i++)
        gp_strbuf_printf(&sb, "%s'%s'", i ? ", " : "", values[i]);
    ck_hint(w->ck, "valid values: %s", sb.buf);
    gp_strbuf_release(&sb);
}

static void
override(struct dpw *w, const char *name, const struct gp_ynode *node)
{
    struct ck_dp *dp = w->dp;

    if (node && dp->n_over < sizeof(dp->over) / sizeof(dp->over[0])) {
        dp->over[dp->n_over].name = name;
        dp->over[dp->n_over].node = node;
        dp->n_over++;
    }
}

/* Go's time.ParseDuration. Returns NULL, or its error text. */
static const char *
go_duration(struct ck *ck, const char *s)
{
    static const char *const units[] = {"ns", "us", "\xc2\xb5s", "\xce\xbcs",
                                        "ms", "s", "m", "h", NULL};
    const char *p = s;

    if (*p == '+' || *p == '-')
        p++;
    if (strcmp(p, "0") == 0)
        return NULL;
    if (!*p)
        return gp_arena_printf(ck->a, "time: invalid duration \"%s\"", s);
    while (*p) {
        const char *u;
        size_t i, n = 0;
        bool digits = false;

        while (*p >= '0' && *p <= '9') {
            p++;
            digits = true;
        }
        if (*p == '.') {
            p++;
            while (*p >= '0' && *p <= '9') {
                p++;
                digits = true;
            }
        }
        if (!digits)
            return gp_arena_printf(ck->a, "time: invalid duration \"%s\"", s);
        u = p;
        while (*p && *p != '.' && !(*p >= '0' && *p <= '9'))
            p++, n++;
        if (!n)
            return gp_arena_printf(ck->a,
                                   "time: missing unit in duration \"%s\"", s);
        for (i = 0; units[i]; i++) {
            if (strlen(units[i]) == n && memcmp(units[i], u, n) == 0)
                break;
        }
        if (!units[i])
            return gp_arena_printf(ck->a,
                                   "time: unknown unit \"%.*s\" in duration "
                                   "\"%s\"",
                                   (int)n, u, s);
    }
    return NULL;
}

static bool
list_has_cdi(const struct gp_ynode *v)
{
    size_t i;

    if (v && v->kind == GP_YSCALAR)
        return gp_str_has_prefix(ck_jtext(v), "cdi-");
    for (i = 0; v && v->kind == GP_YSEQ && i < v->n_items; i++) {
        if (v->items[i]->kind == GP_YSCALAR &&
            gp_str_has_prefix(v->items[i]->str, "cdi-"))
            return true;
    }
    return false;
}

static void
device_list_strategy(struct dpw *w, const struct gp_ynode *v)
{
    static const char *const ok[] = {"envvar", "volume-mounts",
                                     "cdi-annotations", "cdi-cri", NULL};
    const struct gp_ynode *one[1];
    const struct gp_ynode *const *items = one;
    size_t n = 1, i, j;

    if (!v || gp_ynode_is_null(v))
        return;
    if (v->kind == GP_YSEQ) {
        items = (const struct gp_ynode *const *)v->items;
        n = v->n_items;
    } else if (v->kind == GP_YSCALAR && ck_jtype(v) == CK_JSTRING) {
        one[0] = v;
    } else {
        w->errors++;
        ck_report(w->ck, w->s, v, "dp-device-list-strategy",
                  "invalid deviceListStrategy: %s",
                  v->kind == GP_YSCALAR ? ck_jtext(v) : gp_ynode_describe(v));
        ck_hint(w->ck, "give a string or a list of strings");
        return;
    }
    for (i = 0; i < n; i++) {
        if (ck_jtype(items[i]) != CK_JSTRING) {
            w->errors++;
            ck_report(w->ck, w->s, items[i], "dp-device-list-strategy",
                      "invalid deviceListStrategy: %s",
                      items[i]->kind == GP_YSCALAR
                          ? ck_jtext(items[i])
                          : gp_ynode_describe(items[i]));
            continue;
        }
        for (j = 0; ok[j] && strcmp(ok[j], items[i]->str) != 0; j++)
            ;
        if (!ok[j]) {
            w->errors++;
            ck_report(w->ck, w->s, items[i], "dp-device-list-strategy",
                      "invalid --device-list-strategy option: invalid "
                      "strategy: %.100s",
                      items[i]->str);
            ck_hint(w->ck, "valid strategies: envvar, volume-mounts, "
                           "cdi-annotations, cdi-cri");
        }
    }
}

static void
check_flags(struct dpw *w, const struct gp_ynode *flags)
{
    static const char *const known[] = {
        "migStrategy", "failOnInitError", "mpsRoot", "nvidiaDriverRoot",
        "nvidiaDevRoot", "gdrcopyEnabled", "gdsEnabled", "mofedEnabled",
        "useNodeFeatureAPI", "deviceDiscoveryStrategy",
        "restartOnDeviceUnhealthy", "plugin", "gfd", NULL};
    static const char *const plugin_known[] = {
        "passDeviceSpecs", "deviceListStrategy", "deviceIDStrategy",
        "cdiAnnotationPrefix", "nvidiaCTKPath", "containerDriverRoot",
        "sharedDevicesAllocationPolicy", NULL};
    static const char *const gfd_known[] = {"oneshot", "noTimestamp",
                                            "sleepInterval", "outputFile",
                                            "machineTypeFile", NULL};
    static const char *const bools[] = {"failOnInitError", "gdrcopyEnabled",
                                        "gdsEnabled", "mofedEnabled",
                                        "useNodeFeatureAPI",
                                        "restartOnDeviceUnhealthy", NULL};
    const struct gp_ynode *v, *k, *plugin, *gfd, *dls, *disc;
    const char *s;
    size_t i;

    if (!flags || gp_ynode_is_null(flags))
        return;
    if (flags->kind != GP_YMAP) {
        err(w, flags, "dp-type",
            gp_arena_printf(w->ck->a, FIELD_ERR, ck_jword(w->ck, flags),
                            "Config.flags", "v1.Flags"));
        return;
    }
    unknown_keys(w, flags, known, true, "flags");
    v = get(flags, "migStrategy", true, &k);
    flag_enum(w, v, "Config.flags.migStrategy",
              (const char *const[]){"none", "single", "mixed", NULL},
              "dp-mig-strategy", "unknown MIG strategy: ");
    if (v && !gp_ynode_is_null(v) && v->kind == GP_YSCALAR) {
        w->dp->mig_strategy = ck_jtext(v);
        w->dp->mig_strategy_node = v;
    }
    override(w, "migStrategy", v);
    for (i = 0; bools[i]; i++)
        flag_bool(w, get(flags, bools[i], true, NULL),
                  gp_arena_printf(w->ck->a, "Config.flags.%s", bools[i]));
    override(w, "failOnInitError", get(flags, "failOnInitError", true, NULL));
    flag_str(w, get(flags, "mpsRoot", true, NULL), "Config.flags.mpsRoot");
    override(w, "mpsRoot", get(flags, "mpsRoot", true, NULL));
    flag_str(w, get(flags, "nvidiaDriverRoot", true, NULL),
             "Config.flags.nvidiaDriverRoot");
    flag_str(w, get(flags, "nvidiaDevRoot", true, NULL),
             "Config.flags.nvidiaDevRoot");
    disc = get(flags, "deviceDiscoveryStrategy", true, NULL);
    flag_enum(w, disc, "Config.flags.deviceDiscoveryStrategy",
              (const char *const[]){"auto", "nvml", "tegra", NULL},
              "dp-discovery-strategy",
              "invalid --device-discovery-strategy option ");

    plugin = get(flags, "plugin", true, NULL);
    if (plugin && plugin->kind == GP_YMAP) {
        unknown_keys(w, plugin, plugin_known, true, "flags.plugin");
        v = get(plugin, "passDeviceSpecs", true, NULL);
        flag_bool(w, v, "Config.flags.plugin.passDeviceSpecs");
        override(w, "plugin.passDeviceSpecs", v);
        dls = get(plugin, "deviceListStrategy", true, NULL);
        device_list_strategy(w, dls);
        override(w, "plugin.deviceListStrategy", dls);
        v = get(plugin, "deviceIDStrategy", true, NULL);
        flag_enum(w, v, "Config.flags.plugin.deviceIDStrategy",
                  (const char *const[]){"uuid", "index", NULL},
                  "dp-device-id-strategy",
                  "invalid --device-id-strategy option: ");
        override(w, "plugin.deviceIDStrategy", v);
        flag_enum(w, get(plugin, "sharedDevicesAllocationPolicy", true, NULL),
                  "Config.flags.plugin.sharedDevicesAllocationPolicy",
                  (const char *const[]){"distributed", "packed", NULL},
                  "dp-allocation-policy",
                  "invalid --shared-devices-allocation-policy option: ");
        flag_str(w, get(plugin, "cdiAnnotationPrefix", true, NULL),
                 "Config.flags.plugin.cdiAnnotationPrefix");
        flag_str(w, get(plugin, "nvidiaCTKPath", true, NULL),
                 "Config.flags.plugin.nvidiaCTKPath");
        flag_str(w, get(plugin, "containerDriverRoot", true, NULL),
                 "Config.flags.plugin.containerDriverRoot");
        s = disc ? ck_jtext(disc) : "auto";
        if (list_has_cdi(dls) && strcmp(s, "tegra") == 0) {
            err(w, dls, "dp-cdi-nvml",
                "CDI --device-list-strategy options are only supported on "
                "NVML-based systems");
            ck_hint(w->ck, "use envvar or volume-mounts on Tegra");
        }
    } else if (plugin && !gp_ynode_is_null(plugin)) {
        err(w, plugin, "dp-type",
            gp_arena_printf(w->ck->a, FIELD_ERR, ck_jword(w->ck, plugin),
                            "Config.flags.plugin",
                            "v1.PluginCommandLineFlags"));
    }

    gfd = get(flags, "gfd", true, NULL);
    if (gfd && gfd->kind == GP_YMAP) {
        unknown_keys(w, gfd, gfd_known, true, "flags.gfd");
        flag_bool(w, get(gfd, "oneshot", true, NULL),
                  "Config.flags.gfd.oneshot");
        flag_bool(w, get(gfd, "noTimestamp", true, NULL),
                  "Config.flags.gfd.noTimestamp");
        flag_str(w, get(gfd, "outputFile", true, NULL),
                 "Config.flags.gfd.outputFile");
        flag_str(w, get(gfd, "machineTypeFile", true, NULL),
                 "Config.flags.gfd.machineTypeFile");
        v = get(gfd, "sleepInterval", true, NULL);
        if (v && ck_jtype(v) == CK_JSTRING && strcmp(v->str, "infinite") != 0) {
            const char *e = go_duration(w->ck, v->str);

            if (e) {
                err(w, v, "dp-sleep-interval", e);
                ck_hint(w->ck, "write a duration such as 60s or 5m, or "
                               "'infinite'");
            }
        } else if (v && (v->kind != GP_YSCALAR || ck_jtype(v) == CK_JBOOL)) {
            err(w, v, "dp-sleep-interval", "invalid duration");
            ck_hint(w->ck, "write a duration such as 60s or 5m, or "
                           "'infinite'");
        }
    } else if (gfd && !gp_ynode_is_null(gfd)) {
        err(w, gfd, "dp-type",
            gp_arena_printf(w->ck->a, FIELD_ERR, ck_jword(w->ck, gfd),
                            "Config.flags.gfd", "v1.GFDCommandLineFlags"));
    }
}

/* ---- resource names and devices ------------------------------------------ */

static bool
dns_subdomain_lower(const char *s)
{
    size_t n = strlen(s), i;

    if (n == 0 || n > 253)
        return false;
    for (i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

        if (!alnum && c != '-' && c != '.')
            return false;
        /* Each dot-separated label starts and ends alphanumeric. */
        if ((c == '-' || c == '.') &&
            (i == 0 || i == n - 1 || s[i - 1] == '.' ||
             (c == '.' && s[i - 1] == '-') ||
             (c == '-' && s[i + 1] == '.')))
            return false;
    }
    return true;
}

/* api/config/v1/resources.go NewResourceName. Returns the fully qualified
 * name, or NULL after reporting. */
static const char *
resource_name(struct dpw *w, const struct gp_ynode *v)
{
    const char *raw, *fq;

    if (ck_jtype(v) != CK_JSTRING) {
        err(w, v, "dp-type",
            gp_arena_printf(w->ck->a, TYPE_ERR, ck_jword(w->ck, v),
                            "string"));
        return NULL;
    }
    raw = v->str;
    fq = gp_str_has_prefix(raw, "nvidia.com/")
             ? raw
             : gp_arena_printf(w->ck->a, "nvidia.com/%s", raw);
    if (strlen(fq) > 63) {
        err(w, v, "dp-resource-name",
            gp_arena_printf(w->ck->a,
                            "fully-qualified resource name must be 63 "
                            "characters or less: %.100s",
                            fq));
        return NULL;
    }
    if (!dns_subdomain_lower(fq + strlen("nvidia.com/"))) {
        err(w, v, "dp-resource-name",
            gp_arena_printf(
                w->ck->a,
                "incorrect format for resource name '%.100s': [a lowercase "
                "RFC 1123 subdomain must consist of lower case alphanumeric "
                "characters, '-' or '.', and must start and end with an "
                "alphanumeric character (e.g. 'example.com', regex used for "
                "validation is "
                "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])"
                "?)*')]",
                fq));
        if (strchr(raw, '/') && !gp_str_has_prefix(raw, "nvidia.com/"))
            ck_hint(w->ck, "names without the 'nvidia.com/' prefix get it "
                           "added: '%s' is read as '%s'",
                    raw, fq);
        return NULL;
    }
    return fq;
}

static bool
is_hex_uuid(const char *s)
{
    size_t n = strlen(s), i, k = 0;

    if (n != 36 && n != 32)
        return false;
    for (i = 0; i < n; i++) {
        char c = s[i];

        if (n == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) {
            if (c != '-')
                return false;
            continue;
        }
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
              (c >= 'A' && c <= 'F')))
            return false;
        k++;
    }
    return k == 32;
}

static bool
is_uint_text(const char *s, size_t n)
{
    size_t i;

    if (n == 0)
        return false;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
    }
    return true;
}

/* A devices list entry as a string: "N", "N:M", GPU-<uuid>, MIG-<uuid> or
 * MIG-GPU-<uuid>/<gi>/<ci> (replicas.go ReplicaDeviceRef). */
static bool
device_ref_ok(const char *s)
{
    const char *colon = strchr(s, ':');

    if (is_uint_text(s, strlen(s)))
        return true;
    if (colon && is_uint_text(s, (size_t)(colon - s)) &&
        is_uint_text(colon + 1, strlen(colon + 1)))
        return true;
    if (gp_str_has_prefix(s, "GPU-"))
        return is_hex_uuid(s + 4);
    if (gp_str_has_prefix(s, "MIG-")) {
        const char *r = s + 4, *a, *b;
        char gpu[64];

        if (is_hex_uuid(r))
            return true;
        a = strchr(r, '/');
        b = a ? strchr(a + 1, '/') : NULL;
        if (!a || !b || (size_t)(a - r) >= sizeof(gpu))
            return false;
        memcpy(gpu, r, (size_t)(a - r));
        gpu[a - r] = '\0';
        return gp_str_has_prefix(gpu, "GPU-") && is_hex_uuid(gpu + 4) &&
               is_uint_text(a + 1, (size_t)(b - a - 1)) &&
               is_uint_text(b + 1, strlen(b + 1));
    }
    return false;
}

static void
check_devices(struct dpw *w, const struct gp_ynode *v)
{
    long long c;
    size_t i;

    switch (ck_jtype(v)) {
    case CK_JSTRING:
    case CK_JNULL:
        if (v->kind == GP_YSCALAR && strcmp(ck_jtext(v), "all") == 0)
            return;
        err(w, v, "dp-devices",
            gp_arena_printf(w->ck->a,
                            "devices set as '%.100s' but the only valid "
                            "string input is 'all'",
                            ck_jtext(v)));
        return;
    case CK_JINT:
        if (ck_jint(v, &c) && c <= 0)
            err(w, v, "dp-devices",
                gp_arena_printf(w->ck->a,
                                "devices set as '%lld' but a count of "
                                "devices must be > 0",
                                c));
        break;
    case CK_JARRAY:
        for (i = 0; i < v->n_items; i++) {
            const struct gp_ynode *it = v->items[i];
            enum ck_jtype t = ck_jtype(it);

            if (t == CK_JINT && ck_jint(it, &c) && c >= 0)
                continue;
            if (t == CK_JSTRING && device_ref_ok(it->str))
                continue;
            err(w, it, "dp-devices",
                gp_arena_printf(w->ck->a,
                                "unsupported type for device in devices "
                                "list: %.100s, string",
                                t == CK_JSTRING ? it->str : ""));
            ck_hint(w->ck, "list GPU indexes (0), MIG indexes (\"0:1\") or "
                           "GPU-/MIG- UUIDs");
        }
        break;
    default:
        err(w, v, "dp-devices",
            gp_arena_printf(w->ck->a,
                            "unrecognized type for devices spec: %.100s",
                            v->kind == GP_YSCALAR ? ck_jtext(v)
                                                  : gp_ynode_describe(v)));
        return;
    }
}

/* ---- sharing ------------------------------------------------------------- */

static bool
bool_field(struct dpw *w, const struct gp_ynode *v, bool *out)
{
    if (!v || gp_ynode_is_null(v))
        return false;
    if (ck_jbool(v, out))
        return true;
    err(w, v, "dp-type",
        gp_arena_printf(w->ck->a, TYPE_ERR, ck_jword(w->ck, v), "bool"));
    if (ck_jtype(v) == CK_JSTRING)
        ck_hint(w->ck, "write true or false without quotes");
    return false;
}

/* One 'resources' entry of timeSlicing or mps. Returns the fully qualified
 * name and replicas in *out when the plugin accepts them. */
static bool
check_resource(struct dpw *w, const struct gp_ynode *r, const char *which,
               struct ck_dp_res *out)
{
    static const char *const known[] = {"name", "rename", "devices",
                                        "replicas", NULL};
    const struct gp_ynode *name, *rename, *devices, *replicas, *k;
    const char *fq = NULL;
    long long n;
    bool ok = true;

    if (r->kind != GP_YMAP) {
        err(w, r, "dp-type",
            gp_arena_printf(w->ck->a, TYPE_ERR, ck_jword(w->ck, r),
                            "map[string]json.RawMessage"));
        return false;
    }
    unknown_keys(w, r, known, false,
                 gp_arena_printf(w->ck->a, "sharing.%s.resources[]", which));
    name = get(r, "name", false, NULL);
    if (!name) {
        err(w, r, "dp-resource-name-missing", "no resource name specified");
        ck_hint(w->ck, "add name: nvidia.com/gpu");
        ok = false;
    } else {
        fq = resource_name(w, name);
        ok = ok && fq;
    }
    devices = get(r, "devices", false, &k);
    if (devices) {
        int before = w->errors;

        check_devices(w, devices);
        if (before == w->errors &&
            !(devices->kind == GP_YSCALAR &&
              strcmp(devices->str, "all") == 0)) {
            ck_report(w->ck, w->s, k, "dp-ignored-field",
                      "Customizing the 'devices' field in "
                      "sharing.%s.resources is not yet supported in the "
                      "config. Ignoring...",
                      which);
            ck_hint(w->ck, "every GPU of the node is shared alike; remove "
                           "'devices'");
        }
        ok = ok && before == w->errors;
    }
    replicas = get(r, "replicas", false, NULL);
    if (!replicas) {
        err(w, r, "dp-replicas-missing", "no replicas specified");
        ck_hint(w->ck, "add replicas: N, the pods per GPU (2 or more)");
        ok = false;
    } else if (ck_jtype(replicas) == CK_JNULL) {
        err(w, replicas, "dp-replicas-min", "number of replicas must be >= 2");
        ck_hint(w->ck, "give the pods per GPU, 2 or more");
        ok = false;
    } else if (!ck_jint(replicas, &n)) {
        err(w, replicas, "dp-type",
            gp_arena_printf(w->ck->a, TYPE_ERR, ck_jword(w->ck, replicas),
                            "int"));
        if (ck_jtype(replicas) == CK_JSTRING)
            ck_hint(w->ck, "write the number without quotes");
        ok = false;
    } else if (n < 2) {
        err(w, replicas, "dp-replicas-min", "number of replicas must be >= 2");
        if (n == 1)
            ck_hint(w->ck, "to stop sharing, remove the sharing block; "
                           "replicas: 1 is an error, not 'no sharing'");
        else
            ck_hint(w->ck, "give the pods per GPU, 2 or more");
        ok = false;
    }
    rename = get(r, "rename", false, &k);
    if (rename) {
        int before = w->errors;

        resource_name(w, rename);
        if (before == w->errors) {
            ck_report(w->ck, w->s, k, "dp-ignored-field",
                      "Setting the 'rename' field in sharing.%s.resources is "
                      "not yet supported in the config. Ignoring...",
                      which);
            ck_hint(w->ck, "use renameByDefault: true to advertise "
                           "'<name>.shared'");
        }
        ok = ok && before == w->errors;
    }
    if (ok) {
        out->name = fq;
        out->replicas = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
        out->node = r;
        out->replicas_node = replicas;
    }
    return ok;
}

struct block {
    const struct gp_ynode *key, *node;
    struct ck_dp_res *res;
    size_t n_res;
    bool rename, fail, fail_set;
    bool ok;
};

/* timeSlicing or mps (replicas.go ReplicatedResources.UnmarshalJSON). */
static void
check_block(struct dpw *w, struct block *b, const char *which)
{
    static const char *const known[] = {"renameByDefault",
                                        "failRequestsGreaterThanOne",
                                        "resources", NULL};
    const struct gp_ynode *res, *n = b->node;
    size_t i, j;

    b->ok = false;
    if (gp_ynode_is_null(n)) {
        err(w, b->key, "dp-no-resources", "no resources specified");
        ck_hint(w->ck, "an empty sharing.%s block is an error; give "
                       "resources or remove the block",
                which);
        return;
    }
    if (n->kind != GP_YMAP) {
        err(w, n, "dp-type",
            gp_arena_printf(w->ck->a, TYPE_ERR, ck_jword(w->ck, n),
                            "map[string]json.RawMessage"));
        return;
    }
    unknown_keys(w, n, known, false,
                 gp_arena_printf(w->ck->a, "sharing.%s", which));
    bool_field(w, get(n, "renameByDefault", false, NULL), &b->rename);
    b->fail_set = bool_field(w, get(n, "failRequestsGreaterThanOne", false,
                                    NULL),
                             &b->fail);
    res = get(n, "resources", false, NULL);
    if (!res || gp_ynode_is_null(res) ||
        (res->kind == GP_YSEQ && res->n_items == 0)) {
        err(w, res ? res : b->key, "dp-no-resources",
            "no resources specified");
        ck_hint(w->ck, "list at least one resource, e.g. resources: [{name: "
                       "nvidia.com/gpu, replicas: 4}]");
        return;
    }
    if (res->kind != GP_YSEQ) {
        err(w, res, "dp-type",
            gp_arena_printf(w->ck->a, TYPE_ERR, ck_jword(w->ck, res),
                            "[]v1.ReplicatedResource"));
        return;
    }
    b->res = gp_arena_calloc(w->ck->a, res->n_items, sizeof(*b->res));
    b->ok = true;
    for (i = 0; i < res->n_items; i++) {
        struct ck_dp_res r;

        memset(&r, 0, sizeof(r));
        if (!check_resource(w, res->items[i], which, &r)) {
            b->ok = false;
            continue;
        }
        for (j = 0; j < b->n_res; j++) {
            if (strcmp(b->res[j].name, r.name) == 0)
                break;
        }
        if (j < b->n_res) {
            ck_report(w->ck, w->s, res->items[i], "dp-duplicate-resource",
                      "'%s' is listed twice in sharing.%s.resources; the "
                      "device plugin merges the entries without a word",
                      r.name, which);
            ck_hint(w->ck, "keep one entry (the first is at line %u)",
                    ck_loc(w->s, b->res[j].node).line);
            continue;
        }
        b->res[b->n_res++] = r;
    }
}

static void
check_resources_field(struct dpw *w, const struct gp_ynode *k,
                      const struct gp_ynode *v)
{
    static const char *const lists[] = {"gpus", "mig", NULL};
    size_t i, j;
    int before = w->errors;

    if (!v || gp_ynode_is_null(v))
        return;
    for (i = 0; lists[i] && v->kind == GP_YMAP; i++) {
        const struct gp_ynode *l = get(v, lists[i], true, NULL);

        for (j = 0; l && l->kind == GP_YSEQ && j < l->n_items; j++) {
            const struct gp_ynode *e = l->items[j];

            if (e->kind != GP_YMAP)
                continue;
            if (!gp_ymap_get(e, "pattern"))
                err(w, e, "dp-resources-pattern",
                    "resources must have a 'pattern' field set");
            if (!gp_ymap_get(e, "name"))
                err(w, e, "dp-resources-pattern",
                    "resources must have a 'name' field set");
            if (!gp_ymap_get(e, "pattern") || !gp_ymap_get(e, "name"))
                ck_hint(w->ck, "the field is ignored anyway: remove "
                               "'resources'");
        }
    }
    if (before == w->errors) {
        ck_report(w->ck, w->s, k, "dp-ignored-field",
                  "Customizing the 'resources' field is not yet supported in "
                  "the config. Ignoring...");
        ck_hint(w->ck, "resource names are fixed by the MIG strategy; remove "
                       "'resources'");
    }
}

static void
check_imex(struct dpw *w, const struct gp_ynode *v)
{
    const struct gp_ynode *ids;
    struct gp_strbuf sb = GP_STRBUF_INIT;
    size_t i;
    bool bad = false, dummy;

    if (!v || gp_ynode_is_null(v))
        return;
    if (v->kind != GP_YMAP) {
        err(w, v, "dp-type",
            gp_arena_printf(w->ck->a, FIELD_ERR, ck_jword(w->ck, v),
                            "Config.imex", "v1.Imex"));
        return;
    }
    unknown_keys(w, v, (const char *const[]){"channelIDs", "required", NULL},
                 true, "imex");
    bool_field(w, get(v, "required", true, NULL), &dummy);
    ids = get(v, "channelIDs", true, NULL);
    if (!ids || gp_ynode_is_null(ids))
        return;
    if (ids->kind != GP_YSEQ) {
        err(w, ids, "dp-type",
            gp_arena_printf(w->ck->a, FIELD_ERR, ck_jword(w->ck, ids),
                            "Config.imex.channelIDs", "[]int"));
        return;
    }
    gp_strbuf_putc(&sb, '[');
    for (i = 0; i < ids->n_items; i++) {
        long long c;

        if (!ck_jint(ids->items[i], &c)) {
            err(w, ids->items[i], "dp-type",
                gp_arena_printf(w->ck->a, FIELD_ERR,
                                ck_jword(w->ck, ids->items[i]),
                                "Config.imex.channelIDs", "int"));
            gp_strbuf_release(&sb);
            return;
        }
        gp_strbuf_printf(&sb, "%s%lld", i ? " " : "", c);
        bad = bad || c != 0 || ids->n_items > 1;
    }
    gp_strbuf_putc(&sb, ']');
    if (bad) {
        err(w, ids, "dp-imex-channels",
            gp_arena_printf(w->ck->a,
                            "invalid IMEX channel IDs: invalid IMEX config: "
                            "channelIDs must be [] or [0]; found %s",
                            sb.buf));
        ck_hint(w->ck, "IMEX channel 0 is the only one the plugin exposes");
    }
    gp_strbuf_release(&sb);
}

static void
check_sharing(struct dpw *w, const struct gp_ynode *sharing)
{
    struct ck_dp *dp = w->dp;
    struct block ts, mps;

    memset(&ts, 0, sizeof(ts));
    memset(&mps, 0, sizeof(mps));
    if (!sharing || gp_ynode_is_null(sharing))
        return;
    if (sharing->kind != GP_YMAP) {
        err(w, sharing, "dp-type",
            gp_arena_printf(w->ck->a, FIELD_ERR, ck_jword(w->ck, sharing),
                            "Config.sharing", "v1.Sharing"));
        return;
    }
    unknown_keys(w, sharing, (const char *const[]){"timeSlicing", "mps", NULL},
                 false, "sharing");
    ts.node = get(sharing, "timeSlicing", false, &ts.key);
    mps.node = get(sharing, "mps", false, &mps.key);
    if (ts.key)
        check_block(w, &ts, "timeSlicing");
    /* sharing.mps is a pointer: null means "not set". */
    if (mps.key && !gp_ynode_is_null(mps.node))
        check_block(w, &mps, "mps");
    if (!ts.key && (!mps.key || gp_ynode_is_null(mps.node))) {
        ck_report(w->ck, w->s, mps.key ? mps.key : sharing,
                  "dp-sharing-empty",
                  "this sharing block shares nothing: GPUs stay one pod "
                  "each");
        ck_hint(w->ck, "give sharing.timeSlicing or sharing.mps resources, or "
                       "remove 'sharing'");
        return;
    }
    if (ts.key && mps.key && !gp_ynode_is_null(mps.node)) {
        err(w, ts.key, "dp-ts-and-mps",
            "both sharing.timeSlicing and sharing.mps are set: the device "
            "plugin runs MPS and silently ignores timeSlicing");
        ck_hint(w->ck, "keep one; the README calls them mutually exclusive");
    }
    /* sharing.go SharingStrategy: MPS when it has a resource with more than
     * one replica, else time-slicing. */
    if (mps.ok && mps.n_res) {
        dp->share = CK_SHARE_MPS;
        dp->share_node = mps.key;
        dp->res = mps.res;
        dp->n_res = mps.n_res;
        dp->rename_by_default = mps.rename;
        /* Unset means true for MPS. */
        dp->fail_gt_one = mps.fail_set ? mps.fail : true;
    } else if (ts.ok && ts.n_res) {
        dp->share = CK_SHARE_TS;
        dp->share_node = ts.key;
        dp->res = ts.res;
        dp->n_res = ts.n_res;
        dp->rename_by_default = ts.rename;
        dp->fail_gt_one = ts.fail_set && ts.fail;
    }
}

/* ---- the config ---------------------------------------------------------- */

/* Checks of the parsed config as a whole: what it shares and under which
 * MIG strategy. The GPU Operator's ClusterPolicy, when given, decides the
 * strategy. */
static void
check_semantics(struct dpw *w)
{
    struct ck_dp *dp = w->dp;
    const struct ck_policy *pol = w->ck->policy;
    const char *strategy = pol ? pol->strategy_value
                               : dp->mig_strategy ? dp->mig_strategy : "none";
    size_t i;

    for (i = 0; i < dp->n_res; i++) {
        const struct ck_dp_res *r = &dp->res[i];
        bool is_mig = gp_str_has_prefix(r->name, "nvidia.com/mig-");

        if (dp->share == CK_SHARE_MPS) {
            if (is_mig) {
                err(w, r->node, "node-mps-mig",
                    "sharing using MPS is not supported for MIG devices");
                ck_hint(w->ck, "MPS shares only nvidia.com/gpu on full "
                               "GPUs; use time-slicing for MIG devices");
                continue;
            }
            if (r->replicas > 48) {
                err(w, r->replicas_node, "dp-mps-replicas-max",
                    gp_arena_printf(w->ck->a,
                                    "invalid MPS configuration: invalid "
                                    "device maximum allowed replicas "
                                    "exceeded: %u > 48",
                                    r->replicas));
                ck_hint(w->ck, "MPS serves at most 48 clients per GPU (16 "
                               "below compute capability 7.5)");
            }
        }
        if (strcmp(r->name, "nvidia.com/gpu") == 0)
            continue;
        if (is_mig && strcmp(strategy, "mixed") != 0) {
            ck_report(w->ck, w->s, r->node, "dp-resource-unadvertised",
                      "'%s' is advertised only under migStrategy mixed (here "
                      "%s): the device plugin skips this entry",
                      r->name, strategy);
            continue;
        }
        if (!is_mig) {
            ck_report(w->ck, w->s, r->node, "dp-resource-unadvertised",
                      "the device plugin never advertises '%s': it skips "
                      "this entry",
                      r->name);
            ck_hint(w->ck, "share 'nvidia.com/gpu', or under migStrategy "
                           "mixed 'nvidia.com/mig-<profile>'");
        }
    }
    if (dp->share == CK_SHARE_MPS && strcmp(strategy, "mixed") == 0) {
        err(w, !pol && dp->mig_strategy_node ? dp->mig_strategy_node
                                             : dp->share_node,
            "dp-mps-mixed",
            "using --mig-strategy=mixed is not supported with MPS");
        if (!pol)
            ck_hint(w->ck, "use migStrategy none (or single on nodes without "
                           "MIG) for MPS configs");
        if (pol)
            ck_hint(w->ck, "the ClusterPolicy sets spec.mig.strategy: mixed "
                           "for every node");
    }
    if (dp->share == CK_SHARE_MPS && dp->bare) {
        const struct gp_ynode *flags = get(dp->root, "flags", true, NULL);

        if (!get(flags, "mpsRoot", true, NULL)) {
            ck_report(w->ck, w->s, dp->share_node, "dp-mps-root",
                      "using MPS requires --mps-root to be specified");
            ck_hint(w->ck, "set flags.mpsRoot (the Helm chart and the GPU "
                           "Operator use /run/nvidia/mps)");
        }
    }
    if (pol) {
        static const char *const envs[][2] = {
            {"migStrategy", "MIG_STRATEGY"},
            {"failOnInitError", "FAIL_ON_INIT_ERROR"},
            {"mpsRoot", "MPS_ROOT"},
            {"plugin.passDeviceSpecs", "PASS_DEVICE_SPECS"},
            {"plugin.deviceListStrategy", "DEVICE_LIST_STRATEGY"},
            {"plugin.deviceIDStrategy", "DEVICE_ID_STRATEGY"},
        };

        for (i = 0; i < dp->n_over; i++) {
            size_t j;

            for (j = 0; strcmp(envs[j][0], dp->over[i].name) != 0; j++)
                ;
            if (j == 0 && dp->mig_strategy &&
                strcmp(dp->mig_strategy, pol->strategy_value) == 0)
                continue;
            ck_report(w->ck, w->s, dp->over[i].node, "dp-flag-overridden",
                      "the GPU Operator sets %s from its environment variable "
                      "%s, so this value never applies",
                      dp->over[i].name, envs[j][1]);
            if (j == 0)
                ck_hint(w->ck, "the ClusterPolicy's spec.mig.strategy (%s) "
                               "decides the MIG strategy",
                        pol->strategy_value);
        }
    }
}

void
ck_check_dp(struct ck *ck, struct ck_dp *dp)
{
    static const char *const known[] = {"version", "flags", "resources",
                                        "sharing", "imex", NULL};
    const struct gp_ynode *root = dp->root, *v, *k;
    const char *why;
    struct dpw w;

    w.ck = ck;
    w.dp = dp;
    w.s = &dp->src;
    w.errors = 0;
    if (dp->key && !gp_k8s_label_value(dp->key, &why)) {
        ck_report(ck, &dp->outer, dp->key_node, "dp-config-name",
                  "config name '%.100s' cannot be selected: the label "
                  "nvidia.com/device-plugin.config cannot hold it (%s)",
                  dp->key, why);
        ck_hint(ck, "rename the key: up to 63 of [A-Za-z0-9-_.], starting "
                    "and ending alphanumeric");
    }
    if (!root || gp_ynode_is_null(root)) {
        dp->ok = true;
        return;
    }
    if (root->kind != GP_YMAP) {
        err(&w, root, "dp-type",
            gp_arena_printf(ck->a, TYPE_ERR, ck_jword(ck, root),
                            "v1.Config"));
        return;
    }
    unknown_keys(&w, root, known, true, "the config");
    v = get(root, "version", true, NULL);
    if (v && v->kind != GP_YSCALAR) {
        err(&w, v, "dp-type",
            gp_arena_printf(ck->a, FIELD_ERR, ck_jword(ck, v),
                            "Config.version", "string"));
    } else if (v && *ck_jtext(v) && strcmp(ck_jtext(v), "v1") != 0) {
        err(&w, v, "dp-version",
            gp_arena_printf(ck->a, "unknown version: %.100s", ck_jtext(v)));
        ck_hint(ck, "write version: v1");
    }
    check_flags(&w, get(root, "flags", true, NULL));
    v = get(root, "resources", true, &k);
    check_resources_field(&w, k, v);
    check_sharing(&w, get(root, "sharing", true, NULL));
    check_imex(&w, get(root, "imex", true, NULL));
    check_semantics(&w);
    dp->ok = w.errors == 0;
}
