/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "base/str.h"
#include "base/units.h"
#include "harness.h"
#include "tests.h"

static uint64_t
bytes(const char *s, int *ok)
{
    const char *why;
    uint64_t v = 0;

    *ok = gp_parse_bytes(s, &v, &why) == 0;
    return v;
}

void
units_bytes(void)
{
    int ok;

    INT_EQ(bytes("16Gi", &ok), 16ull << 30);
    OK(ok);
    INT_EQ(bytes("9984Mi", &ok), 9984ull << 20);
    INT_EQ(bytes("1.5Gi", &ok), 1610612736ull);
    INT_EQ(bytes("16G", &ok), 16000000000ull);
    INT_EQ(bytes("123", &ok), 123);
    INT_EQ(bytes("1e3", &ok), 1000);
    INT_EQ(bytes("500m", &ok), 1); /* half a byte rounds up */
    OK(ok);
    INT_EQ(bytes("15Ei", &ok), 15ull << 60);
    OK(ok);
    bytes("16Ei", &ok);
    OK(!ok);
    bytes("9999999999999Ti", &ok);
    OK(!ok);
    bytes("18446744073709551616", &ok);
    OK(!ok);
    INT_EQ(bytes("18446744073709551615", &ok), UINT64_MAX);
    OK(ok);
    bytes("-1Gi", &ok);
    OK(!ok);
    bytes("1Qi", &ok);
    OK(!ok);
    bytes("inf", &ok);
    OK(!ok);
    bytes("0x10", &ok);
    OK(!ok);
    bytes("", &ok);
    OK(!ok);
    bytes("1.Gi", &ok);
    OK(!ok);
    bytes("1e99999999Gi", &ok);
    OK(!ok);
}

/* Found by fuzzing (tests/fuzz/regress/units): values that fit were refused
 * as "too large", and one that does not fit was accepted. */
void
units_bytes_exact_near_the_limits(void)
{
    const char *why = NULL;
    uint64_t v = 0;
    int ok;

    INT_EQ(bytes("1.999999999905099999999999Ei", &ok),
           2305843009104281702ull);
    OK(ok);
    /* 15.999999999999999999 x 2^60 rounds up to 2^64 - 1 exactly. */
    OK(bytes("15.999999999999999999Ei", &ok) == UINT64_MAX);
    OK(ok);
    bytes("2e1Ei", &ok); /* 20 x 2^60 */
    OK(!ok);
    bytes("160Ei", &ok);
    OK(!ok);
    INT_EQ(bytes("1.0000000000000000000001", &ok), 2); /* rounds up */
    OK(ok);
    INT_EQ(bytes("1e-30", &ok), 1);
    INT_EQ(bytes("0.0000000000000000000000000000000000000001Ki", &ok), 1);
    OK(ok);
    bytes("18446744073709551615.5", &ok);
    OK(!ok);
    OK(gp_parse_bytes("12345678901234567890123m", &v, &why) == 0);
    INT_EQ(v, 12345678901234567891ull);
    OK(gp_parse_bytes("123456789012345678901234", &v, &why) < 0);
    STR_EQ(why, "too large (more than 16 EiB)");
}

void
units_duration_fraction_uint(void)
{
    const char *why;
    double d = 0;
    uint64_t u = 0;

    OK(gp_parse_duration("8ms", &d, &why) == 0);
    DBL_NEAR(d, 0.008, 1e-12);
    OK(gp_parse_duration("1m30s", &d, &why) == 0);
    DBL_NEAR(d, 90, 1e-9);
    OK(gp_parse_duration("250us", &d, &why) == 0);
    DBL_NEAR(d, 250e-6, 1e-12);
    OK(gp_parse_duration("250\xc2\xb5s", &d, &why) == 0);
    DBL_NEAR(d, 250e-6, 1e-12);
    OK(gp_parse_duration("1.5h", &d, &why) == 0);
    DBL_NEAR(d, 5400, 1e-9);
    OK(gp_parse_duration("8", &d, &why) < 0);
    OK(strstr(why, "missing time unit") != NULL);
    OK(gp_parse_duration("1d", &d, &why) < 0);
    OK(gp_parse_duration("nan", &d, &why) < 0);
    OK(gp_parse_duration("1e400s", &d, &why) < 0);
    OK(gp_parse_fraction("500m", &d, &why) == 0);
    DBL_NEAR(d, 0.5, 1e-12);
    OK(gp_parse_fraction("25%", &d, &why) == 0);
    DBL_NEAR(d, 0.25, 1e-12);
    OK(gp_parse_fraction("0.3", &d, &why) == 0);
    DBL_NEAR(d, 0.3, 1e-12);
    OK(gp_parse_fraction("half", &d, &why) < 0);
    OK(gp_parse_uint("42", 100, &u, &why) == 0);
    INT_EQ(u, 42);
    OK(gp_parse_uint("101", 100, &u, &why) < 0);
    OK(gp_parse_uint("-1", 100, &u, &why) < 0);
    OK(gp_parse_uint("99999999999999999999999", UINT64_MAX, &u, &why) < 0);
    OK(gp_parse_double("1e3", &d, &why) == 0);
    DBL_NEAR(d, 1000, 1e-9);
    OK(gp_parse_double("1e999", &d, &why) < 0);
    OK(gp_parse_double(".5", &d, &why) == 0);
}

void
str_did_you_mean_and_k8s_names(void)
{
    const char *keys[] = {"name", "nodeCount", "gpu", "pricePerGPUHour",
                          "labels", "sharing"};
    const char *why;

    STR_EQ(gp_did_you_mean("nodecount", keys, 6), "nodeCount");
    STR_EQ(gp_did_you_mean("shareing", keys, 6), "sharing");
    STR_EQ(gp_did_you_mean("label", keys, 6), "labels");
    OK(gp_did_you_mean("zzzzzzzz", keys, 6) == NULL);
    OK(gp_k8s_dns_label("bert-serving", &why));
    OK(!gp_k8s_dns_label("Bert", &why));
    OK(!gp_k8s_dns_label("-a", &why));
    OK(gp_k8s_label_key("nvidia.com/device-plugin.config", &why));
    OK(gp_k8s_label_key("topology.kubernetes.io/zone", &why));
    OK(!gp_k8s_label_key("a/b/c", &why));
    OK(gp_k8s_label_value("", &why));
    OK(gp_k8s_label_value("NVIDIA-A100-SXM4-40GB", &why));
    OK(!gp_k8s_label_value("has space", &why));
    OK(gp_str_printable_utf8("caf\xc3\xa9", 5));
    OK(!gp_str_printable_utf8("\xc3\x28", 2));
    OK(!gp_str_printable_utf8("a\x01", 2));
}
